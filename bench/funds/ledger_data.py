"""The data of the funds ledger benchmark: 20 funds with thematic areas, markers, targets,
programmes with countries, objectives and participating UN organizations, contributions, and a
ledger of N balanced entries, written in bulk (raw `executemany` on SQLite, `COPY` on
PostgreSQL), not through `funds.services`: the services are tested in `tests/funds/`; this
benchmark times the reads.

The ledger follows a fund's life in the proportions of its entries: about 30 % deposits, 12 %
allocations (first allocations and top-ups), 50 % transfers in tranches to participating
organizations, 4 % unspent balances returned by organizations of closed programmes, 4 %
commitments released (budget revisions, and the rest of every closed programme's commitment).
Every transaction is balanced, every line carries the pool its money belongs to (a thematic
area, a region, or unearmarked) as the services would post it, and each pool receives more in
deposits than is allocated from it, so no balance is negative. Transactions of all funds are
written in date order, interleaved, as a real ledger table fills up.
"""

from __future__ import annotations

import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

SEED = 2018
FUNDS = 20
START = date(2019, 1, 1)
DAYS = 7 * 365  # ledgers from 2019 to 2025

# Share of each kind in a fund's entries; deposits take whatever the others leave.
ENTRY_SHARES = {"allocation": 0.12, "transfer": 0.50, "refund": 0.04, "release": 0.04}

# Programme statuses and their weights: about 70 % funded (approved or closed).
STATUSES = [
    ("approved", 45),
    ("closed", 25),
    ("selected", 5),
    ("pipeline", 5),
    ("document", 5),
    ("submitted", 6),
    ("assessed", 4),
    ("rejected", 5),
]
FUNDED = ("approved", "closed")

THEMATIC_AREAS = [
    ("TA1", "Data-driven discourse", [1, 3, 17]),
    ("TA2", "Protecting migrants", [7, 8, 13]),
    ("TA3", "Irregular migration", [9, 10, 11]),
    ("TA4", "Regular migration and development", [5, 19]),
    ("TA5", "Social inclusion", [15, 16]),
]
MARKERS = [("GENDER", "Gender marker"), ("HUMAN-RIGHTS", "Human rights marker")]

ENTRY_COLUMNS = [
    "id",
    "transaction_id",
    "fund_id",
    "kind",
    "account",
    "pool",
    "programme_id",
    "organization_id",
    "cents",
]
TRANSACTION_COLUMNS = [
    "id",
    "fund_id",
    "kind",
    "date",
    "memo",
    "programme_id",
    "contribution_id",
    "created_at",
    "created_by_id",
]


@dataclass
class Plan:
    """One fund's programmes (ids known once written) and its ledger as transactions."""

    fund_id: int
    code: str
    target_entries: int
    transactions: list[tuple[date, str, int | None, str, list[tuple]]] = field(
        default_factory=list
    )  # (day, kind, programme id, memo, [(account, cents, pool, programme, organization)])
    deposits: dict[str, list[tuple[date, int]]] = field(default_factory=dict)  # pool: days, cents
    expected: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    net_allocated: int = 0

    @property
    def entries(self) -> int:
        return sum(len(lines) for *_rest, lines in self.transactions) + 2 * sum(
            len(days) for days in self.deposits.values()
        )


class Progress:
    """One line that counts up (rewritten in place on a terminal, every 10 % otherwise)."""

    def __init__(self, label: str, total: int):
        self.label, self.total, self.done = label, total, 0
        self.started = time.perf_counter()
        self.tty = sys.stderr.isatty()
        self.next_print = 0.0

    def advance(self, count: int) -> None:
        self.done += count
        share = self.done / self.total if self.total else 1.0
        if self.tty or share >= self.next_print or self.done >= self.total:
            end = "\n" if self.done >= self.total or not self.tty else ""
            elapsed = time.perf_counter() - self.started
            print(
                f"\r{self.label}: {self.done:,}/{self.total:,} ({share:.0%}) {elapsed:.1f} s",
                end=end,
                file=sys.stderr,
                flush=True,
            )
            while self.next_print <= share:
                self.next_print += 0.1


def fund_sizes(entries: int, funds: int = FUNDS) -> list[int]:
    """Entries per fund: weights from 0.5 to 1.5 of the mean, even numbers (every transaction
    has pairs of lines) adding up to `entries`."""
    weights = [0.5 + i / max(funds - 1, 1) for i in range(funds)]
    total = sum(weights)
    sizes = [int(entries * w / total) // 2 * 2 for w in weights]
    sizes[-1] += entries - sum(sizes)
    return sizes


# --- Reference rows and the funds --------------------------------------------------------------


def create_funds(entries: int, seed: int = SEED) -> tuple[list[Any], dict[str, Any]]:
    """20 funds (through `services.create_fund`: a handful of rows each), their targets,
    programmes with countries, regions, objectives and participants (bulk), donors.
    Returns the funds and the lookups the ledger plan needs."""
    from django.contrib.auth import get_user_model

    from migration_hub.accounts.models import Membership
    from migration_hub.accounts.models import Organization as Tenant
    from migration_hub.core.choices import Role
    from migration_hub.core.models import Country, Region
    from migration_hub.funds import services
    from migration_hub.funds.models import (
        Donor,
        Participant,
        Programme,
        Target,
    )
    from migration_hub.registry.models import FrameworkItem
    from migration_hub.registry.models import Organization as RegistryOrganization

    rng = random.Random(seed)
    objectives = {
        int(item.code.removeprefix("GCM-O")): item
        for item in FrameworkItem.objects.filter(code__regex=r"^GCM-O[0-9]+$")
    }
    if len(objectives) != 23:
        raise RuntimeError(f"expected the 23 GCM objectives in the registry, got {len(objectives)}")
    un_orgs = list(
        RegistryOrganization.objects.filter(kind__startswith="un-")
        .exclude(kind="un-other")
        .order_by("code")
        .values_list("pk", flat=True)
    )
    countries = list(
        Country.objects.select_related("region", "sub_region", "intermediate_region").order_by(
            "alpha3"
        )
    )
    continents = list(Region.objects.filter(level="region").order_by("m49_code"))
    tenants = [
        Tenant.objects.create(code=f"FMU{n}", name=f"Fund management unit {n}", kind="un_entity")
        for n in range(1, 5)
    ]
    applicants = [
        Tenant.objects.create(code=f"APP{n}", name=f"Applicant ministry {n}", kind="ministry")
        for n in range(1, 31)
    ]
    viewer = get_user_model().objects.create_user("bench-viewer", email="bench@example.org")
    for tenant in tenants:
        Membership.objects.create(user=viewer, organization=tenant, role=Role.VIEWER)

    donors = [services.donor_for(country=country) for country in rng.sample(countries, 40)]
    donors += [Donor.objects.create(kind="private", name=f"Foundation {n}") for n in range(1, 6)]

    funds = []
    sizes = fund_sizes(entries)
    for number in range(1, FUNDS + 1):
        fund = services.create_fund(
            actor=None,
            organization=tenants[number % len(tenants)],
            code=f"BENCH{number:02d}",
            name=f"Bench trust fund {number:02d}",
            funding_target=str(rng.randrange(50, 400) * 1_000_000),
            thematic_areas=[
                (code, name, [objectives[n] for n in numbers])
                for code, name, numbers in THEMATIC_AREAS
            ],
            markers=MARKERS,
        )
        funds.append(fund)
        areas = list(fund.thematic_areas.all())
        markers = {marker.code: marker for marker in fund.markers.all()}
        targets = [
            Target(fund=fund, dimension="thematic_area", thematic_area=area, minimum_share=share)
            for area, share in zip(rng.sample(areas, 2), (15, 20), strict=True)
        ]
        targets.append(
            Target(fund=fund, dimension="region", region=rng.choice(continents), minimum_share=30)
        )
        targets.append(
            Target(
                fund=fund,
                dimension="marker",
                marker=markers["GENDER"],
                minimum_score=2,
                minimum_share=40,
            )
        )
        Target.objects.bulk_create(targets)

        count = min(rng.randint(100, 200), max(5, sizes[number - 1] // 150))
        created = datetime(2019, 1, 1, tzinfo=UTC)
        programmes = []
        for index in range(count):
            status = rng.choices([s for s, _w in STATUSES], [w for _s, w in STATUSES])[0]
            programmes.append(
                Programme(
                    fund=fund,
                    code=f"{fund.code}-{index + 1:04d}",
                    title=f"Joint programme {index + 1} of {fund.name}",
                    status=status,
                    submitted_by_organization=rng.choice(applicants),
                    thematic_area=rng.choice(areas),
                    budget=1,  # set below, from the ledger plan for funded programmes
                    marker_scores={code: rng.randint(0, 3) for code in markers},
                    created_at=created + timedelta(days=rng.randrange(DAYS)),
                )
            )
        Programme.objects.bulk_create(programmes)
        countries_rows, regions_rows, objective_rows, participants = [], [], [], []
        for programme in programmes:
            if rng.random() < 0.1:  # a regional programme: no countries, one or two regions
                programme.bench_regions = rng.sample(continents, rng.randint(1, 2))
                programme.bench_countries = []
            else:
                programme.bench_countries = rng.sample(countries, rng.choice([1, 1, 1, 2, 3]))
                programme.bench_regions = []
            for country in programme.bench_countries:
                countries_rows.append(
                    Programme.countries.through(programme_id=programme.pk, country_id=country.pk)
                )
            for region in programme.bench_regions:
                regions_rows.append(
                    Programme.regions.through(programme_id=programme.pk, region_id=region.pk)
                )
            area_objectives = next(
                numbers
                for code, _n, numbers in THEMATIC_AREAS
                if code == programme.thematic_area.code
            )
            chosen = rng.sample(area_objectives, rng.randint(1, len(area_objectives)))
            for n in chosen:
                objective_rows.append(
                    Programme.objectives.through(
                        programme_id=programme.pk, frameworkitem_id=objectives[n].pk
                    )
                )
            programme.bench_orgs = rng.sample(un_orgs, rng.randint(2, 3))
            for org in programme.bench_orgs:
                participants.append(Participant(programme=programme, organization_id=org))
        Programme.countries.through.objects.bulk_create(countries_rows)
        Programme.regions.through.objects.bulk_create(regions_rows)
        Programme.objectives.through.objects.bulk_create(objective_rows)
        Participant.objects.bulk_create(participants)
        fund.bench_programmes = programmes
    return funds, {"donors": donors, "rng": rng}


# --- The ledger plan -----------------------------------------------------------------------------


def _pools(programme: Any) -> tuple[str, list[str]]:
    """The programme's thematic area pool and its region pools. Simpler than
    `services.plan_allocation` (no cap per region): the data only needs pools to sum by."""
    codes: list[str] = []
    for country in programme.bench_countries:
        for region in (country.intermediate_region, country.sub_region, country.region):
            if region is not None:
                codes.append(region.m49_code)
    for region in programme.bench_regions:
        codes.append(region.m49_code)  # its parent is the world: not a pool anyone earmarks to
    return f"TA:{programme.thematic_area.code}", [f"R:{c}" for c in dict.fromkeys(codes)]


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """`total` cents in `parts` positive random parts."""
    parts = max(1, min(parts, total))
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    scale = total / sum(weights)
    values = [max(1, int(w * scale)) for w in weights]
    values[-1] += total - sum(values)
    while values[-1] <= 0:  # rounding pushed the last part below one cent
        values.sort()
        values[-1] += values[0] - 1
        values[0] = 1
        values[-1] += total - sum(values)
    return values


def _spread(cents: int, available: dict[str, int], order: Iterable[str]) -> dict[str, int]:
    """As `ledger.spread`: take `cents` from the pools in `order`."""
    taken, remaining = {}, cents
    for pool in order:
        if remaining <= 0:
            break
        part = min(remaining, max(available.get(pool, 0), 0))
        if part > 0:
            taken[pool] = part
            remaining -= part
    assert remaining == 0, (cents, available)
    return taken


def plan_fund(fund: Any, target_entries: int, rng: random.Random) -> Plan:
    """The fund's ledger: allocations, transfers, refunds, releases, then deposits enough for
    every pool, as balanced transactions with dates."""
    plan = Plan(fund_id=fund.pk, code=fund.code, target_entries=target_entries)
    expected = plan.expected
    funded = [p for p in fund.bench_programmes if p.status in FUNDED]
    if not funded:
        raise RuntimeError(f"{fund.code}: no funded programme; use more entries")
    rng.shuffle(funded)
    committed: dict[int, dict[str, int]] = {p.pk: defaultdict(int) for p in funded}
    allocated: dict[int, int] = defaultdict(int)
    demand: dict[str, int] = defaultdict(int)
    starts = {p.pk: rng.randrange(int(DAYS * 0.6)) for p in funded}
    ends = {p.pk: min(DAYS - 1, starts[p.pk] + rng.randrange(365, 3 * 365)) for p in funded}

    def day(offset: int) -> date:
        return START + timedelta(days=offset)

    def add(kind: str, offset: int, programme: Any, lines: list[tuple]) -> int:
        plan.transactions.append((day(offset), kind, programme.pk, programme.code, lines))
        for account, cents, *_rest in lines:
            expected[f"{kind}:{account}"] += cents
        return len(lines)

    # Allocations: every funded programme once, then top-ups until their share is reached.
    target = ENTRY_SHARES["allocation"] * target_entries
    used, turn = 0, 0
    while turn < len(funded) or used < target:
        programme = funded[turn % len(funded)]
        turn += 1
        area, regions = _pools(programme)
        amount = rng.randrange(5_000, 150_000) * 1_000  # 50,000 to 1.5 million, whole tens
        draw = rng.random()
        if draw < 0.45:
            pools = [""]
        elif draw < 0.70:
            pools = [area]
        elif draw < 0.85 or not regions:
            pools = [area, ""]
        else:
            pools = [rng.choice(regions), ""]
        parts = _split(amount, len(pools), rng) if len(pools) > 1 else [amount]
        lines = []
        for pool, part in zip(pools, parts, strict=True):
            lines.append(("allocations", part, pool, programme.pk, None))
            lines.append(("commitments", -part, pool, programme.pk, None))
            committed[programme.pk][pool] += part
            demand[pool] += part
        allocated[programme.pk] += amount
        offset = (
            starts[programme.pk]
            if turn <= len(funded)
            else rng.randint(starts[programme.pk], ends[programme.pk])
        )
        used += add("allocation", offset, programme, lines)

    # Transfers in tranches, each to one participating organization, commitments first taken
    # from the pools in the services' order; closed programmes transfer nearly everything.
    paid: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    transfer_entries = ENTRY_SHARES["transfer"] * target_entries
    total_allocated = sum(allocated.values())
    for programme in funded:
        share = rng.uniform(0.85, 1.0) if programme.status == "closed" else rng.uniform(0.4, 0.9)
        to_send = int(allocated[programme.pk] * share)
        tranches = max(1, round(transfer_entries / 2.2 * allocated[programme.pk] / total_allocated))
        outstanding = committed[programme.pk]
        for number, amount in enumerate(_split(to_send, tranches, rng)):
            organization = programme.bench_orgs[number % len(programme.bench_orgs)]
            taken = _spread(amount, outstanding, sorted(outstanding, reverse=True))
            lines = []
            for pool, part in taken.items():
                lines.append(("commitments", part, pool, programme.pk, organization))
                lines.append(("cash", -part, pool, programme.pk, organization))
                outstanding[pool] -= part
                paid[programme.pk, organization][pool] += part
            add("transfer", rng.randint(starts[programme.pk], ends[programme.pk]), programme, lines)

    # Unspent balances returned by the organizations of closed programmes, in instalments.
    closed = [p for p in funded if p.status == "closed"]
    refund_entries = ENTRY_SHARES["refund"] * target_entries
    for programme in closed:
        for organization in programme.bench_orgs:
            sent = paid[programme.pk, organization]
            unspent = int(sum(sent.values()) * rng.uniform(0.0, 0.1))
            if unspent <= 0:
                continue
            count = max(1, round(refund_entries / 2.2 / len(closed) / len(programme.bench_orgs)))
            for amount in _split(unspent, count, rng):
                taken = _spread(amount, sent, sorted(sent, reverse=True))
                lines = []
                for pool, part in taken.items():
                    lines.append(("cash", part, pool, programme.pk, organization))
                    lines.append(("allocations", -part, pool, programme.pk, organization))
                    sent[pool] -= part
                add("refund", ends[programme.pk], programme, lines)

    # Releases: small budget revisions of approved programmes, then the whole remaining
    # commitment of each closed programme.
    approved = [p for p in funded if p.status == "approved"]
    release_entries = ENTRY_SHARES["release"] * target_entries - 2.5 * len(closed)
    used = 0
    while approved and used < release_entries:
        programme = rng.choice(approved)
        outstanding = committed[programme.pk]
        pools = [pool for pool, cents in outstanding.items() if cents >= 100]
        if not pools:
            approved.remove(programme)
            continue
        pool = rng.choice(pools)
        part = max(1, int(outstanding[pool] * rng.uniform(0.005, 0.03)))
        outstanding[pool] -= part
        lines = [
            ("commitments", part, pool, programme.pk, None),
            ("allocations", -part, pool, programme.pk, None),
        ]
        used += add(
            "release", rng.randint(starts[programme.pk], ends[programme.pk]), programme, lines
        )
    for programme in closed:
        lines = []
        for pool, cents in committed[programme.pk].items():
            if cents > 0:
                lines.append(("commitments", cents, pool, programme.pk, None))
                lines.append(("allocations", -cents, pool, programme.pk, None))
                committed[programme.pk][pool] = 0
        if lines:
            add("release", ends[programme.pk], programme, lines)

    # Deposits: more than was allocated from each pool, in as many transactions as the
    # remaining entries allow (each has two lines), spread over the years.
    remaining = max(len(demand), (target_entries - plan.entries) // 2)
    totals = {pool: int(cents * rng.uniform(1.05, 1.25)) for pool, cents in demand.items()}
    grand = sum(totals.values())
    counts = {pool: max(1, int(remaining * cents / grand)) for pool, cents in totals.items()}
    counts[""] = counts.get("", 0) + remaining - sum(counts.values())
    if counts[""] < 1:  # tiny runs: each earmarked pool's single deposit used it up
        counts[""] = 1
    totals.setdefault("", 0)
    totals[""] = max(totals[""], counts[""] * 100_000)
    for pool, count in counts.items():
        amounts = _split(totals[pool], count, rng)
        plan.deposits[pool] = [(day(rng.randrange(DAYS)), cents) for cents in amounts]
        expected["deposit:cash"] += totals[pool]
        expected["deposit:contributions"] -= totals[pool]
    plan.net_allocated = sum(allocated.values()) + sum(
        expected[key] for key in ("refund:allocations", "release:allocations")
    )
    for programme in fund.bench_programmes:
        programme.budget_cents = allocated.get(programme.pk) or rng.randrange(500, 5_000) * 1_000
    return plan


def update_budgets(funds: Sequence[Any]) -> None:
    """Each funded programme's budget is what the plan allocates to it; participants share it."""
    from decimal import Decimal

    from migration_hub.funds.models import Participant, Programme

    programmes = [p for fund in funds for p in fund.bench_programmes]
    for programme in programmes:
        programme.budget = Decimal(programme.budget_cents).scaleb(-2)
    Programme.objects.bulk_update(programmes, ["budget"], batch_size=500)
    participants = list(Participant.objects.filter(programme__in=programmes).order_by("pk"))
    by_programme: dict[int, list[Any]] = defaultdict(list)
    for participant in participants:
        by_programme[participant.programme_id].append(participant)
    budgets = {p.pk: p.budget_cents for p in programmes}
    for programme_id, rows in by_programme.items():
        share = budgets[programme_id] // len(rows)
        for row in rows:
            row.budget = Decimal(share).scaleb(-2)
        rows[0].budget += Decimal(budgets[programme_id] - share * len(rows)).scaleb(-2)
    Participant.objects.bulk_update(participants, ["budget"], batch_size=500)


def create_contributions(
    funds: Sequence[Any], plans: Sequence[Plan], rng: random.Random, donors: Sequence[Any]
) -> dict[tuple[int, str], list[int]]:
    """A few contributions per pool of each fund (earmarked to its thematic area or region),
    deposited in full by the plan's deposits. Returns {(fund id, pool): [contribution ids]}."""
    from decimal import Decimal

    from migration_hub.core.models import Region
    from migration_hub.funds.models import Contribution

    regions = {r.m49_code: r for r in Region.objects.all()}
    rows, keys = [], []
    for fund, plan in zip(funds, plans, strict=True):
        areas = {f"TA:{a.code}": a for a in fund.thematic_areas.all()}
        for pool, deposits in plan.deposits.items():
            count = max(1, min(len(deposits) // 100, 12))
            for _n in range(count):
                rows.append(
                    Contribution(
                        fund=fund,
                        donor=rng.choice(donors),
                        currency="USD",
                        amount=Decimal(1),  # set below to what its deposits bring
                        status="deposited",
                        pledged_on=START,
                        signed_on=START,
                        earmarked_thematic_area=areas.get(pool),
                        earmarked_region=regions.get(pool.removeprefix("R:"))
                        if pool.startswith("R:")
                        else None,
                    )
                )
                keys.append((fund.pk, pool))
    Contribution.objects.bulk_create(rows, batch_size=500)
    result: dict[tuple[int, str], list[int]] = defaultdict(list)
    for key, row in zip(keys, rows, strict=True):
        result[key].append(row.pk)
    return result


# --- Writing ---------------------------------------------------------------------------------


def write_ledger(
    plans: Sequence[Plan],
    contributions: dict[tuple[int, str], list[int]],
    rng: random.Random,
    vendor: str,
) -> tuple[int, int, dict[int, int]]:
    """Every fund's transactions, interleaved in date order, with ids assigned here, in bulk.
    Returns (transactions, entries, {contribution id: cents deposited})."""
    from django.db import connection

    flat: list[tuple[date, int, str, int | None, int | None, str, list[tuple]]] = []
    deposited: dict[int, int] = defaultdict(int)
    for plan in plans:
        for day, kind, programme, memo, lines in plan.transactions:
            flat.append((day, plan.fund_id, kind, programme, None, memo, lines))
        for pool, deposits in plan.deposits.items():
            ids = contributions[plan.fund_id, pool]
            for day, cents in deposits:
                contribution = rng.choice(ids)
                deposited[contribution] += cents
                lines = [
                    ("cash", cents, pool, None, None),
                    ("contributions", -cents, pool, None, None),
                ]
                flat.append((day, plan.fund_id, "deposit", None, contribution, "deposit", lines))
    flat.sort(key=lambda t: (t[0], t[1], t[2]))
    total = sum(len(t[-1]) for t in flat)
    progress = Progress("Writing ledger entries", total)

    transaction_rows: list[tuple] = []
    entry_rows: list[tuple] = []
    entry_id = 0
    batch = 50_000
    raw = connection.connection
    insert = _copy_writer(raw) if vendor == "postgresql" else _executemany_writer(raw)
    for number, (day, fund, kind, programme, contribution, memo, lines) in enumerate(flat, 1):
        created = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        transaction_rows.append(
            (number, fund, kind, day, memo, programme, contribution, created, None)
        )
        for account, cents, pool, line_programme, organization in lines:
            entry_id += 1
            entry_rows.append(
                (entry_id, number, fund, kind, account, pool, line_programme, organization, cents)
            )
        if len(entry_rows) >= batch:
            insert("funds_ledgertransaction", TRANSACTION_COLUMNS, transaction_rows)
            insert("funds_ledgerentry", ENTRY_COLUMNS, entry_rows)
            progress.advance(len(entry_rows))
            transaction_rows, entry_rows = [], []
    if entry_rows or transaction_rows:
        insert("funds_ledgertransaction", TRANSACTION_COLUMNS, transaction_rows)
        insert("funds_ledgerentry", ENTRY_COLUMNS, entry_rows)
        progress.advance(len(entry_rows))
    return len(flat), entry_id, deposited


def _executemany_writer(raw: Any) -> Callable[[str, list[str], list[tuple]], None]:
    def insert(table: str, columns: list[str], rows: list[tuple]) -> None:
        marks = ", ".join("?" for _c in columns)
        raw.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
            [tuple(_sqlite_value(v) for v in row) for row in rows]
            if table == "funds_ledgertransaction"
            else rows,
        )

    return insert


def _sqlite_value(value: Any) -> Any:
    """Dates and times as Django stores them on SQLite."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _copy_writer(raw: Any) -> Callable[[str, list[str], list[tuple]], None]:
    def insert(table: str, columns: list[str], rows: list[tuple]) -> None:
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)

    return insert


def finish(vendor: str, deposited: dict[int, int]) -> None:
    """Contribution amounts from their deposits; PostgreSQL id sequences after explicit ids."""
    from decimal import Decimal

    from django.db import connection

    from migration_hub.funds.models import Contribution

    rows = list(Contribution.objects.filter(pk__in=deposited))
    for row in rows:
        row.amount = Decimal(deposited[row.pk]).scaleb(-2)
    Contribution.objects.bulk_update(rows, ["amount"], batch_size=500)
    Contribution.objects.exclude(pk__in=deposited).delete()
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("funds_ledgertransaction", "funds_ledgerentry"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT max(id) FROM {table}))"
                )
