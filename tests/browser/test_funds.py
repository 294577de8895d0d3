"""A trust fund in the browser: a fund manager, a reviewer and an applicant take a concept note
from the call to the programme's closure, and after each money step the dashboard's figures
balance (available = deposited - net allocated). axe checks every page opened; the dashboard
fits a phone.

The fund and its money are set up through the services, as the fund's tests do
(tests/funds/conftest.py, whose fixtures this directory cannot reach).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from migration_hub.core.choices import Role
from migration_hub.core.models import Country
from migration_hub.funds import services
from migration_hub.funds.models import Fund
from migration_hub.registry.models import Organization as RegistryOrganization
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

from .conftest import CheckedPage

pytestmark = pytest.mark.browser

S = "https://mptf.undp.org/fund/mig00"
DAY = date(2024, 3, 1)


@pytest.fixture
def mptf(transactional_db: None, countries, objectives) -> SimpleNamespace:
    """A fund kept by HOME, with USD 3,000,000 deposited by Germany; a fund manager and a
    reviewer of HOME, and an applicant (a contributor) of OTHER."""
    home = OrganizationFactory(code="HOME", name="Home Ministry of Migration")
    other = OrganizationFactory(code="OTHER", name="Other Agency for Refugees")
    users = {}
    for username, role, organization in [
        ("fund-manager", Role.FUND_MANAGER, home),
        ("reviewer", Role.REVIEWER, home),
        ("applicant", Role.CONTRIBUTOR, other),
    ]:
        users[username] = UserFactory(username=username)
        MembershipFactory(user=users[username], organization=organization, role=role)
    for code, name in [
        ("IOM", "International Organization for Migration"),
        ("ILO", "International Labour Organization"),
        ("UNICEF", "United Nations Children's Fund"),
    ]:
        RegistryOrganization.objects.create(
            code=code, acronym=code, name=name, kind="un-fund-programme", source=S
        )
    fund = services.create_fund(
        actor=None,
        organization=home,
        code="MIG00",
        name="Migration Multi-Partner Trust Fund",
        funding_target="70000000",
        thematic_areas=[
            ("TA1", "Data-driven discourse", [objectives[1], objectives[3]]),
            ("TA4", "Regular migration and development", [objectives[5], objectives[6]]),
        ],
        markers=[("GENDER", "Gender marker"), ("HUMAN-RIGHTS", "Human rights marker")],
    )
    contribution = services.record_contribution(
        actor=None,
        fund=fund,
        donor=services.donor_for(country=Country.objects.get(alpha3="DEU")),
        currency="USD",
        amount="3000000.00",
        pledged_on=DAY,
    )
    services.sign_contribution(actor=None, contribution=contribution, signed_on=DAY)
    services.record_deposit(actor=None, contribution=contribution, day=DAY, amount="3000000.00")
    return SimpleNamespace(fund=fund, **users)


def figures(page: Page) -> dict[str, Decimal]:
    """The dashboard's balances table: {figure: amount}."""
    return {
        row.get_attribute("data-figure"): Decimal(
            row.locator("td").inner_text().strip().replace(",", "")
        )
        for row in page.locator("#balances tbody tr").all()
    }


def dashboard_balances(page: CheckedPage, **expected: str) -> dict[str, Decimal]:
    """Open the dashboard and check that its figures balance and are the ones expected."""
    page.goto("/funds/MIG00/")
    found = figures(page.page)
    assert found["available"] == found["deposited"] - found["net-allocated"], found
    assert found["available"] == found["cash"] - found["commitments"], found
    expect(page.page.locator("#balance-check")).to_contain_text("The ledger balances.")
    for name, amount in expected.items():
        assert found[name.replace("_", "-")] == Decimal(amount), (name, found)
    return found


def switch_user(page: CheckedPage, username: str) -> None:
    page.page.context.clear_cookies()
    page.sign_in(username)


def submit(page: CheckedPage, button: str) -> None:
    page.page.get_by_role("button", name=button).click()
    page.page.wait_for_load_state()
    page.check()


def status(page: CheckedPage) -> str:
    return page.page.locator("#programme-status").inner_text()


def test_a_concept_note_goes_from_call_to_closure_with_the_money_balancing(
    page: CheckedPage, mptf
) -> None:
    p = page.page

    # The fund manager sees the money in, then opens a call.
    page.sign_in("fund-manager")
    dashboard_balances(page, deposited="3000000.00", available="3000000.00")
    p.get_by_role("link", name="Open a call for concept notes").click()
    page.check()
    p.get_by_label("Title").fill("Call for concept notes 2024")
    p.get_by_label("Opens on").fill("2024-01-01")
    p.get_by_label("Deadline").fill("2099-12-31")
    p.get_by_label("TA4 Regular migration and development").check()
    submit(page, "Open the call")
    expect(p.get_by_text("Call opened.")).to_be_visible()
    call_url = p.url

    # An applicant of another organization sends a concept note to the call.
    switch_user(page, "applicant")
    page.goto(call_url.removeprefix(page.base_url))
    p.get_by_role("link", name="Submit a concept note to this call").click()
    page.check()
    expect(p.get_by_label("Call for concept notes")).to_have_value(re.compile(r"\d+"))
    p.get_by_label("Title").fill("Skills partnerships in Southern Africa")
    p.get_by_label("Summary").fill("Labour mobility between South Africa and its neighbours.")
    p.get_by_label("Thematic area").select_option(label="TA4 Regular migration and development")
    p.get_by_label("Countries").select_option(label="South Africa")
    p.get_by_label("GCM-O5 Objective 5").check()
    p.get_by_label("International Organization for Migration").check()
    p.get_by_label("International Labour Organization").check()
    p.get_by_label("National partners").fill("Department of Employment and Labour")
    p.get_by_label("Budget requested").fill("1000000")
    p.get_by_label("Gender marker").select_option("2")
    p.get_by_label("Human rights marker").select_option("3")
    submit(page, "Submit the concept note")
    expect(p.get_by_text("Concept note MIG00-001 submitted.")).to_be_visible()
    assert status(page) == "Concept note submitted"
    programme_url = p.url.removeprefix(page.base_url)
    # Its objective and country link to the registry and to the statistics.
    expect(p.get_by_role("link", name="GCM-O5 Objective 5")).to_have_attribute(
        "href", "/registry/frameworks/items/GCM-O5/"
    )
    expect(p.get_by_role("link", name="Migration statistics of South Africa")).to_be_visible()

    # A reviewer of the fund's organization scores it on the rubric.
    switch_user(page, "reviewer")
    page.goto(programme_url)
    for criterion in mptf.fund.rubric:
        p.get_by_label(criterion["label"]).fill("4")
    submit(page, "Save scores")
    assert status(page) == "Quality assessed"

    # The fund manager: decision, document with budgets, approval.
    switch_user(page, "fund-manager")
    page.goto(programme_url)
    p.get_by_label("Selected", exact=True).check()
    p.get_by_label("Reasons").fill("Strong national ownership; fills the Southern Africa gap.")
    submit(page, "Record the decision")
    assert status(page) == "Selected"
    p.get_by_label("Budget of International Organization for Migration").fill("600000")
    p.get_by_label("Budget of International Labour Organization").fill("400,000.00")
    submit(page, "Submit the document")
    assert status(page) == "Joint programme document"
    expect(p.locator("#approval-figures")).to_contain_text(
        "Budget to allocate: USD 1,000,000.00. Enough money is available."
    )
    expect(p.locator("#approval-pools")).to_have_text("Unearmarked: USD 1,000,000.00")
    submit(page, "Approve and allocate")
    assert status(page) == "Approved"
    dashboard_balances(
        page, deposited="3000000.00", net_allocated="1000000.00", available="2000000.00"
    )

    # A tranche to IOM; asking for more than its budget is refused and moves nothing.
    page.goto(programme_url)
    transfer = p.locator("#step-transfer")
    transfer.get_by_label("To participating organization").select_option(
        label="International Organization for Migration (IOM)"
    )
    transfer.get_by_label("Amount of the tranche").fill("600000.01")
    submit(page, "Transfer the tranche")
    expect(p.get_by_role("alert")).to_contain_text("at most USD 600,000.00 can go in this tranche")
    expect(transfer.get_by_label("Amount of the tranche")).to_have_value("600000.01")
    transfer.get_by_label("Amount of the tranche").fill("600000.00")
    submit(page, "Transfer the tranche")
    expect(p.get_by_text("Tranche 1 of USD 600,000.00 transferred")).to_be_visible()
    dashboard_balances(
        page,
        transferred="600000.00",
        cash="2400000.00",
        commitments="400000.00",
        available="2000000.00",
    )

    # IOM's financial report, then closure: the unspent balance comes back to the fund.
    page.goto(programme_url)
    report = p.locator("#step-report")
    report.get_by_label("Annual financial report").check()
    report.get_by_label("From participating organization").select_option(
        label="International Organization for Migration (IOM)"
    )
    report.get_by_label("Expenditure").fill("550000")
    report.get_by_label(re.compile("Tranche 1 to International Organization")).check()
    submit(page, "Record the report")
    expect(p.get_by_text("Report recorded.")).to_be_visible()
    expect(p.locator("#closure-figures")).to_contain_text(
        "returns the unspent balance of USD 50,000.00 to the fund and releases USD 400,000.00"
    )
    submit(page, "Close and return the unspent balance")
    assert status(page) == "Closed"
    expect(p.locator("#timeline")).to_contain_text("Closed on")
    dashboard_balances(
        page,
        deposited="3000000.00",
        returned="50000.00",
        released="400000.00",
        net_allocated="550000.00",
        commitments="0.00",
        available="2450000.00",
    )

    # The other pages of the fund, each checked by axe.
    for path in (
        "/funds/",
        "/funds/MIG00/statement/",
        "/funds/MIG00/ledger/",
        "/funds/programmes/?fund=MIG00",
        "/funds/contributions/?fund=MIG00",
        "/funds/calls/",
        "/funds/exchange-rates/",
    ):
        page.goto(path)
    page.goto("/funds/MIG00/")
    p.get_by_role("link", name="Germany", exact=True).click()
    page.check()
    expect(p.get_by_role("heading", level=1)).to_have_text(
        "Germany in Migration Multi-Partner Trust Fund"
    )
    # The one error in the console is the refused tranche's page (status 400).
    assert [e for e in page.console_errors if "400 (Bad Request)" not in e] == []


def test_a_deposit_in_euros_shows_the_rate_it_was_converted_at(page: CheckedPage, mptf) -> None:
    p = page.page
    page.sign_in("fund-manager")
    page.goto("/funds/exchange-rates/new/")
    # The fund manager's only organization keeps the rate table: nothing to choose.
    expect(p.get_by_label("Rate table of")).to_have_value(str(mptf.fund.organization_id))
    p.get_by_label("Currency", exact=True).fill("EUR")
    p.get_by_label("In currency").fill("USD")
    p.get_by_label("Date").fill("2024-06-03")
    p.get_by_label("Rate", exact=True).fill("1.0850")
    p.get_by_label("Source").fill("UN operational rate of exchange")
    submit(page, "Save the rate")
    expect(p.get_by_role("cell", name="1.085", exact=True)).to_be_visible()
    expect(p.get_by_role("cell", name="Home Ministry of Migration")).to_be_visible()

    page.goto("/funds/MIG00/contributions/new/")
    p.get_by_label("State", exact=True).check()  # the kind of donor
    p.get_by_label("Donor state").select_option(label="Norway")
    p.get_by_label("Currency").fill("EUR")
    p.get_by_label("Amount pledged").fill("1000000")
    p.get_by_label("Pledged on").fill("2024-05-01")
    p.get_by_label("Earmarked to thematic area").select_option(label="TA1 Data-driven discourse")
    submit(page, "Record the pledge")
    expect(p.locator("#contribution-status")).to_have_text("Pledged")
    p.get_by_label("Agreement signed on").fill("2024-05-15")
    submit(page, "Record the signature")
    expect(p.locator("#contribution-status")).to_have_text("Signed")
    expect(p.locator("#known-rates")).to_contain_text("1 EUR = 1.085 USD")

    # No rate that day: refused, the date named, nothing recorded.
    p.get_by_label("Deposited on").fill("2024-06-04")
    p.get_by_label("Amount received").fill("1000000")
    submit(page, "Record the deposit")
    expect(p.get_by_role("alert")).to_contain_text("There is no exchange rate from EUR to USD")
    expect(p.locator("#deposits")).to_contain_text("No deposit yet.")
    p.get_by_label("Deposited on").fill("2024-06-03")
    submit(page, "Record the deposit")
    expect(p.get_by_text("EUR 1,000,000.00 at 1.085 = USD 1,085,000.00")).to_be_visible()
    expect(p.locator("#contribution-status")).to_have_text("Deposited")
    expect(p.locator("#deposits").get_by_role("row", name=re.compile("1.085"))).to_contain_text(
        "1,085,000.00"
    )
    found = dashboard_balances(page, deposited="4085000.00", available="4085000.00")
    assert found["cash"] == Decimal("4085000.00")
    expect(p.locator("#pools")).to_contain_text("Earmarked to thematic area TA1")


def test_the_dashboard_fits_a_phone(browser, live_server, mptf) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    try:
        phone = CheckedPage(context.new_page(), live_server.url)
        phone.sign_in("fund-manager")
        phone.goto("/funds/MIG00/")
        expect(phone.page.get_by_role("heading", name="Balances")).to_be_visible()
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the dashboard is {overflow}px wider than the phone"
        assert phone.console_errors == []
    finally:
        context.close()


def test_the_dashboard_in_arabic_reads_right_to_left(browser, live_server, mptf) -> None:
    context = browser.new_context(locale="ar")
    try:
        reader = CheckedPage(context.new_page(), live_server.url)
        reader.goto("/accounts/login/")
        reader.page.locator("#id_username").fill("fund-manager")
        reader.page.locator("#id_password").fill("correct-horse-battery-9")
        reader.page.locator("#main form [type=submit]").click()
        reader.page.wait_for_load_state()
        reader.goto("/funds/MIG00/")
        assert reader.page.locator("html").get_attribute("dir") == "rtl"
        assert Fund.objects.filter(code="MIG00").exists()
    finally:
        context.close()
