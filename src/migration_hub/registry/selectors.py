"""The questions users ask of the registry, as querysets and plain rows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from migration_hub.core.models import Country, Region
from migration_hub.core.selectors import in_region

from .choices import BINDING_ACTIONS, MembershipKind, Scope
from .models import (
    Crosswalk,
    Framework,
    FrameworkItem,
    Instrument,
    Membership,
    Network,
    NetworkMembership,
    Organization,
    Participation,
    Provision,
    Right,
)


def organizations() -> QuerySet[Organization]:
    return Organization.objects.select_related("headquarters_country")


def instruments() -> QuerySet[Instrument]:
    return Instrument.objects.select_related("parent", "adopted_by")


def framework_items() -> QuerySet[FrameworkItem]:
    return FrameworkItem.objects.select_related("framework", "parent")


@dataclass
class TreeNode:
    item: FrameworkItem
    children: list[TreeNode]


def framework_trees() -> list[tuple[Framework, list[TreeNode]]]:
    """Each framework with its items as a tree (two queries, built in one pass)."""
    children: dict[int | None, list[FrameworkItem]] = defaultdict(list)
    for item in FrameworkItem.objects.order_by("position", "code"):
        children[item.parent_id].append(item)

    def nodes(parent: int | None, framework_id: int) -> list[TreeNode]:
        return [
            TreeNode(item, nodes(item.pk, framework_id))
            for item in children[parent]
            if item.framework_id == framework_id
        ]

    return [(framework, nodes(None, framework.pk)) for framework in frameworks()]


def network_memberships() -> QuerySet[NetworkMembership]:
    return NetworkMembership.objects.select_related("network", "organization").prefetch_related(
        "role_rows"
    )


def memberships() -> QuerySet[Membership]:
    return Membership.objects.select_related(
        "organization", "member_country", "member_organization"
    )


def participations() -> QuerySet[Participation]:
    return Participation.objects.select_related("country", "instrument")


def rights() -> QuerySet[Right]:
    return Right.objects.all()


def networks() -> QuerySet[Network]:
    return Network.objects.select_related("region", "country", "parent")


def frameworks() -> QuerySet[Framework]:
    return Framework.objects.select_related("instrument", "owner")


def crosswalks() -> QuerySet[Crosswalk]:
    return Crosswalk.objects.select_related("from_item__framework", "to_item__framework")


def related_items(item: FrameworkItem) -> set[int]:
    """The item, its descendants, and the items linked to any of them by a crosswalk.

    Asking who works on GCM objective 10 also finds those tagged with the MIGOF thematic area
    on trafficking that the crosswalk links to it.
    """
    ids = {item.pk}
    frontier = [item.pk]
    while frontier:
        children = list(
            FrameworkItem.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
        )
        frontier = [pk for pk in children if pk not in ids]
        ids.update(frontier)
    linked = Crosswalk.objects.filter(Q(from_item_id__in=ids) | Q(to_item_id__in=ids))
    for source, target in linked.values_list("from_item_id", "to_item_id"):
        ids.update((source, target))
    return ids


def region_and_ancestors(region: Region) -> set[int]:
    parents = dict(Region.objects.values_list("pk", "parent_id"))
    ids: set[int] = set()
    current: int | None = region.pk
    while current is not None and current not in ids:
        ids.add(current)
        current = parents.get(current)
    return ids


def region_descendants(region: Region) -> set[int]:
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent in Region.objects.values_list("pk", "parent_id"):
        if parent is not None:
            children[parent].append(pk)
    found: set[int] = set()
    frontier = [region.pk]
    while frontier:
        for child in children[frontier.pop()]:
            if child not in found:
                found.add(child)
                frontier.append(child)
    return found


def organizations_working_on(
    item: FrameworkItem | None = None, region: Region | None = None
) -> QuerySet[Organization]:
    """Organizations working on a thematic area or objective (or a linked one), in a region:
    global ones, those whose regions of work include it, or headquartered there."""
    result = organizations()
    if item is not None:
        result = result.filter(thematic_areas__in=related_items(item))
    if region is not None:
        result = result.filter(
            Q(scope=Scope.GLOBAL)
            | Q(regions__in=region_and_ancestors(region) | region_descendants(region))
            | Q(headquarters_country__in=Country.objects.filter(in_region(region)))
        )
    return result.distinct()


@dataclass(frozen=True)
class GapRow:
    instrument: Instrument
    status: str  # "party", "signatory" or "not-party"
    action: str
    date: dt.date | None


def gap_analysis(country: Country) -> list[GapRow]:
    """Each core migration instrument and whether the country is a party to it."""
    actions: dict[int, list[Participation]] = defaultdict(list)
    for participation in Participation.objects.filter(
        country=country, instrument__core_migration=True
    ):
        actions[participation.instrument_id].append(participation)
    rows = []
    for instrument in Instrument.objects.filter(core_migration=True).order_by("adopted_on", "code"):
        held = actions.get(instrument.pk, [])
        binding = [p for p in held if p.action in BINDING_ACTIONS]
        if binding:
            first = min(binding, key=lambda p: p.date or dt.date.max)
            rows.append(GapRow(instrument, "party", first.action, first.date))
        elif held:
            rows.append(GapRow(instrument, "signatory", held[0].action, held[0].date))
        else:
            rows.append(GapRow(instrument, "not-party", "", None))
    return rows


def rights_protected_by(instrument: Instrument) -> list[tuple[Right, list[Provision]]]:
    """Each right the instrument protects, with the provisions that protect it."""
    by_right: dict[int, tuple[Right, list[Provision]]] = {}
    for provision in instrument.provisions.prefetch_related("rights").order_by("position"):
        for right in provision.rights.all():
            by_right.setdefault(right.pk, (right, []))[1].append(provision)
    return sorted(by_right.values(), key=lambda pair: pair[0].name)


@dataclass
class CrosswalkMatrix:
    rows: list[FrameworkItem]
    columns: list[FrameworkItem]
    cells: set[tuple[int, int]]

    def linked(self, row: FrameworkItem, column: FrameworkItem) -> bool:
        return (row.pk, column.pk) in self.cells


def crosswalk_matrix(
    row_framework: str = "GCM",
    row_kind: str = "objective",
    column_frameworks: tuple[str, ...] = ("MIGOF", "SDG"),
) -> CrosswalkMatrix:
    """Items of one framework against the items of others they are linked to (either way)."""
    rows = list(framework_items().filter(framework__code=row_framework, kind=row_kind))
    row_ids = {row.pk for row in rows}
    links = Crosswalk.objects.filter(
        Q(from_item_id__in=row_ids, to_item__framework__code__in=column_frameworks)
        | Q(to_item_id__in=row_ids, from_item__framework__code__in=column_frameworks)
    ).values_list("from_item_id", "to_item_id")
    cells = set()
    for source, target in links:
        cells.add((source, target) if source in row_ids else (target, source))
    column_ids = {column for _row, column in cells}
    columns = list(
        framework_items().filter(pk__in=column_ids).order_by("framework__code", "position")
    )
    return CrosswalkMatrix(rows, columns, cells)


def network_members(network: Network, role: str | None = None) -> QuerySet[NetworkMembership]:
    result = network_memberships().filter(network=network)
    if role:
        result = result.filter(role_rows__role=role)
    return result.order_by("organization__name")


def member_states(organization: Organization, on: dt.date | None = None) -> QuerySet[Membership]:
    """Countries belonging to an organization on a date (today by default)."""
    day = on or timezone.localdate()
    return (
        memberships()
        .filter(
            organization=organization,
            member_country__isnull=False,
            kind=MembershipKind.MEMBER,
        )
        .filter(
            Q(start_date__isnull=True) | Q(start_date__lte=day),
            Q(end_date__isnull=True) | Q(end_date__gte=day),
        )
        .order_by("member_country__name")
    )


def un_members(kind: str) -> QuerySet:
    """Ids of countries whose current standing at the United Nations is `kind`."""
    return Membership.objects.filter(
        organization__code="UN", kind=kind, end_date__isnull=True, member_country__isnull=False
    ).values("member_country_id")


def un_status(country: Country) -> str:
    """'member', 'observer' or '' for the country's standing at the United Nations."""
    membership = (
        Membership.objects.filter(
            organization__code="UN", member_country=country, end_date__isnull=True
        )
        .values_list("kind", flat=True)
        .first()
    )
    return membership or ""


def ratification_table(instrument: Instrument) -> list[dict[str, Any]]:
    """Per country: its actions on the instrument, for the table, map and region chart."""
    by_country: dict[int, dict[str, Any]] = {}
    for participation in (
        participations()
        .filter(instrument=instrument)
        .order_by("country__name", F("date").asc(nulls_last=True))
    ):
        row = by_country.setdefault(
            participation.country_id,
            {"country": participation.country, "actions": [], "party": False},
        )
        row["actions"].append(participation)
        row["party"] = row["party"] or participation.action in BINDING_ACTIONS
    return list(by_country.values())


def parties_by_region(instrument: Instrument) -> list[tuple[Region, int, int]]:
    """(region, parties, countries) per M49 continent, for the region chart."""
    parties = set(
        participations()
        .filter(instrument=instrument, action__in=BINDING_ACTIONS)
        .values_list("country_id", flat=True)
    )
    result = []
    for region in Region.objects.filter(level="region").order_by("name"):
        country_ids = set(Country.objects.filter(region=region).values_list("pk", flat=True))
        result.append((region, len(country_ids & parties), len(country_ids)))
    return result
