"""Case management in the browser: a caseworker opens an AVRR case and takes it through every
state to closed, then a counter-trafficking case with its protection plan, notes, a task and
consent; a data protection officer reveals a masked class with a reason. axe checks every
page opened; the case pages fit a phone 390 px wide.

The staff and offices are the world of tests/cases/conftest.py, built through the services.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from migration_hub.cases.choices import CaseAuditAction
from migration_hub.cases.models import Case
from migration_hub.core.models import AuditEvent
from tests.cases.conftest import build_world

from .conftest import CheckedPage

pytestmark = pytest.mark.browser

AVRR_STEPS = [
    ("Assess eligibility", "Eligibility assessment"),
    ("Approve", "Approved"),
    ("Arrange travel", "Travel arranged"),
    ("Record the departure", "Departed"),
    ("Record the arrival", "Arrived"),
    ("Plan the reintegration", "Reintegration plan"),
    ("Start monitoring", "Monitoring"),
    ("Close the case", "Closed"),
]


@pytest.fixture
def world(transactional_db: None) -> SimpleNamespace:
    return build_world()


def open_case(page: CheckedPage, case_type: str, given_name: str, vulnerability: str) -> Case:
    page.goto("/cases/")
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases")
    ).to_be_visible()
    page.locator("main").get_by_role("link", name="Open a case").first.click()
    page.check()
    page.get_by_label("Case type", exact=True).select_option(case_type)
    page.get_by_label("Given name", exact=True).fill(given_name)
    page.get_by_label("Family name", exact=True).fill("Sample")
    page.get_by_label("Date of birth", exact=True).fill("1990-05-01")
    page.get_by_label("Precision of the date of birth", exact=True).select_option("year")
    page.get_by_label("Sex", exact=True).select_option("female")
    page.get_by_label("Nationalities", exact=True).fill("NG")
    page.get_by_label("Languages", exact=True).fill("en, ha")
    page.get_by_label("Phone", exact=True).fill("+234 800 000 0001")
    page.get_by_label(vulnerability, exact=True).check()
    page.get_by_label("Identity document", exact=True).select_option("passport")
    page.get_by_label("Issuing country", exact=True).fill("NG")
    page.get_by_label("Document number", exact=True).fill("A7654321")
    page.locator("main button[type=submit]").click()
    expect(page.get_by_text(re.compile(r"Case [A-Z]+-\d{4}-\d{6} opened"))).to_be_visible()
    page.check()
    return Case.objects.latest("id")


def step(page: CheckedPage, button: str, state: str) -> None:
    page.get_by_role("region", name="Workflow").get_by_role(
        "button", name=button, exact=True
    ).click()
    expect(page.locator("#case-state")).to_have_text(state)
    page.check()


def test_a_caseworker_takes_an_avrr_case_from_intake_to_closed(page, world) -> None:
    page.sign_in("cw1")
    # A date of birth in the future is refused, naming the field; nothing is written.
    page.goto("/cases/new/")
    page.get_by_label("Case type", exact=True).select_option("avrr")
    page.get_by_label("Given name", exact=True).fill("Future")
    page.get_by_label("Date of birth", exact=True).fill("2999-01-01")
    page.locator("main button[type=submit]").click()
    expect(page.get_by_role("alert")).to_contain_text("The date of birth cannot be in the future.")
    page.check()
    assert Case.objects.count() == 4

    case = open_case(page, "avrr", "Kofi", "Single parent")
    assert (case.organization, case.office, case.team, case.assigned_to) == (
        world.home,
        world.a1,
        world.t1,
        world.cw1,
    )
    expect(page.locator("#case-state")).to_have_text("Application")
    expect(page.locator("#person")).to_contain_text("Kofi")
    expect(page.locator("#person")).to_contain_text("Single parent")
    for button, state in AVRR_STEPS:
        step(page, button, state)
    expect(page.get_by_role("region", name="Workflow")).to_contain_text("The case is closed.")
    timeline = page.locator("#timeline li")
    expect(timeline).to_have_count(1 + len(AVRR_STEPS))
    case.refresh_from_db()
    assert case.state == "closed" and case.closed_at is not None
    assert case.version == 1 + len(AVRR_STEPS)

    # The closed case is on the list, found by its reference.
    page.goto("/cases/")
    page.get_by_label("Search", exact=True).fill(case.reference)
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("1 result", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=case.reference)).to_be_visible()
    page.check()


def test_a_counter_trafficking_case_with_its_protection_plan_to_closed(page, world) -> None:
    page.sign_in("cw1")
    case = open_case(page, "counter_trafficking", "Ama", "Victim of trafficking")
    expect(page.locator("#case-state")).to_have_text("Identification")
    step(page, "Start the assessment", "Assessment")

    # The plan needs its services: refused without, recorded with.
    workflow = page.get_by_role("region", name="Workflow")
    workflow.get_by_role("button", name="Record the protection plan").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "Choose the services of the protection plan"
    )
    page.check()
    workflow = page.get_by_role("region", name="Workflow")
    workflow.get_by_label("Shelter", exact=True).check()
    workflow.get_by_label("Psychosocial support", exact=True).check()
    workflow.get_by_label("Note on this step (optional)").fill("Placed at the partner shelter.")
    step(page, "Record the protection plan", "Protection plan")
    expect(page.locator("#details-trafficking")).to_contain_text("Shelter, Psychosocial support")

    # A note (HTML stays text), a task done, a consent recorded.
    notes = page.get_by_role("region", name="Notes")
    notes.get_by_label("Note", exact=True).fill("<b>Met</b> at the shelter")
    notes.get_by_role("button", name="Add the note").click()
    expect(page.get_by_text("Note added.")).to_be_visible()
    expect(page.get_by_role("region", name="Notes")).to_contain_text("<b>Met</b> at the shelter")
    tasks = page.get_by_role("region", name="Tasks")
    tasks.get_by_label("Task", exact=True).fill("Book the legal clinic")
    tasks.get_by_role("button", name="Add the task").click()
    expect(page.get_by_text("Task added.")).to_be_visible()
    page.get_by_role("region", name="Tasks").get_by_role("button", name="Mark done").click()
    expect(page.get_by_text("Task marked done.")).to_be_visible()
    consent = page.get_by_role("region", name="Consent")
    consent.get_by_text("Record a consent").click()
    consent.get_by_label("Purpose", exact=True).select_option("statistics")
    consent.get_by_role("button", name="Record the consent").click()
    expect(page.get_by_text("Consent recorded: Use in statistics.")).to_be_visible()
    page.check()

    step(page, "Refer for assistance", "Referral")
    step(page, "Start the follow-up", "Follow-up")
    step(page, "Close the case", "Closed")
    case.refresh_from_db()
    assert case.state == "closed"
    assert case.trafficking_details["protection_plan"]["services"] == ["shelter", "psychosocial"]
    expect(page.locator("#timeline")).to_contain_text("Placed at the partner shelter.")


def test_a_data_protection_officer_reveals_a_masked_class_with_a_reason(page, world) -> None:
    page.sign_in("dpo")
    page.goto(f"/cases/{world.c1.public_id}/")
    details = page.locator("#details-trafficking")
    expect(details).to_contain_text("[masked]")
    expect(details).not_to_contain_text("online job offer")
    details.get_by_text("Reveal: Trafficking details").click()
    details.get_by_label("Reason for revealing").fill("Subject access request")
    details.get_by_role("button", name="Reveal Trafficking details").click()
    expect(page.locator("#details-trafficking")).to_contain_text("online job offer")
    page.check()
    event = AuditEvent.objects.get(action=CaseAuditAction.REVEAL)
    assert event.metadata["reason"] == "Subject access request"


def test_the_case_pages_fit_a_phone(browser, live_server, world) -> None:
    from migration_hub.cases import services

    services.add_note(actor=world.cw1, case=world.c1, text="A long note " * 40)
    services.add_task(
        actor=world.cw1, case=world.c1, title="Call the embassy about the travel document"
    )
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    try:
        phone = CheckedPage(context.new_page(), live_server.url)
        phone.sign_in("cw1")
        for path in [f"/cases/{world.c1.public_id}/", "/cases/", "/cases/new/"]:
            phone.goto(path)
            overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} is {overflow}px wider than the phone"
        assert phone.console_errors == []
    finally:
        context.close()
