"""The Hub's API as its people call it: resources in the reader's language with versions,
conflicts (409) and files; peer review step by step, blind for reviewers; calls; one search
box that takes any text; experts who opted out absent everywhere and no e-mail address in any
payload; discussions with hidden posts; the Connection Hub from demand to practice; saved
searches kept private; and a clean OpenAPI schema."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from migration_hub.core.choices import Role
from migration_hub.knowledge.choices import DemandStatus, ResourceStatus
from migration_hub.knowledge.models import (
    Demand,
    Post,
    Resource,
    ResourceVersion,
    ReviewAssignment,
    SavedSearch,
)
from migration_hub.knowledge.services import (
    discussions,
    experts,
    peer_review,
    resources,
    subscriptions,
)

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

API = "/api/knowledge"
RESOURCES = f"{API}/resources/"
SCORES = {
    "relevance": 5,
    "evidence": 4,
    "human_rights": 4,
    "gender": 3,
    "child": 3,
    "sustainability": 4,
    "replicability": 5,
}
HOSTILE_QUERIES = [
    '"',
    '"unbalanced',
    "*",
    "mig*",
    "NEAR",
    "labour NEAR/3 migration",
    "AND",
    "OR NOT AND",
    "(labour",
    "labour)",
    "((()",
    "-",
    "- labour",
    "title:labour",
    "^labour",
    "'; DROP TABLE knowledge_resource; --",
    "<script>alert(1)</script>",
    "\u0645\u0647\u0627\u062c\u0631",
    "x" * 5000,
    "labour " * 800,
]


@pytest.fixture
def as_user():
    """A client of its own per person, so that several people can take turns in one test."""

    def sign_in(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return sign_in


def url(path: str) -> str:
    return f"{API}/{path}"


def new_resource(author, organization, objectives, themes, **changes) -> Resource:
    values = {
        "organization": organization,
        "kind": "practice",
        "language": "en",
        "translations": {
            "en": {
                "title": "Skills passport for returning workers",
                "summary": "Recognising skills learned abroad.",
            },
            "fr": {
                "title": "Passeport de compétences pour les travailleurs de retour",
                "summary": "Reconnaître les compétences acquises à l'étranger.",
            },
        },
        "objectives": [objectives[18]],
        "themes": [themes[1]],
        "year": 2023,
    }
    values.update(changes)
    return resources.create_resource(author, **values)


def publish(resource, author, hub_editor, reviewers) -> Resource:
    peer_review.submit(author, resource)
    peer_review.screen(hub_editor, resource, accept=True)
    for reviewer in reviewers:
        peer_review.assign_reviewer(hub_editor, resource, reviewer)
    for reviewer in reviewers:
        assignment = ReviewAssignment.objects.get(resource=resource, reviewer=reviewer)
        peer_review.submit_review(
            reviewer, assignment, scores=SCORES, comments="Solid.", recommendation="publish"
        )
    peer_review.decide(hub_editor, resource, decision="publish", reasons="Two reviews agree.")
    resource.refresh_from_db()
    return resource


@pytest.fixture
def draft(author, organization, objectives, themes, countries) -> Resource:
    return new_resource(author, organization, objectives, themes, countries=[countries["KEN"]])


@pytest.fixture
def published(author, organization, objectives, themes, hub_editor, reviewers, countries):
    resource = new_resource(
        author,
        organization,
        objectives,
        themes,
        translations={
            "en": {"title": "Fair recruitment of labour migrants", "summary": "No fees."}
        },
        countries=[countries["SEN"]],
    )
    return publish(resource, author, hub_editor, reviewers)


def no_address(payload) -> None:
    """No e-mail address anywhere in a payload."""
    text = json.dumps(payload)
    assert "@example.org" not in text and "email" not in text


# Reading resources ------------------------------------------------------------------------------


def test_anonymous_reads_published_resources_only(api_client, draft, published) -> None:
    listed = api_client.get(RESOURCES).json()
    assert [row["id"] for row in listed["results"]] == [published.pk]
    assert api_client.get(f"{RESOURCES}{published.pk}/").status_code == 200
    assert api_client.get(f"{RESOURCES}{draft.pk}/").status_code == 404
    assert api_client.post(RESOURCES, {}, format="json").status_code == 401


def test_drafts_are_seen_by_their_organization_and_editors_only(
    as_user, draft, author, colleague, hub_editor, reviewers, make_member, other_organization
) -> None:
    outsider = make_member(Role.EDITOR, other_organization)
    for person, visible in (
        (author, True),
        (colleague, True),
        (hub_editor, True),
        (reviewers[0], False),
        (outsider, False),
    ):
        client = as_user(person)
        ids = [row["id"] for row in client.get(RESOURCES).json()["results"]]
        assert (draft.pk in ids) is visible
        assert client.get(f"{RESOURCES}{draft.pk}/").status_code == (200 if visible else 404)
    response = as_user(outsider).patch(
        f"{RESOURCES}{draft.pk}/", {"expected_version": 1, "year": 2020}, format="json"
    )
    assert response.status_code == 404


def test_title_and_summary_in_the_readers_language_with_every_translation(
    api_client, published, draft, as_user, author
) -> None:
    body = api_client.get(f"{RESOURCES}{published.pk}/", {"lang": "fr"}).json()
    # No French translation: the original (English) is shown, and said so.
    assert body["shown_language"] == "en" and body["title"] == "Fair recruitment of labour migrants"
    client = as_user(author)
    french = client.get(f"{RESOURCES}{draft.pk}/", {"lang": "fr"}).json()
    assert french["shown_language"] == "fr"
    assert french["title"] == "Passeport de compétences pour les travailleurs de retour"
    assert {row["language"] for row in french["translations"]} == {"en", "fr"}
    header = client.get(f"{RESOURCES}{draft.pk}/", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert header["title"] == french["title"]
    english = client.get(RESOURCES, {"lang": "en"}).json()["results"]
    assert {row["title"] for row in english} >= {"Skills passport for returning workers"}
    assert client.get(RESOURCES, {"lang": "klingon"}).status_code == 400


def test_list_filters_and_query_budget(
    api_client, published, countries, django_assert_max_num_queries
) -> None:
    assert api_client.get(RESOURCES, {"country": "SEN"}).json()["count"] == 1
    assert api_client.get(RESOURCES, {"country": "FRA"}).json()["count"] == 0
    assert api_client.get(RESOURCES, {"objective": "18"}).json()["count"] == 1
    assert api_client.get(RESOURCES, {"objective": "GCM-O18"}).json()["count"] == 1
    assert api_client.get(RESOURCES, {"objective": "GCM-O2"}).json()["count"] == 0
    assert api_client.get(RESOURCES, {"theme": "MIGOF-TA-01"}).json()["count"] == 1
    assert api_client.get(RESOURCES, {"theme": "1"}).json()["count"] == 1
    assert api_client.get(RESOURCES, {"theme": "2"}).json()["count"] == 0
    assert api_client.get(RESOURCES, {"principle": "F"}).json()["count"] == 0
    assert api_client.get(RESOURCES, {"kind": "practice"}).json()["count"] == 1
    assert api_client.get(RESOURCES, {"peer_reviewed": "true"}).json()["count"] == 1
    assert api_client.get(RESOURCES, {"q": "recruitment"}).json()["count"] == 1
    assert api_client.get(RESOURCES, {"q": "passport"}).json()["count"] == 0
    assert api_client.get(RESOURCES, {"kind": "galactic"}).status_code == 400
    assert api_client.get(RESOURCES, {"year": "99999999999"}).status_code == 400
    with django_assert_max_num_queries(14):
        assert api_client.get(RESOURCES).status_code == 200


# Writing resources ------------------------------------------------------------------------------


def test_a_contributor_creates_a_draft_and_html_stays_data(
    as_user, author, objectives, countries
) -> None:
    hostile = '<script>alert("x")</script><b onmouseover="x()">Bold</b>'
    response = as_user(author).post(
        RESOURCES,
        {
            "organization": "HOME",
            "kind": "tool",
            "language": "en",
            "translations": {"en": {"title": hostile, "summary": "<img src=x onerror=alert(1)>"}},
            "objectives": ["GCM-O7"],
            "countries": ["KEN"],
            "authors": ["A. Author"],
            "year": 2024,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["title"] == hostile  # returned as data, escaped by whoever renders it
    assert body["summary"] == "<img src=x onerror=alert(1)>"
    assert body["status"] == "draft" and body["version"] == 1
    assert body["objectives"] == ["GCM-O7"] and body["countries"] == ["KEN"]
    assert ResourceVersion.objects.filter(resource_id=body["id"]).count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "galactic"}, "kind"),
        ({"language": "xx"}, "language"),
        ({"translations": {}}, "translations"),
        ({"translations": {"fr": {"title": "Seulement en français"}}}, "translations"),
        ({"translations": {"tlh": {"title": "Klingon"}}}, "translations"),
        ({"translations": {"en": {"summary": "no title"}}}, "translations"),
        ({"objectives": ["GCM-O99"]}, "objectives"),
        ({"objectives": ["MIGOF-TA-01"]}, "objectives"),
        ({"countries": ["XXX"]}, "countries"),
        ({"countries": ["K\x00N"]}, "countries"),
        ({"organization": "HO\x00ME"}, "organization"),
        ({"year": 1492}, "year"),
        ({"link": "javascript:alert(1)"}, "link"),
        ({"organization": "NOPE"}, "organization"),
        ({"organization": "OTHER"}, "organization"),
        ({"is_general": True}, "is_general"),
        ({"colour": "red"}, "colour"),
        ({"translations": {"en": {"title": "nul \x00 byte"}}}, "translations"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    as_user, author, objectives, countries, other_organization, change, field
) -> None:
    body = {
        "organization": "HOME",
        "kind": "tool",
        "language": "en",
        "translations": {"en": {"title": "A tool"}},
        "objectives": ["GCM-O7"],
    }
    body.update(change)
    response = as_user(author).post(RESOURCES, body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not Resource.objects.exists()


def test_people_who_may_not_write_get_403(as_user, colleague, draft, objectives) -> None:
    body = {
        "organization": "HOME",
        "kind": "tool",
        "language": "en",
        "translations": {"en": {"title": "A tool"}},
        "objectives": ["GCM-O7"],
    }
    assert as_user(colleague).post(RESOURCES, body, format="json").status_code == 403
    response = as_user(colleague).patch(
        f"{RESOURCES}{draft.pk}/", {"expected_version": 1, "year": 2020}, format="json"
    )
    assert response.status_code == 403


def test_updates_make_versions_and_a_stale_version_is_409(as_user, author, draft) -> None:
    client = as_user(author)
    response = client.patch(
        f"{RESOURCES}{draft.pk}/",
        {"expected_version": 1, "year": 2021, "note": "Year corrected."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 2 and response.json()["year"] == 2021
    stale = client.patch(
        f"{RESOURCES}{draft.pk}/", {"expected_version": 1, "year": 1999}, format="json"
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    draft.refresh_from_db()
    assert draft.year == 2021
    missing = client.patch(f"{RESOURCES}{draft.pk}/", {"year": 1999}, format="json")
    assert missing.status_code == 400 and "expected_version" in missing.json()
    versions = client.get(f"{RESOURCES}{draft.pk}/versions/").json()
    assert [row["number"] for row in versions] == [2, 1]
    assert versions[0]["note"] == "Year corrected." and versions[0]["data"]["year"] == 2021
    no_address(versions)


def docx_upload(name: str = "report.docx") -> SimpleUploadedFile:
    import docx

    document = docx.Document()
    document.add_paragraph("Recognition of prior learning for returning migrant workers.")
    buffer = io.BytesIO()
    document.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_files_are_checked_uploaded_downloaded_and_removed(
    as_user, author, draft, settings
) -> None:
    client = as_user(author)
    files = f"{RESOURCES}{draft.pk}/files/"
    fake = SimpleUploadedFile(
        "report.pdf", b"<html>not a pdf</html>", content_type="application/pdf"
    )
    response = client.post(files, {"file": fake}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()
    settings.KNOWLEDGE_FILE_MAX_BYTES = 100
    response = client.post(files, {"file": docx_upload()}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()
    settings.KNOWLEDGE_FILE_MAX_BYTES = 20 * 1024 * 1024
    response = client.post(files, {"file": docx_upload(), "language": "en"}, format="multipart")
    assert response.status_code == 201, response.json()
    added = response.json()
    assert added["name"] == "report.docx" and added["size"] > 0
    detail = client.get(f"{RESOURCES}{draft.pk}/").json()
    assert [row["id"] for row in detail["files"]] == [added["id"]]
    download = client.get(added["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:2] == b"PK"
    assert client.delete(added["download"]).status_code == 204
    assert client.get(added["download"]).status_code == 404


# Peer review ------------------------------------------------------------------------------------


def test_peer_review_through_the_api(
    as_user, author, colleague, draft, hub_editor, reviewers, api_client
) -> None:
    detail = f"{RESOURCES}{draft.pk}/"
    assert as_user(author).post(f"{detail}submit/").json()["status"] == "submitted"
    assert (
        as_user(author).post(f"{detail}screen/", {"accept": True}, format="json").status_code == 403
    )
    editor = as_user(hub_editor)
    screened = editor.post(f"{detail}screen/", {"accept": True}, format="json")
    assert screened.status_code == 200 and screened.json()["status"] == "screened"

    suggested = editor.get(f"{detail}suggested-reviewers/").json()
    assert {"author", "colleague"}.isdisjoint({row["username"] for row in suggested})
    no_address(suggested)
    assert as_user(author).get(f"{detail}suggested-reviewers/").status_code == 403

    # A reviewer from the submitting organization is refused, with the field named.
    same_org = editor.post(f"{detail}assign/", {"reviewer": "colleague"}, format="json")
    assert same_org.status_code == 400 and "reviewer" in same_org.json()
    unknown = editor.post(f"{detail}assign/", {"reviewer": "nobody"}, format="json")
    assert unknown.status_code == 400 and "reviewer" in unknown.json()
    for reviewer in reviewers:
        assigned = editor.post(f"{detail}assign/", {"reviewer": reviewer.username}, format="json")
        assert assigned.status_code == 201, assigned.json()
    assert editor.get(detail).json()["status"] == "in_review"

    # The first reviewer submits; bad scores are refused first.
    first = as_user(reviewers[0])
    bad = first.post(
        f"{detail}reviews/",
        {"scores": {**SCORES, "relevance": 9}, "comments": "x", "recommendation": "publish"},
        format="json",
    )
    assert bad.status_code == 400 and "scores" in bad.json()
    done = first.post(
        f"{detail}reviews/",
        {
            "scores": SCORES,
            "comments": "Secret comments of reviewer one.",
            "recommendation": "publish",
        },
        format="json",
    )
    assert done.status_code == 200 and done.json()["submitted_at"]
    editor_early = editor.post(
        f"{detail}decide/", {"decision": "publish", "reasons": "Too early."}, format="json"
    )
    assert editor_early.status_code == 400 and "decision" in editor_early.json()

    # The second reviewer cannot read the first review before submitting their own.
    second = as_user(reviewers[1])
    visible = second.get(f"{detail}reviews/").json()
    assert [row["reviewer"] for row in visible] == ["reviewer-two"]
    assert "Secret comments" not in json.dumps(visible)
    first_assignment = ReviewAssignment.objects.get(reviewer=reviewers[0])
    assert second.get(f"{API}/assignments/{first_assignment.pk}/").status_code == 404
    mine = second.get(f"{API}/assignments/").json()["results"]
    assert [row["reviewer"] for row in mine] == ["reviewer-two"]
    assert as_user(author).get(f"{detail}reviews/").json() == []  # authors read the decision
    assert as_user(colleague).post(
        f"{detail}reviews/",
        {"scores": SCORES, "comments": "x", "recommendation": "publish"},
        format="json",
    ).status_code in (403, 404)
    second.post(
        f"{detail}reviews/",
        {"scores": SCORES, "comments": "Fine.", "recommendation": "revise"},
        format="json",
    )
    after = second.get(f"{detail}reviews/").json()
    assert {row["reviewer"] for row in after} == {"reviewer-one", "reviewer-two"}

    decided = editor.post(
        f"{detail}decide/", {"decision": "publish", "reasons": "Both reviews agree."}, format="json"
    )
    assert decided.status_code == 200
    body = decided.json()
    assert body["status"] == "published" and body["peer_reviewed"] is True
    author_view = as_user(author).get(detail).json()
    assert author_view["decisions"][0]["reasons"] == "Both reviews agree."
    assert api_client.get(detail).json()["decisions"] == []


def test_workflow_steps_out_of_order_are_refused(as_user, author, draft, hub_editor) -> None:
    editor = as_user(hub_editor)
    detail = f"{RESOURCES}{draft.pk}/"
    response = editor.post(f"{detail}screen/", {"accept": True}, format="json")
    assert response.status_code == 400
    as_user(author).post(f"{detail}submit/")
    refused = editor.post(f"{detail}screen/", {"accept": False}, format="json")
    assert refused.status_code == 400 and "reasons" in refused.json()
    assert editor.post(f"{detail}screen/", {"accept": "maybe"}, format="json").status_code == 400
    decide = editor.post(f"{detail}decide/", {"decision": "bury", "reasons": "x"}, format="json")
    assert decide.status_code == 400 and "decision" in decide.json()


def test_freshness_is_for_editors(as_user, author, published, hub_editor) -> None:
    detail = f"{RESOURCES}{published.pk}/"
    assert (
        as_user(author)
        .post(f"{detail}needs-update/", {"needs_update": True}, format="json")
        .status_code
        == 403
    )
    flagged = as_user(hub_editor).post(
        f"{detail}needs-update/", {"needs_update": True}, format="json"
    )
    assert flagged.status_code == 200 and flagged.json()["needs_update"] is True
    checked = as_user(hub_editor).post(f"{detail}checked/")
    assert checked.json()["checked_on"] == timezone.localdate().isoformat()


# Calls for practices ----------------------------------------------------------------------------


def test_calls_are_public_and_opened_by_editors(
    api_client, as_user, hub_editor, author, secretariat, objectives
) -> None:
    today = timezone.localdate()
    body = {
        "organization": "NETWORK",
        "title": "Call for practices: migration data",
        "objectives": ["GCM-O1"],
        "opens_on": (today - timedelta(days=1)).isoformat(),
        "deadline": (today + timedelta(days=30)).isoformat(),
    }
    assert as_user(author).post(f"{API}/calls/", body, format="json").status_code == 403
    created = as_user(hub_editor).post(f"{API}/calls/", body, format="json")
    assert created.status_code == 201 and created.json()["is_open"] is True
    backwards = {**body, "deadline": (today - timedelta(days=5)).isoformat()}
    response = as_user(hub_editor).post(f"{API}/calls/", backwards, format="json")
    assert response.status_code == 400 and "deadline" in response.json()
    listed = api_client.get(f"{API}/calls/").json()
    assert [row["title"] for row in listed["results"]] == ["Call for practices: migration data"]


# Search -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_search_strings_answer_200(api_client, published, query) -> None:
    response = api_client.get(f"{API}/search/", {"q": query})
    assert response.status_code == 200, response.content[:500]
    body = response.json()
    assert isinstance(body["results"], list) and isinstance(body["facets"], dict)


def test_search_finds_resources_with_facets(api_client, published, draft) -> None:
    body = api_client.get(f"{API}/search/", {"q": "recruitment"}).json()
    assert body["total"] == 1  # the draft is not for anonymous readers
    hit = body["results"][0]
    assert hit["type"] == "resource" and hit["id"] == str(published.pk)
    assert "<mark>" in hit["snippet"] or "<mark>" in hit["title_html"]
    kinds = {row["value"]: row["count"] for row in body["facets"]["kind"]}
    assert kinds == {"practice": 1}
    narrowed = api_client.get(f"{API}/search/", {"q": "recruitment", "objective": "GCM-O2"})
    assert narrowed.json()["total"] == 0
    typo = api_client.get(f"{API}/search/", {"q": "recruitmnet"}).json()
    assert typo["suggestion"]
    assert api_client.get(f"{API}/search/", {"sort": "sideways"}).status_code == 400
    assert api_client.get(f"{API}/search/", {"page": "0"}).status_code == 400
    assert api_client.get(f"{API}/search/", {"type": "galaxies"}).status_code == 400


# Experts ----------------------------------------------------------------------------------------


@pytest.fixture
def expert_profiles(objectives, themes, countries):
    listed_user = UserFactory(username="listed-expert", first_name="Amina", last_name="Diallo")
    hidden_user = UserFactory(username="hidden-expert", first_name="Sara", last_name="Lindqvist")
    listed = experts.save_profile(
        listed_user,
        user=listed_user,
        display_name="Amina Diallo",
        headline="Labour migration and fair recruitment",
        bio="Bilateral labour agreements.",
        objectives=[objectives[6]],
        themes=[themes[1]],
        languages=["fr", "en"],
        countries=[countries["SEN"]],
        opted_in=True,
    )
    hidden = experts.save_profile(
        hidden_user,
        user=hidden_user,
        display_name="Sara Lindqvist",
        headline="Alternatives to detention and fair recruitment",
        objectives=[objectives[6]],
        languages=["en"],
        opted_in=True,
    )
    hidden = experts.set_opt_in(hidden_user, hidden, False)
    return listed, hidden


def test_an_expert_who_opted_out_is_absent_everywhere(
    api_client, as_user, author, expert_profiles
) -> None:
    listed, hidden = expert_profiles
    rows = api_client.get(f"{API}/experts/").json()["results"]
    assert [row["display_name"] for row in rows] == ["Amina Diallo"]
    assert api_client.get(f"{API}/experts/{listed.pk}/").status_code == 200
    assert api_client.get(f"{API}/experts/{hidden.pk}/").status_code == 404
    found = api_client.get(
        f"{API}/experts/find/", {"question": "fair recruitment", "objectives": "GCM-O6"}
    ).json()
    assert [row["expert"]["display_name"] for row in found] == ["Amina Diallo"]
    assert found[0]["reasons"]
    search = api_client.get(f"{API}/search/", {"q": "Lindqvist"}).json()
    assert search["total"] == 0 and search["type_counts"]["expert"] == 0
    assert "Lindqvist" not in json.dumps(search["results"])
    search = api_client.get(f"{API}/search/", {"q": "Diallo", "type": "expert"}).json()
    assert [row["id"] for row in search["results"]] == [str(listed.pk)]
    contact = as_user(author).post(
        f"{API}/experts/{hidden.pk}/contact/", {"subject": "Hi", "body": "Hello"}, format="json"
    )
    assert contact.status_code == 404


def test_no_email_address_in_any_expert_payload(
    api_client, as_user, author, expert_profiles, mailoutbox
) -> None:
    listed, _hidden = expert_profiles
    for path in (
        f"{API}/experts/",
        f"{API}/experts/{listed.pk}/",
        f"{API}/experts/find/?objectives=GCM-O6",
    ):
        payload = api_client.get(path).json()
        no_address(payload)
        assert "listed-expert" not in json.dumps(payload)  # nor the user name
    anonymous = api_client.post(
        f"{API}/experts/{listed.pk}/contact/", {"subject": "Hi", "body": "Hello"}, format="json"
    )
    assert anonymous.status_code == 401
    sent = as_user(author).post(
        f"{API}/experts/{listed.pk}/contact/",
        {"subject": "A demand on recruitment", "body": "Could you help us?"},
        format="json",
    )
    assert sent.status_code == 201, sent.json()
    no_address(sent.json())
    empty = as_user(author).post(
        f"{API}/experts/{listed.pk}/contact/", {"subject": "", "body": "x"}, format="json"
    )
    assert empty.status_code == 400 and "subject" in empty.json()


def test_find_experts_bad_input(api_client, expert_profiles) -> None:
    assert api_client.get(f"{API}/experts/find/", {"objectives": "GCM-O99"}).status_code == 400
    assert api_client.get(f"{API}/experts/find/", {"limit": "0"}).status_code == 400
    assert api_client.get(f"{API}/experts/find/", {"question": ""}).json() == []


# Discussions ------------------------------------------------------------------------------------


@pytest.fixture
def space(hub_editor):
    now = timezone.now()
    return discussions.create_space(
        hub_editor,
        title="Labour mobility consultation",
        slug="labour-mobility",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
        moderators=[hub_editor],
        questions=["What has worked?", "What data is missing?"],
    )


def test_threads_replies_and_hidden_posts(
    as_user, api_client, space, author, colleague, hub_editor
) -> None:
    client = as_user(author)
    created = client.post(
        f"{API}/threads/",
        {"space": "labour-mobility", "question": 2, "title": "Data gaps", "body": "**Fees** data"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    thread = created.json()
    assert thread["question"] == 2 and "<strong>Fees</strong>" in thread["posts"][0]["body_html"]
    bad_question = client.post(
        f"{API}/threads/",
        {"space": "labour-mobility", "question": 9, "title": "x", "body": "x"},
        format="json",
    )
    assert bad_question.status_code == 400 and "question" in bad_question.json()

    reply = as_user(colleague).post(
        f"{API}/threads/{thread['id']}/reply/",
        {"body": "<script>alert('x')</script> buy now"},
        format="json",
    )
    assert reply.status_code == 201
    post = reply.json()
    assert "<script>" not in post["body_html"] and "&lt;script&gt;" in post["body_html"]
    assert post["author"] == "colleague"

    assert (
        as_user(author)
        .post(f"{API}/posts/{post['id']}/report/", {"reason": "Spam"}, format="json")
        .status_code
        == 204
    )
    assert (
        as_user(author)
        .post(f"{API}/posts/{post['id']}/hide/", {"reason": "Spam"}, format="json")
        .status_code
        == 403
    )
    hidden = as_user(hub_editor).post(
        f"{API}/posts/{post['id']}/hide/", {"reason": "Spam"}, format="json"
    )
    assert hidden.status_code == 200 and hidden.json()["hidden"] is True

    public = api_client.get(f"{API}/threads/{thread['id']}/").json()
    assert [row["id"] for row in public["posts"]] == [thread["posts"][0]["id"]]
    assert "buy now" not in json.dumps(public)
    moderator = as_user(hub_editor).get(f"{API}/threads/{thread['id']}/").json()
    assert [row["hidden"] for row in moderator["posts"]] == [False, True]
    spaces = api_client.get(f"{API}/spaces/").json()["results"]
    assert spaces[0]["slug"] == "labour-mobility" and [
        q["number"] for q in spaces[0]["questions"]
    ] == [1, 2]
    threads = api_client.get(f"{API}/threads/", {"space": "labour-mobility", "question": 2}).json()
    assert threads["count"] == 1
    assert (
        api_client.post(
            f"{API}/threads/{thread['id']}/reply/", {"body": "x"}, format="json"
        ).status_code
        == 401
    )


def test_a_closed_space_takes_no_posts(as_user, hub_editor, author) -> None:
    now = timezone.now()
    closed = discussions.create_space(
        hub_editor,
        title="Closed",
        slug="closed",
        opens_at=now - timedelta(days=10),
        closes_at=now - timedelta(days=1),
    )
    response = as_user(author).post(
        f"{API}/threads/",
        {"space": closed.slug, "title": "Late", "body": "Too late"},
        format="json",
    )
    assert response.status_code == 400
    assert not closed.threads.exists()


def test_a_hidden_post_is_not_reachable_by_others(
    as_user, api_client, space, author, hub_editor
) -> None:
    thread = discussions.start_thread(author, space, title="T", body="first")
    post = discussions.reply(author, thread, body="second")
    discussions.hide_post(hub_editor, post, reason="Off topic")
    assert (
        as_user(author)
        .post(f"{API}/posts/{post.pk}/report/", {"reason": "x"}, format="json")
        .status_code
        == 404
    )
    assert Post.objects.get(pk=post.pk).hidden


# Connection Hub ---------------------------------------------------------------------------------


@pytest.fixture
def offer_writer(make_member, other_organization):
    return make_member(Role.EDITOR, other_organization, username="offer-writer")


def test_a_demand_from_open_to_a_practice(
    as_user, api_client, author, offer_writer, objectives, countries, expert_profiles
) -> None:
    asker = as_user(author)
    created = asker.post(
        f"{API}/demands/",
        {
            "organization": "HOME",
            "title": "Training labour inspectors on recruitment fees",
            "need": "Our inspectors need training on recruitment fees.",
            "objectives": ["GCM-O6"],
            "country": "KEN",
            "language": "en",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    demand = created.json()
    detail = f"{API}/demands/{demand['id']}/"
    assert demand["status"] == "open"

    early = asker.post(f"{detail}outcome/", {"outcome": "Done"}, format="json")
    assert early.status_code == 400 and "outcome" in early.json()

    offer = as_user(offer_writer).post(
        f"{API}/offers/",
        {
            "organization": "OTHER",
            "title": "Training on fair recruitment for labour inspectors",
            "description": "A course on recruitment fees.",
            "objectives": ["GCM-O6"],
            "languages": ["en"],
        },
        format="json",
    )
    assert offer.status_code == 201, offer.json()
    matches = api_client.get(f"{detail}matches/").json()
    assert [row["offer"]["id"] for row in matches["offers"]] == [offer.json()["id"]]
    assert matches["offers"][0]["reasons"]
    assert {row["expert"]["display_name"] for row in matches["experts"]} <= {"Amina Diallo"}
    no_address(matches)

    listed, hidden = expert_profiles
    opted_out = asker.post(f"{detail}match/", {"expert": hidden.pk}, format="json")
    assert opted_out.status_code == 400 and "expert" in opted_out.json()
    assert asker.post(f"{detail}match/", {}, format="json").status_code == 400
    matched = asker.post(
        f"{detail}match/", {"offer": offer.json()["id"], "expert": listed.pk}, format="json"
    )
    assert matched.status_code == 200 and matched.json()["status"] == "matched"
    version = matched.json()["version"]
    stale = asker.post(f"{detail}start/", {"expected_version": version - 1}, format="json")
    assert stale.status_code == 409
    started = asker.post(f"{detail}start/", {"expected_version": version}, format="json")
    assert started.json()["status"] == "in_progress"
    assert (
        as_user(offer_writer).post(f"{detail}outcome/", {"outcome": "x"}, format="json").status_code
        == 403
    )
    done = asker.post(f"{detail}outcome/", {"outcome": "Forty inspectors trained."}, format="json")
    assert done.json()["status"] == "completed"
    practice = asker.post(f"{detail}practice/")
    assert practice.status_code == 201
    assert practice.json()["kind"] == "practice" and practice.json()["status"] == "draft"
    assert asker.get(detail).json()["outcome_resource"] == practice.json()["id"]
    assert api_client.get(detail).json()["outcome_resource"] is None  # a draft: not for all
    assert asker.post(f"{detail}practice/").status_code == 400
    assert api_client.get(f"{API}/demands/", {"status": "completed"}).json()["count"] == 1


def test_demand_bad_input_and_closing(as_user, author, colleague, objectives, countries) -> None:
    asker = as_user(author)
    base = {"organization": "HOME", "title": "A demand", "need": "Help.", "country": "KEN"}
    for change, field in (
        ({"country": "XXX"}, "country"),
        ({"objectives": ["GCM-O0"]}, "objectives"),
        ({"deadline": "2001-01-01"}, "deadline"),
        ({"language": "tlh"}, "language"),
        ({"title": ""}, "title"),
    ):
        response = asker.post(f"{API}/demands/", {**base, **change}, format="json")
        assert response.status_code == 400 and field in response.json(), (change, response.json())
    assert as_user(colleague).post(f"{API}/demands/", base, format="json").status_code == 403
    demand = asker.post(f"{API}/demands/", base, format="json").json()
    detail = f"{API}/demands/{demand['id']}/"
    no_reason = asker.post(f"{detail}close/", {}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    closed = asker.post(f"{detail}close/", {"reason": "No longer needed."}, format="json")
    assert closed.json()["status"] == DemandStatus.CLOSED
    assert asker.post(f"{detail}start/").status_code == 400
    assert Demand.objects.get().status == DemandStatus.CLOSED


# Saved searches ---------------------------------------------------------------------------------


def test_saved_searches_are_private(as_user, api_client, author, colleague, objectives) -> None:
    saved = as_user(author).post(
        f"{API}/saved-searches/",
        {"name": "Objective 6", "filters": {"objectives": ["GCM-O6"]}, "frequency": "weekly"},
        format="json",
    )
    assert saved.status_code == 201, saved.json()
    body = saved.json()
    assert body["filters"] == {"objectives": ["GCM-O6"]} and body["feed"]
    bad = as_user(author).post(
        f"{API}/saved-searches/", {"filters": {"objectives": ["GCM-O99"]}}, format="json"
    )
    assert bad.status_code == 400 and "filters" in bad.json()
    other = as_user(colleague)
    assert other.get(f"{API}/saved-searches/").json()["results"] == []
    assert other.get(f"{API}/saved-searches/{body['id']}/").status_code == 404
    assert other.delete(f"{API}/saved-searches/{body['id']}/").status_code == 404
    assert api_client.get(f"{API}/saved-searches/").status_code == 401
    assert as_user(author).delete(f"{API}/saved-searches/{body['id']}/").status_code == 204
    assert not SavedSearch.objects.exists()
    assert subscriptions  # the service module the endpoint calls


# Schema -----------------------------------------------------------------------------------------


def test_schema_has_the_hub_without_warnings() -> None:
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    problems = [
        message
        for message in [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
        if "knowledge" in message.lower() or "enum" in message.lower()
    ]
    GENERATOR_STATS.reset()
    assert problems == []
    assert {
        "/api/knowledge/resources/",
        "/api/knowledge/resources/{id}/",
        "/api/knowledge/resources/{id}/versions/",
        "/api/knowledge/resources/{id}/files/",
        "/api/knowledge/resources/{id}/submit/",
        "/api/knowledge/resources/{id}/screen/",
        "/api/knowledge/resources/{id}/assign/",
        "/api/knowledge/resources/{id}/reviews/",
        "/api/knowledge/resources/{id}/decide/",
        "/api/knowledge/calls/",
        "/api/knowledge/search/",
        "/api/knowledge/experts/",
        "/api/knowledge/experts/find/",
        "/api/knowledge/experts/{id}/contact/",
        "/api/knowledge/spaces/{slug}/",
        "/api/knowledge/threads/{id}/reply/",
        "/api/knowledge/demands/{id}/matches/",
        "/api/knowledge/demands/{id}/outcome/",
        "/api/knowledge/offers/",
        "/api/knowledge/saved-searches/",
    } <= set(schema["paths"])
    assert ResourceStatus.PUBLISHED in schema["components"]["schemas"]["ResourceStatusEnum"]["enum"]
