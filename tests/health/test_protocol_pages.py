"""The public protocol pages: the list, each protocol's history with diffs, and the form."""

from __future__ import annotations

import pytest

from migration_hub.health import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def protocols() -> None:
    services.load_country_lists()
    assert services.load_protocols().rejected == []


def test_the_list_shows_each_protocol_and_the_country_lists(client, protocols):
    response = client.get("/health/protocols/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "United States: CDC Technical Instructions for panel physicians" in html
    assert 'href="/health/protocols/us-panel/"' in html
    assert 'id="country-list-table"' in html


def test_the_list_says_how_to_load_protocols_when_there_are_none(client):
    html = client.get("/health/protocols/").content.decode()
    assert 'id="no-protocols"' in html and "load-reference" in html


def test_a_protocol_page_shows_every_version_with_sources_and_the_diff(client, protocols):
    html = client.get("/health/protocols/us-panel/").content.decode()
    assert html.index('id="v-2025-03-11"') < html.index('id="v-2021-09-03"')
    assert html.count('data-in-force="true"') == 1
    assert "until 11 March 2025 (not included)" in html or "until March 11, 2025" in html
    assert "https://bal.com/perspectives/bal-news/" in html
    assert '<li class="diff-new" dir="ltr">' in html and "covid-removed" in html
    assert "US-GONORRHEA-18-24" in html


def test_an_unknown_protocol_is_a_404(client, protocols):
    assert client.get("/health/protocols/no-such-protocol/").status_code == 404


def test_the_form_shows_the_engine_errors_on_their_fields(client, protocols):
    response = client.post(
        "/health/requirements/",
        {
            "destination": "US",
            "category": "immigrant",
            "date_of_birth": "2020-01-01",
            "exam_date": "2019-01-01",
            "citizenship": "PH",
            "residence_history": "IN, 2018-01-01, 2017-01-01",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "is before the date of birth" in html
    assert "residence_history[0].to" in html
    assert 'id="requirements-result"' not in html


def test_the_form_refuses_a_badly_written_residence_line(client, protocols):
    response = client.post(
        "/health/requirements/",
        {
            "destination": "US",
            "category": "immigrant",
            "date_of_birth": "2000-01-01",
            "citizenship": "PH",
            "residence_history": "India from 2019",
        },
    )
    assert response.status_code == 400
    assert "Line 1: write country code, from, to" in response.content.decode()


def test_the_menu_links_to_the_protocols(client):
    assert 'href="/health/protocols/"' in client.get("/").content.decode()


@pytest.mark.parametrize("language", ["ar", "zh-hans", "fr", "ru", "es"])
def test_the_pages_render_in_every_un_language(client, protocols, language):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for path in ("/health/protocols/", "/health/protocols/us-panel/", "/health/requirements/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert f'<html lang="{language}"' in response.content.decode()
    result = client.post(
        "/health/requirements/",
        {
            "destination": "US",
            "category": "immigrant",
            "date_of_birth": "2015-05-01",
            "exam_date": "2026-11-01",
            "citizenship": "PH",
        },
    )
    assert result.status_code == 200
    assert 'id="requirements-result"' in result.content.decode()
