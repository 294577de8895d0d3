"""Files an importer must refuse: each gives a row-level message saying what to fix, and
nothing is written. The bad files are made in tmp_path from the publishers' real samples."""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from openpyxl.workbook import Workbook

from migration_hub.core.choices import AuditAction
from migration_hub.core.models import AuditEvent
from migration_hub.statistics import services
from migration_hub.statistics.areas import WORLD
from migration_hub.statistics.choices import Flag, Sex
from migration_hub.statistics.errors import ImportRejected
from migration_hub.statistics.models import Dataset, Observation
from migration_hub.statistics.services import SAMPLES_DIR, ImportReport

from .conftest import ORIGIN_DESTINATION, STOCK_2020, UNHCR

STOCK = "international-migrant-stock"
EditWorkbook = Callable[..., Path]


@pytest.fixture
def edited_2020(tmp_path: Path) -> EditWorkbook:
    """A copy of the 2020 workbook, changed with openpyxl and saved in tmp_path."""

    def edit(change: Callable[[Workbook], None], name: str = "edited_2020.xlsx") -> Path:
        workbook = openpyxl.load_workbook(SAMPLES_DIR / STOCK_2020)
        change(workbook)
        path = tmp_path / name
        workbook.save(path)
        return path

    return edit


def sample_lines(name: str, count: int | None = None) -> list[str]:
    lines = (SAMPLES_DIR / name).read_text(encoding="utf-8").splitlines(keepends=True)
    return lines[:count] if count else lines


def cells(line: str) -> list[str]:
    return next(csv.reader([line]))


def rejected(kind: str, path: Path, **options: object) -> ImportRejected:
    with pytest.raises(ImportRejected) as caught:
        services.import_file(kind, path, **options)
    error = caught.value
    assert error.problems, "a rejection says what to fix"
    assert error.summary().endswith("nothing was imported")
    assert error.summary().startswith(path.name)
    return error


def load_events() -> int:
    return AuditEvent.objects.filter(
        action=AuditAction.LOAD, target_type=ContentType.objects.get_for_model(Dataset)
    ).count()


def assert_nothing_imported() -> None:
    assert Dataset.objects.count() == 0
    assert Observation.objects.count() == 0
    assert load_events() == 0


def world_2020(dataset: Dataset | None = None) -> float | None:
    figures = Observation.objects.filter(
        indicator__code=STOCK, area_id=WORLD, year=2020, sex=Sex.TOTAL
    )
    if dataset is not None:
        figures = figures.filter(dataset=dataset)
    return figures.get().value


# --- Workbook layout -------------------------------------------------------------------------


def test_year_header_shifted_one_column_right_is_rejected(
    countries: dict, edited_2020: EditWorkbook
) -> None:
    def shift_years(workbook: Workbook) -> None:
        sheet = workbook["Table 1"]
        years = [sheet.cell(11, column).value for column in range(6, 27)]
        assert years[:2] == [1990, 1995]
        sheet.cell(11, 6).value = None
        for offset, year in enumerate(years):
            sheet.cell(11, 7 + offset).value = year

    error = rejected("undesa-stock", edited_2020(shift_years))

    messages = [str(problem) for problem in error.problems]
    assert any(
        problem.where.startswith("Table 1")
        and (
            "not males + females" in problem.message
            or "do not cover the same years" in problem.message
        )
        for problem in error.problems
    ), messages
    assert_nothing_imported()


def test_header_moved_down_and_an_extra_sheet_still_import(
    countries: dict, edited_2020: EditWorkbook
) -> None:
    def move_down(workbook: Workbook) -> None:
        for name in ("Table 1", "Table 2"):
            sheet = workbook[name]
            for merged in list(sheet.merged_cells.ranges):
                sheet.unmerge_cells(str(merged))
            sheet.insert_rows(1, amount=6)
            assert sheet["D18"].value == 900  # WORLD, six rows lower
        notes = workbook.create_sheet("My notes", 0)
        notes["A1"] = "Downloaded from the UN DESA site; figures checked by the regional office."
        notes["A3"], notes["B3"] = "Code", "Comment"
        notes["A4"], notes["B4"] = 900, 1234

    report = services.import_file("undesa-stock", edited_2020(move_down))

    assert report.dataset.revision == "2020"
    assert report.added == 11844
    assert world_2020() == 280598105
    assert Observation.objects.get(
        indicator__code="total-population", area_id="250", year=2020, sex=Sex.TOTAL
    ).value == pytest.approx(65273.512)


@pytest.mark.parametrize(
    ("cell", "text", "label"),
    [
        ("H20", "about 120 million", "Europe and Northern America 2000 total"),
        ("L200", "8 524 876 (est.)", "France 2020 total"),
    ],
)
def test_text_in_a_numeric_cell_names_the_sheet_cell_and_text(
    countries: dict, edited_2020: EditWorkbook, cell: str, text: str, label: str
) -> None:
    def write_text(workbook: Workbook) -> None:
        workbook["Table 1"][cell] = text

    error = rejected("undesa-stock", edited_2020(write_text))

    assert [(p.where, p.message) for p in error.problems] == [
        (f"Table 1 {cell}", f"{label}: {text!r} is not a number")
    ]
    assert error.lines() == [f"Table 1 {cell}: {label}: {text!r} is not a number"]
    assert_nothing_imported()


def test_blank_and_dotted_cells_are_stored_missing_not_zero(
    countries: dict, edited_2020: EditWorkbook
) -> None:
    def blank_cells(workbook: Workbook) -> None:
        sheet = workbook["Table 1"]
        assert sheet["B35"].value.strip() == "Burundi"
        sheet["F35"] = None  # 1990, both sexes
        sheet["G35"] = "   "  # 1995, both sexes
        sheet["N35"] = ".."  # 1995, males

    dataset = services.import_file("undesa-stock", edited_2020(blank_cells)).dataset

    burundi = {
        (year, sex): (value, flag)
        for year, sex, value, flag in Observation.objects.filter(
            dataset=dataset, indicator__code=STOCK, area_id="108", year__in=[1990, 1995]
        ).values_list("year", "sex", "value", "flag")
    }
    assert burundi[(1990, Sex.TOTAL)] == (None, Flag.MISSING)
    assert burundi[(1995, Sex.TOTAL)] == (None, Flag.MISSING)
    assert burundi[(1995, Sex.MALE)] == (None, Flag.MISSING)
    assert burundi[(1990, Sex.MALE)][1] == Flag.NONE
    assert burundi[(1990, Sex.MALE)][0] > 0
    assert not Observation.objects.filter(dataset=dataset, area_id="108", value=0).exists()


def test_workbook_without_a_world_row_is_rejected(
    countries: dict, edited_2020: EditWorkbook
) -> None:
    def drop_world(workbook: Workbook) -> None:
        for name in ("Table 1", "Table 2"):
            sheet = workbook[name]
            assert sheet["B12"].value == "WORLD"
            sheet.delete_rows(12)

    error = rejected("undesa-stock", edited_2020(drop_world))

    assert any("no WORLD row" in p.message and "900" in p.message for p in error.problems)
    assert_nothing_imported()


def without_revision(workbook: Workbook) -> None:
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(max_row=20):
            for cell in row:
                if isinstance(cell.value, str) and "Rev.2020" in cell.value:
                    cell.value = cell.value.replace("/Rev.2020", "")


def test_workbook_that_does_not_name_its_revision_asks_for_revision(
    countries: dict, edited_2020: EditWorkbook
) -> None:
    path = edited_2020(without_revision)

    error = rejected("undesa-stock", path)

    assert any("pass --revision" in p.message for p in error.problems), error.lines()
    assert_nothing_imported()

    report = services.import_file("undesa-stock", path, revision="2020-test")
    assert report.dataset.revision == "2020-test"
    assert world_2020(report.dataset) == 280598105


# --- Files that are not what they claim ------------------------------------------------------


def zip_bomb(path: Path, members: dict[str, int]) -> Path:
    """An .xlsx-named ZIP whose members are `size` bytes of zeros each, written in chunks."""
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        for name, size in members.items():
            with archive.open(name, "w", force_zip64=True) as member:
                for _ in range(size // len(chunk)):
                    member.write(chunk)
    return path


def test_a_zip_bomb_is_refused(countries: dict, tmp_path: Path) -> None:
    bomb = zip_bomb(tmp_path / "bomb.xlsx", {"xl/worksheets/sheet1.xml": 300 << 20})
    assert bomb.stat().st_size < 5 << 20

    error = rejected("undesa-stock", bomb)

    assert "ZIP bomb" in error.problems[0].message
    assert "xl/worksheets/sheet1.xml" in error.problems[0].message
    assert_nothing_imported()


def test_a_workbook_expanding_past_the_limit_is_refused(countries: dict, tmp_path: Path) -> None:
    # Each member is small enough on its own; together they expand to 210 MB.
    members = {f"xl/media/image{number}.bin": 10 << 20 for number in range(21)}
    bomb = zip_bomb(tmp_path / "big.xlsx", members)

    error = rejected("wdi", bomb)

    assert re.fullmatch(
        r"refused: the workbook expands to 220,2\d\d,\d{3} bytes, more than the 209,715,200 allowed",
        error.problems[0].message,
    )
    assert_nothing_imported()


def plain_text(path: Path) -> None:
    path.write_text("Year,Dest,France\n2019,Germany,134829\n", encoding="utf-8")


def png(path: Path) -> None:
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))


def zip_without_content_types(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")


def truncated_workbook(path: Path) -> None:
    path.write_bytes((SAMPLES_DIR / STOCK_2020).read_bytes()[:100_000])


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (plain_text, "this is not an Excel workbook (.xlsx or .xls)"),
        (png, "this is not an Excel workbook (.xlsx or .xls)"),
        (zip_without_content_types, "not an Excel workbook (no [Content_Types].xml)"),
        (truncated_workbook, "the workbook is damaged"),
    ],
)
def test_a_file_that_is_not_a_workbook_says_so(
    countries: dict, tmp_path: Path, make: Callable[[Path], None], expected: str
) -> None:
    path = tmp_path / "statistics.xlsx"
    make(path)

    error = rejected("undesa-stock", path)

    assert len(error.problems) == 1
    assert expected in error.problems[0].message
    assert_nothing_imported()


def test_a_binary_file_given_as_csv_says_so(countries: dict, tmp_path: Path) -> None:
    path = tmp_path / "unhcr.csv"
    png(path)

    error = rejected("unhcr", path)

    assert error.problems[0].message == "this is a binary file, not CSV text"
    assert_nothing_imported()


# --- CSV files -------------------------------------------------------------------------------


def test_unknown_origin_name_suggests_the_closest_area(countries: dict, tmp_path: Path) -> None:
    lines = sample_lines(ORIGIN_DESTINATION, 20)
    column = cells(lines[0]).index("France") + 1
    path = tmp_path / "od.csv"
    path.write_text("".join([lines[0].replace(",France,", ",Frnace,"), *lines[1:]]), "utf-8")

    error = rejected("undesa-origin-destination", path)

    assert len(error.problems) == 1
    problem = error.problems[0]
    assert problem.where == f"line 1, column {column}"
    assert "'Frnace'" in problem.message
    assert "did you mean France (250)" in problem.message
    assert_nothing_imported()


def test_duplicate_unhcr_rows_are_rejected(countries: dict, tmp_path: Path) -> None:
    lines = sample_lines(UNHCR, 40)
    assert lines[10].startswith("2004,AFG,AFG")
    path = tmp_path / "unhcr.csv"
    path.write_text("".join([*lines, lines[10]]), encoding="utf-8")

    error = rejected("unhcr", path)

    assert len(error.problems) == 2  # refugees and asylum seekers
    for problem in error.problems:
        assert problem.where in ("line 11", "line 41")
        assert "2004" in problem.message
        assert "appears 2 times" in problem.message
    assert_nothing_imported()


def test_unhcr_unknown_code_and_missing_column(countries: dict, tmp_path: Path) -> None:
    lines = sample_lines(UNHCR, 5)
    path = tmp_path / "unhcr.csv"
    path.write_text("".join([*lines, "2020,XYZ,DEU,12,3\n"]), encoding="utf-8")
    error = rejected("unhcr", path)
    assert [str(p) for p in error.problems] == ["line 6: unknown origin code 'XYZ'"]

    path.write_text("year,origin,dest,refugees,asylum_seekers\n2020,SYR,DEU,1,2\n", "utf-8")
    error = rejected("unhcr", path)
    assert [str(p) for p in error.problems] == ["line 1: missing columns: orig"]
    assert_nothing_imported()


def od_rows_for(destinations: tuple[str, ...]) -> list[str]:
    lines = sample_lines(ORIGIN_DESTINATION)
    return [lines[0]] + [line for line in lines[1:] if line.split(",")[1] in destinations]


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_csv_in_another_encoding_names_the_line_and_is_read_with_encoding(
    countries: dict, tmp_path: Path, encoding: str
) -> None:
    lines = od_rows_for(("Germany",))
    header = cells(lines[0])
    assert "Côte d'Ivoire" in header
    path = tmp_path / "od_latin1.csv"
    path.write_bytes("".join(lines).encode(encoding))

    error = rejected("undesa-origin-destination", path)

    assert len(error.problems) == 1
    problem = error.problems[0]
    assert problem.where == "line 1"
    assert "not valid utf-8" in problem.message
    assert "--encoding" in problem.message
    assert_nothing_imported()

    report = services.import_file("undesa-origin-destination", path, encoding=encoding)

    germany_2019 = next(line for line in lines if line.startswith("2019,Germany,"))
    expected = float(cells(germany_2019)[header.index("Côte d'Ivoire")])
    assert expected > 0
    assert (
        Observation.objects.get(
            dataset=report.dataset, area_id="276", origin_id="384", year=2019
        ).value
        == expected
    )


def test_wrong_encoding_on_a_later_line_names_that_line(countries: dict, tmp_path: Path) -> None:
    path = tmp_path / "od.csv"
    path.write_bytes(
        "Year,Dest,France,Germany\n2019,Germany,134829,0\n2019,Côte d'Ivoire,12,3\n".encode(
            "latin-1"
        )
    )

    error = rejected("undesa-origin-destination", path)

    assert [p.where for p in error.problems] == ["line 3"]
    assert "byte 0xf4" in error.problems[0].message
    assert_nothing_imported()


# --- Earlier imports are left alone ----------------------------------------------------------


def test_a_rejected_file_leaves_earlier_imports_untouched(
    stock_2020: ImportReport, edited_2020: EditWorkbook, tmp_path: Path
) -> None:
    dataset = Dataset.objects.get()
    before = (
        Observation.objects.count(),
        dataset.file_sha256,
        dataset.imported_at,
        load_events(),
    )

    # The same revision, corrected badly: one good change, one text cell.
    def bad_correction(workbook: Workbook) -> None:
        workbook["Table 1"]["L214"] = 26300  # Bonaire 2020, would be a change
        workbook["Table 1"]["L200"] = "8 524 876 (est.)"

    rejected("undesa-stock", edited_2020(bad_correction))
    bomb = zip_bomb(tmp_path / "bomb.xlsx", {"xl/worksheets/sheet1.xml": 20 << 20})
    rejected("undesa-stock", bomb)
    od = tmp_path / "od.csv"
    od.write_text(
        "".join(sample_lines(ORIGIN_DESTINATION, 5)).replace(",France,", ",Frnace,"), "utf-8"
    )
    rejected("undesa-origin-destination", od)

    dataset.refresh_from_db()
    after = (Observation.objects.count(), dataset.file_sha256, dataset.imported_at, load_events())
    assert after == before
    assert Dataset.objects.count() == 1
    assert world_2020() == 280598105
    assert (
        Observation.objects.get(
            indicator__code=STOCK, area_id="535", year=2020, sex=Sex.TOTAL
        ).value
        == 26221
    )
    assert (
        Observation.objects.get(
            indicator__code=STOCK, area_id="250", year=2020, sex=Sex.TOTAL
        ).value
        == 8524876
    )


# --- Known bugs ------------------------------------------------------------------------------


def test_header_block_shifted_right_is_rejected(countries: dict, edited_2020: EditWorkbook) -> None:
    def shift_header_block(workbook: Workbook) -> None:
        sheet = workbook["Table 1"]
        for merged in list(sheet.merged_cells.ranges):
            sheet.unmerge_cells(str(merged))
        for row in (8, 11):  # the sex labels and the years
            labels = [sheet.cell(row, column).value for column in range(6, 27)]
            sheet.cell(row, 6).value = None
            for offset, label in enumerate(labels):
                sheet.cell(row, 7 + offset).value = label

    path = edited_2020(shift_header_block)
    try:
        services.import_file("undesa-stock", path)
    except ImportRejected:
        assert_nothing_imported()
        return
    pytest.fail(f"accepted: the WORLD's 2020 total was stored as {world_2020():,.0f}")


def damaged_sheet(path: Path) -> None:
    """The 2020 workbook with Table 1's sheet XML cut in half: the ZIP itself is sound."""
    with (
        zipfile.ZipFile(SAMPLES_DIR / STOCK_2020) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = data[: len(data) // 2]
            target.writestr(info, data)


def understated_size(path: Path) -> None:
    """A workbook whose sheet declares a smaller uncompressed size than it has, the way a ZIP
    bomb slips past a check of the declared sizes."""
    workbook = openpyxl.Workbook()
    workbook.active.title = "Data"
    for row in range(1, 2001):
        workbook.active.cell(row, 1).value = row
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = bytearray(buffer.getvalue())
    sheet = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    struct.pack_into("<I", data, sheet.header_offset + 22, 1000)  # local header
    name = sheet.filename.encode()
    entry = data.find(b"PK\x01\x02")
    while bytes(data[entry + 46 : entry + 46 + len(name)]) != name:
        entry = data.find(b"PK\x01\x02", entry + 4)
    struct.pack_into("<I", data, entry + 24, 1000)  # central directory
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("kind", "make"), [("undesa-stock", damaged_sheet), ("wdi", understated_size)]
)
def test_a_workbook_with_a_damaged_sheet_is_rejected_with_a_message(
    countries: dict, tmp_path: Path, kind: str, make: Callable[[Path], None]
) -> None:
    path = tmp_path / "damaged.xlsx"
    make(path)

    error = rejected(kind, path)

    assert "workbook" in error.problems[0].message
    assert_nothing_imported()
