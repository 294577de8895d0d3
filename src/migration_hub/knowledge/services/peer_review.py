"""Peer review of Hub resources, and calls for practices.

    draft -> submitted -> screened (accepted by an editor; or rejected, with reasons)
          -> in review (at least two reviewers from other organizations score the rubric,
             each blind to the others until they submit)
          -> the editor decides, with reasons: published (peer reviewed), revision requested
             (the author edits and resubmits: a new round) or rejected.

Each step runs in one transaction, checks the actor's permission, audits, and e-mails the
people concerned once the transaction commits: the editors on a submission and when all the
reviews of a round are in, the reviewers on their assignment, the author on screening and on
the decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from migration_hub.accounts.models import Membership
from migration_hub.core import audit, search
from migration_hub.core.choices import AuditAction, Role
from migration_hub.core.permissions import require

from .. import selectors
from ..choices import Criterion, Decision, Recommendation, ResourceStatus
from ..matching import Match, ranked, shared
from ..models import CallForPractices, EditorialDecision, Resource, ReviewAssignment
from ..notifications import notify, translated_later
from .resources import (
    OBJECTIVE_KIND,
    THEME_KIND,
    _framework_items,
    check_call_open,
    language_name,
    reject_nul,
)
from .subscriptions import alert_on_publish

MIN_REVIEWS = 2
MAX_COMMENTS = 20_000
MAX_REASONS = 10_000
SUBMITTABLE = (ResourceStatus.DRAFT, ResourceStatus.REVISION_REQUESTED)
ASSIGNABLE = (ResourceStatus.SCREENED, ResourceStatus.IN_REVIEW)
SCORES = range(1, 6)


def _context(resource: Resource, **extra: Any) -> dict[str, Any]:
    return {"resource": resource, "site_url": getattr(settings, "SITE_URL", ""), **extra}


def _locked(resource: Resource) -> Resource:
    return Resource.objects.select_for_update().get(pk=resource.pk)


def _not_open(resource: Resource) -> ValidationError:
    return ValidationError(
        _("This step is not open to the resource now (its status: %(status)s).")
        % {"status": resource.get_status_display()}
    )


def _transition(
    actor: Any,
    resource: Resource,
    to: str,
    *,
    metadata: Mapping[str, Any] | None = None,
    **fields: Any,
) -> Resource:
    """Move `resource` (locked, checked) to status `to`, audited, with its version raised so
    edit forms opened before the step are refused rather than overwriting it."""
    before = {"status": resource.status, "review_round": resource.review_round}
    Resource.objects.filter(pk=resource.pk).update(
        status=to, version=F("version") + 1, updated_at=timezone.now(), **fields
    )
    resource.refresh_from_db()
    after = {"status": resource.status, "review_round": resource.review_round}
    changes = audit.diff(before, after)
    for name in fields:
        if name not in after:
            changes[name] = [None, audit.snapshot(resource, [name])[name]]
    audit.record(
        actor,
        AuditAction.UPDATE,
        resource,
        changes=changes,
        organization_id=resource.organization_id,
        metadata=dict(metadata or {}),
    )
    search.index_object(resource)
    return resource


def _author(resource: Resource) -> list[Any]:
    return [resource.submitted_by] if resource.submitted_by_id else []


# --- Submitting and screening -----------------------------------------------------------------


@transaction.atomic
def submit(actor: Any, resource: Resource) -> Resource:
    """Send a draft to the Hub's editors, or a revised resource back into review (a new
    round). A resource for a call must reach it before the call's deadline."""
    resource = _locked(resource)
    require(actor, "knowledge.change_resource", resource)
    if resource.status not in SUBMITTABLE:
        raise _not_open(resource)
    if not resource.is_general and not resource.objectives.exists():
        raise ValidationError(
            {
                "objectives": _(
                    "Name at least one GCM objective, or mark the resource as about the GCM in "
                    "general, before submitting it."
                )
            }
        )
    if resource.call_id:
        check_call_open(resource.call)
    resubmitted = resource.status == ResourceStatus.REVISION_REQUESTED
    fields: dict[str, Any] = {}
    if resource.submitted_by_id is None and getattr(actor, "is_authenticated", False):
        fields["submitted_by"] = actor
    if resubmitted:
        # The revised resource goes straight to a new round: it was screened before.
        resource = _transition(
            actor,
            resource,
            ResourceStatus.SCREENED,
            review_round=F("review_round") + 1,
            metadata={"step": "resubmit"},
            **fields,
        )
    else:
        resource = _transition(
            actor, resource, ResourceStatus.SUBMITTED, metadata={"step": "submit"}, **fields
        )
    notify(
        selectors.hub_editors(),
        translated_later(
            gettext_noop("Resubmitted for peer review: %(title)s")
            if resubmitted
            else gettext_noop("Submitted to the Hub: %(title)s"),
            title=resource.title,
        ),
        "peer_review_submitted.txt",
        _context(resource, resubmitted=resubmitted),
    )
    return resource


@transaction.atomic
def screen(actor: Any, resource: Resource, *, accept: bool, reasons: str = "") -> Resource:
    """An editor accepts a submission for peer review, or turns it down with reasons the
    author reads."""
    resource = _locked(resource)
    require(actor, "knowledge.edit_hub", resource)
    if resource.status != ResourceStatus.SUBMITTED:
        raise _not_open(resource)
    reasons = _clean_reasons(reasons, required=not accept)
    if accept:
        resource = _transition(
            actor,
            resource,
            ResourceStatus.SCREENED,
            review_round=F("review_round") + 1,
            metadata={"step": "screen", "accepted": True},
        )
    else:
        EditorialDecision.objects.create(
            resource=resource,
            round=resource.review_round,
            decision=Decision.REJECT,
            reasons=reasons,
            decided_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        resource = _transition(
            actor,
            resource,
            ResourceStatus.REJECTED,
            metadata={"step": "screen", "accepted": False},
        )
    notify(
        _author(resource),
        translated_later(
            gettext_noop("Accepted for peer review: %(title)s")
            if accept
            else gettext_noop("Not accepted for peer review: %(title)s"),
            title=resource.title,
        ),
        "peer_review_screened.txt",
        _context(resource, accepted=accept, reasons=reasons),
    )
    return resource


def _clean_reasons(reasons: str, *, required: bool) -> str:
    if not isinstance(reasons, str):
        raise ValidationError({"reasons": _("Give the reasons as text.")})
    reject_nul(reasons, "reasons")
    reasons = reasons.strip()
    if required and not reasons:
        raise ValidationError(
            {"reasons": _("Give the reasons for the decision: the author reads them.")}
        )
    if len(reasons) > MAX_REASONS:
        raise ValidationError(
            {"reasons": _("Keep the reasons under %(count)s characters.") % {"count": "10,000"}}
        )
    return reasons


# --- Reviewers --------------------------------------------------------------------------------


def _base(code: str) -> str:
    return (code or "").lower().split("-")[0].split("_")[0]


def _member_ids(organization_id: int) -> set[int]:
    return set(
        Membership.objects.filter(organization_id=organization_id).values_list("user_id", flat=True)
    )


def suggest_reviewers(resource: Resource, *, limit: int = 10) -> list[Match]:
    """People who could review `resource`, best first, each with the reasons: the Hub's
    reviewers (role "reviewer") and listed experts, scored by the MIGOF themes, GCM
    objectives and languages they share with it. Never a member of the submitting
    organization, the submitter, or someone already reviewing this round."""
    from .experts import listed_experts

    excluded = _member_ids(resource.organization_id)
    if resource.submitted_by_id:
        excluded.add(resource.submitted_by_id)
    # The round as stored now (the caller's copy may predate the screening).
    current_round = Resource.objects.values_list("review_round", flat=True).get(pk=resource.pk)
    excluded |= set(
        ReviewAssignment.objects.filter(resource=resource, round=current_round).values_list(
            "reviewer_id", flat=True
        )
    )
    reviewer_roles: dict[int, list[str]] = {}
    for user_id, name in Membership.objects.filter(role=Role.REVIEWER).values_list(
        "user_id", "organization__name"
    ):
        reviewer_roles.setdefault(user_id, []).append(name)
    profiles = {
        profile.user_id: profile
        for profile in listed_experts().prefetch_related("themes", "objectives")
    }
    candidates = (
        get_user_model()
        .objects.filter(is_active=True, pk__in=set(reviewer_roles) | set(profiles))
        .exclude(pk__in=excluded)
        .order_by("username")
    )
    themes = list(resource.themes.all())
    objectives = list(resource.objectives.all())
    languages = [resource.language] + [
        row.language for row in resource.translations.all() if row.language != resource.language
    ]
    wanted_languages = list(dict.fromkeys(_base(code) for code in languages))
    names = {_base(code): language_name(code) for code in languages}
    matches = []
    for user in candidates:
        score = 0.0
        reasons: list[str] = []
        if user.pk in reviewer_roles:
            score += 1
            reasons.append(
                _("Reviewer for %(organizations)s.")
                % {"organizations": ", ".join(sorted(reviewer_roles[user.pk]))}
            )
        profile = profiles.get(user.pk)
        offered_languages = {_base(user.preferred_language)} if user.preferred_language else set()
        if profile is not None:
            common_themes = shared(themes, profile.themes.all())
            if common_themes:
                score += 3 * len(common_themes)
                reasons.append(
                    _("Themes in common: %(themes)s.")
                    % {
                        "themes": ", ".join(
                            item.short_title or item.title for item in common_themes
                        )
                    }
                )
            common_objectives = shared(objectives, profile.objectives.all())
            if common_objectives:
                score += 2 * len(common_objectives)
                reasons.append(
                    _("GCM objectives in common: %(objectives)s.")
                    % {"objectives": ", ".join(item.code for item in common_objectives)}
                )
            offered_languages |= {_base(code) for code in profile.languages or []}
        common_languages = shared(wanted_languages, offered_languages)
        if common_languages:
            score += 2 * len(common_languages)
            reasons.append(
                _("Reads %(languages)s.")
                % {"languages": ", ".join(names[code] for code in common_languages)}
            )
        if score:
            matches.append(Match(item=user, score=score, reasons=reasons))
    return ranked(matches, limit)


@transaction.atomic
def assign_reviewer(actor: Any, resource: Resource, reviewer: Any) -> ReviewAssignment:
    """An editor asks `reviewer` to review the current round. Never someone from the
    submitting organization, nor the submitter: they are refused with the reason."""
    resource = _locked(resource)
    require(actor, "knowledge.edit_hub", resource)
    if resource.status not in ASSIGNABLE:
        raise _not_open(resource)
    name = reviewer.get_full_name() or reviewer.get_username()
    if not reviewer.is_active:
        raise ValidationError({"reviewer": _("%(name)s's account is not active.") % {"name": name}})
    if reviewer.pk == resource.submitted_by_id:
        raise ValidationError(
            {
                "reviewer": _("%(name)s submitted this resource and cannot review it.")
                % {"name": name}
            }
        )
    if reviewer.pk in _member_ids(resource.organization_id):
        raise ValidationError(
            {
                "reviewer": _(
                    "%(name)s belongs to %(organization)s, the organization that submitted this "
                    "resource. Choose a reviewer from another organization."
                )
                % {"name": name, "organization": resource.organization.name}
            }
        )
    if ReviewAssignment.objects.filter(
        resource=resource, round=resource.review_round, reviewer=reviewer
    ).exists():
        raise ValidationError(
            {"reviewer": _("%(name)s already reviews this round.") % {"name": name}}
        )
    assignment = ReviewAssignment.objects.create(
        resource=resource,
        round=resource.review_round,
        reviewer=reviewer,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(
        actor,
        AuditAction.CREATE,
        assignment,
        changes={"reviewer": [None, reviewer.pk], "round": [None, assignment.round]},
        organization_id=resource.organization_id,
    )
    if resource.status == ResourceStatus.SCREENED:
        resource = _transition(
            actor, resource, ResourceStatus.IN_REVIEW, metadata={"step": "assign"}
        )
    notify(
        [reviewer],
        translated_later(gettext_noop("Please review: %(title)s"), title=resource.title),
        "peer_review_assigned.txt",
        _context(resource, assignment=assignment),
    )
    return assignment


@transaction.atomic
def unassign_reviewer(actor: Any, assignment: ReviewAssignment) -> None:
    """An editor withdraws an assignment not yet submitted (a reviewer who cannot do it)."""
    resource = _locked(assignment.resource)
    require(actor, "knowledge.edit_hub", resource)
    current = ReviewAssignment.objects.select_for_update().filter(pk=assignment.pk).first()
    if current is None:
        return
    if current.submitted_at is not None:
        raise ValidationError(_("A submitted review stays part of the record."))
    audit.record(
        actor,
        AuditAction.DELETE,
        current,
        changes={"reviewer": [current.reviewer_id, None], "round": [current.round, None]},
        organization_id=resource.organization_id,
    )
    current.delete()


def clean_scores(scores: Any) -> dict[str, int]:
    """One score from 1 to 5 for every criterion of the rubric; errors name each criterion."""
    if not isinstance(scores, Mapping):
        raise ValidationError({"scores": _("Score every criterion of the rubric from 1 to 5.")})
    unknown = sorted(set(map(str, scores)) - set(Criterion.values))
    if unknown:
        raise ValidationError(
            {
                "scores": _("Unknown criteria: %(names)s.")
                % {"names": ", ".join(name[:40] for name in unknown[:5])}
            }
        )
    errors: dict[str, str] = {}
    cleaned: dict[str, int] = {}
    for criterion in Criterion:
        value = scores.get(criterion.value)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value not in SCORES:
            errors[criterion.value] = _("Score “%(criterion)s” from 1 to 5.") % {
                "criterion": criterion.label
            }
            continue
        cleaned[criterion.value] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def submit_review(
    actor: Any,
    assignment: ReviewAssignment,
    *,
    scores: Mapping[str, Any],
    comments: str,
    recommendation: str,
) -> ReviewAssignment:
    """A reviewer scores the rubric, comments and recommends; the review is then final, and
    they may read the other reviews of the round. The editors hear when all are in."""
    resource = _locked(assignment.resource)
    current = ReviewAssignment.objects.select_for_update().get(pk=assignment.pk)
    require(actor, "knowledge.review_resource", resource)
    if actor is not None and current.reviewer_id != actor.pk:
        raise PermissionDenied(_("Only the reviewer assigned can submit this review."))
    if current.submitted_at is not None:
        raise ValidationError(_("This review was already submitted; it can no longer change."))
    if resource.status != ResourceStatus.IN_REVIEW or current.round != resource.review_round:
        raise ValidationError(_("This review round is closed; the review can no longer be sent."))
    cleaned = clean_scores(scores)
    if not isinstance(comments, str):
        raise ValidationError({"comments": _("Give the comments as text.")})
    reject_nul(comments, "comments")
    comments = comments.strip()
    errors: dict[str, str] = {}
    if not comments:
        errors["comments"] = _("Write comments for the editor: what is strong, what is missing.")
    elif len(comments) > MAX_COMMENTS:
        errors["comments"] = _("Keep the comments under %(count)s characters.") % {
            "count": "20,000"
        }
    if recommendation not in Recommendation.values:
        errors["recommendation"] = _("Choose a recommendation.")
    if errors:
        raise ValidationError(errors)
    current.scores = cleaned
    current.comments = comments
    current.recommendation = recommendation
    current.submitted_at = timezone.now()
    current.save(
        update_fields=["scores", "comments", "recommendation", "submitted_at", "updated_at"]
    )
    audit.record(
        actor,
        AuditAction.UPDATE,
        current,
        changes={
            "scores": [{}, cleaned],
            "recommendation": ["", recommendation],
            "submitted_at": [None, current.submitted_at.isoformat()],
        },
        organization_id=resource.organization_id,
        metadata={"round": current.round},
    )
    round_rows = list(
        ReviewAssignment.objects.filter(resource=resource, round=resource.review_round)
    )
    if len(round_rows) >= MIN_REVIEWS and all(row.submitted_at for row in round_rows):
        notify(
            selectors.hub_editors(),
            translated_later(gettext_noop("All reviews are in: %(title)s"), title=resource.title),
            "peer_review_complete.txt",
            _context(resource, count=len(round_rows)),
        )
    return current


# --- The decision -----------------------------------------------------------------------------


@transaction.atomic
def decide(actor: Any, resource: Resource, *, decision: str, reasons: str) -> EditorialDecision:
    """The editor's decision on the round, with reasons the author reads: publish (peer
    reviewed), ask for a revision (the author edits and resubmits) or reject. Needs at least
    two submitted reviews in the round."""
    resource = _locked(resource)
    require(actor, "knowledge.edit_hub", resource)
    if resource.status != ResourceStatus.IN_REVIEW:
        raise _not_open(resource)
    if decision not in Decision.values:
        raise ValidationError({"decision": _("Choose publish, revise or reject.")})
    reasons = _clean_reasons(reasons, required=True)
    count = ReviewAssignment.objects.filter(
        resource=resource, round=resource.review_round, submitted_at__isnull=False
    ).count()
    if count < MIN_REVIEWS:
        raise ValidationError(
            {
                "decision": _(
                    "A decision needs at least %(needed)s submitted reviews in this round; "
                    "%(count)s submitted so far."
                )
                % {"needed": MIN_REVIEWS, "count": count}
            }
        )
    row = EditorialDecision.objects.create(
        resource=resource,
        round=resource.review_round,
        decision=decision,
        reasons=reasons,
        decided_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(
        actor,
        AuditAction.CREATE,
        row,
        changes={"decision": [None, decision]},
        organization_id=resource.organization_id,
        metadata={"round": row.round, "reviews": count},
    )
    if decision == Decision.PUBLISH:
        resource = _transition(
            actor,
            resource,
            ResourceStatus.PUBLISHED,
            peer_reviewed=True,
            published_at=resource.published_at or timezone.now(),
            metadata={"step": "decide", "decision": decision},
        )
        alert_on_publish(resource)
    elif decision == Decision.REVISE:
        resource = _transition(
            actor,
            resource,
            ResourceStatus.REVISION_REQUESTED,
            metadata={"step": "decide", "decision": decision},
        )
    else:
        resource = _transition(
            actor,
            resource,
            ResourceStatus.REJECTED,
            metadata={"step": "decide", "decision": decision},
        )
    subjects = {
        Decision.PUBLISH: gettext_noop("Published after peer review: %(title)s"),
        Decision.REVISE: gettext_noop("Revision requested: %(title)s"),
        Decision.REJECT: gettext_noop("Not published: %(title)s"),
    }
    notify(
        _author(resource),
        translated_later(subjects[Decision(decision)], title=resource.title),
        "peer_review_decision.txt",
        _context(resource, decision=row),
    )
    return row


# --- Calls for practices ----------------------------------------------------------------------


@transaction.atomic
def create_call(
    actor: Any,
    *,
    organization: Any,
    title: str,
    description: str = "",
    objectives: Iterable[Any] = (),
    themes: Iterable[Any] = (),
    opens_on: Any,
    deadline: Any,
    is_sample: bool = False,
) -> CallForPractices:
    """A themed call for practices, open from `opens_on` to `deadline` (inclusive)."""
    require(actor, "knowledge.edit_hub", CallForPractices(organization=organization))
    for name, value in (("title", title), ("description", description)):
        if not isinstance(value, str):
            raise ValidationError({name: _("Give it as text.")})
        reject_nul(value, name)
    title, description = title.strip(), description.strip()
    if not title:
        raise ValidationError({"title": _("Give the call a title.")})
    if opens_on and deadline and deadline < opens_on:
        raise ValidationError({"deadline": _("The deadline must fall after the call opens.")})
    objective_items = _framework_items(objectives, "objectives", OBJECTIVE_KIND, "GCM-O")
    theme_items = _framework_items(themes, "themes", THEME_KIND, "MIGOF-TA-")
    call = CallForPractices(
        organization=organization,
        title=title,
        description=description,
        opens_on=opens_on,
        deadline=deadline,
        is_sample=is_sample,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    call.full_clean()
    call.save()
    call.objectives.set(objective_items)
    call.themes.set(theme_items)
    audit.record(
        actor,
        AuditAction.CREATE,
        call,
        changes={
            **audit.snapshot(call, ["title", "opens_on", "deadline", "organization_id"]),
            "objectives": [item.code for item in objective_items],
            "themes": [item.code for item in theme_items],
        },
        organization_id=organization.pk,
    )
    return call
