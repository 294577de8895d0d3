"""The Connection Hub in the browser: a ministry posts a demand, sees the offer and the expert
ranked for it with the reasons, matches both, starts the work, reports the outcome, and the
demand shows completed. axe checks every page opened; the demand page fits a phone."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from migration_hub.core.choices import Role
from migration_hub.knowledge.choices import DemandStatus
from migration_hub.knowledge.models import Demand
from migration_hub.knowledge.services import connection, experts
from migration_hub.registry.models import Framework, FrameworkItem
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

from .conftest import CheckedPage

pytestmark = pytest.mark.browser

SUBMIT = "main button[type=submit]"  # the header's first submit button is the language form


@pytest.fixture
def hub(transactional_db, countries, objectives) -> SimpleNamespace:
    migof = Framework.objects.create(code="MIGOF", name="MIGOF", source="https://www.iom.int")
    theme = FrameworkItem.objects.create(
        framework=migof,
        code="MIGOF-TA-05",
        kind="thematic-area",
        number="5",
        title="Counter-trafficking",
        short_title="Counter-trafficking",
        position=5,
        source="https://www.iom.int",
    )
    ministry = OrganizationFactory(
        code="MIN", name="Ministry of Interior of Kenya", country=countries["KEN"]
    )
    partner = OrganizationFactory(code="PARTNER", name="Partner Training Institute")
    writer = UserFactory(username="ministry-writer")
    MembershipFactory(user=writer, organization=ministry, role=Role.CONTRIBUTOR)
    partner_writer = UserFactory(username="partner-writer")
    MembershipFactory(user=partner_writer, organization=partner, role=Role.EDITOR)
    offer = connection.post_offer(
        partner_writer,
        organization=partner,
        title="Counter-trafficking training for border officials",
        description="A two-week course on screening and referral of trafficking victims.",
        objectives=[objectives[10]],
        themes=[theme],
        countries=["KEN"],
        languages=["en"],
    )
    expert = experts.save_profile(
        None,
        user=UserFactory(username="expert-anna"),
        display_name="Anna Okafor",
        headline="Counter-trafficking trainer",
        bio="Trains border officials on screening trafficking victims.",
        objectives=[objectives[10]],
        themes=[theme],
        languages=["en"],
        countries=["KEN"],
        opted_in=True,
    )
    return SimpleNamespace(ministry=ministry, offer=offer, expert=expert)


def status_is(page: CheckedPage, label: str) -> None:
    expect(page.locator("#demand-status")).to_contain_text(label)
    page.check()


def test_a_ministry_sees_a_demand_through_to_its_outcome(page: CheckedPage, hub) -> None:
    page.sign_in("ministry-writer")
    page.goto("/hub/connection/")
    page.get_by_role("link", name="Post a demand").click()
    page.wait_for_url("**/connection/demands/new/")
    page.check()
    expect(page.get_by_label("Requesting organization")).to_have_value(str(hub.ministry.pk))
    page.get_by_label("Title").fill("Training on trafficking screening at borders")
    page.get_by_label("What is needed").fill(
        "Border officials need training on screening and referral of trafficking victims."
    )
    page.get_by_label("Objective 10: Objective 10", exact=True).check()
    page.get_by_label("Counter-trafficking", exact=True).check()
    page.get_by_label("Country").select_option("KEN")
    page.get_by_label("Needed by").fill("2030-01-31")
    page.get_by_label("Working language").select_option("en")
    page.locator(SUBMIT).first.click()
    page.wait_for_url("**/connection/demands/*/")
    demand = Demand.objects.get()
    status_is(page, "Open")
    expect(page.get_by_text("Demand posted.")).to_be_visible()

    offers = page.locator("#ranked-offers")
    expect(offers.get_by_role("heading", name=hub.offer.title)).to_be_visible()
    expect(offers.get_by_text("Works on objective 10")).to_be_visible()
    expect(offers.get_by_text("Covers Kenya")).to_be_visible()
    expert = page.locator("#ranked-experts")
    expect(expert.get_by_role("heading", name="Anna Okafor")).to_be_visible()
    expect(expert.get_by_text("Works in Kenya")).to_be_visible()

    offers.get_by_role("button", name="Match with this offer").click()
    page.wait_for_load_state()
    status_is(page, "Matched")
    expect(page.locator("#demand-match")).to_contain_text(hub.offer.title)
    page.locator("#ranked-experts").get_by_role("button", name="Match with this expert").click()
    page.wait_for_load_state()
    expect(page.locator("#demand-match")).to_contain_text("Anna Okafor")
    expect(page.locator("#demand-match")).to_contain_text(hub.offer.title)

    page.get_by_role("button", name="Start the work").click()
    page.wait_for_load_state()
    status_is(page, "In progress")

    page.get_by_label("Outcome report").fill(
        "120 border officials trained; a referral procedure with two shelters adopted."
    )
    page.get_by_role("button", name="Report the outcome").click()
    page.wait_for_load_state()
    status_is(page, "Completed")
    expect(page.locator("#demand-outcome")).to_contain_text("120 border officials trained")
    expect(page.get_by_role("button", name="Turn the outcome into a practice")).to_be_visible()

    demand.refresh_from_db()
    assert demand.status == DemandStatus.COMPLETED
    assert (demand.matched_offer, demand.matched_expert) == (hub.offer, hub.expert)

    # The finished demand on a phone, and in the public list.
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(demand.get_absolute_url())
    status_is(page, "Completed")
    page.goto("/hub/connection/?status=completed")
    expect(page.locator("#demand-table")).to_contain_text(demand.title)


def test_a_partner_posts_an_offer(page: CheckedPage, hub) -> None:
    page.sign_in("partner-writer")
    page.goto("/hub/connection/offers/")
    page.get_by_role("link", name="Post an offer").click()
    page.wait_for_url("**/connection/offers/new/")
    page.check()
    page.get_by_label("Title").fill("Peer exchange on labour migration")
    page.get_by_label("What you offer").fill("Study visits between labour ministries.")
    page.get_by_label("Objective 6: Objective 6", exact=True).check()
    page.get_by_label("Countries covered").select_option(["KEN", "UGA"])
    page.get_by_label("French", exact=True).check()
    page.locator(SUBMIT).first.click()
    page.wait_for_url("**/connection/offers/*/")
    page.check()
    expect(page.get_by_role("heading", level=1)).to_have_text("Peer exchange on labour migration")
    expect(page.locator("main")).to_contain_text("Kenya, Uganda")
    page.goto("/hub/connection/offers/?country=KEN")
    expect(page.locator("#offer-table")).to_contain_text("Peer exchange on labour migration")
