"""Writes every app shares: versioned updates with a conflict check, and reference loading."""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pycountry
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit, search
from .choices import AuditAction, RegionLevel
from .models import Country, Region, VersionedModel

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
M49_FILE = REFERENCE_DIR / "iso3166_m49_regions.csv"
WORLD_M49 = "001"

V = TypeVar("V", bound=VersionedModel)


class ConflictError(Exception):
    """Someone saved the record after the caller read it; nothing was written."""

    def __init__(self, obj: models.Model, expected_version: int, current_version: int | None):
        self.obj = obj
        self.expected_version = expected_version
        self.current_version = current_version
        super().__init__(
            _(
                "This record was changed by someone else since you opened it (you edited "
                "version %(expected)s, it is now at version %(current)s). Nothing was saved: "
                "reload it, then apply your change again."
            )
            % {"expected": expected_version, "current": current_version}
        )


@transaction.atomic
def update_versioned(
    obj: V,
    *,
    actor: Any,
    expected_version: int,
    changes: Mapping[str, Any],
    organization_id: Any = None,
) -> V:
    """Apply `changes` to `obj` only if its stored version is still `expected_version`.

    Validates the changed object first (ValidationError names each field), writes the audit
    event with before/after values, and re-indexes the object for search if it is searchable.
    """
    model = type(obj)
    current = model._default_manager.select_for_update().filter(pk=obj.pk).first()
    if current is None or current.version != expected_version:
        raise ConflictError(obj, expected_version, current.version if current else None)
    unknown = sorted(set(changes) - {field.name for field in model._meta.fields if field.editable})
    if unknown:
        raise ValidationError({name: _("Unknown or read-only field.") for name in unknown})
    before = audit.snapshot(current)
    for name, value in changes.items():
        setattr(current, name, value)
    current.full_clean()
    updated = model._default_manager.filter(pk=obj.pk, version=expected_version).update(
        **{name: getattr(current, name) for name in changes},
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if updated != 1:  # pragma: no cover - select_for_update makes this unreachable on PostgreSQL
        raise ConflictError(obj, expected_version, None)
    current.refresh_from_db()
    audit.record(
        actor,
        AuditAction.UPDATE,
        current,
        changes=audit.diff(before, audit.snapshot(current)),
        organization_id=organization_id,
    )
    if search.is_registered(model):
        search.index_object(current)
    return current


@dataclass
class LoadReport:
    """What a reference load did to one kind of record."""

    added: int = 0
    changed: int = 0
    unchanged: int = 0
    not_in_files: int = 0

    def __str__(self) -> str:
        text = f"{self.added} added, {self.changed} changed, {self.unchanged} unchanged"
        if self.not_in_files:
            text += f", {self.not_in_files} not in the files (kept)"
        return text


def _upsert(
    model: type[models.Model], key: dict[str, Any], values: dict[str, Any], report: LoadReport
) -> Any:
    obj = model._default_manager.filter(**key).first()
    if obj is None:
        obj = model._default_manager.create(**key, **values)
        report.added += 1
        return obj
    dirty = [name for name, value in values.items() if getattr(obj, name) != value]
    if dirty:
        for name in dirty:
            setattr(obj, name, values[name])
        obj.save(update_fields=dirty)
        report.changed += 1
    else:
        report.unchanged += 1
    return obj


def read_m49_rows(path: Path = M49_FILE) -> list[dict[str, str]]:
    """Rows of the ISO 3166 / M49 file, checked; ValidationError names the line that is wrong."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        required = {"name", "alpha-2", "alpha-3", "country-code", "region-code", "sub-region-code"}
        missing = required - set(reader.fieldnames or [])
        if missing:
            raise ValidationError(f"{path.name}: missing columns {', '.join(sorted(missing))}")
        rows = []
        for line, row in enumerate(reader, start=2):
            if len(row["alpha-2"]) != 2 or len(row["alpha-3"]) != 3 or not row["country-code"]:
                raise ValidationError(f"{path.name}, line {line}: bad ISO or M49 code in {row}")
            rows.append(row)
    return rows


@transaction.atomic
def load_countries(
    *, actor: Any = None, path: Path = M49_FILE, progress: Callable[[int], None] | None = None
) -> LoadReport:
    """Load (or update) UN M49 regions and ISO 3166 countries; safe to run again."""
    rows = read_m49_rows(path)
    report = LoadReport()
    regions: dict[str, Region] = {}

    def region(code: str, name: str, level: str, parent: Region | None) -> Region | None:
        if not code:
            return None
        code = code.zfill(3)
        if code not in regions:
            regions[code] = _upsert(
                Region,
                {"m49_code": code},
                {"name": name, "level": level, "parent": parent},
                report,
            )
        return regions[code]

    world = region(WORLD_M49, "World", RegionLevel.WORLD, None)
    for row in rows:
        continent = region(row["region-code"], row["region"], RegionLevel.REGION, world)
        sub_region = region(
            row["sub-region-code"], row["sub-region"], RegionLevel.SUB_REGION, continent
        )
        intermediate = region(
            row["intermediate-region-code"],
            row["intermediate-region"],
            RegionLevel.INTERMEDIATE_REGION,
            sub_region,
        )
        official = pycountry.countries.get(alpha_3=row["alpha-3"])
        _upsert(
            Country,
            {"alpha3": row["alpha-3"]},
            {
                "alpha2": row["alpha-2"],
                "m49_code": row["country-code"].zfill(3),
                "name": row["name"],
                "official_name": getattr(official, "official_name", "") if official else "",
                "region": continent,
                "sub_region": sub_region,
                "intermediate_region": intermediate,
            },
            report,
        )
        if progress:
            progress(1)
    if report.added or report.changed:
        search.rebuild(Country)
        audit.record(
            actor,
            AuditAction.LOAD,
            None,
            metadata={"file": path.name, "added": report.added, "changed": report.changed},
        )
    return report
