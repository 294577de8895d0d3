"""The resource and peer-review pages: who sees what, the forms, the errors shown, and HTML in
titles and summaries rendered inert."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import formats, timezone

from migration_hub.core.choices import Role
from migration_hub.knowledge.choices import Criterion, Decision, ResourceStatus
from migration_hub.knowledge.models import (
    CallForPractices,
    Resource,
    ResourceFile,
    ReviewAssignment,
)
from migration_hub.knowledge.services import peer_review
from migration_hub.knowledge.services import resources as services

from .test_resources import make_pdf

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
FULL_SCORES = {criterion.value: 5 for criterion in Criterion}


def signed_in(user) -> Client:
    """A client of its own (client_for shares one client between people)."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def create(author, organization, title="Community sponsorship", **extra):
    arguments = {
        "organization": organization,
        "kind": "practice",
        "language": "en",
        "translations": {
            "en": {"title": title, "summary": "Neighbours welcome refugees."},
            "fr": {"title": "Parrainage communautaire", "summary": "Des voisins accueillent."},
        },
        "objectives": ["GCM-O16"],
        **extra,
    }
    return services.create_resource(author, **arguments)


def publish(resource, author, hub_editor, reviewers):
    peer_review.submit(author, resource)
    peer_review.screen(hub_editor, resource, accept=True)
    for person in reviewers:
        assignment = peer_review.assign_reviewer(hub_editor, resource, person)
        peer_review.submit_review(
            person, assignment, scores=FULL_SCORES, comments="Good.", recommendation="publish"
        )
    peer_review.decide(hub_editor, resource, decision=Decision.PUBLISH, reasons="Agreed.")
    resource.refresh_from_db()
    return resource


@pytest.fixture
def draft(author, organization, objectives):
    return create(author, organization)


@pytest.fixture
def published(author, organization, objectives, hub_editor, reviewers):
    return publish(
        create(author, organization, title="Skills partnership"), author, hub_editor, reviewers
    )


def form_data(**extra):
    data = {
        "organization": "",
        "kind": "practice",
        "language": "en",
        "title_en": "Cash for rent",
        "summary_en": "Rental support for newcomers.",
        "title_es": "Dinero para el alquiler",
        "summary_es": "Apoyo al alquiler.",
        "authors": "Amina Diallo\nJorge Pérez",
        "objectives": ["GCM-O16"],
        "licence": "cc-by-4.0",
        "year": "2024",
        "link": "https://example.org/cash",
    }
    data.update(extra)
    return data


# --- Reading ----------------------------------------------------------------------------------


def test_the_list_shows_published_resources_to_everyone(client, published, draft):
    response = client.get(reverse("knowledge:resource_list"))
    assert response.status_code == 200
    assert b"Skills partnership" in response.content
    assert b"Community sponsorship" not in response.content
    assert b"Peer reviewed" in response.content


def test_the_list_filters_and_exports(client, published, draft):
    response = client.get(reverse("knowledge:resource_list"), {"kind": "tool"})
    assert b"Skills partnership" not in response.content
    response = client.get(reverse("knowledge:resource_list"), {"q": "skills", "reviewed": "on"})
    assert b"Skills partnership" in response.content
    response = client.get(reverse("knowledge:resource_list"), {"objective": "GCM-O16"})
    assert b"Skills partnership" in response.content
    response = client.get(reverse("knowledge:resource_list"), {"kind": "poem"})
    assert response.status_code == 400
    export = client.get(reverse("knowledge:resource_list"), {"export": "csv"})
    assert export.status_code == 200
    body = b"".join(export.streaming_content) if export.streaming else export.content
    assert b"Skills partnership" in body and b"Community sponsorship" not in body


@pytest.mark.parametrize("query", ['"', "*", "NEAR", "AND (", "-", "x" * 5000])
def test_the_list_search_never_fails(client, published, query):
    assert client.get(reverse("knowledge:resource_list"), {"q": query}).status_code in (200, 400)


def test_a_draft_is_a_404_outside_its_organization(
    client, client_for, draft, make_member, other_organization, author, hub_editor, colleague
):
    url = draft.get_absolute_url()
    assert client.get(url).status_code == 404
    outsider = make_member(Role.EDITOR, other_organization, username="outsider")
    assert client_for(outsider).get(url).status_code == 404
    for person in (author, colleague, hub_editor):
        assert client_for(person).get(url).status_code == 200


def test_the_detail_page_shows_translations_files_badge_and_history(
    client, published, author, media
):
    services.add_file(
        None, published, SimpleUploadedFile("report.pdf", make_pdf("Report")), language="en"
    )
    response = client.get(published.get_absolute_url())
    content = response.content.decode()
    assert "Skills partnership" in content and "Peer reviewed" in content
    assert 'href="?lang=fr"' in content and "report.pdf" in content
    assert "Version 2" in content and "File: report.pdf" in content
    french = client.get(published.get_absolute_url(), {"lang": "fr"}).content.decode()
    assert '<h1 lang="fr" dir="auto">Parrainage communautaire</h1>' in french
    row = ResourceFile.objects.get()
    download = client.get(
        reverse("knowledge:resource_file", kwargs={"pk": published.pk, "file_pk": row.pk})
    )
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]


def test_a_published_page_offers_to_follow_its_objective_and_more_like_this(
    client, client_for, published, draft, author
):
    anonymous = client.get(published.get_absolute_url()).content.decode()
    assert "Sign in to follow this objective" in anonymous
    assert reverse("knowledge:resource_similar", args=[published.pk]) in anonymous
    page = client_for(author).get(published.get_absolute_url()).content.decode()
    assert 'name="field" value="objective"' in page and 'value="GCM-O16"' in page
    assert 'name="field" value="kind"' in page
    draft_page = client_for(author).get(draft.get_absolute_url()).content.decode()
    assert 'name="field" value="objective"' not in draft_page  # nothing to follow before it is out


def test_html_in_titles_and_summaries_renders_inert(
    client, client_for, author, organization, objectives, hub_editor, reviewers
):
    resource = services.create_resource(
        author,
        organization=organization,
        kind="practice",
        language="en",
        translations={"en": {"title": SCRIPT, "summary": f"Summary {SCRIPT}"}},
        authors=[SCRIPT],
        objectives=["GCM-O1"],
    )
    services.update_resource(
        author,
        resource,
        expected_version=resource.version,
        translations={"en": {"title": f"{SCRIPT} v2", "summary": SCRIPT}},
    )
    pages = [resource.get_absolute_url(), reverse("knowledge:resource_mine")]
    for url in pages:
        content = client_for(author).get(url).content.decode()
        assert "<script>alert" not in content and "<img src=x" not in content
        assert "&lt;script&gt;alert" in content
    publish(resource, author, hub_editor, reviewers)
    editor_pages = [
        reverse("knowledge:review_manage", args=[resource.pk]),
        reverse("knowledge:review_decide", args=[resource.pk]),
    ]
    for url in editor_pages:
        content = client_for(hub_editor).get(url).content.decode()
        assert "<script>alert" not in content and "&lt;script&gt;" in content
    content = client.get(reverse("knowledge:resource_list")).content.decode()
    assert "<script>alert" not in content and "&lt;script&gt;alert" in content


# --- Submitting and editing -------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(reverse("knowledge:resource_create"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_people_without_a_writing_role_cannot_open_the_form(client_for, colleague):
    assert client_for(colleague).get(reverse("knowledge:resource_create")).status_code == 403


def test_submit_a_practice_with_translations_and_a_file(
    client_for,
    author,
    organization,
    objectives,
    hub_editor,
    media,
    django_capture_on_commit_callbacks,
):
    client = client_for(author)
    assert client.get(reverse("knowledge:resource_create")).status_code == 200
    data = form_data(
        organization=str(organization.pk),
        action="submit",
        file=SimpleUploadedFile("cash.pdf", make_pdf("Rental support evaluation")),
        file_language="en",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("knowledge:resource_create"), data)
    resource = Resource.objects.get()
    assert response.status_code == 302 and response["Location"] == resource.get_absolute_url()
    assert resource.status == ResourceStatus.SUBMITTED
    assert set(resource.translations.values_list("language", flat=True)) == {"en", "es"}
    assert resource.authors == ["Amina Diallo", "Jorge Pérez"] and resource.year == 2024
    assert resource.files.get().name == "cash.pdf"
    assert any(hub_editor.email in message.to for message in mail.outbox)


def test_a_fake_pdf_is_refused_on_the_form_and_nothing_is_created(
    client_for, author, organization, objectives, media
):
    data = form_data(
        organization=str(organization.pk),
        file=SimpleUploadedFile("evil.pdf", b"MZ\x90\x00 not a pdf"),
    )
    response = client_for(author).post(reverse("knowledge:resource_create"), data)
    assert response.status_code == 400
    assert "evil.pdf is not a real PDF file" in response.content.decode()
    assert not Resource.objects.exists() and not ResourceFile.objects.exists()
    assert not [path for path in media.rglob("*") if path.is_file()]


@override_settings(KNOWLEDGE_FILE_MAX_BYTES=1024)
def test_an_over_size_file_is_refused_on_the_form(
    client_for, author, organization, objectives, media
):
    data = form_data(
        organization=str(organization.pk),
        file=SimpleUploadedFile("big.pdf", make_pdf("x") + b"0" * 4096),
    )
    response = client_for(author).post(reverse("knowledge:resource_create"), data)
    assert response.status_code == 400
    content = response.content.decode()
    assert "big.pdf" in content and "limited to" in content
    assert not Resource.objects.exists()


def test_the_original_language_needs_a_title(client_for, author, organization, objectives):
    data = form_data(organization=str(organization.pk), language="fr")
    response = client_for(author).post(reverse("knowledge:resource_create"), data)
    assert response.status_code == 400 and "Give the title in French" in response.content.decode()
    assert not Resource.objects.exists()


def test_edit_saves_a_version_and_a_stale_form_is_refused(client_for, author, draft):
    client = client_for(author)
    url = reverse("knowledge:resource_edit", args=[draft.pk])
    page = client.get(url)
    assert page.status_code == 200 and b"Parrainage communautaire" in page.content
    data = form_data(
        title_en="Community sponsorship of refugees",
        expected_version=str(draft.version),
        note="Clearer title",
    )
    response = client.post(url, data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Community sponsorship of refugees" and draft.versions.count() == 2
    detail = client.get(draft.get_absolute_url()).content.decode()
    assert "Clearer title" in detail
    assert "Title (English): Community sponsorship of refugees" in detail
    stale = form_data(title_en="Someone else's title", expected_version=str(draft.version - 1))
    response = client.post(url, stale)
    assert response.status_code == 409
    assert "Nothing was saved" in response.content.decode()
    draft.refresh_from_db()
    assert draft.title == "Community sponsorship of refugees"


def test_editing_is_closed_to_the_author_once_submitted(client_for, author, draft):
    peer_review.submit(author, draft)
    url = reverse("knowledge:resource_edit", args=[draft.pk])
    assert client_for(author).get(url).status_code == 403


# --- Freshness ----------------------------------------------------------------------------------


def test_editors_flag_needs_update_and_readers_see_the_notice(
    client, client_for, published, hub_editor, author
):
    url = reverse("knowledge:resource_freshness", args=[published.pk])
    assert client_for(author).post(url, {"action": "flag"}).status_code == 403
    editor = client_for(hub_editor)
    assert editor.post(url, {"action": "flag"}).status_code == 302
    assert editor.post(url, {"action": "checked"}).status_code == 302
    content = client.get(published.get_absolute_url()).content.decode()
    assert "This resource needs an update" in content
    today = formats.date_format(timezone.localdate())
    assert f"Last checked on {today}" in content


# --- Peer review pages --------------------------------------------------------------------------


def test_the_queue_is_for_hub_editors(client_for, draft, author, hub_editor):
    peer_review.submit(author, draft)
    assert client_for(author).get(reverse("knowledge:review_queue")).status_code == 403
    response = client_for(hub_editor).get(reverse("knowledge:review_queue"))
    assert response.status_code == 200 and b"Community sponsorship" in response.content


def test_screen_assign_review_and_decide_through_the_pages(
    client_for,
    draft,
    author,
    hub_editor,
    reviewers,
    colleague,
    django_capture_on_commit_callbacks,
):
    peer_review.submit(author, draft)
    editor = client_for(hub_editor)
    manage = reverse("knowledge:review_manage", args=[draft.pk])
    assert (
        editor.post(
            reverse("knowledge:review_screen", args=[draft.pk]), {"accept": "no"}
        ).status_code
        == 400
    )  # turning down needs reasons
    response = editor.post(reverse("knowledge:review_screen", args=[draft.pk]), {"accept": "yes"})
    assert response.status_code == 302
    page = editor.get(manage).content.decode()
    assert "Suggested reviewers" in page and "Assign reviewer-one" in page
    assert "Assign colleague" not in page and "Assign author" not in page
    # A reviewer from the submitting organization is refused, with the reason on the page.
    response = editor.post(
        reverse("knowledge:review_assign", args=[draft.pk]), {"reviewer": colleague.username}
    )
    assert response.status_code == 400
    assert "Choose a reviewer from another organization" in response.content.decode()
    assert (
        editor.post(
            reverse("knowledge:review_assign", args=[draft.pk]), {"reviewer": "nobody"}
        ).status_code
        == 400
    )
    for person in reviewers:
        response = editor.post(
            reverse("knowledge:review_assign", args=[draft.pk]), {"reviewer": person.username}
        )
        assert response.status_code == 302
    first, second = ReviewAssignment.objects.order_by("id")

    # A decision before two reviews is refused.
    response = editor.post(
        reverse("knowledge:review_decide", args=[draft.pk]),
        {"decision": "publish", "reasons": "Looks fine."},
    )
    assert response.status_code == 400
    assert "at least 2 submitted reviews" in response.content.decode()

    one, two = signed_in(reviewers[0]), signed_in(reviewers[1])
    # Blind review: before sending theirs, a reviewer cannot open the other's review.
    page = one.get(reverse("knowledge:assignment_detail", args=[first.pk])).content.decode()
    assert "Hidden until you send your own review" in page
    rubric = {**FULL_SCORES, "comments": "Well evidenced.", "recommendation": "publish"}
    assert (
        two.post(reverse("knowledge:assignment_detail", args=[second.pk]), rubric).status_code
        == 302
    )
    assert one.get(reverse("knowledge:assignment_detail", args=[second.pk])).status_code == 404
    # Someone else cannot post a review on another's assignment.
    assert (
        two.post(reverse("knowledge:assignment_detail", args=[first.pk]), rubric).status_code == 403
    )
    incomplete = {key: value for key, value in rubric.items() if key != "gender"}
    response = one.post(reverse("knowledge:assignment_detail", args=[first.pk]), incomplete)
    assert response.status_code == 400
    assert (
        one.post(reverse("knowledge:assignment_detail", args=[first.pk]), rubric).status_code == 302
    )
    page = one.get(reverse("knowledge:assignment_detail", args=[first.pk])).content.decode()
    assert "Review by reviewer-two" in page and "Well evidenced." in page
    assert one.get(reverse("knowledge:assignment_detail", args=[second.pk])).status_code == 200
    # The author never reads the reviews themselves.
    assert (
        signed_in(author).get(reverse("knowledge:assignment_detail", args=[first.pk])).status_code
        == 404
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            reverse("knowledge:review_decide", args=[draft.pk]),
            {"decision": "publish", "reasons": "Both reviewers recommend it."},
        )
    assert response.status_code == 302
    content = signed_in(author).get(draft.get_absolute_url()).content.decode()
    assert "Peer reviewed" in content and "Both reviewers recommend it." in content


def test_my_submissions_and_my_reviews(client_for, draft, author, reviewers, published):
    page = client_for(author).get(reverse("knowledge:resource_mine")).content.decode()
    assert "Community sponsorship" in page and "Skills partnership" in page
    page = client_for(reviewers[0]).get(reverse("knowledge:assignment_list")).content.decode()
    assert "Skills partnership" in page and "Sent on" in page


# --- Calls ----------------------------------------------------------------------------------------


def test_calls_list_detail_and_submit_link(client, client_for, secretariat, author, hub_editor):
    today = timezone.localdate()
    open_call = CallForPractices.objects.create(
        title="Practices on labour mobility",
        organization=secretariat,
        opens_on=today - timedelta(days=5),
        deadline=today + timedelta(days=20),
    )
    closed = CallForPractices.objects.create(
        title="Practices on return",
        organization=secretariat,
        opens_on=today - timedelta(days=90),
        deadline=today - timedelta(days=30),
    )
    listing = client.get(reverse("knowledge:call_list")).content.decode()
    assert "Practices on labour mobility" in listing and "Practices on return" in listing
    page = client_for(author).get(open_call.get_absolute_url()).content.decode()
    assert f"?call={open_call.pk}" in page and "Submit a practice to this call" in page
    page = client.get(closed.get_absolute_url()).content.decode()
    assert "Submit a practice to this call" not in page
    assert f"This call closed on {formats.date_format(closed.deadline)}" in page
    form = client_for(author).get(reverse("knowledge:resource_create"), {"call": open_call.pk})
    assert f'<option value="{open_call.pk}" selected>' in form.content.decode()
    # Editors publish calls; others may not.
    assert client_for(author).get(reverse("knowledge:call_create")).status_code == 403
    response = client_for(hub_editor).post(
        reverse("knowledge:call_create"),
        {
            "organization": str(secretariat.pk),
            "title": "Practices on climate mobility",
            "opens_on": today.isoformat(),
            "deadline": (today + timedelta(days=60)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert CallForPractices.objects.filter(title="Practices on climate mobility").exists()
