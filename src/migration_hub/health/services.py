"""Writes to the health protocols' data: protocol files, country lists, WHO TB estimates.

A protocol file that fails its checks is rejected with file, line and reason; the versions
already loaded stay in force. Every load is audited.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from migration_hub.core import audit
from migration_hub.core.choices import AuditAction

from .engine import COUNTRY_CODES
from .models import CountryList, ProtocolVersion, TbIncidence
from .rules import ProtocolFileError, parse_protocol, referenced_lists

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
PROTOCOL_DIR = REFERENCE_DIR / "protocols"
COUNTRY_LIST_DIR = REFERENCE_DIR / "country-lists"


@dataclass
class ProtocolLoadReport:
    loaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[ProtocolFileError] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"{len(self.loaded)} loaded, {len(self.unchanged)} unchanged"
        if self.rejected:
            text += f", {len(self.rejected)} rejected"
        return text


def _period(document: dict[str, Any]) -> tuple[datetime.date, datetime.date | None]:
    end = document.get("effective_to")
    return (
        datetime.date.fromisoformat(document["effective_from"]),
        datetime.date.fromisoformat(end) if end else None,
    )


def periods_overlap(
    a: tuple[datetime.date, datetime.date | None], b: tuple[datetime.date, datetime.date | None]
) -> bool:
    a_start, a_end = a
    b_start, b_end = b
    return (b_end is None or a_start < b_end) and (a_end is None or b_start < a_end)


def _describe(period: tuple[datetime.date, datetime.date | None]) -> str:
    start, end = period
    return f"{start} to {end}" if end else f"{start} onwards"


def _check_against_loaded(document: dict[str, Any], file_name: str) -> None:
    problems: list[tuple[int | None, str]] = []
    period = _period(document)
    others = ProtocolVersion.objects.filter(protocol=document["protocol"]).exclude(
        version=document["version"]
    )
    for other in others:
        other_period = (other.effective_from, other.effective_to)
        if periods_overlap(period, other_period):
            problems.append(
                (
                    None,
                    f"its effective dates ({_describe(period)}) overlap version {other.version} "
                    f"of {other.protocol} ({_describe(other_period)}, from {other.file_name}): "
                    "end one version before the other starts",
                )
            )
    known_lists = set(CountryList.objects.values_list("code", flat=True).distinct())
    for code in sorted(referenced_lists(document) - known_lists):
        problems.append((None, f"it reads the country list {code!r}, which is not loaded"))
    if problems:
        raise ProtocolFileError(file_name, problems)


def load_protocol_text(
    text: str, file_name: str, *, actor: Any = None
) -> tuple[ProtocolVersion, bool]:
    """Check and store one protocol file; returns (version, changed). Raises ProtocolFileError;
    then nothing is written and the versions in force stay as they were."""
    document = parse_protocol(text, file_name)
    digest = hashlib.sha256(text.encode()).hexdigest()
    with transaction.atomic():
        _check_against_loaded(document, file_name)
        existing = (
            ProtocolVersion.objects.select_for_update()
            .filter(protocol=document["protocol"], version=document["version"])
            .first()
        )
        if existing is not None and existing.sha256 == digest:
            return existing, False
        start, end = _period(document)
        values = {
            "destination": document["destination"],
            "title": document["title"],
            "effective_from": start,
            "effective_to": end,
            "document": document,
            "text": text,
            "file_name": file_name,
            "sha256": digest,
        }
        version, created = ProtocolVersion.objects.update_or_create(
            protocol=document["protocol"], version=document["version"], defaults=values
        )
        audit.record(
            actor,
            AuditAction.LOAD,
            version,
            metadata={"file": file_name, "sha256": digest, "created": created},
        )
    return version, True


def load_protocols(
    directory: Path | None = None,
    *,
    actor: Any = None,
    progress: Callable[[str], None] | None = None,
) -> ProtocolLoadReport:
    """Load every `*.yaml` protocol file under `directory` (each on its own: one broken file
    does not stop the others)."""
    report = ProtocolLoadReport()
    base = directory or PROTOCOL_DIR
    for path in sorted(base.rglob("*.yaml")):
        name = path.relative_to(base).as_posix()  # us-panel/2025-03-11.yaml
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            report.rejected.append(ProtocolFileError(name, [(None, f"cannot be read: {error}")]))
            continue
        try:
            _version, changed = load_protocol_text(text, name, actor=actor)
        except ProtocolFileError as error:
            report.rejected.append(error)
        else:
            (report.loaded if changed else report.unchanged).append(name)
        if progress:
            progress(name)
    return report


class ReferenceFileError(ValueError):
    """A country list or WHO estimates file that cannot be loaded; nothing was written."""


def _countries(values: Iterable[Any], where: str) -> list[str]:
    codes = []
    for value in values:
        code = str(value).strip().upper()
        if code not in COUNTRY_CODES:
            raise ReferenceFileError(f"{where}: {value!r} is not an ISO 3166 alpha-2 code")
        codes.append(code)
    return sorted(set(codes))


@transaction.atomic
def load_country_lists(directory: Path | None = None, *, actor: Any = None) -> dict[str, int]:
    """Load the country list files (one per list, each with dated versions)."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for path in sorted((directory or COUNTRY_LIST_DIR).glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            code, title, versions = data["code"], data["title"], data["versions"]
        except (yaml.YAMLError, KeyError, TypeError) as error:
            raise ReferenceFileError(
                f"{path.name}: needs code, title and versions ({error})"
            ) from None
        for index, entry in enumerate(versions):
            where = f"{path.name}, version {index + 1}"
            try:
                values = {
                    "title": title,
                    "effective_to": entry.get("effective_to"),
                    "countries": _countries(entry["countries"], where),
                    "source_title": entry["source_title"],
                    "source_url": entry["source_url"],
                    "notes": entry.get("notes", ""),
                }
                start = entry["effective_from"]
            except KeyError as error:
                raise ReferenceFileError(f"{where}: {error.args[0]} is missing") from None
            current = CountryList.objects.filter(code=code, effective_from=start).first()
            if current is None:
                current = CountryList.objects.create(code=code, effective_from=start, **values)
                counts["created"] += 1
                audit.record(actor, AuditAction.LOAD, current, metadata={"file": path.name})
                continue
            changed = {k: v for k, v in values.items() if getattr(current, k) != v}
            if not changed:
                counts["unchanged"] += 1
                continue
            for key, value in changed.items():
                setattr(current, key, value)
            current.save()
            counts["updated"] += 1
            audit.record(
                actor,
                AuditAction.LOAD,
                current,
                metadata={"file": path.name, "fields": sorted(changed)},
            )
    return counts


WHO_COLUMNS = ("iso2", "year", "e_inc_100k")


@dataclass
class IncidenceImportReport:
    countries: int
    without_estimate: list[str]
    release: str

    def __str__(self) -> str:
        text = f"{self.countries} countries from {self.release}"
        if self.without_estimate:
            text += f"; no estimate for {', '.join(self.without_estimate)} (counted as high burden)"
        return text


def import_who_tb_burden(
    content: bytes,
    *,
    release: str,
    actor: Any = None,
    progress: Callable[[int], None] | None = None,
) -> IncidenceImportReport:
    """Import WHO's TB burden estimates CSV (columns as WHO publishes them: iso2, year,
    e_inc_100k, ...), keeping the newest year per country. Any bad row imports nothing."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReferenceFileError("The file is not UTF-8 text: save it as UTF-8 CSV.") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [column for column in WHO_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise ReferenceFileError(
            f"The file lacks the column(s) {', '.join(missing)}: export WHO's estimates CSV "
            f"(columns found: {', '.join(reader.fieldnames or []) or 'none'})."
        )
    newest: dict[str, tuple[int, Decimal | None]] = {}
    problems: list[str] = []
    for line, row in enumerate(reader, start=2):
        code = (row["iso2"] or "").strip().strip("'\"").upper()
        if code not in COUNTRY_CODES:
            problems.append(f"line {line}: iso2 {row['iso2']!r} is not a country code")
            continue
        try:
            year = int(row["year"])
        except (TypeError, ValueError):
            problems.append(f"line {line}: year {row['year']!r} is not a year")
            continue
        raw = (row["e_inc_100k"] or "").strip()
        value: Decimal | None = None
        if raw and raw.upper() != "NA":
            try:
                value = Decimal(raw)
            except InvalidOperation:
                problems.append(f"line {line}: e_inc_100k {raw!r} is not a number")
                continue
            if value < 0:
                problems.append(f"line {line}: e_inc_100k {raw!r} is negative")
                continue
        if code not in newest or year > newest[code][0]:
            newest[code] = (year, value)
        if progress and line % 500 == 0:
            progress(line)
    if problems:
        shown = "; ".join(problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise ReferenceFileError(f"Nothing imported: {shown}{more}.")
    if not newest:
        raise ReferenceFileError("Nothing imported: the file has no rows.")
    with transaction.atomic():
        for code, (year, value) in newest.items():
            TbIncidence.objects.update_or_create(
                country=code, year=year, defaults={"per_100k": value, "release": release}
            )
        audit.record(
            actor,
            AuditAction.LOAD,
            None,
            metadata={"dataset": "who-tb-burden", "release": release, "countries": len(newest)},
        )
    return IncidenceImportReport(
        countries=len(newest),
        without_estimate=sorted(code for code, (_y, value) in newest.items() if value is None),
        release=release,
    )
