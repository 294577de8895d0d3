"""Peer review of a practice in the browser: a ministry's contributor submits a practice with a
French title and a PDF; the Hub's editor screens it and assigns two reviewers from other
organizations; both score the rubric (each blind to the other until sending); the editor
publishes it, and the practice shows the "Peer reviewed" badge to everyone. axe checks every
page opened.

The data is set up here (tests/knowledge/conftest.py is out of this directory's reach).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from playwright.sync_api import expect

from migration_hub.accounts.choices import OrganizationKind, Role
from migration_hub.knowledge.choices import Criterion, ResourceStatus
from migration_hub.knowledge.models import Resource, ReviewAssignment
from migration_hub.registry.models import Framework, FrameworkItem
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.knowledge.test_resources import make_pdf

from .conftest import CheckedPage

pytestmark = pytest.mark.browser

TITLE = "Community sponsorship of refugees"


@pytest.fixture
def hub(transactional_db: None, settings, tmp_path, objectives) -> SimpleNamespace:
    settings.MEDIA_ROOT = tmp_path
    migof = Framework.objects.create(code="MIGOF", name="MIGOF", source="https://www.iom.int/")
    for number in (1, 2, 3):
        FrameworkItem.objects.create(
            framework=migof,
            code=f"MIGOF-TA-{number:02d}",
            kind="thematic-area",
            number=str(number),
            title=f"Thematic area {number}",
            position=number,
            source="https://www.iom.int/",
        )
    ministry = OrganizationFactory(code="HOME", name="Home Ministry of Migration")
    secretariat = OrganizationFactory(
        code="NETWORK", name="Network Secretariat", kind=OrganizationKind.NETWORK_SECRETARIAT
    )

    def member(username: str, role: str, organization: Any) -> Any:
        user = UserFactory(username=username)
        MembershipFactory(user=user, organization=organization, role=role)
        return user

    return SimpleNamespace(
        ministry=ministry,
        author=member("author", Role.CONTRIBUTOR, ministry),
        colleague_reviewer=member("home-reviewer", Role.REVIEWER, ministry),
        editor=member("hub-editor", Role.EDITOR, secretariat),
        reviewers=[
            member("reviewer-one", Role.REVIEWER, OrganizationFactory(code="UNIV")),
            member("reviewer-two", Role.REVIEWER, OrganizationFactory(code="NGO")),
        ],
    )


def signed_in(browser: Any, live_server: Any, username: str) -> tuple[CheckedPage, Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = CheckedPage(context.new_page(), live_server.url)
    page.sign_in(username)
    return page, context


def click_and_check(page: CheckedPage, locator: Any) -> None:
    locator.click()
    page.wait_for_load_state()
    page.check()


def submit_practice(page: CheckedPage, hub: SimpleNamespace) -> Resource:
    page.goto("/hub/resources/")
    click_and_check(page, page.get_by_role("link", name="Submit a resource"))
    page.get_by_label("Organization", exact=True).select_option(str(hub.ministry.pk))
    page.get_by_label("Kind of resource").select_option("practice")
    page.get_by_label("Original language").select_option("en")
    page.locator("#id_title_en").fill(TITLE)
    page.locator("#id_summary_en").fill("Neighbourhood groups welcome refugee families.")
    page.locator("#id_title_fr").fill("Parrainage communautaire des réfugiés")
    page.get_by_label("GCM-O16", exact=False).check()
    page.get_by_label("Thematic area 3").check()
    page.get_by_label("Year").fill("2024")
    page.locator("#id_file").set_input_files(
        files=[
            {
                "name": "sponsorship.pdf",
                "mimeType": "application/pdf",
                "buffer": make_pdf("Evaluation of community sponsorship"),
            }
        ]
    )
    click_and_check(page, page.get_by_role("button", name="Save and submit for peer review"))
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.get_by_text("Submitted. The Hub's editors will screen it")).to_be_visible()
    return Resource.objects.get()


def test_a_practice_is_submitted_reviewed_by_two_and_published_with_the_badge(
    page: CheckedPage, browser, live_server, hub
) -> None:
    # 1. The contributor submits the practice.
    page.sign_in("author")
    practice = submit_practice(page, hub)
    assert practice.status == ResourceStatus.SUBMITTED
    assert practice.files.get().name == "sponsorship.pdf"

    # 2. The editor screens it and assigns two reviewers, never one from the ministry.
    editor, editor_context = signed_in(browser, live_server, "hub-editor")
    try:
        editor.goto("/hub/peer-review/")
        click_and_check(editor, editor.get_by_role("link", name=f"Screen “{TITLE}”"))
        editor.get_by_label("Accept for peer review").check()
        click_and_check(editor, editor.get_by_role("button", name="Record the screening"))
        expect(editor.get_by_text("Accepted for peer review")).to_be_visible()
        expect(editor.get_by_role("button", name="Assign home-reviewer")).to_have_count(0)
        editor.get_by_label("User name of the reviewer").fill("home-reviewer")
        click_and_check(editor, editor.get_by_role("button", name="Assign the reviewer"))
        expect(
            editor.get_by_text("Choose a reviewer from another organization").first
        ).to_be_visible()
        click_and_check(editor, editor.get_by_role("button", name="Assign reviewer-one"))
        click_and_check(editor, editor.get_by_role("button", name="Assign reviewer-two"))
        expect(editor.locator("#resource-status")).to_have_text("In peer review")
        assert ReviewAssignment.objects.count() == 2

        # 3. Each reviewer scores the rubric, blind to the other until sending.
        for number, person in enumerate(hub.reviewers):
            reviewer, context = signed_in(browser, live_server, person.username)
            try:
                reviewer.goto("/hub/reviews/")
                click_and_check(reviewer, reviewer.get_by_role("link", name=TITLE))
                expect(
                    reviewer.get_by_text("Hidden until you send your own review")
                ).to_be_visible()
                for criterion in Criterion:
                    reviewer.locator(
                        f"input[name={criterion.value}][value='{4 + number % 2}']"
                    ).check()
                reviewer.get_by_label("Comments for the editor").fill(
                    f"Reviewer {number + 1}: well evidenced and replicable."
                )
                reviewer.get_by_label("Publish as it is").check()
                click_and_check(reviewer, reviewer.get_by_role("button", name="Send the review"))
                expect(reviewer.get_by_text("Review sent. Thank you.")).to_be_visible()
                if number == 1:
                    expect(reviewer.get_by_text("Reviewer 1: well evidenced")).to_be_visible()
            finally:
                context.close()

        # 4. The editor publishes it.
        editor.goto(f"/hub/peer-review/{practice.pk}/decide/")
        expect(editor.get_by_text("Reviewer 2: well evidenced")).to_be_visible()
        editor.get_by_label("Publish", exact=True).check()
        editor.get_by_label("Reasons").fill("Both reviewers recommend publication.")
        click_and_check(editor, editor.get_by_role("button", name="Record the decision"))
        expect(editor.locator(".peer-reviewed-badge")).to_have_text("Peer reviewed")
    finally:
        editor_context.close()

    practice.refresh_from_db()
    assert practice.status == ResourceStatus.PUBLISHED and practice.peer_reviewed

    # 5. Anyone finds it in the list with the badge; the author sees the decision.
    anonymous = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    try:
        visitor = CheckedPage(anonymous.new_page(), live_server.url)
        visitor.goto("/hub/resources/")
        row = visitor.locator("li", has=visitor.get_by_role("link", name=TITLE))
        expect(row.locator(".peer-reviewed-badge")).to_have_text("Peer reviewed")
        click_and_check(visitor, visitor.get_by_role("link", name=TITLE))
        expect(visitor.locator(".peer-reviewed-badge")).to_be_visible()
        click_and_check(visitor, visitor.get_by_role("link", name="French"))
        expect(
            visitor.get_by_role("heading", name="Parrainage communautaire des réfugiés", level=1)
        ).to_be_visible()
    finally:
        anonymous.close()
    page.goto(practice.get_absolute_url())
    expect(page.get_by_text("Both reviewers recommend publication.")).to_be_visible()
