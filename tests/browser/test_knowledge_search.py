"""A person finds a published practice on the Hub with a faceted search and a typo: the "did
you mean" link leads to it, with the filters kept, in a real browser (axe checks every page)."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from migration_hub.core import search as core_search
from migration_hub.knowledge.choices import ResourceStatus
from migration_hub.knowledge.models import Resource
from migration_hub.knowledge.services import resources as resource_services

pytestmark = pytest.mark.browser


def publish(organization, title: str, summary: str, **fields) -> Resource:
    resource = resource_services.create_resource(
        None,
        organization=organization,
        kind=fields.pop("kind", "practice"),
        language="en",
        translations={"en": {"title": title, "summary": summary}},
        **fields,
    )
    Resource.objects.filter(pk=resource.pk).update(
        status=ResourceStatus.PUBLISHED, published_at=timezone.now(), peer_reviewed=True
    )
    resource.refresh_from_db()
    core_search.index_object(resource)
    return resource


@pytest.fixture
def hub(transactional_db, organization, objectives, countries):
    return {
        "practice": publish(
            organization,
            "Ethical recruitment of domestic workers",
            "A bilateral agreement that bans recruitment fees for workers going abroad.",
            objectives=[objectives[6]],
            countries=[countries["KEN"]],
            year=2023,
        ),
        "other_practice": publish(
            organization,
            "Recruitment of seasonal farm workers",
            "Seasonal schemes with fair recruitment.",
            objectives=[objectives[5]],
            year=2022,
        ),
        "guidance": publish(
            organization,
            "Guidance on recruitment fees",
            "What employers pay.",
            kind="guidance",
            objectives=[objectives[6]],
            year=2021,
        ),
        "draft": resource_services.create_resource(
            None,
            organization=organization,
            kind="practice",
            language="en",
            translations={"en": {"title": "Draft on recruitment", "summary": ""}},
            objectives=[objectives[6]],
        ),
    }


def test_a_person_finds_a_practice_with_facets_and_a_typo(page, hub) -> None:
    page.goto("/hub/search/")
    expect(page.get_by_role("heading", name="Search the Hub", level=1)).to_be_visible()
    # Browsing: every published resource, with counts by kind and objective.
    expect(page.get_by_role("status")).to_have_text("3 results")
    page.get_by_label("Practice (2)").check()
    page.get_by_label("Objective 6: Objective 6 (2)").check()
    page.get_by_label("Search words").fill("recrutment")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_load_state()
    page.check()

    # Nothing under the typo, but a suggestion that keeps both filters.
    expect(page.get_by_role("status")).to_have_text("0 results")
    suggestion = page.get_by_role("link", name="recruitment", exact=True)
    expect(suggestion).to_be_visible()
    suggestion.click()
    page.wait_for_load_state()
    page.check()

    assert re.search(r"q=recruitment&kind=practice&objective=GCM-O6", page.url)
    expect(page.get_by_role("status")).to_have_text("1 result")
    # Each facet counts within the words and the other facet: 1 practice on objective 6.
    expect(page.get_by_label("Practice (1)")).to_be_checked()
    expect(page.get_by_label("Objective 6: Objective 6 (1)")).to_be_checked()
    result = page.get_by_role("link", name="Ethical recruitment of domestic workers")
    expect(result).to_be_visible()
    expect(page.locator("mark").first).to_have_text("recruitment")
    expect(page.get_by_text("Draft on recruitment")).to_have_count(0)

    result.click()
    page.wait_for_load_state()
    page.check()
    assert page.url.endswith(hub["practice"].get_absolute_url())
    expect(
        page.get_by_role("heading", name="Ethical recruitment of domestic workers", level=1)
    ).to_be_visible()


def test_the_search_page_works_without_javascript(browser, live_server, hub) -> None:
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    try:
        plain = context.new_page()
        plain.goto(f"{live_server.url}/hub/search/?q=recruitment&kind=practice")
        expect(plain.get_by_role("status")).to_have_text("2 results")
        plain.get_by_label("Objective 6: Objective 6 (1)").check()
        plain.get_by_role("button", name="Apply the filters").click()
        plain.wait_for_load_state()
        expect(plain.get_by_role("status")).to_have_text("1 result")
        assert "objective=GCM-O6" in plain.url
    finally:
        context.close()


def test_the_search_page_fits_a_phone(page, hub) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/hub/search/?q=recruitment")
    expect(page.get_by_role("status")).to_have_text("3 results")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
