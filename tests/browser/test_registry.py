"""The registry in the browser: the questions people ask of it, answered on its pages.

The real reference data (registry/reference/*.yaml) is loaded for each test; axe checks every
page the tests open.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from migration_hub.core.services import load_countries
from migration_hub.registry.loader import load_reference

pytestmark = pytest.mark.browser


@pytest.fixture
def reference(people) -> None:
    """Countries, regions and the registry's reference files, loaded as in production."""
    load_countries()
    load_reference()


def test_directory_finds_who_works_on_a_theme_in_a_region(page, reference) -> None:
    page.sign_in("demo-viewer")
    page.goto("/registry/")
    expect(page.get_by_role("heading", name="Directory of migration governance")).to_be_visible()
    results = page.get_by_role("region", name="Organizations")

    # Who works on GCM objective 10, trafficking in persons? UNODC is tagged with the MIGOF
    # thematic area on trafficking, which the crosswalk links to the objective.
    page.get_by_label("Works on").select_option("GCM-O10")
    expect(results.get_by_role("link", name="European Union")).to_have_count(0)  # filtered
    expect(
        results.get_by_role("link", name="United Nations Office on Drugs and Crime")
    ).to_be_visible()

    # Who works on remittances (GCM objective 20) in Africa, and is a bank?
    page.get_by_label("Works on").select_option("GCM-O20")
    page.get_by_label("Region").select_option("019")  # Americas: not the African bank
    expect(results.get_by_role("link", name="African Development Bank")).to_have_count(0)
    expect(results.get_by_role("link", name="World Bank")).to_be_visible()
    page.get_by_label("Region").select_option("002")  # Africa
    page.get_by_label("Search").fill("bank")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("2 results", exact=True)).to_be_visible()
    expect(results.get_by_role("link", name="African Development Bank")).to_be_visible()
    expect(results.get_by_role("link", name="World Bank")).to_be_visible()
    for part in ("thematic_area=GCM-O20", "region=002", "q=bank"):
        assert part in page.url  # pushed by htmx: the answer can be bookmarked
    page.check()

    # A MIGOF thematic area works the same way.
    page.goto("/registry/?thematic_area=MIGOF-TA-15")
    expect(results.get_by_role("link", name="World Health Organization")).to_be_visible()


def test_gap_analysis_of_a_country_in_words_and_as_csv(page, reference) -> None:
    page.sign_in("demo-viewer")
    page.goto("/registry/countries/MEX/")
    expect(page.get_by_role("heading", name="Mexico", exact=True)).to_be_visible()
    gaps = page.get_by_role("region", name="Gap analysis")

    def status_of(instrument: str):
        return gaps.get_by_role("row").filter(has_text=instrument).locator(".status-label")

    expect(status_of("1951 Refugee Convention")).to_have_text("Party")
    expect(status_of("Migrant Workers Convention")).to_have_text("Party")
    expect(status_of("ILO C143")).to_have_text("Not a party")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    content = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    rows = {row[0]: row for row in csv.reader(io.StringIO(content))}
    assert rows["REFUGEE-CONVENTION"][2] == "party"
    assert rows["ICRMW"][2:] == ["party", "ratification", "1999-03-08"]
    assert rows["ILO-C143"][2] == "not-party"


def test_rights_an_instrument_protects(page, reference) -> None:
    page.sign_in("demo-viewer")
    page.goto("/registry/instruments/UDHR/")
    rights = page.locator("ul.rights")
    expect(
        rights.get_by_role("listitem").filter(has_text="Right to seek and enjoy asylum")
    ).to_contain_text("Article 14")
    item = rights.get_by_role("listitem").filter(has_text="Right to leave any country")
    expect(item).to_contain_text("Article 13")
    item.get_by_role("link").click()
    expect(page.get_by_role("heading", name=re.compile("Right to leave"))).to_be_visible()
    expect(page.get_by_role("link", name="Universal Declaration of Human Rights")).to_be_visible()
    page.check()


def test_parties_to_an_instrument_by_region(page, reference) -> None:
    page.sign_in("demo-viewer")
    page.goto("/registry/instruments/ICRMW/")
    chart = page.get_by_role("img", name=re.compile("States parties to .* by region"))
    expect(chart.locator("rect")).to_have_count(10)  # a track and a bar per M49 region
    by_region = page.get_by_role("region", name="States parties by region")
    expect(by_region.get_by_role("row", name=re.compile("^Americas"))).to_have_text(
        re.compile(r"Americas\s*16\s*57\s*28%")
    )
    ratifications = page.get_by_role("region", name="Signatures, ratifications and accessions")
    expect(ratifications.get_by_role("row").filter(has_text="Mexico")).to_contain_text(
        "Ratification 1999-03-08"
    )


def test_crosswalk_matrix_marks_linked_items(page, reference) -> None:
    page.sign_in("demo-viewer")
    page.goto("/registry/crosswalk/")
    matrix = page.locator("table.matrix")
    expect(matrix.locator("tbody th[scope=row]")).to_have_count(23)
    expect(matrix.locator("tbody th[scope=row]").first).to_contain_text("GCM-O1")
    headers = matrix.locator("thead th").all_inner_texts()
    assert any(text.startswith("MIGOF-") for text in headers)
    assert any(text.startswith("SDG-") for text in headers)
    column = headers.index("SDG-10.C")
    row = matrix.locator("tbody tr").filter(has=page.locator("th", has_text="GCM-O20"))
    expect(row.locator("td").nth(column - 1)).to_have_text("✓linked")
    expect(row.locator("td", has_text="linked")).to_have_count(2)  # and MIGOF-TA-03
    expect(row.locator("td").nth(headers.index("MIGOF-TA-03") - 1)).to_have_text("✓linked")
    expect(row.locator("td").nth(headers.index("SDG-8.7") - 1)).to_have_text("")


def test_network_members_by_role(page, reference) -> None:
    page.sign_in("demo-viewer")
    page.goto("/registry/networks/UNNM/")
    members = page.get_by_role("region", name="Members")
    expect(page.get_by_text("39 members", exact=True)).to_be_visible()
    expect(members.locator("tbody tr")).to_have_count(39)
    page.get_by_role("navigation", name="Show members by role").get_by_role(
        "link", name="Executive committee (9)"
    ).click()
    expect(page.get_by_text("9 members with this role", exact=True)).to_be_visible()
    expect(members.locator("tbody tr")).to_have_count(9)
    assert page.url.endswith("?role=executive-committee")
    page.check()


def test_union_lists_its_member_states_today(page, reference) -> None:
    page.sign_in("demo-viewer")
    page.goto("/registry/organizations/EU/")
    states = page.locator("ul.member-list li")
    expect(states).to_have_count(27)
    expect(page.locator("ul.member-list").get_by_role("link", name="France")).to_be_visible()
    expect(page.locator('ul.member-list a[href$="/GBR/"]')).to_have_count(0)
    page.locator("ul.member-list").get_by_role("link", name="France").click()
    expect(page.get_by_role("heading", name="France", exact=True)).to_be_visible()
    page.check()


def test_graph_draws_each_member(page, reference) -> None:
    page.sign_in("demo-viewer")
    page.goto("/registry/graph/?focus=UNNM")
    graph = page.get_by_role("group", name=re.compile("United Nations Network on Migration"))
    expect(graph.locator("a.graph-node")).to_have_count(39)
    expect(graph.locator("a.graph-node.highlighted polygon")).to_have_count(9)
    expect(page.get_by_text("Diamond: member of the executive committee")).to_be_visible()
    page.get_by_label("Network or union").select_option("EU")
    page.get_by_role("button", name="Show").click()
    graph = page.get_by_role("group", name=re.compile("European Union"))
    expect(graph.locator("a.graph-node")).to_have_count(27)
    expect(graph.locator("a.graph-node.highlighted")).to_have_count(0)
    assert "focus=EU" in page.url
    page.check()


def test_editor_corrects_an_organization_with_a_source_seen_in_history(page, reference) -> None:
    page.sign_in("demo-editor")
    page.goto("/registry/organizations/UNODC/")
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Founded").fill("1997")
    source = page.get_by_label("Source of this change")
    expect(source).to_have_attribute("required", "")
    source.fill("n/a")  # not a citation
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#id_change_source_error")).to_contain_text("Cite the source")
    page.check()
    source.fill("https://www.unodc.org/unodc/en/about-unodc/")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved, with its source, in the history.")).to_be_visible()
    page.check()
    page.get_by_role("link", name="History of changes").click()
    latest = page.locator("ol.versions > li").first
    expect(latest.get_by_role("heading", level=2)).to_contain_text("changed")
    expect(latest).to_contain_text("demo-editor")
    expect(
        latest.get_by_role("link", name="https://www.unodc.org/unodc/en/about-unodc/")
    ).to_be_visible()
    change = latest.get_by_role("row").filter(has_text="founded")
    expect(change.locator("td").last).to_have_text("1997")
    page.check()


def test_editor_corrects_an_instrument_with_a_source(page, reference) -> None:
    page.sign_in("demo-editor")
    page.goto("/registry/instruments/ICRMW/")
    page.get_by_role("link", name="Correct this record").click()
    page.get_by_label("symbol").fill("A/RES/45/158 (corrected)")
    page.get_by_label("Source of this change").fill("https://treaties.un.org/")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved, with its source, in the history.")).to_be_visible()
    expect(page.get_by_text("A/RES/45/158 (corrected)")).to_be_visible()
    page.check()


def test_viewer_may_not_edit(page, reference) -> None:
    page.sign_in("demo-viewer")
    page.goto("/registry/organizations/UNODC/")
    expect(page.get_by_role("link", name="History of changes")).to_be_visible()
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    response = page.goto("/registry/organizations/UNODC/edit/")
    assert response.status == 403


REGISTRY_PAGES = [
    "/registry/",
    "/registry/organizations/IOM/",
    "/registry/organizations/EU/",
    "/registry/organizations/IOM/edit/",
    "/registry/countries/MEX/",
    "/registry/networks/UNNM/",
    "/registry/networks/UNNM/?role=executive-committee",
    "/registry/instruments/",
    "/registry/instruments/UDHR/",
    "/registry/instruments/REFUGEE-CONVENTION/",
    "/registry/instruments/ICRMW/",
    "/registry/rights/",
    "/registry/rights/LEAVE-AND-RETURN/",
    "/registry/frameworks/",
    "/registry/frameworks/items/GCM-O10/",
    "/registry/frameworks/items/MIGOF-TA-04/",
    "/registry/frameworks/items/SDG-10.C/",
    "/registry/crosswalk/",
    "/registry/graph/?focus=UNNM",
    "/registry/graph/?focus=EU",
    "/registry/organizations/IOM/history/",
]


def test_registry_pages_fit_a_360_pixel_phone(page, reference) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.sign_in("demo-editor")
    too_wide = {}
    for path in REGISTRY_PAGES:
        response = page.goto(path)
        assert response.status == 200, path
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            too_wide[path] = overflow
    assert not too_wide, f"wider than the phone (px): {too_wide}"
