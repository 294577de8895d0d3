"""Alerts in the browser: a reader follows a GCM objective, the next practice on it is published
after peer review, the alert run e-mails it, and the reader's private Atom feed lists it. A
search made on the search page is saved for alerts too. axe checks every page opened.

The live server runs in a thread of the test process, so Django's locmem outbox is the one the
test reads; the practice is published and the alerts sent through the services, as the editors'
pages and the scheduler would.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest
from django.core import mail
from playwright.sync_api import expect

from migration_hub.accounts.choices import OrganizationKind, Role
from migration_hub.knowledge.choices import Criterion
from migration_hub.knowledge.models import SavedSearch
from migration_hub.knowledge.services import peer_review, resources
from migration_hub.knowledge.services import subscriptions as alerts
from tests.factories import OrganizationFactory, UserFactory

from .conftest import CheckedPage

pytestmark = pytest.mark.browser

ATOM = "{http://www.w3.org/2005/Atom}"
FOLLOW_18 = re.compile(r"^Follow this objective\s*: Objective 18$")
SUBMIT = "main button[type=submit]"


@pytest.fixture
def hub(transactional_db, objectives, make_member, settings, tmp_path) -> SimpleNamespace:
    """A ministry that submits practices, the Network's editor, two reviewers, and a reader."""
    settings.MEDIA_ROOT = tmp_path
    ministry = OrganizationFactory(code="HOME", name="Home Ministry of Migration")
    secretariat = OrganizationFactory(
        code="NETWORK", name="Network Secretariat", kind=OrganizationKind.NETWORK_SECRETARIAT
    )
    return SimpleNamespace(
        ministry=ministry,
        author=make_member(Role.CONTRIBUTOR, ministry, username="author"),
        editor=make_member(Role.EDITOR, secretariat, username="hub-editor"),
        reviewers=[
            make_member(Role.REVIEWER, OrganizationFactory(code="UNIV"), username="reviewer-one"),
            make_member(Role.REVIEWER, OrganizationFactory(code="NGO"), username="reviewer-two"),
        ],
        reader=UserFactory(username="reader"),
    )


def publish_practice(hub: SimpleNamespace, title: str, objectives: tuple[str, ...]) -> object:
    """Submitted, screened, reviewed twice and published, as the editors' pages do it."""
    resource = resources.create_resource(
        hub.author,
        organization=hub.ministry,
        kind="practice",
        language="en",
        translations={"en": {"title": title, "summary": "Results after two years."}},
        objectives=objectives,
    )
    peer_review.submit(hub.author, resource)
    peer_review.screen(hub.editor, resource, accept=True)
    for reviewer in hub.reviewers:
        assignment = peer_review.assign_reviewer(hub.editor, resource, reviewer)
        peer_review.submit_review(
            reviewer,
            assignment,
            scores=dict.fromkeys(Criterion.values, 4),
            comments="Well documented.",
            recommendation="publish",
        )
    peer_review.decide(hub.editor, resource, decision="publish", reasons="A sound practice.")
    return resource


def test_a_reader_follows_an_objective_and_hears_of_the_next_practice(
    page: CheckedPage, hub: SimpleNamespace
) -> None:
    publish_practice(hub, "An older practice on recruitment", ("6",))

    page.sign_in("reader")
    page.goto("/hub/saved-searches/")
    expect(page.get_by_role("heading", name="My saved searches", level=1)).to_be_visible()
    page.get_by_label("GCM objective").select_option(label="Objective 6: Objective 6")
    page.get_by_role("button", name="Follow this objective").click()
    page.wait_for_load_state()
    page.check()
    expect(page.get_by_role("status")).to_contain_text("You now follow “GCM objective 6")
    expect(
        page.get_by_role("heading", name="GCM objective 6: Objective 6", level=2)
    ).to_be_visible()
    saved = SavedSearch.objects.get(user=hub.reader)
    assert saved.filters == {"objectives": ["GCM-O6"]}

    practice = publish_practice(hub, "Fair recruitment corridor <Morocco & Spain>", ("6",))
    publish_practice(hub, "Consular protection abroad", ("14",))
    mail.outbox.clear()

    assert alerts.send_alerts(frequency="daily") == 1
    [message] = [message for message in mail.outbox if message.to == [hub.reader.email]]
    assert "GCM objective 6" in message.subject
    assert "Fair recruitment corridor <Morocco & Spain>" in message.body
    assert practice.get_absolute_url() in message.body
    assert "older practice" not in message.body and "Consular" not in message.body
    assert alerts.send_alerts(frequency="daily") == 0  # the next run sends nothing again

    # The saved search's page lists the practice; its private feed too, read without signing in.
    page.get_by_role("link", name="GCM objective 6: Objective 6", exact=True).click()
    page.wait_for_load_state()
    page.check()
    expect(page.get_by_role("heading", level=1)).to_have_text("GCM objective 6: Objective 6")
    expect(
        page.get_by_role("link", name="Fair recruitment corridor <Morocco & Spain>")
    ).to_be_visible()
    feed_url = page.get_by_role("link", name="/hub/feeds/saved/").get_attribute("href")
    assert saved.feed_token in feed_url
    stranger = page.context.browser.new_context()  # no cookies: a feed reader
    try:
        response = stranger.request.get(feed_url)
        assert response.status == 200
        root = ET.fromstring(response.body())  # noqa: S314 - our own server's feed
        assert stranger.request.get(feed_url.replace(saved.feed_token, "guessed")).status == 404
    finally:
        stranger.close()
    entries = root.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [
        "Fair recruitment corridor <Morocco & Spain>",
        "An older practice on recruitment",
    ]
    link = entries[0].find(f"{ATOM}link").get("href")
    assert link.endswith(practice.get_absolute_url())
    assert page.request.get(link).status == 200


def test_a_search_is_saved_from_the_search_page(page: CheckedPage, hub: SimpleNamespace) -> None:
    publish_practice(hub, "Skills partnerships for labour migration", ("18",))
    page.sign_in("reader")
    page.goto("/hub/search/?q=skills&objective=GCM-O18")
    page.get_by_role("link", name="Save this search and get alerts").click()
    page.wait_for_load_state()
    page.check()
    expect(page.get_by_role("heading", name="Save this search", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("GCM objective 18: Objective 18")
    page.get_by_label("Name of the search").fill("Skills, objective 18")
    page.get_by_label("E-mail me new matches").select_option("weekly")
    page.get_by_role("button", name="Save the search").click()
    page.wait_for_load_state()
    page.check()
    expect(page.get_by_role("status")).to_contain_text("Search saved: “Skills, objective 18”")
    saved = SavedSearch.objects.get(user=hub.reader)
    assert (saved.query, saved.filters, saved.frequency) == (
        "skills",
        {"objectives": ["GCM-O18"]},
        "weekly",
    )

    # Changed to daily, then deleted: nothing more is sent.
    page.get_by_label("E-mail alerts").select_option("daily")
    page.get_by_role("button", name="Change how often “Skills, objective 18” e-mails you").click()
    page.wait_for_load_state()
    page.check()
    saved.refresh_from_db()
    assert saved.frequency == "daily"
    page.get_by_role("button", name="Delete “Skills, objective 18”").click()
    page.wait_for_load_state()
    page.check()
    expect(page.get_by_role("status")).to_contain_text("Saved search deleted")
    assert not SavedSearch.objects.exists()
    publish_practice(hub, "Skills recognition for migrant workers", ("18",))
    mail.outbox.clear()
    assert alerts.send_alerts(frequency="daily") == 0
    assert mail.outbox == []


def test_more_like_this_and_follow_in_one_click(page: CheckedPage, hub: SimpleNamespace) -> None:
    practice = publish_practice(hub, "Skills partnerships for labour migration", ("5", "18"))
    publish_practice(hub, "Recognition of skills of migrant workers", ("18",))
    similar = f"/hub/resources/{practice.pk}/similar/"

    page.goto(similar)
    expect(page.get_by_role("heading", name="More like this", level=2)).to_be_visible()
    block = page.locator("section.more-like-this")
    expect(block.get_by_role("link")).to_have_text(["Recognition of skills of migrant workers"])
    expect(block).to_contain_text("Same GCM objectives: Objective 18")
    page.get_by_role("link", name="Sign in to follow this objective").first.click()
    page.wait_for_load_state()
    page.get_by_label("Username").fill("reader")
    page.get_by_label("Password").fill("correct-horse-battery-9")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{similar}")
    page.check()

    page.get_by_role("button", name=FOLLOW_18).click()
    page.wait_for_url(f"**{similar}")
    page.check()
    expect(page.get_by_role("status")).to_contain_text("You now follow “GCM objective 18")
    page.get_by_role("button", name=FOLLOW_18).click()
    page.wait_for_load_state()
    expect(page.get_by_role("status")).to_contain_text("You already follow")
    saved = SavedSearch.objects.get(user=hub.reader)
    assert saved.filters == {"objectives": ["GCM-O18"]}


def test_my_saved_searches_fit_a_phone(
    browser, live_server, hub: SimpleNamespace, countries
) -> None:
    from migration_hub.knowledge.services import subscriptions

    subscriptions.save_search(
        hub.reader,
        name="A long name for a saved search about labour migration and skills " * 2,
        filters={"objectives": ["5", "18"], "countries": ["MAR", "PHL"]},
    )
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="en-GB")
    try:
        phone = CheckedPage(context.new_page(), live_server.url)
        phone.sign_in("reader")
        phone.goto("/hub/saved-searches/")
        overflow = phone.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        wide = phone.evaluate(
            "[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > 376).slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))"
        )
        assert overflow <= 1, wide
    finally:
        context.close()


def test_the_resource_page_loads_more_like_this_and_follows_its_objective(
    page: CheckedPage, hub: SimpleNamespace
) -> None:
    practice = publish_practice(hub, "Skills partnerships for labour migration", ("18",))
    publish_practice(hub, "Recognition of skills of migrant workers", ("18",))
    page.sign_in("reader")
    page.goto(practice.get_absolute_url())
    block = page.locator("section.more-like-this")  # loaded after the page, by htmx
    expect(block.get_by_role("link")).to_have_text(["Recognition of skills of migrant workers"])
    page.check()
    page.locator("#follow").get_by_role("button", name=FOLLOW_18).click()
    page.wait_for_url(f"**{practice.get_absolute_url()}")
    expect(page.get_by_role("status")).to_contain_text("You now follow “GCM objective 18")
    assert SavedSearch.objects.get(user=hub.reader).filters == {"objectives": ["GCM-O18"]}
