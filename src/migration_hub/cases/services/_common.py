"""Helpers shared by the services: the guard every service passes first, version locks and
text cleaning."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from migration_hub.core import audit
from migration_hub.core.services import ConflictError

from .. import permissions
from ..choices import CaseAuditAction
from ..models import Case, Person
from ..selectors import cases_for, denied, people_for

TEXT_LIMIT = 4000
REASON_LIMIT = 500


def user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def clean_text(value: Any, name: str, *, required: bool = False, limit: int = TEXT_LIMIT) -> str:
    """Stripped text; ValidationError naming `name` when required and empty, or too long."""
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({name: _("This field is required.")})
    if len(text) > limit:
        raise ValidationError({name: _("Write at most %(limit)s characters.") % {"limit": limit}})
    return text


def one_line(text: str) -> str:
    """`text` with control characters (CR, LF, NUL...) escaped, for the audit trail."""
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode() for char in text
    )


def refuse(actor: Any, perm: str, obj: Any) -> PermissionDenied:
    """Audit a refused action (`access_denied`, naming the permission) and return the
    PermissionDenied to raise."""
    audit.record(
        actor,
        CaseAuditAction.ACCESS_DENIED,
        obj,
        organization_id=getattr(obj, "owner_organization_id", None),
        metadata={"permission": perm, "via": "service"},
    )
    return PermissionDenied(_("You do not have permission to do this."))


def authorize(actor: Any, perm: str, obj: Any) -> None:
    """PermissionDenied (audited) unless the rule `perm` passes; None is the system."""
    if actor is None:
        return
    try:
        permissions.check(actor, perm, obj)
    except PermissionDenied:
        raise refuse(actor, perm, obj) from None


def guard_case(actor: Any, perm: str, case: Case) -> None:
    """Refuse `actor` a case outside their scope (Http404, audited), then an action their
    roles do not allow (PermissionDenied, audited). Called before the service's transaction,
    so that the refusal's audit row is kept."""
    if actor is None:
        return
    if not cases_for(actor).filter(pk=case.pk).exists():
        raise denied(actor, "case", case.public_id, via="service")
    authorize(actor, perm, case)


def guard_person(actor: Any, perm: str, person: Person) -> None:
    """As `guard_case`, for a person (reached through their cases)."""
    if actor is None:
        return
    if not people_for(actor).filter(pk=person.pk).exists():
        raise denied(actor, "person", person.public_id, via="service")
    authorize(actor, perm, person)


def lock_case(case: Case, version: int) -> Case:
    """The case as stored, locked for the transaction, if still at `version` (else
    ConflictError: nothing is written)."""
    current = Case.objects.select_for_update().filter(pk=case.pk).first()
    if current is None or current.version != version:
        raise ConflictError(case, version, current.version if current else None)
    return current


def lock_person(person: Person, version: int) -> Person:
    current = Person.objects.select_for_update().filter(pk=person.pk).first()
    if current is None or current.version != version:
        raise ConflictError(person, version, current.version if current else None)
    return current
