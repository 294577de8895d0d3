"""Loading the reference files of registry/reference/: validate everything, then write
everything in one transaction, or nothing.

`load_reference()` checks each file against its JSON Schema (schema.py), then the links between
records (unknown codes, unknown countries, dates, duplicates, crosswalk cycles), and only then
writes. A problem is reported as `file:line: reason`. Running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from django.core.exceptions import ValidationError
from django.db import models, transaction

from migration_hub.core import audit, search
from migration_hub.core.choices import AuditAction
from migration_hub.core.models import Country, Region
from migration_hub.core.services import LoadReport

from . import schema
from .choices import NetworkRole
from .errors import ReferenceDataError
from .models import (
    Crosswalk,
    Framework,
    FrameworkItem,
    Instrument,
    Membership,
    Network,
    NetworkMembership,
    NetworkMembershipRole,
    Office,
    Organization,
    OrganizationFact,
    Participation,
    Provision,
    Right,
)

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
LINE = "__line__"


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that notes the line of each mapping found in a list (each record)."""

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> list[Any]:
        items = super().construct_sequence(node, deep=True)
        for child, item in zip(node.value, items, strict=True):
            if isinstance(item, dict):
                item[LINE] = child.start_mark.line + 1
        return items


def _no_dates(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    return loader.construct_scalar(node)  # keep dates as text; the schema checks their format


_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _no_dates)


@dataclass
class LoadResult:
    version: str = ""
    reports: dict[str, LoadReport] = field(default_factory=lambda: defaultdict(LoadReport))

    def lines(self) -> list[str]:
        return [f"{label}: {report}" for label, report in self.reports.items()]


def read_files(directory: Path = REFERENCE_DIR) -> dict[str, dict[str, Any]]:
    """Parse and schema-check every file; raises ReferenceDataError listing every problem."""
    problems: list[str] = []
    documents: dict[str, dict[str, Any]] = {}
    for name, record_schema in schema.FILES.items():
        path = directory / name
        if not path.exists():
            problems.append(f"{name}: file missing from {directory}")
            continue
        try:
            document = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f"{name}:{mark.line + 1}" if mark else name
            reason = getattr(error, "problem", None) or str(error)
            problems.append(f"{where}: YAML syntax error: {reason}")
            continue
        if not isinstance(document, dict):
            problems.append(f"{name}:1: expected a mapping with `version` and `records`")
            continue
        validator = jsonschema.Draft202012Validator(
            schema.file_schema(record_schema), format_checker=jsonschema.FormatChecker()
        )
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.path)):
            problems.append(f"{name}:{_describe(document, error)}")
        documents[name] = document
    if problems:
        raise ReferenceDataError(problems)
    return documents


def _describe(document: Any, error: jsonschema.ValidationError) -> str:
    """`line: RECORD: field: message` for the innermost record on the error's path."""
    line, record, field_path = 1, None, list(error.path)
    node: Any = document
    for index, key in enumerate(error.path):
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and LINE in node:
            line, record, field_path = node[LINE], node, list(error.path)[index + 1 :]
    label = ""
    if record is not None:
        label = next(
            (
                str(record[key])
                for key in ("code", "organization", "country", "number", "from", "name")
                if key in record
            ),
            "",
        )
    where = ".".join(str(part) for part in field_path)
    message = error.message.replace(f", '{LINE}'", "").replace(f"'{LINE}': ", "")
    if error.validator == "required":
        message = message.replace(" is a required property", " is required")
    parts = [str(line)] + [part for part in (label, where) if part] + [message]
    return ": ".join(parts)


def _records(documents: dict[str, dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return documents.get(name, {}).get("records", [])


def check_references(documents: dict[str, dict[str, Any]]) -> list[str]:
    """Problems in the links between records (codes, countries, dates, cycles)."""
    problems: list[str] = []
    countries = set(Country.objects.values_list("alpha3", flat=True))
    regions = set(Region.objects.values_list("m49_code", flat=True))

    def unique(name: str, records: Iterable[dict[str, Any]], key: str = "code") -> set[str]:
        seen: dict[str, int] = {}
        for record in records:
            code = record[key]
            if code in seen:
                problems.append(
                    f"{name}:{record[LINE]}: duplicate code {code} (first at line {seen[code]})"
                )
            seen.setdefault(code, record[LINE])
        return set(seen)

    def known(name: str, record: dict[str, Any], value: Any, pool: set[str], what: str) -> None:
        if value is not None and value not in pool:
            problems.append(f"{name}:{record[LINE]}: unknown {what} {value}")

    def dates_in_order(name: str, record: dict[str, Any], start: str, end: str) -> None:
        if record.get(start) and record.get(end) and record[end] < record[start]:
            problems.append(
                f"{name}:{record[LINE]}: ends ({record[end]}) before it starts ({record[start]})"
            )

    rights = unique("rights.yaml", _records(documents, "rights.yaml"))
    organizations = unique("organizations.yaml", _records(documents, "organizations.yaml"))
    instruments = unique("instruments.yaml", _records(documents, "instruments.yaml"))
    frameworks = _records(documents, "frameworks.yaml")
    unique("frameworks.yaml", frameworks)
    items = unique("frameworks.yaml", [i for f in frameworks for i in f["items"]])
    networks = unique("networks.yaml", _records(documents, "networks.yaml"))

    for record in _records(documents, "organizations.yaml"):
        name = "organizations.yaml"
        known(name, record, record.get("founding_instrument"), instruments, "instrument")
        known(name, record, record.get("headquarters", {}).get("country"), countries, "country")
        for region in record.get("regions", []):
            known(name, record, region, regions, "M49 region")
        for item in record.get("thematic_areas", []):
            known(name, record, item, items, "framework item")
        for office in record.get("offices", []):
            known(name, office, office["country"], countries, "country")
    for record in _records(documents, "instruments.yaml"):
        name = "instruments.yaml"
        known(name, record, record.get("parent"), instruments, "instrument")
        known(name, record, record.get("adopted_by"), organizations, "organization")
        dates_in_order(name, record, "adopted", "entry_into_force")
        numbers: set[str] = set()
        for provision in record.get("provisions", []):
            if provision["number"] in numbers:
                problems.append(
                    f"{name}:{provision[LINE]}: duplicate provision {provision['number']}"
                )
            numbers.add(provision["number"])
            for right in provision.get("rights", []):
                known(name, provision, right, rights, "right")
    for framework in frameworks:
        name = "frameworks.yaml"
        known(name, framework, framework.get("instrument"), instruments, "instrument")
        known(name, framework, framework.get("owner"), organizations, "organization")
        for item in framework["items"]:
            known(name, item, item.get("parent"), items, "parent item")
    for record in _records(documents, "memberships.yaml"):
        name = "memberships.yaml"
        known(name, record, record["organization"], organizations, "organization")
        has_country, has_org = "country" in record, "member_organization" in record
        if has_country == has_org:
            problems.append(
                f"{name}:{record[LINE]}: give exactly one of country or member_organization"
            )
        known(name, record, record.get("country"), countries, "country")
        known(name, record, record.get("member_organization"), organizations, "organization")
        dates_in_order(name, record, "start", "end")
    for record in _records(documents, "networks.yaml"):
        name = "networks.yaml"
        known(name, record, record.get("parent"), networks, "network")
        known(name, record, record.get("region"), regions, "M49 region")
        known(name, record, record.get("country"), countries, "country")
        seen: set[str] = set()
        for member in record.get("members", []):
            known(name, member, member["organization"], organizations, "organization")
            if member["organization"] in seen:
                problems.append(f"{name}:{member[LINE]}: {member['organization']} listed twice")
            seen.add(member["organization"])
            dates_in_order(name, member, "start", "end")
    for record in _records(documents, "participations.yaml"):
        name = "participations.yaml"
        known(name, record, record["country"], countries, "country")
        known(name, record, record["instrument"], instruments, "instrument")
    problems += _crosswalk_problems(_records(documents, "crosswalks.yaml"), items)

    def unique_by(name: str, records: Iterable[dict[str, Any]], *keys: str) -> None:
        """Records that would be the same row: the second would silently replace the first."""
        seen: dict[tuple[Any, ...], int] = {}
        for record in records:
            key = tuple(record.get(part) for part in keys)
            if key in seen:
                shown = ", ".join(str(part) for part in key if part is not None)
                problems.append(f"{name}:{record[LINE]}: duplicate of line {seen[key]} ({shown})")
            seen.setdefault(key, record[LINE])

    unique_by(
        "memberships.yaml",
        _records(documents, "memberships.yaml"),
        "organization",
        "country",
        "member_organization",
        "kind",
    )
    unique_by(
        "participations.yaml",
        _records(documents, "participations.yaml"),
        "country",
        "instrument",
        "action",
    )
    for record in _records(documents, "organizations.yaml"):
        offices = [
            {**office, "organization": record["code"]} for office in record.get("offices", [])
        ]
        unique_by("organizations.yaml", offices, "organization", "country", "city")
        unique_by("organizations.yaml", record.get("facts", []), "name", "year")
    return problems


def _crosswalk_problems(records: list[dict[str, Any]], items: set[str]) -> list[str]:
    problems: list[str] = []
    graph: dict[str, set[str]] = defaultdict(set)
    seen: set[tuple[str, str]] = set()
    for record in records:
        line = record[LINE]
        source, target = record["from"], record["to"]
        for code in (source, target):
            if code not in items:
                problems.append(f"crosswalks.yaml:{line}: link to a missing item {code}")
        if source == target:
            problems.append(f"crosswalks.yaml:{line}: {source} links to itself")
        if (source, target) in seen:
            problems.append(f"crosswalks.yaml:{line}: duplicate link {source} → {target}")
        seen.add((source, target))
        graph[source].add(target)
    cycle = find_cycle(graph)
    if cycle:
        problems.append(f"crosswalks.yaml: the links form a cycle: {' → '.join(cycle)}")
    return problems


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle in a directed graph as [a, b, ..., a], or None (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in sorted(graph):
        if state.get(start):
            continue
        path = [start]
        stack = [iter(sorted(graph.get(start, ())))]
        state[start] = 1
        while stack:
            following = next(stack[-1], None)
            if following is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(following) == 1:
                return [*path[path.index(following) :], following]
            elif not state.get(following):
                state[following] = 1
                path.append(following)
                stack.append(iter(sorted(graph.get(following, ()))))
    return None


class _Writer:
    """Upserts keyed rows, counting added, changed and unchanged per model, with history.

    Some records are written in two passes (links to rows loaded later); the second pass uses
    `count=False` so each record is counted once.
    """

    def __init__(self, result: LoadResult, reason: str):
        self.result = result
        self.reason = reason
        self.added: set[tuple[str, Any]] = set()
        self.changed: set[tuple[str, Any]] = set()
        self.seen: dict[type[models.Model], set[Any]] = defaultdict(set)
        self.location = ""

    def at(self, file_name: str, record: dict[str, Any]) -> None:
        """Where the next rows come from, for error messages."""
        self.location = f"{file_name}:{record.get(LINE, '?')}"

    def _validated(self, obj: models.Model) -> None:
        try:
            obj.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            label = getattr(obj, "code", "") or str(obj)
            raise ReferenceDataError(
                [
                    f"{self.location}: {label}: {field}: {' '.join(messages)}"
                    for field, messages in error.message_dict.items()
                ]
            ) from error

    def mark_changed(self, model: type[models.Model], obj: models.Model) -> None:
        key_of = (model._meta.label, obj.pk)
        if key_of in self.added or key_of in self.changed:
            return
        report = self.result.reports[str(model._meta.verbose_name_plural)]
        self.changed.add(key_of)
        report.changed += 1
        report.unchanged -= 1

    def count_rows_not_in_files(self) -> None:
        for model, seen in self.seen.items():
            report = self.result.reports[str(model._meta.verbose_name_plural)]
            report.not_in_files = model._default_manager.exclude(pk__in=seen).count()

    def upsert(
        self,
        model: type[models.Model],
        key: dict[str, Any],
        values: dict[str, Any],
        many: dict[str, list[Any]] | None = None,
        *,
        count: bool = True,
    ) -> Any:
        report = self.result.reports[str(model._meta.verbose_name_plural)]
        obj = model._default_manager.filter(**key).first()
        if obj is None:
            obj = model(**key, **values)
            obj._change_reason = self.reason  # type: ignore[attr-defined]
            self._validated(obj)
            obj.save()
            self.added.add((model._meta.label, obj.pk))
            report.added += 1
            changed = False
        else:
            dirty = [name for name, value in values.items() if _differs(getattr(obj, name), value)]
            changed = bool(dirty)
            if dirty and (model._meta.label, obj.pk) in self.added:
                # A link set by a second pass on a row created in this run: complete the row
                # and its creation record instead of adding a second version to its history.
                update = {name: values[name] for name in dirty}
                model._default_manager.filter(pk=obj.pk).update(**update)
                obj.history.filter(history_type="+").update(**update)
                for name in dirty:
                    setattr(obj, name, values[name])
            elif dirty:
                for name in dirty:
                    setattr(obj, name, values[name])
                obj.version += 1
                obj._change_reason = self.reason  # type: ignore[attr-defined]
                self._validated(obj)
                obj.save()
        for name, wanted in (many or {}).items():
            manager = getattr(obj, name)
            if {item.pk for item in manager.all()} != {item.pk for item in wanted}:
                manager.set(wanted)
                changed = True
        key_of = (model._meta.label, obj.pk)
        self.seen[model].add(obj.pk)
        if changed and key_of not in self.added and key_of not in self.changed:
            self.changed.add(key_of)
            report.changed += 1
            if not count:
                report.unchanged -= 1  # counted as unchanged by its first pass
        elif count and key_of not in self.added and not changed:
            report.unchanged += 1
        return obj


def _differs(current: Any, wanted: Any) -> bool:
    if isinstance(current, models.Model) or isinstance(wanted, models.Model):
        return getattr(current, "pk", current) != getattr(wanted, "pk", wanted)
    return current != wanted


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def load_reference(
    directory: Path = REFERENCE_DIR,
    *,
    actor: Any = None,
    progress: Callable[[str], None] | None = None,
) -> LoadResult:
    """Validate every file, then load them all in one transaction; safe to run again."""
    documents = read_files(directory)
    problems = check_references(documents)
    if problems:
        raise ReferenceDataError(problems)
    versions = sorted({document["version"] for document in documents.values()})
    result = LoadResult(version=", ".join(versions))
    with transaction.atomic():
        writer = _Writer(result, f"reference data {result.version}")
        _write(documents, writer, progress)
        writer.count_rows_not_in_files()
        for model in (Organization, Instrument, Right, FrameworkItem, Network):
            search.rebuild(model)
        audit.record(
            actor,
            AuditAction.LOAD,
            None,
            metadata={
                "reference": "registry",
                "version": result.version,
                **{label: str(report) for label, report in result.reports.items()},
            },
        )
    return result


def _write(
    documents: dict[str, dict[str, Any]], writer: _Writer, progress: Callable[[str], None] | None
) -> None:
    countries = {country.alpha3: country for country in Country.objects.all()}
    regions = {region.m49_code: region for region in Region.objects.all()}
    step = progress or (lambda _name: None)

    rights = {}
    for record in _records(documents, "rights.yaml"):
        writer.at("rights.yaml", record)
        rights[record["code"]] = writer.upsert(
            Right,
            {"code": record["code"]},
            {
                "name": record["name"],
                "description": record.get("description", ""),
                "source": record["source"],
            },
        )
    step("rights.yaml")

    # Organizations first without their links to instruments and framework items, which
    # are loaded after them; the links are set once everything exists.
    organizations = {}
    for record in _records(documents, "organizations.yaml"):
        writer.at("organizations.yaml", record)
        headquarters = record.get("headquarters", {})
        organizations[record["code"]] = writer.upsert(
            Organization,
            {"code": record["code"]},
            {
                "acronym": record.get("acronym", ""),
                "name": record["name"],
                "names": record.get("names", {}),
                "kind": record["kind"],
                "founded_year": record.get("founded_year"),
                "headquarters_country": countries.get(headquarters.get("country", "")),
                "headquarters_city": headquarters.get("city", ""),
                "migration_mandate": record.get("migration_mandate", ""),
                "scope": record.get("scope", ""),
                "website": record.get("website", ""),
                "description": record.get("description", ""),
                "source": record["source"],
            },
            many={"regions": [regions[code] for code in record.get("regions", [])]},
        )
        for office in record.get("offices", []):
            writer.at("organizations.yaml", office)
            writer.upsert(
                Office,
                {
                    "organization": organizations[record["code"]],
                    "country": countries[office["country"]],
                    "city": office.get("city", ""),
                },
                {"kind": office.get("kind", "country"), "source": office["source"]},
            )
        for fact in record.get("facts", []):
            writer.at("organizations.yaml", fact)
            writer.upsert(
                OrganizationFact,
                {
                    "organization": organizations[record["code"]],
                    "name": fact["name"],
                    "year": fact["year"],
                },
                {"value": str(fact["value"]), "source": fact["source"]},
            )
    step("organizations.yaml")

    instruments = {}
    for record in _records(documents, "instruments.yaml"):
        writer.at("instruments.yaml", record)
        instruments[record["code"]] = writer.upsert(
            Instrument,
            {"code": record["code"]},
            {
                "title": record["title"],
                "short_title": record.get("short_title", ""),
                "kind": record["kind"],
                "binding": record["binding"],
                "core_migration": record.get("core_migration", False),
                "adopted_on": _date(record.get("adopted")),
                "entry_into_force_on": _date(record.get("entry_into_force")),
                "symbol": record.get("symbol", ""),
                "url": record.get("url", ""),
                "adopted_by": organizations.get(record.get("adopted_by", "")),
                "source": record["source"],
            },
        )
    for record in _records(documents, "instruments.yaml"):
        writer.at("instruments.yaml", record)
        instrument = instruments[record["code"]]
        writer.upsert(
            Instrument,
            {"code": record["code"]},
            {"parent": instruments.get(record.get("parent", ""))},
            count=False,
        )
        for position, provision in enumerate(record.get("provisions", [])):
            writer.at("instruments.yaml", provision)
            writer.upsert(
                Provision,
                {"instrument": instrument, "number": provision["number"]},
                {
                    "title": provision.get("title", ""),
                    "position": position,
                    "source": provision["source"],
                },
                many={"rights": [rights[code] for code in provision.get("rights", [])]},
            )
    step("instruments.yaml")

    items: dict[str, FrameworkItem] = {}
    for record in _records(documents, "frameworks.yaml"):
        writer.at("frameworks.yaml", record)
        framework = writer.upsert(
            Framework,
            {"code": record["code"]},
            {
                "name": record["name"],
                "source": record["source"],
                "instrument": instruments.get(record.get("instrument", "")),
                "owner": organizations.get(record.get("owner", "")),
            },
        )
        for position, item in enumerate(record["items"]):
            writer.at("frameworks.yaml", item)
            items[item["code"]] = writer.upsert(
                FrameworkItem,
                {"code": item["code"]},
                {
                    "framework": framework,
                    "kind": item["kind"],
                    "number": str(item.get("number", "")),
                    "title": item["title"],
                    "short_title": item.get("short_title", ""),
                    "position": position,
                    "source": item["source"],
                },
            )
    for record in _records(documents, "frameworks.yaml"):
        writer.at("frameworks.yaml", record)
        for item in record["items"]:
            writer.upsert(
                FrameworkItem,
                {"code": item["code"]},
                {"parent": items.get(item.get("parent", ""))},
                count=False,
            )
    step("frameworks.yaml")

    for record in _records(documents, "organizations.yaml"):
        writer.at("organizations.yaml", record)
        writer.upsert(
            Organization,
            {"code": record["code"]},
            {
                "founding_instrument": instruments.get(record.get("founding_instrument", "")),
            },
            many={"thematic_areas": [items[code] for code in record.get("thematic_areas", [])]},
            count=False,
        )

    for record in _records(documents, "crosswalks.yaml"):
        writer.at("crosswalks.yaml", record)
        writer.upsert(
            Crosswalk,
            {"from_item": items[record["from"]], "to_item": items[record["to"]]},
            {"relation": record.get("relation", "relates-to"), "source": record["source"]},
        )
    step("crosswalks.yaml")

    for record in _records(documents, "memberships.yaml"):
        writer.at("memberships.yaml", record)
        member_country = countries.get(record.get("country", ""))
        member_organization = organizations.get(record.get("member_organization", ""))
        writer.upsert(
            Membership,
            {
                "organization": organizations[record["organization"]],
                "member_country": member_country,
                "member_organization": member_organization,
                "kind": record.get("kind", "member"),
            },
            {
                "start_date": _date(record.get("start")),
                "end_date": _date(record.get("end")),
                "source": record["source"],
            },
        )
    step("memberships.yaml")

    networks: dict[str, Network] = {}
    for record in _records(documents, "networks.yaml"):
        writer.at("networks.yaml", record)
        networks[record["code"]] = writer.upsert(
            Network,
            {"code": record["code"]},
            {
                "name": record["name"],
                "kind": record["kind"],
                "established_year": record.get("established_year"),
                "region": regions.get(record.get("region", "")),
                "country": countries.get(record.get("country", "")),
                "description": record.get("description", ""),
                "source": record["source"],
            },
        )
        for member in record.get("members", []):
            writer.at("networks.yaml", member)
            membership = writer.upsert(
                NetworkMembership,
                {
                    "network": networks[record["code"]],
                    "organization": organizations[member["organization"]],
                },
                {
                    "start_date": _date(member.get("start")),
                    "end_date": _date(member.get("end")),
                    "source": member["source"],
                },
            )
            roles = {NetworkRole.MEMBER, *member.get("roles", [])}
            current = set(membership.role_rows.values_list("role", flat=True))
            if roles != current:
                for role in roles - current:
                    NetworkMembershipRole.objects.create(membership=membership, role=role)
                membership.role_rows.filter(role__in=current - roles).delete()
                writer.mark_changed(NetworkMembership, membership)
    for record in _records(documents, "networks.yaml"):
        writer.at("networks.yaml", record)
        writer.upsert(
            Network,
            {"code": record["code"]},
            {"parent": networks.get(record.get("parent", ""))},
            count=False,
        )
    step("networks.yaml")

    for record in _records(documents, "participations.yaml"):
        writer.at("participations.yaml", record)
        writer.upsert(
            Participation,
            {
                "country": countries[record["country"]],
                "instrument": instruments[record["instrument"]],
                "action": record["action"],
            },
            {
                "date": _date(record.get("date")),
                "reservations": record.get("reservations", ""),
                "source": record["source"],
            },
        )
    step("participations.yaml")
