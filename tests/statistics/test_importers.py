"""Importing the publishers' files shipped in statistics/samples, checked against the figures
the files themselves print."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, Sum
from python_calamine import CalamineWorkbook

from migration_hub.core.choices import AuditAction
from migration_hub.core.models import AuditEvent
from migration_hub.core.services import load_countries
from migration_hub.statistics import services
from migration_hub.statistics.areas import WORLD, m49
from migration_hub.statistics.choices import AreaKind, Flag, Sex
from migration_hub.statistics.models import Area, Dataset, Indicator, Observation
from migration_hub.statistics.services import SAMPLES_DIR, ImportReport

from .conftest import (
    ORIGIN_DESTINATION,
    STOCK_2019,
    STOCK_2020,
    UNHCR,
    WDI_COST_FROM,
    WDI_COST_TO,
    WDI_REMITTANCES,
)

STOCK_KEY = "undesa-international-migrant-stock"
STOCK = "international-migrant-stock"
POPULATION = "total-population"
YEARS_2020 = [1990, 1995, 2000, 2005, 2010, 2015, 2020]

Importer = Callable[..., ImportReport]


def value(dataset: Dataset, indicator: str, area: str, year: int, **extra: object) -> float | None:
    return Observation.objects.get(
        dataset=dataset, indicator__code=indicator, area_id=area, year=year, **extra
    ).value


def table_rows(name: str, sheet: str) -> list[list[object]]:
    workbook = CalamineWorkbook.from_path(str(SAMPLES_DIR / name))
    return workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def csv_records(name: str) -> list[list[str]]:
    with (SAMPLES_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


# --- UN DESA International Migrant Stock 2020 ------------------------------------------------


def test_2020_workbook_world_figures_are_tied_to_revision_2020(stock_2020: ImportReport) -> None:
    dataset = stock_2020.dataset
    assert (dataset.key, dataset.revision) == (STOCK_KEY, "2020")
    assert Dataset.objects.get(pk=dataset.pk).file_name == STOCK_2020
    world_2020 = Observation.objects.get(
        indicator__code=STOCK, area_id=WORLD, year=2020, sex=Sex.TOTAL
    )
    assert world_2020.value == 280598105
    assert world_2020.flag == Flag.NONE
    assert world_2020.dataset_id == dataset.pk
    assert value(dataset, STOCK, WORLD, 1990, sex=Sex.TOTAL) == 152986157
    # 282 locations x 7 years x 3 sexes, for the migrant stock and the population tables.
    assert stock_2020.added == 282 * 7 * 3 * 2
    assert Observation.objects.filter(dataset=dataset).count() == stock_2020.added


def test_2020_world_males_plus_females_is_both_sexes(stock_2020: ImportReport) -> None:
    for year in YEARS_2020:
        figures = dict(
            Observation.objects.filter(
                dataset=stock_2020.dataset, indicator__code=STOCK, area_id=WORLD, year=year
            ).values_list("sex", "value")
        )
        assert set(figures) == {Sex.TOTAL, Sex.MALE, Sex.FEMALE}
        assert figures[Sex.MALE] + figures[Sex.FEMALE] == figures[Sex.TOTAL], year


def test_2020_country_rows_add_up_to_the_world(stock_2020: ImportReport) -> None:
    # In the workbook, every location code below 900 is a country or area row; the regions and
    # groups have codes of 900 and above.
    workbook_countries = {
        m49(row[3])
        for row in table_rows(STOCK_2020, "Table 1")[11:]
        if isinstance(row[3], float) and row[3] < 900
    }
    assert len(workbook_countries) == 235
    assert "830" in workbook_countries  # Channel Islands, listed as a country row
    country_level = Observation.objects.filter(
        Q(area__kind=AreaKind.COUNTRY) | Q(area_id="830"),
        dataset=stock_2020.dataset,
        indicator__code=STOCK,
        year=2020,
        sex=Sex.TOTAL,
    )
    assert set(country_level.values_list("area_id", flat=True)) == workbook_countries
    total = country_level.aggregate(total=Sum("value"))["total"]
    assert total == value(stock_2020.dataset, STOCK, WORLD, 2020, sex=Sex.TOTAL) == 280598105


def test_2020_regions_are_stored_under_their_m49_codes(stock_2020: ImportReport) -> None:
    dataset = stock_2020.dataset
    # The workbook codes Africa 903 and Eastern Africa 910.
    assert value(dataset, STOCK, "002", 2020, sex=Sex.TOTAL) == 25389464
    assert value(dataset, STOCK, "014", 2020, sex=Sex.TOTAL) == 7682801
    assert value(dataset, STOCK, "150", 2020, sex=Sex.TOTAL) == 86706068  # Europe, 908
    assert Area.objects.get(code="002").kind == AreaKind.REGION
    assert Area.objects.get(code="014").kind == AreaKind.INTERMEDIATE_REGION
    assert not Observation.objects.filter(
        dataset=dataset, area_id__in=["903", "910", "908"]
    ).exists()
    assert not Area.objects.filter(code__in=["903", "910", "908"]).exists()


def test_2020_population_table_is_imported_in_thousands(stock_2020: ImportReport) -> None:
    population = Indicator.objects.get(code=POPULATION)
    assert population.unit == "thousands of persons"
    dataset = stock_2020.dataset
    assert value(dataset, POPULATION, WORLD, 2020, sex=Sex.TOTAL) == pytest.approx(7794798.729)
    assert value(dataset, POPULATION, WORLD, 1990, sex=Sex.FEMALE) == pytest.approx(2646335.779)
    assert Observation.objects.filter(dataset=dataset, indicator=population).count() == 282 * 21


def test_2020_missing_cells_are_missing_not_zero(stock_2020: ImportReport) -> None:
    # China, Taiwan Province of China (158) is '..' throughout Table 1.
    taiwan = Observation.objects.filter(
        dataset=stock_2020.dataset, indicator__code=STOCK, area_id="158"
    )
    assert taiwan.count() == 21
    assert set(taiwan.values_list("value", "flag")) == {(None, Flag.MISSING)}


# --- UN DESA International Migrant Stock 2019 ------------------------------------------------


def test_2019_and_2020_revisions_live_side_by_side(import_sample: Importer) -> None:
    report_2019 = import_sample(STOCK_2019)
    assert report_2019.dataset.revision == "2019"
    assert value(report_2019.dataset, STOCK, WORLD, 2019, sex=Sex.TOTAL) == 271642105
    report_2020 = import_sample(STOCK_2020)

    assert list(
        Dataset.objects.filter(key=STOCK_KEY)
        .order_by("revision")
        .values_list("revision", flat=True)
    ) == ["2019", "2020"]
    world_1990 = dict(
        Observation.objects.filter(
            indicator__code=STOCK, area_id=WORLD, year=1990, sex=Sex.TOTAL
        ).values_list("dataset__revision", "value")
    )
    assert world_1990 == {"2019": 153011473, "2020": 152986157}
    # Importing 2020 did not touch the 2019 revision.
    assert Observation.objects.filter(dataset=report_2019.dataset).count() == report_2019.added
    assert report_2020.added == Observation.objects.filter(dataset=report_2020.dataset).count()


def test_2019_dotted_cells_are_stored_as_missing_never_zero(import_sample: Importer) -> None:
    rows = table_rows(STOCK_2019, "Table 1")
    south_sudan = next(row for row in rows if row[3] == 728.0)
    assert south_sudan[5] == ".."  # F: 1990, both sexes; South Sudan did not exist yet
    dataset = import_sample(STOCK_2019).dataset

    figure = Observation.objects.get(
        dataset=dataset, indicator__code=STOCK, area_id="728", year=1990, sex=Sex.TOTAL
    )
    assert (figure.value, figure.flag) == (None, Flag.MISSING)
    assert value(dataset, STOCK, "728", 2019, sex=Sex.TOTAL) == south_sudan[11]
    dotted = sum(
        1 for row in rows[16:] if isinstance(row[3], float) for cell in row[5:26] if cell == ".."
    )
    assert dotted > 0
    stored_missing = Observation.objects.filter(
        dataset=dataset, indicator__code=STOCK, flag=Flag.MISSING
    )
    assert stored_missing.count() == dotted
    assert not stored_missing.exclude(value__isnull=True).exists()
    assert not Observation.objects.filter(dataset=dataset, area_id="728", value=0).exists()


# --- Importing again -------------------------------------------------------------------------


def test_the_same_file_twice_changes_nothing(
    stock_2020: ImportReport, import_sample: Importer
) -> None:
    count = Observation.objects.count()
    again = import_sample(STOCK_2020)
    assert (again.added, again.changed, again.removed) == (0, 0, 0)
    assert again.unchanged == stock_2020.added
    assert again.dataset.pk == stock_2020.dataset.pk
    assert Observation.objects.count() == count
    assert Dataset.objects.count() == 1


def test_a_corrected_file_of_the_same_revision_changes_only_what_differs(
    stock_2020: ImportReport, tmp_path: Path
) -> None:
    corrected = tmp_path / STOCK_2020
    shutil.copy(SAMPLES_DIR / STOCK_2020, corrected)
    workbook = openpyxl.load_workbook(corrected)
    sheet = workbook["Table 1"]
    # Bonaire, Sint Eustatius and Saba: 2020 both sexes is published, males and females are '..',
    # so the total can change alone without breaking both sexes = males + females.
    assert (sheet["D214"].value, sheet["L214"].value, sheet["S214"].value) == (535, 26221, "..")
    sheet["L214"] = 26300
    # And one country row removed from the population table (21 figures).
    table_2 = workbook["Table 2"]
    assert table_2["D269"].value == 36  # Australia
    table_2.delete_rows(269)
    workbook.save(corrected)
    count = Observation.objects.count()

    report = services.import_file("undesa-stock", corrected)

    assert (report.added, report.changed, report.removed) == (0, 1, 21)
    assert report.unchanged == stock_2020.added - 1 - 21
    assert Dataset.objects.count() == 1
    dataset = Dataset.objects.get()
    assert value(dataset, STOCK, "535", 2020, sex=Sex.TOTAL) == 26300
    assert value(dataset, STOCK, "036", 2020, sex=Sex.TOTAL) == 7685860
    assert not Observation.objects.filter(indicator__code=POPULATION, area_id="036").exists()
    assert Observation.objects.count() == count - 21


def test_each_import_writes_a_load_audit_event(import_sample: Importer) -> None:
    reports = [import_sample(STOCK_2020), import_sample(STOCK_2019)]
    events = AuditEvent.objects.filter(
        action=AuditAction.LOAD, target_type=ContentType.objects.get_for_model(Dataset)
    ).order_by("id")
    assert [event.target_id for event in events] == [str(r.dataset.pk) for r in reports]
    assert [event.metadata["file"] for event in events] == [STOCK_2020, STOCK_2019]
    assert [event.metadata["added"] for event in events] == [r.added for r in reports]
    assert events[0].metadata["revision"] == "2020"


# --- UN DESA origin by destination -----------------------------------------------------------


def number(cell: str) -> float | None:
    """A cell of the origin by destination CSV: '..' (not available) and '-' (Montenegro
    before 2006) are missing."""
    return None if cell in ("..", "-") else float(cell)


def test_origin_destination_matrix(import_sample: Importer) -> None:
    records = csv_records(ORIGIN_DESTINATION)
    header, rows = records[0], records[1:]
    cells = [number(cell) for row in rows for cell in row[2:]]
    missing = cells.count(None)
    non_zero = sum(1 for cell in cells if cell is not None and cell != 0)
    assert missing and cells.count(0)

    report = import_sample(ORIGIN_DESTINATION)

    dataset = report.dataset
    assert dataset.absent_means_zero is True
    assert dataset.revision == "2019"
    assert any("absent" in note for note in report.notes)
    # Zero cells are not stored; every other cell is, the missing ones flagged as such.
    assert report.added == non_zero + missing
    stored = Observation.objects.filter(dataset=dataset)
    assert stored.count() == non_zero + missing
    assert not stored.filter(value=0).exists()
    assert stored.filter(value__isnull=True, flag=Flag.MISSING).count() == missing
    assert not stored.filter(origin__isnull=True).exists()
    # Every origin column was matched to an area (an unmatched one rejects the file).
    assert stored.values("origin").distinct().count() == len(header) - 2
    france, ivory_coast = header.index("France"), header.index("Côte d'Ivoire")
    germany_2019 = next(row for row in rows if row[:2] == ["2019", "Germany"])
    from_france = stored.get(area_id="276", origin_id="250", year=2019)
    assert from_france.value == float(germany_2019[france]) == 134829
    assert stored.get(area_id="276", origin_id="384", year=2019).value == float(
        germany_2019[ivory_coast]
    )
    south_sudan_1990 = next(row for row in rows if row[:2] == ["1990", "South Sudan"])
    chad = header.index("Chad")
    assert south_sudan_1990[chad] == ".."
    assert stored.get(area_id="728", origin_id="148", year=1990).flag == Flag.MISSING


# --- UNHCR -----------------------------------------------------------------------------------


def test_unhcr_refugees_and_asylum_seekers(import_sample: Importer) -> None:
    """One test for the whole file: it is the slowest sample to import."""
    rows = csv_records(UNHCR)[1:]
    report = import_sample(UNHCR)

    dataset = report.dataset
    assert dataset.revision == "2020"
    assert report.added == 2 * len(rows)

    def figures(year: int, origin: str, destination: str) -> dict[str, tuple]:
        return {
            code: (v, flag)
            for code, v, flag in Observation.objects.filter(
                dataset=dataset, year=year, origin_id=origin, area_id=destination
            ).values_list("indicator__code", "value", "flag")
        }

    syria_germany = next(row for row in rows if row[:3] == ["2020", "SYR", "DEU"])
    assert figures(2020, "760", "276") == {
        "refugees": (float(syria_germany[3]), Flag.NONE),
        "asylum-seekers": (float(syria_germany[4]), Flag.NONE),
    }
    # An empty origin code means the origin is unknown: stored under UNK.
    unknown = next(row for row in rows if row[1] == "" and row[2] == "ALB")
    assert figures(int(unknown[0]), "UNK", "008")["refugees"] == (float(unknown[3]), Flag.NONE)
    assert Area.objects.get(code="UNK").kind == AreaKind.OTHER
    assert Observation.objects.filter(dataset=dataset, origin_id="UNK").count() == 2 * sum(
        1 for row in rows if row[1] == ""
    )
    # 'NA' is a missing figure, not zero.
    not_available = next(row for row in rows if row[:3] == ["2020", "VEN", "GUY"])
    assert not_available[3:] == ["NA", "NA"]
    assert figures(2020, "862", "328") == {
        "refugees": (None, Flag.MISSING),
        "asylum-seekers": (None, Flag.MISSING),
    }
    assert Observation.objects.filter(dataset=dataset, flag=Flag.MISSING).count() == sum(
        row[3:].count("NA") for row in rows
    )


# --- World Bank WDI --------------------------------------------------------------------------

WDI_CASES = [
    (WDI_COST_TO, "remittance-cost-to", "10.c.1", "percent", "SI.RMT.COST.IB.ZS"),
    (WDI_COST_FROM, "remittance-cost-from", "10.c.1", "percent", "SI.RMT.COST.OB.ZS"),
    (WDI_REMITTANCES, "personal-remittances-received", "", "current US$", "BX.TRF.PWKR.CD.DT"),
]


@pytest.mark.parametrize(("name", "code", "sdg", "unit", "publisher_code"), WDI_CASES)
def test_wdi_sheet(
    stock_2020: ImportReport,
    import_sample: Importer,
    name: str,
    code: str,
    sdg: str,
    unit: str,
    publisher_code: str,
) -> None:
    rows = table_rows(name, "Data")
    header = rows[3]
    years = {column: int(label) for column, label in enumerate(header) if str(label).isdigit()}
    by_code = {row[1]: row for row in rows[4:]}

    report = import_sample(name)

    dataset = report.dataset
    assert dataset.revision == "2023-05-10"
    assert dataset.key == f"wdi-{code}"
    indicator = Indicator.objects.get(code=code)
    assert (indicator.sdg_indicator, indicator.unit, indicator.publisher_code) == (
        sdg,
        unit,
        publisher_code,
    )
    # World Bank aggregates have no M49 code: left out, and named in the notes.
    assert any("AFE (Africa Eastern and Southern)" in note for note in report.notes)
    assert not Area.objects.filter(name="Africa Eastern and Southern").exists()
    assert not Observation.objects.filter(dataset=dataset, area__name__icontains="income").exists()
    # WLD is the world, area 900, one figure per year of the sheet.
    world = dict(
        Observation.objects.filter(dataset=dataset, area_id=WORLD).values_list("year", "value")
    )
    expected = {
        year: (None if by_code["WLD"][column] == "" else by_code["WLD"][column])
        for column, year in years.items()
    }
    assert world == pytest.approx(expected)
    # A country, by its ISO alpha-3 code; blank cells are missing, not zero.
    mexico = {
        year: (v, flag)
        for year, v, flag in Observation.objects.filter(dataset=dataset, area_id="484").values_list(
            "year", "value", "flag"
        )
    }
    assert set(mexico) == set(years.values())
    for column, year in years.items():
        cell = by_code["MEX"][column]
        if cell == "":
            assert mexico[year] == (None, Flag.MISSING)
        else:
            assert mexico[year] == (pytest.approx(cell), Flag.NONE)


# --- Known bugs ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_wdi_can_be_the_first_file_imported() -> None:
    load_countries()
    report = services.import_file("wdi", SAMPLES_DIR / WDI_REMITTANCES)  # commits
    assert Area.objects.filter(code=WORLD).exists()
    assert Observation.objects.filter(dataset=report.dataset, area_id=WORLD).count() == 63


def test_regions_get_their_m49_codes_even_before_reference_data_is_loaded(db: None) -> None:
    report = services.import_file("undesa-stock", SAMPLES_DIR / STOCK_2020)
    assert value(report.dataset, STOCK, "002", 2020, sex=Sex.TOTAL) == 25389464
    assert not Observation.objects.filter(area_id="903").exists()


def test_wdi_channel_islands_is_an_economy_not_an_aggregate(
    stock_2020: ImportReport, import_sample: Importer
) -> None:
    assert Area.objects.filter(code="830").exists()
    report = import_sample(WDI_REMITTANCES)
    assert not any("CHI (Channel Islands)" in note for note in report.notes)
    assert Observation.objects.filter(dataset=report.dataset, area_id="830").exists()
