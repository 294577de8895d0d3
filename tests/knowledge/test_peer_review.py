"""Peer review through its services: submit -> screen -> reviewers from other organizations,
suggested by theme and language -> blind rubric reviews -> the editor's decision (at least two
reviews) -> revise and resubmit (a new round) -> published and peer reviewed. Every step is
audited and e-mails the people concerned; calls for practices refuse late practices."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import formats, timezone

from migration_hub.core.choices import AuditAction, Role
from migration_hub.core.models import AuditEvent
from migration_hub.knowledge import selectors
from migration_hub.knowledge.choices import Criterion, Decision, ResourceStatus
from migration_hub.knowledge.models import (
    CallForPractices,
    EditorialDecision,
    ExpertProfile,
    Resource,
    ReviewAssignment,
)
from migration_hub.knowledge.permissions import can_read_assignment
from migration_hub.knowledge.services import peer_review
from migration_hub.knowledge.services import resources as resource_services

FULL_SCORES = {criterion.value: 4 for criterion in Criterion}


@pytest.fixture
def practice(author, organization, objectives, themes):
    return resource_services.create_resource(
        author,
        organization=organization,
        kind="practice",
        language="en",
        translations={
            "en": {"title": "Community sponsorship", "summary": "Neighbours welcome refugees."},
            "fr": {"title": "Parrainage communautaire", "summary": ""},
        },
        objectives=[objectives[16]],
        themes=["MIGOF-TA-03"],
    )


def submitted(practice, author, capture):
    with capture(execute=True):
        return peer_review.submit(author, practice)


def screened(practice, author, hub_editor, capture):
    submitted(practice, author, capture)
    with capture(execute=True):
        return peer_review.screen(hub_editor, practice, accept=True)


def in_review(practice, author, hub_editor, reviewers, capture):
    screened(practice, author, hub_editor, capture)
    with capture(execute=True):
        return [peer_review.assign_reviewer(hub_editor, practice, person) for person in reviewers]


def review(assignment, capture, recommendation="publish"):
    with capture(execute=True):
        return peer_review.submit_review(
            assignment.reviewer,
            assignment,
            scores=FULL_SCORES,
            comments="Solid evidence; replicable in other cities.",
            recommendation=recommendation,
        )


def outbox_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


# --- The whole path -----------------------------------------------------------------------------


def test_the_full_path_to_a_peer_reviewed_publication(
    practice, author, hub_editor, reviewers, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    resource = submitted(practice, author, capture)
    assert resource.status == ResourceStatus.SUBMITTED
    assert [m.subject for m in outbox_to(hub_editor.email)] == [
        "Submitted to the Hub: Community sponsorship"
    ]

    with capture(execute=True):
        resource = peer_review.screen(hub_editor, practice, accept=True)
    assert resource.status == ResourceStatus.SCREENED and resource.review_round == 1
    assert outbox_to(author.email)[-1].subject == "Accepted for peer review: Community sponsorship"

    with capture(execute=True):
        first, second = (
            peer_review.assign_reviewer(hub_editor, practice, person) for person in reviewers
        )
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.IN_REVIEW
    for person, assignment in zip(reviewers, (first, second), strict=True):
        message = outbox_to(person.email)[-1]
        assert message.subject == "Please review: Community sponsorship"
        assert f"/hub/reviews/{assignment.pk}/" in message.body

    review(first, capture)
    assert not [m for m in outbox_to(hub_editor.email) if "All reviews" in m.subject]
    review(second, capture)
    assert outbox_to(hub_editor.email)[-1].subject == "All reviews are in: Community sponsorship"

    with capture(execute=True):
        decision = peer_review.decide(
            hub_editor, practice, decision=Decision.PUBLISH, reasons="Both reviewers agree."
        )
    resource.refresh_from_db()
    assert decision.round == 1
    assert resource.status == ResourceStatus.PUBLISHED and resource.peer_reviewed
    assert resource.published_at is not None
    message = outbox_to(author.email)[-1]
    assert message.subject == "Published after peer review: Community sponsorship"
    assert "Both reviewers agree." in message.body
    steps = [
        event.metadata.get("step")
        for event in AuditEvent.objects.filter(target_id=str(practice.pk)).order_by("id")
        if event.metadata.get("step")
    ]
    assert steps == ["submit", "screen", "assign", "decide"]
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.CREATE, target_type__model="reviewassignment"
        ).count()
        == 2
    )


def test_revise_then_resubmit_starts_a_new_round(
    practice, author, hub_editor, reviewers, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    first, second = in_review(practice, author, hub_editor, reviewers, capture)
    review(first, capture, "revise")
    review(second, capture, "revise")
    with capture(execute=True):
        peer_review.decide(hub_editor, practice, decision=Decision.REVISE, reasons="Add the costs.")
    practice.refresh_from_db()
    assert practice.status == ResourceStatus.REVISION_REQUESTED
    assert "Add the costs." in outbox_to(author.email)[-1].body

    # The author edits (allowed again) and resubmits: straight into round 2.
    practice = resource_services.update_resource(
        author,
        practice,
        expected_version=practice.version,
        translations={
            "en": {"title": "Community sponsorship", "summary": "Costs: 2,000 USD a family."},
        },
    )
    with capture(execute=True):
        practice = peer_review.submit(author, practice)
    assert practice.status == ResourceStatus.SCREENED and practice.review_round == 2
    assert outbox_to(hub_editor.email)[-1].subject.startswith("Resubmitted for peer review")

    # Round 2 needs its own two reviews: round 1's do not count.
    with capture(execute=True):
        again = [peer_review.assign_reviewer(hub_editor, practice, person) for person in reviewers]
    assert {row.round for row in again} == {2}
    with pytest.raises(ValidationError) as error:
        peer_review.decide(hub_editor, practice, decision=Decision.PUBLISH, reasons="Good.")
    assert "0 submitted so far" in error.value.message_dict["decision"][0]
    for row in again:
        review(row, capture)
    peer_review.decide(hub_editor, practice, decision=Decision.PUBLISH, reasons="Good now.")
    practice.refresh_from_db()
    assert practice.peer_reviewed and practice.status == ResourceStatus.PUBLISHED
    assert list(practice.decisions.values_list("round", "decision")) == [
        (2, "publish"),
        (1, "revise"),
    ]


def test_screening_can_turn_a_submission_down_with_reasons(
    practice, author, hub_editor, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    submitted(practice, author, capture)
    with pytest.raises(ValidationError) as error:
        peer_review.screen(hub_editor, practice, accept=False, reasons="  ")
    assert "reasons" in error.value.message_dict
    with capture(execute=True):
        resource = peer_review.screen(
            hub_editor, practice, accept=False, reasons="Out of the Hub's scope."
        )
    assert resource.status == ResourceStatus.REJECTED
    assert EditorialDecision.objects.get().reasons == "Out of the Hub's scope."
    message = outbox_to(author.email)[-1]
    assert message.subject.startswith("Not accepted") and "Out of the Hub's scope." in message.body


def test_only_hub_editors_screen_assign_and_decide(
    practice, author, reviewers, hub_editor, editor, django_capture_on_commit_callbacks
):
    submitted(practice, author, django_capture_on_commit_callbacks)
    for person in (author, editor, reviewers[0]):  # editor: of the ministry, not the Hub
        with pytest.raises(PermissionDenied):
            peer_review.screen(person, practice, accept=True)
    peer_review.screen(hub_editor, practice, accept=True)
    with pytest.raises(PermissionDenied):
        peer_review.assign_reviewer(author, practice, reviewers[0])


def test_steps_out_of_order_are_refused(practice, author, hub_editor, reviewers):
    with pytest.raises(ValidationError):
        peer_review.screen(hub_editor, practice, accept=True)  # still a draft
    with pytest.raises(ValidationError):
        peer_review.assign_reviewer(hub_editor, practice, reviewers[0])
    with pytest.raises(ValidationError):
        peer_review.decide(hub_editor, practice, decision=Decision.PUBLISH, reasons="x")


def test_submitting_needs_an_objective_or_general(author, organization, objectives):
    resource = resource_services.create_resource(
        author,
        organization=organization,
        kind="tool",
        language="en",
        translations={"en": {"title": "A tool"}},
    )
    with pytest.raises(ValidationError) as error:
        peer_review.submit(author, resource)
    assert "objectives" in error.value.message_dict
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.DRAFT


# --- Reviewers ------------------------------------------------------------------------------------


def test_a_reviewer_from_the_submitting_organization_is_refused(
    practice,
    author,
    hub_editor,
    colleague,
    make_member,
    organization,
    django_capture_on_commit_callbacks,
):
    home_reviewer = make_member(Role.REVIEWER, organization, username="home-reviewer")
    screened(practice, author, hub_editor, django_capture_on_commit_callbacks)
    for person in (home_reviewer, colleague):
        with pytest.raises(ValidationError) as error:
            peer_review.assign_reviewer(hub_editor, practice, person)
        message = error.value.message_dict["reviewer"][0]
        assert "Home Ministry of Migration" in message and "another organization" in message
    with pytest.raises(ValidationError) as error:
        peer_review.assign_reviewer(hub_editor, practice, author)
    assert "submitted this resource" in error.value.message_dict["reviewer"][0]
    assert not ReviewAssignment.objects.exists()
    suggested = [match.item for match in peer_review.suggest_reviewers(practice)]
    assert home_reviewer not in suggested and colleague not in suggested


def test_the_same_reviewer_twice_in_a_round_is_refused(
    practice, author, hub_editor, reviewers, django_capture_on_commit_callbacks
):
    screened(practice, author, hub_editor, django_capture_on_commit_callbacks)
    peer_review.assign_reviewer(hub_editor, practice, reviewers[0])
    with pytest.raises(ValidationError) as error:
        peer_review.assign_reviewer(hub_editor, practice, reviewers[0])
    assert "already reviews" in error.value.message_dict["reviewer"][0]


def test_suggestions_rank_by_theme_and_language_with_reasons(
    practice,
    author,
    hub_editor,
    reviewers,
    themes,
    objectives,
    make_member,
    django_capture_on_commit_callbacks,
):
    from tests.factories import OrganizationFactory

    screened(practice, author, hub_editor, django_capture_on_commit_callbacks)
    expert = ExpertProfile.objects.create(
        user=reviewers[1], display_name="Dr Two", languages=["fr"], opted_in=True
    )
    expert.themes.set([themes[3]])
    expert.objectives.set([objectives[16]])
    hidden = make_member(Role.REVIEWER, OrganizationFactory(code="HID"), username="hidden")
    hidden_profile = ExpertProfile.objects.create(
        user=hidden, display_name="Hidden", languages=["fr"], opted_in=False
    )
    hidden_profile.themes.set([themes[3]])
    matches = peer_review.suggest_reviewers(practice)
    assert matches[0].item == reviewers[1]
    reasons = " ".join(matches[0].reasons)
    assert "Thematic area 3" in reasons and "GCM-O16" in reasons and "French" in reasons
    people = [match.item for match in matches]
    assert reviewers[0] in people
    # An expert who opted out is matched only as a plain reviewer, never by their profile.
    hidden_match = next(match for match in matches if match.item == hidden)
    assert hidden_match.score == 1 and "Thematic" not in " ".join(hidden_match.reasons)
    peer_review.assign_reviewer(hub_editor, practice, reviewers[1])
    assert reviewers[1] not in [match.item for match in peer_review.suggest_reviewers(practice)]


# --- Reviews --------------------------------------------------------------------------------------


def test_the_rubric_needs_every_criterion_from_1_to_5(
    practice, author, hub_editor, reviewers, django_capture_on_commit_callbacks
):
    first, _second = in_review(
        practice, author, hub_editor, reviewers, django_capture_on_commit_callbacks
    )
    partial = dict.fromkeys(list(FULL_SCORES)[1:], 3)
    with pytest.raises(ValidationError) as error:
        peer_review.submit_review(
            reviewers[0], first, scores=partial, comments="ok", recommendation="publish"
        )
    assert list(error.value.message_dict) == ["relevance"]
    for bad in (0, 6, "high", True, None):
        with pytest.raises(ValidationError):
            peer_review.submit_review(
                reviewers[0],
                first,
                scores={**FULL_SCORES, "gender": bad},
                comments="ok",
                recommendation="publish",
            )
    with pytest.raises(ValidationError) as error:
        peer_review.submit_review(
            reviewers[0], first, scores=FULL_SCORES, comments=" ", recommendation="maybe"
        )
    assert {"comments", "recommendation"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        peer_review.submit_review(
            reviewers[0],
            first,
            scores={**FULL_SCORES, "beauty": 5},
            comments="ok",
            recommendation="publish",
        )
    assert "scores" in error.value.message_dict
    first.refresh_from_db()
    assert first.submitted_at is None and first.scores == {}


def test_only_the_assigned_reviewer_submits_and_only_once(
    practice, author, hub_editor, reviewers, django_capture_on_commit_callbacks
):
    first, _second = in_review(
        practice, author, hub_editor, reviewers, django_capture_on_commit_callbacks
    )
    with pytest.raises(PermissionDenied):
        peer_review.submit_review(
            reviewers[1], first, scores=FULL_SCORES, comments="x", recommendation="publish"
        )
    with pytest.raises(PermissionDenied):
        peer_review.submit_review(
            author, first, scores=FULL_SCORES, comments="x", recommendation="publish"
        )
    review(first, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError):
        peer_review.submit_review(
            reviewers[0], first, scores=FULL_SCORES, comments="again", recommendation="reject"
        )


def test_a_reviewer_cannot_read_another_review_before_submitting(
    practice, author, hub_editor, reviewers, django_capture_on_commit_callbacks
):
    first, second = in_review(
        practice, author, hub_editor, reviewers, django_capture_on_commit_callbacks
    )
    review(second, django_capture_on_commit_callbacks)
    one, two = reviewers
    assert not can_read_assignment(one, second)
    assert selectors.assignment_for(one, second.pk) is None
    assert [row.pk for row in selectors.readable_assignments(one, practice)] == [first.pk]
    assert not can_read_assignment(author, second)
    assert selectors.readable_assignments(author, practice) == []
    # The second reviewer, having submitted, reads the first's (empty) assignment.
    assert can_read_assignment(two, first)
    review(first, django_capture_on_commit_callbacks)
    assert selectors.assignment_for(one, second.pk) == second
    assert len(selectors.readable_assignments(one, practice)) == 2
    assert len(selectors.readable_assignments(hub_editor, practice)) == 2


def test_a_decision_before_two_reviews_is_refused(
    practice, author, hub_editor, reviewers, django_capture_on_commit_callbacks
):
    first, _second = in_review(
        practice, author, hub_editor, reviewers, django_capture_on_commit_callbacks
    )
    review(first, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as error:
        peer_review.decide(hub_editor, practice, decision=Decision.PUBLISH, reasons="Fine.")
    assert "at least 2 submitted reviews" in error.value.message_dict["decision"][0]
    assert "1 submitted so far" in error.value.message_dict["decision"][0]
    practice.refresh_from_db()
    assert practice.status == ResourceStatus.IN_REVIEW and not practice.peer_reviewed
    assert not EditorialDecision.objects.exists()


def test_decisions_need_reasons_and_a_known_decision(
    practice, author, hub_editor, reviewers, django_capture_on_commit_callbacks
):
    for row in in_review(
        practice, author, hub_editor, reviewers, django_capture_on_commit_callbacks
    ):
        review(row, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as error:
        peer_review.decide(hub_editor, practice, decision=Decision.PUBLISH, reasons="")
    assert "reasons" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        peer_review.decide(hub_editor, practice, decision="celebrate", reasons="Yes")
    assert "decision" in error.value.message_dict


def test_a_rejected_resource_is_final(
    practice, author, hub_editor, reviewers, django_capture_on_commit_callbacks
):
    for row in in_review(
        practice, author, hub_editor, reviewers, django_capture_on_commit_callbacks
    ):
        review(row, django_capture_on_commit_callbacks, "reject")
    peer_review.decide(hub_editor, practice, decision=Decision.REJECT, reasons="No evidence.")
    practice.refresh_from_db()
    assert practice.status == ResourceStatus.REJECTED
    with pytest.raises(PermissionDenied):
        peer_review.submit(author, practice)


def test_withdrawing_an_assignment_not_yet_sent(
    practice, author, hub_editor, reviewers, django_capture_on_commit_callbacks
):
    first, second = in_review(
        practice, author, hub_editor, reviewers, django_capture_on_commit_callbacks
    )
    review(second, django_capture_on_commit_callbacks)
    peer_review.unassign_reviewer(hub_editor, first)
    assert not ReviewAssignment.objects.filter(pk=first.pk).exists()
    with pytest.raises(ValidationError):
        peer_review.unassign_reviewer(hub_editor, second)


# --- Calls for practices ----------------------------------------------------------------------------


def test_create_call_by_hub_editors_only(hub_editor, author, secretariat, objectives, themes):
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        peer_review.create_call(
            author,
            organization=secretariat,
            title="Call",
            opens_on=today,
            deadline=today + timedelta(days=30),
        )
    with pytest.raises(ValidationError) as error:
        peer_review.create_call(
            hub_editor,
            organization=secretariat,
            title="Call",
            opens_on=today,
            deadline=today - timedelta(days=1),
        )
    assert "deadline" in error.value.message_dict
    call = peer_review.create_call(
        hub_editor,
        organization=secretariat,
        title="Practices on labour mobility",
        objectives=["GCM-O6"],
        themes=[3],
        opens_on=today,
        deadline=today + timedelta(days=30),
    )
    assert call.is_open() and list(call.themes.values_list("code", flat=True)) == ["MIGOF-TA-03"]
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, target_id=str(call.pk)).exists()


def test_a_practice_submitted_to_a_closed_call_is_refused_with_the_deadline(
    author, organization, secretariat, objectives
):
    today = timezone.localdate()
    call = CallForPractices.objects.create(
        title="Practices on labour mobility",
        organization=secretariat,
        opens_on=today - timedelta(days=30),
        deadline=today,
    )
    practice = resource_services.create_resource(
        author,
        organization=organization,
        kind="practice",
        language="en",
        translations={"en": {"title": "Skills partnership"}},
        objectives=["GCM-O18"],
        call=call,
    )
    CallForPractices.objects.filter(pk=call.pk).update(deadline=today - timedelta(days=1))
    call.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        peer_review.submit(author, practice)
    message = error.value.message_dict["call"][0]
    assert formats.date_format(call.deadline) in message
    assert "Practices on labour mobility" in message
    assert Resource.objects.get(pk=practice.pk).status == ResourceStatus.DRAFT
