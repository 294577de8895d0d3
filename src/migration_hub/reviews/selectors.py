"""Reads of reviews and pledges, already limited to what the person may see."""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.urls import reverse

from migration_hub.core.permissions import roles_of
from migration_hub.knowledge.choices import ResourceKind, ResourceStatus
from migration_hub.knowledge.models import Resource

from .choices import PledgeStatus, ReviewLevel, ReviewStatus
from .models import Cycle, Pledge, Review, ReviewAuthor, Section, SectionVersion
from .permissions import secretariat_roles


def cycles() -> QuerySet[Cycle]:
    return Cycle.objects.all()


def review_cycles() -> QuerySet[Cycle]:
    """The cycles reviews are submitted to (IMRFs and regional reviews)."""
    return Cycle.objects.exclude(kind="sg_report")


def reviews_for(user: Any) -> QuerySet[Review]:
    """Reviews `user` may read: published ones, their organizations' and co-authored ones,
    and, for the Network's secretariat, submitted ones."""
    base = Review.objects.select_related("cycle", "country", "organization")
    if not getattr(user, "is_authenticated", False):
        return base.none()
    if user.is_superuser:
        return base
    visible = Q(status=ReviewStatus.PUBLISHED)
    organizations = [int(pk) for pk in roles_of(user)]
    if organizations:
        visible |= Q(organization_id__in=organizations)
    visible |= Q(pk__in=ReviewAuthor.objects.filter(user=user).values("review_id"))
    if secretariat_roles(user):
        visible |= Q(status=ReviewStatus.SUBMITTED)
    return base.filter(visible)


def review_for(user: Any, pk: int) -> Review | None:
    """One review with its sections and authors, or None when it is out of the person's reach
    (pages answer 404, so ids of other organizations' drafts reveal nothing)."""
    return (
        reviews_for(user)
        .prefetch_related(
            Prefetch("sections", queryset=Section.objects.select_related("updated_by")),
            Prefetch("authors", queryset=ReviewAuthor.objects.select_related("user")),
        )
        .filter(pk=pk)
        .first()
    )


def pledges_for(user: Any) -> QuerySet[Pledge]:
    if not getattr(user, "is_authenticated", False):
        return Pledge.objects.none()
    return Pledge.objects.select_related("cycle", "country", "organization").prefetch_related(
        "objectives"
    )


def section_history(section: Section) -> QuerySet[SectionVersion]:
    return section.versions.select_related("author").order_by("-number")


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added" or "removed"
    text: str


def _lines(content: dict) -> list[str]:
    lines = []
    if content.get("progress"):
        lines.append(f"[{content['progress']}]")
    for name in ("text", "evidence"):
        lines.extend((content.get(name) or "").splitlines())
    for name, value in sorted((content.get("data") or {}).items()):
        lines.append(f"{name}: {value}")
    return lines


def version_diff(older: SectionVersion | None, newer: SectionVersion) -> list[DiffLine]:
    """Line-by-line difference between two saved states of a section."""
    before = _lines(older.content) if older else []
    after = _lines(newer.content)
    result = []
    for line in difflib.ndiff(before, after):
        code, text = line[:2], line[2:]
        if code == "? ":
            continue
        kind = {"+ ": "added", "- ": "removed"}.get(code, "same")
        result.append(DiffLine(kind, text))
    return result


@dataclass
class ObjectiveLinks:
    """What else the platform holds on one objective in the review's country."""

    pledges: list[Pledge] = field(default_factory=list)
    programmes: list[Any] = field(default_factory=list)
    practices: list[Any] = field(default_factory=list)
    statistics_url: str | None = None


def objective_links(review: Review, number: int) -> ObjectiveLinks:
    """Pledges, trust-fund programmes, published Hub practices and indicator data for
    objective `number` and the review's country (or organization, for reviews without a country)."""
    return objective_links_for(review, [number])[number]


def objective_links_for(review: Review, numbers: list[int]) -> dict[int, ObjectiveLinks]:
    """`objective_links` for several objectives of one review, in a few queries in all."""
    codes = {f"GCM-O{number}": number for number in numbers}
    links = {number: ObjectiveLinks() for number in numbers}
    if not codes:
        return links
    place = (
        Q(country_id=review.country_id)
        if review.country_id
        else Q(organization_id=review.organization_id)
    )
    pledge_rows = (
        Pledge.objects.filter(place, objectives__code__in=codes)
        .select_related("cycle")
        .annotate(objective_code=F("objectives__code"))
        .order_by("-cycle__year", "title")
    )
    for pledge in pledge_rows:
        found = links[codes[pledge.objective_code]].pledges
        if len(found) < 20:
            found.append(pledge)
    if review.country_id:
        from migration_hub.funds.models import Programme

        programme_rows = (
            Programme.objects.filter(objectives__code__in=codes, countries=review.country_id)
            .select_related("fund")
            .annotate(objective_code=F("objectives__code"))
            .distinct()
        )
        for programme in programme_rows:
            found = links[codes[programme.objective_code]].programmes
            if len(found) < 20:
                found.append(programme)
        practice_rows = (
            Resource.objects.filter(
                status=ResourceStatus.PUBLISHED,
                kind=ResourceKind.PRACTICE,
                objectives__code__in=codes,
                countries=review.country_id,
            )
            .prefetch_related("translations")
            .annotate(objective_code=F("objectives__code"))
            .order_by("-published_at")
        )
        for practice in practice_rows:
            found = links[codes[practice.objective_code]].practices
            if len(found) < 20:
                found.append(practice)
        url = reverse("statistics:area_profile", args=[review.country.m49_code])
        for link in links.values():
            link.statistics_url = url
    return links


@dataclass
class PledgeDashboard:
    total: int
    by_status: list[tuple[str, str, int]]
    by_objective: list[tuple[int, str, int]]
    by_level: list[tuple[str, int]]
    by_cycle: list[tuple[str, int]]


def pledge_dashboard(pledges: QuerySet[Pledge]) -> PledgeDashboard:
    """Counts for the pledge dashboard, over the pledges given (already filtered)."""
    rows = list(pledges.values_list("pk", "status", "level", "cycle__year", "cycle__kind"))
    status_counts = Counter(status for _pk, status, *_rest in rows)
    objective_counts = Counter(
        code
        for code in Pledge.objects.filter(pk__in=pledges.values("pk")).values_list(
            "objectives__code", flat=True
        )
        if code
    )
    level_labels = dict(ReviewLevel.choices)
    return PledgeDashboard(
        total=len(rows),
        by_status=[
            (value, str(label), status_counts.get(value, 0))
            for value, label in PledgeStatus.choices
        ],
        by_objective=[
            (number, f"GCM-O{number}", objective_counts.get(f"GCM-O{number}", 0))
            for number in range(1, 24)
        ],
        by_level=[
            (str(level_labels.get(level, level)), count)
            for level, count in Counter(row[2] for row in rows).most_common()
        ],
        by_cycle=[
            (str(year), count) for year, count in sorted(Counter(row[3] for row in rows).items())
        ],
    )
