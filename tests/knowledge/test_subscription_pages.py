"""The pages of saved searches and the Atom feeds: what a person sees and can do, and what a
feed reader gets."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from migration_hub.knowledge.choices import DigestFrequency
from migration_hub.knowledge.models import SavedSearch
from migration_hub.knowledge.services import subscriptions as services

from ..factories import UserFactory
from .test_subscriptions import HOSTILE, make_resource, publish

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def reader(db):
    return UserFactory(username="reader")


@pytest.fixture
def hub(
    author, organization, hub_editor, reviewers, objectives, django_capture_on_commit_callbacks
):
    def new(title, *, objectives=("3",), summary="", publish_it=True, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            resource = make_resource(
                author, organization, title, objectives=objectives, summary=summary, **extra
            )
            if publish_it:
                resource = publish(resource, author, hub_editor, reviewers)
        return resource

    return new


def parse_feed(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own server's feed
    assert root.tag == f"{ATOM}feed"
    entries = [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "summary": entry.findtext(f"{ATOM}summary"),
            "updated": entry.findtext(f"{ATOM}updated"),
            "id": entry.findtext(f"{ATOM}id"),
        }
        for entry in root.findall(f"{ATOM}entry")
    ]
    return root, entries


# --- My saved searches ----------------------------------------------------------------------------


def test_pages_need_an_account(client, objectives):
    for name in ("knowledge:saved_search_list", "knowledge:saved_search_create"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    response = client.post(reverse("knowledge:subscribe"), {"field": "objective", "value": "3"})
    assert response.status_code == 302
    assert not SavedSearch.objects.exists()


def test_list_shows_only_my_searches_and_others_answer_404(client_for, reader, objectives):
    mine = services.save_search(reader, name="Mine", filters={"objectives": ["3"]})
    stranger = UserFactory(username="stranger")
    theirs = services.save_search(stranger, name="Theirs", query="secret words")
    client = client_for(reader)
    page = client.get(reverse("knowledge:saved_search_list")).content.decode()
    assert "Mine" in page and "GCM objective 3: Objective 3" in page
    assert "Theirs" not in page and "secret words" not in page
    assert theirs.feed_token not in page
    assert mine.feed_token in page
    for name in ("saved_search_detail",):
        assert client.get(reverse(f"knowledge:{name}", args=[theirs.pk])).status_code == 404
    for name in ("saved_search_frequency", "saved_search_delete", "saved_search_token"):
        assert client.post(reverse(f"knowledge:{name}", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"


def test_save_this_search_from_a_search_query_string(client_for, reader, objectives):
    client = client_for(reader)
    querystring = urlencode({"q": "labour mobility", "objective": "GCM-O5", "kind": "practice"})
    form = client.get(reverse("knowledge:saved_search_create"), {"querystring": querystring})
    assert form.status_code == 200
    assert "GCM objective 5: Objective 5" in form.content.decode()
    response = client.post(
        reverse("knowledge:saved_search_create"),
        {"querystring": querystring, "name": "", "frequency": "weekly"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("knowledge:saved_search_list")
    saved = SavedSearch.objects.get(user=reader)
    assert saved.query == "labour mobility"
    assert saved.filters == {"kinds": ["practice"], "objectives": ["GCM-O5"]}
    assert saved.frequency == DigestFrequency.WEEKLY
    listing = client.get(reverse("knowledge:saved_search_list")).content.decode()
    assert "Search saved" in listing


def test_save_form_shows_errors_and_saves_nothing(client_for, reader, objectives):
    client = client_for(reader)
    response = client.post(
        reverse("knowledge:saved_search_create"),
        {"querystring": "q=" + "x" * 600, "name": "Too long", "frequency": "hourly"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was saved" in page
    assert not SavedSearch.objects.exists()
    response = client.post(
        reverse("knowledge:saved_search_create"),
        {"querystring": "q=" + "x" * 600, "name": "Too long", "frequency": "daily"},
    )
    assert response.status_code == 400
    assert "under 500 characters" in response.content.decode()
    assert not SavedSearch.objects.exists()


def test_hostile_names_and_words_are_shown_as_text(client_for, reader, objectives):
    saved = services.save_search(reader, name=HOSTILE, query=HOSTILE)
    client = client_for(reader)
    for url in (
        reverse("knowledge:saved_search_list"),
        reverse("knowledge:saved_search_detail", args=[saved.pk]),
        reverse("knowledge:saved_search_create") + "?" + urlencode({"querystring": "q=" + HOSTILE}),
    ):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page
        assert "&lt;script&gt;" in page


def test_follow_an_objective_in_one_click(client_for, reader, objectives):
    client = client_for(reader)
    follow = {"field": "objective", "value": "GCM-O3", "next": "/hub/resources/1/"}
    response = client.post(reverse("knowledge:subscribe"), follow, follow=True)
    assert response.redirect_chain[0][0] == "/hub/resources/1/"
    saved = SavedSearch.objects.get(user=reader)
    assert saved.filters == {"objectives": ["GCM-O3"]}
    assert saved.frequency == DigestFrequency.DAILY
    response = client.post(reverse("knowledge:subscribe"), follow)
    assert SavedSearch.objects.filter(user=reader).count() == 1
    # An address elsewhere is never followed back; a bad value saves nothing.
    response = client.post(
        reverse("knowledge:subscribe"),
        {"field": "objective", "value": "GCM-O99", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("knowledge:saved_search_list")
    response = client.post(
        reverse("knowledge:subscribe"), {"field": "password", "value": "x", "next": "//evil"}
    )
    assert response["Location"] == reverse("knowledge:saved_search_list")
    assert SavedSearch.objects.filter(user=reader).count() == 1


def test_change_frequency_regenerate_feed_and_delete(client_for, reader, objectives):
    saved = services.save_search(reader, name="Objective 3", filters={"objectives": ["3"]})
    client = client_for(reader)
    list_url = reverse("knowledge:saved_search_list")
    response = client.post(
        reverse("knowledge:saved_search_frequency", args=[saved.pk]),
        {f"s{saved.pk}-frequency": "immediate"},
    )
    assert response["Location"] == list_url
    saved.refresh_from_db()
    assert saved.frequency == DigestFrequency.IMMEDIATE
    client.post(
        reverse("knowledge:saved_search_frequency", args=[saved.pk]),
        {f"s{saved.pk}-frequency": "hourly"},
    )
    saved.refresh_from_db()
    assert saved.frequency == DigestFrequency.IMMEDIATE

    old_feed = reverse("knowledge:saved_search_feed", args=[saved.feed_token])
    client.post(reverse("knowledge:saved_search_token", args=[saved.pk]))
    saved.refresh_from_db()
    assert client.get(old_feed).status_code == 404
    new_feed = reverse("knowledge:saved_search_feed", args=[saved.feed_token])
    assert client.get(new_feed).status_code == 200

    response = client.post(reverse("knowledge:saved_search_delete", args=[saved.pk]))
    assert response["Location"] == list_url
    assert not SavedSearch.objects.exists()
    assert client.get(new_feed).status_code == 404


# --- Feeds ----------------------------------------------------------------------------------------


def test_private_feed_lists_the_matches_without_signing_in(client, reader, hub):
    saved = services.save_search(reader, name=HOSTILE, filters={"objectives": ["3"]})
    practice = hub(HOSTILE + " & partners", summary="<b>Bold</b> claims & <script>x</script>")
    hub("On another objective", objectives=("9",))
    hub("Draft on objective 3", publish_it=False)
    response = client.get(reverse("knowledge:saved_search_feed", args=[saved.feed_token]))
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "private" in response["Cache-Control"]
    raw = response.content.decode()
    assert "<script>" not in raw
    root, entries = parse_feed(response)
    assert root.findtext(f"{ATOM}title") == f"Migration Network Hub: {HOSTILE}"
    assert [entry["title"] for entry in entries] == [HOSTILE + " & partners"]
    [entry] = entries
    assert entry["link"] == "http://testserver" + practice.get_absolute_url()
    assert entry["id"] == entry["link"]
    assert entry["updated"]
    # Atom's summary is HTML: the resource's text is escaped in it, so readers show it as text.
    assert entry["summary"] == "&lt;b&gt;Bold&lt;/b&gt; claims &amp; &lt;script&gt;x&lt;/script&gt;"
    assert client.get(practice.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("token", ["not-a-token", "x" * 65, "%3Cscript%3E", "' OR 1=1 --"])
def test_unknown_feed_token_answers_404(client, reader, objectives, token):
    services.save_search(reader, name="Real", filters={"objectives": ["3"]})
    assert client.get(f"/hub/feeds/saved/{token}/").status_code == 404


def test_feed_of_an_inactive_account_answers_404(client, reader, objectives):
    saved = services.save_search(reader, name="Real", filters={"objectives": ["3"]})
    reader.is_active = False
    reader.save()
    assert (
        client.get(reverse("knowledge:saved_search_feed", args=[saved.feed_token])).status_code
        == 404
    )


def test_public_feed_filters_by_the_query_string(client, hub):
    recruitment = hub("Fair recruitment corridor", objectives=("6",))
    hub("Return and reintegration", objectives=("21",))
    hub("Draft on recruitment", objectives=("6",), publish_it=False)
    feed = reverse("knowledge:resource_feed")
    _root, everything = parse_feed(client.get(feed))
    assert [entry["title"] for entry in everything] == [
        "Return and reintegration",
        "Fair recruitment corridor",
    ]
    root, entries = parse_feed(client.get(feed, {"objective": "GCM-O6"}))
    assert [entry["title"] for entry in entries] == ["Fair recruitment corridor"]
    assert entries[0]["link"].endswith(recruitment.get_absolute_url())
    assert "GCM objective 6" in root.findtext(f"{ATOM}title")
    _root, entries = parse_feed(client.get(feed, {"q": "recruit", "kind": "practice"}))
    assert [entry["title"] for entry in entries] == ["Fair recruitment corridor"]


@pytest.mark.parametrize(
    "query",
    [
        {"q": '"unbalanced ( NEAR AND * -'},
        {"q": "-"},
        {"q": "x" * 5000},
        {"q": HOSTILE, "objective": HOSTILE},
        {"objective": "GCM-O99", "country": "??", "year": "not-a-year", "reviewed": "maybe"},
        {"q": "a\x01b\u202e"},
    ],
)
def test_public_feed_never_fails_on_bad_input(client, objectives, query):
    response = client.get(reverse("knowledge:resource_feed"), query)
    root, _entries = parse_feed(response)
    assert "<script>" not in response.content.decode()
    assert root.findtext(f"{ATOM}title").startswith("New on the Migration Network Hub")


# --- More like this -------------------------------------------------------------------------------


def test_more_like_this_page_and_block(client, hub, settings):
    settings.KNOWLEDGE_SEMANTIC = False
    practice = hub("Skills partnerships for labour migration", objectives=("5", "18"))
    hub("Skills recognition for migrant workers", objectives=("18",))
    hub("Consular protection abroad", objectives=("14",))
    draft = hub("Unpublished skills draft", objectives=("18",), publish_it=False)
    url = reverse("knowledge:resource_similar", args=[practice.pk])
    page = client.get(url).content.decode()
    assert "More like this" in page
    assert "Skills recognition for migrant workers" in page
    assert "Same GCM objectives" in page
    assert "Consular protection" not in page
    assert "Unpublished skills draft" not in page
    block = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in block and "Skills recognition for migrant workers" in block
    assert client.get(reverse("knowledge:resource_similar", args=[draft.pk])).status_code == 404


def test_save_search_button_partial_saves_the_current_search(rf, client_for, reader, objectives):
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    querystring = "q=return&objective=GCM-O21&page=3"
    request = rf.get("/hub/search/?" + querystring)
    request.user = reader
    html = render_to_string(
        "knowledge/subscriptions/save_search_button.html",
        {"querystring": querystring},
        request=request,
    )
    assert 'name="querystring" value="q=return&amp;objective=GCM-O21&amp;page=3"' in html
    assert "Save this search" in html
    response = client_for(reader).post(
        reverse("knowledge:saved_search_create"),
        {"querystring": querystring, "frequency": "immediate"},
    )
    assert response.status_code == 302
    saved = SavedSearch.objects.get(user=reader)
    assert (saved.query, saved.filters, saved.frequency) == (
        "return",
        {"objectives": ["GCM-O21"]},
        "immediate",
    )
    request.user = AnonymousUser()
    html = render_to_string("knowledge/subscriptions/save_search_button.html", request=request)
    assert "Sign in to save this search" in html
    assert "/hub/feeds/resources/?q=return&amp;objective=GCM-O21" in html


def test_general_resources_are_followed_as_the_search_page_names_them(client_for, reader, hub):
    hub("About the GCM as a whole", objectives=(), is_general=True)
    hub("On objective 4", objectives=("4",))
    _words, filters = services.filters_from_query({"objective": "general"})
    assert filters == {"objectives": ["general"]}
    saved = services.save_search(reader, filters=filters)
    assert saved.name == "The GCM in general"
    assert [row.title for row in services.matching_resources(saved)] == ["About the GCM as a whole"]
