"""Writing a voluntary GCM review in the browser: a ministry's focal point starts a review and
adds a co-author; both write different sections and autosave keeps their text; the focal
point's session ends while typing and the text survives in the browser until restored; the two
pages collide on one section and both texts are shown; the review is submitted and the Network
secretariat's editor publishes it. axe checks every page opened; the editor fits a phone.

The data is set up through the services, as the reviews' tests do (tests/reviews/conftest.py,
whose fixtures this directory cannot reach).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.contrib.sessions.models import Session
from django.db import OperationalError
from playwright.sync_api import expect

from migration_hub.core.models import Country
from migration_hub.reviews import services
from migration_hub.reviews.choices import ReviewStatus, SectionKey
from migration_hub.reviews.models import Review, Section

from .conftest import CheckedPage

pytestmark = pytest.mark.browser

SUBMIT = "main button[type=submit]"  # the header's first submit button is the language form


def eventually(check: Callable[[], bool], seconds: float = 10) -> None:
    """Wait for something the page does in the background (an autosave) to reach the DB.

    The live server writes to the same in-memory SQLite database (shared cache), where a read
    during its write transaction fails at once with "table is locked" instead of waiting:
    that counts as "not yet"."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if check():
                return
        except OperationalError as error:
            if "locked" not in str(error):
                raise
        if time.monotonic() > deadline:
            pytest.fail("the page did not save in time")
        time.sleep(0.1)


def text_of(review: Review, key: str) -> str:
    return Section.objects.get(review=review, key=key).text


def new_page(browser, live_server, username: str) -> tuple[CheckedPage, object]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = CheckedPage(context.new_page(), live_server.url)
    page.sign_in(username)
    return page, context


def start_review(page: CheckedPage, gcm: SimpleNamespace) -> Review:
    page.goto("/reviews/")
    page.get_by_role("link", name="Start a review").click()
    page.wait_for_load_state()
    page.check()
    page.get_by_label("Cycle").select_option(str(gcm.imrf.pk))
    page.get_by_label("Organization").select_option(str(gcm.ministry.pk))
    page.get_by_label("Title").fill("Kenya: voluntary GCM review 2026")
    page.get_by_label("Level").select_option("national")
    page.get_by_label("Reporting entity").fill("Kenya")
    page.get_by_label("Country").select_option("KEN")
    page.get_by_label("Language of the review").select_option("en")
    page.locator(SUBMIT).first.click()
    page.wait_for_url("**/reviews/*/")
    page.check()
    return Review.objects.get(organization=gcm.ministry)


def test_two_authors_write_a_review_through_to_publication(
    page: CheckedPage, browser, live_server, gcm
) -> None:
    page.sign_in("focal-point")
    review = start_review(page, gcm)
    expect(page.locator("#review-status")).to_contain_text("Draft")

    # The focal point gives the co-author the challenges.
    page.get_by_text("Add a co-author").click()
    page.get_by_label("Username").fill("coauthor")
    page.locator('input[name="coauthor-sections"][value="challenges"]').check()
    page.get_by_role("button", name="Add the co-author").click()
    page.wait_for_load_state()
    page.check()
    expect(page.locator("#authors")).to_contain_text("coauthor")

    coauthor, coauthor_context = new_page(browser, live_server, "coauthor")
    try:
        coauthor.goto(f"/reviews/{review.pk}/")
        # Only the section given is a form for the co-author.
        expect(coauthor.locator("form[data-autosave]")).to_have_count(1)

        # Both write, each in their own section; leaving the field autosaves.
        page.locator("#id_methodology-text").fill("A task force wrote it with migrants.")
        page.locator("h1").click()
        eventually(
            lambda: (
                text_of(review, SectionKey.METHODOLOGY) == "A task force wrote it with migrants."
            )
        )
        expect(page.locator("#section-methodology .autosave-status")).to_contain_text(
            "Saved automatically"
        )
        coauthor.locator("#id_challenges-text").fill("Few data on returns.")
        coauthor.locator("h1").click()
        eventually(lambda: text_of(review, SectionKey.CHALLENGES) == "Few data on returns.")

        # The focal point's page still holds version 1 of the challenges: saving it collides.
        page.locator("#id_challenges-text").fill("Data gaps on labour migration.")
        page.locator("#section-challenges").get_by_role("button", name="Save this section").click()
        conflict = page.locator("#section-challenges .conflict")
        expect(conflict).to_be_visible()
        expect(conflict.locator(".conflict-theirs")).to_contain_text("Few data on returns.")
        expect(conflict.locator(".conflict-mine")).to_contain_text("Data gaps on labour migration.")
        expect(conflict).to_contain_text("coauthor")
        assert text_of(review, SectionKey.CHALLENGES) == "Few data on returns."
        page.check()
        # Taking theirs reloads the section.
        conflict.get_by_role("link", name="Use their text (reload this section)").click()
        expect(page.locator("#id_challenges-text")).to_have_value("Few data on returns.")
        # Their text was taken: the focal point's own is not offered back later.
        assert (
            page.evaluate(
                f"localStorage.getItem('migration-hub:review-draft:{review.pk}:challenges')"
            )
            is None
        )
    finally:
        coauthor_context.close()

    # The session ends while the focal point types: the text stays in the browser.
    session_key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    Session.objects.filter(session_key=session_key).delete()
    page.locator("#id_next_steps-text").fill("A national plan by 2027.")
    page.locator("h1").click()
    expect(page.locator("#session-banner")).to_be_visible()
    expect(page.locator("#section-next_steps .autosave-status")).to_contain_text(
        "kept in this browser"
    )
    kept = page.evaluate(
        f"localStorage.getItem('migration-hub:review-draft:{review.pk}:next_steps')"
    )
    assert "A national plan by 2027." in kept
    assert text_of(review, SectionKey.NEXT_STEPS) == ""
    page.check()

    # Signing in again (in another tab) and reloading offers the draft back.
    login = CheckedPage(page.context.new_page(), live_server.url)
    login.sign_in("focal-point")
    login.close()
    page.reload()
    page.check()
    offer = page.locator("#section-next_steps .draft-offer")
    expect(offer).to_be_visible()
    offer.get_by_role("button", name="Restore my draft").click()
    expect(page.locator("#id_next_steps-text")).to_have_value("A national plan by 2027.")
    eventually(lambda: text_of(review, SectionKey.NEXT_STEPS) == "A national plan by 2027.")
    # The live server shares this thread's SQLite connection: the test seeing the text does
    # not mean the autosave's transaction has ended. Its response arriving does.
    page.wait_for_load_state("networkidle")

    # The rest of what a submission needs, then the focal point submits.
    services.save_section(
        gcm.focal_point,
        review,
        SectionKey.PRINCIPLES,
        expected_version=1,
        data={"GCM-GP-F": "Rights-based screening."},
    )
    services.save_section(
        gcm.focal_point, review, "objective-5", expected_version=0, progress="in_progress"
    )
    page.reload()
    page.get_by_role("button", name="Submit the review").click()
    page.wait_for_load_state()
    page.check()
    expect(page.locator("#review-status")).to_contain_text("Submitted")
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED

    editor, editor_context = new_page(browser, live_server, "secretariat-editor")
    try:
        editor.goto(f"/reviews/{review.pk}/")
        editor.get_by_role("button", name="Publish the review").click()
        editor.wait_for_load_state()
        editor.check()
        expect(editor.locator("#review-status")).to_contain_text("Published")
    finally:
        editor_context.close()
    review.refresh_from_db()
    assert review.status == ReviewStatus.PUBLISHED


def test_submitting_an_incomplete_review_lists_what_is_missing(page: CheckedPage, gcm) -> None:
    review = services.create_review(
        gcm.focal_point,
        cycle=gcm.imrf,
        organization=gcm.ministry,
        title="Kenya: voluntary GCM review 2026",
        level="national",
        entity_name="Kenya",
        country=Country.objects.get(alpha3="KEN"),
        language="en",
    )
    page.sign_in("focal-point")
    page.goto(f"/reviews/{review.pk}/")
    page.get_by_role("button", name="Submit the review").click()
    page.wait_for_load_state()
    page.check()
    missing = page.locator("#missing-sections")
    expect(missing).to_contain_text("Methodology and process")
    missing.get_by_role("link", name="Next steps").click()
    expect(page.locator("#id_next_steps-text")).to_be_visible()


def test_the_editor_fits_a_phone(browser, live_server, gcm) -> None:
    review = services.create_review(
        gcm.focal_point,
        cycle=gcm.imrf,
        organization=gcm.ministry,
        title="Kenya: voluntary GCM review 2026",
        level="national",
        entity_name="Kenya",
        country=Country.objects.get(alpha3="KEN"),
        language="en",
    )
    services.save_section(gcm.focal_point, review, "objective-5", expected_version=0)
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="en-GB")
    try:
        phone = CheckedPage(context.new_page(), live_server.url)
        phone.sign_in("focal-point")
        phone.goto(f"/reviews/{review.pk}/")
        overflow = phone.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1
    finally:
        context.close()
