"""Read publishers' files into figures. Nothing here writes: `services.import_file` does, in
one transaction, once a file has been read without a single problem."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from . import readers
from .areas import UNKNOWN, WORLD, AreaResolver, clean_name, m49
from .choices import AreaKind, Flag, ImportKind, Sex
from .errors import ProblemList

MISSING_MARKS = {"", "..", "...", "-", "—", "n/a", "na", "NA", "N/A"}
Progress = Callable[[int], None] | None


@dataclass(frozen=True)
class IndicatorInfo:
    code: str
    name: str
    unit: str
    sdg_indicator: str = ""
    publisher_code: str = ""
    description: str = ""


@dataclass(frozen=True)
class DatasetInfo:
    key: str
    kind: str
    publisher: str
    title: str
    revision: str
    licence: str = ""
    source_url: str = ""
    absent_means_zero: bool = False
    owner: str = ""  # code of the organization keeping a regional data set


@dataclass
class Figure:
    indicator: str
    area: str
    year: int
    value: float | None
    sex: str = Sex.TOTAL
    origin: str | None = None
    flag: str = Flag.NONE

    @property
    def key(self) -> tuple[str, str, str | None, int, str]:
        return (self.indicator, self.area, self.origin, self.year, self.sex)


@dataclass
class ParsedFile:
    dataset: DatasetInfo
    indicators: list[IndicatorInfo]
    figures: list[Figure]
    new_areas: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (name, kind)
    notes: list[str] = field(default_factory=list)


THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_number(value: Any) -> tuple[float | None, bool]:
    """(value, ok): missing marks give (None, True); text that is not a finite number gives ok
    False. Commas are read only as thousands separators (1,234,567): '3,5' is refused rather
    than read as 35, and NaN or infinity are refused rather than stored."""
    if value is None:
        return None, True
    if isinstance(value, bool):
        return None, False
    if isinstance(value, int | float):
        number = float(value)
        return (number, True) if math.isfinite(number) else (None, False)
    text = str(value).strip()
    if text in MISSING_MARKS:
        return None, True
    text = text.replace("\u00a0", "").replace(" ", "")
    if "," in text:
        if not THOUSANDS.match(text):
            return None, False
        text = text.replace(",", "")
    try:
        number = float(text)
    except ValueError:
        return None, False
    return (number, True) if math.isfinite(number) else (None, False)


def _figure(indicator: str, area: str, year: int, value: float | None, **extra: Any) -> Figure:
    flag = Flag.MISSING if value is None else extra.pop("flag", Flag.NONE)
    extra.pop("flag", None)
    return Figure(indicator, area, year, value, flag=flag, **extra)


def check_duplicates(
    figures: Iterable[Figure], where: dict[tuple, str], problems: ProblemList
) -> None:
    counts = Counter(figure.key for figure in figures)
    for key, count in counts.items():
        if count > 1:
            indicator, area, origin, year, sex = key
            what = f"{indicator} for {area}" + (f" from {origin}" if origin else "")
            problems.add(where.get(key, ""), f"{what}, {year}, {sex} appears {count} times")


# --- UN DESA International Migrant Stock workbooks -------------------------------------------

UNDESA = "United Nations Department of Economic and Social Affairs, Population Division"
UNDESA_LICENCE = "CC BY 3.0 IGO"
UNDESA_URL = "https://www.un.org/development/desa/pd/content/international-migrant-stock"
STOCK = IndicatorInfo(
    "international-migrant-stock",
    "International migrant stock at mid-year",
    "persons",
    description="People living in a country other than their country of birth or citizenship.",
)
POPULATION = IndicatorInfo(
    "total-population", "Total population at mid-year", "thousands of persons"
)
UNDESA_TABLES = {
    "international migrant stock at mid-year by sex": STOCK,
    "total population at mid-year by sex": POPULATION,
}


def _sex_of(label: str) -> str | None:
    text = label.casefold()
    if "both sexes" in text:
        return Sex.TOTAL
    if "female" in text:
        return Sex.FEMALE
    if "male" in text:
        return Sex.MALE
    return None


def _table_indicator(rows: list[list[Any]]) -> IndicatorInfo | None:
    """The indicator a sheet holds, from its title ('Table 1: International migrant stock...')."""
    for row in rows[:20]:
        for cell in row:
            if isinstance(cell, str) and (title := re.match(r"\s*Table \d+\s*[:-]\s*(.+)", cell)):
                text = title.group(1).casefold()
                for phrase, indicator in UNDESA_TABLES.items():
                    if phrase in text:
                        return indicator
    return None


def _revision_in(rows: list[list[Any]]) -> str | None:
    for row in rows[:20]:
        for cell in row:
            if isinstance(cell, str) and (found := re.search(r"Rev\.?\s*(\d{4})", cell)):
                return found.group(1)
    return None


@dataclass
class _StockLayout:
    code_column: int
    name_column: int
    type_column: int | None
    first_data_row: int
    columns: list[tuple[int, int, str]]  # (column, year, sex)


def _stock_layout(sheet: str, rows: list[list[Any]], problems: ProblemList) -> _StockLayout | None:
    header = None
    for index, row in enumerate(rows[:40]):
        labels = [str(cell).strip().casefold() if cell is not None else "" for cell in row]
        if "location code" in labels or "code" in labels:
            header = index
            break
    if header is None:
        problems.add(
            sheet, "no header row with a 'Location code' or 'Code' column in the first 40 rows"
        )
        return None
    labels = [str(cell).strip().casefold() if cell is not None else "" for cell in rows[header]]
    code_column = (
        labels.index("location code") if "location code" in labels else labels.index("code")
    )
    name_column = next((i for i, text in enumerate(labels) if "country or area" in text), 1)
    type_column = next(
        (i for i, text in enumerate(labels) if text.startswith("type of data")), None
    )

    year_row = None
    for index in (header, header + 1):
        if index < len(rows) and sum(1 for c in rows[index] if _year(c)) >= 3:
            year_row = index
            break
    if year_row is None:
        problems.add(
            f"{sheet} row {header + 1}", "no row of years (1990, 1995, ...) under the header"
        )
        return None
    sex_labels: list[tuple[int, str]] = []
    for index in range(max(0, year_row - 5), year_row + 1):
        for column, cell in enumerate(rows[index]):
            if isinstance(cell, str) and (sex := _sex_of(cell)):
                sex_labels.append((column, sex))
    columns = []
    for column, cell in enumerate(rows[year_row]):
        year = _year(cell)
        if not year:
            continue
        left = [sex for label_column, sex in sorted(sex_labels) if label_column <= column]
        if not left:
            problems.add(
                f"{sheet} {get_column_letter(column + 1)}{year_row + 1}",
                f"cannot tell whether the {year} column is both sexes, males or females: "
                "the header rows above it say neither",
            )
            return None
        columns.append((column, year, left[-1]))
    years_by_sex: dict[str, list[int]] = {}
    for _column, year, sex in columns:
        years_by_sex.setdefault(sex, []).append(year)
    if len({tuple(years) for years in years_by_sex.values()}) > 1:
        problems.add(
            f"{sheet} row {year_row + 1}",
            "the sexes do not cover the same years: "
            + "; ".join(f"{sex} {years}" for sex, years in years_by_sex.items()),
        )
        return None
    return _StockLayout(code_column, name_column, type_column, year_row + 1, columns)


def _year(cell: Any) -> int | None:
    try:
        year = int(float(cell))
    except (TypeError, ValueError):
        return None
    return year if 1900 <= year <= 2100 and float(cell) == year else None


def parse_undesa_stock(
    path: Path, *, revision: str | None = None, progress: Progress = None, **_: Any
) -> ParsedFile:
    """Table 1 (migrant stock) and Table 2 (population) of either workbook layout."""
    workbook = readers.open_workbook(path)
    problems = ProblemList()
    resolver = AreaResolver()
    figures: list[Figure] = []
    where: dict[tuple, str] = {}
    new_areas: dict[str, tuple[str, str]] = {}
    indicators: list[IndicatorInfo] = []
    found_revision = None
    rows_seen: dict[tuple[str, str], tuple[int, tuple[Any, ...]]] = {}
    for sheet in workbook.sheet_names:
        if len(indicators) == len(UNDESA_TABLES):
            break  # the other tables (percentages, rates of change) are derived figures
        rows = readers.sheet_rows(workbook, sheet, path)
        indicator = _table_indicator(rows)
        if indicator is None or indicator in indicators:
            continue
        found_revision = found_revision or _revision_in(rows)
        layout = _stock_layout(sheet, rows, problems)
        if layout is None:
            continue
        indicators.append(indicator)
        unheaded_reported = False
        for index in range(layout.first_data_row, len(rows)):
            row = rows[index]
            if progress:
                progress(1)
            if layout.code_column >= len(row) or row[layout.code_column] in (None, ""):
                continue
            raw_code = m49(row[layout.code_column])
            if not raw_code.isdigit():
                problems.add(
                    f"{sheet} row {index + 1}", f"location code {raw_code!r} is not a number"
                )
                continue
            area = resolver.from_code(raw_code) or raw_code
            if area not in resolver.kinds and area not in new_areas:
                kind = AreaKind.COUNTRY if int(raw_code) < 900 else AreaKind.GROUP
                new_areas[area] = (clean_name(row[layout.name_column]), kind)
            values = tuple(
                row[column] if column < len(row) else None for column, *_ in layout.columns
            )
            first = rows_seen.setdefault((indicator.code, area), (index, values))
            if first[0] != index:
                # The workbooks list some regions twice (geographic and SDG groupings); the
                # repeat is skipped when its figures are the same, reported when they differ.
                if first[1] != values:
                    problems.add(
                        f"{sheet} row {index + 1}",
                        f"location code {raw_code} repeats row {first[0] + 1} with other figures",
                    )
                continue
            by_sex: dict[tuple[int, str], float | None] = {}
            for column, year, sex in layout.columns:
                cell = row[column] if column < len(row) else None
                value, ok = parse_number(cell)
                if not ok:
                    problems.add(
                        f"{sheet} {get_column_letter(column + 1)}{index + 1}",
                        f"{clean_name(row[layout.name_column])} {year} {sex}: "
                        f"{cell!r} is not a number",
                    )
                    continue
                by_sex[(year, sex)] = value
                figure = _figure(indicator.code, area, year, value, sex=sex)
                where[figure.key] = f"{sheet} row {index + 1}"
                figures.append(figure)
            _check_sexes_add_up(sheet, index, row[layout.name_column], by_sex, problems)
            if not unheaded_reported:
                unheaded_reported = _check_unheaded_figures(sheet, index, row, layout, problems)
    if not indicators and not problems:
        problems.add(
            "", "no 'International migrant stock at mid-year by sex' table in the workbook"
        )
    if indicators and not any(f.area == WORLD for f in figures):
        problems.add("", "no WORLD row (location code 900): is this the publisher's workbook?")
    check_duplicates(figures, where, problems)
    revision = revision or found_revision
    if not revision:
        problems.add("", "the workbook does not name its revision (Rev.YYYY); pass --revision")
    problems.raise_if_any(path.name)
    return ParsedFile(
        DatasetInfo(
            key="undesa-international-migrant-stock",
            kind=ImportKind.UNDESA_STOCK,
            publisher=UNDESA,
            title="International Migrant Stock",
            revision=str(revision),
            licence=UNDESA_LICENCE,
            source_url=UNDESA_URL,
        ),
        indicators,
        figures,
        new_areas,
    )


def _check_unheaded_figures(
    sheet: str, index: int, row: list[Any], layout: _StockLayout, problems: ProblemList
) -> bool:
    """A figure in a column with no year above it means the header rows moved against the
    data (a whole header block shifted keeps males + females = both sexes true)."""
    headed = {column for column, _year, _sex in layout.columns}
    first = max(layout.code_column, layout.type_column or 0) + 1
    for column in range(first, len(row)):
        if column not in headed and isinstance(row[column], int | float):
            problems.add(
                f"{sheet} {get_column_letter(column + 1)}{index + 1}",
                f"a figure ({row[column]:,.0f}) in a column with no year above it; "
                "are the header rows shifted against the data?",
            )
            return True
    return False


def _check_sexes_add_up(
    sheet: str,
    index: int,
    name: Any,
    by_sex: dict[tuple[int, str], float | None],
    problems: ProblemList,
) -> None:
    """Both sexes must equal males plus females: a shifted header breaks this at once."""
    for (year, sex), total in by_sex.items():
        if sex != Sex.TOTAL or total is None:
            continue
        male, female = by_sex.get((year, Sex.MALE)), by_sex.get((year, Sex.FEMALE))
        if male is None or female is None:
            continue
        if abs(total - (male + female)) > max(1.0, abs(total) * 1e-6):
            problems.add(
                f"{sheet} row {index + 1}",
                f"{clean_name(name)} {year}: both sexes ({total:,.0f}) is not males + females "
                f"({male + female:,.0f}); are the header rows shifted?",
            )


# --- UN DESA origin x destination matrix -----------------------------------------------------


def _csv_with_header(
    path: Path, encoding: str
) -> tuple[list[str], list[str], Iterator[tuple[int, list[str]]]]:
    """The header, its labels in lower case, and the (line, cells) of the rows after it."""
    rows = readers.csv_rows(path, encoding)
    try:
        _line, header = next(rows)
    except StopIteration:
        raise readers.reject(path, "the file is empty") from None
    return header, [cell.strip().casefold() for cell in header], rows


def _complete_rows(
    rows: Iterator[tuple[int, list[str]]], width: int, problems: ProblemList, progress: Progress
) -> Iterator[tuple[int, list[str]]]:
    """The rows that are not blank and have a cell for every column; the others are
    reported (a wrong cell count) or skipped (a blank line)."""
    for line, cells in rows:
        if progress:
            progress(1)
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != width:
            problems.add(f"line {line}", f"{len(cells)} cells where the header has {width}")
            continue
        yield line, cells


def parse_undesa_origin_destination(
    path: Path,
    *,
    revision: str | None = None,
    encoding: str = "utf-8",
    progress: Progress = None,
    **_: Any,
) -> ParsedFile:
    """One row per (Year, Dest), one column per origin name; zero cells are not stored."""
    problems = ProblemList()
    resolver = AreaResolver()
    header, labels, rows = _csv_with_header(path, encoding)
    if labels[:2] != ["year", "dest"]:
        raise readers.reject(
            path, f"the first two columns must be Year and Dest, not {header[:2]}", where="line 1"
        )
    origins: list[str | None] = [None, None]
    for column, name in enumerate(header[2:], start=2):
        code = resolver.from_name(name)
        if code is None:
            problems.add(f"line 1, column {column + 1}", resolver.unknown_name_message(name))
        origins.append(code)
    figures: list[Figure] = []
    where: dict[tuple, str] = {}
    unknown_destinations: dict[str, int] = {}
    for line, cells in _complete_rows(rows, len(header), problems, progress):
        year = _year(cells[0])
        if year is None:
            problems.add(f"line {line}", f"year {cells[0]!r} is not a year")
            continue
        destination = resolver.from_name(cells[1])
        if destination is None:
            if cells[1] not in unknown_destinations:
                unknown_destinations[cells[1]] = line
                problems.add(f"line {line}", resolver.unknown_name_message(cells[1]))
            continue
        for column in range(2, len(cells)):
            value, ok = parse_number(cells[column])
            if not ok:
                problems.add(
                    f"line {line}, column {column + 1}",
                    f"{header[column]}: {cells[column]!r} is not a number",
                )
                continue
            origin = origins[column]
            if origin is None or value == 0:
                continue
            figure = _figure(STOCK.code, destination, year, value, origin=origin)
            where[figure.key] = f"line {line}"
            figures.append(figure)
    check_duplicates(figures, where, problems)
    problems.raise_if_any(path.name)
    revision = revision or str(max((f.year for f in figures), default=""))
    return ParsedFile(
        DatasetInfo(
            key="undesa-migrant-stock-origin-destination",
            kind=ImportKind.UNDESA_ORIGIN_DESTINATION,
            publisher=UNDESA,
            title="International migrant stock by origin and destination",
            revision=revision,
            licence=UNDESA_LICENCE,
            source_url=UNDESA_URL,
            absent_means_zero=True,
        ),
        [STOCK],
        figures,
        resolver.new_areas,
        notes=["Cells with 0 are not stored; a figure that is absent is zero."],
    )


# --- UNHCR refugees and asylum seekers -------------------------------------------------------

REFUGEES = IndicatorInfo(
    "refugees", "Refugees under UNHCR's mandate", "persons", description="By country of asylum."
)
ASYLUM_SEEKERS = IndicatorInfo(
    "asylum-seekers",
    "Asylum seekers (pending cases)",
    "persons",
    description="By country of asylum.",
)


def parse_unhcr(
    path: Path,
    *,
    revision: str | None = None,
    encoding: str = "utf-8",
    progress: Progress = None,
    **_: Any,
) -> ParsedFile:
    """Columns year, orig, dest, refugees, asylum_seekers; countries as ISO alpha-3 codes."""
    problems = ProblemList()
    resolver = AreaResolver()
    header, labels, rows = _csv_with_header(path, encoding)
    required = ["year", "orig", "dest", "refugees", "asylum_seekers"]
    missing = [name for name in required if name not in labels]
    if missing:
        raise readers.reject(path, f"missing columns: {', '.join(missing)}", where="line 1")
    position = {name: labels.index(name) for name in required}
    codes: dict[str, str | None] = {}
    figures: list[Figure] = []
    where: dict[tuple, str] = {}
    for line, cells in _complete_rows(rows, len(header), problems, progress):
        year = _year(cells[position["year"]])
        if year is None:
            problems.add(f"line {line}", f"year {cells[position['year']]!r} is not a year")
            continue
        # UNHCR leaves the code empty where the origin or the country of asylum is unknown.
        origin_code = cells[position["orig"]].strip() or UNKNOWN
        destination_code = cells[position["dest"]].strip() or UNKNOWN
        if origin_code not in codes:
            codes[origin_code] = resolver.from_code(origin_code)
        if destination_code not in codes:
            codes[destination_code] = resolver.from_code(destination_code)
        origin, destination = codes[origin_code], codes[destination_code]
        if origin is None:
            problems.add(f"line {line}", f"unknown origin code {origin_code!r}")
        if destination is None:
            problems.add(f"line {line}", f"unknown country of asylum code {destination_code!r}")
        if origin is None or destination is None:
            continue
        for indicator, column in ((REFUGEES, "refugees"), (ASYLUM_SEEKERS, "asylum_seekers")):
            value, ok = parse_number(cells[position[column]])
            if not ok:
                problems.add(
                    f"line {line}", f"{column}: {cells[position[column]]!r} is not a number"
                )
                continue
            figure = _figure(indicator.code, destination, year, value, origin=origin)
            where[figure.key] = f"line {line}"
            figures.append(figure)
    check_duplicates(figures, where, problems)
    problems.raise_if_any(path.name)
    revision = revision or str(max((f.year for f in figures), default=""))
    return ParsedFile(
        DatasetInfo(
            key="unhcr-refugees-asylum-seekers",
            kind=ImportKind.UNHCR,
            publisher="UNHCR, the UN Refugee Agency",
            title="Refugees and asylum seekers by origin and country of asylum",
            revision=revision,
            source_url="https://www.unhcr.org/refugee-statistics/",
        ),
        [REFUGEES, ASYLUM_SEEKERS],
        figures,
        resolver.new_areas,
    )


# --- World Bank World Development Indicators -------------------------------------------------

WDI_INDICATORS = {
    "SI.RMT.COST.IB.ZS": IndicatorInfo(
        "remittance-cost-to",
        "Average cost of sending remittances to the country",
        "percent",
        sdg_indicator="10.c.1",
        publisher_code="SI.RMT.COST.IB.ZS",
    ),
    "SI.RMT.COST.OB.ZS": IndicatorInfo(
        "remittance-cost-from",
        "Average cost of sending remittances from the country",
        "percent",
        sdg_indicator="10.c.1",
        publisher_code="SI.RMT.COST.OB.ZS",
    ),
    "BX.TRF.PWKR.CD.DT": IndicatorInfo(
        "personal-remittances-received",
        "Personal remittances, received",
        "current US$",
        publisher_code="BX.TRF.PWKR.CD.DT",
    ),
}


def parse_wdi(
    path: Path, *, revision: str | None = None, progress: Progress = None, **_: Any
) -> ParsedFile:
    """The 'Data' sheet of a WDI download: one row per economy, one column per year."""
    workbook = readers.open_workbook(path)
    if "Data" not in workbook.sheet_names:
        raise readers.reject(path, f"no 'Data' sheet (the workbook has {workbook.sheet_names})")
    rows = readers.sheet_rows(workbook, "Data", path)
    problems = ProblemList()
    resolver = AreaResolver()
    header = next(
        (i for i, row in enumerate(rows[:20]) if "Country Code" in [str(c).strip() for c in row]),
        None,
    )
    if header is None:
        raise readers.reject(
            path, "no header row with 'Country Code' in the first 20 rows", where="Data"
        )
    labels = [str(cell).strip() for cell in rows[header]]
    for required in ("Country Name", "Indicator Code", "Indicator Name"):
        if required not in labels:
            raise readers.reject(path, f"no {required!r} column", where=f"Data row {header + 1}")
    code_column, indicator_column = labels.index("Country Code"), labels.index("Indicator Code")
    name_column, indicator_name = labels.index("Country Name"), labels.index("Indicator Name")
    years = [(column, _year(label)) for column, label in enumerate(labels) if _year(label)]
    updated = next(
        (row[1] for row in rows[:header] if str(row[0]).strip() == "Last Updated Date"), None
    )
    indicators: dict[str, IndicatorInfo] = {}
    figures: list[Figure] = []
    where: dict[tuple, str] = {}
    skipped: list[str] = []
    for index in range(header + 1, len(rows)):
        row = rows[index]
        if progress:
            progress(1)
        if not str(row[code_column]).strip():
            continue
        publisher_code = str(row[indicator_column]).strip()
        indicator = indicators.get(publisher_code) or WDI_INDICATORS.get(publisher_code)
        if indicator is None:
            indicator = IndicatorInfo(
                re.sub(r"[^a-z0-9]+", "-", publisher_code.casefold()).strip("-"),
                str(row[indicator_name]).strip(),
                "",
                publisher_code=publisher_code,
            )
        indicators[publisher_code] = indicator
        economy = str(row[code_column]).strip()
        area = resolver.from_code(economy)
        if area is None:
            skipped.append(f"{economy} ({row[name_column]})")
            continue
        for column, year in years:
            value, ok = parse_number(row[column])
            if not ok:
                problems.add(
                    f"Data {get_column_letter(column + 1)}{index + 1}",
                    f"{row[name_column]} {year}: {row[column]!r} is not a number",
                )
                continue
            figure = _figure(indicator.code, area, year, value)
            where[figure.key] = f"Data row {index + 1}"
            figures.append(figure)
    check_duplicates(figures, where, problems)
    problems.raise_if_any(path.name)
    if len(indicators) != 1:
        raise readers.reject(path, f"expected one indicator per sheet, found {sorted(indicators)}")
    ((publisher_code, indicator),) = indicators.items()
    revision = revision or (
        updated.isoformat() if hasattr(updated, "isoformat") else str(updated or "")
    )
    if not revision:
        raise readers.reject(path, "no 'Last Updated Date' in the sheet; pass --revision")
    notes = []
    if skipped:
        notes.append(
            f"{len(skipped)} economies and aggregates have no M49 code and were left out: "
            + ", ".join(skipped[:8])
            + (" ..." if len(skipped) > 8 else "")
        )
    return ParsedFile(
        DatasetInfo(
            key=f"wdi-{indicator.code}",
            kind=ImportKind.WDI,
            publisher="World Bank",
            title=f"World Development Indicators: {indicator.name}",
            revision=revision,
            licence="CC BY 4.0",
            source_url=f"https://data.worldbank.org/indicator/{publisher_code}",
        ),
        [indicator],
        figures,
        resolver.new_areas,
        notes=notes,
    )
