"""In the browser: a physician checks what a profile needs, then reads the protocol's history."""

from __future__ import annotations

import pytest

from migration_hub.health import services

pytestmark = pytest.mark.browser


@pytest.fixture
def protocols(transactional_db: None) -> None:
    services.load_country_lists()
    assert services.load_protocols().rejected == []


def test_requirements_for_a_pregnant_applicant_then_the_protocol_history(page, protocols):
    page.goto("/health/protocols/")
    page.get_by_role("link", name="Check what a profile needs").click()
    page.check()
    page.get_by_label("Destination", exact=True).select_option("US")
    page.get_by_label("Category", exact=True).select_option("refugee")
    page.get_by_label("Date of birth").fill("1996-03-02")
    page.get_by_label("Date of the examination").fill("2026-11-01")
    page.get_by_label("Sex", exact=True).select_option("female")
    page.get_by_label("Pregnant", exact=True).check()
    page.get_by_label("Citizenship", exact=True).select_option("AF")
    page.get_by_label("Cough for more than two weeks").check()
    page.locator("main button[type=submit]").click()
    page.check()

    required = page.locator("#required-items li")
    items = [required.nth(i).get_attribute("data-item") for i in range(required.count())]
    assert items == ["medical_exam", "chest_xray", "sputum", "syphilis_test"]
    assert "US-TB-SPUTUM-SIGNS" in page.locator("#required-items").inner_text()
    alternatives = page.locator("#alternative-items").inner_text()
    assert "Instead of chest_xray" in alternatives and "deferral" in alternatives
    assert "counts as at least 20 per 100,000" in page.locator("#result-notes").inner_text()
    assert page.get_by_label("Pregnant", exact=True).is_checked()  # the form keeps the profile

    page.get_by_role("link", name="Health assessment protocols").first.click()
    page.get_by_role(
        "link", name="United States: CDC Technical Instructions for panel physicians"
    ).click()
    page.check()
    page.locator("#v-2025-03-11 summary").click()
    diff = page.locator("#v-2025-03-11 .diff").inner_text()
    assert "covid-removed" in diff and "ti-vaccination" in diff


def test_the_form_on_a_phone_names_what_to_fix(browser, live_server, protocols):
    from tests.browser.conftest import CheckedPage

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
    page = CheckedPage(context.new_page(), live_server.url)
    try:
        page.goto("/health/requirements/")
        page.get_by_label("Destination", exact=True).select_option("GB")
        page.get_by_label("Category", exact=True).select_option("student")
        page.get_by_label("Date of birth").fill("2000-01-01")
        page.get_by_label("Date of the examination").fill("1999-12-31")
        page.get_by_label("Citizenship", exact=True).select_option("IN")
        page.locator("main button[type=submit]").click()
        page.check()
        assert "is before the date of birth" in page.locator("main").inner_text()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the page scrolls sideways on a phone ({width} px)"
    finally:
        context.close()
