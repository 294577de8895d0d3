"""Reads of case management, limited to what the user may see: the one place that applies the
record scope. No other code path queries cases or people for a user.

A user reaches a case through one of their active `CaseStaff` rows:

- own: cases of that organization assigned to the user;
- team: cases of the row's team;
- office: cases of the row's office;
- organization: every case of the row's organization;
- all: every case of every organization (the platform oversight role only);

or through a break-glass request approved for them on that case and not yet expired. People
are reached through their cases. Anything else answers Http404, as if it did not exist, and
the refusal is audited (`access_denied`, naming the key asked for only if it has the shape of
a reference or an id). Every read of one case is audited (`view`, or `break_glass_use` when
only a break-glass grant opens it); lists are audited by `record_list_read`, ids only.

Masking: `masked_details` and `notes_for` replace what the user's roles do not show in clear
(`cases.permissions.SENSITIVITY_ACCESS`) by `MASKED`; `cases.services.reveal` opens one field
with a reason, on record.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from migration_hub.core import audit
from migration_hub.core.choices import AuditAction

from .choices import CaseAuditAction, RecordScope
from .models import DETAIL_FIELDS, BreakGlassRequest, Case, CaseNote, CaseStaff, Person
from .permissions import clear_classes

REFERENCE_PATTERN = re.compile(r"^[A-Z]{2,5}-\d{4}-\d{6}$")


class _Masked:
    """What a masked value reads as: falsy, and shown as a placeholder."""

    def __str__(self) -> str:
        return str(_("[masked]"))

    def __repr__(self) -> str:
        return "MASKED"

    def __bool__(self) -> bool:
        return False


MASKED = _Masked()


def staff_rows(user: Any) -> list[CaseStaff]:
    """The user's active staff rows."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(CaseStaff.objects.filter(user=user, is_active=True))


def _scope_condition(user: Any, rows: Iterable[CaseStaff]) -> Q | None:
    """The condition on Case of the user's staff rows; None when one row reaches every case."""
    condition = Q(pk__in=[])
    for row in rows:
        if row.scope == RecordScope.ALL:
            return None
        if row.scope == RecordScope.ORGANIZATION:
            condition |= Q(organization_id=row.organization_id)
        elif row.scope == RecordScope.OFFICE and row.office_id is not None:
            condition |= Q(organization_id=row.organization_id, office_id=row.office_id)
        elif row.scope == RecordScope.TEAM and row.team_id is not None:
            condition |= Q(organization_id=row.organization_id, team_id=row.team_id)
        elif row.scope == RecordScope.OWN:
            condition |= Q(organization_id=row.organization_id, assigned_to=user)
    return condition


def active_grants(user: Any, at: Any = None) -> QuerySet[BreakGlassRequest]:
    """The user's approved, unexpired break-glass requests."""
    at = at or timezone.now()
    return BreakGlassRequest.objects.filter(
        requested_by=user, approved_at__isnull=False, approved_at__lte=at, expires_at__gt=at
    )


def scoped_cases(user: Any) -> QuerySet[Case]:
    """Cases the user's staff rows reach, without break-glass grants."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    condition = _scope_condition(user, staff_rows(user))
    return Case.objects.all() if condition is None else Case.objects.filter(condition)


def cases_for(user: Any) -> QuerySet[Case]:
    """Every case `user` may see: their staff rows' scopes plus unexpired approved
    break-glass grants, with what lists show."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    condition = _scope_condition(user, staff_rows(user))
    if condition is not None:
        condition |= Q(pk__in=active_grants(user).values("case_id"))
        queryset = Case.objects.filter(condition)
    else:
        queryset = Case.objects.all()
    return queryset.select_related("organization", "office", "team", "person", "assigned_to")


def people_for(user: Any) -> QuerySet[Person]:
    """The people of the cases `user` may see."""
    return Person.objects.filter(
        pk__in=cases_for(user).order_by().values("person_id")
    ).select_related("organization", "household")


def _safe_key(key: Any) -> str:
    """The key asked for, for the audit trail, only when it has the shape of an id."""
    text = str(key)[:64]
    if REFERENCE_PATTERN.match(text):
        return text
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return "(malformed)"


def denied(user: Any, model: str, key: Any, *, via: str) -> Http404:
    """Audit a refused read (out of scope or unknown: the answer is the same) and return the
    Http404 to raise."""
    audit.record(
        user,
        CaseAuditAction.ACCESS_DENIED,
        None,
        metadata={"model": model, "key": _safe_key(key), "via": via},
    )
    return Http404()


def _lookup(key: Any) -> Q | None:
    text = str(key or "")
    if REFERENCE_PATTERN.match(text):
        return Q(reference=text)
    try:
        return Q(public_id=uuid.UUID(text))
    except ValueError:
        return None


def case_for(user: Any, key: Any, *, via: str = "page", audited: bool = True) -> Case:
    """The case with public id or reference `key` if `user` may see it, else Http404 (also for
    another organization's case); the read is audited unless `audited` is False (the caller
    audits its own read, such as a service writing the case)."""
    lookup = _lookup(key)
    matches = list(cases_for(user).filter(lookup)[:2]) if lookup is not None else []
    if len(matches) != 1:  # none, or a reference shared by two organizations: use the id
        raise denied(user, "case", key, via=via)
    case = matches[0]
    if audited:
        record_case_read(user, case, via=via)
    return case


def record_case_read(user: Any, case: Case, *, via: str) -> None:
    """The audit row of one case read: `view`, or `break_glass_use` naming the grant when
    only a break-glass grant opens the case to the user."""
    if scoped_cases(user).filter(pk=case.pk).exists():
        audit.record(
            user,
            AuditAction.VIEW,
            case,
            organization_id=case.organization_id,
            metadata={"via": via},
        )
        return
    grant = active_grants(user).filter(case=case).order_by("-expires_at").first()
    audit.record(
        user,
        CaseAuditAction.BREAK_GLASS_USE,
        case,
        organization_id=case.organization_id,
        metadata={"via": via, "break_glass_request": grant.pk if grant else None},
    )


def person_for(user: Any, public_id: Any, *, via: str = "page", audited: bool = True) -> Person:
    """The person `public_id` if one of their cases is visible to `user`, else Http404."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise denied(user, "person", public_id, via=via) from None
    person = people_for(user).filter(public_id=key).first()
    if person is None:
        raise denied(user, "person", public_id, via=via)
    if audited:
        audit.record(
            user,
            AuditAction.VIEW,
            person,
            organization_id=person.organization_id,
            metadata={"via": via},
        )
    return person


def record_list_read(user: Any, name: str, cases: Iterable[Case]) -> None:
    """One audit event for a list of cases shown or served (ids only)."""
    ids = [case.pk for case in cases]
    audit.record(user, AuditAction.VIEW, None, metadata={"list": name, "cases": ids})


def masked_details(user: Any, case: Case) -> dict[str, Any]:
    """{detail field: its value, or MASKED when the user's roles do not show its class}."""
    clear = clear_classes(user, case)
    return {
        field: getattr(case, field) if sensitivity in clear else MASKED
        for field, sensitivity in DETAIL_FIELDS.items()
    }


def notes_for(user: Any, case: Case) -> list[tuple[CaseNote, Any]]:
    """The case's notes, newest first, each with its text or MASKED."""
    clear = clear_classes(user, case)
    return [
        (note, note.text if not note.sensitivity or note.sensitivity in clear else MASKED)
        for note in case.notes.select_related("author").all()
    ]


def break_glass_candidate(user: Any, reference: Any) -> Case | None:
    """The case `reference` of an organization where `user` holds a case-handling role, for a
    break-glass request: the user names a case they cannot see (their scope is too narrow), so
    this lookup is limited to their own organizations, never another tenant's."""
    from .permissions import CASE_HANDLERS

    text = str(reference or "")
    if not REFERENCE_PATTERN.match(text):
        return None
    organizations = [row.organization_id for row in staff_rows(user) if row.role in CASE_HANDLERS]
    return (
        Case.objects.filter(organization_id__in=organizations, reference=text)
        .select_related("organization")
        .first()
    )
