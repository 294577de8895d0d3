"""Statistics releases about people: build a disclosure-controlled table from a release table,
publish it, withdraw it, and show it from its stored cells only.

The input is independent of the case models: an iterable of ``(person_id, {attribute: value})``
records (one per consenting case) and the dimensions to tabulate. `disclosure.py` does the
arithmetic; this module stores, audits and guards it.

Differencing between releases
=============================

Two k-suppressed tables of almost the same persons give away the difference: publish a table,
then the same table without one person, and the cells that went down by one are that person's.
Every release therefore keeps a fingerprint of its persons (how many, a SHA-256 over the sorted
digests, and the sorted digests themselves: ``sha256(dataset key, person id)``, truncated to 128
bits; unkeyed so that rotating the secret key cannot silently disable the check, and person ids
are opaque random UUIDs). A new k-suppressed release of a data set is compared with every
release of the same data set ever published (withdrawn ones included: they were public) that
shares a dimension with it:

* the number of persons in one but not the other (symmetric difference) must be 0 or at least
  k, and so must the change in the number of persons; otherwise the release is refused, with the
  reason;
* for every entry the two tables share (a cell or a total over shared dimensions), a published
  value that changed by less than k is suppressed in the new release (reason "differencing"),
  and complementary suppression then protects it;
* the same persons tabulated again (symmetric difference 0, a linked table): entries the earlier
  release suppressed are suppressed again, and entries it published are never used as
  complements (hiding them again protects nothing).

Drafts are checked when built; publishing refuses a draft if another release of the same data
set was published after it was built (rows of the data set are locked while publishing).

Differentially private releases spend epsilon from the data set's `PrivacyBudget` when their
noise is drawn (at build time: even an unpublished draft has been seen), under a row lock, so
the ledger bounds what all the data set's releases together can leak.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from importlib import metadata
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from migration_hub.core import audit
from migration_hub.core.choices import AuditAction
from migration_hub.core.permissions import require

from . import disclosure, release_rules  # noqa: F401  (release_rules registers permissions)
from .disclosure import DisclosureError, Key, Table
from .models import (
    PrivacyBudget,
    PrivacyBudgetSpend,
    ReleaseCell,
    ReleaseMethod,
    ReleaseStatus,
    StatisticsRelease,
    SuppressionReason,
)

DIGEST_HEX = 32
EPSILON_PLACES = Decimal("0.000001")

Record = tuple[Hashable, Mapping[str, Any]]


def person_digest(dataset_key: str, person_id: Hashable) -> str:
    """The one-way digest a release keeps for each person it counts."""
    raw = f"{dataset_key}\x1f{person_id}".encode()
    return hashlib.sha256(raw).hexdigest()[:DIGEST_HEX]


def _fingerprint(dataset_key: str, person_ids: Iterable[str]) -> tuple[list[str], str]:
    digests = sorted({person_digest(dataset_key, pid) for pid in person_ids})
    return digests, hashlib.sha256("\n".join(digests).encode()).hexdigest()


def _check_dataset_key(dataset_key: Any) -> str:
    if not isinstance(dataset_key, str) or not dataset_key.strip() or len(dataset_key) > 100:
        raise ValidationError(
            {"dataset_key": _("Name the release table, in at most 100 characters.")}
        )
    return dataset_key.strip()


def _positive_int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValidationError(
            {name: _("Give a whole number of at least %(min)d.") % {"min": minimum}}
        )
    return value


def _epsilon(value: Any) -> Decimal:
    try:
        epsilon = Decimal(str(value)).quantize(EPSILON_PLACES)
    except (InvalidOperation, ValueError):
        raise ValidationError({"epsilon": _("Give epsilon as a positive number.")}) from None
    if isinstance(value, bool) or not epsilon.is_finite() or epsilon <= 0:
        raise ValidationError({"epsilon": _("Give epsilon as a positive number.")})
    return epsilon


def _refuse_unknown(parameters: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(parameters) - allowed)
    if unknown:
        raise ValidationError(
            {"parameters": _("Unknown parameters: %(names)s.") % {"names": ", ".join(unknown)}}
        )


# --- differencing ----------------------------------------------------------------------------


def _earlier_releases(
    dataset_key: str, dimensions: Sequence[str], exclude: int | None = None
) -> list[StatisticsRelease]:
    """Every k-suppressed release of the data set ever published that shares a dimension."""
    releases = StatisticsRelease.objects.filter(
        dataset_key=dataset_key,
        method=ReleaseMethod.K_SUPPRESSION,
        published_at__isnull=False,
    ).order_by("pk")
    if exclude is not None:
        releases = releases.exclude(pk=exclude)
    return [release for release in releases if set(release.dimensions) & set(dimensions)]


def _shared_entries(earlier: StatisticsRelease, table: Table) -> Iterable[tuple[Key, ReleaseCell]]:
    """Pairs (entry of the new table, cell of the earlier release) that count the same thing."""
    dims = set(table.dimensions)
    for cell in earlier.cells.all():
        if set(cell.key) <= dims:
            key = disclosure.key_from_json(table.dimensions, cell.key)
            if key in table.counts:
                yield key, cell


def _guard_differencing(
    table: Table, digests: list[str], earlier: list[StatisticsRelease], k: int
) -> tuple[set[Key], dict[Key, str]]:
    """Refuse a release that differs from an earlier one by too few persons; otherwise the
    entries to keep published (`known`) and to suppress (`forced`) because of earlier ones."""
    known: set[Key] = set()
    forced: dict[Key, str] = {}
    new = set(digests)
    for release in earlier:
        old = set(release.person_digests)
        changed = len(old ^ new)
        net = abs(len(new) - len(old))
        if 0 < changed < k or 0 < net < k:
            raise ValidationError(
                {
                    "records": _(
                        "These records differ from release %(id)s (%(title)s), published from "
                        "the same data set with a shared dimension, by fewer than k = %(k)d "
                        "persons. Comparing the two tables could single those persons out, so "
                        "the release is refused: wait until at least %(k)d persons have been "
                        "added or removed, or release the same persons."
                    )
                    % {"id": release.pk, "title": release.title, "k": k}
                }
            )
        for key, cell in _shared_entries(release, table):
            value = table.counts[key]
            if cell.suppressed:
                if changed == 0:
                    forced[key] = SuppressionReason.DIFFERENCING
            elif 0 < abs(value - cell.value) < k:
                forced[key] = SuppressionReason.DIFFERENCING
            elif changed == 0 and value == cell.value:
                known.add(key)
    return known - set(forced), forced


# --- building --------------------------------------------------------------------------------


def _store_cells(
    release: StatisticsRelease,
    table: Table,
    values: Mapping[Key, int | None],
    reasons: Mapping[Key, str],
) -> list[ReleaseCell]:
    cells = [
        ReleaseCell(
            release=release,
            position=position,
            key=disclosure.key_to_json(table.dimensions, key),
            value=values[key],
            suppressed=key in reasons,
            reason=reasons.get(key, SuppressionReason.NONE),
        )
        for position, key in enumerate(table.entries())
    ]
    return ReleaseCell.objects.bulk_create(cells)


@transaction.atomic
def build_release(
    actor: Any,
    dataset_key: str,
    records: Iterable[Record],
    dimensions: Sequence[str],
    method: str,
    *,
    title: str = "",
    categories: Mapping[str, Sequence[Any]] | None = None,
    **parameters: Any,
) -> StatisticsRelease:
    """Build a draft release from `records` and store every one of its entries.

    `method` is ``k_suppression`` (parameters ``k``, default 11, and ``suppress_zeros``) or
    ``differential_privacy`` (``epsilon`` and ``max_contributions``, default 1; `categories`,
    the public code list of every dimension, is then required). `categories` lists the
    categories of each dimension in order; without it they come from the data (k method only).

    Refuses, with a `ValidationError` naming the field, a table of fewer than k persons, a
    release too close to an earlier published one (see the module docstring), or a
    differentially private release above the data set's remaining privacy budget.
    """
    require(actor, "statistics.add_statisticsrelease")
    dataset_key = _check_dataset_key(dataset_key)
    try:
        dims = disclosure.check_dimensions(dimensions)
    except DisclosureError as error:
        raise ValidationError({"dimensions": str(error)}) from None
    if method not in ReleaseMethod.values:
        raise ValidationError(
            {
                "method": _("Choose one of: %(methods)s.")
                % {"methods": ", ".join(ReleaseMethod.values)}
            }
        )
    rows = list(records)
    try:
        cells, lists = disclosure.person_cells(rows, dims, categories)
    except DisclosureError as error:
        raise ValidationError({"records": str(error)}) from None
    table = disclosure.table_from_person_cells(cells, dims, lists)
    digests, fingerprint = _fingerprint(dataset_key, cells)
    release = StatisticsRelease(
        title=title.strip() or f"{dataset_key} by {', '.join(dims)}",
        dataset_key=dataset_key,
        dimensions=list(dims),
        categories={dim: list(lists[dim]) for dim in dims},
        method=method,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        person_count=len(cells),
        person_set_sha256=fingerprint,
        person_digests=digests,
    )
    if method == ReleaseMethod.K_SUPPRESSION:
        build = _build_k_suppressed
    else:
        build = _build_differentially_private
    metadata = build(actor, release, rows, table, categories, parameters)
    audit.record(
        actor,
        AuditAction.CREATE,
        release,
        metadata={
            "dataset_key": dataset_key,
            "method": method,
            "dimensions": list(dims),
            "parameters": release.parameters,
            **metadata,
        },
    )
    return release


def _build_k_suppressed(
    actor: Any,
    release: StatisticsRelease,
    rows: list[Record],
    table: Table,
    categories: Mapping[str, Sequence[Any]] | None,
    parameters: Mapping[str, Any],
) -> dict[str, Any]:
    _refuse_unknown(parameters, {"k", "suppress_zeros"})
    k = _positive_int("k", parameters.get("k", disclosure.DEFAULT_K), 2)
    suppress_zeros = parameters.get("suppress_zeros", False)
    if not isinstance(suppress_zeros, bool):
        raise ValidationError({"suppress_zeros": _("Give true or false.")})
    if table.persons < k:
        raise ValidationError(
            {
                "records": _(
                    "The records count %(n)d persons, fewer than k = %(k)d: a table this "
                    "small cannot be published at all."
                )
                % {"n": table.persons, "k": k}
            }
        )
    earlier = _earlier_releases(release.dataset_key, table.dimensions)
    known, forced = _guard_differencing(table, release.person_digests, earlier, k)
    try:
        protected = disclosure.protect(
            table, k, suppress_zeros=suppress_zeros, known=known, forced=forced
        )
    except DisclosureError as error:
        raise ValidationError({"records": str(error)}) from None
    release.parameters = {
        "k": k,
        "suppress_zeros": suppress_zeros,
        "compared_with": [other.pk for other in earlier],
    }
    release.save()
    values = {key: protected.value(key) for key in table.entries()}
    _store_cells(release, table, values, protected.suppressed)
    return {"cells": len(values), "suppressed": len(protected.suppressed)}


def _build_differentially_private(
    actor: Any,
    release: StatisticsRelease,
    rows: list[Record],
    table: Table,
    categories: Mapping[str, Sequence[Any]] | None,
    parameters: Mapping[str, Any],
) -> dict[str, Any]:
    _refuse_unknown(parameters, {"epsilon", "max_contributions"})
    if categories is None:
        raise ValidationError(
            {
                "categories": _(
                    "A differentially private release needs the public code list of every "
                    "dimension: categories taken from the data would give people away."
                )
            }
        )
    epsilon = _epsilon(parameters.get("epsilon"))
    max_contributions = _positive_int(
        "max_contributions", parameters.get("max_contributions", 1), 1
    )
    budget = (
        PrivacyBudget.objects.select_for_update().filter(dataset_key=release.dataset_key).first()
    )
    if budget is None:
        raise ValidationError(
            {
                "dataset_key": _(
                    "No privacy budget is set for %(key)s: a data protection officer sets one "
                    "before any differentially private release."
                )
                % {"key": release.dataset_key}
            }
        )
    remaining = budget.total_epsilon - _spent(budget)
    if epsilon > remaining:
        raise ValidationError(
            {
                "epsilon": _(
                    "This release asks for epsilon %(asked)s but only %(left)s of the "
                    "%(total)s privacy budget of %(key)s is left: it is refused."
                )
                % {
                    "asked": epsilon,
                    "left": remaining,
                    "total": budget.total_epsilon,
                    "key": release.dataset_key,
                }
            }
        )
    noisy = disclosure.noisy_counts(
        rows,
        table.dimensions,
        categories,
        epsilon=float(epsilon),
        max_contributions=max_contributions,
    )
    release.parameters = {
        "epsilon": float(epsilon),
        "max_contributions": max_contributions,
        "mechanism": "discrete_laplace",
        "scale": noisy.scale,
        "privacy_unit": "person",
        "negative_counts": "published_as_zero",
        "totals": "sum_of_published_cells",
        "library": f"opendp {_opendp_version()}",
    }
    release.save()
    _store_cells(release, table, noisy.values, {})
    PrivacyBudgetSpend.objects.create(
        budget=budget,
        release=release,
        epsilon=epsilon,
        by=release.created_by,
    )
    return {"cells": len(noisy.values), "epsilon_spent": str(epsilon)}


def _opendp_version() -> str:
    try:
        return metadata.version("opendp")
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "unknown"


# --- publishing ------------------------------------------------------------------------------


def _locked(release: StatisticsRelease) -> StatisticsRelease:
    """Lock every release of the data set (in one order, so publishers queue rather than
    deadlock) and return `release` as it is now."""
    list(
        StatisticsRelease.objects.select_for_update()
        .filter(dataset_key=release.dataset_key)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return StatisticsRelease.objects.get(pk=release.pk)


@transaction.atomic
def publish_release(actor: Any, release: StatisticsRelease) -> StatisticsRelease:
    """Publish a draft. A k-suppressed draft is refused when a release of the same data set
    sharing a dimension was published after it was built: it must be built again, so that it
    is checked against that release."""
    require(actor, "statistics.publish_statisticsrelease", release)
    current = _locked(release)
    if current.status != ReleaseStatus.DRAFT:
        raise ValidationError(
            {
                "status": _("Only a draft can be published; this release is %(status)s.")
                % {"status": current.get_status_display()}
            }
        )
    if current.method == ReleaseMethod.K_SUPPRESSION:
        checked = set(current.parameters.get("compared_with", []))
        newer = [
            other.pk
            for other in _earlier_releases(current.dataset_key, current.dimensions, current.pk)
            if other.pk not in checked
        ]
        if newer:
            raise ValidationError(
                {
                    "status": _(
                        "Release %(ids)s of the same data set was published after this draft "
                        "was built; build the draft again so that it is checked against it."
                    )
                    % {"ids": ", ".join(str(pk) for pk in newer)}
                }
            )
    current.status = ReleaseStatus.PUBLISHED
    current.published_at = timezone.now()
    current.save(update_fields=["status", "published_at"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        current,
        changes={"status": [ReleaseStatus.DRAFT, ReleaseStatus.PUBLISHED]},
        metadata={"event": "published", "dataset_key": current.dataset_key},
    )
    return current


@transaction.atomic
def withdraw_release(actor: Any, release: StatisticsRelease) -> StatisticsRelease:
    """Withdraw a draft or a published release. A withdrawn release still counts against later
    ones (it was public) and its privacy budget spend is not given back."""
    require(actor, "statistics.withdraw_statisticsrelease", release)
    current = _locked(release)
    if current.status == ReleaseStatus.WITHDRAWN:
        raise ValidationError({"status": _("This release is already withdrawn.")})
    before = current.status
    current.status = ReleaseStatus.WITHDRAWN
    current.withdrawn_at = timezone.now()
    current.save(update_fields=["status", "withdrawn_at"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        current,
        changes={"status": [before, ReleaseStatus.WITHDRAWN]},
        metadata={"event": "withdrawn", "dataset_key": current.dataset_key},
    )
    return current


# --- reading ---------------------------------------------------------------------------------


def release_table(release: StatisticsRelease) -> list[dict[str, Any]]:
    """The release's rows for display or export, read from its stored cells only (nothing is
    recomputed, no noise is drawn): one dict per entry with each dimension's category (``None``
    in a total), ``value`` (``None`` when suppressed) and ``suppressed``. The reason for a
    suppression is not included: which cells are primary would point at the small ones."""
    rows = []
    for cell in release.cells.order_by("position"):
        row: dict[str, Any] = {dim: cell.key.get(dim) for dim in release.dimensions}
        row["value"] = cell.value
        row["suppressed"] = cell.suppressed
        rows.append(row)
    return rows


def describe_release(release: StatisticsRelease) -> dict[str, Any]:
    """What the release page states: method and parameters (never the true person count of a
    differentially private release)."""
    shown = {key: value for key, value in release.parameters.items() if key != "compared_with"}
    return {
        "title": release.title,
        "dataset_key": release.dataset_key,
        "dimensions": list(release.dimensions),
        "method": release.method,
        "method_label": str(ReleaseMethod(release.method).label),
        "parameters": shown,
        "status": release.status,
        "published_at": release.published_at,
    }


# --- privacy budgets -------------------------------------------------------------------------


def _spent(budget: PrivacyBudget) -> Decimal:
    return budget.spends.aggregate(total=Sum("epsilon"))["total"] or Decimal(0)


def remaining_epsilon(dataset_key: str) -> Decimal:
    """The epsilon still available to the data set's differentially private releases."""
    budget = PrivacyBudget.objects.filter(dataset_key=dataset_key).first()
    return Decimal(0) if budget is None else budget.total_epsilon - _spent(budget)


@transaction.atomic
def set_privacy_budget(actor: Any, dataset_key: str, total_epsilon: Any) -> PrivacyBudget:
    """Create a data set's privacy budget or change its total; a total below what has been
    spent already is refused."""
    require(actor, "statistics.change_privacybudget")
    dataset_key = _check_dataset_key(dataset_key)
    try:
        total = _epsilon(total_epsilon)
    except ValidationError:
        raise ValidationError(
            {"total_epsilon": _("Give the total epsilon as a positive number.")}
        ) from None
    budget = PrivacyBudget.objects.select_for_update().filter(dataset_key=dataset_key).first()
    if budget is None:
        budget = PrivacyBudget.objects.create(dataset_key=dataset_key, total_epsilon=total)
        audit.record(actor, AuditAction.CREATE, budget, metadata={"total_epsilon": str(total)})
        return budget
    spent = _spent(budget)
    if total < spent:
        raise ValidationError(
            {
                "total_epsilon": _(
                    "%(spent)s has already been spent from this budget; the total cannot be lower."
                )
                % {"spent": spent}
            }
        )
    before = budget.total_epsilon
    budget.total_epsilon = total
    budget.save(update_fields=["total_epsilon"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        budget,
        changes={"total_epsilon": [str(before), str(total)]},
    )
    return budget
