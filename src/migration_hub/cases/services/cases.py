"""Writes of cases: intake, updates of the sensitive details, assignment, notes, tasks and
workflow transitions.

Each service first passes the guard (`_common.guard_case`: out of scope is Http404, a role
that does not allow the action is PermissionDenied, both audited), then writes in one
transaction with its audit row. A write to an existing case passes the `version` the caller
read: if the case changed since, ConflictError (409) is raised and nothing is written.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from migration_hub.core import audit
from migration_hub.core.choices import AuditAction

from .. import permissions
from ..choices import REFERENCE_PREFIX, CaseAuditAction, CaseType, ProtectionService
from ..models import (
    DETAIL_FIELDS,
    Case,
    CaseEvent,
    CaseNote,
    CaseSequence,
    CaseStaff,
    CaseTask,
    Person,
)
from ..permissions import ASSIGNABLE, CASE_HANDLERS
from ..selectors import staff_rows
from ..workflows import CLOSED, allowed_events, event_ids, initial_state, workflow_for
from ._common import (
    authorize,
    clean_text,
    guard_case,
    guard_person,
    lock_case,
    refuse,
    user_or_none,
)
from .people import SERVER_OWNED, add_document_row, clean_documents, clean_person_data

OPEN_EVENT = "open"
ASSIGN_EVENT = "assign"


def _acting_staff(actor: Any, staff: CaseStaff | None) -> CaseStaff:
    """The staff row intake acts through: the one given (it must be the actor's), else the
    actor's first case-handling row with an office. Its organization, office and team become
    the case's, never anything the client sent."""
    if actor is None:
        if staff is None:
            raise ValidationError({"staff": _("The system opens a case through a staff row.")})
        return staff
    rows = [
        row for row in staff_rows(actor) if row.role in CASE_HANDLERS and row.office_id is not None
    ]
    if staff is not None:
        rows = [row for row in rows if row.pk == staff.pk]
    if not rows:
        raise refuse(actor, "cases.add_case", staff)
    return rows[0]


def next_reference(organization_id: Any, case_type: str, year: int) -> str:
    """The next public reference of the organization's cases of one type and year, such as
    AVRR-2026-000123 (the sequence row is locked until the transaction ends)."""
    CaseSequence.objects.get_or_create(
        organization_id=organization_id, case_type=case_type, year=year
    )
    sequence = CaseSequence.objects.select_for_update().get(
        organization_id=organization_id, case_type=case_type, year=year
    )
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{REFERENCE_PREFIX[CaseType(case_type)]}-{year}-{sequence.last:06d}"


def _field_of(key: str) -> str | None:
    """A detail field named by its field name or by its sensitivity class."""
    if key in DETAIL_FIELDS:
        return key
    for field, sensitivity in DETAIL_FIELDS.items():
        if key == sensitivity:
            return field
    return None


def _clean_details(
    details: Mapping[str, Any] | None, clear: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """{detail field: mapping}; a class the actor's roles do not see in clear cannot be
    written by them (the field is named)."""
    if not details:
        return {}
    clear = set(clear)
    cleaned: dict[str, dict[str, Any]] = {}
    for key, value in details.items():
        if key in SERVER_OWNED:
            continue
        field = _field_of(key)
        if field is None:
            raise ValidationError({key: _("Unknown field.")})
        if not isinstance(value, Mapping):
            raise ValidationError({field: _("Give the details as name: value pairs.")})
        if DETAIL_FIELDS[field] not in clear:
            raise ValidationError({field: _("Your role cannot write these details.")})
        cleaned[field] = dict(value)
    return cleaned


def open_case(
    *,
    actor: Any,
    case_type: str,
    person: Mapping[str, Any] | Person,
    details: Mapping[str, Any] | None = None,
    note: str = "",
    staff: CaseStaff | None = None,
) -> Case:
    """Intake: a new case of `case_type` for a new person (a mapping of their data, with
    optional `documents`) or for a person already visible to the actor.

    Mass-assignment safe: the organization, office and team come from the actor's staff row,
    the case is assigned to the actor, its state is the workflow's first; keys such as
    `organization`, `assigned_to`, `state` or `consent_given` in the input are ignored."""
    if case_type not in CaseType.values:
        raise ValidationError({"case_type": _("Choose a case type.")})
    row = _acting_staff(actor, staff)
    authorize(actor, "cases.add_case", row)
    if isinstance(person, Person):
        guard_person(actor, "cases.change_person", person)
        if person.organization_id != row.organization_id:
            raise ValidationError({"person": _("The person is another organization's.")})
        person_data: dict[str, Any] = {}
        documents: list[dict[str, Any]] = []
    else:
        person_data = clean_person_data(person)
        documents = clean_documents(person.get("documents"))
    roles = permissions.roles_in(actor, row.organization_id) if actor else frozenset(CASE_HANDLERS)
    clear = {
        name
        for name, (seen, _reveal) in permissions.SENSITIVITY_ACCESS.items()
        if roles & seen or actor is None
    }
    cleaned_details = _clean_details(details, clear)
    note = clean_text(note, "note")
    user = user_or_none(actor)
    with transaction.atomic():
        if not isinstance(person, Person):
            person = Person(organization_id=row.organization_id, created_by=user, **person_data)
            person.full_clean()
            person.save()
            audit.record(
                actor,
                AuditAction.CREATE,
                person,
                changes=audit.snapshot(person),
                organization_id=row.organization_id,
                metadata={"fields": sorted(person_data)},
            )
            for document in documents:
                add_document_row(person, document, actor)
        now = timezone.now()
        case = Case(
            reference=next_reference(row.organization_id, case_type, timezone.localdate().year),
            organization_id=row.organization_id,
            office_id=row.office_id,
            team_id=row.team_id,
            person=person,
            assigned_to=user if user is not None else row.user,
            case_type=case_type,
            state=initial_state(case_type),
            opened_at=now,
            created_by=user,
            **cleaned_details,
        )
        case.full_clean()
        case.save()
        CaseEvent.objects.create(
            case=case, event=OPEN_EVENT, to_state=case.state, actor=user, at=now, note=note
        )
        audit.record(
            actor,
            AuditAction.CREATE,
            case,
            changes=audit.snapshot(case),
            organization_id=case.organization_id,
            metadata={"person": person.pk, "details_written": sorted(cleaned_details)},
        )
        return case


def update_details(*, actor: Any, case: Case, version: int, details: Mapping[str, Any]) -> Case:
    """Replace sensitive details of a case (per class, only those the actor's roles see in
    clear), if the case is still at `version`. The audit names the classes, not the values."""
    guard_case(actor, "cases.change_case", case)
    clear = permissions.clear_classes(actor, case) if actor else set(permissions.SENSITIVITY_ACCESS)
    cleaned = _clean_details(details, clear)
    with transaction.atomic():
        current = lock_case(case, version)
        for field, value in cleaned.items():
            setattr(current, field, value)
        current.version += 1
        current.save(update_fields=[*cleaned, "version", "updated_at"])
        audit.record(
            actor,
            AuditAction.UPDATE,
            current,
            changes={"version": [version, current.version]},
            organization_id=current.organization_id,
            metadata={"details_written": sorted(cleaned)},
        )
        return current


def _reaches(rows: Iterable[CaseStaff], target: CaseStaff) -> bool:
    """Whether one of an assigner's rows reaches a staff row of the same organization."""
    for row in rows:
        if row.organization_id != target.organization_id or row.role not in permissions.ASSIGNERS:
            continue
        if row.scope in ("organization", "all"):
            return True
        if row.scope == "office" and row.office_id == target.office_id:
            return True
        if row.scope == "team" and row.team_id is not None and row.team_id == target.team_id:
            return True
    return False


def assign_case(*, actor: Any, case: Case, assignee: Any, version: int) -> Case:
    """Assign the case to a caseworker or supervisor of its organization, within the
    assigner's reach (team, office or organization); the case moves to the assignee's office
    and team."""
    guard_case(actor, "cases.assign_case", case)
    target = (
        CaseStaff.objects.filter(
            user=assignee,
            organization_id=case.organization_id,
            role__in=ASSIGNABLE,
            is_active=True,
            office__isnull=False,
        )
        .order_by("role")
        .first()
    )
    if target is None:
        raise ValidationError(
            {"assigned_to": _("Choose a caseworker or supervisor of the case's organization.")}
        )
    if actor is not None and not _reaches(staff_rows(actor), target):
        raise ValidationError({"assigned_to": _("This person is outside your team or office.")})
    with transaction.atomic():
        current = lock_case(case, version)
        before = audit.snapshot(current, ["assigned_to_id", "office_id", "team_id"])
        current.assigned_to = target.user
        current.office_id = target.office_id
        current.team_id = target.team_id
        current.version += 1
        current.save(update_fields=["assigned_to", "office", "team", "version", "updated_at"])
        CaseEvent.objects.create(
            case=current,
            event=ASSIGN_EVENT,
            from_state=current.state,
            to_state=current.state,
            actor=user_or_none(actor),
        )
        audit.record(
            actor,
            CaseAuditAction.ASSIGN,
            current,
            changes=audit.diff(
                before, audit.snapshot(current, ["assigned_to_id", "office_id", "team_id"])
            ),
            organization_id=current.organization_id,
        )
        return current


def add_note(*, actor: Any, case: Case, text: str, sensitivity: str = "") -> CaseNote:
    """A note on the case; with a sensitivity class, only a role that sees the class in clear
    may write it."""
    guard_case(actor, "cases.change_case", case)
    text = clean_text(text, "text", required=True)
    if sensitivity and sensitivity not in permissions.SENSITIVITY_ACCESS:
        raise ValidationError({"sensitivity": _("Choose a sensitivity class, or none.")})
    if sensitivity and actor is not None and not permissions.sees_clear(actor, case, sensitivity):
        raise ValidationError({"sensitivity": _("Your role cannot write notes of this class.")})
    with transaction.atomic():
        note = CaseNote.objects.create(
            case=case,
            author=user_or_none(actor),
            sensitivity=sensitivity,
            text=text,
            created_by=user_or_none(actor),
        )
        audit.record(
            actor,
            AuditAction.CREATE,
            note,
            changes=audit.snapshot(note),
            organization_id=case.organization_id,
            metadata={"case": case.pk},
        )
        return note


def add_task(
    *, actor: Any, case: Case, title: str, due_on: datetime.date | None = None
) -> CaseTask:
    """A task on the case, optionally due by a date."""
    guard_case(actor, "cases.change_case", case)
    title = clean_text(title, "title", required=True, limit=300)
    with transaction.atomic():
        task = CaseTask.objects.create(
            case=case, title=title, due_on=due_on, created_by=user_or_none(actor)
        )
        audit.record(
            actor,
            AuditAction.CREATE,
            task,
            changes=audit.snapshot(task),
            organization_id=case.organization_id,
            metadata={"case": case.pk},
        )
        return task


def complete_task(*, actor: Any, task: CaseTask) -> CaseTask:
    """Mark a task done (once)."""
    guard_case(actor, "cases.change_case", task.case)
    with transaction.atomic():
        current = CaseTask.objects.select_for_update().get(pk=task.pk)
        if current.done:
            raise ValidationError({"done": _("This task is already done.")})
        before = audit.snapshot(current)
        current.done = True
        current.done_at = timezone.now()
        current.save(update_fields=["done", "done_at", "updated_at"])
        audit.record(
            actor,
            AuditAction.UPDATE,
            current,
            changes=audit.diff(before, audit.snapshot(current)),
            organization_id=current.case.organization_id,
        )
        return current


def _protection_services(value: Any) -> list[str]:
    codes = [] if value is None or isinstance(value, str) else list(value)
    if not codes or any(code not in ProtectionService.values for code in codes):
        raise ValidationError(
            {
                "services": _("Choose the services of the protection plan: %(values)s.")
                % {"values": ", ".join(ProtectionService.values)}
            }
        )
    return list(dict.fromkeys(codes))


def transition(
    *,
    actor: Any,
    case: Case,
    event: str,
    version: int,
    note: str = "",
    services: Iterable[str] | None = None,
) -> Case:
    """Move the case along its workflow by `event` (`cases.workflows`).

    Refused, naming the current state and the events it allows, when the state does not allow
    the event (a departure before approval, say); refused with ConflictError when the case is
    no longer at `version` (another transition got there first): nothing is written either
    way. The event `plan_protection` of a counter-trafficking case records the plan's
    `services` in the encrypted trafficking details. Writes the timeline event and the audit
    row (states and event, no personal data) in the same transaction as the change."""
    guard_case(actor, "cases.transition_case", case)
    note = clean_text(note, "note")
    if event not in event_ids(case.case_type):
        raise ValidationError(
            {
                "event": _("%(event)s is not an event of this workflow (%(events)s).")
                % {"event": str(event)[:40], "events": ", ".join(event_ids(case.case_type))}
            }
        )
    plan = _protection_services(services) if event == "plan_protection" else None
    if (
        plan is not None
        and actor is not None
        and not permissions.sees_clear(actor, case, "trafficking")
    ):
        raise refuse(actor, "cases.write_trafficking_details", case)
    with transaction.atomic():
        current = lock_case(case, version)
        allowed = allowed_events(current)
        if event not in allowed:
            raise ValidationError(
                {
                    "event": _(
                        "The case is in the state %(state)s, which does not allow %(event)s. "
                        "Allowed: %(allowed)s."
                    )
                    % {
                        "state": current.state,
                        "event": event,
                        "allowed": ", ".join(allowed) or _("none (the case is closed)"),
                    }
                }
            )
        before = current.state
        workflow_for(current).send(event)
        now = timezone.now()
        fields = ["state", "version", "updated_at"]
        if current.state == CLOSED:
            current.closed_at = now
            fields.append("closed_at")
        if plan is not None:
            current.trafficking_details = {
                **(current.trafficking_details or {}),
                "protection_plan": {"services": plan, "recorded_at": now.isoformat()},
            }
            fields.append("trafficking_details")
        current.version += 1
        current.save(update_fields=fields)
        CaseEvent.objects.create(
            case=current,
            event=event,
            from_state=before,
            to_state=current.state,
            actor=user_or_none(actor),
            at=now,
            note=note,
        )
        audit.record(
            actor,
            CaseAuditAction.TRANSITION,
            current,
            changes={"state": [before, current.state], "version": [version, current.version]},
            organization_id=current.organization_id,
            metadata={"event": event, "protection_plan_recorded": plan is not None},
        )
        return current
