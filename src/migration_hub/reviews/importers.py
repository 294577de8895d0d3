"""Import voluntary reviews from a JSON file: a list of reviews, each with its cycle, its
entity and its sections.

```json
[{"cycle": {"kind": "imrf", "year": 2026, "commission": ""},
  "title": "Kenya: voluntary GCM review 2026", "level": "national", "entity_name": "Kenya",
  "country": "KEN", "language": "en", "stakeholder": "",
  "sections": {"methodology": {"text": "...", "data": {"government_bodies": ["..."]}},
               "objective-5": {"progress": "in_progress", "text": "...", "evidence": "..."}}}]
```

The file is checked whole first (its shape with jsonschema, then what the schema cannot say:
the cycle exists and takes reviews, the country code is known, objective numbers are 1-23, each
section's structured data fits it) and every problem is reported with its place, such as
`reviews[3].sections.objective-24: objective number outside 1-23`. A file with any problem
imports nothing; otherwise every review is imported in one transaction, in draft.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from migration_hub.core import audit
from migration_hub.core.choices import AuditAction
from migration_hub.core.models import Country

from . import services
from .choices import Commission, CycleKind, ProgressStatus, ReviewLevel, SectionKey, Stakeholder
from .models import OBJECTIVE_COUNT, Cycle, Review, Section, SectionVersion

MAX_RECORDS = 5_000
MAX_PROBLEMS_SHOWN = 200

SECTION_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "text": {"type": "string", "maxLength": services.MAX_TEXT_CHARACTERS},
        "evidence": {"type": "string", "maxLength": services.MAX_TEXT_CHARACTERS},
        "progress": {"enum": ["", *ProgressStatus.values]},
        "data": {"type": "object"},
    },
}

REVIEW_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["cycle", "title", "level", "entity_name", "language", "sections"],
    "properties": {
        "cycle": {
            "type": "object",
            "additionalProperties": False,
            "required": ["kind", "year"],
            "properties": {
                "kind": {"enum": [CycleKind.IMRF.value, CycleKind.REGIONAL.value]},
                "year": {"type": "integer", "minimum": 2020, "maximum": 2100},
                "commission": {"enum": ["", *Commission.values]},
            },
        },
        "title": {"type": "string", "minLength": 1, "maxLength": 300},
        "level": {"enum": ReviewLevel.values},
        "stakeholder": {"enum": ["", *Stakeholder.values]},
        "entity_name": {"type": "string", "minLength": 1, "maxLength": 200},
        "country": {"type": ["string", "null"], "pattern": "^[A-Z]{3}$"},
        "commission": {"enum": ["", *Commission.values]},
        "language": {"enum": [code for code, _name in settings.LANGUAGES]},
        "period_from": {"type": ["integer", "null"], "minimum": 1950, "maximum": 2100},
        "period_to": {"type": ["integer", "null"], "minimum": 1950, "maximum": 2100},
        "sections": {
            "type": "object",
            "propertyNames": {
                "anyOf": [{"enum": SectionKey.values}, {"pattern": "^objective-[0-9]{1,4}$"}]
            },
            "additionalProperties": SECTION_SCHEMA,
        },
    },
}

FILE_SCHEMA = {"type": "array", "maxItems": MAX_RECORDS, "items": REVIEW_SCHEMA}


@dataclass(frozen=True)
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class ReviewImportRejected(Exception):
    """The file has problems; nothing was imported. `problems` says where and what."""

    def __init__(self, path: Path, problems: Iterable[Problem]):
        self.path = path
        self.problems = list(problems)
        super().__init__(self.summary())

    def summary(self) -> str:
        return f"{self.path.name} has {len(self.problems)} problem(s); nothing was imported"

    def lines(self) -> list[str]:
        shown = [str(problem) for problem in self.problems[:MAX_PROBLEMS_SHOWN]]
        if len(self.problems) > MAX_PROBLEMS_SHOWN:
            shown.append(f"... and {len(self.problems) - MAX_PROBLEMS_SHOWN} more")
        return shown


@dataclass
class ImportReport:
    path: Path
    reviews: list[Review] = field(default_factory=list)
    sections: int = 0

    def __str__(self) -> str:
        return (
            f"{len(self.reviews)} reviews imported in draft from {self.path.name} "
            f"({self.sections} sections written)"
        )


def _place(path: Iterable[Any]) -> str:
    where = "reviews"
    for part in path:
        where += f"[{part}]" if isinstance(part, int) else f".{part}"
    return where


def _schema_message(error: jsonschema.ValidationError) -> str:
    if error.validator == "additionalProperties":
        return error.message.replace("Additional properties are not allowed", "unknown field(s)")
    if error.validator == "required":
        return error.message.replace("is a required property", "is required")
    if error.validator == "enum":
        allowed = ", ".join(repr(value) for value in error.validator_value if value)
        return f"{error.instance!r} is not one of: {allowed}"
    if "propertyNames" in error.schema_path:
        keys = ", ".join(SectionKey.values)
        return f"unknown section {error.instance!r}: use one of {keys}, or objective-1 to 23"
    return error.message


def read_file(path: Path) -> list[Any]:
    """The file's records; ReviewImportRejected when it is not a JSON list of reviews."""
    if not path.is_file():
        raise ReviewImportRejected(path, [Problem(str(path), "no such file")])
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise ReviewImportRejected(
            path, [Problem(path.name, f"not UTF-8 text (byte {error.start})")]
        ) from None
    except json.JSONDecodeError as error:
        raise ReviewImportRejected(
            path,
            [Problem(f"{path.name}, line {error.lineno} column {error.colno}", error.msg)],
        ) from None
    validator = jsonschema.Draft202012Validator(FILE_SCHEMA)
    problems = []
    errors = validator.iter_errors(document)
    for error in sorted(errors, key=lambda e: [str(part) for part in e.absolute_path]):
        # A bad section key is reported by the key (propertyNames gives no path to it).
        where = list(error.absolute_path)
        if "propertyNames" in error.schema_path:
            where.append(error.instance)
            if str(error.instance).startswith("objective-"):
                continue  # a number outside 1-23 is reported below, with its own message
        problems.append(Problem(_place(where), _schema_message(error)))
    if not isinstance(document, list):
        raise ReviewImportRejected(path, problems or [Problem(path.name, "not a list")])
    if problems:
        # Our own checks also run on records the schema accepted, so one run reports all.
        problems += [
            problem
            for index, record in enumerate(document)
            if isinstance(record, dict)
            and not any(p.where.startswith(f"reviews[{index}]") for p in problems)
            for problem in _check_record(index, record, {}, {})[1]
        ]
        raise ReviewImportRejected(path, sorted(problems, key=_problem_order))
    return document


def _problem_order(problem: Problem) -> tuple[int, str]:
    index = problem.where.removeprefix("reviews[").split("]", 1)[0]
    return (int(index) if index.isdigit() else -1, problem.where)


@dataclass
class _Record:
    fields: dict[str, Any]
    sections: dict[str, dict[str, Any]]


def _null_characters(value: Any, where: str) -> list[str]:
    """The places in `value` holding a NUL character, which no database text column takes."""
    if isinstance(value, str):
        return [where] if "\x00" in value else []
    if isinstance(value, dict):
        return [
            place
            for key, item in value.items()
            for place in _null_characters(key, where) + _null_characters(item, f"{where}.{key}")
        ]
    if isinstance(value, list):
        return [
            place
            for position, item in enumerate(value)
            for place in _null_characters(item, f"{where}[{position}]")
        ]
    return []


def _check_record(
    index: int,
    record: dict[str, Any],
    cycles: dict[tuple[str, int, str], Cycle],
    countries: dict[str, Country],
) -> tuple[_Record | None, list[Problem]]:
    """The checks jsonschema cannot make; lookups come from `cycles` and `countries`, filled
    from the database on first use."""
    where = f"reviews[{index}]"
    problems: list[Problem] = [
        Problem(place, "contains a null character") for place in _null_characters(record, where)
    ]
    spec = record.get("cycle") or {}
    key = (spec.get("kind", ""), spec.get("year", 0), spec.get("commission", "") or "")
    if key not in cycles:
        found = Cycle.objects.filter(kind=key[0], year=key[1], commission=key[2]).first()
        if found is not None:
            cycles[key] = found
    cycle = cycles.get(key)
    if cycle is None:
        problems.append(
            Problem(
                f"{where}.cycle",
                f"there is no {key[0]} {key[1]} {key[2]} cycle".replace("  ", " ")
                + " (run `migration-hub reviews cycles` to create the schedule)",
            )
        )
    alpha3 = record.get("country") or ""
    country = None
    if alpha3:
        if alpha3 not in countries:
            found_country = Country.objects.filter(alpha3=alpha3).first()
            if found_country is not None:
                countries[alpha3] = found_country
        country = countries.get(alpha3)
        if country is None:
            problems.append(Problem(f"{where}.country", f"unknown ISO alpha-3 code {alpha3!r}"))
    level = record.get("level", "")
    if cycle is not None and (alpha3 == "" or country is not None):
        try:
            services._check_review_fields(
                cycle=cycle,
                level=level,
                stakeholder=record.get("stakeholder", ""),
                country=country,
                commission=record.get("commission", ""),
            )
        except ValidationError as error:
            problems += [
                Problem(f"{where}.{name}", " ".join(messages))
                for name, messages in error.message_dict.items()
            ]
    start, end = record.get("period_from"), record.get("period_to")
    if start and end and end < start:
        problems.append(Problem(f"{where}.period_to", "the period ends before it starts"))
    sections: dict[str, dict[str, Any]] = {}
    for section_key, content in (record.get("sections") or {}).items():
        place = f"{where}.sections.{section_key}"
        if section_key.startswith("objective-"):
            digits = section_key.removeprefix("objective-")
            # Files written elsewhere may pad the number ("objective-05"): read it as 5.
            number = services.objective_number(digits.lstrip("0")) if digits.isascii() else None
            if number is None:
                problems.append(Problem(place, f"objective number outside 1-{OBJECTIVE_COUNT}"))
                continue
            section_key = f"objective-{number}"
        elif section_key not in SectionKey.values:
            continue  # reported by the schema
        if not isinstance(content, dict):
            continue
        if content.get("progress") and not section_key.startswith("objective-"):
            problems.append(
                Problem(f"{place}.progress", "only an objective's section has a progress status")
            )
        try:
            data = services.clean_section_data(section_key, content.get("data"))
        except ValidationError as error:
            problems += [
                Problem(f"{place}.data.{name}", " ".join(messages))
                for name, messages in error.message_dict.items()
            ]
            continue
        sections[section_key] = {
            "progress": content.get("progress", "") or "",
            "text": str(content.get("text", "")).strip(),
            "evidence": str(content.get("evidence", "")).strip(),
            "data": data,
        }
    for name in ("title", "entity_name"):
        value = record.get(name, "")
        if isinstance(value, str) and not value.strip():
            problems.append(Problem(f"{where}.{name}", "is empty"))
    if problems:
        return None, problems
    fields = {
        "cycle": cycle,
        "title": record["title"],
        "level": level,
        "entity_name": record["entity_name"],
        "language": record["language"],
        "country": country,
        "commission": record.get("commission", "") or "",
        "stakeholder": record.get("stakeholder", "") or "",
        "period_from": start,
        "period_to": end,
    }
    return _Record(fields, sections), []


def check_reviews(path: Path, *, organization: Any) -> list[_Record]:
    """Read and check the whole file; ReviewImportRejected lists every problem."""
    document = read_file(path)
    cycles: dict[tuple[str, int, str], Cycle] = {}
    countries: dict[str, Country] = {}
    records, problems = [], []
    seen: dict[tuple[int, str], int] = {}
    existing = set(
        Review.objects.filter(organization=organization).values_list("cycle_id", "title")
    )
    for index, raw in enumerate(document):
        record, found = _check_record(index, raw, cycles, countries)
        problems += found
        if record is None:
            continue
        key = (record.fields["cycle"].pk, record.fields["title"].strip())
        if key in existing:
            problems.append(
                Problem(
                    f"reviews[{index}].title",
                    f"{organization} already has a review titled {key[1]!r} for this cycle",
                )
            )
        elif key in seen:
            problems.append(
                Problem(f"reviews[{index}].title", f"the same review as reviews[{seen[key]}]")
            )
        seen.setdefault(key, index)
        records.append(record)
    if problems:
        raise ReviewImportRejected(path, sorted(problems, key=_problem_order))
    return records


def import_reviews(
    path: str | Path,
    *,
    organization: Any,
    actor: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import every review of the JSON file at `path` for `organization`, in draft.

    `progress(done, total)` is called after each review. Raises ReviewImportRejected (nothing
    imported) when the file has any problem, PermissionDenied when `actor` may not write
    reviews for `organization`.
    """
    path = Path(path)
    records = check_reviews(path, organization=organization)
    report = ImportReport(path)
    try:
        with transaction.atomic():
            for done, record in enumerate(records, start=1):
                review = services.create_review(actor, organization=organization, **record.fields)
                report.sections += _write_sections(review, record.sections, actor)
                report.reviews.append(review)
                if progress is not None:
                    progress(done, len(records))
            audit.record(
                actor,
                AuditAction.LOAD,
                metadata={"reviews_imported": len(report.reviews), "file": path.name[:100]},
                organization_id=organization.pk,
            )
    except ValidationError as error:
        # A check the file passed above, refused by the service: still nothing imported.
        where = f"reviews[{len(report.reviews)}]"
        raise ReviewImportRejected(
            path,
            [
                Problem(f"{where}.{name}", " ".join(messages))
                for name, messages in getattr(
                    error, "message_dict", {"record": error.messages}
                ).items()
            ],
        ) from None
    except PermissionDenied:
        raise
    return report


def _write_sections(review: Review, sections: dict[str, dict[str, Any]], actor: Any) -> int:
    """Write the imported sections as their first version (the import is their author)."""
    if not sections:
        return 0
    author = actor if getattr(actor, "is_authenticated", False) else None
    existing = {section.key: section for section in review.sections.all()}
    objectives = {
        item.code: item
        for item in services.FrameworkItem.objects.filter(
            code__in=[f"GCM-O{key.removeprefix('objective-')}" for key in sections]
        )
    }
    now = timezone.now()
    changed, created = [], []
    for key, content in sections.items():
        section = existing.get(key)
        if section is None:
            number = int(key.removeprefix("objective-"))
            section = Section(
                review=review,
                key=key,
                objective_number=number,
                objective=objectives.get(f"GCM-O{number}"),
                version=0,
            )
            created.append(section)
        else:
            changed.append(section)
        section.progress = content["progress"]
        section.text = content["text"]
        section.evidence = content["evidence"]
        section.data = content["data"]
        section.updated_by = author
        section.version += 1
        section.updated_at = now
    Section.objects.bulk_update(
        changed, ["progress", "text", "evidence", "data", "updated_by", "version", "updated_at"]
    )
    Section.objects.bulk_create(created)
    SectionVersion.objects.bulk_create(
        SectionVersion(section=section, number=1, content=section.content(), author=author)
        for section in [*changed, *created]
    )
    return len(changed) + len(created)
