"""The review pages through the Django test client, against the real database: who reaches a
review (drafts are a 404 to other organizations), co-authors editing only their sections,
autosave, a version conflict showing both texts and storing nothing, submission with missing
sections listing them and keeping every word, the late flag, the list's filters and exports."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from migration_hub.core.choices import Role
from migration_hub.reviews import services
from migration_hub.reviews.choices import ReviewStatus, SectionKey
from migration_hub.reviews.models import Attachment, Comment, Cycle, Section

from .conftest import fill_required

pytestmark = pytest.mark.django_db

LIST = reverse("reviews:review_list")
CREATE = reverse("reviews:review_create")


def detail(review) -> str:
    return reverse("reviews:review_detail", kwargs={"pk": review.pk})


def section_url(review, key: str) -> str:
    return reverse("reviews:section_save", kwargs={"pk": review.pk, "key": key})


def workflow(review, action: str) -> str:
    return reverse("reviews:review_workflow", kwargs={"pk": review.pk, "action": action})


def stored(review, key: str) -> Section:
    return Section.objects.get(review=review, key=key)


# --- Who reaches a review -----------------------------------------------------------------------


def test_anonymous_goes_to_sign_in(client, review):
    response = client.get(detail(review))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_draft_is_404_to_another_organization(client_for, review, make_member, other_organization):
    outsider = make_member(Role.EDITOR, other_organization)
    client = client_for(outsider)
    assert client.get(detail(review)).status_code == 404
    assert client.post(section_url(review, "challenges"), {}).status_code == 404
    assert client.get(reverse("reviews:review_list")).context["paginator"].count == 0


def test_secretariat_sees_submitted_not_drafts(
    client_for, complete_review, focal_point, secretariat_viewer
):
    client = client_for(secretariat_viewer)
    assert client.get(detail(complete_review)).status_code == 404
    services.submit_review(focal_point, complete_review)
    response = client.get(detail(complete_review))
    assert response.status_code == 200
    # A reader gets the text, not the forms.
    assert b"Save this section" not in response.content
    assert b"Data gaps on returns." in response.content


def test_focal_point_sees_every_section_form_in_the_review_language(
    client_for, review, focal_point
):
    response = client_for(focal_point).get(detail(review))
    assert response.status_code == 200
    html = response.content.decode()
    for key in SectionKey.values:
        assert f'id="section-{key}"' in html
    assert html.count("Save this section") == len(SectionKey.values)
    assert 'lang="en" dir="auto"' in html
    assert "reviews-autosave.js" in html


def test_coauthor_edits_only_given_sections(client_for, review, coauthor):
    client = client_for(coauthor)
    html = client.get(detail(review)).content.decode()
    # Two sections were given: challenges and objective 5 (not yet written).
    assert html.count("Save this section") == 1
    response = client.post(
        section_url(review, SectionKey.CHALLENGES),
        {"challenges-expected_version": 1, "challenges-text": "Few data on returns."},
    )
    assert response.status_code == 302
    assert stored(review, SectionKey.CHALLENGES).text == "Few data on returns."
    response = client.post(
        section_url(review, SectionKey.NEXT_STEPS),
        {"next_steps-expected_version": 1, "next_steps-text": "Not mine to write."},
    )
    assert response.status_code == 403
    assert stored(review, SectionKey.NEXT_STEPS).text == ""
    # Adding the objective given is allowed; another one is not.
    add = reverse("reviews:objective_add", kwargs={"pk": review.pk})
    assert client.post(add, {"objective": 7}).status_code == 403
    assert client.post(add, {"objective": 5}).status_code == 302
    assert stored(review, "objective-5").version == 1


# --- Writing --------------------------------------------------------------------------------------


def test_save_methodology_with_structure(client_for, review, focal_point):
    response = client_for(focal_point).post(
        section_url(review, SectionKey.METHODOLOGY),
        {
            "methodology-expected_version": 1,
            "methodology-text": "A task force drafted it.",
            "methodology-government_bodies": "Ministry of Labour\n\nDepartment of Immigration",
            "methodology-stakeholders": ["migrants", "academia"],
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert b"Saved at" in response.content
    section = stored(review, SectionKey.METHODOLOGY)
    assert section.version == 2
    assert section.data == {
        "government_bodies": ["Ministry of Labour", "Department of Immigration"],
        "stakeholders": ["academia", "migrants"],
    }


def test_objective_section_with_rows(client_for, review, focal_point):
    client = client_for(focal_point)
    client.post(reverse("reviews:objective_add", kwargs={"pk": review.pk}), {"objective": 5})
    response = client.post(
        section_url(review, "objective-5"),
        {
            "objective-5-expected_version": 1,
            "objective-5-progress": "in_progress",
            "objective-5-text": "Three labour agreements.",
            "objective-5-evidence": "Registered in 2024.",
            "objective-5-indicator-0-indicator": "10.7.2",
            "objective-5-indicator-0-value": "4",
            "objective-5-indicator-0-year": "2024",
            "objective-5-indicator-1-indicator": "",
            "objective-5-indicator-1-value": "",
            "objective-5-indicator-1-year": "",
            "objective-5-practice-0-title": "Pre-departure training",
            "objective-5-practice-0-url": "https://example.org/practice",
        },
    )
    assert response.status_code == 302
    section = stored(review, "objective-5")
    assert section.progress == "in_progress"
    assert section.data == {
        "indicator_values": [{"indicator": "10.7.2", "value": "4", "year": 2024}],
        "practices": [{"title": "Pre-departure training", "url": "https://example.org/practice"}],
    }
    html = client.get(detail(review)).content.decode()
    assert "Also on objective 5" in html
    assert "Pre-departure training" in html
    assert reverse("statistics:area_profile", args=[review.country.m49_code]) in html


def test_bad_row_is_an_error_not_a_save(client_for, review, focal_point):
    client = client_for(focal_point)
    client.post(reverse("reviews:objective_add", kwargs={"pk": review.pk}), {"objective": 5})
    response = client.post(
        section_url(review, "objective-5"),
        {
            "objective-5-expected_version": 1,
            "objective-5-text": "Kept in the form.",
            "objective-5-indicator-0-indicator": "10.7.2",
            "objective-5-indicator-0-year": "24",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert b"A year is four digits." in response.content
    assert b"Kept in the form." in response.content
    assert stored(review, "objective-5").text == ""


def test_autosave_answers_json_and_keeps_one_version(client_for, review, focal_point):
    client = client_for(focal_point)
    url = section_url(review, SectionKey.CHALLENGES)
    first = client.post(
        url, {"challenges-expected_version": 1, "challenges-text": "Data", "autosave": "1"}
    )
    assert first.status_code == 200
    assert first.json()["ok"] is True
    assert first.json()["version"] == 2
    second = client.post(
        url, {"challenges-expected_version": 2, "challenges-text": "Data gaps", "autosave": "1"}
    )
    assert second.json()["version"] == 3
    section = stored(review, SectionKey.CHALLENGES)
    assert section.text == "Data gaps"
    # The two autosaves within minutes are one entry in the history.
    assert section.versions.count() == 1
    history = client.get(
        reverse("reviews:section_history", kwargs={"pk": review.pk, "key": "challenges"})
    )
    assert history.status_code == 200
    assert b"Data gaps" in history.content


def test_autosave_after_the_session_ended_is_401(client, review):
    response = client.post(
        section_url(review, SectionKey.CHALLENGES),
        {"challenges-expected_version": 1, "challenges-text": "Typed", "autosave": "1"},
    )
    assert response.status_code == 401
    assert response.json()["error"] == "signed-out"
    assert stored(review, SectionKey.CHALLENGES).text == ""


def test_conflict_shows_both_texts_and_stores_nothing(client_for, review, focal_point, coauthor):
    services.save_section(
        coauthor, review, SectionKey.CHALLENGES, expected_version=1, text="Their text on returns."
    )
    client = client_for(focal_point)
    url = section_url(review, SectionKey.CHALLENGES)
    mine = {"challenges-expected_version": 1, "challenges-text": "My text on data gaps."}
    for headers, status in (({"HX-Request": "true"}, 200), ({}, 409)):
        response = client.post(url, mine, headers=headers)
        assert response.status_code == status
        html = response.content.decode()
        assert "Their text on returns." in html
        assert "My text on data gaps." in html
        assert "coauthor" in html
        # The form again at the current version, so saving mine is a choice made knowingly.
        assert 'name="challenges-expected_version" value="2"' in html
    autosaved = client.post(url, {**mine, "autosave": "1"})
    assert autosaved.status_code == 409
    assert autosaved.json()["conflict"] is True
    assert "Their text on returns." in autosaved.json()["html"]
    section = stored(review, SectionKey.CHALLENGES)
    assert section.text == "Their text on returns."
    assert section.version == 2


# --- Workflow -------------------------------------------------------------------------------------


def test_submit_with_missing_sections_lists_them_and_keeps_data(client_for, review, focal_point):
    client = client_for(focal_point)
    client.post(
        section_url(review, SectionKey.CHALLENGES),
        {"challenges-expected_version": 1, "challenges-text": "Words worth keeping."},
    )
    response = client.post(workflow(review, "submit"))
    assert response.status_code == 400
    html = response.content.decode()
    listed = html.split('id="missing-sections"', 1)[1].split("</div>", 1)[0]
    assert 'href="#section-methodology"' in listed
    assert 'href="#objectives"' in listed
    assert 'href="#section-next_steps"' in listed
    assert 'href="#section-challenges"' not in listed
    assert "Words worth keeping." in html
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT
    assert stored(review, SectionKey.CHALLENGES).text == "Words worth keeping."


def test_workflow_to_published_and_late_flag(client_for, review, focal_point, secretariat_editor):
    fill_required(focal_point, review)
    Cycle.objects.filter(pk=review.cycle_id).update(due_on=timezone.localdate() - timedelta(days=3))
    client = client_for(focal_point)
    assert client.post(workflow(review, "internal-review")).status_code == 302
    assert client.post(workflow(review, "draft")).status_code == 302
    assert client.post(workflow(review, "submit")).status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    assert review.is_late
    html = client.get(detail(review)).content.decode()
    assert "Late: submitted after the cycle" in html
    assert "Save this section" not in html
    # Only the secretariat publishes.
    assert client.post(workflow(review, "publish")).status_code == 403
    editor = client_for(secretariat_editor)
    assert b"Publish the review" in editor.get(detail(review)).content
    assert editor.post(workflow(review, "publish")).status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.PUBLISHED
    assert client.post(workflow(review, "nonsense")).status_code == 404


def test_contributor_cannot_submit_but_lead_can(client_for, review, make_member, organization):
    other_writer = make_member(Role.CONTRIBUTOR, organization, username="second-writer")
    fill_required(other_writer, review)
    assert client_for(other_writer).post(workflow(review, "submit")).status_code == 403


# --- Starting, co-authors, comments, attachments ------------------------------------------------


def test_create_review(client_for, focal_point, organization, countries, imrf_2026):
    client = client_for(focal_point)
    page = client.get(CREATE)
    assert page.status_code == 200
    assert imrf_2026.title in page.content.decode()
    response = client.post(
        CREATE,
        {
            "cycle": imrf_2026.pk,
            "organization": organization.pk,
            "title": "Revue volontaire du Kenya",
            "level": "national",
            "entity_name": "Kenya",
            "country": "KEN",
            "language": "fr",
        },
    )
    assert response.status_code == 302
    review = organization.gcm_reviews.get()
    assert review.language == "fr"
    assert response["Location"] == detail(review)
    assert 'lang="fr"' in client.get(detail(review)).content.decode()


def test_create_review_errors_are_shown(client_for, focal_point, organization, imrf_2026):
    response = client_for(focal_point).post(
        CREATE,
        {
            "cycle": imrf_2026.pk,
            "organization": organization.pk,
            "title": "No country",
            "level": "national",
            "entity_name": "Somewhere",
            "language": "en",
        },
    )
    assert response.status_code == 400
    assert b"A national or local review names its country." in response.content


def test_create_review_needs_a_writer_role(client_for, viewer):
    assert client_for(viewer).get(CREATE).status_code == 403


def test_coauthors_added_and_removed(client_for, review, focal_point, make_member, organization):
    from tests.factories import UserFactory

    UserFactory(username="expert")
    client = client_for(focal_point)
    url = reverse("reviews:coauthor_add", kwargs={"pk": review.pk})
    response = client.post(url, {"coauthor-username": "nobody-here"})
    assert response.status_code == 400
    assert b"Nobody signs in with the name nobody-here." in response.content
    response = client.post(
        url, {"coauthor-username": "expert", "coauthor-sections": ["support", "objective-3"]}
    )
    assert response.status_code == 302
    author = review.authors.get(user__username="expert")
    assert author.sections == ["objective-3", "support"]
    remove = reverse("reviews:coauthor_remove", kwargs={"pk": review.pk, "user_pk": author.user_id})
    assert client.post(remove).status_code == 302
    assert not review.authors.filter(user__username="expert").exists()


def test_coauthor_cannot_manage_coauthors(client_for, review, coauthor):
    url = reverse("reviews:coauthor_add", kwargs={"pk": review.pk})
    assert client_for(coauthor).post(url, {"coauthor-username": "coauthor"}).status_code == 403


def test_comments_added_and_resolved(client_for, review, focal_point, coauthor):
    response = client_for(coauthor).post(
        reverse("reviews:comment_add", kwargs={"pk": review.pk}),
        {"section_key": "challenges", "comment-challenges-body": "Add the 2024 figures?"},
    )
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.section_key == "challenges"
    client = client_for(focal_point)
    assert b"Add the 2024 figures?" in client.get(detail(review)).content
    resolve = reverse("reviews:comment_resolve", kwargs={"pk": review.pk, "comment_pk": comment.pk})
    assert client.post(resolve).status_code == 302
    comment.refresh_from_db()
    assert comment.resolved_at is not None


def test_attachments(
    client_for, review, focal_point, make_member, other_organization, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(focal_point)
    url = reverse("reviews:attachment_add", kwargs={"pk": review.pk})
    fake = SimpleUploadedFile("plan.pdf", b"not a pdf at all", content_type="application/pdf")
    response = client.post(url, {"file": fake})
    assert response.status_code == 400
    assert b"plan.pdf is not a real PDF file." in response.content
    settings.REVIEW_ATTACHMENT_MAX_BYTES = 10
    big = SimpleUploadedFile("plan.pdf", b"%PDF-1.7 " + b"x" * 100)
    response = client.post(url, {"file": big})
    assert response.status_code == 400
    assert b"attachments are limited to" in response.content
    settings.REVIEW_ATTACHMENT_MAX_BYTES = 1000
    good = SimpleUploadedFile("plan.pdf", b"%PDF-1.7 a plan")
    assert client.post(url, {"file": good}).status_code == 302
    attachment = Attachment.objects.get()
    download = reverse(
        "reviews:attachment_download", kwargs={"pk": review.pk, "attachment_pk": attachment.pk}
    )
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7 a plan"
    outsider = make_member(Role.EDITOR, other_organization)
    assert client_for(outsider).get(download).status_code == 404


# --- The list -------------------------------------------------------------------------------------


def test_list_filters_and_exports(client_for, complete_review, focal_point):
    services.submit_review(focal_point, complete_review)
    client = client_for(focal_point)
    response = client.get(LIST, {"status": "submitted", "country": "ken", "cycle": 2026})
    assert response.status_code == 200
    assert response.context["paginator"].count == 1
    assert client.get(LIST, {"status": "draft"}).context["paginator"].count == 0
    assert client.get(LIST, {"q": "Kenya"}).context["paginator"].count == 1
    rows = list(
        csv.reader(io.StringIO(client.get(LIST, {"export": "csv"}).getvalue().decode("utf-8-sig")))
    )
    assert rows[1][1] == "Kenya: voluntary GCM review 2026"
    records = json.loads(client.get(LIST, {"export": "json", "cycle": 2026}).content)
    assert records[0]["Status"] == "submitted"
    workbook = load_workbook(io.BytesIO(client.get(LIST, {"export": "xlsx"}).content))
    assert workbook.active.max_row == 2


@pytest.mark.parametrize(
    "query",
    [
        {"cycle": "twenty"},
        {"cycle": "99999999999"},
        {"status": "lost"},
        {"level": "planet"},
        {"commission": "XYZ"},
        {"cycle_kind": "sg_report"},
        {"cycle_id": "-1"},
    ],
)
def test_bad_filters_are_400_not_500(client_for, review, focal_point, query):
    client = client_for(focal_point)
    response = client.get(LIST, query)
    assert response.status_code == 400
    assert b"no reviews are listed" in response.content
    export = client.get(LIST, {**query, "export": "csv"})
    assert export.status_code == 400


def test_unknown_section_is_404(client_for, review, focal_point):
    client = client_for(focal_point)
    assert client.post(section_url(review, "objective-24"), {}).status_code == 404
    assert client.post(section_url(review, "whatever"), {}).status_code == 404


def test_list_query_count_does_not_grow_with_rows(
    client_for, review, focal_point, organization, imrf_2026, django_assert_max_num_queries
):
    for number in range(3):
        services.create_review(
            focal_point,
            cycle=imrf_2026,
            organization=organization,
            title=f"Local review {number}",
            level="stakeholder",
            stakeholder="academia",
            entity_name=f"University {number}",
            language="en",
        )
    client = client_for(focal_point)
    client.get(LIST)  # sessions and caches warmed up
    with django_assert_max_num_queries(10):
        response = client.get(LIST)
    assert response.context["paginator"].count == 4


def test_the_review_list_leads_to_the_calendar_pledges_and_compilation(
    client_for, secretariat_viewer, cycles
):
    html = client_for(secretariat_viewer).get("/reviews/").content.decode()
    nav = html.split('class="subnav"', 1)[1].split("</nav>", 1)[0]
    for name in ("cycle_list", "pledge_list", "pledge_dashboard", "report_compile"):
        assert f'href="{reverse(f"reviews:{name}")}"' in nav
    assert 'aria-current="page">Reviews<' in nav
