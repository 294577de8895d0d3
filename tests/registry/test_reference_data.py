"""The shipped reference data answers what the issue promises, through the API."""

from __future__ import annotations

import pytest

from migration_hub.core.services import load_countries
from migration_hub.registry.loader import load_reference
from migration_hub.registry.models import Organization

pytestmark = pytest.mark.django_db


def count(api, url: str, **params: str) -> int:
    response = api.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()["count"]


def test_shipped_reference_data(api_client, viewer) -> None:
    load_countries()
    first = load_reference()
    assert first.reports["organizations"].added >= 50
    api_client.force_authenticate(viewer)
    items = "/api/registry/framework-items/"
    assert count(api_client, items, framework="GCM", kind="objective") == 23
    assert count(api_client, items, framework="GCM", kind="guiding-principle") == 10
    assert count(api_client, items, framework="MIGOF", kind="principle") == 3
    assert count(api_client, items, framework="MIGOF", kind="objective") == 3
    areas = api_client.get(items, {"framework": "MIGOF", "kind": "thematic-area"}).json()["results"]
    assert len(areas) == 16
    assert {area["parent"] for area in areas} == {"MIGOF-O1", "MIGOF-O2", "MIGOF-O3"}
    assert [a["parent"] for a in areas].count("MIGOF-O1") == 6
    objective_one = api_client.get(f"{items}GCM-O1/").json()
    assert objective_one["title"] == (
        "Collect and utilize accurate and disaggregated data as a basis for evidence-based policies"
    )
    members = "/api/registry/network-memberships/"
    assert count(api_client, members, network="UNNM") == 39
    executive = api_client.get(members, {"network": "UNNM", "role": "executive-committee"}).json()
    assert executive["count"] == 9
    assert {m["organization"] for m in executive["results"]} == {
        "ILO",
        "IOM",
        "OHCHR",
        "UNICEF",
        "UN-DESA",
        "UNODC",
        "UNHCR",
        "UNDP",
        "WHO",
    }
    iom = api_client.get(members, {"network": "UNNM", "organization": "IOM"}).json()["results"][0]
    assert {"coordinator", "secretariat"} <= set(iom["roles"])

    iom = Organization.objects.get(code="IOM")
    assert iom.founded_year == 1951
    facts = {(fact.name, fact.year): fact.value for fact in iom.facts.all()}
    assert "173" in facts.values() and "9" in facts.values()
    for code in [
        "UDHR",
        "ICCPR",
        "ICESCR",
        "REFUGEE-CONVENTION",
        "ICRMW",
        "GCM",
        "PALERMO-TRAFFICKING-PROTOCOL",
        "PALERMO-SMUGGLING-PROTOCOL",
        "ILO-C097",
        "ILO-C143",
        "ILO-C189",
        "IOM-CONSTITUTION",
        "NEW-YORK-DECLARATION",
    ]:
        assert api_client.get(f"/api/registry/instruments/{code}/").status_code == 200, code
    for code in [
        "WCO",
        "INTERPOL",
        "OECD",
        "IPU",
        "AFDB",
        "IDB",
        "BSTDB",
        "ADB",
        "AU",
        "CARICOM",
        "SICA",
        "EAEU",
        "EU",
        "MERCOSUR",
        "CIS",
        "OAS",
    ]:
        assert api_client.get(f"/api/registry/organizations/{code}/").status_code == 200, code
    for code in ["SDG-10.7", "SDG-10.C", "SDG-8.7", "SDG-8.8", "SDG-16.2", "SDG-17.18", "SDG-5.2"]:
        assert api_client.get(f"{items}{code}/").status_code == 200, code
    memberships = "/api/registry/memberships/"
    eu_2026 = api_client.get(
        memberships, {"organization": "EU", "kind": "member", "on": "2026-01-01", "limit": 100}
    ).json()
    assert eu_2026["count"] == 27
    assert "GBR" not in {m["member_country"] for m in eu_2026["results"]}
    eu_2000 = api_client.get(
        memberships, {"organization": "EU", "on": "2000-01-01", "limit": 100}
    ).json()
    assert "GBR" in {m["member_country"] for m in eu_2000["results"]} and eu_2000["count"] == 15
    assert api_client.get(memberships, {"on": "not a date"}).status_code == 400
    assert count(api_client, "/api/registry/countries/", un_status="member") == 193

    # With the full data, list endpoints stay within a fixed number of queries (no N+1).
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for url in [
        "/api/registry/organizations/",
        "/api/registry/instruments/",
        "/api/registry/rights/",
        "/api/registry/network-memberships/",
        "/api/registry/memberships/",
        "/api/registry/participations/",
        "/api/registry/framework-items/",
        "/api/registry/crosswalks/",
        "/api/registry/countries/",
    ]:
        with CaptureQueriesContext(connection) as queries:
            assert api_client.get(url, {"limit": 1000}).status_code == 200
        assert len(queries) <= 10, (url, len(queries))

    second = load_reference()
    assert all(r.added == 0 and r.changed == 0 for r in second.reports.values()), second.lines()
