"""The statistics API as a data user calls it: open data, filters, revisions side by side."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from migration_hub.statistics.models import Dataset

from .conftest import STOCK_2019

pytestmark = pytest.mark.django_db

OBSERVATIONS = "/api/statistics/observations/"


@pytest.fixture
def both_revisions(stock_2020, import_sample):
    return stock_2020, import_sample(STOCK_2019)


def figures(client: APIClient, **query: object) -> list[dict]:
    response = client.get(OBSERVATIONS, query)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_world_stock_2020_as_the_publisher_printed_it(api_client, both_revisions) -> None:
    """Anonymous users read it: statistics are open data."""
    rows = figures(
        api_client, indicator="international-migrant-stock", area="900", year=2020, sex="total"
    )
    assert [(r["value"], r["revision"], r["flag"]) for r in rows] == [(280598105, "2020", "")]


def test_2019_revision_under_its_own_revision(api_client, both_revisions) -> None:
    rows = figures(
        api_client,
        indicator="international-migrant-stock",
        area="900",
        year=2019,
        sex="total",
        revision="2019",
    )
    assert [r["value"] for r in rows] == [271642105]


def test_two_revisions_of_the_same_year_live_side_by_side(api_client, both_revisions) -> None:
    rows = figures(
        api_client, indicator="international-migrant-stock", area="900", year=1990, sex="total"
    )
    assert {r["revision"]: r["value"] for r in rows} == {"2019": 153011473, "2020": 152986157}


def test_area_accepts_alpha3_and_unpadded_m49(api_client, stock_2020) -> None:
    by_alpha3 = figures(api_client, indicator="international-migrant-stock", area="AFG", year=2020)
    by_code = figures(api_client, indicator="international-migrant-stock", area="4", year=2020)
    assert by_alpha3 == by_code
    assert {r["sex"] for r in by_code} == {"total", "male", "female"}
    assert {r["area"] for r in by_code} == {"004"}


def test_sex_filter_and_male_plus_female(api_client, stock_2020) -> None:
    rows = {
        sex: figures(
            api_client, indicator="international-migrant-stock", area="900", year=2020, sex=sex
        )[0]["value"]
        for sex in ("total", "male", "female")
    }
    assert rows["male"] + rows["female"] == rows["total"]


@pytest.mark.parametrize(
    ("query", "field"),
    [({"year": "twenty"}, "year"), ({"sex": "both"}, "sex"), ({"year_from": "x"}, "year_from")],
)
def test_bad_filters_say_what_is_wrong(api_client, stock_2020, query, field) -> None:
    response = api_client.get(OBSERVATIONS, query)
    assert response.status_code == 400
    assert field in response.json()


def test_datasets_list_revision_licence_and_source(api_client, both_revisions) -> None:
    rows = api_client.get(
        "/api/statistics/datasets/", {"key": "undesa-international-migrant-stock"}
    ).json()["results"]
    assert sorted(r["revision"] for r in rows) == ["2019", "2020"]
    assert {r["licence"] for r in rows} == {"CC BY 3.0 IGO"}
    assert all(len(r["file_sha256"]) == 64 for r in rows)


def test_indicator_by_code(api_client, stock_2020) -> None:
    response = api_client.get("/api/statistics/indicators/international-migrant-stock/")
    assert response.status_code == 200
    assert response.json()["unit"] == "persons"


def test_region_check_world_equals_sum_of_countries(api_client, stock_2020) -> None:
    dataset = Dataset.objects.get(revision="2020")
    response = api_client.get(
        f"/api/statistics/datasets/{dataset.pk}/region-check/",
        {"indicator": "international-migrant-stock", "year": 2020},
    )
    assert response.status_code == 200
    rows = {(r["region"], r["sex"]): r for r in response.json()}
    world = rows[("900", "total")]
    assert world["published"] == 280598105
    assert world["computed"] == 280598105
    assert world["difference"] == 0
    africa = rows[("002", "total")]
    assert africa["difference"] == 0
    assert africa["countries"] >= 55


def test_region_check_reports_the_publishers_own_differences(api_client, stock_2020) -> None:
    """UN DESA's Caribbean total for males and females includes figures its country rows lack:
    the check shows it instead of hiding it."""
    dataset = Dataset.objects.get(revision="2020")
    response = api_client.get(
        f"/api/statistics/datasets/{dataset.pk}/region-check/",
        {"indicator": "international-migrant-stock", "year": 2020, "differences": "true"},
    )
    rows = response.json()
    assert rows
    assert all(r["difference"] != 0 for r in rows)
    assert "029" in {r["region"] for r in rows}


def test_region_check_needs_an_indicator_the_dataset_holds(api_client, stock_2020) -> None:
    dataset = Dataset.objects.get(revision="2020")
    url = f"/api/statistics/datasets/{dataset.pk}/region-check/"
    assert api_client.get(url).status_code == 400
    response = api_client.get(url, {"indicator": "refugees"})
    assert response.status_code == 400
    assert "international-migrant-stock" in str(response.json())


def test_observation_list_has_a_query_budget(
    api_client, stock_2020, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(3):
        response = api_client.get(
            OBSERVATIONS, {"indicator": "international-migrant-stock", "limit": 500}
        )
    assert len(response.json()["results"]) == 500


def test_observations_cannot_be_written(api_client, stock_2020, editor) -> None:
    api_client.force_authenticate(editor)
    response = api_client.post(OBSERVATIONS, {"value": 1}, format="json")
    assert response.status_code in (403, 405)
