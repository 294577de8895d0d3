"""GCM follow-up and review in the browser: anyone opens the review calendar and adds it to a
calendar program; a ministry's focal point makes a pledge, reports its status and finds it on
the dashboard; a member of the Network's secretariat compiles a report and downloads it. axe
checks every page opened. The review season comes from the `gcm` fixture (conftest.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from migration_hub.reviews.choices import JobStatus, PledgeStatus
from migration_hub.reviews.models import Pledge, ReportJob

from .conftest import CheckedPage

pytestmark = pytest.mark.browser

SUBMIT = "main button[type=submit]"  # the header's first submit button is the language form


def test_anyone_opens_the_calendar_and_downloads_it(page: CheckedPage, gcm) -> None:
    page.goto("/reviews/calendar/")
    expect(page.get_by_role("heading", name="GCM review calendar", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="2026", level=2)).to_be_visible()
    expect(page.get_by_role("link", name="IMRF 2026")).to_be_visible()

    page.get_by_label("Kind").select_option("imrf")
    page.locator(SUBMIT).click()
    page.wait_for_url("**/reviews/calendar/?kind=imrf**")
    page.check()
    expect(page.locator("tr[data-cycle]")).to_have_count(3)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Add to your calendar (iCalendar, .ics)").click()
    download = download_info.value
    assert download.suggested_filename == "gcm-review-calendar.ics"
    calendar = Calendar.from_ical(Path(download.path()).read_bytes())
    assert len(list(calendar.walk("VEVENT"))) == 6  # three deadlines, three forums

    page.get_by_role("link", name="IMRF 2026").click()
    page.wait_for_load_state()
    page.check()
    expect(page.get_by_role("heading", name="IMRF 2026", level=1)).to_be_visible()
    expect(page.locator("#review-counts")).to_contain_text("0 reviews submitted")


def test_the_calendar_fits_a_phone(browser, live_server, gcm) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="en-GB")
    try:
        phone = CheckedPage(context.new_page(), live_server.url)
        phone.goto("/reviews/calendar/")
        overflow = phone.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1
    finally:
        context.close()


def test_a_focal_point_pledges_reports_progress_and_sees_the_dashboard(
    page: CheckedPage, gcm
) -> None:
    page.sign_in("focal-point")
    page.goto("/reviews/pledges/")
    page.get_by_role("link", name="Make a pledge").click()
    page.wait_for_load_state()
    page.check()
    page.get_by_label("Pledged for").select_option(label="IMRF 2026")
    page.get_by_label("Title").fill("Regular pathways for 10,000 workers")
    page.get_by_label("Pledging entity").fill("Kenya")
    page.get_by_label("Level").select_option("national")
    page.get_by_label("Country").select_option("KEN")
    page.get_by_label("Objective 5: Objective 5").check()
    page.get_by_label("Objective 18: Objective 18").check()
    page.get_by_label("Description").fill("Through bilateral labour agreements.")
    page.locator(SUBMIT).click()
    page.wait_for_url("**/reviews/pledges/*/")
    page.check()
    expect(page.get_by_text("Pledge recorded.")).to_be_visible()
    expect(page.locator("#pledge-status")).to_have_text("Announced")
    pledge = Pledge.objects.get()

    page.get_by_label("Status", exact=True).select_option(PledgeStatus.IN_PROGRESS)
    page.get_by_label("Reported at").select_option(label="IMRF 2026")
    page.get_by_label("Note").fill("Two agreements signed.")
    page.locator(f"{SUBMIT}:has-text('Report the status')").click()
    page.wait_for_url(f"**{pledge.get_absolute_url()}")
    page.check()
    expect(page.locator("#pledge-status")).to_have_text("In progress")
    expect(page.locator("#pledge-history tbody tr")).to_have_count(2)

    page.get_by_role("link", name="Pledge dashboard").click()
    page.wait_for_load_state()
    page.check()
    expect(page.locator("#total-pledges")).to_contain_text("1")
    expect(page.locator('#by-status tr[data-key="in_progress"] td.num')).to_have_text("1")
    expect(page.locator('#by-objective tr[data-key="18"] td.num')).to_have_text("1")


def test_the_secretariat_compiles_a_report_and_downloads_it(page: CheckedPage, gcm) -> None:
    page.sign_in("secretariat-officer")
    page.goto("/reviews/calendar/")
    page.get_by_role("link", name="Compile a report").click()
    page.wait_for_load_state()
    page.check()
    page.get_by_label("Cycle year").select_option("2026")
    page.get_by_role("radio", name="Regional commission").check()
    page.get_by_role("combobox", name="Regional commission").select_option("ECA")
    page.get_by_role("radio", name="DOCX").check()
    page.locator(SUBMIT).click()
    page.wait_for_url("**/reviews/reports/jobs/*/")
    page.check()
    job = ReportJob.objects.get()
    assert job.scope == "ECA"
    expect(page.locator("#job-status")).to_have_attribute("data-status", JobStatus.DONE)
    with page.expect_download() as download_info:
        page.locator("#report-download").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    assert Path(download.path()).read_bytes()[:2] == b"PK"
