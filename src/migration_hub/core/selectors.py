"""Reads limited to what the user may see."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import F, Q, QuerySet

from .choices import Role
from .models import AuditEvent, Country, Region
from .permissions import organizations_with_role


def in_region(region: Region | str) -> Q:
    """Countries in an M49 region at any level (a Region, or its M49 code)."""
    if isinstance(region, str):
        return (
            Q(region__m49_code=region)
            | Q(sub_region__m49_code=region)
            | Q(intermediate_region__m49_code=region)
        )
    return Q(region=region) | Q(sub_region=region) | Q(intermediate_region=region)


def countries() -> QuerySet[Country]:
    return Country.objects.select_related("region", "sub_region", "intermediate_region")


def country_rows() -> QuerySet:
    """Countries as plain rows with their region codes: no model instances to build, which is
    most of the cost of a page of the countries API."""
    return Country.objects.values(
        "pk",
        "alpha2",
        "alpha3",
        "m49_code",
        "name",
        "official_name",
        region_code=F("region__m49_code"),
        sub_region_code=F("sub_region__m49_code"),
        intermediate_region_code=F("intermediate_region__m49_code"),
    )


def regions() -> QuerySet[Region]:
    return Region.objects.select_related("parent")


def audit_events_for(user: Any) -> QuerySet[AuditEvent]:
    """Everything for a superuser; else events of the organizations the user administers or
    protects the data of (as administrator or data protection officer)."""
    events = AuditEvent.objects.select_related("actor", "target_type")
    if user.is_superuser:
        return events
    organizations = organizations_with_role(user, Role.ADMINISTRATOR, Role.DATA_PROTECTION_OFFICER)
    if not organizations:
        return events.none()
    # Sign-ins, exports and token changes carry no organization: they are shown for the
    # organization's members.
    member_ids = (
        get_user_model().objects.filter(memberships__organization_id__in=organizations).values("pk")
    )
    return events.filter(
        Q(organization_ref__in=organizations) | Q(organization_ref="", actor_id__in=member_ids)
    )
