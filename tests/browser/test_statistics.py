"""The statistics pages in a real browser: every chart drawn by the vendored Vega under the
strict Content Security Policy, accessible (axe), readable on a phone and without JavaScript.

The publishers' sample files are imported for each test, as `migration-hub demo` does.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from migration_hub.core.services import load_countries
from migration_hub.statistics import services
from migration_hub.statistics.charts import BUILDERS
from migration_hub.statistics.services import SAMPLES, SAMPLES_DIR

from .conftest import CheckedPage, assert_accessible

pytestmark = pytest.mark.browser

KENYA = "/statistics/areas/404/"
ALL_DRAWN = """() => {
  const views = Array.from(document.querySelectorAll('[data-spec]'));
  return views.length > 0 && views.every(
    (view) => view.dataset.rendered === 'true' && view.querySelector('canvas, svg'));
}"""


@pytest.fixture
def statistics(transactional_db: None) -> None:
    """Countries and regions, then every sample data set (tests/statistics/conftest.py's
    `all_samples`, which this directory's fixtures cannot reach)."""
    load_countries()
    for kind, name in SAMPLES:
        services.import_file(kind, SAMPLES_DIR / name)


def wait_for_charts(page: Page) -> int:
    page.wait_for_function(ALL_DRAWN, timeout=30_000)
    return page.locator("[data-spec]").count()


def test_a_country_profile_draws_every_chart(page, statistics, tmp_path: Path) -> None:
    page.goto(KENYA)
    expect(page.get_by_role("heading", name="Kenya", level=1)).to_be_visible()
    figures = page.get_by_role("list", name="Key figures")
    expect(figures).to_contain_text("1,050,147")
    expect(figures).to_contain_text("438,899")

    assert wait_for_charts(page.page) == len(BUILDERS)
    # Vega gives each drawn chart the ARIA graphics-document role, named by its description.
    chart = page.locator("#migrant-stock [data-spec]")
    expect(chart).to_have_attribute("role", "graphics-document")
    expect(chart).to_have_attribute(
        "aria-label", re.compile("^Line chart of the number of international migrants")
    )
    expect(chart.locator("canvas")).to_have_count(1)
    # Once drawn, the tables of figures fold away (still there to open and read).
    expect(page.locator("details[data-fallback][open]")).to_have_count(0)
    page.get_by_text("The figures as a table").first.click()
    expect(
        page.get_by_role("region", name="Figures: International migrants living in Kenya")
    ).to_be_visible()
    assert_accessible(page.page)  # again, with the charts drawn and a table open

    shot = tmp_path / "kenya.png"
    page.screenshot(path=str(shot), full_page=True)
    content = shot.read_bytes()
    assert content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) > 50_000

    sources = page.locator("#remittance-costs .stat-source")
    expect(sources).to_contain_text("World Bank")
    expect(sources).to_contain_text("CC BY 4.0")
    with page.expect_download() as download:
        page.locator("#migrant-stock").get_by_role("link", name="SVG").click()
    svg = Path(download.value.path()).read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "International migrants living in Kenya" in svg

    assert page.console_errors == []  # a CSP violation would be one


def test_the_profile_fits_a_phone(browser, live_server, statistics) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="en-GB")
    try:
        phone = CheckedPage(context.new_page(), live_server.url)
        phone.goto(KENYA)
        wait_for_charts(phone.page)
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page is {overflow}px wider than the phone"
        widths = phone.evaluate(
            "Array.from(document.querySelectorAll('[data-spec] canvas'))"
            ".map((canvas) => canvas.getBoundingClientRect().right)"
        )
        assert widths and max(widths) <= 375
        assert phone.console_errors == []
    finally:
        context.close()


def test_without_javascript_the_figures_are_tables(browser, live_server, statistics) -> None:
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    try:
        reader = context.new_page()
        reader.goto(live_server.url + KENYA)
        table = reader.get_by_role("region", name="Figures: International migrants living in Kenya")
        expect(table).to_be_visible()
        expect(table.get_by_role("row", name="2020")).to_contain_text("1,050,147")
        expect(reader.locator("[data-spec] canvas")).to_have_count(0)
        # (axe cannot run here: it is JavaScript. The other tests check the same markup.)
    finally:
        context.close()


def test_compare_two_countries(page, statistics) -> None:
    page.goto("/statistics/compare/")
    page.get_by_label("Areas to compare").select_option(["404", "800"])  # Kenya, Uganda
    page.get_by_role("button", name="Compare").click()
    page.wait_for_load_state()
    assert "areas=404" in page.url and "areas=800" in page.url
    latest = page.get_by_role("region", name="Latest figures")
    expect(latest.get_by_role("row", name="Kenya")).to_contain_text("1,050,147")
    expect(latest.get_by_role("row", name="Uganda")).to_contain_text("1,720,313")
    assert wait_for_charts(page.page) == 2
    page.check()
    assert_accessible(page.page)

    page.goto("/statistics/compare/?" + "&".join(f"areas={c}" for c in range(100, 106)))
    expect(page.get_by_role("alert")).to_contain_text("Choose at most 5 areas")
    assert page.console_errors == []


def test_an_office_sends_figures_and_a_reviewer_approves_them(page, people, tmp_path: Path) -> None:
    load_countries()
    regional = tmp_path / "eac.csv"
    regional.write_text("area,year,value\nKEN,2020,1050147\nUGA,2020,1720300\n", encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("columns: {area: area, year: year, value: value}\n", encoding="utf-8")
    services.import_file(
        "indicator-csv",
        regional,
        revision="2024",
        mapping=str(mapping),
        indicator="labour-migrants",
        dataset_key="eac-labour-migration",
        title="Labour migrants in the EAC",
        owner=people["home"].code,
    )
    sent = tmp_path / "kenya.csv"
    sent.write_text(
        "area,indicator,year,value\nKEN,labour-migrants,2020,1100000\n", encoding="utf-8"
    )

    page.sign_in("demo-contributor")
    page.goto("/statistics/contributions/new/")
    page.page.get_by_label("Regional data set").select_option(
        label="Labour migrants in the EAC (2024)"
    )
    page.page.get_by_label("File").set_input_files(str(sent))
    page.page.get_by_role("button", name="Send for review").click()
    page.check()
    expect(page.page.get_by_text("Added: 0, changed: 1, unchanged: 0.")).to_be_visible()
    expect(page.page.get_by_role("button", name="Approve and merge")).to_have_count(0)

    page.page.context.clear_cookies()
    page.sign_in("demo-reviewer")
    page.goto("/statistics/contributions/")
    page.page.get_by_role("link", name="kenya.csv").click()
    page.check()
    page.page.get_by_role("button", name="Approve and merge").click()
    page.check()
    expect(page.page.get_by_text("Approved and merged.")).to_be_visible()


def test_a_data_set_page_is_accessible(page, transactional_db) -> None:
    load_countries()
    report = services.import_file(
        "undesa-stock", SAMPLES_DIR / "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx"
    )
    page.goto("/statistics/")
    page.page.get_by_role("link", name="International Migrant Stock").first.click()
    page.check()
    expect(page.page.get_by_role("heading", level=1)).to_have_text("International Migrant Stock")
    assert page.page.url.endswith(report.dataset.get_absolute_url())
    expect(page.page.get_by_role("table").first).to_contain_text("Caribbean")
