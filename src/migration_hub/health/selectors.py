"""Reads of the assessment workflow, limited to what the user may see, and audited.

A user sees the assessments of the panel sites run by the organizations where they hold a
health role (panel physician or health coordinator), and nothing else, whatever their other
roles. Every read of one assessment and every list shown or served writes an audit event
(`AuditAction.VIEW`) naming the records by id only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from migration_hub.core import audit
from migration_hub.core.choices import AuditAction
from migration_hub.core.permissions import organizations_with_role
from migration_hub.registry.models import Organization as RegistryOrganization

from . import permissions  # noqa: F401  (registers the rules the pages check)
from .models import Assessment, PanelSite, Physician, Result, TbReferral, TrainingRecord
from .permissions import HEALTH_ROLES


def health_organization_ids(user: Any, *roles: str) -> list[str]:
    """Ids of the organizations where `user` holds one of `roles` (by default any health role)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return organizations_with_role(user, *(roles or HEALTH_ROLES))


def sites_for(user: Any, *roles: str) -> QuerySet[PanelSite]:
    """Panel sites of the organizations where `user` holds a health role (or one of `roles`)."""
    return PanelSite.objects.filter(
        organization_id__in=health_organization_ids(user, *roles)
    ).select_related("organization", "tb_programme")


def physicians_for(user: Any) -> QuerySet[Physician]:
    return (
        Physician.objects.filter(site__in=sites_for(user))
        .select_related("user", "site")
        .prefetch_related(
            Prefetch("training_records", queryset=TrainingRecord.objects.order_by("-completed_on"))
        )
    )


def assessments_for(user: Any) -> QuerySet[Assessment]:
    """Assessments of the sites where `user` holds a health role, with what lists show."""
    return Assessment.objects.filter(
        site__organization_id__in=health_organization_ids(user)
    ).select_related(
        "site__organization",
        "site__tb_programme",
        "physician__user",
        "protocol_version",
        "certificate",
    )


def record_list_read(user: Any, name: str, assessments: Iterable[Assessment]) -> None:
    """One audit event for a list of assessments shown or served (ids only)."""
    ids = [assessment.pk for assessment in assessments]
    audit.record(user, AuditAction.VIEW, None, metadata={"list": name, "assessments": ids})


def record_export(
    user: Any,
    name: str,
    assessments: Iterable[Assessment],
    *,
    export_format: str,
    filters: dict[str, Any],
) -> None:
    """One audit event for an export of assessments: the ids exported, how many, the
    organizations running their sites, the format and the filters used."""
    rows = list(assessments)
    organizations = sorted({str(assessment.site.organization_id) for assessment in rows})
    audit.record(
        user,
        AuditAction.EXPORT,
        None,
        organization_id=organizations[0] if len(organizations) == 1 else None,
        metadata={
            "list": name,
            "format": export_format,
            "filters": filters,
            "count": len(rows),
            "assessments": [assessment.pk for assessment in rows],
            "organizations": organizations,
        },
    )


def assessment_for(user: Any, pk: Any, *, via: str = "page", audited: bool = True) -> Assessment:
    """The assessment `pk` if `user` may see it (else Http404, also for an id of another
    organization), with its results and referrals; the read is audited, unless `audited` is
    False because the request has already audited its read of this assessment (one VIEW event
    per request)."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    assessment = (
        assessments_for(user)
        .prefetch_related(
            Prefetch("results", queryset=Result.objects.select_related("recorded_by")),
            Prefetch(
                "tb_referrals",
                queryset=TbReferral.objects.select_related(
                    "to_organization", "consent_recorded_by"
                ),
            ),
        )
        .filter(pk=key)
        .first()
    )
    if assessment is None:
        raise Http404
    if audited:
        audit.record(
            user,
            AuditAction.VIEW,
            assessment,
            organization_id=assessment.site.organization_id,
            metadata={"via": via},
        )
    return assessment


def visible_assessment(user: Any, pk: Any) -> Assessment:
    """The assessment `pk` if `user` may see it, else Http404, unaudited: for a permission
    check or a step whose write the service audits (a page shown then reads it audited)."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    assessment = assessments_for(user).filter(pk=key).first()
    if assessment is None:
        raise Http404
    return assessment


def referral_for(user: Any, pk: Any) -> TbReferral:
    """A TB referral of an assessment `user` may see (else Http404)."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    referral = (
        TbReferral.objects.filter(assessment__in=assessments_for(user), pk=key)
        .select_related("assessment__site", "to_organization")
        .first()
    )
    if referral is None:
        raise Http404
    return referral


def referral_organizations() -> QuerySet[RegistryOrganization]:
    """Partner organizations of the registry a referral may go to."""
    return RegistryOrganization.objects.order_by("name")
