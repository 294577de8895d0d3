"""Writes about access: teams and staff rows, the audited reveal of a masked field, and
break-glass requests and approvals."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from migration_hub.core import audit
from migration_hub.core.choices import AuditAction

from .. import permissions
from ..choices import CaseAuditAction, CaseRole, RecordScope
from ..models import (
    DEFAULT_SCOPE,
    DETAIL_FIELDS,
    BreakGlassRequest,
    Case,
    CaseNote,
    CaseStaff,
    Team,
)
from ..selectors import break_glass_candidate, denied, scoped_cases
from ._common import (
    REASON_LIMIT,
    authorize,
    clean_text,
    guard_case,
    one_line,
    refuse,
    user_or_none,
)

BREAK_GLASS_HOURS = 4


def break_glass_duration() -> datetime.timedelta:
    """How long an approved break-glass request lasts (CASES_BREAK_GLASS_HOURS, default 4)."""
    return datetime.timedelta(hours=getattr(settings, "CASES_BREAK_GLASS_HOURS", BREAK_GLASS_HOURS))


# --- structure ------------------------------------------------------------------------------


def create_team(*, actor: Any, office: Any, name: str) -> Team:
    """A team in an office, created by an organization administrator of its organization."""
    authorize(actor, "cases.manage_staff", office)
    with transaction.atomic():
        team = Team(
            organization_id=office.organization_id,
            office=office,
            name=clean_text(name, "name", required=True, limit=200),
            created_by=user_or_none(actor),
        )
        team.full_clean()
        team.save()
        audit.record(
            actor,
            AuditAction.CREATE,
            team,
            changes=audit.snapshot(team),
            organization_id=team.organization_id,
        )
        return team


def add_staff(
    *,
    actor: Any,
    user: Any,
    organization: Any,
    role: str,
    office: Any = None,
    team: Team | None = None,
    scope: str | None = None,
) -> CaseStaff:
    """Give `user` a case-management role in `organization` (optionally an office and team)
    with a record scope (by default the role's: `models.access.DEFAULT_SCOPE`). Only the
    platform oversight role may hold the `all` scope, and only the system (actor None) or a
    superuser grants it."""
    authorize(actor, "cases.manage_staff", organization)
    if role not in CaseRole.values:
        raise ValidationError({"role": _("Choose a case-management role.")})
    if role == CaseRole.PLATFORM_OVERSIGHT and actor is not None and not actor.is_superuser:
        raise refuse(actor, "cases.grant_platform_oversight", organization)
    scope = scope or DEFAULT_SCOPE[CaseRole(role)]
    if scope not in RecordScope.values:
        raise ValidationError({"scope": _("Choose a record scope.")})
    if scope == RecordScope.ALL and role != CaseRole.PLATFORM_OVERSIGHT:
        raise ValidationError({"scope": _("Only the platform oversight role reaches all cases.")})
    if office is not None and office.organization_id != organization.pk:
        raise ValidationError({"office": _("The office is another organization's.")})
    if team is not None:
        if office is None:
            office = team.office
        if team.office_id != office.pk:
            raise ValidationError({"team": _("The team is in another office.")})
    if scope == RecordScope.TEAM and team is None:
        raise ValidationError({"team": _("A team scope needs a team.")})
    if scope == RecordScope.OFFICE and office is None:
        raise ValidationError({"office": _("An office scope needs an office.")})
    with transaction.atomic():
        row = CaseStaff(
            user=user,
            organization=organization,
            office=office,
            team=team,
            role=role,
            scope=scope,
            created_by=user_or_none(actor),
        )
        row.full_clean()
        row.save()
        audit.record(
            actor,
            AuditAction.GRANT,
            row,
            changes=audit.snapshot(row),
            organization_id=organization.pk,
            metadata={"role": role, "scope": scope},
        )
        return row


# --- reveal ---------------------------------------------------------------------------------


def _reveal_guard(actor: Any, case: Case, sensitivity: str, reason: str, target: Any) -> str:
    guard_case(actor, "cases.view_case", case)
    reason = one_line(clean_text(reason, "reason", required=True, limit=REASON_LIMIT))
    if actor is not None and not permissions.may_reveal(actor, case, sensitivity):
        raise refuse(actor, f"cases.reveal_{sensitivity}", target)
    return reason


def reveal(*, actor: Any, case: Case, field: str, reason: str) -> Any:
    """The clear value of a masked detail field of the case (named by field or sensitivity
    class), for a role allowed to reveal it (`permissions.SENSITIVITY_ACCESS`), with a reason.
    Writes an audit row naming the field, its class and the reason (write the reason without
    names: it is kept in the audit trail as given)."""
    name = field if field in DETAIL_FIELDS else {v: k for k, v in DETAIL_FIELDS.items()}.get(field)
    if name is None:
        raise ValidationError({"field": _("Choose a sensitive field of the case.")})
    sensitivity = str(DETAIL_FIELDS[name])
    reason = _reveal_guard(actor, case, sensitivity, reason, case)
    with transaction.atomic():
        value = getattr(Case.objects.get(pk=case.pk), name)
        audit.record(
            actor,
            CaseAuditAction.REVEAL,
            case,
            organization_id=case.organization_id,
            metadata={"field": name, "sensitivity": sensitivity, "reason": reason},
        )
        return value


def reveal_note(*, actor: Any, note: CaseNote, reason: str) -> str:
    """The clear text of a masked note, as `reveal` does for a detail field."""
    case = note.case
    if not note.sensitivity:
        guard_case(actor, "cases.view_case", case)
        return note.text
    reason = _reveal_guard(actor, case, note.sensitivity, reason, note)
    with transaction.atomic():
        audit.record(
            actor,
            CaseAuditAction.REVEAL,
            note,
            organization_id=case.organization_id,
            metadata={
                "case": case.pk,
                "field": "text",
                "sensitivity": note.sensitivity,
                "reason": reason,
            },
        )
        return CaseNote.objects.get(pk=note.pk).text


# --- break-glass ----------------------------------------------------------------------------


def request_break_glass(*, actor: Any, reference: str, reason: str) -> BreakGlassRequest:
    """Ask for emergency access to a case of one's own organization that one's scope does not
    reach, giving a reason. Another user (case supervisor or data protection officer of the
    organization) must approve it; it then lasts `break_glass_duration()`."""
    authorize(actor, "cases.request_break_glass", None)
    reason = clean_text(reason, "reason", required=True, limit=REASON_LIMIT)
    case = break_glass_candidate(actor, reference)
    if case is None:
        raise denied(actor, "case", reference, via="break_glass")
    if scoped_cases(actor).filter(pk=case.pk).exists():
        raise ValidationError({"reference": _("You can already see this case.")})
    with transaction.atomic():
        request = BreakGlassRequest.objects.create(
            case=case, requested_by=actor, reason=reason, requested_at=timezone.now()
        )
        audit.record(
            actor,
            CaseAuditAction.BREAK_GLASS_REQUEST,
            case,
            organization_id=case.organization_id,
            metadata={"break_glass_request": request.pk},
        )
        return request


def approve_break_glass(*, actor: Any, request: BreakGlassRequest) -> BreakGlassRequest:
    """Approve someone else's break-glass request, as a case supervisor or data protection
    officer of the case's organization; the access lasts from now for
    `break_glass_duration()`."""
    case = request.case
    if actor is None:
        raise ValidationError({"approved_by": _("A person approves break-glass access.")})
    authorize(actor, "cases.approve_break_glass", case)
    if actor.pk == request.requested_by_id:
        raise ValidationError(
            {"approved_by": _("Someone other than the requester must approve the request.")}
        )
    with transaction.atomic():
        current = BreakGlassRequest.objects.select_for_update().get(pk=request.pk)
        if current.approved_at is not None:
            raise ValidationError({"approved_by": _("This request is already approved.")})
        now = timezone.now()
        current.approved_by = actor
        current.approved_at = now
        current.expires_at = now + break_glass_duration()
        current.save(update_fields=["approved_by", "approved_at", "expires_at"])
        audit.record(
            actor,
            CaseAuditAction.BREAK_GLASS_APPROVE,
            case,
            organization_id=case.organization_id,
            metadata={
                "break_glass_request": current.pk,
                "requested_by": current.requested_by_id,
                "expires_at": current.expires_at.isoformat(),
            },
        )
        return current
