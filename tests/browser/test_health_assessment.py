"""A health assessment in the browser: a panel physician books an appointment for a profile,
enters the results the protocol requires, classifies TB class B1, records the person's consent
and refers them to the national TB programme, clears them and downloads the certificate PDF.
axe checks every page opened; the assessment's page fits a phone.

The panel site and its TB programme partner are set up through the services, as the health
tests do (tests/health/workflow_fixtures.py, whose fixtures this directory cannot reach).
"""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from migration_hub.core.choices import Role
from migration_hub.health import workflow
from migration_hub.health.models import Assessment, TbReferral
from migration_hub.health.services import load_country_lists, load_protocols
from migration_hub.registry.choices import OrganizationKind as RegistryKind
from migration_hub.registry.models import Organization as RegistryOrganization

from .conftest import CheckedPage

pytestmark = pytest.mark.browser

PHYSICIAN = f"demo-{Role.PANEL_PHYSICIAN}"


@pytest.fixture
def panel_site(people: dict[str, Any]) -> SimpleNamespace:
    """A panel site of HOME in Nairobi with the demo physician posted there, and the national
    TB programme it refers to."""
    load_country_lists()
    load_protocols()
    programme = RegistryOrganization.objects.create(
        code="KE-NTP",
        name="National TB Programme (test)",
        kind=RegistryKind.NGO,
        source="https://example.org/test-fixture",
    )
    site = workflow.create_panel_site(
        actor=None,
        organization=people["home"],
        name="Nairobi panel site",
        country="KE",
        city="Nairobi",
        destinations=["US"],
        tb_programme=programme,
    )
    physician = workflow.add_physician(
        actor=None, site=site, user=people[Role.PANEL_PHYSICIAN], licence_number="KMPDC-0001"
    )
    workflow.record_training(
        actor=None,
        physician=physician,
        course="Panel physician training",
        completed_on=datetime.date(2024, 1, 10),
    )
    return SimpleNamespace(site=site, programme=programme, physician=physician)


def record(page: CheckedPage, item: str, outcome: str, value: str = "") -> None:
    section = page.get_by_role("region", name=item, exact=True)
    section.get_by_label("Outcome").select_option(outcome)
    if value:
        section.get_by_label("Value or finding").fill(value)
    section.get_by_role("button", name=f"Save the result of {item}").click()
    expect(page.get_by_text(f"Result recorded: {item}.")).to_be_visible()


def test_an_assessment_runs_to_a_certificate_and_a_tb_referral(page, panel_site) -> None:
    page.sign_in(PHYSICIAN)
    page.goto("/health/assessments/")
    page.get_by_role("link", name="Book an appointment").first.click()
    page.check()
    page.get_by_label("Full name").fill("Sample Person 1")
    page.get_by_label("Date of birth").fill("1990-05-01")
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("Travel document number").fill("P0000001")
    page.get_by_label("Destination").select_option("US")
    page.get_by_label("Applicant category").select_option("immigrant")
    page.get_by_label("Citizenship").fill("KE")
    page.get_by_role("button", name="Book the appointment").click()
    expect(page.get_by_text("Appointment booked: 4 items are required")).to_be_visible()
    page.check()
    assessment = Assessment.objects.get()
    expect(page.locator("#protocol-version")).to_contain_text("version 2025-03-11")
    expect(page.locator("#assessment-status")).to_have_text("Scheduled")

    # A certificate asked for now is refused, naming what is missing.
    page.get_by_role("button", name="Issue the certificate").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "Medical examination, Chest X-ray, Syphilis test, Vaccination assessment"
    )
    page.check()

    record(page, "Medical examination", "normal")
    record(page, "Chest X-ray", "abnormal", "Upper-lobe opacity")
    # The abnormal X-ray makes the sputum due (a conditional item of the protocol).
    expect(page.locator("#missing-items")).to_contain_text("Sputum smear and culture")
    record(page, "Sputum smear and culture", "negative")
    record(page, "Syphilis test", "negative")
    record(page, "Vaccination assessment", "normal")
    expect(page.locator("#assessment-status")).to_have_text("Examined")

    classification = page.get_by_role("region", name="TB classification")
    classification.get_by_label("TB class").select_option("B1")
    classification.get_by_role("button", name="Save the classification").click()
    expect(page.locator("#tb-class")).to_contain_text("Class B1")
    expect(page.locator("#referral-proposed")).to_be_visible()

    referral = page.get_by_role("region", name="Referral to the national TB programme")
    expect(referral.get_by_label("National TB programme")).to_have_value(
        str(panel_site.programme.pk)
    )
    referral.get_by_label("Reason for the referral").fill("Class B1: follow-up after arrival.")
    referral.get_by_role("button", name="Send the referral").click()
    expect(page.get_by_text("Record the person's consent").first).to_be_visible()
    assert not TbReferral.objects.exists()
    referral = page.get_by_role("region", name="Referral to the national TB programme")
    referral.get_by_label("The person was informed and consents").check()
    referral.get_by_role("button", name="Send the referral").click()
    expect(page.get_by_text("Referral sent to National TB Programme (test)")).to_be_visible()
    sent = TbReferral.objects.get()
    assert sent.consent_given and sent.assessment_id == assessment.pk

    decision = page.get_by_role("region", name="Decision")
    decision.get_by_label("Clear").check()
    decision.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#assessment-status")).to_have_text("Cleared")

    page.get_by_role("button", name="Issue the certificate").click()
    expect(page.locator("#assessment-status")).to_have_text("Certified")
    expect(page.locator("#certificate")).to_contain_text("Valid until")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the certificate (PDF)").click()
    content = Path(download.value.path()).read_bytes()
    assert content.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "2025-03-11" in text
    assert "United States: CDC Technical Instructions" in text

    page.goto("/health/assessments/dashboard/")
    expect(page.locator("#tb-yield")).to_have_text("100.0%")


def test_the_assessment_page_fits_a_phone(browser, live_server, panel_site) -> None:
    assessment = workflow.schedule_assessment(
        actor=None,
        site=panel_site.site,
        physician=panel_site.physician,
        appointment_at=datetime.datetime.now(datetime.UTC),
        full_name="Sample Person 2",
        date_of_birth=datetime.date(1985, 3, 4),
        sex="male",
        profile={"destination": "US", "category": "immigrant", "citizenship": "KE"},
    )
    # Results, a B1 classification (so the referral form shows) and a long partner name.
    RegistryOrganization.objects.create(
        code="LONG-NAME",
        name="Programme national de lutte contre la tuberculose et les maladies respiratoires",
        kind=RegistryKind.NGO,
        source="https://example.org/test-fixture",
    )
    doctor = panel_site.physician.user
    for item in assessment.required_items:
        assessment.refresh_from_db()
        workflow.record_result(
            actor=doctor,
            assessment=assessment,
            item=item,
            outcome="negative" if item.endswith("_test") else "normal",
            expected_version=assessment.version,
        )
    assessment.refresh_from_db()
    workflow.classify(
        actor=doctor, assessment=assessment, tb_class="B1", expected_version=assessment.version
    )
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    try:
        phone = CheckedPage(context.new_page(), live_server.url)
        phone.sign_in(PHYSICIAN)
        for path in [
            f"/health/assessments/{assessment.pk}/",
            "/health/assessments/",
            "/health/assessments/new/",
            "/health/assessments/dashboard/",
            "/health/panel-sites/",
        ]:
            phone.goto(path)
            overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} is {overflow}px wider than the phone"
        assert phone.console_errors == []
    finally:
        context.close()
