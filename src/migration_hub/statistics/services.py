"""Writing statistics: importing a publisher's file, and merging an office's contribution.

Every write happens in one transaction, with its audit event; a file with any problem writes
nothing (`ImportRejected` lists the problems row by row).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from migration_hub.core import audit
from migration_hub.core.choices import AuditAction
from migration_hub.core.permissions import require

from . import generic, importers, readers, selectors
from .choices import ContributionStatus, ImportKind
from .importers import Figure, ParsedFile
from .models import Area, Contribution, Dataset, Indicator, Observation

BATCH = 2000

PARSERS: dict[str, Callable[..., ParsedFile]] = {
    ImportKind.UNDESA_STOCK: importers.parse_undesa_stock,
    ImportKind.UNDESA_ORIGIN_DESTINATION: importers.parse_undesa_origin_destination,
    ImportKind.UNHCR: importers.parse_unhcr,
    ImportKind.WDI: importers.parse_wdi,
    ImportKind.INDICATOR_CSV: generic.parse_indicator_csv,
}


SAMPLES_DIR = Path(__file__).parent / "samples"
SAMPLES = [
    (ImportKind.UNDESA_STOCK, "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx"),
    (ImportKind.UNDESA_STOCK, "undesa_pd_2019_migrant_stock_total_dataset.xlsx"),
    (ImportKind.UNDESA_ORIGIN_DESTINATION, "undesa_2019_migrant_stock_origin_destination_wide.csv"),
    (ImportKind.UNHCR, "unhcr_refugees_asylum_seekers_by_origin_destination_1995_2020.csv"),
    (ImportKind.WDI, "wdi_sending-cost-to-country.xls"),
    (ImportKind.WDI, "wdi_sending-cost-from-country.xls"),
    (ImportKind.WDI, "wdi_personal-remittances-received.xls"),
]


@dataclass
class ImportReport:
    dataset: Dataset
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.dataset} - {self.added} added, {self.changed} changed, "
            f"{self.unchanged} unchanged, {self.removed} removed"
        )


def register_parser(kind: str, parser: Callable[..., ParsedFile]) -> None:
    PARSERS[kind] = parser


def import_file(
    kind: str,
    path: Path,
    *,
    actor: Any = None,
    revision: str | None = None,
    progress: Callable[[int], None] | None = None,
    **options: Any,
) -> ImportReport:
    """Read `path` with the importer `kind` and store its figures under the file's revision.

    The same file twice changes nothing; a newer revision becomes a new data set beside the
    old one; a corrected file for the same revision replaces that revision's figures.
    """
    if kind not in PARSERS:
        raise ValueError(f"unknown importer {kind!r}; choose one of {', '.join(PARSERS)}")
    if not path.is_file():
        raise readers.reject(path, "no such file")
    digest = readers.sha256_of(path)
    # The collector found nothing to free among a file's hundreds of thousands of new objects
    # and took 18 % of the import time (bench/statistics/imports.py).
    collecting = gc.isenabled()
    gc.disable()
    try:
        # One transaction for reading too: the areas a file names are created while it is
        # read, and a rejected file must leave nothing behind.
        with transaction.atomic():
            parsed = PARSERS[kind](path, revision=revision, progress=progress, **options)
            report = store(parsed, actor=actor, file_name=path.name, file_sha256=digest)
    finally:
        if collecting:
            gc.enable()
    if report.added or report.changed or report.removed:
        refresh_planner_statistics()
        report.notes += region_check_notes(report.dataset)
    return report


def region_check_notes(dataset: Dataset) -> list[str]:
    """Where a region's published figure is not the sum of its countries' figures, say so at
    import: the publisher's inconsistency (or a file error) is then seen, not hidden."""
    notes = []
    for indicator in dataset.indicator_codes:
        if dataset.has_origins:
            continue
        found = selectors.differences(dataset, indicator)
        if found:
            regions = sorted({f"{check.name} ({check.region})" for check in found})
            notes.append(
                f"{indicator}: {len(found)} regional figures differ from the sum of their "
                f"countries, in {', '.join(regions[:5])}{' ...' if len(regions) > 5 else ''}; "
                f"see /api/statistics/datasets/{dataset.pk}/region-check/"
                f"?indicator={indicator}&differences=true"
            )
    return notes


def refresh_planner_statistics() -> None:
    """ANALYZE the figures table: without it SQLite picks poor indexes for the profile's
    top-10 corridors (profile p95 29.9 ms -> 11.9 ms, bench/statistics/profile.py)."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(Observation._meta.db_table)}")


@transaction.atomic
def store(
    parsed: ParsedFile, *, actor: Any = None, file_name: str = "", file_sha256: str = ""
) -> ImportReport:
    info = parsed.dataset
    dataset = (
        Dataset.objects.select_for_update().filter(key=info.key, revision=info.revision).first()
    )
    created = dataset is None
    if dataset is None:
        dataset = Dataset(key=info.key, revision=info.revision)
    elif dataset.file_sha256 == file_sha256 and file_sha256:
        report = ImportReport(dataset, unchanged=len(parsed.figures), notes=parsed.notes)
        audit.record(
            actor,
            AuditAction.LOAD,
            dataset,
            metadata={"file": file_name, "sha256": file_sha256, "unchanged": report.unchanged},
        )
        return report
    for attribute in ("kind", "publisher", "title", "licence", "source_url", "absent_means_zero"):
        setattr(dataset, attribute, getattr(info, attribute))
    if info.owner:
        dataset.owner = _owner(info.owner, file_name)
    dataset.file_name, dataset.file_sha256 = file_name, file_sha256
    dataset.indicator_codes = sorted({figure.indicator for figure in parsed.figures})
    dataset.has_origins = any(figure.origin for figure in parsed.figures)
    dataset.last_year = max((figure.year for figure in parsed.figures), default=None)
    dataset.imported_at, dataset.imported_by = timezone.now(), _user(actor)
    dataset.save()

    _store_indicators(parsed.indicators, update=info.kind != ImportKind.INDICATOR_CSV)
    _create_areas(parsed.new_areas)
    indicator_ids = dict(Indicator.objects.values_list("code", "id"))
    report = ImportReport(dataset, notes=parsed.notes)
    if created:
        _insert(dataset, parsed.figures, indicator_ids)
        report.added = len(parsed.figures)
    else:
        _replace(dataset, parsed.figures, indicator_ids, report)
    audit.record(
        actor,
        AuditAction.LOAD,
        dataset,
        metadata={
            "file": file_name,
            "sha256": file_sha256,
            "revision": dataset.revision,
            "added": report.added,
            "changed": report.changed,
            "removed": report.removed,
        },
    )
    return report


def _create_areas(new_areas: dict[str, tuple[str, str]]) -> None:
    """The areas a file names that the database does not have yet (publishers' groups)."""
    Area.objects.bulk_create(
        [Area(code=code, name=name, kind=kind) for code, (name, kind) in new_areas.items()],
        ignore_conflicts=True,
    )


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _owner(code: str, file_name: str) -> Any:
    from migration_hub.accounts.models import Organization

    owner = Organization.objects.filter(code=code).first()
    if owner is None:
        raise readers.reject(
            Path(file_name), f"no organization has the code {code!r} (the data set's owner)"
        )
    return owner


def _store_indicators(indicators: list[importers.IndicatorInfo], *, update: bool) -> None:
    """Publishers' importers keep their indicators' names and units up to date; any other file
    only adds indicators and never renames or re-units one that figures already use."""
    for info in indicators:
        if not update:
            Indicator.objects.get_or_create(
                code=info.code,
                defaults={
                    "name": info.name,
                    "unit": info.unit,
                    "sdg_indicator": info.sdg_indicator,
                },
            )
            continue
        Indicator.objects.update_or_create(
            code=info.code,
            defaults={
                "name": info.name,
                "unit": info.unit,
                "sdg_indicator": info.sdg_indicator,
                "publisher_code": info.publisher_code,
                "description": info.description,
            },
        )


def _observation(dataset: Dataset, figure: Figure, indicator_ids: dict[str, int]) -> Observation:
    return Observation(
        dataset=dataset,
        indicator_id=indicator_ids[figure.indicator],
        area_id=figure.area,
        origin_id=figure.origin,
        year=figure.year,
        sex=figure.sex,
        value=figure.value,
        flag=figure.flag,
    )


INSERT_FIELDS = ("dataset", "indicator", "area", "origin", "year", "sex", "value", "flag")


def _insert(dataset: Dataset, figures: list[Figure], indicator_ids: dict[str, int]) -> None:
    """Insert new figures with one prepared statement: building a model instance per figure
    made `bulk_create` spend 85 % of an import in Python (measured on the UNHCR file)."""
    meta = Observation._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in INSERT_FIELDS)
    placeholders = ", ".join(["%s"] * len(INSERT_FIELDS))
    # Names come from the model's own metadata, never from input.
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    rows = [
        (
            dataset.pk,
            indicator_ids[figure.indicator],
            figure.area,
            figure.origin,
            figure.year,
            figure.sex,
            figure.value,
            figure.flag,
        )
        for figure in figures
    ]
    # In the order of the lookup index (indicator, area, ...): each B-tree page is then
    # written once instead of being revisited for every row.
    rows.sort(key=lambda row: (row[1], row[2], row[3] or "", row[4], row[5]))
    if connection.vendor == "postgresql":
        _copy_rows(meta.db_table, [meta.get_field(name).column for name in INSERT_FIELDS], rows)
        return
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH * 10):
            cursor.executemany(sql, rows[start : start + BATCH * 10])


def _copy_rows(table: str, columns: list[str], rows: list[tuple]) -> None:
    """PostgreSQL's COPY: several times faster than INSERT for a whole file's figures."""
    from psycopg import sql as psycopg_sql

    statement = psycopg_sql.SQL("COPY {} ({}) FROM STDIN").format(
        psycopg_sql.Identifier(table),
        psycopg_sql.SQL(", ").join(map(psycopg_sql.Identifier, columns)),
    )
    connection.ensure_connection()
    with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _replace(
    dataset: Dataset, figures: list[Figure], indicator_ids: dict[str, int], report: ImportReport
) -> None:
    """The corrected file is the truth for the figures it has. Figures that reached the data
    set through an approved contribution stay unless the file has a value of its own for
    them (then the file wins, and the figure no longer points to the contribution)."""
    codes = {pk: code for code, pk in indicator_ids.items()}
    existing = {
        (codes[row[1]], row[2], row[3], row[4], row[5]): row
        for row in Observation.objects.filter(dataset=dataset).values_list(
            "id",
            "indicator_id",
            "area_id",
            "origin_id",
            "year",
            "sex",
            "value",
            "flag",
            "contribution_id",
        )
    }
    new, changed = [], []
    for figure in figures:
        row = existing.pop(figure.key, None)
        if row is None:
            new.append(_observation(dataset, figure, indicator_ids))
        elif (row[6], row[7], row[8]) != (figure.value, figure.flag, None):
            observation = _observation(dataset, figure, indicator_ids)
            observation.pk = row[0]
            changed.append(observation)
        else:
            report.unchanged += 1
    Observation.objects.bulk_create(new, batch_size=BATCH)
    Observation.objects.bulk_update(changed, ["value", "flag", "contribution"], batch_size=BATCH)
    stale = [row[0] for row in existing.values() if row[8] is None]
    contributed = len(existing) - len(stale)
    for start in range(0, len(stale), BATCH):
        Observation.objects.filter(pk__in=stale[start : start + BATCH]).delete()
    report.added, report.changed, report.removed = len(new), len(changed), len(stale)
    if contributed:
        report.notes.append(
            f"{contributed} figures merged from approved contributions are not in the file "
            "and were kept."
        )


# --- Regional data contributions ------------------------------------------------------------

MAX_CONTRIBUTION_BYTES = 20 * 1024 * 1024
# A small XLSX can hold a very large sheet; reading it happens in the web request.
MAX_CONTRIBUTION_UNCOMPRESSED = 50 * 1024 * 1024
MAX_CONTRIBUTION_ROWS = 100_000
CONTRIBUTION_COLUMNS = {"area", "year", "value", "indicator"}


def _contribution_figures(path: Path, dataset: Dataset, encoding: str) -> list[Figure]:
    """A contribution is a long table with columns area, indicator, year, value (and sex,
    origin where needed), for indicators the regional data set already knows."""
    table = generic._table(path, encoding, max_uncompressed=MAX_CONTRIBUTION_UNCOMPRESSED)
    if not table:
        raise readers.reject(path, "the file is empty")
    if len(table) > MAX_CONTRIBUTION_ROWS + 1:
        raise readers.reject(
            path,
            f"{len(table) - 1:,} rows: a contribution has at most {MAX_CONTRIBUTION_ROWS:,}; "
            "split the file",
        )
    where, header = table[0]
    labels = {cell.strip() for cell in header}
    missing = sorted(CONTRIBUTION_COLUMNS - labels)
    if missing:
        raise readers.reject(
            path,
            f"missing columns {', '.join(missing)}: a contribution has the columns "
            "area, indicator, year, value and, where needed, sex and origin",
            where=where,
        )
    columns = {name: name for name in (*CONTRIBUTION_COLUMNS, "sex", "origin") if name in labels}
    config = {"columns": columns, "dataset": {"key": dataset.key}}
    parsed = generic._parse(path, table, config, dataset.revision, None)
    unknown = sorted({f.indicator for f in parsed.figures} - set(dataset.indicator_codes))
    if unknown:
        raise readers.reject(
            path,
            f"{dataset} does not hold {', '.join(unknown)}; it holds "
            f"{', '.join(dataset.indicator_codes) or 'no indicator yet'}",
        )
    _create_areas(parsed.new_areas)
    return parsed.figures


@transaction.atomic
def submit_contribution(
    *,
    dataset: Dataset,
    organization: Any,
    path: Path,
    file_name: str,
    actor: Any,
    office: Any = None,
    encoding: str = "utf-8",
) -> Contribution:
    """Validate an office's figures for a regional data set and keep them for review.

    Nothing reaches the data set before a reviewer approves; a file with any problem is
    refused whole (`ImportRejected`)."""
    contribution = Contribution(dataset=dataset, organization=organization, office=office)
    require(actor, "statistics.add_contribution", contribution)
    if dataset.kind != ImportKind.INDICATOR_CSV or dataset.owner_id is None:
        raise readers.reject(
            Path(file_name),
            f"{dataset} is a publisher's release, or no organization keeps it, and cannot "
            "take contributions; send them to a regional data set",
        )
    if path.stat().st_size > MAX_CONTRIBUTION_BYTES:
        raise readers.reject(Path(file_name), "the file is larger than 20 MB")
    if office is not None and office.organization_id != organization.pk:
        raise readers.reject(Path(file_name), "the office belongs to another organization")
    figures = _contribution_figures(path, dataset, encoding)
    contribution.submitted_by = _user(actor)
    contribution.file_name = file_name[:255]
    contribution.file_sha256 = readers.sha256_of(path)
    contribution.rows = [
        {
            "indicator": f.indicator,
            "area": f.area,
            "origin": f.origin,
            "year": f.year,
            "sex": f.sex,
            "value": f.value,
            "flag": f.flag,
        }
        for f in figures
    ]
    contribution.save()
    audit.record(
        actor,
        AuditAction.CREATE,
        contribution,
        organization_id=organization.pk,
        metadata={
            "dataset": dataset.pk,
            "figures": len(figures),
            "sha256": contribution.file_sha256,
        },
    )
    return contribution


@dataclass(frozen=True)
class ContributionChange:
    indicator: str
    area: str
    origin: str | None
    year: int
    sex: str
    before: float | None
    after: float | None
    change: str  # added, changed, unchanged


def contribution_diff(contribution: Contribution) -> list[ContributionChange]:
    """What merging the contribution would change in its data set, figure by figure; once
    approved, what it did change (the values it replaced are kept with it)."""
    if contribution.status == ContributionStatus.APPROVED:
        return [
            ContributionChange(
                row["indicator"],
                row["area"],
                row["origin"],
                row["year"],
                row["sex"],
                row.get("before"),
                row["value"],
                row.get("change", "changed"),
            )
            for row in contribution.rows
        ]
    existing = {
        (row[0], row[1], row[2], row[3], row[4]): row[5]
        for row in Observation.objects.filter(
            dataset=contribution.dataset,
            area__in={row["area"] for row in contribution.rows},
        ).values_list("indicator__code", "area_id", "origin_id", "year", "sex", "value")
    }
    changes = []
    for row in contribution.rows:
        key = (row["indicator"], row["area"], row["origin"], row["year"], row["sex"])
        if key not in existing:
            change, before = "added", None
        else:
            before = existing[key]
            change = "unchanged" if before == row["value"] else "changed"
        changes.append(ContributionChange(*key, before, row["value"], change))
    return changes


@transaction.atomic
def review_contribution(
    contribution: Contribution, *, actor: Any, approve: bool, note: str = ""
) -> Contribution:
    """Approve (merge every figure into the data set, each pointing back to the contribution)
    or reject (with a reason). A contribution is reviewed once, never by its submitter."""
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    require(actor, "statistics.review_contribution", contribution)
    if contribution.status != ContributionStatus.SUBMITTED:
        raise ValidationError(
            _("This contribution was already reviewed (%(status)s).")
            % {"status": contribution.get_status_display()}
        )
    if not approve and not note.strip():
        raise ValidationError(_("Say why the contribution is rejected, so the office can fix it."))
    merged = {"added": 0, "changed": 0}
    if approve:
        merged = _merge(contribution)
    contribution.status = ContributionStatus.APPROVED if approve else ContributionStatus.REJECTED
    contribution.reviewed_by = _user(actor)
    contribution.reviewed_at = timezone.now()
    contribution.review_note = note.strip()
    contribution.save()
    audit.record(
        actor,
        AuditAction.UPDATE,
        contribution,
        organization_id=contribution.organization_id,
        changes={"status": [ContributionStatus.SUBMITTED, contribution.status]},
        metadata=merged,
    )
    return contribution


def _merge(contribution: Contribution) -> dict[str, int]:
    """Write the figures (the data set row is locked first, so merges and imports of the
    same data set take turns), keeping with each row the value it replaced."""
    dataset = Dataset.objects.select_for_update().get(pk=contribution.dataset_id)
    indicator_ids = dict(Indicator.objects.values_list("code", "id"))
    changes = contribution_diff(contribution)  # read under the lock: what really changes
    counts = {"added": 0, "changed": 0, "unchanged": 0}
    rows = []
    for row, change in zip(contribution.rows, changes, strict=True):
        counts[change.change] += 1
        rows.append({**row, "before": change.before, "change": change.change})
        if change.change == "unchanged":
            continue
        Observation.objects.update_or_create(
            dataset=dataset,
            indicator_id=indicator_ids[row["indicator"]],
            area_id=row["area"],
            origin_id=row["origin"],
            year=row["year"],
            sex=row["sex"],
            defaults={"value": row["value"], "flag": row["flag"], "contribution": contribution},
        )
    contribution.rows = rows
    years = [row["year"] for row in contribution.rows]
    dataset.last_year = max([dataset.last_year or 0, *years]) or None
    dataset.has_origins = dataset.has_origins or any(row["origin"] for row in rows)
    dataset.save(update_fields=["last_year", "has_origins"])
    return counts
