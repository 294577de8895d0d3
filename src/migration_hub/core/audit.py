"""Writing the audit log. Called by services inside their transaction.

Each row is appended to a hash chain (`core/audit_chain.py`): `migration-hub audit verify`
finds a row altered, deleted or reordered in the database afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.contrib.contenttypes.models import ContentType
from django.db import models

from . import audit_chain
from .choices import AuditAction
from .models import AuditEvent


def _plain(value: Any) -> Any:
    """A JSON-safe copy of a field value."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value


# Never copied into the trail: secrets and credentials.
REDACTED_FIELDS = frozenset({"password", "key", "bin_key", "secret"})


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of `obj`, JSON-safe, for a before/after record."""
    names = (
        list(fields)
        if fields is not None
        else [field.attname for field in obj._meta.concrete_fields]
    )
    hidden = REDACTED_FIELDS | set(getattr(obj, "audit_exclude_fields", ()))
    return {name: _plain(getattr(obj, name)) for name in names if name not in hidden}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields that changed."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def record(
    actor: Any,
    action: AuditAction | str,
    target: models.Model | None = None,
    *,
    changes: Mapping[str, Any] | None = None,
    organization_id: Any = None,
    metadata: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event; `actor` may be None (a system job) or an anonymous user.

    Runs in the caller's transaction (or its own when there is none) and chains the row to the
    one before it, so a rolled-back transaction takes back its rows and the chain stays whole.
    """
    real_actor = actor if getattr(actor, "is_authenticated", False) else None
    return audit_chain.append(
        actor=real_actor,
        actor_ref=str(real_actor.pk) if real_actor else "",
        action=str(action),
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        organization_ref=str(organization_id) if organization_id is not None else "",
        changes=changes,
        metadata=metadata,
    )
