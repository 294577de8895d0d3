"""Reads limited to what the user may see."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet

from migration_hub.core.permissions import roles_of

from .models import Membership, Office, Organization, RolePolicy


def organizations() -> QuerySet[Organization]:
    return Organization.objects.select_related("country")


def offices() -> QuerySet[Office]:
    return Office.objects.select_related("organization", "country")


def memberships_for(user: Any) -> QuerySet[Membership]:
    """Memberships of the organizations the user belongs to (all of them for a superuser)."""
    memberships = Membership.objects.select_related("user", "organization")
    if user.is_superuser:
        return memberships
    return memberships.filter(organization_id__in=list(roles_of(user)))


POLICY_CACHE_KEY = "accounts:roles-requiring-two-factor"


def roles_requiring_two_factor() -> frozenset[str]:
    """Roles whose policy requires two-factor sign-in (cached: read on every API request)."""
    roles = cache.get(POLICY_CACHE_KEY)
    if roles is None:
        roles = frozenset(
            RolePolicy.objects.filter(require_two_factor=True).values_list("role", flat=True)
        )
        cache.set(POLICY_CACHE_KEY, roles, timeout=60)
    return roles


def two_factor_required(user: Any) -> bool:
    """Whether one of the user's roles requires two-factor sign-in."""
    required = roles_requiring_two_factor()
    if not required:
        return False
    held = set().union(*roles_of(user).values()) if roles_of(user) else set()
    return bool(held & required)
