"""The review services as a review season uses them: the schedule, a ministry writing its
review section by section with a co-author, the workflow to publication, the version history
with autosaves, who may read and write, and pledges reported over cycles."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from migration_hub.core.choices import Role
from migration_hub.core.models import AuditEvent
from migration_hub.reviews import selectors, services
from migration_hub.reviews.choices import (
    CycleKind,
    PledgeStatus,
    ReviewLevel,
    ReviewStatus,
    SectionKey,
)
from migration_hub.reviews.models import Cycle, PledgeUpdate, Review, Section, SectionVersion

from .conftest import fill_required

pytestmark = pytest.mark.django_db


# Cycles -----------------------------------------------------------------------------------------


def test_the_schedule_follows_the_gcm_rules_and_a_rerun_creates_nothing(cycles) -> None:
    imrfs = sorted(c.year for c in cycles.values() if c.kind == CycleKind.IMRF)
    assert imrfs == [2022, 2026, 2030]
    regional_2024 = [c for c in cycles.values() if c.kind == CycleKind.REGIONAL and c.year == 2024]
    assert len(regional_2024) == 5
    assert cycles[(CycleKind.IMRF, 2022, "")].dates_confirmed
    assert services.ensure_cycles(until_year=2030) == 0


def test_corrected_dates_survive_a_rerun(imrf_2026) -> None:
    corrected = imrf_2026.due_on - timedelta(days=30)
    Cycle.objects.filter(pk=imrf_2026.pk).update(due_on=corrected, dates_confirmed=True)
    services.ensure_cycles(until_year=2034)
    imrf_2026.refresh_from_db()
    assert imrf_2026.due_on == corrected and imrf_2026.dates_confirmed


# The workflow -----------------------------------------------------------------------------------


def test_a_new_review_is_a_draft_with_empty_sections_and_its_lead_author(
    review, focal_point, coauthor
) -> None:
    assert review.status == ReviewStatus.DRAFT
    assert review.commission == "ECA"  # Kenya's default regional commission
    assert set(review.sections.values_list("key", flat=True)) == set(SectionKey.values)
    assert all(section.is_empty for section in review.sections.all())
    authors = {a.user: a for a in review.authors.all()}
    assert authors[focal_point].is_lead and authors[focal_point].sections == []
    assert authors[coauthor].sections == [SectionKey.CHALLENGES, "objective-5"]
    assert AuditEvent.objects.filter(target_id=str(review.pk), action="create").exists()


def test_review_goes_through_internal_review_to_publication(
    complete_review, focal_point, secretariat_editor, editor
) -> None:
    review = services.send_to_internal_review(focal_point, complete_review)
    assert review.status == ReviewStatus.INTERNAL_REVIEW
    review = services.return_to_draft(editor, review)
    assert review.status == ReviewStatus.DRAFT
    review = services.submit_review(focal_point, review)
    assert review.status == ReviewStatus.SUBMITTED and review.submitted_at
    review = services.publish_review(secretariat_editor, review)
    assert review.status == ReviewStatus.PUBLISHED and review.published_at
    with pytest.raises(ValidationError, match="can no longer be edited"):
        services.save_section(
            focal_point, review, SectionKey.SUPPORT, expected_version=1, text="Too late."
        )


def test_an_objective_section_is_created_on_its_first_save_with_its_framework_item(
    review, focal_point, objectives
) -> None:
    section = services.save_section(
        focal_point,
        review,
        "objective-7",
        expected_version=0,
        progress="achieved",
        text="  Consular help at every border post.  ",
        data={
            "indicator_values": [{"indicator": "10.7.2", "value": "Yes", "year": "2024"}],
            "practices": [{"title": "One-stop centres", "url": "https://example.org/p"}],
        },
    )
    assert section.version == 1 and section.objective == objectives[7]
    assert section.text == "Consular help at every border post."
    assert section.data["indicator_values"][0]["year"] == 2024
    assert section.versions.count() == 1


def test_saving_the_same_content_again_writes_no_version(review, focal_point) -> None:
    first = services.save_section(
        focal_point, review, SectionKey.CHALLENGES, expected_version=1, text="Data gaps."
    )
    again = services.save_section(
        focal_point, review, SectionKey.CHALLENGES, expected_version=2, text="Data gaps."
    )
    assert again.version == first.version == 2
    assert first.versions.count() == 1


# Versions and autosave --------------------------------------------------------------------------


def test_autosaves_by_one_author_within_minutes_share_one_version(review, focal_point) -> None:
    version = 1
    for text in ("Data", "Data gaps", "Data gaps on returns"):
        section = services.save_section(
            focal_point,
            review,
            SectionKey.CHALLENGES,
            expected_version=version,
            text=text,
            autosave=True,
        )
        version = section.version
    assert section.version == 4  # every save moves the section's version (conflict guard)
    history = list(selectors.section_history(section))
    assert [v.number for v in history] == [1]
    assert history[0].content["text"] == "Data gaps on returns" and history[0].is_autosave


def test_an_autosave_after_the_window_or_by_another_author_starts_a_new_version(
    review, focal_point, coauthor
) -> None:
    section = services.save_section(
        focal_point, review, SectionKey.CHALLENGES, expected_version=1, text="A", autosave=True
    )
    SectionVersion.objects.filter(section=section).update(
        created_at=timezone.now() - services.AUTOSAVE_WINDOW - timedelta(minutes=1)
    )
    section = services.save_section(
        focal_point, review, SectionKey.CHALLENGES, expected_version=2, text="AB", autosave=True
    )
    section = services.save_section(
        coauthor, review, SectionKey.CHALLENGES, expected_version=3, text="ABC", autosave=True
    )
    history = list(selectors.section_history(section))
    assert [(v.number, v.content["text"]) for v in history] == [(3, "ABC"), (2, "AB"), (1, "A")]
    diff = selectors.version_diff(history[1], history[0])
    assert [(line.kind, line.text) for line in diff] == [("removed", "AB"), ("added", "ABC")]


def test_a_manual_save_closes_the_autosave_version(review, focal_point) -> None:
    section = services.save_section(
        focal_point, review, SectionKey.CHALLENGES, expected_version=1, text="A", autosave=True
    )
    section = services.save_section(
        focal_point, review, SectionKey.CHALLENGES, expected_version=2, text="AB"
    )
    section = services.save_section(
        focal_point, review, SectionKey.CHALLENGES, expected_version=3, text="ABC", autosave=True
    )
    numbers = [(v.number, v.is_autosave) for v in selectors.section_history(section)]
    assert numbers == [(2, True), (1, False)]


# Permissions ------------------------------------------------------------------------------------


def test_a_coauthor_edits_only_the_sections_given(review, coauthor) -> None:
    services.save_section(
        coauthor, review, SectionKey.CHALLENGES, expected_version=1, text="Returns data."
    )
    services.save_section(coauthor, review, "objective-5", expected_version=0, progress="planned")
    before = Section.objects.get(review=review, key=SectionKey.METHODOLOGY).content()
    with pytest.raises(PermissionDenied):
        services.save_section(
            coauthor, review, SectionKey.METHODOLOGY, expected_version=1, text="Mine now."
        )
    with pytest.raises(PermissionDenied):
        services.save_section(coauthor, review, "objective-6", expected_version=0, text="x")
    assert Section.objects.get(review=review, key=SectionKey.METHODOLOGY).content() == before
    assert not Section.objects.filter(review=review, key="objective-6").exists()


def test_a_coauthor_may_not_submit_or_manage_coauthors(complete_review, coauthor) -> None:
    with pytest.raises(PermissionDenied):
        services.submit_review(coauthor, complete_review)
    with pytest.raises(PermissionDenied):
        services.add_coauthor(coauthor, complete_review, coauthor, sections=[])
    complete_review.refresh_from_db()
    assert complete_review.status == ReviewStatus.DRAFT


def test_other_organizations_cannot_read_drafts_the_secretariat_reads_submitted(
    complete_review,
    focal_point,
    coauthor,
    viewer,
    make_member,
    other_organization,
    secretariat_viewer,
    secretariat_editor,
) -> None:
    outsider = make_member(Role.EDITOR, other_organization)
    pk = complete_review.pk
    assert selectors.review_for(focal_point, pk) is not None
    assert selectors.review_for(viewer, pk) is not None  # a member of the ministry
    assert selectors.review_for(coauthor, pk) is not None
    assert selectors.review_for(outsider, pk) is None
    assert selectors.review_for(secretariat_viewer, pk) is None  # drafts stay in the ministry
    assert not outsider.has_perm("reviews.view_review", complete_review)

    review = services.submit_review(focal_point, complete_review)
    assert selectors.review_for(secretariat_viewer, pk) is not None
    assert selectors.review_for(outsider, pk) is None
    services.publish_review(secretariat_editor, review)
    assert selectors.review_for(outsider, pk) is not None


def test_only_secretariat_editors_publish(
    complete_review, focal_point, editor, secretariat_viewer, secretariat_editor
) -> None:
    review = services.submit_review(focal_point, complete_review)
    for person in (focal_point, editor, secretariat_viewer):
        with pytest.raises(PermissionDenied):
            services.publish_review(person, review)
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    assert services.publish_review(secretariat_editor, review).status == ReviewStatus.PUBLISHED


def test_writers_of_another_organization_cannot_create_a_review_for_it(
    make_member, other_organization, organization, imrf_2026, countries
) -> None:
    outsider = make_member(Role.EDITOR, other_organization)
    with pytest.raises(PermissionDenied):
        services.create_review(
            outsider,
            cycle=imrf_2026,
            organization=organization,
            title="Not ours",
            level=ReviewLevel.NATIONAL,
            entity_name="Kenya",
            country=countries["KEN"],
            language="en",
        )
    assert not Review.objects.exists()


def test_comments_by_members_and_coauthors_not_outsiders(
    review, coauthor, viewer, make_member, other_organization
) -> None:
    comment = services.add_comment(coauthor, review, "Add the 2024 figures.", "objective-5")
    services.add_comment(viewer, review, "Looks good.")
    with pytest.raises(PermissionDenied):
        services.add_comment(make_member(Role.EDITOR, other_organization), review, "Spam")
    with pytest.raises(ValidationError) as error:
        services.add_comment(coauthor, review, "   ")
    assert "body" in error.value.message_dict
    resolved = services.resolve_comment(coauthor, comment)
    assert resolved.resolved_at is not None
    assert review.comments.count() == 2


# Pledges ----------------------------------------------------------------------------------------


def test_a_pledge_status_is_reported_over_cycles(
    focal_point, organization, countries, objectives, imrf_2022, imrf_2026, cycles
) -> None:
    pledge = services.create_pledge(
        focal_point,
        organization=organization,
        cycle=imrf_2022,
        title="Ratify ILO C189",
        entity_name="Kenya",
        level=ReviewLevel.NATIONAL,
        objectives=[6, "GCM-O16", objectives[17]],
        country=countries["KEN"],
        due_year=2026,
    )
    assert sorted(pledge.objectives.values_list("code", flat=True)) == [
        "GCM-O16",
        "GCM-O17",
        "GCM-O6",
    ]
    regional = cycles[(CycleKind.REGIONAL, 2024, "ECA")]
    services.update_pledge_status(
        focal_point, pledge, cycle=regional, status=PledgeStatus.IN_PROGRESS, note="Bill tabled."
    )
    services.update_pledge_status(
        focal_point, pledge, cycle=imrf_2026, status=PledgeStatus.FULFILLED
    )
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.FULFILLED and pledge.version == 3
    history = list(PledgeUpdate.objects.filter(pledge=pledge).values_list("cycle__year", "status"))
    assert history == [(2022, "announced"), (2024, "in_progress"), (2026, "fulfilled")]
    dashboard = selectors.pledge_dashboard(selectors.pledges_for(focal_point))
    assert dashboard.total == 1
    assert ("fulfilled", "Fulfilled", 1) in dashboard.by_status


def test_a_pledge_status_cannot_go_back_to_an_earlier_cycle_or_be_unknown(
    focal_point, organization, objectives, imrf_2022, imrf_2026, make_member, other_organization
) -> None:
    pledge = services.create_pledge(
        focal_point,
        organization=organization,
        cycle=imrf_2026,
        title="Open two labour attaché posts",
        entity_name="Kenya",
        level=ReviewLevel.NATIONAL,
        objectives=[5],
    )
    with pytest.raises(ValidationError) as error:
        services.update_pledge_status(
            focal_point, pledge, cycle=imrf_2022, status=PledgeStatus.FULFILLED
        )
    assert "cycle" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.update_pledge_status(focal_point, pledge, cycle=imrf_2026, status="done")
    assert "status" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.update_pledge_status(
            make_member(Role.EDITOR, other_organization),
            pledge,
            cycle=imrf_2026,
            status=PledgeStatus.WITHDRAWN,
        )
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.ANNOUNCED and pledge.updates.count() == 1


def test_a_pledge_names_real_objectives(focal_point, organization, objectives, imrf_2026) -> None:
    for bad in ([], [24], [0], ["x"]):
        with pytest.raises(ValidationError) as error:
            services.create_pledge(
                focal_point,
                organization=organization,
                cycle=imrf_2026,
                title="Vague",
                entity_name="Kenya",
                level=ReviewLevel.NATIONAL,
                objectives=bad,
            )
        assert "objectives" in error.value.message_dict


def test_filled_review_helper_leaves_nothing_missing(review, focal_point) -> None:
    assert services.missing_sections(fill_required(focal_point, review)) == []
