"""Cases a code review found: each would have let wrong figures in or shown data to the wrong
people. Every test here failed before its fix."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings

from migration_hub.accounts.choices import Role
from migration_hub.statistics import selectors, services
from migration_hub.statistics.errors import ImportRejected
from migration_hub.statistics.importers import parse_number
from migration_hub.statistics.models import Contribution, Dataset, Indicator, Observation

from .conftest import CHANGE, REGIONAL, submit
from .conftest import write as csv

pytestmark = pytest.mark.django_db


# --- who reviews -------------------------------------------------------------------------------


def test_a_reviewer_of_an_unrelated_organization_neither_sees_nor_approves(
    regional, organization, contributor, make_member, tmp_path
) -> None:
    from tests.factories import OrganizationFactory

    stranger_org = OrganizationFactory(code="NGO", name="Some NGO")
    stranger = make_member(Role.EDITOR, stranger_org, username="stranger")
    contribution = submit(regional, organization, contributor, csv(tmp_path, CHANGE))
    assert not selectors.contributions_for(stranger).filter(pk=contribution.pk).exists()
    with pytest.raises(PermissionDenied):
        services.review_contribution(contribution, actor=stranger, approve=True)
    assert Observation.objects.filter(dataset=regional, year=2021).count() == 0


def test_the_owners_reviewer_sees_and_approves(
    regional, organization, contributor, reviewer, tmp_path
) -> None:
    contribution = submit(regional, organization, contributor, csv(tmp_path, CHANGE))
    assert selectors.contributions_for(reviewer).filter(pk=contribution.pk).exists()
    services.review_contribution(contribution, actor=reviewer, approve=True)


def test_a_data_set_nobody_keeps_takes_no_contributions(
    countries, organization, contributor, tmp_path
) -> None:
    mapping = csv(
        tmp_path,
        "columns: {area: Country, year: Year, value: Value, sex: Sex}\nsex_values: {Both: total}\n",
        "m.yaml",
    )
    report = services.import_file(
        "indicator-csv",
        csv(tmp_path, REGIONAL),
        revision="2024",
        mapping=str(mapping),
        indicator="labour-migrants",
        dataset_key="unowned",
    )
    with pytest.raises(ImportRejected, match="no organization keeps it"):
        submit(report.dataset, organization, contributor, csv(tmp_path, CHANGE, "c.csv"))


def test_an_unknown_owner_is_refused(countries, tmp_path) -> None:
    with pytest.raises(ImportRejected, match="no organization has the code 'NOPE'"):
        services.import_file(
            "indicator-csv",
            csv(tmp_path, "area,year,value\nKEN,2020,1\n"),
            revision="1",
            mapping=str(
                csv(tmp_path, "columns: {area: area, year: year, value: value}\n", "m.yaml")
            ),
            indicator="x-count",
            dataset_key="x",
            owner="NOPE",
        )
    assert not Dataset.objects.exists()


# --- a regional data set never stands in for the publisher's figures ---------------------------


def test_a_regional_file_with_the_same_indicator_leaves_the_profiles_alone(
    stock_2020, tmp_path
) -> None:
    mapping = csv(tmp_path, "columns: {area: area, year: year, value: value}\n", "m.yaml")
    services.import_file(
        "indicator-csv",
        csv(tmp_path, "area,year,value\nKEN,2023,1100000\n"),
        revision="9",
        mapping=str(mapping),
        indicator="international-migrant-stock",
        dataset_key="eac-stock",
    )
    world = selectors.profile("900")
    assert world.stock_dataset.key == "undesa-international-migrant-stock"
    assert world.latest_stock["value"] == 280598105


def test_a_generic_file_cannot_re_unit_a_publishers_indicator(stock_2020, tmp_path) -> None:
    mapping = csv(tmp_path, "columns: {area: area, year: year, value: value}\n", "m.yaml")
    with pytest.raises(ImportRejected, match="already measured in 'persons'"):
        services.import_file(
            "indicator-csv",
            csv(tmp_path, "area,year,value\nKEN,2023,1100\n"),
            revision="1",
            mapping=str(mapping),
            indicator="international-migrant-stock",
            unit="thousands",
            dataset_key="eac-stock",
        )
    services.import_file(
        "indicator-csv",
        csv(tmp_path, "area,year,value\nKEN,2023,1100000\n", "b.csv"),
        revision="1",
        mapping=str(mapping),
        indicator="international-migrant-stock",
        dataset_key="eac-stock",
        title="EAC migrants",
    )
    stock = Indicator.objects.get(code="international-migrant-stock")
    assert (stock.unit, stock.name) == ("persons", "International migrant stock at mid-year")


def test_latest_revision_compares_numbers_not_strings() -> None:
    assert selectors.revision_order("9") < selectors.revision_order("2020")
    assert selectors.revision_order("2019") < selectors.revision_order("2020")
    assert selectors.revision_order("2020") < selectors.revision_order("2020-rev1")


# --- contributed figures survive a corrected file, and keep what they replaced -----------------


def test_reimporting_the_regional_file_keeps_contributed_figures(
    regional, organization, contributor, reviewer, tmp_path
) -> None:
    contribution = submit(regional, organization, contributor, csv(tmp_path, CHANGE))
    services.review_contribution(contribution, actor=reviewer, approve=True)
    mapping = csv(
        tmp_path,
        "columns: {area: Country, year: Year, value: Value, sex: Sex}\nsex_values: {Both: total}\n",
        "m.yaml",
    )
    report = services.import_file(
        "indicator-csv",
        csv(tmp_path, REGIONAL + "\nRwanda,2020,Both,5000\n", "eac.csv"),
        revision="2024",
        mapping=str(mapping),
        indicator="labour-migrants",
        dataset_key="eac-labour-migration",
    )
    assert report.removed == 0
    assert any("were kept" in note for note in report.notes)
    kenya_2021 = Observation.objects.get(dataset=regional, area="404", year=2021)
    assert kenya_2021.contribution == contribution
    # The file has its own Kenya 2020 figure: the file wins and says so.
    kenya_2020 = Observation.objects.get(dataset=regional, area="404", year=2020)
    assert (kenya_2020.value, kenya_2020.contribution) == (1050147, None)


def test_an_approved_contribution_still_shows_what_it_replaced(
    regional, organization, contributor, reviewer, tmp_path
) -> None:
    contribution = submit(regional, organization, contributor, csv(tmp_path, CHANGE))
    services.review_contribution(contribution, actor=reviewer, approve=True)
    contribution.refresh_from_db()
    diff = {
        (c.area, c.year): (c.before, c.after, c.change)
        for c in services.contribution_diff(contribution)
    }
    assert diff[("404", 2020)] == (1050147, 1100000, "changed")
    assert diff[("404", 2021)] == (None, 1150000, "added")
    assert diff[("800", 2020)][2] == "unchanged"


# --- numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["3,5", "6,80", "nan", "NaN", "inf", "-inf", "1e400"])
def test_numbers_that_would_be_misread_are_refused(text) -> None:
    assert parse_number(text) == (None, False)


@pytest.mark.parametrize(
    ("text", "value"), [("1,234,567", 1234567), ("1,234.5", 1234.5), ("12 345", 12345)]
)
def test_thousands_separators_are_read(text, value) -> None:
    assert parse_number(text) == (value, True)


def test_a_decimal_comma_is_a_row_level_problem(countries, tmp_path) -> None:
    mapping = csv(tmp_path, "columns: {area: area, year: year, value: value}\n", "m.yaml")
    with pytest.raises(ImportRejected) as rejected:
        services.import_file(
            "indicator-csv",
            csv(tmp_path, 'area,year,value\nFRA,2020,"6,80"\n'),
            revision="1",
            mapping=str(mapping),
            indicator="remittance-cost-share",
            dataset_key="costs",
        )
    assert "line 2: value: '6,80' is not a number" in rejected.value.lines()


def test_a_contribution_with_nan_is_refused_with_its_row(
    regional, organization, contributor, tmp_path
) -> None:
    with pytest.raises(ImportRejected) as rejected:
        submit(
            regional,
            organization,
            contributor,
            csv(tmp_path, "area,indicator,year,value\nKEN,labour-migrants,2020,NaN\n"),
        )
    assert "line 2" in "\n".join(rejected.value.lines())
    assert not Contribution.objects.exists()


def test_a_source_url_must_be_a_web_address(countries, tmp_path) -> None:
    mapping = csv(
        tmp_path,
        "dataset: {key: x, source_url: 'javascript:alert(1)'}\ncolumns: {area: area, year: year, value: value}\n",
        "m.yaml",
    )
    with pytest.raises(ImportRejected, match="must start with http"):
        services.import_file(
            "indicator-csv",
            csv(tmp_path, "area,year,value\nKEN,2020,1\n"),
            revision="1",
            mapping=str(mapping),
            indicator="x-count",
        )


# --- API and pages --------------------------------------------------------------------------------


@pytest.mark.parametrize("alias", ["001", "1", "WLD", "wld"])
def test_the_api_reads_the_worlds_aliases(api_client, stock_2020, alias) -> None:
    rows = api_client.get(
        "/api/statistics/observations/",
        {"indicator": "international-migrant-stock", "area": alias, "year": 2020, "sex": "total"},
    ).json()["results"]
    assert [row["value"] for row in rows] == [280598105]


def test_a_figure_has_no_url_of_its_own(api_client, stock_2020) -> None:
    assert api_client.get("/api/statistics/observations/1/").status_code == 404


def test_datasets_filter_by_an_indicator_they_hold_exactly(api_client, stock_2020) -> None:
    def keys(indicator: str) -> list[str]:
        rows = api_client.get("/api/statistics/datasets/", {"indicator": indicator}).json()[
            "results"
        ]
        return [row["key"] for row in rows]

    assert keys("total-population") == ["undesa-international-migrant-stock"]
    assert keys("stock") == []
    assert keys('"') == []


@pytest.mark.parametrize("code", ["%20404", "a" * 300, "40-4"])
def test_odd_codes_in_a_profile_url_are_not_found(client, stock_2020, code) -> None:
    assert client.get(f"/statistics/areas/{code}/").status_code == 404


def test_lower_case_special_codes_redirect(client, stock_2020) -> None:
    response = client.get("/statistics/areas/xxa/")
    assert response.status_code == 302
    assert response.url.endswith("/statistics/areas/XXA/")


@override_settings(MAX_UPLOAD_BYTES=1000)
def test_an_upload_over_the_limit_is_refused_before_it_is_read(client, contributor) -> None:
    client.force_login(contributor)
    response = client.post(
        "/statistics/contributions/new/",
        {"file": ("big.csv", b"x" * 5000)},
    )
    assert response.status_code == 413


def test_sdmx_unit_multiplier_is_applied(countries, tmp_path) -> None:
    path = csv(
        tmp_path,
        "DATAFLOW,SERIES,REF_AREA,TIME_PERIOD,OBS_VALUE,UNIT_MULT\n"
        "X:DF(1.0),SM_POP_MIGR,404,2020,1050.147,3\n",
    )
    services.import_file("indicator-csv", path, revision="1")
    assert Observation.objects.get(area="404").value == pytest.approx(1050147)


def test_sdmx_with_an_unread_dimension_says_so(countries, tmp_path) -> None:
    path = csv(
        tmp_path,
        "DATAFLOW,SERIES,REF_AREA,AGE,TIME_PERIOD,OBS_VALUE\n"
        "X:DF(1.0),SM_POP_MIGR,404,Y0T14,2020,10\n"
        "X:DF(1.0),SM_POP_MIGR,404,Y15T64,2020,20\n",
    )
    with pytest.raises(ImportRejected) as rejected:
        services.import_file("indicator-csv", path, revision="1")
    assert any(
        "dimensions this importer does not read (AGE)" in line for line in rejected.value.lines()
    )
