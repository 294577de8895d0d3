"""The questions users ask of the registry, through the selectors and the API."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from migration_hub.core.models import Country, Region
from migration_hub.registry import selectors
from migration_hub.registry.loader import load_reference
from migration_hub.registry.models import FrameworkItem, Instrument, Network, Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(world, reference_dir: Path) -> None:
    load_reference(reference_dir)


@pytest.fixture
def api(api_client, viewer):
    api_client.force_authenticate(viewer)
    return api_client


def codes(rows) -> list[str]:
    return [row["code"] for row in rows]


def test_who_works_on_an_objective_includes_crosswalked_themes(loaded) -> None:
    objective = FrameworkItem.objects.get(code="GCM-O10")
    found = set(selectors.organizations_working_on(item=objective).values_list("code", flat=True))
    assert found == {"UNODC", "IOM"}  # IOM through MIGOF-TA-04, linked to GCM-O10


def test_who_works_in_a_region(loaded) -> None:
    europe = Region.objects.get(m49_code="150")
    western_europe = Region.objects.get(m49_code="155")
    africa = Region.objects.get(m49_code="002")
    assert "EU" in set(
        selectors.organizations_working_on(region=europe).values_list("code", flat=True)
    )
    assert "EU" in set(
        selectors.organizations_working_on(region=western_europe).values_list("code", flat=True)
    )
    in_africa = set(
        selectors.organizations_working_on(region=africa).values_list("code", flat=True)
    )
    assert "EU" not in in_africa and {"IOM", "UNODC"} <= in_africa


def test_gap_analysis(loaded) -> None:
    mexico = {
        row.instrument.code: row
        for row in selectors.gap_analysis(Country.objects.get(alpha3="MEX"))
    }
    assert mexico["ICRMW"].status == "party" and mexico["ICRMW"].date == dt.date(1999, 3, 8)
    assert mexico["REFUGEE-CONVENTION"].status == "party"
    germany = {
        row.instrument.code: row.status
        for row in selectors.gap_analysis(Country.objects.get(alpha3="DEU"))
    }
    assert germany == {"REFUGEE-CONVENTION": "not-party", "ICRMW": "signatory"}


def test_rights_an_instrument_protects(loaded) -> None:
    rights = selectors.rights_protected_by(Instrument.objects.get(code="UDHR"))
    assert [(right.code, [p.number for p in provisions]) for right, provisions in rights] == [
        ("LEAVE-AND-RETURN", ["Article 13"])
    ]


def test_crosswalk_matrix(loaded) -> None:
    matrix = selectors.crosswalk_matrix()
    assert [row.code for row in matrix.rows] == ["GCM-O10", "GCM-O20"]
    assert [column.code for column in matrix.columns] == ["MIGOF-TA-04", "SDG-10.C"]
    rows = {row.code: row for row in matrix.rows}
    columns = {column.code: column for column in matrix.columns}
    assert matrix.linked(rows["GCM-O20"], columns["SDG-10.C"])
    assert not matrix.linked(rows["GCM-O10"], columns["SDG-10.C"])


def test_network_members_by_role(loaded) -> None:
    network = Network.objects.get(code="UNNM")
    assert selectors.network_members(network).count() == 2
    coordinators = selectors.network_members(network, "coordinator")
    assert [m.organization.code for m in coordinators] == ["IOM"]


def test_union_members_today_and_in_the_past(loaded) -> None:
    eu = Organization.objects.get(code="EU")
    assert [m.member_country.alpha3 for m in selectors.member_states(eu)] == ["DEU"]
    in_2000 = selectors.member_states(eu, on=dt.date(2000, 1, 1))
    assert sorted(m.member_country.alpha3 for m in in_2000) == ["DEU", "GBR"]


def test_api_answers_the_same_questions(loaded, api) -> None:
    assert set(
        codes(
            api.get("/api/registry/organizations/", {"thematic_area": "GCM-O10"}).json()["results"]
        )
    ) == {"IOM", "UNODC"}
    assert codes(
        api.get("/api/registry/organizations/", {"region": "150", "kind": "union"}).json()[
            "results"
        ]
    ) == ["EU"]
    gaps = api.get("/api/registry/countries/DEU/gap-analysis/").json()
    assert {row["instrument"]: row["status"] for row in gaps} == {
        "REFUGEE-CONVENTION": "not-party",
        "ICRMW": "signatory",
    }
    rights = api.get("/api/registry/rights/", {"instrument": "UDHR"}).json()["results"]
    assert rights[0]["code"] == "LEAVE-AND-RETURN"
    assert rights[0]["protected_by"] == [{"instrument": "UDHR", "provision": "Article 13"}]
    links = api.get("/api/registry/crosswalks/", {"item": "GCM-O20"}).json()["results"]
    assert [(link["from_item"], link["to_item"]) for link in links] == [("GCM-O20", "SDG-10.C")]
    members = api.get(
        "/api/registry/network-memberships/", {"network": "UNNM", "role": "executive-committee"}
    ).json()
    assert members["count"] == 2
    iom = api.get(
        "/api/registry/network-memberships/", {"network": "UNNM", "organization": "IOM"}
    ).json()["results"][0]
    assert iom["roles"] == ["member", "executive-committee", "coordinator", "secretariat"]
    eu = api.get("/api/registry/memberships/", {"organization": "EU"}).json()["results"]
    assert sorted(m["member_country"] for m in eu) == ["DEU", "GBR"]
    items = api.get(
        "/api/registry/framework-items/", {"framework": "MIGOF", "kind": "thematic-area"}
    ).json()["results"]
    assert items == [
        {
            "code": "MIGOF-TA-04",
            "framework": "MIGOF",
            "kind": "thematic-area",
            "number": "",
            "title": "Trafficking",
            "short_title": "",
            "parent": "MIGOF-O1",
            "source": "https://example.org/source",
        }
    ]
    mexico = api.get("/api/registry/countries/MEX/").json()
    assert mexico["un_status"] == "member"
    assert (
        api.get("/api/registry/countries/", {"un_status": "observer"}).json()["results"][0][
            "alpha3"
        ]
        == "VAT"
    )
    assert api.get("/api/registry/organizations/", {"q": "migration"}).json()["count"] == 1


def test_registry_lists_have_a_query_budget(loaded, api, django_assert_max_num_queries) -> None:
    for url in [
        "/api/registry/organizations/",
        "/api/registry/memberships/",
        "/api/registry/networks/",
        "/api/registry/network-memberships/",
        "/api/registry/instruments/",
        "/api/registry/participations/",
        "/api/registry/rights/",
        "/api/registry/frameworks/",
        "/api/registry/framework-items/",
        "/api/registry/crosswalks/",
        "/api/registry/countries/",
    ]:
        with django_assert_max_num_queries(10):
            assert api.get(url).status_code == 200, url


def test_anonymous_gets_401(api_client) -> None:
    assert api_client.get("/api/registry/organizations/").status_code == 401


def test_organization_names_follow_the_readers_language(loaded, client, viewer) -> None:
    from django.utils import translation

    iom = Organization.objects.get(code="IOM")
    iom.names = {"fr": "Organisation internationale pour les migrations"}
    iom.save()
    with translation.override("fr"):
        assert iom.display_name == "Organisation internationale pour les migrations"
    with translation.override("ru"):
        assert iom.display_name == "International Organization for Migration"
    client.force_login(viewer)
    client.cookies["django_language"] = "fr"
    page = client.get("/registry/organizations/IOM/").content.decode()
    assert "<h1>Organisation internationale pour les migrations" in page


@pytest.mark.parametrize(
    "url",
    [
        "/registry/",
        "/registry/instruments/",
        "/registry/rights/",
        "/registry/frameworks/",
        "/registry/countries/MEX/",
        "/registry/instruments/ICRMW/",
        "/registry/crosswalk/",
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_every_registry_list_exports(loaded, client, viewer, url: str, fmt: str) -> None:
    client.force_login(viewer)
    response = client.get(url, {"export": fmt})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert len(body) > 20


def test_iso_codes_in_addresses_ignore_case(loaded, api) -> None:
    assert api.get("/api/registry/countries/mex/").json()["alpha3"] == "MEX"
    assert api.get("/api/core/countries/mex/").json()["alpha3"] == "MEX"
