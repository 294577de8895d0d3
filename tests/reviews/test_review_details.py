"""Correcting a review's details after it was started, and removing an attachment, through the
service, the pages and the API, against the real database: who may (the lead author and the
organization's editors for the details; every writer and co-author for attachments), only while
the review is still being written, a stale version refused with nothing changed, the file gone
from storage only once the transaction commits, and every change audited."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from migration_hub.core.choices import AuditAction, Role
from migration_hub.core.models import AuditEvent
from migration_hub.core.services import ConflictError
from migration_hub.reviews import services
from migration_hub.reviews.models import Attachment, Review

from .conftest import fill_required

pytestmark = pytest.mark.django_db

API = "/api/reviews/reviews"


def edit_url(review) -> str:
    return reverse("reviews:review_edit", kwargs={"pk": review.pk})


def remove_url(attachment) -> str:
    return reverse(
        "reviews:attachment_remove",
        kwargs={"pk": attachment.review_id, "attachment_pk": attachment.pk},
    )


def details(review, **overrides) -> dict[str, object]:
    """What the details form posts, prefilled with the review's stored details."""
    data = {
        "expected_version": review.version,
        "title": review.title,
        "entity_name": review.entity_name,
        "language": review.language,
        "period_from": review.period_from or "",
        "period_to": review.period_to or "",
        **overrides,
    }
    return {f"details-{name}": value for name, value in data.items()}


def events(target, action=AuditAction.UPDATE) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action=action,
            target_type=ContentType.objects.get_for_model(target),
            target_id=str(target.pk),
        ).order_by("id")
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def attachment(media, review, focal_point) -> Attachment:
    upload = SimpleUploadedFile("plan.pdf", b"%PDF-1.7 a national plan")
    return services.add_attachment(focal_point, review, upload)


@pytest.fixture
def as_user(api_client):
    def sign_in(user):
        api_client.force_authenticate(user)
        return api_client

    return sign_in


# --- The service: details ---------------------------------------------------------------------


def test_lead_author_corrects_the_details_audited(review, focal_point):
    before = review.version
    saved = services.update_review(
        focal_point,
        review,
        expected_version=before,
        title="  Kenya: GCM review 2026 (revised)  ",
        entity_name=" Republic of Kenya ",
        language="fr",
        period_from=2022,
        period_to=2025,
    )
    assert saved.version == before + 1
    stored = Review.objects.get(pk=review.pk)
    assert (stored.title, stored.entity_name, stored.language) == (
        "Kenya: GCM review 2026 (revised)",
        "Republic of Kenya",
        "fr",
    )
    assert (stored.period_from, stored.period_to) == (2022, 2025)
    event = events(review)[-1]
    assert event.actor == focal_point
    assert event.changes["title"] == [
        "Kenya: voluntary GCM review 2026",
        "Kenya: GCM review 2026 (revised)",
    ]
    assert event.changes["entity_name"] == ["Kenya", "Republic of Kenya"]
    assert event.changes["period_to"] == [None, 2025]
    assert event.organization_ref == str(review.organization_id)


def test_an_unchanged_save_makes_no_version(review, focal_point):
    before, audited = review.version, len(events(review))
    saved = services.update_review(focal_point, review, expected_version=before, title=review.title)
    assert saved.version == before
    assert len(events(review)) == audited


def test_a_stale_version_is_a_conflict_and_changes_nothing(review, focal_point, editor):
    opened = review.version
    services.update_review(focal_point, review, expected_version=opened, title="Theirs")
    audited = len(events(review))
    with pytest.raises(ConflictError) as raised:
        services.update_review(editor, review, expected_version=opened, title="Mine")
    assert (raised.value.expected_version, raised.value.current_version) == (opened, opened + 1)
    stored = Review.objects.get(pk=review.pk)
    assert stored.title == "Theirs" and stored.version == opened + 1
    assert len(events(review)) == audited


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "   "}, "title"),
        ({"entity_name": ""}, "entity_name"),
        ({"period_from": 2025, "period_to": 2020}, "period_to"),
        ({"language": "xx"}, "language"),
        ({"status": "published"}, "status"),
        ({"organization": 1}, "organization"),
    ],
)
def test_bad_details_name_the_field_and_change_nothing(review, focal_point, changes, field):
    with pytest.raises(ValidationError) as raised:
        services.update_review(focal_point, review, expected_version=review.version, **changes)
    assert field in raised.value.message_dict
    stored = Review.objects.get(pk=review.pk)
    assert stored.version == review.version and stored.title == review.title


def test_a_period_ending_before_the_stored_start_is_refused(review, focal_point):
    review = services.update_review(
        focal_point, review, expected_version=review.version, period_from=2022
    )
    with pytest.raises(ValidationError) as raised:
        services.update_review(focal_point, review, expected_version=review.version, period_to=2019)
    assert "period_to" in raised.value.message_dict


def test_a_submitted_review_can_no_longer_be_edited(review, focal_point):
    review = services.submit_review(focal_point, fill_required(focal_point, review))
    with pytest.raises(ValidationError, match="can no longer be edited"):
        services.update_review(focal_point, review, expected_version=review.version, title="Late")
    assert Review.objects.get(pk=review.pk).title == "Kenya: voluntary GCM review 2026"


def test_who_may_change_the_details(review, coauthor, editor, make_member, organization):
    contributor = make_member(Role.CONTRIBUTOR, organization, username="other-contributor")
    for person in (coauthor, contributor):
        with pytest.raises(PermissionDenied):
            services.update_review(person, review, expected_version=review.version, title="No")
    saved = services.update_review(editor, review, expected_version=review.version, title="Yes")
    assert saved.title == "Yes"


# --- The pages: details -----------------------------------------------------------------------


def test_the_review_page_offers_the_details_form_to_those_who_may(
    client_for, review, focal_point, coauthor
):
    response = client_for(focal_point).get(review.get_absolute_url())
    assert b"Edit the details" in response.content
    assert edit_url(review).encode() in response.content
    response = client_for(coauthor).get(review.get_absolute_url())
    assert response.status_code == 200
    assert b"Edit the details" not in response.content


def test_edit_the_details_page(client_for, review, focal_point):
    client = client_for(focal_point)
    response = client.get(edit_url(review))
    assert response.status_code == 200
    assert b'name="details-expected_version"' in response.content
    assert b'value="Kenya: voluntary GCM review 2026"' in response.content
    response = client.post(
        edit_url(review), details(review, title=" Kenya 2026 ", period_from=2021, period_to=2025)
    )
    assert response.status_code == 302 and response["Location"] == review.get_absolute_url()
    stored = Review.objects.get(pk=review.pk)
    assert (stored.title, stored.period_from, stored.period_to) == ("Kenya 2026", 2021, 2025)
    assert stored.version == review.version + 1
    page = client.get(response["Location"])
    assert b"Kenya 2026" in page.content
    assert b"version 2" in page.content  # the message of the save
    assert events(review)[-1].changes["title"] == ["Kenya: voluntary GCM review 2026", "Kenya 2026"]


def test_edit_errors_are_shown_and_nothing_saved(client_for, review, focal_point):
    client = client_for(focal_point)
    response = client.post(
        edit_url(review), details(review, entity_name="  ", period_from=2025, period_to=2020)
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Nothing was saved. Correct the following" in content
    assert 'href="#id_details-entity_name"' in content
    assert "The period must end after it starts." in content
    assert Review.objects.get(pk=review.pk).version == review.version


def test_edit_conflict_says_someone_changed_the_details(client_for, review, focal_point, editor):
    opened = review.version
    services.update_review(editor, review, expected_version=opened, title="The editor's title")
    response = client_for(focal_point).post(
        edit_url(review), details(review, expected_version=opened, title="My title")
    )
    assert response.status_code == 409
    content = response.content.decode()
    assert "Someone changed the details of this review" in content
    assert "Nothing was saved" in content
    assert "The editor&#x27;s title" in content  # the details as saved now
    assert 'value="My title"' in content  # what was typed is kept
    assert f'name="details-expected_version" value="{opened + 1}"' in content
    assert Review.objects.get(pk=review.pk).title == "The editor's title"


def test_a_submitted_review_details_page_refuses(client_for, review, focal_point):
    review = services.submit_review(focal_point, fill_required(focal_point, review))
    client = client_for(focal_point)
    response = client.get(edit_url(review))
    assert response.status_code == 403
    assert b"This review can no longer be edited." in response.content
    response = client.post(edit_url(review), details(review, title="Late"))
    assert response.status_code == 403
    assert b"This review can no longer be edited." in response.content
    assert b"Edit the details</summary>" not in client.get(review.get_absolute_url()).content
    assert Review.objects.get(pk=review.pk).title == "Kenya: voluntary GCM review 2026"


def test_coauthor_may_not_edit_details(client_for, review, coauthor):
    client = client_for(coauthor)
    assert client.get(edit_url(review)).status_code == 403
    assert client.post(edit_url(review), details(review, title="Mine")).status_code == 403
    assert Review.objects.get(pk=review.pk).title == "Kenya: voluntary GCM review 2026"


def test_another_organization_gets_404(client_for, review, make_member, other_organization):
    outsider = make_member(Role.EDITOR, other_organization)
    client = client_for(outsider)
    assert client.get(edit_url(review)).status_code == 404
    assert client.post(edit_url(review), details(review, title="Theirs")).status_code == 404


# --- Attachments ------------------------------------------------------------------------------


def test_remove_attachment_page_deletes_row_and_file(
    client_for, review, coauthor, attachment, media, django_capture_on_commit_callbacks
):
    path = media / attachment.file.name
    assert path.exists()
    client = client_for(coauthor)  # a co-author writes the review: write_review
    page = client.get(review.get_absolute_url())
    assert remove_url(attachment).encode() in page.content
    assert b"Remove plan.pdf" in page.content
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(remove_url(attachment))
    assert response.status_code == 302
    assert response["Location"].endswith("#attachments")
    assert len(callbacks) == 1
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert not path.exists()
    assert b"plan.pdf removed." in client.get(response["Location"]).content
    event = events(attachment, AuditAction.DELETE)[-1]
    assert event.actor == coauthor
    assert event.changes == {"name": ["plan.pdf", None], "size": [24, None]}
    assert event.organization_ref == str(review.organization_id)


def test_the_file_stays_until_commit_and_when_rolled_back(
    review, focal_point, attachment, media, django_capture_on_commit_callbacks
):
    path = media / attachment.file.name
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.remove_attachment(focal_point, attachment)
        assert path.exists()  # not before the commit
        raise RuntimeError("the request failed after the removal")
    assert callbacks == []
    assert path.exists()
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert events(attachment, AuditAction.DELETE) == []
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_attachment(focal_point, attachment)
    assert not path.exists()
    assert not Attachment.objects.filter(pk=attachment.pk).exists()


def test_a_file_already_gone_from_storage_does_not_fail_the_removal(
    review, focal_point, attachment, media, django_capture_on_commit_callbacks
):
    (media / attachment.file.name).unlink()
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_attachment(focal_point, attachment)
    assert not Attachment.objects.filter(pk=attachment.pk).exists()


def test_attachments_of_a_submitted_review_stay(
    client_for, review, focal_point, attachment, media, django_capture_on_commit_callbacks
):
    review = services.submit_review(focal_point, fill_required(focal_point, review))
    with pytest.raises(ValidationError, match="can no longer be edited"):
        services.remove_attachment(focal_point, attachment)
    client = client_for(focal_point)
    assert remove_url(attachment).encode() not in client.get(review.get_absolute_url()).content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remove_url(attachment), follow=True)
    assert b"can no longer be edited" in response.content
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert (media / attachment.file.name).exists()


def test_who_may_remove_an_attachment(
    client_for, review, attachment, make_member, organization, other_organization, media
):
    reader = make_member(Role.VIEWER, organization)
    assert (
        remove_url(attachment).encode()
        not in client_for(reader).get(review.get_absolute_url()).content
    )
    assert client_for(reader).post(remove_url(attachment)).status_code == 403
    outsider = make_member(Role.EDITOR, other_organization)
    assert client_for(outsider).post(remove_url(attachment)).status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert (media / attachment.file.name).exists()


# --- The API ----------------------------------------------------------------------------------


def test_api_patch_changes_only_what_is_sent(as_user, review, focal_point):
    response = as_user(focal_point).patch(
        f"{API}/{review.pk}/",
        {"expected_version": review.version, "entity_name": "Republic of Kenya"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["entity_name"] == "Republic of Kenya"
    assert body["title"] == "Kenya: voluntary GCM review 2026"
    assert body["version"] == review.version + 1
    assert events(review)[-1].changes["entity_name"] == ["Kenya", "Republic of Kenya"]


def test_api_patch_stale_version_is_409(as_user, review, focal_point, editor):
    opened = review.version
    services.update_review(editor, review, expected_version=opened, title="The editor's title")
    response = as_user(focal_point).patch(
        f"{API}/{review.pk}/", {"expected_version": opened, "title": "Mine"}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert (body["expected_version"], body["current_version"]) == (opened, opened + 1)
    assert Review.objects.get(pk=review.pk).title == "The editor's title"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "x"}, "expected_version"),
        ({"expected_version": 1, "title": "   "}, "title"),
        ({"expected_version": 1, "language": "xx"}, "language"),
        ({"expected_version": 1, "period_from": 2025, "period_to": 2020}, "period_to"),
        ({"expected_version": 1, "status": "published"}, "status"),
        ({"expected_version": 1, "title": "a\x00b"}, "title"),
    ],
)
def test_api_patch_bad_input_is_400_naming_the_field(as_user, review, focal_point, payload, field):
    response = as_user(focal_point).patch(f"{API}/{review.pk}/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Review.objects.get(pk=review.pk).version == review.version


def test_api_patch_who_may(
    as_user, review, focal_point, coauthor, make_member, organization, other_organization
):
    payload = {"expected_version": review.version, "title": "Not theirs"}
    outsider = make_member(Role.EDITOR, other_organization)
    assert as_user(outsider).patch(f"{API}/{review.pk}/", payload, format="json").status_code == 404
    reader = make_member(Role.VIEWER, organization)
    assert as_user(reader).patch(f"{API}/{review.pk}/", payload, format="json").status_code == 403
    assert as_user(coauthor).patch(f"{API}/{review.pk}/", payload, format="json").status_code == 403
    # Readers are refused before their input is read.
    assert as_user(reader).patch(f"{API}/{review.pk}/", {}, format="json").status_code == 403
    assert as_user(reader).put(f"{API}/{review.pk}/", payload, format="json").status_code == 405
    assert Review.objects.get(pk=review.pk).title == "Kenya: voluntary GCM review 2026"


def test_api_patch_submitted_review_is_400(as_user, review, focal_point):
    review = services.submit_review(focal_point, fill_required(focal_point, review))
    response = as_user(focal_point).patch(
        f"{API}/{review.pk}/", {"expected_version": review.version, "title": "Late"}, format="json"
    )
    assert response.status_code == 400
    assert "can no longer be edited" in str(response.json())
