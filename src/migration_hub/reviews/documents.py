"""A compiled GCM report as an HTML page, a DOCX (python-docx) or a PDF (WeasyPrint).

`compile_document(year, scope, fmt, language=...)` compiles the figures (`compilation.py`),
draws the charts (`charts.py`, SVG for HTML and PDF, PNG for DOCX) and renders the document,
all inside `language`: the fixed text comes from gettext, Arabic is set right to left. The
HTML and the PDF share one template (`reviews/report/report.html`); the PDF's table of
contents gets its page numbers from CSS `target-counter`, the DOCX's lists the headings with
links to them. Nothing is fetched: styles are inline and charts are inline SVG or PNG.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from migration_hub.core.pdf import PdfUnavailable, url_fetcher, weasyprint_html

from . import charts as report_charts
from .choices import ReportFormat
from .compilation import Progress, Report, Scope, compile_report

__all__ = ["PdfUnavailable", "compile_document", "render_docx", "render_html", "render_pdf"]

CONTENT_TYPES = {
    ReportFormat.HTML: "text/html; charset=utf-8",
    ReportFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ReportFormat.PDF: "application/pdf",
}
PRACTICES_LISTED = 150  # the most cited; the rest are counted
COMPILE_STEPS = 5  # compilation.STEPS
DRAW_STEPS = len(report_charts.BUILDERS)
TOTAL_STEPS = COMPILE_STEPS + DRAW_STEPS + 2  # then writing, then done


@dataclass
class Part:
    key: str
    title: str


def parts(report: Report) -> list[Part]:
    """The sections of every format, in order: the table of contents lists them."""
    return [
        Part("about", _("About this report")),
        Part("coverage", _("Coverage matrix")),
        Part("progress", _("Progress by objective")),
        Part("ranking", _("Most and least reported objectives")),
        Part("comparison", _("Comparison with the previous cycle")),
        Part("stakeholders", _("Stakeholder participation")),
        Part("practices", _("Practices cited")),
        Part("quotes", _("In the reviews' words")),
        Part("reviews", _("Reviews compiled")),
    ]


def direction() -> str:
    return "rtl" if translation.get_language_bidi() else "ltr"


def about_lines(report: Report) -> list[str]:
    """The paragraphs opening the report, shared by every format."""
    lines = [
        _("Scope: %(scope)s. Cycles: %(cycles)s.")
        % {"scope": report.scope.label, "cycles": ", ".join(report.cycles)},
    ]
    if report.is_empty:
        lines.append(
            _(
                "No review was submitted or published for %(year)s in this scope, so this "
                "report is empty: every count below is zero."
            )
            % {"year": report.year}
        )
    else:
        lines.append(
            _(
                "This report compiles %(count)s voluntary reviews submitted or published for "
                "%(year)s. An objective counts as reported when the review gives its progress "
                "or describes what was done."
            )
            % {"count": report.total, "year": report.year}
        )
    lines.append(
        _("Compiled on %(date)s by Migration Hub.")
        % {"date": date_format(report.generated_at, "DATE_FORMAT")}
    )
    return lines


def comparison_line(report: Report) -> str:
    if not report.has_previous:
        return _("There is no earlier cycle of the same kind to compare with.")
    return _("%(previous)s: %(count)s reviews in this scope.") % {
        "previous": ", ".join(report.previous_cycles),
        "count": report.previous_total,
    }


def practice_line(practice: Any) -> str:
    """Who cites a practice and on which objectives: "Kenya and 2 more reviews; objectives
    1, 5"."""
    if practice.reviews > 1:
        who = _("%(entity)s and %(count)s more reviews") % {
            "entity": practice.entity,
            "count": practice.reviews - 1,
        }
    else:
        who = practice.entity
    return _("%(who)s; objectives %(objectives)s") % {
        "who": who,
        "objectives": ", ".join(map(str, practice.objectives)),
    }


def empty_line() -> str:
    return _("Nothing to show: no review was compiled.")


def draw(report: Report, image: str, step: Callable[[str], None] | None = None) -> dict:
    """The report's charts drawn as "svg" or "png"."""
    found = report_charts.charts(report)
    for number, chart in enumerate(found.values(), start=1):
        if step:
            step(_("Drawing charts (%(n)s/%(total)s)") % {"n": number, "total": len(found)})
        if image == "svg":
            chart.image = report_charts.to_svg(chart.spec)
        else:
            chart.image = report_charts.to_png(chart.spec)
    return found


def _number(value: float | None) -> str:
    if value is None:
        return "\u2013"
    return f"{value:.1f}"


def _context(report: Report, drawn: dict) -> dict[str, Any]:
    return {
        "report": report,
        "parts": parts(report),
        "about": about_lines(report),
        "comparison_line": comparison_line(report),
        "empty_line": empty_line(),
        "charts": drawn,
        "language": translation.get_language() or "en",
        "direction": direction(),
        "practices": report.practices[:PRACTICES_LISTED],
        "more_practices": max(0, len(report.practices) - PRACTICES_LISTED),
        "generated": date_format(report.generated_at, "DATE_FORMAT"),
    }


# --- HTML and PDF -----------------------------------------------------------------------------


def render_html(report: Report, drawn: dict | None = None) -> str:
    """The report as one self-contained HTML page (the PDF is printed from it)."""
    if drawn is None:
        drawn = draw(report, "svg")
    return render_to_string("reviews/report/report.html", _context(report, drawn))


def render_pdf(report: Report, drawn: dict | None = None) -> bytes:
    html_class = weasyprint_html(_("HTML and DOCX work without it."))
    html = render_html(report, drawn)
    return html_class(string=html, url_fetcher=url_fetcher()).write_pdf()


# --- DOCX -------------------------------------------------------------------------------------


def _bookmark(paragraph: Any, name: str, number: int) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(number))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(number))
    paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
    paragraph._p.append(end)


def _link(paragraph: Any, text: str, *, anchor: str = "", url: str = "") -> None:
    """A hyperlink run: to a bookmark of the document, or to a web address."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    link = OxmlElement("w:hyperlink")
    if anchor:
        link.set(qn("w:anchor"), anchor)
    else:
        rel = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        link.set(qn("r:id"), rel)
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    properties.append(style)
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), "0B4F8A")
    properties.append(colour)
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    properties.append(underline)
    run.append(properties)
    node = OxmlElement("w:t")
    node.text = text
    node.set(qn("xml:space"), "preserve")
    run.append(node)
    link.append(run)
    paragraph._p.append(link)


def _table(document: Any, header: list[str], rows: list[list[Any]]) -> Any:
    table = document.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    cells = table.rows[0].cells
    for cell, text in zip(cells, header, strict=True):
        cell.text = str(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row, values in zip(table.rows[1:], rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = str(value)
    return table


def _right_to_left(document: Any) -> None:
    """Arabic: every paragraph, run and table set right to left."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    body = document.element.body
    for p in body.iter(qn("w:p")):
        properties = p.get_or_add_pPr()
        if properties.find(qn("w:bidi")) is None:
            properties.insert(0, OxmlElement("w:bidi"))
    for r in body.iter(qn("w:r")):
        properties = r.find(qn("w:rPr"))
        if properties is None:
            properties = OxmlElement("w:rPr")
            r.insert(0, properties)
        if properties.find(qn("w:rtl")) is None:
            properties.append(OxmlElement("w:rtl"))
    for table in body.iter(qn("w:tbl")):
        properties = table.find(qn("w:tblPr"))
        if properties is not None and properties.find(qn("w:bidiVisual")) is None:
            properties.append(OxmlElement("w:bidiVisual"))


def render_docx(report: Report, drawn: dict | None = None) -> bytes:
    """The report as a Word document: title, table of contents, headings, tables, charts."""
    from docx import Document
    from docx.shared import Cm, Pt

    if drawn is None:
        drawn = draw(report, "png")
    document = Document()
    document.core_properties.title = report.title
    document.core_properties.author = "Migration Hub"
    document.core_properties.language = translation.get_language() or "en"
    document.styles["Normal"].font.size = Pt(10)
    document.add_heading(report.title, level=0)

    sections = parts(report)
    document.add_heading(_("Contents"), level=1)
    for part in sections:
        paragraph = document.add_paragraph(style="List Number")
        _link(paragraph, part.title, anchor=f"part-{part.key}")

    def heading(part: Part, number: int) -> None:
        paragraph = document.add_heading(part.title, level=1)
        _bookmark(paragraph, f"part-{part.key}", number)

    def chart(key: str) -> None:
        found = drawn.get(key)
        if found is None:
            return
        document.add_picture(io.BytesIO(found.image), width=Cm(16))
        document.add_paragraph(found.description, style="Caption")

    titles = {part.key: part for part in sections}
    counter = iter(range(1, 100))
    heading(titles["about"], next(counter))
    for line in about_lines(report):
        document.add_paragraph(line)

    heading(titles["coverage"], next(counter))
    chart("coverage")
    header = [_("Objective"), *(c.label for c in report.columns), _("All reviews")]
    rows = [[o.label, *o.cells, o.reported] for o in report.objectives]
    rows.append([_("Reviews in the column"), *(c.reviews for c in report.columns), report.total])
    _table(document, header, rows)

    heading(titles["progress"], next(counter))
    chart("progress")
    labels = report.progress_labels
    _table(
        document,
        [_("Objective"), *(label for _key, label in labels)],
        [[o.label, *(o.progress.get(key, 0) for key, _label in labels)] for o in report.objectives],
    )

    heading(titles["ranking"], next(counter))
    if report.is_empty:
        document.add_paragraph(empty_line())
    else:
        for title, ranked in (
            (_("Most reported"), report.most_reported),
            (_("Least reported"), report.least_reported),
        ):
            document.add_heading(title, level=2)
            for objective in ranked:
                document.add_paragraph(
                    _("%(objective)s: %(count)s reviews (%(share)s%%)")
                    % {
                        "objective": objective.label,
                        "count": objective.reported,
                        "share": _number(objective.share),
                    },
                    style="List Bullet",
                )

    heading(titles["comparison"], next(counter))
    document.add_paragraph(comparison_line(report))
    chart("comparison")
    if report.has_previous:
        _table(
            document,
            [
                _("Objective"),
                _("Reviews %(year)s") % {"year": report.year},
                _("Share %(year)s (%%)") % {"year": report.year},
                _("Reviews %(year)s") % {"year": report.previous_year},
                _("Share %(year)s (%%)") % {"year": report.previous_year},
            ],
            [
                [o.label, o.reported, _number(o.share), o.previous, _number(o.previous_share)]
                for o in report.objectives
            ],
        )

    heading(titles["stakeholders"], next(counter))
    chart("stakeholders")
    _table(
        document,
        [_("Stakeholder group consulted"), _("Reviews")],
        [[c.label, c.count] for c in report.stakeholders],
    )
    document.add_paragraph()
    _table(
        document,
        [_("Level of the review"), _("Reviews")],
        [[c.label, c.count] for c in report.levels],
    )
    if report.stakeholder_groups:
        document.add_paragraph()
        _table(
            document,
            [_("Stakeholder reviews by group"), _("Reviews")],
            [[c.label, c.count] for c in report.stakeholder_groups],
        )

    heading(titles["practices"], next(counter))
    listed = report.practices[:PRACTICES_LISTED]
    if not listed:
        document.add_paragraph(_("No practice was cited."))
    for practice in listed:
        paragraph = document.add_paragraph(style="List Bullet")
        if practice.url:
            _link(paragraph, practice.title, url=practice.url)
        else:
            paragraph.add_run(practice.title)
        paragraph.add_run(" \u2014 " + practice_line(practice))
    if len(report.practices) > PRACTICES_LISTED:
        document.add_paragraph(
            _("And %(count)s more practices.") % {"count": len(report.practices) - PRACTICES_LISTED}
        )

    heading(titles["quotes"], next(counter))
    if not report.quotes:
        document.add_paragraph(empty_line())
    for objective in report.objectives:
        if not objective.quotes:
            continue
        document.add_heading(objective.label, level=2)
        for quote in objective.quotes:
            paragraph = document.add_paragraph(style="Quote")
            paragraph.add_run(f"\u201c{quote.text}\u201d \u2014 ")
            _link(paragraph, quote.entity, url=quote.url)

    heading(titles["reviews"], next(counter))
    if report.is_empty:
        document.add_paragraph(empty_line())
    else:
        _table(
            document,
            [_("Reporting entity"), _("Level"), _("Country"), _("Review")],
            [[r.entity, r.level, r.country, r.url] for r in report.reviews],
        )

    if direction() == "rtl":
        _right_to_left(document)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


# --- The entry point --------------------------------------------------------------------------


def filename(report: Report, fmt: str) -> str:
    """An ASCII file name: gcm-report-2026-global.pdf."""
    return f"gcm-report-{report.year}-{slugify(report.scope.code) or 'scope'}.{fmt}"


def render(report: Report, fmt: str, step: Callable[[str], None] | None = None) -> bytes:
    if fmt not in ReportFormat.values:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(ReportFormat.values)}")
    drawn = draw(report, "png" if fmt == ReportFormat.DOCX else "svg", step)
    if step:
        step(_("Writing the %(format)s") % {"format": fmt.upper()})
    if fmt == ReportFormat.DOCX:
        return render_docx(report, drawn)
    if fmt == ReportFormat.PDF:
        return render_pdf(report, drawn)
    return render_html(report, drawn).encode("utf-8")


def compile_document(
    year: int,
    scope: str | Scope,
    fmt: str,
    *,
    language: str = "en",
    progress: Progress | None = None,
    base_url: str = "",
) -> tuple[bytes, Report]:
    """(the document's bytes, the compiled figures) of `year`'s report on `scope` in `fmt`,
    its fixed text in `language`. `progress(step, total, message)` follows each step."""
    done = 0

    def step(message: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(min(done, TOTAL_STEPS), TOTAL_STEPS, message)

    def compiling(number: int, _total: int, message: str) -> None:
        nonlocal done
        done = number
        if progress is not None:
            progress(number, TOTAL_STEPS, message)

    if fmt not in ReportFormat.values:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(ReportFormat.values)}")
    with translation.override(language):
        report = compile_report(year, scope, progress=compiling, base_url=base_url)
        content = render(report, fmt, step)
    if progress is not None:
        progress(TOTAL_STEPS, TOTAL_STEPS, _("Done"))
    return content, report
