"""The generic importer: any long or wide CSV/XLSX with a column mapping, and SDMX-CSV.

A mapping is a small YAML file (or the same keys as command-line options):

    dataset: {key: eac-labour-migration, publisher: EAC Secretariat, title: Labour migrants}
    indicator: labour-migrants          # or columns.indicator for one indicator per row
    name: Labour migrants
    unit: persons
    layout: long                        # or wide: one column per year
    columns: {area: Country, year: Year, value: Value, sex: Sex, origin: Origin}
    sex_values: {Both: total, M: male, F: female}
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from . import readers
from .areas import AreaResolver
from .choices import Flag, ImportKind, Sex
from .errors import ProblemList
from .importers import (
    DatasetInfo,
    Figure,
    IndicatorInfo,
    ParsedFile,
    Progress,
    _figure,
    _year,
    check_duplicates,
    parse_number,
)
from .models import Indicator

SDMX_SEX = {"_T": Sex.TOTAL, "T": Sex.TOTAL, "M": Sex.MALE, "F": Sex.FEMALE}
SDMX_MISSING = {"M", "O", "L"}
SDMX_ESTIMATE = {"E"}
# Columns of SDMX-CSV that describe a figure without identifying it.
SDMX_ATTRIBUTES = {
    "STRUCTURE",
    "STRUCTURE_ID",
    "STRUCTURE_NAME",
    "ACTION",
    "DATAFLOW",
    "UNIT_MEASURE",
    "UNIT_MULT",
    "OBS_STATUS",
    "OBS_CONF",
    "COMMENT_OBS",
    "NATURE",
    "SOURCE_DETAIL",
    "TIME_FORMAT",
    "DECIMALS",
    "BASE_PER",
    "TITLE",
    "FREQ",
}
DEFAULT_SEX = {
    "total": Sex.TOTAL,
    "both sexes": Sex.TOTAL,
    "both": Sex.TOTAL,
    "t": Sex.TOTAL,
    "_t": Sex.TOTAL,
    "male": Sex.MALE,
    "males": Sex.MALE,
    "m": Sex.MALE,
    "female": Sex.FEMALE,
    "females": Sex.FEMALE,
    "f": Sex.FEMALE,
}
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def _table(
    path: Path, encoding: str, max_uncompressed: int = readers.MAX_UNCOMPRESSED_BYTES
) -> list[tuple[str, list[str]]]:
    """(where, cells) for every row of a CSV file or of the first sheet of a workbook."""
    if path.suffix.lower() in (".xlsx", ".xls"):
        workbook = readers.open_workbook(path, max_uncompressed)
        sheet = workbook.sheet_names[0]
        return [
            (f"{sheet} row {index + 1}", ["" if cell is None else str(cell) for cell in row])
            for index, row in enumerate(readers.sheet_rows(workbook, sheet, path))
        ]
    return [(f"line {line}", cells) for line, cells in readers.csv_rows(path, encoding)]


def _mapping(path: Path, mapping: str | None, options: dict[str, Any]) -> dict[str, Any]:
    config: dict[str, Any] = {}
    if mapping:
        mapping_path = Path(mapping)
        try:
            loaded = yaml.safe_load(mapping_path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as error:
            raise readers.reject(mapping_path, f"the mapping cannot be read ({error})") from None
        if not isinstance(loaded, dict):
            raise readers.reject(mapping_path, "the mapping must be a YAML mapping of keys")
        config = loaded
    dataset = dict(config.get("dataset") or {})
    for option, key in (
        ("dataset_key", "key"),
        ("publisher", "publisher"),
        ("title", "title"),
        ("owner", "owner"),
    ):
        if options.get(option):
            dataset[key] = options[option]
    config["dataset"] = dataset
    for key in ("indicator", "unit", "name"):
        if options.get(key):
            config[key] = options[key]
    return config


def parse_indicator_csv(
    path: Path,
    *,
    revision: str | None = None,
    encoding: str = "utf-8",
    mapping: str | None = None,
    progress: Progress = None,
    **options: Any,
) -> ParsedFile:
    rows = _table(path, encoding)
    if not rows:
        raise readers.reject(path, "the file is empty")
    header_where, header = rows[0]
    labels = [cell.strip() for cell in header]
    config = _mapping(path, mapping, options)
    if {"REF_AREA", "TIME_PERIOD", "OBS_VALUE"} <= set(labels):
        return _parse(path, rows, _sdmx_config(labels, config), revision, progress)
    if not config.get("columns"):
        raise readers.reject(
            path,
            "not SDMX-CSV (no REF_AREA, TIME_PERIOD, OBS_VALUE columns) and no --mapping "
            "naming the area, year and value columns",
            where=header_where,
        )
    return _parse(path, rows, config, revision, progress)


def _sdmx_config(labels: list[str], config: dict[str, Any]) -> dict[str, Any]:
    columns = {"area": "REF_AREA", "year": "TIME_PERIOD", "value": "OBS_VALUE"}
    for name, column in (
        ("sex", "SEX"),
        ("status", "OBS_STATUS"),
        ("unit", "UNIT_MEASURE"),
        ("unit_mult", "UNIT_MULT"),
    ):
        if column in labels:
            columns[name] = column
    indicator_column = next(
        (c for c in ("INDICATOR", "SERIES", "SERIES_CODE") if c in labels), None
    )
    if indicator_column and not config.get("indicator"):
        columns["indicator"] = indicator_column
    flow_column = next((c for c in ("DATAFLOW", "STRUCTURE_ID") if c in labels), None)
    sdmx = {**config, "columns": {**columns, **(config.get("columns") or {})}, "sdmx": True}
    sdmx["flow_column"] = flow_column
    sdmx["sex_values"] = {**SDMX_SEX, **(config.get("sex_values") or {})}
    return sdmx


def _column(labels: list[str], name: str | None, problems: ProblemList, where: str) -> int | None:
    if not name:
        return None
    if name not in labels:
        problems.add(where, f"no column {name!r}; the columns are {', '.join(labels)}")
        return None
    return labels.index(name)


def _parse(
    path: Path,
    rows: list[tuple[str, list[str]]],
    config: dict[str, Any],
    revision: str | None,
    progress: Progress,
) -> ParsedFile:
    problems = ProblemList()
    resolver = AreaResolver()
    header_where, header = rows[0]
    labels = [cell.strip() for cell in header]
    columns = config["columns"]
    wide = config.get("layout", "long") == "wide"
    position = {
        name: _column(labels, columns.get(name), problems, header_where)
        for name in ("area", "year", "value", "sex", "origin", "indicator", "status", "unit_mult")
    }
    flow = _column(labels, config.get("flow_column"), problems, header_where)
    year_columns = [(i, _year(label)) for i, label in enumerate(labels) if _year(label)]
    if position["area"] is None:
        problems.add(header_where, "the mapping must name the area column (columns.area)")
    if wide and not year_columns:
        problems.add(header_where, "layout is wide but no column header is a year")
    if not wide and (position["year"] is None or position["value"] is None):
        problems.add(header_where, "the mapping must name the year and value columns")
    fixed_indicator = config.get("indicator")
    if not fixed_indicator and position["indicator"] is None:
        problems.add(header_where, "say which indicator: --indicator CODE or columns.indicator")
    sex_values = {
        str(k).casefold(): v for k, v in (config.get("sex_values") or DEFAULT_SEX).items()
    }
    problems.raise_if_any(path.name)

    figures: list[Figure] = []
    where_of: dict[tuple, str] = {}
    flows: set[str] = set()
    indicators: set[str] = set()
    for where, cells in rows[1:]:
        if progress:
            progress(1)
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) < len(labels):
            problems.add(where, f"{len(cells)} cells where the header has {len(labels)}")
            continue
        raw_area = cells[position["area"]].strip()
        area = resolver.from_code(raw_area) or resolver.from_name(raw_area)
        if area is None:
            problems.add(where, resolver.unknown_name_message(raw_area))
            continue
        origin = None
        if position["origin"] is not None:
            raw_origin = cells[position["origin"]].strip()
            origin = resolver.from_code(raw_origin) or resolver.from_name(raw_origin)
            if origin is None:
                problems.add(where, "origin: " + resolver.unknown_name_message(raw_origin))
                continue
        sex = Sex.TOTAL
        if position["sex"] is not None:
            raw_sex = cells[position["sex"]].strip()
            sex = sex_values.get(raw_sex.casefold())
            if sex is None:
                problems.add(where, f"sex {raw_sex!r} is not one of {', '.join(sex_values)}")
                continue
        indicator = fixed_indicator or cells[position["indicator"]].strip()
        slug = re.sub(r"[^a-z0-9]+", "-", indicator.casefold()).strip("-")
        if not SLUG.match(slug):
            problems.add(where, f"indicator {indicator!r} is not a usable code")
            continue
        indicators.add(slug)
        if flow is not None:
            flows.add(cells[flow].strip())
        flag = Flag.NONE
        if position["status"] is not None:
            status = cells[position["status"]].strip().upper()
            flag = Flag.ESTIMATE if status in SDMX_ESTIMATE else flag
            flag = Flag.MISSING if status in SDMX_MISSING else flag
        cells_to_read = (
            year_columns if wide else [(position["value"], _year(cells[position["year"]]))]
        )
        for column, year in cells_to_read:
            if year is None:
                problems.add(where, f"year {cells[position['year']]!r} is not a year")
                continue
            value, ok = parse_number(cells[column])
            if ok and value is not None and position["unit_mult"] is not None:
                # SDMX: the value is in units of 10^UNIT_MULT (3 = thousands).
                multiplier = cells[position["unit_mult"]].strip() or "0"
                if not multiplier.lstrip("-").isdigit():
                    problems.add(where, f"UNIT_MULT {multiplier!r} is not a whole number")
                    continue
                value *= 10 ** int(multiplier)
            if not ok:
                problems.add(where, f"{labels[column]}: {cells[column]!r} is not a number")
                continue
            figure = _figure(
                slug,
                area,
                year,
                None if flag == Flag.MISSING else value,
                sex=sex,
                origin=origin,
                flag=flag,
            )
            where_of[figure.key] = where
            figures.append(figure)
    before = len(problems)
    check_duplicates(figures, where_of, problems)
    if len(problems) > before and config.get("sdmx"):
        read = {column for column in columns.values() if column} | {config.get("flow_column")}
        unread = [label for label in labels if label not in read and label not in SDMX_ATTRIBUTES]
        if unread:
            problems.add(
                header_where,
                f"rows repeat because the file has dimensions this importer does not read "
                f"({', '.join(unread)}): keep one value of each, or split the file",
            )
    dataset = config.get("dataset") or {}
    key = dataset.get("key") or (flows.pop() if len(flows) == 1 else "")
    key = re.sub(r"[^a-z0-9]+", "-", str(key).casefold()).strip("-")
    if not key:
        problems.add("", "name the data set: --dataset-key KEY or dataset.key in the mapping")
    revision = revision or str(dataset.get("revision") or "")
    if not revision:
        problems.add("", "say which revision this file is: --revision R")
    problems.raise_if_any(path.name)
    existing = {i.code: i for i in Indicator.objects.filter(code__in=indicators)}
    for code, indicator in existing.items():
        if config.get("unit") and config["unit"] != indicator.unit:
            problems.add(
                "",
                f"indicator {code} is already measured in {indicator.unit!r}, not "
                f"{config['unit']!r}: use another indicator code for these figures",
            )
    source_url = str(dataset.get("source_url") or "")
    if source_url and not re.match(r"^https?://", source_url):
        problems.add("", f"the source URL must start with http:// or https://, not {source_url!r}")
    problems.raise_if_any(path.name)
    infos = [
        IndicatorInfo(
            code,
            config.get("name") or getattr(existing.get(code), "name", code),
            config.get("unit") or getattr(existing.get(code), "unit", ""),
            sdg_indicator=getattr(existing.get(code), "sdg_indicator", ""),
        )
        for code in sorted(indicators)
    ]
    return ParsedFile(
        DatasetInfo(
            key=key,
            kind=ImportKind.INDICATOR_CSV,
            publisher=str(dataset.get("publisher") or "Unknown publisher"),
            title=str(dataset.get("title") or key),
            revision=revision,
            licence=str(dataset.get("licence") or ""),
            source_url=source_url,
            owner=str(dataset.get("owner") or ""),
        ),
        infos,
        figures,
        resolver.new_areas,
    )
