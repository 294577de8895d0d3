"""Reads limited to what the user may see."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from .choices import Role
from .models import AuditEvent, Country, Region
from .permissions import organizations_with_role


def countries() -> QuerySet[Country]:
    return Country.objects.select_related("region", "sub_region", "intermediate_region")


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
    return events.filter(Q(organization_ref__in=organizations) | Q(actor_id__in=member_ids))
