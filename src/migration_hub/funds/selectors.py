"""Reads for the fund pages, the API and the exports: lists, the portfolio against its
targets, the pipeline, the financial statement and donor reports."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Max, Prefetch, QuerySet, Sum
from django.utils.translation import gettext

from migration_hub.core.models import Region

from . import ledger
from .choices import (
    UNFUNDED_STATUSES,
    Account,
    ContributionStatus,
    ProgrammeStatus,
    TargetDimension,
    TransactionKind,
)
from .ledger import CENT, Balances, from_cents
from .models import (
    Call,
    Contribution,
    Decision,
    Fund,
    LedgerEntry,
    LedgerTransaction,
    Participant,
    Programme,
    Target,
)
from .services import plan_allocation, with_world

ZERO = Decimal("0.00")


def funds_for(user: Any) -> QuerySet[Fund]:
    return Fund.objects.select_related("organization")


def programmes_for(user: Any) -> QuerySet[Programme]:
    return Programme.objects.select_related(
        "fund", "thematic_area", "submitted_by_organization", "call"
    ).prefetch_related("countries", "participants__organization")


def contributions_for(user: Any) -> QuerySet[Contribution]:
    return Contribution.objects.select_related(
        "fund", "donor", "earmarked_thematic_area", "earmarked_region"
    ).prefetch_related("deposits")


def calls_for(user: Any) -> QuerySet[Call]:
    return Call.objects.select_related("fund").prefetch_related("thematic_areas")


def ledger_funds_for(user: Any) -> list[int]:
    """Ids of the funds whose books `user` may read: members of the organization that keeps
    the fund (rule `funds.view_ledger`)."""
    return [fund.pk for fund in funds_for(user) if user.has_perm("funds.view_ledger", fund)]


def transactions_for(user: Any, fund: Fund | None = None) -> QuerySet[LedgerTransaction]:
    """Ledger transactions with their entries, limited to the funds whose books `user` reads."""
    transactions = LedgerTransaction.objects.filter(fund_id__in=ledger_funds_for(user))
    if fund is not None:
        transactions = transactions.filter(fund=fund)
    return (
        transactions.select_related("fund", "programme", "contribution__donor")
        .prefetch_related(
            Prefetch(
                "entries", queryset=LedgerEntry.objects.select_related("programme", "organization")
            )
        )
        .order_by("-date", "-id")
    )


@dataclass
class Share:
    """Money in one slice of the portfolio, with its share and its target if it has one."""

    key: str
    label: str
    amount: Decimal = ZERO
    share: Decimal = ZERO
    target: Decimal | None = None
    gap: Decimal = ZERO

    @property
    def below_target(self) -> bool:
        """Decided on the money, not the rounded share: 19.96% of a 20% target is short. With
        nothing allocated yet, every positive target is still to be met."""
        if self.target is None:
            return False
        return self.gap > 0 or (self.amount == 0 and self.target > 0)

    def set_target(self, target: Decimal | None, total: Decimal) -> Share:
        """Attach a minimum share and the money still needed to reach it at `total`."""
        self.target = target
        if target is not None:
            self.gap = max((total * target / 100 - self.amount).quantize(CENT), ZERO)
        return self


@dataclass
class Portfolio:
    """The balance of a fund's portfolio: where its allocated money went, against targets."""

    fund: Fund
    balances: Balances
    total_allocated: Decimal
    by_thematic_area: list[Share] = field(default_factory=list)
    by_region: list[Share] = field(default_factory=list)
    by_objective: list[Share] = field(default_factory=list)
    by_marker: dict[str, list[Share]] = field(default_factory=dict)
    targets: list[Share] = field(default_factory=list)
    pipeline: list[dict[str, Any]] = field(default_factory=list)
    pipeline_total: Decimal = ZERO

    @property
    def funding_progress(self) -> Decimal | None:
        target = self.fund.funding_target
        if not target:
            return None
        return (self.balances.deposited * 100 / target).quantize(Decimal("0.1"))

    @property
    def gaps(self) -> list[Share]:
        return [share for share in self.targets if share.below_target]


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.1")) if whole else Decimal("0.0")


@dataclass
class _Facts:
    """What the portfolio needs of one programme, read as plain rows: model instances with
    prefetched relations would leave reference cycles for the garbage collector to pause on."""

    pk: int
    thematic_area_id: int
    thematic_area_code: str
    status: str
    budget: Decimal
    marker_scores: dict[str, Any]
    created_on: Any
    countries: list[list[str]] = field(default_factory=list)  # region codes, innermost first
    regions: list[list[str]] = field(default_factory=list)  # the region, then its parents
    objectives: list[tuple[int, str, str, int]] = field(default_factory=list)
    decided_on: Any = None

    @property
    def places(self) -> list[list[str]]:
        """As `services.programme_places`: for each place the programme covers (its countries,
        or else its regions), the M49 codes of every region it lies in, up to the World."""
        return self.countries or self.regions


def _programme_facts(fund: Fund) -> dict[int, _Facts]:
    facts = {
        pk: _Facts(pk, area_id, area_code, status, budget, scores or {}, created_at.date())
        for pk, area_id, area_code, status, budget, scores, created_at in Programme.objects.filter(
            fund=fund
        ).values_list(
            "pk",
            "thematic_area_id",
            "thematic_area__code",
            "status",
            "budget",
            "marker_scores",
            "created_at",
        )
    }
    countries = Programme.countries.through.objects.filter(programme__fund=fund)
    for pk, *codes in countries.values_list(
        "programme_id",
        "country__intermediate_region__m49_code",
        "country__sub_region__m49_code",
        "country__region__m49_code",
    ):
        facts[pk].countries.append(with_world(codes))
    regions = Programme.regions.through.objects.filter(programme__fund=fund)
    for pk, *codes in regions.values_list(
        "programme_id",
        "region__m49_code",
        "region__parent__m49_code",
        "region__parent__parent__m49_code",
        "region__parent__parent__parent__m49_code",
    ):
        facts[pk].regions.append(with_world(codes))
    objectives = Programme.objectives.through.objects.filter(programme__fund=fund)
    for pk, item_id, code, short_title, title, position in objectives.values_list(
        "programme_id",
        "frameworkitem_id",
        "frameworkitem__code",
        "frameworkitem__short_title",
        "frameworkitem__title",
        "frameworkitem__position",
    ):
        facts[pk].objectives.append((item_id, code, short_title or title, position))
    for pk, day in (
        Decision.objects.filter(programme__fund=fund)
        .values_list("programme_id")
        .annotate(last=Max("decided_on"))
        .order_by()
    ):
        facts[pk].decided_on = day
    return facts


def allocations_by_programme(fund: Fund) -> dict[int, Decimal]:
    """{programme id: money allocated net of returns}, from the ledger in one grouped SUM."""
    rows = (
        LedgerEntry.objects.filter(fund=fund, account=Account.ALLOCATIONS)
        .values_list("programme_id")
        .annotate(total=Sum("cents"))
        .order_by()
    )
    return {programme_id: from_cents(total) for programme_id, total in rows if total}


def portfolio(fund: Fund) -> Portfolio:
    """The fund's portfolio: balances, allocations by thematic area, region, objective and
    marker against its targets (gaps flagged), and the pipeline of endorsed, unfunded notes."""
    money = ledger.balances(fund)
    allocated = allocations_by_programme(fund)
    programmes = list(_programme_facts(fund).values())
    funded = [p for p in programmes if allocated.get(p.pk)]
    total = sum((allocated[p.pk] for p in funded), ZERO)
    targets = list(
        Target.objects.filter(fund=fund).select_related("thematic_area", "region", "marker")
    )
    result = Portfolio(fund=fund, balances=money, total_allocated=total)

    # Thematic areas.
    areas = list(fund.thematic_areas.all())
    by_area: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for programme in funded:
        by_area[programme.thematic_area_id] += allocated[programme.pk]
    area_targets = {
        t.thematic_area_id: t.minimum_share
        for t in targets
        if t.dimension == TargetDimension.THEMATIC_AREA
    }
    result.by_thematic_area = [
        Share(
            key=area.code,
            label=str(area),
            amount=by_area[area.pk],
            share=_percent(by_area[area.pk], total),
        ).set_target(area_targets.get(area.pk), total)
        for area in areas
    ]

    # Regions: each programme's money split equally between the places it covers.
    by_code: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for programme in funded:
        places = programme.places
        if not places:
            continue
        part = allocated[programme.pk] / len(places)
        for codes in places:
            for code in set(codes):
                by_code[code] += part
    continents = Region.objects.filter(level="region").order_by("name")
    region_targets = {
        t.region.m49_code: (t.region, t.minimum_share)
        for t in targets
        if t.dimension == TargetDimension.REGION
    }
    shown = {region.m49_code: region for region in continents}
    shown.update({code: region for code, (region, _share) in region_targets.items()})
    result.by_region = [
        Share(
            key=code,
            label=str(region),
            amount=by_code[code].quantize(CENT),
            share=_percent(by_code[code], total),
        ).set_target(region_targets.get(code, (None, None))[1], total)
        for code, region in sorted(shown.items(), key=lambda item: str(item[1]))
    ]

    # Objectives: a programme counts in full for each objective it serves (not additive).
    by_objective: dict[int, Decimal] = defaultdict(lambda: ZERO)
    labels: dict[int, tuple[int, str, str, int]] = {}
    for programme in funded:
        for objective in programme.objectives:
            by_objective[objective[0]] += allocated[programme.pk]
            labels[objective[0]] = objective
    result.by_objective = [
        Share(
            key=labels[pk][1],
            label=labels[pk][2],
            amount=amount,
            share=_percent(amount, total),
        )
        for pk, amount in sorted(by_objective.items(), key=lambda item: labels[item[0]][3])
    ]

    # Markers: money by score on each marker's scale.
    for marker in fund.markers.all():
        by_score: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for programme in funded:
            score = programme.marker_scores.get(marker.code)
            if score is not None:
                by_score[int(score)] += allocated[programme.pk]
        result.by_marker[marker.name] = [
            Share(
                key=str(score),
                label=marker.label_for(score),
                amount=by_score[score],
                share=_percent(by_score[score], total),
            )
            for score in marker.scores()
        ]

    # Targets, each with the money still needed to meet it at today's portfolio size.
    for target in targets:
        if target.dimension == TargetDimension.THEMATIC_AREA:
            amount = by_area[target.thematic_area_id]
        elif target.dimension == TargetDimension.REGION:
            amount = by_code[target.region.m49_code]
        else:
            amount = sum(
                (
                    allocated[p.pk]
                    for p in funded
                    if int(p.marker_scores.get(target.marker.code, -1)) >= target.minimum_score
                ),
                ZERO,
            )
        share = Share(
            key=str(target.pk),
            label=f"{target.get_dimension_display()}: {target.subject}",
            amount=amount.quantize(CENT),
            share=_percent(amount, total),
        )
        result.targets.append(share.set_target(target.minimum_share, total))

    # Pipeline: endorsed notes without money, oldest decision first, with what is available.
    # "Fundable now": approval would succeed now, after the fundable notes before it, from the
    # pools approval draws on (earmarked money only for its own area or region).
    pipeline = [p for p in programmes if p.status in UNFUNDED_STATUSES]
    running = ZERO
    pools = {pool: ledger.to_cents(amount) for pool, amount in money.available_by_pool.items()}
    documents = _document_budgets(p.pk for p in pipeline if p.status == ProgrammeStatus.DOCUMENT)
    # Model instances for the few pipeline rows the pages and reports link to.
    instances = Programme.objects.select_related("thematic_area").in_bulk(p.pk for p in pipeline)
    for facts in sorted(pipeline, key=lambda p: (p.decided_on or p.created_on, p.pk)):
        programme = instances[facts.pk]
        budget = documents.get(facts.pk, facts.budget)
        running += budget
        cents = ledger.to_cents(budget)
        taken = plan_allocation(cents, pools, facts.thematic_area_code, facts.places)
        fits = sum(taken.values()) == cents
        if fits:
            for pool, part in taken.items():
                pools[pool] -= part
        result.pipeline.append(
            {
                "programme": programme,
                "budget": budget,
                "cumulative": running,
                "fundable_now": fits,
            }
        )
    result.pipeline_total = running
    return result


def _document_budgets(programme_ids: Iterable[int]) -> dict[int, Decimal]:
    """{programme id: what approval would allocate}: the sum of its document's budgets, which
    may differ from the budget its concept note requested. One query, none without documents."""
    ids = list(programme_ids)
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    if ids:
        for programme_id, budget in Participant.objects.filter(programme__in=ids).values_list(
            "programme_id", "budget"
        ):
            totals[programme_id] += budget
    return dict(totals)


@dataclass
class Statement:
    """Sources and uses of a fund's money, from the ledger."""

    fund: Fund
    balances: Balances
    deposits_by_donor: list[tuple[str, Decimal]]
    transfers_by_organization: list[tuple[str, Decimal, Decimal]]

    @property
    def sources(self) -> Decimal:
        return self.balances.deposited

    @property
    def balance(self) -> Decimal:
        return self.balances.cash


def statement(fund: Fund) -> Statement:
    """The fund-level financial statement: deposits by donor (sources), transfers and returns
    by participating organization (uses), and the cash balance."""
    money = ledger.balances(fund)
    # Grouped by id, not name: a private donor may share a state's name.
    donors = (
        LedgerEntry.objects.filter(fund=fund, account=Account.CONTRIBUTIONS)
        .values_list(
            "transaction__contribution__donor_id", "transaction__contribution__donor__name"
        )
        .annotate(total=Sum("cents"))
        .order_by("transaction__contribution__donor__name", "transaction__contribution__donor_id")
    )
    organizations: dict[tuple[str, int], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    rows = (
        LedgerEntry.objects.filter(
            fund=fund,
            account=Account.CASH,
            kind__in=[TransactionKind.TRANSFER, TransactionKind.REFUND],
        )
        .values_list("organization__name", "organization_id", "kind")
        .annotate(total=Sum("cents"))
        .order_by()
    )
    for name, organization_id, kind, cents in rows:
        slot = 0 if kind == TransactionKind.TRANSFER else 1
        organizations[name, organization_id][slot] += from_cents(abs(cents))
    return Statement(
        fund=fund,
        balances=money,
        deposits_by_donor=[(name, from_cents(-cents)) for _id, name, cents in donors],
        transfers_by_organization=[
            (name, sent, returned)
            for (name, _id), (sent, returned) in sorted(organizations.items())
        ],
    )


@dataclass
class DonorReport:
    """What one donor gave a fund and where the fund's money went."""

    donor: Any
    fund: Fund
    contributions: list[Contribution]
    deposited: Decimal
    share_of_fund: Decimal
    earmarked: list[tuple[str, Decimal]]
    portfolio: Portfolio


def donor_report(fund: Fund, donor: Any) -> DonorReport:
    """A donor's contributions and deposits, its share of the fund, and the portfolio its
    unearmarked money shares in."""
    contributions = list(
        contributions_for(None).filter(fund=fund, donor=donor).order_by("pledged_on")
    )
    deposited = sum((d.fund_amount for c in contributions for d in c.deposits.all()), ZERO)
    earmarks: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for contribution in contributions:
        label = str(
            contribution.earmarked_thematic_area
            or contribution.earmarked_region
            or gettext("Unearmarked")
        )
        earmarks[label] += sum((d.fund_amount for d in contribution.deposits.all()), ZERO)
    folio = portfolio(fund)
    return DonorReport(
        donor=donor,
        fund=fund,
        contributions=contributions,
        deposited=deposited,
        share_of_fund=_percent(deposited, folio.balances.deposited),
        earmarked=sorted(earmarks.items()),
        portfolio=folio,
    )


def pledged_not_deposited(fund: Fund) -> list[Contribution]:
    return list(
        contributions_for(None)
        .filter(fund=fund)
        .exclude(status=ContributionStatus.DEPOSITED)
        .order_by("pledged_on")
    )
