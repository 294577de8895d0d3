"""Reads of Hub resources, reviews and calls, already limited to what the person may see.

Pages and the API read resources only through these functions: `resources_for(user)` is the
one place deciding which drafts a person sees (their organization's, the ones they submitted,
the ones they review, all for the Hub's editors), and `readable_assignments` the one place
keeping peer review blind (a reviewer reads the others' reviews only after submitting theirs).

Other parts of the Hub may ADD functions at the end of this file.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from migration_hub.accounts.choices import OrganizationKind
from migration_hub.core.choices import Role
from migration_hub.core.permissions import roles_of

from .choices import ResourceStatus
from .models import (
    CallForPractices,
    EditorialDecision,
    Resource,
    ResourceFile,
    ReviewAssignment,
)
from .permissions import can_read_assignment, is_hub_editor

# What the editors' queue holds: work waiting for an editor or a reviewer.
QUEUE_STATUSES = (ResourceStatus.SUBMITTED, ResourceStatus.SCREENED, ResourceStatus.IN_REVIEW)
EDITOR_ROLES = (Role.EDITOR, Role.ADMINISTRATOR)


def _with_details(queryset: QuerySet[Resource]) -> QuerySet[Resource]:
    return queryset.select_related("organization", "call").prefetch_related("translations")


def published_resources() -> QuerySet[Resource]:
    """Every published resource, for everyone (signed in or not)."""
    return _with_details(Resource.objects.filter(status=ResourceStatus.PUBLISHED))


def resources_for(user: Any) -> QuerySet[Resource]:
    """Published resources to everyone, plus what the person may see before publication: their
    organizations' resources, the ones they submitted or review, and all for the Hub's
    editors."""
    base = Resource.objects.all()
    if not getattr(user, "is_authenticated", False):
        return _with_details(base.filter(status=ResourceStatus.PUBLISHED))
    if user.is_superuser or is_hub_editor(user):
        return _with_details(base)
    visible = Q(status=ResourceStatus.PUBLISHED) | Q(submitted_by=user)
    organizations = [int(pk) for pk in roles_of(user)]
    if organizations:
        visible |= Q(organization_id__in=organizations)
    visible |= Q(pk__in=ReviewAssignment.objects.filter(reviewer=user).values("resource_id"))
    return _with_details(base.filter(visible))


def resource_for(user: Any, pk: int) -> Resource | None:
    """One resource with what its page shows, or None when out of the person's reach (pages
    answer 404, so the ids of others' drafts reveal nothing)."""
    return (
        resources_for(user)
        .prefetch_related(
            "publishers",
            "countries",
            "regions",
            "objectives",
            "principles",
            "themes",
            Prefetch("files", queryset=ResourceFile.objects.order_by("created_at", "id")),
        )
        .filter(pk=pk)
        .first()
    )


def my_submissions(user: Any) -> QuerySet[Resource]:
    """What the person submitted, and their organizations' resources, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Resource.objects.none()
    mine = Q(submitted_by=user)
    organizations = [int(pk) for pk in roles_of(user)]
    if organizations:
        mine |= Q(organization_id__in=organizations)
    return _with_details(Resource.objects.filter(mine)).order_by("-updated_at", "-id")


def editor_queue(user: Any) -> QuerySet[Resource]:
    """Submitted, screened and in-review resources, oldest first, for the Hub's editors."""
    if not (
        getattr(user, "is_authenticated", False) and (user.is_superuser or is_hub_editor(user))
    ):
        return Resource.objects.none()
    return (
        _with_details(Resource.objects.filter(status__in=QUEUE_STATUSES))
        .annotate(
            assigned=Count(
                "assignments", filter=Q(assignments__round=F("review_round")), distinct=True
            ),
            reviewed=Count(
                "assignments",
                filter=Q(
                    assignments__round=F("review_round"), assignments__submitted_at__isnull=False
                ),
                distinct=True,
            ),
        )
        .order_by("updated_at", "id")
    )


def round_assignments(resource: Resource) -> QuerySet[ReviewAssignment]:
    """The current round's assignments of a resource (reviewers in the order assigned)."""
    return ReviewAssignment.objects.filter(
        resource=resource, round=resource.review_round
    ).select_related("reviewer")


def submitted_count(resource: Resource) -> int:
    return round_assignments(resource).filter(submitted_at__isnull=False).count()


def readable_assignments(user: Any, resource: Resource) -> list[ReviewAssignment]:
    """The reviews of a resource the person may read: all for the editors; a reviewer's own,
    and the others of the same round only once their own is submitted. Authors read none
    (they read the editor's decision)."""
    rows = ReviewAssignment.objects.filter(resource=resource).select_related("reviewer", "resource")
    return [
        row for row in rows.order_by("round", "created_at", "id") if can_read_assignment(user, row)
    ]


def assignments_for(user: Any) -> QuerySet[ReviewAssignment]:
    """The person's review assignments, those still to do first."""
    if not getattr(user, "is_authenticated", False):
        return ReviewAssignment.objects.none()
    return (
        ReviewAssignment.objects.filter(reviewer=user)
        .select_related("resource")
        .prefetch_related("resource__translations")
        .order_by(F("submitted_at").asc(nulls_first=True), "-created_at")
    )


def assignment_for(user: Any, pk: int) -> ReviewAssignment | None:
    """One assignment the person may read (their own, or another once theirs is in)."""
    row = (
        ReviewAssignment.objects.select_related("resource", "reviewer")
        .prefetch_related("resource__translations")
        .filter(pk=pk)
        .first()
    )
    if row is None or not can_read_assignment(user, row):
        return None
    return row


def decisions_for(user: Any, resource: Resource) -> QuerySet[EditorialDecision]:
    """Editorial decisions with their reasons: for the editors, the person who submitted the
    resource and its organization's members; none for anyone else."""
    if not getattr(user, "is_authenticated", False):
        return EditorialDecision.objects.none()
    allowed = (
        user.is_superuser
        or is_hub_editor(user)
        or resource.submitted_by_id == user.pk
        or str(resource.organization_id) in roles_of(user)
    )
    if not allowed:
        return EditorialDecision.objects.none()
    return resource.decisions.select_related("decided_by").order_by("-decided_at", "-id")


def hub_editors() -> QuerySet[Any]:
    """The people who run peer review: editors and administrators of a network secretariat."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__organization__kind=OrganizationKind.NETWORK_SECRETARIAT,
            memberships__role__in=EDITOR_ROLES,
        )
        .distinct()
    )


def calls() -> QuerySet[CallForPractices]:
    return CallForPractices.objects.select_related("organization").prefetch_related(
        "objectives", "themes"
    )


def open_calls() -> QuerySet[CallForPractices]:
    today = timezone.localdate()
    return calls().filter(opens_on__lte=today, deadline__gte=today).order_by("deadline", "title")
