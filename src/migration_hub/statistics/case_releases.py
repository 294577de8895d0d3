"""Releases of case-management statistics: what the release pages call.

Builds a release of one organization's release table (`cases.release_tables`, consenting
cases only, public code lists) through `releases.build_release`, after checking that the
actor may release *that organization's* data set (`release_rules`): `build_release` itself
only asks whether the actor is a data protection officer somewhere. Also the reads the pages
need: which releases a user sees, which data sets they manage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from migration_hub.accounts.models import Organization
from migration_hub.cases import release_tables
from migration_hub.core.permissions import require

from . import releases
from .models import PrivacyBudget, ReleaseStatus, StatisticsRelease
from .release_rules import dpo_organization_ids


@dataclass(frozen=True)
class ManagedDataset:
    """A case-management data set a user may release."""

    key: str
    organization: Organization
    dataset: release_tables.ReleaseDataset

    @property
    def label(self) -> str:
        return f"{self.organization.name}: {self.dataset.label}"


def managed_organizations(user: Any) -> QuerySet[Organization]:
    """Organizations whose case data sets `user` may release (all for a superuser)."""
    if not getattr(user, "is_authenticated", False):
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.order_by("name")
    return Organization.objects.filter(pk__in=dpo_organization_ids(user)).order_by("name")


def managed_datasets(user: Any) -> dict[str, ManagedDataset]:
    """{data set key: data set} of every case data set `user` may release."""
    result: dict[str, ManagedDataset] = {}
    for organization in managed_organizations(user):
        for key, dataset in release_tables.datasets_for(organization).items():
            result[key] = ManagedDataset(key, organization, dataset)
    return result


def _managed_condition(user: Any) -> Q | None:
    """Releases `user` manages (drafts and withdrawn ones included); None for all."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if user.is_superuser:
        return None
    organizations = dpo_organization_ids(user)
    if not organizations:
        return Q(pk__in=[])
    codes = Organization.objects.filter(pk__in=organizations).values_list("code", flat=True)
    condition = Q(pk__in=[])
    for code in codes:
        condition |= Q(dataset_key__startswith=f"{release_tables.DATASET_PREFIX}.{code}.")
    # Data sets outside case management (no organization in their key) are any DPO's.
    return condition | ~Q(dataset_key__regex=release_tables.DATASET_KEY_PATTERN)


def releases_for(user: Any) -> QuerySet[StatisticsRelease]:
    """Published releases (open data: anyone, signed in or not), and every release of the
    data sets `user` manages."""
    managed = _managed_condition(user)
    published = Q(status=ReleaseStatus.PUBLISHED)
    queryset = StatisticsRelease.objects.all()
    if managed is not None:
        queryset = queryset.filter(published | managed)
    return queryset.defer("person_digests").order_by("-created_at", "-pk")


def manages(user: Any, release: StatisticsRelease) -> bool:
    return bool(user.has_perm("statistics.publish_statisticsrelease", release))


def dataset_for(user: Any, key: str) -> ManagedDataset:
    """The managed data set `key`, or a ValidationError naming the field."""
    dataset = managed_datasets(user).get(key)
    if dataset is None:
        raise ValidationError({"dataset": _("Choose one of your organization's data sets.")})
    require(user, "statistics.add_statisticsrelease", key)
    return dataset


def build_case_release(
    actor: Any,
    key: str,
    dimensions: Sequence[str],
    method: str,
    *,
    title: str = "",
    **parameters: Any,
) -> StatisticsRelease:
    """Build a draft release of the case data set `key` over `dimensions` (one or two of its
    attributes). Refusals (`ValidationError`, naming the field) come from
    `releases.build_release`: too few persons, too close to a published release
    (differencing), over the privacy budget. Nothing is written when refused."""
    managed = dataset_for(actor, key)
    allowed = {attribute.name for attribute in managed.dataset.dimensions}
    unknown = [dim for dim in dimensions if dim not in allowed]
    if unknown:
        raise ValidationError(
            {"dimensions": _("Not an attribute of this data set: %(names)s.") % {"names": unknown}}
        )
    case_type = managed.dataset.case_type
    records = release_tables.release_records(managed.organization, case_type)
    return releases.build_release(
        actor,
        key,
        records,
        dimensions,
        method,
        title=title,
        categories=release_tables.categories(case_type),
        **parameters,
    )


def set_case_budget(actor: Any, key: str, total_epsilon: Any) -> PrivacyBudget:
    """Set the privacy budget of a case data set the actor manages."""
    dataset_for(actor, key)
    require(actor, "statistics.change_privacybudget", key)
    return releases.set_privacy_budget(actor, key, total_epsilon)


def budgets(keys: Sequence[str]) -> dict[str, dict[str, Decimal | None]]:
    """{key: total, spent, remaining} of each data set (None when no budget is set)."""
    found = {
        budget.dataset_key: budget for budget in PrivacyBudget.objects.filter(dataset_key__in=keys)
    }
    result: dict[str, dict[str, Decimal | None]] = {}
    for key in keys:
        budget = found.get(key)
        if budget is None:
            result[key] = {"total": None, "spent": None, "remaining": None}
            continue
        remaining = releases.remaining_epsilon(key)
        result[key] = {
            "total": budget.total_epsilon,
            "spent": budget.total_epsilon - remaining,
            "remaining": remaining,
        }
    return result
