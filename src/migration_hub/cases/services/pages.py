"""What the case pages need beyond the services and selectors: the permission guard a page
passes before it reads a form, the offices a list may be filtered by, and the parts of one
case (already read through `selectors.case_for`) shaped for its page, masked per role.

Nothing here writes a case: writes go through the other service modules, reads of a case
through `cases.selectors`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import rules
from django.db.models import QuerySet

from migration_hub.accounts.models import Office

from .. import permissions
from ..choices import ProtectionService, RecordScope, Sensitivity, Vulnerability
from ..models import DETAIL_FIELDS, Case, CaseEvent, CaseTask, Consent
from ..selectors import MASKED, staff_rows
from ._common import guard_case

# The sensitivity class a vulnerability discloses: masked with the class on the case page
# (a supervisor who may not see health data must not read "serious medical condition").
VULNERABILITY_CLASS: dict[str, str] = {
    Vulnerability.VICTIM_OF_TRAFFICKING: Sensitivity.TRAFFICKING,
    Vulnerability.GBV_SURVIVOR: Sensitivity.GBV,
    Vulnerability.SERIOUS_MEDICAL_CONDITION: Sensitivity.HEALTH,
    Vulnerability.DISABILITY: Sensitivity.HEALTH,
    Vulnerability.UNACCOMPANIED_CHILD: Sensitivity.CHILD_PROTECTION,
    Vulnerability.SEPARATED_CHILD: Sensitivity.CHILD_PROTECTION,
}


def may(user: Any, perm: str, obj: Any = None) -> bool:
    """Whether the rule `perm` passes (asked of the rule: a superuser gets no case access)."""
    return bool(rules.has_perm(perm, user, obj))


def guard(user: Any, perm: str, case: Case) -> None:
    """Refuse a page action before its form is read: out of scope Http404, a role that does
    not allow it PermissionDenied, both audited (the services check again when they write)."""
    guard_case(user, perm, case)


def can_open_cases(user: Any) -> bool:
    """Whether the user holds a case-handling role with an office (intake acts through it)."""
    return any(
        row.role in permissions.CASE_HANDLERS and row.office_id is not None
        for row in staff_rows(user)
    )


def offices_for(user: Any) -> QuerySet[Office]:
    """The offices a user's case list may be filtered by: those of the organizations of their
    staff rows (every office for the `all` scope). Office names are not personal data."""
    rows = staff_rows(user)
    if any(row.scope == RecordScope.ALL for row in rows):
        offices = Office.objects.all()
    else:
        offices = Office.objects.filter(organization_id__in={row.organization_id for row in rows})
    return offices.select_related("organization").order_by("organization__name", "name")


@dataclass
class DetailClass:
    """One sensitivity class of a case as its page shows it."""

    sensitivity: str
    label: str
    field: str
    value: Any
    masked: bool
    may_reveal: bool
    vulnerabilities: list[str] = field(default_factory=list)
    form: Any = None  # the reveal form, set by the page

    @property
    def items(self) -> list[tuple[str, str]]:
        return [] if self.masked else detail_items(self.value)


def detail_classes(
    user: Any, case: Case, revealed: dict[str, Any] | None = None
) -> list[DetailClass]:
    """Each sensitivity class of the case: its details (or MASKED), whether the user may
    reveal it, and the person's vulnerabilities of that class. `revealed` holds the values
    the reveal service has just returned ({class: value}), shown in clear."""
    revealed = revealed or {}
    clear = permissions.clear_classes(user, case)
    vulnerabilities = list(case.person.vulnerabilities or [])
    labels = dict(Vulnerability.choices)
    classes = []
    for field_name, sensitivity in DETAIL_FIELDS.items():
        shown = sensitivity in clear or sensitivity in revealed
        value = revealed.get(sensitivity, getattr(case, field_name)) if shown else MASKED
        classes.append(
            DetailClass(
                sensitivity=str(sensitivity),
                label=str(Sensitivity(sensitivity).label),
                field=field_name,
                value=value,
                masked=not shown,
                may_reveal=not shown and permissions.may_reveal(user, case, sensitivity),
                vulnerabilities=[
                    str(labels.get(code, code))
                    for code in vulnerabilities
                    if VULNERABILITY_CLASS.get(code) == sensitivity
                ]
                if shown
                else [],
            )
        )
    return classes


def open_vulnerabilities(case: Case) -> list[str]:
    """The person's vulnerabilities that disclose no sensitivity class (shown to all)."""
    labels = dict(Vulnerability.choices)
    return [
        str(labels.get(code, code))
        for code in case.person.vulnerabilities or []
        if code not in VULNERABILITY_CLASS
    ]


def masked_vulnerability_count(user: Any, case: Case, revealed: dict[str, Any]) -> int:
    """How many of the person's vulnerabilities belong to a class the user does not see."""
    clear = permissions.clear_classes(user, case) | set(revealed)
    return sum(
        1
        for code in case.person.vulnerabilities or []
        if code in VULNERABILITY_CLASS and VULNERABILITY_CLASS[code] not in clear
    )


def document_rows(user: Any, case: Case) -> list[dict[str, Any]]:
    """The person's identity documents; the number in full for a case-handling role of the
    case's organization, else its last three characters only."""
    handler = bool(
        permissions.roles_in(user, case.organization_id) & set(permissions.CASE_HANDLERS)
    )
    rows = []
    for document in case.person.documents.all():
        number = document.number or ""
        rows.append(
            {
                "kind": document.get_kind_display(),
                "issuing_country": document.issuing_country,
                "number": number if handler else "•••" + number[-3:],
                "expires_on": document.expires_on,
            }
        )
    return rows


def tasks_of(case: Case) -> list[CaseTask]:
    return list(case.tasks.all())


def timeline_of(case: Case) -> list[CaseEvent]:
    return list(case.events.select_related("actor").all())


def consents_of(case: Case) -> list[Consent]:
    """The consents of the case's person, newest first within each purpose."""
    return list(
        Consent.objects.filter(person_id=case.person_id)
        .select_related("collected_by", "withdrawn_by")
        .prefetch_related("organizations")
    )


def note_of(case: Case, pk: Any) -> Any:
    """A note of the case (a case already read through the selector), else None."""
    return case.notes.filter(pk=pk).select_related("case").first()


def task_of(case: Case, pk: Any) -> CaseTask | None:
    return case.tasks.filter(pk=pk).select_related("case").first()


def consent_of(case: Case, pk: Any) -> Consent | None:
    return Consent.objects.filter(person_id=case.person_id, pk=pk).select_related("person").first()


def detail_items(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """A details mapping as (label, text) rows for a page: nested mappings flattened, lists
    joined, the codes of protection services shown by their labels."""
    labels = dict(ProtectionService.choices)
    if not isinstance(value, dict):
        return [(prefix, str(value))] if prefix and value not in (None, "") else []
    rows: list[tuple[str, str]] = []
    for key, item in value.items():
        label = f"{prefix} / {key}" if prefix else str(key)
        label = label.replace("_", " ")
        if isinstance(item, dict):
            rows += detail_items(item, label)
        elif isinstance(item, list | tuple):
            rows.append((label, ", ".join(str(labels.get(code, code)) for code in item)))
        else:
            rows.append((label, str(item)))
    return rows
