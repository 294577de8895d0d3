"""Bulk import of Hub resources from a CSV or JSON file, with a row-level error report.

The columns (CSV) or keys (JSON objects) are documented in docs/knowledge.md:

    kind, language, status, title_<lang>, summary_<lang> (lang: ar, zh-hans, en, fr, ru, es),
    authors, publishers, countries, regions, objectives, principles, themes, year, licence,
    link, organization

The whole file is read and checked first; every problem is reported with its row, its column
and the reason. With any problem nothing is imported, unless `skip_invalid` is set: then the
valid rows are imported and the others reported. Each resource is created through
`services.resources.create_resource` (version 1, audit, search index) and stays a draft, or is
published when the `status` column says so and the importer is the system (no actor) or an
editor of the Hub. Row numbers are those a spreadsheet shows: the header is row 1. In a JSON
file the first object is row 1.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from migration_hub.accounts.models import Organization
from migration_hub.core import search as core_search
from migration_hub.core.models import Country, Region
from migration_hub.core.services import update_versioned
from migration_hub.registry.models import FrameworkItem
from migration_hub.registry.models import Organization as RegistryOrganization

from .choices import Licence, ResourceKind, ResourceStatus
from .models import Resource, ResourceTranslation
from .permissions import WRITER_ROLES, is_hub_editor

LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)
TEXT_COLUMNS = tuple(f"{part}_{code}" for code in LANGUAGES for part in ("title", "summary"))
COLUMNS = (
    "kind",
    "language",
    "status",
    *TEXT_COLUMNS,
    "authors",
    "publishers",
    "countries",
    "regions",
    "objectives",
    "principles",
    "themes",
    "year",
    "licence",
    "link",
    "organization",
)
REQUIRED_COLUMNS = ("kind", "language", "organization")
# Written by `knowledge.exports` next to the importable columns; read back without complaint.
EXPORT_ONLY_COLUMNS = frozenset(
    {
        "id",
        "url",
        "version",
        "peer_reviewed",
        "published_at",
        "needs_update",
        "checked_on",
        "created_at",
        "updated_at",
        "is_general",
        "is_sample",
        "files",
    }
)
ALIASES = {"title_zh": "title_zh-hans", "summary_zh": "summary_zh-hans", "license": "licence"}
MAX_ROWS = 10_000
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_CELL = 20_000
MAX_TITLE = 300
MAX_LINK = 500
MAX_PROBLEMS_SHOWN = 200
GENERAL = "general"
# A cell a spreadsheet would run as a formula. "+" and "-" only when not a plain number.
FORMULA = re.compile(r"^(?:[=@]|[+-](?![0-9.,]+$))")
LIST_SEPARATOR = re.compile(r"[;,]")


@dataclass(frozen=True)
class RowProblem:
    """One problem of the file: its row (0 for the file as a whole), column and reason."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        if self.row == 0:
            return f"{self.column}: {self.reason}" if self.column else self.reason
        if self.column:
            return _("row %(row)s, %(column)s: %(reason)s") % {
                "row": self.row,
                "column": self.column,
                "reason": self.reason,
            }
        return _("row %(row)s: %(reason)s") % {"row": self.row, "reason": self.reason}


@dataclass
class ImportResult:
    """What an import did: the resources created, every problem, and whether the file was
    refused (nothing imported)."""

    path: Path
    rows: int = 0
    imported: list[Resource] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    skipped_rows: list[int] = field(default_factory=list)
    rejected: bool = False
    published: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        name = self.path.name
        if self.rejected:
            return ngettext(
                "%(file)s has %(count)s problem; nothing was imported. Fix it and run again, "
                "or pass --skip-invalid to import the valid rows.",
                "%(file)s has %(count)s problems; nothing was imported. Fix them and run "
                "again, or pass --skip-invalid to import the valid rows.",
                len(self.problems),
            ) % {"file": name, "count": len(self.problems)}
        text = ngettext(
            "%(imported)s resource imported from %(file)s (%(published)s published, the "
            "others in draft).",
            "%(imported)s resources imported from %(file)s (%(published)s published, the "
            "others in draft).",
            len(self.imported),
        ) % {"imported": len(self.imported), "file": name, "published": self.published}
        if self.skipped_rows:
            text += " " + ngettext(
                "%(count)s row with problems was skipped: %(rows)s.",
                "%(count)s rows with problems were skipped: %(rows)s.",
                len(self.skipped_rows),
            ) % {
                "count": len(self.skipped_rows),
                "rows": ", ".join(str(row) for row in self.skipped_rows[:50]),
            }
        return text

    def lines(self) -> list[str]:
        shown = [str(problem) for problem in self.problems[:MAX_PROBLEMS_SHOWN]]
        if len(self.problems) > MAX_PROBLEMS_SHOWN:
            shown.append(
                _("... and %(count)s more") % {"count": len(self.problems) - MAX_PROBLEMS_SHOWN}
            )
        return shown


class FileProblem(Exception):
    """The file cannot be read at all; carries the problem."""

    def __init__(self, reason: str, column: str = ""):
        self.problem = RowProblem(0, column, reason)
        super().__init__(reason)


# --- reading the file ------------------------------------------------------------------------


def _decode(data: bytes, encoding: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")  # "Unicode text" as some spreadsheet programs save it
    if b"\x00" in data[:4096]:
        raise FileProblem(_("this is a binary file, not CSV or JSON text"))
    codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FileProblem(
            _(
                "byte 0x%(byte)02x on line %(line)s is not valid %(encoding)s: save the file as "
                "UTF-8 (in a spreadsheet: “CSV UTF-8”) or give its encoding (--encoding cp1252)"
            )
            % {"byte": data[error.start], "line": line, "encoding": encoding}
        ) from None
    except LookupError:
        raise FileProblem(
            _("unknown encoding %(encoding)s") % {"encoding": encoding[:40]}
        ) from None


def _column_name(name: Any) -> str:
    text = str(name).replace("\ufeff", "").strip().lower().replace(" ", "_")
    return ALIASES.get(text, text)


def _csv_records(text: str) -> list[tuple[int, dict[str, Any]]]:
    # Spreadsheets in some locales separate cells with ";" (lists inside cells use ";" too, so
    # only the header line decides) or write tab-separated text.
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    if not first_line.count(delimiter):
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as error:
        raise FileProblem(
            _("not valid CSV on line %(line)s (%(error)s)")
            % {"line": reader.line_num, "error": error}
        ) from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise FileProblem(_("the file has no header row"))
    header = [_column_name(cell) for cell in rows[0]]
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        raise FileProblem(
            _("the header names a column twice: %(columns)s") % {"columns": ", ".join(repeated)}
        )
    records = []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # a blank line
        record: dict[str, Any] = {}
        for position, cell in enumerate(cells):
            if position >= len(header) or not header[position]:
                if cell.strip():
                    record.setdefault("\x00extra", cell)
                continue
            record[header[position]] = cell
        records.append((number, record))
    return [(0, dict.fromkeys(name for name in header if name)), *records]


def _json_records(text: str) -> list[tuple[int, dict[str, Any]]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise FileProblem(
            _("not valid JSON at line %(line)s, column %(column)s (%(error)s)")
            % {"line": error.lineno, "column": error.colno, "error": error.msg}
        ) from None
    if isinstance(document, dict) and isinstance(document.get("resources"), list):
        document = document["resources"]
    if not isinstance(document, list):
        raise FileProblem(_('a JSON file holds a list of resources, or {"resources": [...]}'))
    records: list[tuple[int, dict[str, Any]]] = []
    header: dict[str, Any] = {}
    for number, item in enumerate(document, start=1):
        if not isinstance(item, dict):
            records.append((number, {"\x00not_object": item}))
            continue
        record = {_column_name(key): value for key, value in item.items()}
        header.update(dict.fromkeys(record, ""))
        records.append((number, record))
    return [(0, header), *records]


def read_records(
    path: Path, *, encoding: str = "utf-8"
) -> tuple[list[tuple[int, dict[str, Any]]], bool]:
    """(row number, {column: value}) for each record, the first item (row 0) listing the
    columns; and whether the file is CSV (a spreadsheet's). Raises FileProblem when the file
    cannot be read."""
    if not path.is_file():
        raise FileProblem(_("there is no file at %(path)s") % {"path": path})
    if path.stat().st_size > MAX_FILE_BYTES:
        raise FileProblem(
            _("the file is larger than %(size)s MB: split it") % {"size": MAX_FILE_BYTES >> 20}
        )
    data = path.read_bytes()
    text = _decode(data, encoding)
    if not text.strip():
        raise FileProblem(_("the file is empty"))
    is_json = path.suffix.lower() == ".json" or (
        path.suffix.lower() not in (".csv", ".tsv", ".txt") and text.lstrip()[:1] in "[{"
    )
    records = _json_records(text) if is_json else _csv_records(text)
    if len(records) == 1:
        raise FileProblem(_("the file has a header but no resources"))
    if len(records) - 1 > MAX_ROWS:
        raise FileProblem(
            _("the file has more than %(count)s resources: split it") % {"count": MAX_ROWS}
        )
    return records, not is_json


# --- checking rows -------------------------------------------------------------------------------


@dataclass
class _Lookups:
    """Codes read from the database once per import."""

    objectives: dict[str, FrameworkItem]
    principles: dict[str, FrameworkItem]
    themes: dict[str, FrameworkItem]
    countries: dict[str, Country]
    regions: dict[str, Region]
    publishers: dict[str, RegistryOrganization]
    organizations: dict[str, Organization]
    existing: dict[int, set[tuple[str, str]]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> _Lookups:
        items = FrameworkItem.objects.filter(
            kind__in=("objective", "guiding-principle", "thematic-area")
        )
        objectives, principles, themes = {}, {}, {}
        for item in items:
            code = item.code.upper()
            if item.kind == "objective" and code.startswith("GCM-O"):
                objectives[code] = item
                objectives[code.removeprefix("GCM-O")] = item
            elif item.kind == "guiding-principle" and code.startswith("GCM-GP-"):
                principles[code] = item
                principles[code.removeprefix("GCM-GP-")] = item
            elif item.kind == "thematic-area":
                themes[code] = item
                if item.number:
                    themes[item.number.lstrip("0") or "0"] = item
                if code.startswith("MIGOF-TA-"):
                    themes[code.removeprefix("MIGOF-TA-").lstrip("0") or "0"] = item
        countries: dict[str, Country] = {}
        for country in Country.objects.all():
            countries[country.alpha3.upper()] = country
            countries[country.alpha2.upper()] = country
        return cls(
            objectives=objectives,
            principles=principles,
            themes=themes,
            countries=countries,
            regions={region.m49_code: region for region in Region.objects.all()},
            publishers={
                org.code.upper(): org for org in RegistryOrganization.objects.only("pk", "code")
            },
            organizations={org.code.upper(): org for org in Organization.objects.all()},
        )

    def titles_of(self, organization: Organization) -> set[tuple[str, str]]:
        """(language, normalised title) of the organization's resources already in the Hub."""
        if organization.pk not in self.existing:
            self.existing[organization.pk] = {
                (language, core_search.normalise(title))
                for language, title in ResourceTranslation.objects.filter(
                    resource__organization=organization
                ).values_list("language", "title")
            }
        return self.existing[organization.pk]


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    status: str
    key: tuple[Any, ...]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _cell_list(value: Any, *, split: re.Pattern[str] = LIST_SEPARATOR) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [_cell_text(item) for item in value if _cell_text(item)]
    return [part.strip() for part in split.split(_cell_text(value)) if part.strip()]


def _may_publish(actor: Any) -> bool:
    return actor is None or bool(getattr(actor, "is_superuser", False) or is_hub_editor(actor))


def _may_write_for(actor: Any, organization: Organization) -> bool:
    if _may_publish(actor):
        return True
    from migration_hub.core.permissions import roles_of

    held = roles_of(actor).get(str(organization.pk), frozenset())
    return bool(held & set(WRITER_ROLES))


class _RowChecker:
    """Checks one record at a time, collecting every problem of the row."""

    def __init__(self, lookups: _Lookups, actor: Any, *, spreadsheet: bool):
        self.lookups = lookups
        self.actor = actor
        # Formulas come from spreadsheets: in JSON a text starting with "=" is just text.
        self.spreadsheet = spreadsheet
        self.validate_url = URLValidator(schemes=["http", "https"])

    def check(self, number: int, record: Mapping[str, Any]) -> tuple[_Row | None, list[RowProblem]]:
        problems: list[RowProblem] = []

        def problem(column: str, reason: str) -> None:
            problems.append(RowProblem(number, column, reason))

        if "\x00not_object" in record:
            problem("", _("each resource is a JSON object with the columns as keys"))
            return None, problems
        if "\x00extra" in record:
            problem("", _("the row has more cells than the header has columns"))
        cells: dict[str, Any] = {}
        for column, value in record.items():
            if column.startswith("\x00") or column in EXPORT_ONLY_COLUMNS:
                continue
            if isinstance(value, dict):
                problem(column, _("give a text, a number or a list, not an object"))
                continue
            parts = value if isinstance(value, list | tuple) else [value]
            cleaned_parts = []
            bad = False
            for part in parts:
                text = _cell_text(part)
                if "\x00" in text:
                    problem(column, _("contains a null character"))
                    bad = True
                    break
                if len(text) > MAX_CELL:
                    problem(
                        column,
                        _("longer than %(count)s characters") % {"count": f"{MAX_CELL:,}"},
                    )
                    bad = True
                    break
                if not self.spreadsheet:
                    pass
                elif text.startswith("'") and FORMULA.match(text[1:]):
                    text = text[1:]  # an apostrophe written to keep a spreadsheet from running it
                elif FORMULA.match(text):
                    problem(
                        column,
                        _(
                            "looks like a spreadsheet formula (%(start)s…): write the value "
                            "itself, or start the text with an apostrophe (')"
                        )
                        % {"start": text[:12]},
                    )
                    bad = True
                    break
                cleaned_parts.append(text)
            if not bad:
                cells[column] = (
                    cleaned_parts
                    if isinstance(value, list | tuple)
                    else (cleaned_parts[0] if cleaned_parts else "")
                )
        values: dict[str, Any] = {}
        bad_columns = {p.column for p in problems}

        def text(column: str) -> str:
            value = cells.get(column, "")
            return "; ".join(value) if isinstance(value, list) else value

        # kind
        kind = text("kind").lower()
        kinds = {value: value for value in ResourceKind.values} | {
            str(label).lower(): value for value, label in ResourceKind.choices
        }
        if "kind" not in bad_columns:
            if not kind:
                problem(
                    "kind",
                    _("required: one of %(values)s") % {"values": ", ".join(ResourceKind.values)},
                )
            elif kind not in kinds:
                problem(
                    "kind",
                    _("unknown kind %(value)s: use one of %(values)s")
                    % {"value": repr(kind[:40]), "values": ", ".join(ResourceKind.values)},
                )
            else:
                values["kind"] = kinds[kind]
        # language
        language = text("language").lower()
        language = {"zh": "zh-hans", "zh-cn": "zh-hans", "zh_hans": "zh-hans"}.get(
            language, language
        )
        if "language" not in bad_columns:
            if language not in LANGUAGES:
                problem(
                    "language",
                    _("the original language must be one of %(values)s")
                    % {"values": ", ".join(LANGUAGES)},
                )
            else:
                values["language"] = language
        # titles and summaries
        translations: dict[str, dict[str, str]] = {}
        for code in LANGUAGES:
            title, summary = text(f"title_{code}"), text(f"summary_{code}")
            if len(title) > MAX_TITLE:
                problem(
                    f"title_{code}",
                    _("longer than %(count)s characters") % {"count": MAX_TITLE},
                )
            elif title:
                translations[code] = {"title": title, "summary": summary}
            elif summary and f"title_{code}" not in bad_columns:
                problem(
                    f"summary_{code}",
                    _("a summary needs a title in the same language (title_%(code)s)")
                    % {"code": code},
                )
        if "language" in values and values["language"] not in translations:
            column = f"title_{values['language']}"
            if column not in bad_columns and not any(p.column == column for p in problems):
                problem(
                    column,
                    _("required: the title in the original language (%(code)s)")
                    % {"code": values["language"]},
                )
        values["translations"] = translations
        # authors
        values["authors"] = _cell_list(cells.get("authors"), split=re.compile(";"))
        # publishers, countries, regions
        values["publishers"] = self._codes(
            cells, "publishers", self.lookups.publishers, problem, upper=True
        )
        values["countries"] = self._codes(
            cells, "countries", self.lookups.countries, problem, upper=True
        )
        values["regions"] = self._codes(
            cells, "regions", self.lookups.regions, problem, normalise=_m49
        )
        # objectives (or "general"), principles, themes
        objectives = [
            value for value in _cell_list(cells.get("objectives")) if value.lower() != GENERAL
        ]
        values["is_general"] = any(
            value.lower() == GENERAL for value in _cell_list(cells.get("objectives"))
        )
        values["objectives"] = self._codes(
            {"objectives": objectives},
            "objectives",
            self.lookups.objectives,
            problem,
            upper=True,
            normalise=_strip_zeros,
            hint=_("GCM objectives are 1 to 23, or “general”"),
        )
        if values["is_general"] and values["objectives"]:
            problem(
                "objectives",
                _("“general” is for resources about the GCM as a whole: name no objective with it"),
            )
        values["principles"] = self._codes(
            cells,
            "principles",
            self.lookups.principles,
            problem,
            upper=True,
            hint=_("guiding principles are the letters A to J"),
        )
        values["themes"] = self._codes(
            cells,
            "themes",
            self.lookups.themes,
            problem,
            upper=True,
            normalise=_strip_zeros,
            hint=_("MIGOF thematic areas are MIGOF-TA-01 to MIGOF-TA-16, or their numbers"),
        )
        # year
        year_text = text("year")
        values["year"] = None
        if year_text and "year" not in bad_columns:
            if year_text.isdigit() and 1900 <= int(year_text) <= 2100:
                values["year"] = int(year_text)
            else:
                problem("year", _("give a year between 1900 and 2100"))
        # licence
        licence = text("licence").lower()
        licences = {value: value for value in Licence.values} | {
            str(label).lower(): value for value, label in Licence.choices
        }
        if "licence" not in bad_columns:
            if not licence:
                values["licence"] = Licence.UNKNOWN
            elif licence in licences:
                values["licence"] = licences[licence]
            else:
                problem(
                    "licence",
                    _("unknown licence %(value)s: use one of %(values)s")
                    % {"value": repr(licence[:40]), "values": ", ".join(Licence.values)},
                )
        # link
        link = text("link")
        values["link"] = ""
        if link and "link" not in bad_columns:
            try:
                if len(link) > MAX_LINK:
                    raise ValidationError("too long")
                self.validate_url(link)
            except ValidationError:
                problem("link", _("give a full web address starting with https:// or http://"))
            else:
                values["link"] = link
        # organization
        code = text("organization").upper()
        organization = self.lookups.organizations.get(code) if code else None
        if "organization" not in bad_columns:
            if not code:
                problem("organization", _("required: the code of the submitting organization"))
            elif organization is None:
                problem(
                    "organization",
                    _("no organization has the code %(code)s") % {"code": repr(code[:40])},
                )
            elif not _may_write_for(self.actor, organization):
                problem(
                    "organization",
                    _("you are not a contributor, editor or administrator of %(code)s")
                    % {"code": code},
                )
            else:
                values["organization"] = organization
        # status
        status = text("status").lower() or ResourceStatus.DRAFT
        if "status" not in bad_columns:
            if status not in (ResourceStatus.DRAFT, ResourceStatus.PUBLISHED):
                problem(
                    "status",
                    _("use draft or published (the other statuses come from peer review)"),
                )
            elif status == ResourceStatus.PUBLISHED and not _may_publish(self.actor):
                problem(
                    "status",
                    _(
                        "only the Hub's editors may import resources as published; leave it "
                        "empty or write draft, and submit the resources for peer review"
                    ),
                )
        # already in the Hub?
        key: tuple[Any, ...] = ()
        if (
            organization is not None
            and "language" in values
            and values["language"] in (translations)
        ):
            title_key = core_search.normalise(translations[values["language"]]["title"])
            key = (organization.pk, values.get("kind"), values["language"], title_key)
            if (values["language"], title_key) in self.lookups.titles_of(organization):
                problem(
                    f"title_{values['language']}",
                    _("%(organization)s already has a resource with this title in the Hub")
                    % {"organization": organization.code},
                )
        if problems:
            return None, problems
        return _Row(number, values, status, key), []

    def _codes(
        self,
        cells: Mapping[str, Any],
        column: str,
        table: Mapping[str, Any],
        problem: Callable[[str, str], None],
        *,
        upper: bool = False,
        normalise: Callable[[str], str] | None = None,
        hint: str = "",
    ) -> list[Any]:
        found: list[Any] = []
        unknown: list[str] = []
        for value in _cell_list(cells.get(column)):
            key = value.upper() if upper else value
            if normalise:
                key = normalise(key)
            item = table.get(key)
            if item is None:
                unknown.append(value)
            elif item not in found:
                found.append(item)
        if unknown:
            reason = _("unknown code(s): %(codes)s") % {
                "codes": ", ".join(repr(value[:40]) for value in unknown[:10])
            }
            problem(column, f"{reason} ({hint})" if hint else reason)
        return found


def _m49(value: str) -> str:
    return value.zfill(3) if value.isdigit() else value


def _strip_zeros(value: str) -> str:
    return (value.lstrip("0") or "0") if value.isdigit() else value


def check_rows(
    records: list[tuple[int, dict[str, Any]]], *, actor: Any, spreadsheet: bool = True
) -> tuple[list[_Row], list[RowProblem]]:
    """Every record checked; returns the good rows and every problem (file-level first)."""
    header = records[0][1]
    problems: list[RowProblem] = []
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if not any(column.startswith("title_") for column in header):
        missing.append("title_<language>")
    for column in missing:
        problems.append(RowProblem(1, column, _("required column missing")))
    unknown = [
        column for column in header if column not in COLUMNS and column not in EXPORT_ONLY_COLUMNS
    ]
    for column in unknown:
        problems.append(
            RowProblem(
                1,
                column[:60],
                _("unknown column (the columns are listed in docs/knowledge.md)"),
            )
        )
    if problems:
        return [], problems
    checker = _RowChecker(_Lookups.load(), actor, spreadsheet=spreadsheet)
    rows: list[_Row] = []
    seen: dict[tuple[Any, ...], int] = {}
    for number, record in records[1:]:
        row, found = checker.check(number, record)
        if row is not None and row.key:
            if row.key in seen:
                found.append(
                    RowProblem(
                        number,
                        "",
                        _("the same resource as row %(row)s (same organization, kind and title)")
                        % {"row": seen[row.key]},
                    )
                )
                row = None
            else:
                seen[row.key] = number
        problems += found
        if row is not None:
            rows.append(row)
    return rows, problems


# --- importing ---------------------------------------------------------------------------------


class _Rollback(Exception):
    """Undo everything written when a row fails while writing and the file is all or nothing."""


def _publish(actor: Any, resource: Resource) -> Resource:
    """An editor's import may publish directly: no peer review, so no "peer reviewed" badge."""
    return update_versioned(
        resource,
        actor=actor,
        expected_version=resource.version,
        changes={"status": ResourceStatus.PUBLISHED, "published_at": timezone.now()},
        organization_id=resource.organization_id,
    )


def _write(actor: Any, row: _Row, path: Path) -> Resource:
    from .services.resources import create_resource
    from .services.subscriptions import alert_on_publish

    values = dict(row.values)
    resource = create_resource(
        actor,
        note=_("Imported from %(file)s, row %(row)s.") % {"file": path.name, "row": row.number},
        **values,
    )
    if row.status == ResourceStatus.PUBLISHED:
        resource = _publish(actor, resource)
        alert_on_publish(resource)
    return resource


def _service_problems(number: int, error: Exception) -> list[RowProblem]:
    if isinstance(error, PermissionDenied):
        return [RowProblem(number, "organization", str(error) or _("not allowed"))]
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return [
            RowProblem(number, name if name != "__all__" else "", " ".join(messages))
            for name, messages in error.message_dict.items()
        ]
    messages = error.messages if isinstance(error, ValidationError) else [str(error)]
    return [RowProblem(number, "", " ".join(messages))]


def import_resources(
    path: str | Path,
    *,
    actor: Any = None,
    skip_invalid: bool = False,
    encoding: str = "utf-8",
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import the resources of a CSV or JSON file (see the module's docstring).

    Returns an ImportResult: `imported` (the resources created), `problems` (row, column,
    reason for each), `rejected` (True when nothing was imported because of the problems).
    `progress(done, total)` is called after each row written.
    """
    path = Path(path)
    result = ImportResult(path=path)
    try:
        records, spreadsheet = read_records(path, encoding=encoding)
    except FileProblem as error:
        result.problems.append(error.problem)
        result.rejected = True
        return result
    result.rows = len(records) - 1
    rows, problems = check_rows(records, actor=actor, spreadsheet=spreadsheet)
    result.problems = sorted(problems, key=lambda problem: (problem.row, problem.column))
    if problems and (not skip_invalid or not rows):
        result.rejected = True
        return result
    result.skipped_rows = sorted({problem.row for problem in problems if problem.row > 1})
    try:
        with transaction.atomic():
            for done, row in enumerate(rows, start=1):
                try:
                    with transaction.atomic():
                        resource = _write(actor, row, path)
                except (ValidationError, PermissionDenied) as error:
                    # A check the service makes that the reading above did not: same report.
                    result.problems += _service_problems(row.number, error)
                    result.skipped_rows.append(row.number)
                    if not skip_invalid:
                        raise _Rollback from error
                else:
                    result.imported.append(resource)
                    if resource.status == ResourceStatus.PUBLISHED:
                        result.published += 1
                if progress:
                    progress(done, len(rows))
    except _Rollback:
        result.imported = []
        result.published = 0
        result.skipped_rows = []
        result.rejected = True
    result.problems.sort(key=lambda problem: (problem.row, problem.column))
    result.skipped_rows.sort()
    return result


def write_report(path: Path, problems: Iterable[RowProblem]) -> None:
    """The problems as a CSV (row, column, problem) a person can open next to the file."""
    from migration_hub.core.exports import neutralise

    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "column", "problem"])
        for problem in problems:
            writer.writerow([problem.row, neutralise(problem.column), neutralise(problem.reason)])
