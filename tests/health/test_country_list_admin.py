"""Administrators keep the country lists current: a new dated version, checked, audited, and
applied from its effective date."""

from __future__ import annotations

import json

import pytest

from migration_hub.core.models import AuditEvent
from migration_hub.health import engine, services
from migration_hub.health.models import CountryList
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/admin/health/countrylist/add/"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def form(**changes):
    data = {
        "code": "test-list",
        "title": "Test list",
        "effective_from": "2026-01-01",
        "effective_to": "",
        "countries": json.dumps(["in", "PH"]),
        "source_title": "A gazette",
        "source_url": "https://example.org/gazette",
        "notes": "",
    }
    return {**data, **changes}


def test_a_new_version_is_saved_normalised_and_audited(admin_client):
    response = admin_client.post(URL, form())
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = CountryList.objects.get(code="test-list")
    assert saved.countries == ["IN", "PH"]
    assert AuditEvent.objects.filter(action="create", target_id=str(saved.pk)).exists()


def test_an_unknown_country_code_is_refused_and_nothing_saved(admin_client):
    response = admin_client.post(URL, form(countries=json.dumps(["IN", "XX", "India"])))
    assert response.status_code == 200
    assert "Not ISO 3166 alpha-2 country codes: XX, INDIA" in response.content.decode()
    assert not CountryList.objects.exists()


def test_overlapping_dates_are_refused(admin_client):
    assert admin_client.post(URL, form()).status_code == 302
    response = admin_client.post(URL, form(effective_from="2026-06-01"))
    assert "overlap the version from 2026-01-01" in response.content.decode()
    assert CountryList.objects.count() == 1


def test_a_new_version_of_a_shipped_list_applies_from_its_date(admin_client):
    services.load_country_lists()
    services.load_protocols()
    current = CountryList.objects.filter(code="gb-appendix-t").order_by("-effective_from").first()
    if current is None:
        pytest.skip("the gb-appendix-t list is not shipped yet")
    profile = {
        "destination": "GB",
        "category": "student",
        "date_of_birth": "2000-01-01",
        "citizenship": "FR",
        "residence_history": [{"country": "FR", "from": "2000-01-01"}],
        "intended_stay_months": 12,
    }
    before = engine.requirements_for({**profile, "exam_date": "2026-12-01"})
    assert before.required == []
    change = admin_client.post(
        f"/admin/health/countrylist/{current.pk}/change/",
        form(
            code=current.code,
            title=current.title,
            effective_from=current.effective_from.isoformat(),
            effective_to="2026-11-30",
            countries=json.dumps(current.countries),
            source_title=current.source_title,
            source_url=current.source_url,
            notes=current.notes,
        ),
    )
    assert change.status_code == 302, change.content.decode()[:2000]
    added = admin_client.post(
        URL,
        form(
            code=current.code,
            title=current.title,
            effective_from="2026-11-30",
            countries=json.dumps([*current.countries, "FR"]),
        ),
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    assert engine.requirements_for({**profile, "exam_date": "2026-11-29"}).required == []
    after = engine.requirements_for({**profile, "exam_date": "2026-12-01"})
    assert "chest_xray" in {item.item for item in after.required}
