"""Downloadable fund reports: the portfolio dashboard, the financial statement (sources and
uses) and donor reports, as XLSX (openpyxl) and PDF (WeasyPrint).

Each document is first built as a `Report`: sections, each with one table of typed cells
(text, money, percent...) and, in words, the gaps and checks it flags. The XLSX writes one
sheet per section with the figures as numbers; the PDF renders the same sections through
`templates/funds/pdf/report.html`. Both are built in the active language: call `render`
inside the request's language.

The PDF never fetches anything: charts are inline SVG drawn by vl-convert, the stylesheet is
inline, and WeasyPrint's URL fetcher refuses every URL but a data: URI.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, ROUND_UP, Decimal
from typing import Any

from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import get_language, get_language_bidi, ngettext
from django.utils.translation import gettext as _

from migration_hub.core.choices import ExportFormat
from migration_hub.core.exports import CONTENT_TYPES, neutralise
from migration_hub.core.pdf import url_fetcher, weasyprint_html

from . import charts, selectors
from .charts import below, money, number, percent, shortfall
from .ledger import CENT
from .models import LedgerTransaction

logger = logging.getLogger(__name__)

DOCUMENTS = ("portfolio", "statement", "donor")
FORMATS = ("xlsx", "pdf")
PDF_CONTENT_TYPE = "application/pdf"
XLSX_CONTENT_TYPE = CONTENT_TYPES[ExportFormat.XLSX]
ZERO = Decimal("0.00")

# Cell kinds: how a value is shown in the PDF and stored in the XLSX.
TEXT, MONEY, PERCENT, RATE, DATE = "text", "money", "percent", "rate", "date"
XLSX_FORMATS = {MONEY: "#,##0.00", PERCENT: "0.0#%", RATE: "0.000000##", DATE: "yyyy-mm-dd"}
EN_DASH = "\u2013"


# --- What a report is made of -----------------------------------------------------------------


@dataclass
class Column:
    header: str
    kind: str = TEXT


@dataclass
class Row:
    """One table row; `style` is '' or 'total' (a sum), 'flag' (a gap) or 'check'."""

    cells: list[Any]
    style: str = ""


@dataclass
class Section:
    """One part of a report: a PDF section and an XLSX sheet."""

    key: str
    title: str
    columns: list[Column] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    empty: str = ""
    chart: dict[str, Any] | None = None
    svg: str = ""

    def cells(self) -> list[dict[str, Any]]:
        """The rows as the PDF shows them: each cell's text and kind."""
        return [
            {
                "style": row.style,
                "cells": [
                    {
                        # A total row leaves the cells it does not sum blank.
                        "text": ""
                        if value is None and row.style in ("total", "check")
                        else show(value, column.kind),
                        "kind": column.kind,
                    }
                    for value, column in zip(row.cells, self.columns, strict=True)
                ],
            }
            for row in self.rows
        ]


@dataclass
class Report:
    """A document of a fund: its title-page facts and its sections."""

    document: str
    title: str
    fund: Any
    currency: str
    as_of: date
    last_movement: date | None
    subtitle: str = ""
    sections: list[Section] = field(default_factory=list)

    @property
    def has_contents(self) -> bool:
        """Longer documents get a table of contents."""
        return len(self.sections) > 4


def show(value: Any, kind: str) -> str:
    """A cell's text in the PDF, in the active language."""
    if value is None or value == "":
        return EN_DASH if kind != TEXT else ""
    if isinstance(value, date):
        return date_format(value, "DATE_FORMAT")
    if kind == MONEY:
        return number(value, 2)
    if kind == PERCENT:
        return percent(value)
    if kind == RATE:
        # As many decimals as the rate was recorded with (at most 8), at least 4.
        exponent = Decimal(value).normalize().as_tuple().exponent
        return number(value, max(4, min(8, -int(exponent))))
    return str(value)


# --- Gaps, in words ---------------------------------------------------------------------------


def share_text(share: selectors.Share, total: Decimal, missed: bool) -> str:
    """The share, with two decimals where one would contradict the verdict (20.0% below a
    target of 20.0% is shown as 19.96%)."""
    shown = share.share
    if total and share.target is not None and missed == (shown >= share.target):
        exact = share.amount * 100 / total
        return percent(exact.quantize(Decimal("0.01"), ROUND_DOWN if missed else ROUND_UP))
    return percent(shown)


def gap_text(
    share: selectors.Share, total: Decimal, currency: str, gap: Decimal | None = None
) -> str:
    """'below target: 12.0% of 20.0%, USD 1,234.00 short', 'target met: ...' or ''."""
    if share.target is None:
        return ""
    gap = shortfall(share, total) if gap is None else gap
    missed = below(share, total, gap)
    values = {"share": share_text(share, total, missed), "target": percent(share.target)}
    if not missed:
        return _("target met: %(share)s of %(target)s") % values
    if not total:
        return _("below target: %(share)s of %(target)s, nothing allocated yet") % values
    return _("below target: %(share)s of %(target)s, %(gap)s short") % {
        **values,
        "gap": money(gap, currency),
    }


def flagged(subject: str, status: str) -> str:
    """'Thematic area: TA1 Data - below target: ...'."""
    return _("%(subject)s – %(status)s") % {"subject": subject, "status": status}  # noqa: RUF001  (a real dash, so the catalogue finds the message)


def _status_style(missed: bool) -> str:
    return "flag" if missed else ""


# --- Sections ---------------------------------------------------------------------------------


def _about(report: Report, donor: Any = None) -> Section:
    rows = [
        Row([_("Fund"), report.fund.name]),
        Row([_("Fund code"), report.fund.code]),
        Row([_("Document"), report.title]),
    ]
    if donor is not None:
        rows.append(Row([_("Donor"), donor.name]))
        rows.append(Row([_("Kind of donor"), donor.get_kind_display()]))
    rows += [
        Row([_("Figures as of"), report.as_of]),
        Row([_("Last movement in the ledger"), report.last_movement or EN_DASH]),
        Row([_("Currency"), report.currency]),
    ]
    return Section(
        "about",
        _("About this report"),
        [Column(_("Item")), Column(_("Value"))],
        rows,
        notes=[_("Every figure is derived from the fund's double-entry ledger.")],
    )


def _portfolio_sections(folio: selectors.Portfolio) -> list[Section]:
    currency = folio.fund.currency
    money_header = _("Allocated (%(currency)s)") % {"currency": currency}
    total = folio.total_allocated
    b = folio.balances
    sections: list[Section] = []

    # Summary.
    target = folio.fund.funding_target
    progress = folio.funding_progress
    rows = [
        Row([_("Funding target"), target, ""]),
        Row(
            [
                _("Deposited by donors"),
                b.deposited,
                _("%(progress)s of the funding target") % {"progress": percent(progress)}
                if progress is not None
                else "",
            ]
        ),
        Row([_("Allocated to programmes, net of returns"), total, ""]),
        Row([_("Transferred to participating organizations"), b.transferred, ""]),
        Row([_("Unspent balances returned"), b.refunded, ""]),
        Row([_("Cash held"), b.cash, ""], "total"),
        Row([_("of which committed to approved programmes"), b.commitments, ""]),
        Row([_("available for allocation"), b.available, ""], "total"),
        Row(
            [
                _("Pipeline: selected but unfunded programmes"),
                folio.pipeline_total,
                ngettext("%(count)s programme", "%(count)s programmes", len(folio.pipeline))
                % {"count": len(folio.pipeline)},
            ]
        ),
    ]
    flags = [
        flagged(share.label, gap_text(share, total, currency, share.gap))
        for share in folio.targets
        if below(share, total, share.gap)
    ]
    sections.append(
        Section(
            "summary",
            _("Summary"),
            [
                Column(_("Item")),
                Column(_("Amount (%(currency)s)") % {"currency": currency}, MONEY),
                Column(_("Note")),
            ],
            rows,
            flags=flags,
            notes=[]
            if flags
            else [_("Every target is met.") if folio.targets else _("The fund has no targets.")],
        )
    )

    # Targets.
    sections.append(
        Section(
            "targets",
            _("Targets and gaps"),
            [
                Column(_("Target")),
                Column(_("Minimum share"), PERCENT),
                Column(_("Share"), PERCENT),
                Column(money_header, MONEY),
                Column(_("Short by (%(currency)s)") % {"currency": currency}, MONEY),
                Column(_("Status")),
            ],
            [
                Row(
                    [
                        share.label,
                        share.target,
                        share.share,
                        share.amount,
                        share.gap,
                        gap_text(share, total, currency, share.gap),
                    ],
                    _status_style(below(share, total, share.gap)),
                )
                for share in folio.targets
            ],
            notes=[
                _(
                    "A target asks for at least a share of the money allocated; the shortfall is "
                    "the money still needed to meet it at today's portfolio size."
                )
            ],
            empty=_("The fund has no targets."),
        )
    )

    def share_section(key: str, title: str, label: str, shares: list, chart: Any, note: str):
        rows = [
            Row(
                [
                    share.label,
                    share.amount,
                    share.share,
                    share.target,
                    gap_text(share, total, currency) or _("no target"),
                ],
                _status_style(below(share, total)),
            )
            for share in shares
        ]
        return Section(
            key,
            title,
            [
                Column(label),
                Column(money_header, MONEY),
                Column(_("Share"), PERCENT),
                Column(_("Target share"), PERCENT),
                Column(_("Status")),
            ],
            rows,
            notes=[note] if total else [note, _("No money has been allocated yet.")],
            flags=[
                flagged(share.label, gap_text(share, total, currency))
                for share in shares
                if below(share, total)
            ],
            chart=chart,
        )

    areas = share_section(
        "thematic-areas",
        _("By thematic area"),
        _("Thematic area"),
        folio.by_thematic_area,
        charts.thematic_area_chart(folio),
        _("Each programme counts for its thematic area."),
    )
    if total:
        areas.rows.append(Row([_("Total"), total, Decimal("100.0"), None, ""], "total"))
    sections.append(areas)
    sections.append(
        share_section(
            "regions",
            _("By region"),
            _("Region"),
            folio.by_region,
            charts.region_chart(folio),
            _(
                "A programme's money is split equally between the countries it covers, and "
                "each country counts in its region and sub-regions: shares of regions that "
                "contain one another do not add up."
            ),
        )
    )

    # Objectives and markers.
    sections.append(
        Section(
            "objectives",
            _("By GCM objective"),
            [Column(_("Objective")), Column(money_header, MONEY), Column(_("Share"), PERCENT)],
            [Row([share.label, share.amount, share.share]) for share in folio.by_objective],
            notes=[
                _(
                    "A programme counts in full for each objective it serves, so the shares "
                    "add up to more than 100%."
                )
            ],
            empty=_("No money has been allocated to a programme with objectives yet."),
        )
    )
    sections.append(
        Section(
            "markers",
            _("By marker"),
            [
                Column(_("Marker")),
                Column(_("Score")),
                Column(money_header, MONEY),
                Column(_("Share"), PERCENT),
            ],
            [
                Row([name, share.label, share.amount, share.share])
                for name, shares in folio.by_marker.items()
                for share in shares
            ],
            empty=_("The fund has no markers."),
        )
    )

    # Pipeline.
    rows = [
        Row(
            [
                item["programme"].code,
                item["programme"].title,
                item["programme"].get_status_display(),
                str(item["programme"].thematic_area),
                ", ".join(country.name for country in item["programme"].countries.all()),
                item["budget"],
                item["cumulative"],
                _("yes") if item["fundable_now"] else _("no"),
            ]
        )
        for item in folio.pipeline
    ]
    if rows:
        rows.append(Row([_("Total"), "", "", "", "", folio.pipeline_total, None, ""], "total"))
    short = max(folio.pipeline_total - b.available, ZERO)
    pipeline = Section(
        "pipeline",
        _("Pipeline: selected but unfunded programmes"),
        [
            Column(_("Code")),
            Column(_("Programme")),
            Column(_("Status")),
            Column(_("Thematic area")),
            Column(_("Countries")),
            Column(_("Budget (%(currency)s)") % {"currency": currency}, MONEY),
            Column(_("Cumulative (%(currency)s)") % {"currency": currency}, MONEY),
            Column(_("Fundable now")),
        ],
        rows,
        notes=[
            _(
                "Available for allocation: %(available)s; the pipeline needs %(needed)s. "
                "Fundable now: the programme and those before it fit in the available balance."
            )
            % {
                "available": money(b.available, currency),
                "needed": money(folio.pipeline_total, currency),
            }
        ],
        empty=_("No selected programme is waiting for money."),
    )
    if short:
        pipeline.flags.append(
            _("%(short)s more is needed to fund the whole pipeline.")
            % {"short": money(short, currency)}
        )
    sections.append(pipeline)
    return sections


def _statement_sections(statement: selectors.Statement) -> list[Section]:
    currency = statement.fund.currency
    b = statement.balances
    amount = _("Amount (%(currency)s)") % {"currency": currency}
    donors_total = sum((value for _name, value in statement.deposits_by_donor), ZERO)
    sent_total = sum((sent for _name, sent, _back in statement.transfers_by_organization), ZERO)
    back_total = sum((back for _name, _sent, back in statement.transfers_by_organization), ZERO)
    uses = b.uses

    sources = Section(
        "sources",
        _("Sources: deposits by donor"),
        [Column(_("Donor")), Column(_("Deposited (%(currency)s)") % {"currency": currency}, MONEY)],
        [Row([name or EN_DASH, value]) for name, value in statement.deposits_by_donor]
        + [Row([_("Total sources"), statement.sources], "total")],
    )
    if donors_total != statement.sources:
        sources.checks.append(
            _("The donors' deposits add up to %(sum)s, not the %(total)s deposited.")
            % {"sum": money(donors_total, currency), "total": money(statement.sources, currency)}
        )
    uses_section = Section(
        "uses",
        _("Uses: transfers by participating organization, less returns"),
        [
            Column(_("Participating organization")),
            Column(_("Transferred (%(currency)s)") % {"currency": currency}, MONEY),
            Column(_("Returned (%(currency)s)") % {"currency": currency}, MONEY),
            Column(_("Net (%(currency)s)") % {"currency": currency}, MONEY),
        ],
        [
            Row([name or EN_DASH, sent, back, sent - back])
            for name, sent, back in statement.transfers_by_organization
        ]
        + [Row([_("Total uses"), b.transferred, b.refunded, uses], "total")],
    )
    if (sent_total, back_total) != (b.transferred, b.refunded):
        uses_section.checks.append(
            _("The organizations' lines add up to %(sent)s transferred and %(back)s returned.")
            % {"sent": money(sent_total, currency), "back": money(back_total, currency)}
        )

    difference = statement.sources - uses - statement.balance
    balance = Section(
        "balance",
        _("Balance"),
        [Column(_("Item")), Column(amount, MONEY)],
        [
            Row([_("Sources"), statement.sources]),
            Row([_("less uses"), uses]),
            Row([_("Cash balance"), statement.balance], "total"),
            Row([_("of which committed to approved programmes"), b.commitments]),
            Row([_("available for allocation"), b.available], "total"),
            Row([_("Check: sources - uses - balance"), difference], "check"),
        ],
    )
    values = {
        "sources": money(statement.sources, currency),
        "uses": money(uses, currency),
        "balance": money(statement.balance, currency),
    }
    if difference == 0:
        balance.notes.append(
            _("Check: sources - uses = balance: %(sources)s - %(uses)s = %(balance)s.") % values
        )
    else:
        balance.checks.append(
            _(
                "Check failed: sources - uses = %(computed)s, but the cash balance is "
                "%(balance)s (a difference of %(difference)s)."
            )
            % {
                **values,
                "computed": money(statement.sources - uses, currency),
                "difference": money(difference, currency),
            }
        )
    if b.trial_balance != 0:
        balance.checks.append(
            _("The ledger's entries add up to %(total)s instead of zero.")
            % {"total": money(b.trial_balance, currency)}
        )
    return [sources, uses_section, balance]


def _donor_sections(report: selectors.DonorReport) -> list[Section]:
    fund = report.fund
    currency = fund.currency
    unearmarked = _("Unearmarked")
    donor_summary = Section(
        "donor",
        _("Contribution to the fund"),
        [
            Column(_("Item")),
            Column(_("Amount (%(currency)s)") % {"currency": currency}, MONEY),
            Column(_("Note")),
        ],
        [
            Row(
                [
                    _("Deposited by %(donor)s") % {"donor": report.donor.name},
                    report.deposited,
                    _("%(share)s of the fund's deposits")
                    % {"share": percent(report.share_of_fund)},
                ]
            ),
            Row([_("Deposited by all donors"), report.portfolio.balances.deposited, ""], "total"),
        ],
    )
    contributions = Section(
        "contributions",
        _("Contributions"),
        [
            Column(_("Pledged on"), DATE),
            Column(_("Reference")),
            Column(_("Earmark")),
            Column(_("Status")),
            Column(_("Currency")),
            Column(_("Pledged"), MONEY),
            Column(_("Deposited"), MONEY),
            Column(_("Deposited (%(currency)s)") % {"currency": currency}, MONEY),
        ],
        [
            Row(
                [
                    c.pledged_on,
                    c.reference,
                    str(c.earmarked_thematic_area or c.earmarked_region or unearmarked),
                    c.get_status_display(),
                    c.currency,
                    c.amount,
                    sum((d.amount for d in c.deposits.all()), ZERO),
                    sum((d.fund_amount for d in c.deposits.all()), ZERO),
                ]
            )
            for c in report.contributions
        ],
        empty=_("No contribution recorded."),
    )
    if report.contributions:
        contributions.rows.append(
            Row([None, _("Total"), "", "", "", None, None, report.deposited], "total")
        )
    deposits = Section(
        "deposits",
        _("Deposits"),
        [
            Column(_("Deposited on"), DATE),
            Column(_("Reference")),
            Column(_("Currency")),
            Column(_("Amount"), MONEY),
            Column(_("Exchange rate"), RATE),
            Column(_("Amount (%(currency)s)") % {"currency": currency}, MONEY),
        ],
        [
            Row([d.date, c.reference, c.currency, d.amount, d.rate, d.fund_amount])
            for c in report.contributions
            for d in sorted(c.deposits.all(), key=lambda d: (d.date, d.pk))
        ],
        empty=_("No deposit yet."),
    )
    earmarks = Section(
        "earmarks",
        _("Deposits by earmark"),
        [
            Column(_("Earmark")),
            Column(_("Deposited (%(currency)s)") % {"currency": currency}, MONEY),
        ],
        [
            # The selector names unearmarked money in English: show it in the report's language.
            Row([unearmarked if label == "unearmarked" else label, value])
            for label, value in report.earmarked
        ],
        empty=_("No deposit yet."),
    )
    return [donor_summary, contributions, deposits, earmarks]


# --- Building a document ----------------------------------------------------------------------


def build(document: str, *, fund: Any, donor: Any = None) -> Report:
    """The report `document` of `fund` (and `donor`), in the active language."""
    if document not in DOCUMENTS:
        raise ValueError(f"unknown document {document!r}: choose one of {', '.join(DOCUMENTS)}")
    if document == "donor" and donor is None:
        raise ValueError("a donor report needs a donor")
    titles = {
        "portfolio": _("Portfolio balance"),
        "statement": _("Financial statement: sources and uses of funds"),
        "donor": _("Donor report"),
    }
    report = Report(
        document=document,
        title=titles[document],
        fund=fund,
        currency=fund.currency,
        as_of=timezone.localdate(),
        last_movement=LedgerTransaction.objects.filter(fund=fund).aggregate(last=Max("date"))[
            "last"
        ],
        subtitle=donor.name if document == "donor" else "",
    )
    if document == "portfolio":
        sections = _portfolio_sections(selectors.portfolio(fund))
    elif document == "statement":
        sections = _statement_sections(selectors.statement(fund))
    else:
        donor_report = selectors.donor_report(fund, donor)
        # The donor's money, then the portfolio it shares in.
        sections = _donor_sections(donor_report) + _portfolio_sections(donor_report.portfolio)
        for section in sections:
            if section.key == "summary":
                section.title = _("The fund's money")
    report.sections = [_about(report, donor if document == "donor" else None), *sections]
    return report


# --- XLSX -------------------------------------------------------------------------------------


def _sheet_title(title: str, taken: set[str]) -> str:
    """A valid, unique sheet name: at most 31 characters, none of []:*?/\\."""
    cleaned = re.sub(r"\s+", " ", re.sub(r"[\[\]:*?/\\]", " ", title))
    base = cleaned.strip(" '")[:31].strip(" '") or "sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def _xlsx_value(value: Any, kind: str) -> Any:
    """A cell's value: money and percentages as exact numbers, text neutralised."""
    if value is None or value == "":
        return None
    if kind == MONEY:
        # Written as Decimal: openpyxl stores it with 16 significant digits, exact for money.
        return Decimal(value).quantize(CENT)
    if kind == PERCENT:
        return Decimal(value) / 100
    if kind == RATE:
        return Decimal(value)
    if isinstance(value, date):
        return value
    return neutralise(str(value))


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = neutralise(f"{report.fund.name}: {report.title}")[:255]
    workbook.properties.creator = "Migration Hub"
    bold = Font(bold=True)
    taken: set[str] = set()
    for section in report.sections:
        sheet = workbook.create_sheet(_sheet_title(section.title, taken))
        sheet.append([neutralise(column.header) for column in section.columns])
        for cell in sheet[1]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        widths = [len(column.header) for column in section.columns]
        for row in section.rows:
            values = [
                _xlsx_value(value, column.kind)
                for value, column in zip(row.cells, section.columns, strict=True)
            ]
            sheet.append(values)
            for index, (cell, column) in enumerate(
                zip(sheet[sheet.max_row], section.columns, strict=True)
            ):
                if isinstance(cell.value, date):
                    cell.number_format = XLSX_FORMATS[DATE]
                elif column.kind in XLSX_FORMATS and cell.value is not None:
                    cell.number_format = XLSX_FORMATS[column.kind]
                if row.style in ("total", "check"):
                    cell.font = bold
                shown = show(row.cells[index], column.kind)
                widths[index] = max(widths[index], len(shown) + (2 if column.kind == MONEY else 0))
        sheet.freeze_panes = "A2"
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 10), 60)
        texts = [*section.checks, *section.flags, *section.notes]
        if not section.rows and section.empty:
            texts.insert(0, section.empty)
        if texts:
            sheet.append([])
            for text in texts:
                sheet.append([neutralise(text)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- PDF --------------------------------------------------------------------------------------


def _draw_charts(report: Report) -> None:
    for section in report.sections:
        if section.chart is None or section.svg:
            continue
        try:
            section.svg = charts.to_svg(section.chart)
        except (ValueError, RuntimeError):  # pragma: no cover - the tables carry the figures
            logger.exception("could not draw the chart of %s", section.key)


def to_html(report: Report) -> str:
    """The report as one self-contained HTML page for WeasyPrint."""
    _draw_charts(report)
    return render_to_string(
        "funds/pdf/report.html",
        {
            "report": report,
            "sections": [
                {"section": section, "rows": section.cells()} for section in report.sections
            ],
            "as_of": date_format(report.as_of, "DATE_FORMAT"),
            "language": get_language() or "en",
            "direction": "rtl" if get_language_bidi() else "ltr",
        },
    )


def pdf_document(report: Report) -> Any:
    """WeasyPrint's laid-out document (pages), before it is written as PDF."""
    html_class = weasyprint_html(_("The XLSX download works without it."))
    return html_class(string=to_html(report), url_fetcher=url_fetcher()).render()


def to_pdf(report: Report) -> bytes:
    return pdf_document(report).write_pdf()


# --- The public entry point -------------------------------------------------------------------


def filename(report: Report, fmt: str, donor: Any = None) -> str:
    """An ASCII file name: MIG00-portfolio-2024-03-01.pdf."""
    parts = [report.fund.code, report.document]
    if donor is not None:
        parts.append(slugify(donor.name)[:40].strip("-") or str(donor.pk))
    parts.append(report.as_of.isoformat())
    return "-".join(parts) + f".{fmt}"


def render(document: str, fmt: str, *, fund: Any, donor: Any = None) -> tuple[bytes, str, str]:
    """(content, content type, file name) of `document` for `fund` in `fmt`."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    report = build(document, fund=fund, donor=donor)
    donor = donor if document == "donor" else None
    if fmt == "xlsx":
        return to_xlsx(report), XLSX_CONTENT_TYPE, filename(report, fmt, donor)
    return to_pdf(report), PDF_CONTENT_TYPE, filename(report, fmt, donor)
