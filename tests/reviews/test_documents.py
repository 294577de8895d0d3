"""The compiled report as the secretariat opens it: DOCX read back with python-docx, PDF
drawn to PNG with pdftoppm, HTML parsed; in English and in Arabic; and the empty report."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from migration_hub.reviews import documents
from migration_hub.reviews.compilation import ReportInputError

PDFTOPPM = shutil.which("pdftoppm") or "/usr/bin/pdftoppm"
PART_KEYS = [
    "about",
    "coverage",
    "progress",
    "ranking",
    "comparison",
    "stakeholders",
    "practices",
    "quotes",
    "reviews",
]


def pdf_pages(pdf: bytes, directory: Path) -> list[Path]:
    """The PDF drawn to one PNG per page, at low resolution (the test checks it opens)."""
    source = directory / "report.pdf"
    source.write_bytes(pdf)
    result = subprocess.run(
        [PDFTOPPM, "-png", "-r", "30", str(source), str(directory / "page")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    pages = sorted(directory.glob("page*.png"))
    for page in pages:
        assert page.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        assert page.stat().st_size > 500
    return pages


def headings(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]


def test_docx_has_contents_headings_tables_and_charts(season):
    content, report = documents.compile_document(2026, "global", "docx")
    document = Document(io.BytesIO(content))
    titles = [part.title for part in documents.parts(report)]
    found = headings(document)
    assert found[0] == report.title
    assert "Contents" in found
    for title in titles:
        assert title in found
    # The table of contents links each entry to its heading's bookmark.
    anchors = [link.get(qn("w:anchor")) for link in document.element.body.iter(qn("w:hyperlink"))]
    assert [a for a in anchors if a][: len(titles)] == [f"part-{key}" for key in PART_KEYS]
    bookmarks = {b.get(qn("w:name")) for b in document.element.body.iter(qn("w:bookmarkStart"))}
    assert {f"part-{key}" for key in PART_KEYS} <= bookmarks
    # The coverage matrix: objectives x commissions, then the reviews per column.
    matrix = document.tables[0]
    assert [cell.text for cell in matrix.rows[0].cells] == [
        "Objective",
        "ECA",
        "ECE",
        "ECLAC",
        "ESCAP",
        "ESCWA",
        "No commission",
        "All reviews",
    ]
    assert [cell.text for cell in matrix.rows[1].cells][1:] == ["1", "1", "1", "0", "0", "0", "3"]
    assert [cell.text for cell in matrix.rows[-1].cells][1:] == ["1", "1", "1", "0", "0", "1", "4"]
    assert len(matrix.rows) == 1 + 23 + 1
    assert len(document.tables) >= 5
    # Four charts, drawn as PNG: coverage, progress, comparison, stakeholders.
    assert len(document.inline_shapes) == 4
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Kenya opened five one-stop centres." in text
    assert "Labour mobility scheme" in text


def test_pdf_opens_with_a_paged_table_of_contents(season, tmp_path):
    content, _report = documents.compile_document(2026, "ECA", "pdf")
    assert content.startswith(b"%PDF-")
    pages = pdf_pages(content, tmp_path)
    assert len(pages) >= 2
    pdftotext = shutil.which("pdftotext")
    if pdftotext:  # poppler-utils ships it with pdftoppm
        text = subprocess.run(
            [pdftotext, "-layout", "-l", "1", str(tmp_path / "report.pdf"), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "Contents" in text
        # Each entry of the table of contents ends with its page number.
        assert any(
            line.rstrip().endswith(("1", "2", "3"))
            for line in text.splitlines()
            if "Coverage matrix" in line
        )


def test_html_page_carries_the_matrix_charts_and_links(season):
    content, _report = documents.compile_document(2026, "global", "html")
    html = content.decode("utf-8")
    assert '<html lang="en" dir="ltr">' in html
    assert html.count("<svg") == 4
    for key in PART_KEYS:
        assert f'href="#part-{key}"' in html and f'id="part-{key}"' in html
    assert f'{season.kenya.pk}/#objective-1"' in html
    assert '<td class="n">4</td></tr>' in html  # all reviews, last cell of the matrix


def test_an_empty_cycle_is_a_clear_empty_report_in_every_format(season, tmp_path):
    message = "No review was submitted or published for 2030 in this scope"
    html, report = documents.compile_document(2030, "global", "html")
    assert report.is_empty
    assert message in html.decode("utf-8")
    assert "<svg" not in html.decode("utf-8")
    docx, _report = documents.compile_document(2030, "global", "docx")
    document = Document(io.BytesIO(docx))
    assert any(message in p.text for p in document.paragraphs)
    assert len(document.inline_shapes) == 0
    pdf, _report = documents.compile_document(2030, "global", "pdf")
    assert pdf_pages(pdf, tmp_path)


def test_arabic_is_right_to_left(season):
    html, _report = documents.compile_document(2026, "KEN", "html", language="ar")
    assert '<html lang="ar" dir="rtl">' in html.decode("utf-8")
    docx, _report = documents.compile_document(2026, "KEN", "docx", language="ar")
    body = Document(io.BytesIO(docx)).element.body
    paragraphs = list(body.iter(qn("w:p")))
    assert paragraphs
    assert all(p.pPr is not None and p.pPr.find(qn("w:bidi")) is not None for p in paragraphs)
    assert all(
        t.find(qn("w:tblPr")).find(qn("w:bidiVisual")) is not None for t in body.iter(qn("w:tbl"))
    )


def test_bad_input_is_refused_before_anything_is_drawn(season):
    with pytest.raises(ReportInputError, match="Unknown scope"):
        documents.compile_document(2026, "XYZ", "pdf")
    with pytest.raises(ValueError, match="unknown format"):
        documents.compile_document(2026, "global", "odt")
