"""Writes to the registry: corrections and additions by editors, each with a cited source.

Reference files are loaded by `loader.load_reference`; these services are for the pages and
the API. Every change is kept by django-simple-history with its source as the change reason,
and written to the audit log.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from migration_hub.core import audit, search
from migration_hub.core.choices import AuditAction
from migration_hub.core.permissions import require
from migration_hub.core.services import ConflictError

from .loader import find_cycle
from .models import Crosswalk


def _perm(model: type[models.Model], action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def _require_citation(citation: str) -> str:
    citation = (citation or "").strip()
    if len(citation) < 4:
        raise ValidationError(
            {"change_source": _("Cite the source of this change (a URL or a document symbol).")}
        )
    return citation


def _check_crosswalk(crosswalk: Crosswalk) -> None:
    if crosswalk.from_item.framework_id == crosswalk.to_item.framework_id:
        raise ValidationError(_("A crosswalk links items of two different frameworks."))
    graph: dict[str, set[str]] = {}
    for source, target in Crosswalk.objects.exclude(pk=crosswalk.pk).values_list(
        "from_item__code", "to_item__code"
    ):
        graph.setdefault(source, set()).add(target)
    graph.setdefault(crosswalk.from_item.code, set()).add(crosswalk.to_item.code)
    cycle = find_cycle(graph)
    if cycle:
        raise ValidationError(
            _("This link would close a cycle: %(cycle)s") % {"cycle": " → ".join(cycle)}
        )


@transaction.atomic
def save_record(
    obj: models.Model, *, actor: Any, change_source: str, expected_version: int | None = None
) -> models.Model:
    """Create or correct a registry record; `change_source` cites where the change comes from.

    A correction made from a page passes the `expected_version` it read: if someone saved the
    record since, ConflictError (409) is raised and nothing is written.
    """
    model = type(obj)
    creating = obj.pk is None
    require(actor, _perm(model, "add" if creating else "change"), None if creating else obj)
    citation = _require_citation(change_source)
    before = {}
    if not creating:
        stored = model._default_manager.select_for_update().get(pk=obj.pk)
        if expected_version is not None and stored.version != expected_version:
            raise ConflictError(obj, expected_version, stored.version)
        before = audit.snapshot(stored)
        obj.version = stored.version + 1
    obj.full_clean()
    if isinstance(obj, Crosswalk):
        _check_crosswalk(obj)
    obj._change_reason = citation  # type: ignore[attr-defined]
    if getattr(actor, "is_authenticated", False):
        obj._history_user = actor  # type: ignore[attr-defined]
    obj.save()
    audit.record(
        actor,
        AuditAction.CREATE if creating else AuditAction.UPDATE,
        obj,
        changes=audit.diff(before, audit.snapshot(obj)),
        metadata={"source": citation},
    )
    if search.is_registered(model):
        search.index_object(obj)  # type: ignore[arg-type]
    return obj
