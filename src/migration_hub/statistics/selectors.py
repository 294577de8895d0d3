"""Reading statistics: observations, region aggregates checked against the publisher, and the
figures a country or region profile shows."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db.models import Avg, Q, QuerySet, Sum

from migration_hub.core.choices import Role
from migration_hub.core.models import Country, Region
from migration_hub.core.permissions import roles_of

from .areas import EXTRA_PARENTS, M49_WORLD, WORLD
from .choices import AreaKind, ImportKind, Sex
from .models import Area, Contribution, Dataset, Indicator, Observation
from .permissions import REVIEWING_ROLES

STOCK = "international-migrant-stock"
POPULATION = "total-population"
REFUGEES = "refugees"
ASYLUM_SEEKERS = "asylum-seekers"
COST_TO = "remittance-cost-to"
COST_FROM = "remittance-cost-from"
REMITTANCES = "personal-remittances-received"
SDG_10C_TARGET = 3.0  # per cent, SDG target 10.c


def observations() -> QuerySet[Observation]:
    return Observation.objects.select_related("dataset", "indicator")


def datasets() -> QuerySet[Dataset]:
    return Dataset.objects.select_related("imported_by")


def indicators() -> QuerySet[Indicator]:
    return Indicator.objects.all()


def latest_dataset(
    indicator: str, *, flows: bool | None = None, among: list[Dataset] | None = None
) -> Dataset | None:
    """The newest publisher's release holding `indicator` (with origins when `flows`, without
    when not). Regional and other data sets imported with the generic importer never stand in
    for a publisher's figures on the profiles; they are read through the API."""
    candidates = [
        dataset
        for dataset in (among if among is not None else publisher_releases())
        if indicator in dataset.indicator_codes and (flows is None or dataset.has_origins == flows)
    ]
    return max(candidates, key=lambda d: (revision_order(d.revision), d.imported_at), default=None)


def publisher_releases() -> list[Dataset]:
    return list(
        Dataset.objects.exclude(kind=ImportKind.INDICATOR_CSV)
        .only(
            "id",
            "key",
            "title",
            "publisher",
            "revision",
            "licence",
            "source_url",
            "indicator_codes",
            "has_origins",
            "last_year",
            "absent_means_zero",
        )
        .order_by("-revision", "-imported_at")
    )


# --- The M49 hierarchy, for aggregating countries into regions ------------------------------


@dataclass(frozen=True)
class Hierarchy:
    """Each country-level area's M49 ancestors (world included), from the core tables."""

    ancestors: dict[str, frozenset[str]]

    def members(self, region: str) -> set[str]:
        return {code for code, above in self.ancestors.items() if region in above}


@lru_cache(maxsize=1)
def _hierarchy_cached(stamp: tuple[int, int]) -> Hierarchy:
    parents = dict(Region.objects.values_list("m49_code", "parent__m49_code"))

    def chain(code: str | None) -> list[str]:
        found = []
        while code and code != M49_WORLD:  # the world is 900 here, added to every chain
            found.append(code)
            code = parents.get(code)
        return found

    ancestors: dict[str, frozenset[str]] = {}
    for row in Country.objects.values(
        "m49_code", "region__m49_code", "sub_region__m49_code", "intermediate_region__m49_code"
    ):
        above = chain(row["intermediate_region__m49_code"] or row["sub_region__m49_code"])
        above += chain(row["region__m49_code"])
        ancestors[row["m49_code"]] = frozenset([*above, WORLD])
    # Regions a publisher may list as countries: a leaf when none of their M49 members has
    # figures of its own (see `leaf_areas`).
    for code in parents:
        if code not in ancestors:
            ancestors[code] = frozenset([*chain(parents.get(code)), WORLD])
    for code, parent in EXTRA_PARENTS.items():
        ancestors[code] = frozenset([*chain(parent), WORLD])
    return Hierarchy(ancestors)


def hierarchy() -> Hierarchy:
    return _hierarchy_cached((Country.objects.count(), Region.objects.count()))


def leaf_areas(dataset: Dataset, indicator: str) -> set[str]:
    """The country-level areas of a data set: countries, and regions listed as countries."""
    codes = set(
        Observation.objects.filter(dataset=dataset, indicator__code=indicator, origin__isnull=True)
        .order_by()
        .values_list("area", flat=True)
        .distinct()
    )
    kinds = dict(Area.objects.filter(code__in=codes).values_list("code", "kind"))
    tree = hierarchy()
    leaves = {code for code in codes if kinds.get(code) == AreaKind.COUNTRY}
    for code in codes - leaves:
        if kinds.get(code) in (AreaKind.INTERMEDIATE_REGION, AreaKind.SUB_REGION):
            below = {c for c, above in tree.ancestors.items() if code in above and c != code}
            if not below & codes:
                leaves.add(code)
    return leaves


@dataclass(frozen=True)
class RegionCheck:
    region: str
    name: str
    year: int
    sex: str
    computed: float
    published: float | None
    countries: int

    @property
    def difference(self) -> float | None:
        return None if self.published is None else self.computed - self.published


def region_aggregates(
    dataset: Dataset, indicator: str, regions: list[str] | None = None, year: int | None = None
) -> list[RegionCheck]:
    """Sums of the country-level figures per M49 region, beside the publisher's own figure."""
    tree = hierarchy()
    leaves = leaf_areas(dataset, indicator)
    figures = Observation.objects.filter(
        dataset=dataset, indicator__code=indicator, origin__isnull=True, value__isnull=False
    )
    if year is not None:
        figures = figures.filter(year=year)
    by_region: dict[tuple[str, int, str], float] = defaultdict(float)
    counts: dict[tuple[str, int, str], int] = defaultdict(int)
    published: dict[tuple[str, int, str], float] = {}
    wanted = set(regions) if regions else None
    for area, year_, sex, value in figures.order_by().values_list("area", "year", "sex", "value"):
        published[(area, year_, sex)] = value
        if area in leaves:
            for region in tree.ancestors.get(area, {WORLD}):
                if region != area and (wanted is None or region in wanted):
                    by_region[(region, year_, sex)] += value
                    counts[(region, year_, sex)] += 1
    names = dict(
        Area.objects.filter(code__in={k[0] for k in by_region}).values_list("code", "name")
    )
    return [
        RegionCheck(
            region, names.get(region, region), year_, sex, total, published.get(key), counts[key]
        )
        for key, total in sorted(by_region.items())
        for region, year_, sex in [key]
    ]


def differences(dataset: Dataset, indicator: str, tolerance: float = 0.5) -> list[RegionCheck]:
    """Region aggregates that do not match the figure the publisher printed for the region."""
    return [
        check
        for check in region_aggregates(dataset, indicator)
        if check.published is not None and abs(check.difference or 0) > tolerance
    ]


# --- Profiles ----------------------------------------------------------------------------------


def area_members(code: str) -> set[str]:
    """The country-level areas a profile sums over: the country itself, or a region's members."""
    area = Area.objects.filter(code=code).only("kind").first()
    if area is None:
        return set()
    if area.kind in (AreaKind.COUNTRY, AreaKind.OTHER):
        return {code}
    # Countries only: a region's sub-regions are in the hierarchy too, and summing them with
    # their countries would count people twice.
    members = hierarchy().members(code) - {code}
    countries = set(
        Area.objects.filter(code__in=members, kind=AreaKind.COUNTRY).values_list("code", flat=True)
    )
    return countries or {code}


def _series(indicator: str, area: str, dataset: Dataset | None) -> list[dict[str, Any]]:
    if dataset is None:
        return []
    return list(
        Observation.objects.filter(
            dataset=dataset, indicator__code=indicator, area=area, origin__isnull=True
        )
        .order_by("year", "sex")
        .values("year", "sex", "value", "flag")
    )


def _summed(indicator: str, members: set[str], dataset: Dataset | None, by: str) -> list[dict]:
    """Yearly sums over `members` (as destination when by='area', as origin when by='origin')."""
    if dataset is None or not members:
        return []
    filters = Q(dataset=dataset, indicator__code=indicator, value__isnull=False)
    filters &= Q(**{f"{by}__in": members})
    rows = (
        Observation.objects.filter(filters)
        .values("year", "sex")
        .annotate(value=Sum("value"))
        .order_by("year", "sex")
    )
    return list(rows)


def _top(
    area_code: str,
    members: set[str],
    dataset: Dataset | None,
    by: str,
    year: int | None,
    limit: int = 10,
) -> list[dict]:
    """Largest corridors: origins of the migrants living in `members` (by='area'), or the
    destinations of those born there (by='origin'), in the data set's latest year."""
    if dataset is None or year is None or not members:
        return []
    other = "origin" if by == "area" else "area"
    rows = (
        Observation.objects.filter(
            dataset=dataset,
            indicator__code=STOCK,
            year=year,
            value__isnull=False,
            **{f"{by}__in": members},
        )
        .exclude(**{other: area_code})
        # The matrix also lists a few regions ("South America") as destinations: corridors
        # are between countries.
        .filter(**{f"{other}__kind__in": [AreaKind.COUNTRY, AreaKind.OTHER]})
        .values(other, f"{other}__name")
        .annotate(value=Sum("value"))
        .order_by("-value")[:limit]
    )
    return [
        {"code": row[other], "name": row[f"{other}__name"], "value": row["value"]} for row in rows
    ]


@dataclass
class Profile:
    area: Area
    members: set[str]
    stock: list[dict]
    stock_dataset: Dataset | None
    share: list[dict]
    top_origins: list[dict]
    top_destinations: list[dict]
    flows_dataset: Dataset | None
    flows_year: int | None
    refugees_hosted: list[dict]
    refugees_originating: list[dict]
    refugees_dataset: Dataset | None
    remittance_costs: list[dict]
    remittances: list[dict]
    cost_datasets: list[Dataset]

    @property
    def latest_stock(self) -> dict | None:
        totals = [row for row in self.stock if row["sex"] == Sex.TOTAL and row["value"] is not None]
        return totals[-1] if totals else None

    @property
    def latest_share(self) -> dict | None:
        totals = [row for row in self.share if row["sex"] == Sex.TOTAL]
        return totals[-1] if totals else None


def _own_or_summed(
    indicator: str, area: Area, members: set[str], dataset: Dataset | None
) -> list[dict]:
    own = _series(indicator, area.code, dataset)
    if own or dataset is None:
        return own
    return [{**row, "flag": "computed"} for row in _summed(indicator, members, dataset, "area")]


def profile(code: str) -> Profile | None:
    """Everything a country or region profile shows; None when the area is unknown."""
    area = Area.objects.filter(code=code).first()
    if area is None:
        return None
    members = area_members(code)
    loaded = publisher_releases()
    stock_dataset = latest_dataset(STOCK, flows=False, among=loaded)
    stock = _own_or_summed(STOCK, area, members, stock_dataset)
    population = _own_or_summed(POPULATION, area, members, stock_dataset)
    people = {(row["year"], row["sex"]): row["value"] for row in population}
    share = [
        {"year": row["year"], "sex": row["sex"], "value": 100 * row["value"] / (people[key] * 1000)}
        for row in stock
        if row["value"] is not None and (key := (row["year"], row["sex"])) in people and people[key]
    ]
    flows_dataset = latest_dataset(STOCK, flows=True, among=loaded)
    flows_year = flows_dataset.last_year if flows_dataset else None
    refugees_dataset = latest_dataset(REFUGEES, flows=True, among=loaded)
    costs = []
    cost_datasets = []
    for indicator, label in ((COST_TO, "to"), (COST_FROM, "from")):
        dataset = latest_dataset(indicator, among=loaded)
        if dataset is None:
            continue
        cost_datasets.append(dataset)
        for row in _series_over(indicator, area, members, dataset, mean=True):
            costs.append({**row, "direction": label})
    remittances_dataset = latest_dataset(REMITTANCES, among=loaded)
    if remittances_dataset:
        cost_datasets.append(remittances_dataset)
    return Profile(
        area=area,
        members=members,
        stock=stock,
        stock_dataset=stock_dataset,
        share=share,
        top_origins=_top(code, members, flows_dataset, "area", flows_year),
        top_destinations=_top(code, members, flows_dataset, "origin", flows_year),
        flows_dataset=flows_dataset,
        flows_year=flows_year,
        refugees_hosted=_refugees(members, refugees_dataset, "area"),
        refugees_originating=_refugees(members, refugees_dataset, "origin"),
        refugees_dataset=refugees_dataset,
        remittance_costs=costs,
        remittances=_series_over(REMITTANCES, area, members, remittances_dataset),
        cost_datasets=cost_datasets,
    )


def _refugees(members: set[str], dataset: Dataset | None, by: str) -> list[dict]:
    if dataset is None:
        return []
    rows: list[dict] = []
    for indicator in (REFUGEES, ASYLUM_SEEKERS):
        for row in _summed(indicator, members, dataset, by):
            rows.append({"year": row["year"], "value": row["value"], "indicator": indicator})
    return rows


def _series_over(
    indicator: str, area: Area, members: set[str], dataset: Dataset | None, *, mean: bool = False
) -> list[dict]:
    """The area's own figures, or for a region the sum (or the mean, for costs) of its members'."""
    if dataset is None:
        return []
    own = [row for row in _series(indicator, area.code, dataset) if row["value"] is not None]
    if own or area.kind == AreaKind.COUNTRY:
        return [{"year": row["year"], "value": row["value"]} for row in own]
    aggregate = Avg("value") if mean else Sum("value")
    rows = (
        Observation.objects.filter(
            dataset=dataset, indicator__code=indicator, area__in=members, value__isnull=False
        )
        .values("year")
        .annotate(value=aggregate)
        .order_by("year")
    )
    return list(rows)


def compare(codes: list[str]) -> list[Profile]:
    return [found for code in codes if (found := profile(code)) is not None]


def contributions_for(user: Any) -> QuerySet[Contribution]:
    """Contributions the user may see: those their organizations sent, and those sent to the
    data sets kept by an organization in which they review."""
    contributions = Contribution.objects.select_related(
        "dataset", "organization", "office", "submitted_by", "reviewed_by"
    )
    if not getattr(user, "is_authenticated", False):
        return contributions.none()
    if user.is_superuser:
        return contributions
    held = roles_of(user)
    reviewing = [int(pk) for pk, roles in held.items() if roles & REVIEWING_ROLES]
    return contributions.filter(
        Q(organization_id__in=[int(pk) for pk in held]) | Q(dataset__owner_id__in=reviewing)
    )


def contribution_targets() -> QuerySet[Dataset]:
    """Regional data sets (kept by an organization), latest revision of each only: figures
    sent to an outdated revision would never be seen."""
    regional = Dataset.objects.filter(kind=ImportKind.INDICATOR_CSV, owner__isnull=False)
    latest = {}
    for pk, key, revision in regional.values_list("pk", "key", "revision"):
        if key not in latest or revision_order(revision) > revision_order(latest[key][1]):
            latest[key] = (pk, revision)
    return regional.filter(pk__in=[pk for pk, _revision in latest.values()]).order_by("title")


def revision_order(revision: str) -> tuple:
    """'2019' < '2020' < '2020-rev1'; '9' < '2020' (numbers compared as numbers)."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.findall(r"\d+|[^\d]+", revision)
    )


def organizations_contributing(user: Any) -> QuerySet:
    """The organizations in which the user may send contributions."""
    from migration_hub.accounts.models import Organization

    if user.is_superuser:
        return Organization.objects.order_by("name")
    wanted = {Role.CONTRIBUTOR, Role.EDITOR, Role.ADMINISTRATOR}
    ids = [int(pk) for pk, roles in roles_of(user).items() if roles & wanted]
    return Organization.objects.filter(pk__in=ids).order_by("name")


def dataset_figures(dataset: Dataset) -> QuerySet[Observation]:
    return Observation.objects.filter(dataset=dataset).order_by(
        "indicator_id", "area_id", "origin_id", "year", "sex"
    )
