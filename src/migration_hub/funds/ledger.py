"""The fund's double-entry ledger: posting balanced transactions and reading balances.

Every movement of money is one `LedgerTransaction` whose entries sum to zero (debits
positive, credits negative), in hundredths of the fund's currency. Balances are never stored:
they are grouped SUMs over `LedgerEntry`. Writers lock the fund's row first
(`lock_fund`), so two people allocating the last money at once are served one after the other.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _

from .choices import Account, TransactionKind
from .models import Fund, LedgerEntry, LedgerTransaction

CENT = Decimal("0.01")
# Below what every backend stores exactly: SQLite keeps 15 significant digits of a decimal.
MAXIMUM = Decimal("1e12")
THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
UNEARMARKED = ""


class UnbalancedTransaction(Exception):
    """A programming error: a service built entries that do not sum to zero."""


@dataclass(frozen=True)
class Line:
    """One entry to post: account, signed amount in cents, and its dimensions."""

    account: str
    cents: int
    pool: str = UNEARMARKED
    programme_id: int | None = None
    organization_id: int | None = None


def to_cents(amount: Decimal) -> int:
    """Whole hundredths of `amount`, which must already have at most two decimals."""
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} has more than two decimals")
    return int(cents)


def from_cents(cents: int | None) -> Decimal:
    return Decimal(cents or 0).scaleb(-2).quantize(CENT)


def parse_amount(value: Any, field_name: str, *, allow_zero: bool = False) -> Decimal:
    """A positive money amount with at most two decimals, or a ValidationError on the field."""
    if isinstance(value, float):
        # A float has already lost the exact amount the person typed.
        raise ValidationError({field_name: _("Give the amount as text or Decimal, not a float.")})
    text = "" if value is None else str(value).strip()
    # Commas only as thousands separators: "12,50" or "250.000,00" (a decimal comma) would
    # otherwise lose the comma and become a hundred times too much, or a thousand times too little.
    if "," in text and THOUSANDS.fullmatch(text):
        if text.count(",") == 1 and "." not in text:
            # "2,500" is 2500 to an English reader and 2.5 to a French one: ask.
            raise ValidationError(
                {
                    field_name: _(
                        "Write %(text)s without a thousands separator (%(whole)s), or with a "
                        "decimal point."
                    )
                    % {"text": text, "whole": text.replace(",", "")}
                }
            )
        text = text.replace(",", "")
    try:
        amount = Decimal(text) if text else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise ValidationError({field_name: _("Enter an amount such as 250000.00.")})
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError(
            {
                field_name: _("The amount must be more than zero (got %(amount)s).")
                % {"amount": amount}
            }
        )
    # Before quantize, which raises InvalidOperation past 28 digits (such as "1e30").
    if amount >= MAXIMUM:
        raise ValidationError(
            {field_name: _("The amount is too large: the most is 999,999,999,999.99.")}
        )
    if amount != amount.quantize(CENT):
        raise ValidationError({field_name: _("Use at most two decimals (cents).")})
    return amount.quantize(CENT)


def lock_fund(fund: Fund) -> Fund:
    """Take the fund's row lock for the rest of the transaction (PostgreSQL: FOR UPDATE;
    SQLite: transactions are IMMEDIATE, so writers are already one at a time)."""
    return Fund.objects.select_for_update().get(pk=fund.pk)


def post(
    fund: Fund,
    kind: str,
    lines: Iterable[Line],
    *,
    day: date,
    memo: str = "",
    actor: Any = None,
    programme: Any = None,
    contribution: Any = None,
) -> LedgerTransaction:
    """Write one balanced transaction. Raises UnbalancedTransaction if the lines do not sum to
    zero or one is zero: that is a bug in the caller, never the user's input."""
    lines = list(lines)
    if not lines or any(line.cents == 0 for line in lines):
        raise UnbalancedTransaction(f"{kind}: empty transaction or a zero line: {lines}")
    if sum(line.cents for line in lines) != 0:
        raise UnbalancedTransaction(f"{kind}: lines sum to {sum(line.cents for line in lines)}")
    transaction = LedgerTransaction.objects.create(
        fund=fund,
        kind=kind,
        date=day,
        memo=memo[:300],
        programme=programme,
        contribution=contribution,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            transaction=transaction,
            fund=fund,
            kind=kind,
            account=line.account,
            pool=line.pool,
            programme_id=line.programme_id,
            organization_id=line.organization_id,
            cents=line.cents,
        )
        for line in lines
    )
    return transaction


def spread(cents: int, available: Mapping[str, int], order: Iterable[str]) -> dict[str, int]:
    """Take `cents` from the pools in `order`, each up to what it has; {pool: cents taken}.
    The caller has checked that the pools hold enough."""
    taken: dict[str, int] = {}
    remaining = cents
    for pool in order:
        if remaining <= 0:
            break
        part = min(remaining, max(available.get(pool, 0), 0))
        if part > 0:
            taken[pool] = part
            remaining -= part
    if remaining > 0:
        raise UnbalancedTransaction(f"pools hold {cents - remaining} of {cents}")
    return taken


@dataclass
class Balances:
    """What a fund's ledger says, in the fund's currency (Decimal)."""

    currency: str
    deposited: Decimal = Decimal("0.00")
    allocated: Decimal = Decimal("0.00")
    transferred: Decimal = Decimal("0.00")
    refunded: Decimal = Decimal("0.00")
    released: Decimal = Decimal("0.00")
    cash: Decimal = Decimal("0.00")
    commitments: Decimal = Decimal("0.00")
    available_by_pool: dict[str, Decimal] = field(default_factory=dict)
    trial_balance: Decimal = Decimal("0.00")

    @property
    def available(self) -> Decimal:
        """Cash not promised to any programme: what the Steering Committee can still allocate."""
        return self.cash - self.commitments

    @property
    def net_allocated(self) -> Decimal:
        return self.allocated - self.refunded - self.released

    @property
    def uses(self) -> Decimal:
        """Money that left the fund: transfers less the unspent balances returned."""
        return self.transferred - self.refunded


def balances(fund: Fund) -> Balances:
    """The fund's balances from one grouped SUM over its ledger entries."""
    rows = (
        LedgerEntry.objects.filter(fund=fund)
        .values_list("account", "kind", "pool")
        .annotate(total=Sum("cents"))
        .order_by()
    )
    return balances_from_rows(fund.currency, rows)


def balances_from_rows(currency: str, rows: Iterable[tuple[str, str, str, int]]) -> Balances:
    by_account: dict[str, int] = defaultdict(int)
    by_kind_account: dict[tuple[str, str], int] = defaultdict(int)
    pool_sources: dict[str, int] = defaultdict(int)
    total = 0
    for account, kind, pool, cents in rows:
        cents = int(cents or 0)
        total += cents
        by_account[account] += cents
        by_kind_account[kind, account] += cents
        if account in (Account.CASH, Account.COMMITMENTS):
            pool_sources[pool] += cents
    result = Balances(currency=currency)
    result.deposited = from_cents(-by_account[Account.CONTRIBUTIONS])
    result.allocated = from_cents(by_kind_account[TransactionKind.ALLOCATION, Account.ALLOCATIONS])
    result.transferred = from_cents(-by_kind_account[TransactionKind.TRANSFER, Account.CASH])
    result.refunded = from_cents(by_kind_account[TransactionKind.REFUND, Account.CASH])
    result.released = from_cents(-by_kind_account[TransactionKind.RELEASE, Account.ALLOCATIONS])
    result.cash = from_cents(by_account[Account.CASH])
    result.commitments = from_cents(-by_account[Account.COMMITMENTS])
    result.available_by_pool = {
        pool: from_cents(cents) for pool, cents in sorted(pool_sources.items()) if cents
    }
    result.trial_balance = from_cents(total)
    return result


def available_cents_by_pool(fund: Fund) -> dict[str, int]:
    """{pool: cents} the Steering Committee can still allocate from each pool."""
    rows = (
        LedgerEntry.objects.filter(fund=fund, account__in=[Account.CASH, Account.COMMITMENTS])
        .values_list("pool")
        .annotate(total=Sum("cents"))
        .order_by()
    )
    return {pool: int(total) for pool, total in rows if total}


def programme_cents_by_pool(
    programme: Any, account: str, organization: Any = None
) -> dict[str, int]:
    """{pool: cents} on one programme's `account` (e.g. its outstanding commitments), for one
    participating organization if given."""
    entries = LedgerEntry.objects.filter(programme=programme, account=account)
    if organization is not None:
        entries = entries.filter(organization=organization)
    rows = entries.values_list("pool").annotate(total=Sum("cents")).order_by()
    return {pool: int(total) for pool, total in rows if total}


def unbalanced_transactions(fund: Fund | None = None) -> list[int]:
    """Ids of transactions whose entries do not sum to zero: always empty unless the table was
    written around the services."""
    entries = LedgerEntry.objects.all()
    if fund is not None:
        entries = entries.filter(fund=fund)
    return list(
        entries.values("transaction_id")
        .annotate(total=Sum("cents"))
        .exclude(total=0)
        .values_list("transaction_id", flat=True)
    )


def money(amount: Decimal, currency: str) -> str:
    """'USD 1,250,000.00'."""
    return f"{currency} {amount.quantize(CENT, rounding=ROUND_HALF_EVEN):,.2f}"
