"""The bad inputs of issue #5 at the service level: each is refused with a message naming what
to fix, and nothing is lost or half-written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from migration_hub.reviews import services
from migration_hub.reviews.choices import ReviewStatus, SectionKey
from migration_hub.reviews.models import Attachment, Cycle, Section, SectionVersion

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def snapshot(review) -> dict:
    return {
        "sections": {
            s.key: (s.version, s.content()) for s in Section.objects.filter(review=review)
        },
        "versions": list(
            SectionVersion.objects.filter(section__review=review).values_list(
                "section__key", "number", "content"
            )
        ),
    }


# Submitting with required sections missing ------------------------------------------------------


def test_submitting_an_empty_review_lists_everything_missing_and_changes_nothing(
    review, focal_point
) -> None:
    services.save_section(
        focal_point, review, SectionKey.CHALLENGES, expected_version=1, text="Data gaps."
    )
    before = snapshot(review)
    with pytest.raises(services.SubmissionIncomplete) as error:
        services.submit_review(focal_point, review)
    assert [key for key, _label in error.value.missing] == [
        SectionKey.METHODOLOGY,
        "objectives",
        SectionKey.PRINCIPLES,
        SectionKey.NEXT_STEPS,
    ]
    message = str(error.value)
    assert "Methodology and process" in message and "Next steps" in message
    assert "Progress on at least one GCM objective" in message
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT and review.submitted_at is None
    assert snapshot(review) == before


def test_one_missing_section_is_named_alone(complete_review, focal_point) -> None:
    services.save_section(
        focal_point, complete_review, SectionKey.NEXT_STEPS, expected_version=2, text="   "
    )
    with pytest.raises(services.SubmissionIncomplete) as error:
        services.submit_review(focal_point, complete_review)
    assert error.value.missing == [(SectionKey.NEXT_STEPS, "Next steps")]


# Two co-authors saving the same section ---------------------------------------------------------


def test_the_second_coauthor_gets_a_conflict_with_both_texts_and_nothing_is_overwritten(
    review, focal_point, coauthor
) -> None:
    # Both opened the challenges section at version 1.
    services.save_section(
        focal_point, review, SectionKey.CHALLENGES, expected_version=1, text="Mine: data gaps."
    )
    before = snapshot(review)
    with pytest.raises(services.SectionConflict) as error:
        services.save_section(
            coauthor,
            review,
            SectionKey.CHALLENGES,
            expected_version=1,
            text="Theirs: funding.",
            evidence="Budget 2024.",
        )
    conflict = error.value
    assert conflict.theirs["text"] == "Mine: data gaps."
    assert (
        conflict.mine["text"] == "Theirs: funding." and conflict.mine["evidence"] == "Budget 2024."
    )
    assert (conflict.expected_version, conflict.current_version) == (1, 2)
    assert conflict.saved_by == focal_point
    assert "focal-point" in str(conflict) and "both texts" in str(conflict)
    assert snapshot(review) == before  # nothing overwritten, the history unchanged


def test_two_first_saves_of_a_new_objective_section_conflict_too(
    review, focal_point, coauthor
) -> None:
    services.save_section(focal_point, review, "objective-5", expected_version=0, text="One.")
    with pytest.raises(services.SectionConflict):
        services.save_section(coauthor, review, "objective-5", expected_version=0, text="Two.")
    assert Section.objects.get(review=review, key="objective-5").text == "One."


# A deadline passed ------------------------------------------------------------------------------


def test_a_review_after_the_deadline_is_accepted_and_marked_late(
    complete_review, focal_point
) -> None:
    Cycle.objects.filter(pk=complete_review.cycle_id).update(
        due_on=timezone.localdate() - timedelta(days=1)
    )
    complete_review.refresh_from_db()
    review = services.submit_review(focal_point, complete_review)
    assert review.status == ReviewStatus.SUBMITTED and review.is_late


def test_a_review_before_the_deadline_is_not_late(complete_review, focal_point) -> None:
    Cycle.objects.filter(pk=complete_review.cycle_id).update(due_on=timezone.localdate())
    complete_review.refresh_from_db()
    review = services.submit_review(focal_point, complete_review)
    assert review.status == ReviewStatus.SUBMITTED and not review.is_late


# Objective numbers outside 1-23 -----------------------------------------------------------------


@pytest.mark.parametrize("key", ["objective-24", "objective-0", "objective-x", "summary"])
def test_a_section_key_outside_the_form_is_refused_naming_the_key(review, focal_point, key) -> None:
    with pytest.raises(ValidationError) as error:
        services.save_section(focal_point, review, key, expected_version=0, text="x")
    assert "objective-1 to objective-23" in error.value.message_dict["key"][0]
    assert not Section.objects.filter(review=review, key=key).exists()


def test_bad_section_data_names_the_field(review, focal_point) -> None:
    cases = [
        (SectionKey.METHODOLOGY, {"stakeholders": ["aliens"]}, "stakeholders"),
        (SectionKey.METHODOLOGY, {"budget": 1}, "data"),
        (SectionKey.IMPLEMENTATION_PLAN, {"url": "javascript:alert(1)"}, "url"),
        (
            "objective-3",
            {"indicator_values": [{"indicator": "10.7.2", "year": 99}]},
            "indicator_values",
        ),
        ("objective-3", {"practices": [{"url": "https://x.org"}]}, "practices"),
    ]
    for key, data, field in cases:
        with pytest.raises(ValidationError) as error:
            services.save_section(focal_point, review, key, expected_version=1, data=data)
        assert field in error.value.message_dict, (key, data)
    with pytest.raises(ValidationError) as error:
        services.save_section(
            focal_point, review, SectionKey.CHALLENGES, expected_version=1, progress="achieved"
        )
    assert "progress" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.save_section(
            focal_point,
            review,
            SectionKey.CHALLENGES,
            expected_version=1,
            text="x" * (services.MAX_TEXT_CHARACTERS + 1),
        )
    assert "text" in error.value.message_dict
    assert all(section.is_empty for section in Section.objects.filter(review=review))


# Attachments ------------------------------------------------------------------------------------


def test_an_attachment_over_the_limit_is_refused_naming_the_limit(
    review, focal_point, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("annex.pdf", b"%PDF-1.7\n" + b"0" * (21 * MB))
    with pytest.raises(ValidationError) as error:
        services.add_attachment(focal_point, review, upload)
    message = error.value.message_dict["file"][0]
    assert "21.0 MB" in message and "limited to 20 MB" in message
    assert not Attachment.objects.exists() and not any(tmp_path.rglob("*"))


def test_a_file_named_pdf_that_is_not_a_pdf_is_refused(
    review, focal_point, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("plan.pdf", b"MZ\x90\x00 not a pdf at all")
    with pytest.raises(ValidationError) as error:
        services.add_attachment(focal_point, review, upload)
    assert "plan.pdf is not a real PDF file" in error.value.message_dict["file"][0]
    with pytest.raises(ValidationError):
        services.add_attachment(focal_point, review, SimpleUploadedFile("run.exe", b"MZ"))
    assert not Attachment.objects.exists() and not any(tmp_path.rglob("*"))


def test_a_real_pdf_is_stored(review, focal_point, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    attachment = services.add_attachment(
        focal_point, review, SimpleUploadedFile("plan.pdf", b"%PDF-1.7\n%%EOF\n")
    )
    assert attachment.content_type == "application/pdf" and attachment.size == 15
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1


def test_a_50_mb_upload_gets_413_before_anything_is_written(
    client_for, review, focal_point, settings, tmp_path
) -> None:
    """Through the pages and the API alike the middleware answers before any view reads it."""
    settings.MEDIA_ROOT = tmp_path
    client = client_for(focal_point)
    for url in (f"/reviews/{review.pk}/", f"/api/reviews/reviews/{review.pk}/"):
        response = client.generic(
            "POST",
            url,
            b"--x--\r\n",
            content_type="multipart/form-data; boundary=x",
            CONTENT_LENGTH=str(50 * MB),
        )
        assert response.status_code == 413
        assert str(settings.MAX_UPLOAD_BYTES) in response.json()["detail"]
    assert not Attachment.objects.exists() and not any(tmp_path.rglob("*"))
