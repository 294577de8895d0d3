"""The search page /hub/search/: a GET form that works without JavaScript, with kind tabs, facet
checkboxes and counts, sort, pages and a "did you mean" link, all in the address."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from migration_hub.core import search as core_search
from migration_hub.knowledge.choices import ResourceStatus
from migration_hub.knowledge.models import ExpertProfile, Resource
from migration_hub.knowledge.services import resources as resource_services
from tests.factories import UserFactory

from .test_search import HOSTILE_QUERIES

pytestmark = pytest.mark.django_db

URL = "/hub/search/"


def published(organization, title: str, summary: str = "", **fields) -> Resource:
    resource = resource_services.create_resource(
        None,
        organization=organization,
        kind=fields.pop("kind", "practice"),
        language=fields.pop("language", "en"),
        translations={"en": {"title": title, "summary": summary}},
        **fields,
    )
    Resource.objects.filter(pk=resource.pk).update(
        status=ResourceStatus.PUBLISHED, published_at=timezone.now()
    )
    resource.refresh_from_db()
    core_search.index_object(resource)
    return resource


@pytest.fixture
def shelf(organization, objectives, countries):
    return {
        "kenya": published(
            organization,
            "Labour migration in Kenya",
            "Fair recruitment of workers.",
            objectives=[objectives[6]],
            countries=[countries["KEN"]],
            year=2021,
        ),
        "guide": published(
            organization,
            "Labour statistics guide",
            "Counting workers.",
            kind="guidance",
            objectives=[objectives[1]],
            year=2020,
        ),
    }


def test_the_page_is_public_and_lists_resources_with_facets(client, shelf) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<form method="get" action="/hub/search/" id="hub-search" role="search"' in html
    assert 'form="hub-search" name="kind" value="practice"' in html
    assert '<label for="search-q">Search words</label>' in html
    assert "Labour migration in Kenya" in html and "Labour statistics guide" in html
    # Facet checkboxes with labels and counts.
    assert 'name="kind" value="practice"' in html
    assert "Practice (1)" in html and "Guidance (1)" in html
    assert "Objective 6: Objective 6 (1)" in html
    assert "Kenya (1)" in html


def test_a_faceted_search_is_all_in_the_address(client, shelf) -> None:
    response = client.get(URL, {"q": "labour", "kind": "guidance", "sort": "date"})
    html = response.content.decode()
    assert [result.title for result in response.context["found"].results] == [
        "Labour statistics guide"
    ]
    assert "<mark>Labour</mark> statistics guide" in html
    assert "in Kenya" not in html
    # The ticked box stays ticked; the other value still shows its count.
    assert 'name="kind" value="guidance" id="facet-kind-1" checked' in html
    assert "Practice (1)" in html
    # Tabs keep the words and filters.
    assert "?q=labour&amp;kind=guidance&amp;type=expert&amp;sort=date" in html
    assert '<option value="date" selected>' in html


def test_snippets_are_highlighted_and_escaped(client, organization) -> None:
    published(
        organization, "<img src=x onerror=alert(1)> Remittances", "Cheaper <b>remittances</b>."
    )
    html = client.get(URL, {"q": "remittance"}).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt; <mark>Remittances</mark>" in html
    assert "Cheaper &lt;b&gt;<mark>remittances</mark>&lt;/b&gt;." in html
    assert "<img src=x" not in html


def test_a_typo_offers_a_link_that_keeps_the_filters(client, shelf) -> None:
    response = client.get(URL, {"q": "labuor", "kind": "practice"})
    assert response.context["found"].total == 0
    assert response.context["found"].suggestion == "labour"
    html = response.content.decode()
    assert 'Did you mean <a href="?q=labour&amp;kind=practice">labour</a>?' in html
    followed = client.get(URL + response.context["suggestion_url"])
    assert [result.title for result in followed.context["found"].results] == [
        "Labour migration in Kenya"
    ]


def test_kind_tabs_and_counts(client, shelf, viewer) -> None:
    ExpertProfile.objects.create(
        user=UserFactory(username="labour-expert"),
        display_name="Labour Expert",
        headline="Labour markets",
        opted_in=True,
    )
    core_search.index_object(ExpertProfile.objects.get(display_name="Labour Expert"))
    html = client.get(URL, {"q": "labour"}).content.decode()
    assert 'aria-current="page">All (3)</a>' in html
    assert "Resources (2)" in html and "Experts (1)" in html
    experts = client.get(URL, {"q": "labour", "type": "expert"})
    assert [result.title for result in experts.context["found"].results] == ["Labour Expert"]
    assert 'aria-current="page">Experts (1)</a>' in experts.content.decode()
    assert '<input type="hidden" name="type" value="expert">' in experts.content.decode()


def test_pages_link_to_each_other(client, organization) -> None:
    for number in range(23):
        published(organization, f"Integration note {number}")
    first = client.get(URL, {"q": "integration"})
    html = first.content.decode()
    assert "Page 1 of 2" in html
    assert 'href="?q=integration&amp;page=2" rel="next"' in html
    second = client.get(URL, {"q": "integration", "page": "2"})
    assert len(second.context["found"].results) == 3
    assert 'href="?q=integration&amp;page=1" rel="prev"' in second.content.decode()
    for nonsense in ("0", "-1", "abc", "99999999999999999999", "2.5"):
        assert client.get(URL, {"q": "integration", "page": nonsense}).status_code == 200


def test_signed_in_people_can_save_the_search(client_for, viewer, shelf) -> None:
    html = client_for(viewer).get(URL, {"q": "labour", "kind": "practice"}).content.decode()
    link = next(
        part.split('"')[0] for part in html.split('href="')[1:] if "saved-searches/save" in part
    )
    querystring = parse_qs(urlsplit(link.replace("&amp;", "&")).query)["querystring"][0]
    assert querystring == "q=labour&kind=practice"


def test_hostile_addresses_answer_200(client, shelf) -> None:
    for query in HOSTILE_QUERIES:
        response = client.get(URL, {"q": query, "kind": ['"', "practice"], "type": "*"})
        # An address with a NUL character is refused before any view (core.middleware).
        assert response.status_code == (400 if "\x00" in query else 200), query
    for params in (
        {"objective": "x" * 5000},
        {"sort": "NEAR"},
        {"type": "registry"},
        {"year": "2021)"},
        {"country": ["KEN"] * 100},
    ):
        assert client.get(URL, params).status_code == 200, params


def test_the_query_is_shown_back_escaped(client, db) -> None:
    html = client.get(URL, {"q": '"><script>alert(1)</script>'}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html


def test_the_page_has_a_query_budget(client, shelf, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(20):
        client.get(URL, {"q": "labour", "kind": "practice", "objective": "GCM-O6"})
