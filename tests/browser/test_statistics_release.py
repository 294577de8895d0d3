"""A statistics release in the browser: HOME's data protection officer builds a k-suppressed
table of counter-trafficking cases by sex, sees its suppressed cells and the method stated,
publishes it, and a reader signed out downloads the CSV. axe checks every page opened; the
pages fit a phone.

The cases come from tests/cases/conftest.py's world (built through the services), plus
consenting counter-trafficking persons: 15 women and 9 men, so the men's cell (9 < 11) is
suppressed and the women's cell with it (else it could be worked out from the total).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from migration_hub.cases import services
from migration_hub.cases.choices import CaseType, ConsentPurpose
from migration_hub.statistics.models import ReleaseStatus, StatisticsRelease
from tests.cases.conftest import build_world, person_data

from .conftest import CheckedPage

pytestmark = pytest.mark.browser

DATASET = "Home Agency: Counter-trafficking assistance"


@pytest.fixture
def cases_world(transactional_db: None) -> SimpleNamespace:
    world = build_world()
    for sex, count in (("female", 15), ("male", 9)):
        for number in range(count):
            case = services.open_case(
                actor=world.cw1,
                case_type=CaseType.COUNTER_TRAFFICKING,
                person=person_data(given_name=f"{sex} {number}", sex=sex, documents=[]),
            )
            services.record_consent(
                actor=world.cw1, person=case.person, purpose=ConsentPurpose.STATISTICS
            )
    return world


def test_a_dpo_builds_and_publishes_a_suppressed_release(page, cases_world) -> None:
    page.sign_in("dpo")
    page.goto("/statistics/releases/")
    page.get_by_role("link", name="Build a release").click()
    page.check()
    page.get_by_label("Data set", exact=True).select_option(label=DATASET)
    page.get_by_label("Rows", exact=True).select_option(label="Sex")
    page.get_by_label("Title", exact=True).fill("Persons assisted, by sex")

    # A k below the floor is refused on its field, and nothing is built.
    page.get_by_label("k (small-cell suppression)", exact=True).fill("3")
    page.locator("main button[type=submit]").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was built")
    page.check()
    assert not StatisticsRelease.objects.exists()

    page.get_by_label("k (small-cell suppression)", exact=True).fill("11")
    page.locator("main button[type=submit]").click()
    expect(page.get_by_text("Draft built.")).to_be_visible()
    page.check()
    expect(page.locator("#release-status")).to_have_text("Draft")
    table = page.locator("#release-table")
    expect(table.get_by_role("row", name="Male suppressed", exact=True)).to_be_visible()
    expect(table.get_by_role("row", name="Female suppressed", exact=True)).to_be_visible()
    expect(table.get_by_role("row", name="Total 24", exact=True)).to_be_visible()
    expect(page.locator("#release-statements")).to_contain_text(
        "Cells under 11 persons are suppressed, and enough other cells that none can be "
        "worked out from the totals."
    )

    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published: anyone can now read this table.")).to_be_visible()
    expect(page.locator("#release-status")).to_have_text("Published")
    page.check()
    release = StatisticsRelease.objects.get()
    assert release.status == ReleaseStatus.PUBLISHED

    # Signed out, anyone reads it and downloads the table.
    page.context.clear_cookies()
    page.goto(f"/statistics/releases/{release.pk}/")
    expect(page.locator("#release-table")).to_contain_text("suppressed")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the table (CSV)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "sex,persons,suppressed"
    assert "male,,yes" in text.splitlines()
    assert "total,24,no" in text.splitlines()


def test_the_release_pages_fit_a_phone(browser, live_server, cases_world) -> None:
    from migration_hub.statistics import case_releases

    release = case_releases.build_case_release(
        cases_world.dpo,
        "cases.HOME.counter_trafficking",
        ["nationality", "age_band"],
        "k_suppression",
        title="Persons assisted by nationality and age at opening, a long title to wrap",
    )
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    try:
        phone = CheckedPage(context.new_page(), live_server.url)
        phone.sign_in("dpo")
        for path in [
            f"/statistics/releases/{release.pk}/",
            "/statistics/releases/",
            "/statistics/releases/new/",
            "/statistics/releases/budgets/",
        ]:
            phone.goto(path)
            overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} is {overflow}px wider than the phone"
        assert phone.console_errors == []
    finally:
        context.close()
