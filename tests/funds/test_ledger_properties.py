"""Property tests: whatever a fund manager does, in whatever order, with whatever amounts and
currencies, the ledger balances, no pool goes below zero, and its figures match a plain model
of the money kept alongside."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from migration_hub.core.models import Country, Region
from migration_hub.funds import ledger, services
from migration_hub.funds.choices import DecisionOutcome, ProgrammeStatus, ReportKind
from migration_hub.funds.ledger import CENT, UnbalancedTransaction

from .conftest import DAY

ZERO = Decimal("0.00")
PARTICIPANTS = ("IOM", "ILO")

cents = st.integers(min_value=1, max_value=50_000_000).map(lambda c: Decimal(c).scaleb(-2))
rates = st.one_of(
    st.decimals(min_value=Decimal("0.5"), max_value=Decimal("2"), places=4),
    st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("0.01"), places=4),
)
# Amounts that depend on the state are drawn as percents: of the money available for an
# approval, of an organization's budget left for a transfer, of the money not yet reported for
# a report. Above 100 is more than there is.
percents = st.integers(min_value=1, max_value=110)

deposits = st.tuples(
    st.just("deposit"),
    cents,
    st.sampled_from(["USD", "USD", "EUR", "GBP"]),
    st.sampled_from([None, None, "TA1", "TA4", "002", "142", "001"]),
)
approvals = st.tuples(
    st.just("approve"),
    st.integers(min_value=1, max_value=120),
    st.integers(min_value=0, max_value=100),  # IOM's share of the budget; ILO has the rest
    st.sampled_from(["TA1", "TA4"]),
    st.sampled_from(["ZAF", "PHL"]),
)
transfers = st.tuples(
    st.just("transfer"),
    st.integers(min_value=0, max_value=5),
    st.sampled_from(["IOM", "IOM", "ILO", "ILO", "UNICEF"]),
    percents,
)
# Each participant reports `percent` of what it has not yet accounted for.
reports = st.tuples(
    st.just("report"),
    st.integers(min_value=0, max_value=5),
    st.integers(min_value=0, max_value=101),
)
closures = st.tuples(st.just("close"), st.integers(min_value=0, max_value=5))
# A few deposits first, then anything in any order, transfers and approvals most often.
STEPS = {
    "deposit": deposits,
    "approve": approvals,
    "transfer": transfers,
    "report": reports,
    "close": closures,
}
WEIGHTS = ["deposit", "approve", "approve", "transfer", "transfer", "transfer", "report", "report"]
operations = st.tuples(
    st.lists(deposits, min_size=1, max_size=4),
    st.lists(
        st.sampled_from([*WEIGHTS, "close"]).flatmap(STEPS.__getitem__), min_size=6, max_size=30
    ),
).map(lambda parts: parts[0] + parts[1])


def part(amount: Decimal, percent: int) -> Decimal:
    """`percent` of `amount`, down to the cent, at least one cent."""
    return max((amount * percent / 100).quantize(CENT, rounding=ROUND_DOWN), CENT)


@dataclass
class Books:
    """What the ledger should say, kept by hand: money by pool, and per programme."""

    deposited: Decimal = ZERO
    allocated: Decimal = ZERO
    transferred: Decimal = ZERO
    refunded: Decimal = ZERO
    released: Decimal = ZERO
    pools: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))

    @property
    def net_allocated(self) -> Decimal:
        return self.allocated - self.refunded - self.released

    @property
    def available(self) -> Decimal:
        return self.deposited - self.net_allocated

    @property
    def cash(self) -> Decimal:
        return self.deposited - self.transferred + self.refunded


@dataclass
class Jp:
    """An approved programme as the model sees it."""

    programme: object
    budgets: dict[str, Decimal]
    pools: set[str]
    returned: Decimal = ZERO
    sent: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    spent: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    unreported: dict[str, list] = field(default_factory=lambda: defaultdict(list))
    closed: bool = False


def check(fund, model: Books) -> None:
    money = ledger.balances(fund)
    assert money.trial_balance == 0
    assert ledger.unbalanced_transactions(fund) == []
    assert money.available >= 0
    assert money.cash >= 0
    assert money.commitments >= 0
    assert all(amount > 0 for amount in money.available_by_pool.values())
    assert money.available == money.deposited - money.net_allocated
    for name in ("deposited", "allocated", "transferred", "refunded", "released", "cash"):
        assert getattr(money, name) == getattr(model, name), name
    assert money.available == model.available


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations, eur=rates, gbp=rates)
@example(
    # Every step once: earmarked and converted deposits, an approval drawing on two pools, a
    # refused one, transfers, a partial report, a closure returning money to its pools.
    ops=[
        ("deposit", Decimal("1000.00"), "EUR", "TA4"),
        ("deposit", Decimal("500.00"), "USD", None),
        ("approve", 100, 40, "TA4", "ZAF"),
        ("approve", 50, 50, "TA1", "PHL"),
        ("transfer", 0, "IOM", 50),
        ("transfer", 0, "ILO", 100),
        ("transfer", 0, "UNICEF", 1),
        ("close", 0),
        ("report", 0, 60),
        ("close", 0),
        ("transfer", 0, "IOM", 10),
    ],
    eur=Decimal("1.0850"),
    gbp=Decimal("1.2500"),
)
def test_any_sequence_of_operations_keeps_the_ledger_balanced(
    ops,
    eur,
    gbp,
    fund,
    fund_manager,
    reviewer,
    concept_note,
    un_organizations,
):
    with transaction.atomic():
        rate_of = {"USD": Decimal(1), "EUR": eur, "GBP": gbp}
        run(ops, rate_of, fund, fund_manager, reviewer, concept_note, un_organizations)
        transaction.set_rollback(True)


def repool(fund, model: Books, *, allowed: set[str]) -> dict[str, Decimal]:
    """Update the model's pools from the ledger after an allocation or a closure, checking
    that only the `allowed` pools changed; {pool: decrease}."""
    now = ledger.balances(fund).available_by_pool
    change = {
        pool: model.pools[pool] - now.get(pool, ZERO)
        for pool in set(model.pools) | set(now)
        if model.pools[pool] != now.get(pool, ZERO)
    }
    assert set(change) <= allowed, (change, allowed)
    model.pools.clear()
    model.pools.update(now)
    return change


def pools_of(area: str, alpha3: str) -> set[str]:
    country = Country.objects.select_related("region", "sub_region", "intermediate_region").get(
        alpha3=alpha3
    )
    regions = (country.region, country.sub_region, country.intermediate_region)
    # Every country lies in the World (001): money earmarked to it funds any programme.
    codes = {r.m49_code for r in regions if r is not None} | {"001"}
    return {"", f"TA:{area}"} | {f"R:{code}" for code in codes}


def run(ops, rate_of, fund, fund_manager, reviewer, concept_note, un_organizations) -> None:
    for currency in ("EUR", "GBP"):
        services.set_exchange_rate(
            actor=fund_manager,
            organization=fund.organization,
            currency=currency,
            quote_currency="USD",
            day=DAY,
            rate=rate_of[currency],
        )
    model = Books()
    programmes: list[Jp] = []
    for op in ops:
        kind = op[0]
        if kind == "deposit":
            _kind, amount, currency, earmark = op
            earmarks = {}
            if earmark in ("TA1", "TA4"):
                earmarks["earmarked_thematic_area"] = fund.thematic_areas.get(code=earmark)
                pool = f"TA:{earmark}"
            elif earmark:
                earmarks["earmarked_region"] = Region.objects.get(m49_code=earmark)
                pool = f"R:{earmark}"
            else:
                pool = ""
            contribution = services.record_contribution(
                actor=fund_manager,
                fund=fund,
                donor=services.donor_for(name="A private donor", actor=fund_manager),
                currency=currency,
                amount=amount,
                pledged_on=DAY,
                **earmarks,
            )
            services.sign_contribution(actor=fund_manager, contribution=contribution, signed_on=DAY)
            converted = (amount * rate_of[currency]).quantize(CENT, rounding=ROUND_HALF_EVEN)
            if converted <= 0:
                with pytest.raises(ValidationError) as caught:
                    services.record_deposit(
                        actor=fund_manager, contribution=contribution, day=DAY, amount=amount
                    )
                assert "amount" in caught.value.message_dict
            else:
                deposit = services.record_deposit(
                    actor=fund_manager, contribution=contribution, day=DAY, amount=amount
                )
                assert deposit.fund_amount == converted
                model.deposited += converted
                model.pools[pool] += converted

        elif kind == "approve":
            _kind, percent, iom_share, area, alpha3 = op
            usable = sum((max(model.pools[p], ZERO) for p in pools_of(area, alpha3)), ZERO)
            total = part(usable or model.available, percent)
            iom = (total * iom_share / 100).quantize(CENT, rounding=ROUND_DOWN)
            ilo = total - iom
            programme = concept_note(str(total), area=area, alpha3=alpha3)
            services.assess_programme(
                actor=reviewer, programme=programme, scores={c["code"]: 3 for c in fund.rubric}
            )
            services.decide_programme(
                actor=fund_manager,
                programme=programme,
                outcome=DecisionOutcome.SELECTED,
                reasons="Selected.",
                decided_on=DAY,
            )
            budgets = {"IOM": iom, "ILO": ilo}
            services.submit_programme_document(
                actor=fund_manager,
                programme=programme,
                budgets={un_organizations[code]: value for code, value in budgets.items()},
            )
            if total > usable:
                with pytest.raises(ValidationError) as caught:
                    services.approve_programme(
                        actor=fund_manager, programme=programme, approved_on=DAY
                    )
                assert "budget" in caught.value.message_dict
                programme.refresh_from_db()
                assert programme.status == ProgrammeStatus.DOCUMENT
            else:
                services.approve_programme(actor=fund_manager, programme=programme, approved_on=DAY)
                model.allocated += total
                programmes.append(Jp(programme, budgets, pools_of(area, alpha3)))
                # Which of its pools paid is the ledger's choice: only they changed.
                taken = repool(fund, model, allowed=pools_of(area, alpha3))
                assert sum(taken.values(), ZERO) == total

        elif kind == "transfer":
            _kind, index, code, percent = op
            if not programmes:
                continue
            jp = programmes[index % len(programmes)]
            amount = part(jp.budgets.get(code, CENT) - jp.sent[code], percent)
            expect_refusal = (
                jp.closed or code not in jp.budgets or jp.sent[code] + amount > jp.budgets[code]
            )
            call = {
                "actor": fund_manager,
                "programme": jp.programme,
                "organization": un_organizations[code],
                "amount": amount,
                "transferred_on": DAY,
            }
            if expect_refusal:
                with pytest.raises(ValidationError):
                    services.transfer_tranche(**call)
            else:
                tranche = services.transfer_tranche(**call)
                jp.sent[code] += amount
                jp.unreported[code].append(tranche)
                model.transferred += amount

        elif kind == "report":
            _kind, index, percent = op
            if not programmes:
                continue
            jp = programmes[index % len(programmes)]
            for code in PARTICIPANTS:
                left = jp.sent[code] - jp.spent[code]
                spent = (left * percent / 100).quantize(CENT) if percent <= 100 else left + CENT
                call = {
                    "actor": fund_manager,
                    "programme": jp.programme,
                    "kind": ReportKind.FINANCIAL,
                    "organization": un_organizations[code],
                    "year": 2024,
                    "submitted_on": DAY,
                    "expenditure": spent,
                    "tranches": jp.unreported[code],
                }
                if jp.closed or percent > 100:
                    with pytest.raises(ValidationError):
                        services.submit_report(**call)
                else:
                    services.submit_report(**call)
                    jp.spent[code] += spent
                    jp.unreported[code] = []

        else:
            _kind, index = op
            if not programmes:
                continue
            jp = programmes[index % len(programmes)]
            if jp.closed or any(jp.unreported.values()):
                with pytest.raises(ValidationError):
                    services.close_programme(
                        actor=fund_manager, programme=jp.programme, closed_on=DAY
                    )
            else:
                services.close_programme(actor=fund_manager, programme=jp.programme, closed_on=DAY)
                jp.closed = True
                jp.returned = sum((jp.budgets[c] - jp.spent[c] for c in jp.budgets), ZERO)
                model.refunded += sum((jp.sent[c] - jp.spent[c] for c in jp.budgets), ZERO)
                model.released += sum((jp.budgets[c] - jp.sent[c] for c in jp.budgets), ZERO)
                returned = repool(fund, model, allowed=jp.pools)
                assert -sum(returned.values(), ZERO) == jp.returned

        check(fund, model)


# ledger.spread ---------------------------------------------------------------------------------

pool_names = st.sampled_from(["", "TA:TA1", "TA:TA4", "R:002", "R:018", "R:142"])


@given(
    available=st.dictionaries(pool_names, st.integers(min_value=-(10**9), max_value=10**12)),
    order=st.lists(pool_names, unique=True),
    data=st.data(),
)
def test_spread_takes_from_the_pools_in_order_up_to_what_each_holds(available, order, data):
    capacity = sum(max(available.get(pool, 0), 0) for pool in order)
    assume(capacity > 0)
    wanted = data.draw(st.integers(min_value=1, max_value=capacity))
    taken = ledger.spread(wanted, available, order)
    assert sum(taken.values()) == wanted
    assert set(taken) <= set(order)
    for pool, part in taken.items():
        assert 0 < part <= available[pool]
    # Greedy: every pool before the last one used is emptied.
    used = [pool for pool in order if pool in taken]
    last = order.index(used[-1])
    for pool in order[:last]:
        assert taken.get(pool, 0) == max(available.get(pool, 0), 0)


@given(
    available=st.dictionaries(pool_names, st.integers(min_value=-(10**9), max_value=10**12)),
    order=st.lists(pool_names, unique=True),
    extra=st.integers(min_value=1, max_value=10**6),
)
def test_spread_refuses_to_take_more_than_the_pools_hold(available, order, extra):
    capacity = sum(max(available.get(pool, 0), 0) for pool in order)
    with pytest.raises(UnbalancedTransaction):
        ledger.spread(capacity + extra, available, order)


# ledger.parse_amount ---------------------------------------------------------------------------

# Up to the ledger's largest amount, which every backend stores exactly.
good_amounts = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal("999999999999.99"), places=2
)


@given(amount=good_amounts)
def test_parse_amount_reads_any_amount_in_cents_exactly(amount):
    for text in (str(amount), f"{amount:,.2f}", f" {amount:f} ", amount):
        parsed = ledger.parse_amount(text, "amount")
        assert parsed == Decimal(str(text).replace(",", "").strip())
        assert parsed.as_tuple().exponent == -2
    assert ledger.to_cents(ledger.parse_amount(str(amount), "amount")) == int(amount * 100)
    assert ledger.from_cents(ledger.to_cents(amount)) == amount


@given(amount=good_amounts)
def test_parse_amount_refuses_negatives_and_floats(amount):
    for value in (-amount, f"-{amount}", float(amount)):
        with pytest.raises(ValidationError) as caught:
            ledger.parse_amount(value, "amount")
        assert set(caught.value.message_dict) == {"amount"}


@given(
    value=st.one_of(
        st.decimals(allow_nan=True, allow_infinity=True),
        st.decimals(allow_nan=False, allow_infinity=False).map(str),
        st.text(alphabet="0123456789.,-+eE _NaInfity", max_size=24),
        st.text(max_size=12),
        st.integers(),
        st.floats(),
        st.none(),
        st.booleans(),
    ),
    allow_zero=st.booleans(),
)
def test_parse_amount_returns_cents_or_names_the_field(value, allow_zero):
    """Never any other exception, never more than two decimals, never below zero."""
    try:
        parsed = ledger.parse_amount(value, "budget", allow_zero=allow_zero)
    except ValidationError as error:
        assert set(error.message_dict) == {"budget"}
        return
    assert isinstance(parsed, Decimal)
    assert parsed.as_tuple().exponent == -2
    assert (parsed >= 0) if allow_zero else (parsed > 0)
    assert parsed < Decimal("1e12")
    # What was read is what was written, up to thousands separators.
    assert parsed == Decimal(str(value).strip().replace(",", ""))
