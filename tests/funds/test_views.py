"""The fund pages through the Django test client: who may read and act, each step's form
changing the state (Post/Redirect/Get), bad input shown next to its field with what was typed
kept and nothing written, exports and report downloads, query budgets, languages."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from migration_hub.core.choices import Role
from migration_hub.core.models import Country
from migration_hub.funds import ledger, services
from migration_hub.funds.choices import (
    ContributionStatus,
    DecisionOutcome,
    ProgrammeStatus,
    ReportKind,
)
from migration_hub.funds.models import (
    Call,
    Contribution,
    Deposit,
    Donor,
    ExchangeRate,
    LedgerEntry,
    LedgerTransaction,
    Programme,
    ProgressReport,
    Tranche,
)
from tests.factories import MembershipFactory

from .conftest import DAY

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


# Helpers ----------------------------------------------------------------------------------------


@pytest.fixture
def other_manager(make_member, other_organization):
    """A fund manager, but of another organization than the fund's."""
    return make_member(Role.FUND_MANAGER, other_organization, username="manager-other")


@pytest.fixture
def world(fund, fund_manager, approved_programme):
    """A fund with an approved programme (its money deposited by Germany), an open call and
    a pledge from France not yet signed."""
    programme = approved_programme()
    call = services.open_call(
        actor=fund_manager, fund=fund, title="Call 2024", opens_on=DAY, deadline=date(2099, 1, 1)
    )
    pledge = services.record_contribution(
        actor=fund_manager,
        fund=fund,
        donor=services.donor_for(country=Country.objects.get(alpha3="FRA"), actor=fund_manager),
        currency="USD",
        amount="500000.00",
        pledged_on=DAY,
    )
    deposited = Contribution.objects.get(fund=fund, donor__country__alpha3="DEU")
    return SimpleNamespace(
        fund=fund, programme=programme, call=call, pledge=pledge, deposited=deposited
    )


def written() -> dict[str, int]:
    """Row counts of everything a fund page can write."""
    models = [
        Contribution,
        Donor,
        Deposit,
        ExchangeRate,
        Call,
        Programme,
        Tranche,
        ProgressReport,
        LedgerTransaction,
        LedgerEntry,
    ]
    return {model.__name__: model.objects.count() for model in models}


def url(name: str, w: SimpleNamespace) -> str:
    code, programme = w.fund.code, w.programme.code
    return {
        "fund_list": reverse("funds:fund_list"),
        "fund_detail": reverse("funds:fund_detail", args=[code]),
        "statement": reverse("funds:statement", args=[code]),
        "donor_report": reverse("funds:donor_report", args=[code, w.deposited.donor_id]),
        "contribution_list": reverse("funds:contribution_list"),
        "contribution_detail": w.pledge.get_absolute_url(),
        "exchangerate_list": reverse("funds:exchangerate_list"),
        "call_list": reverse("funds:call_list"),
        "call_detail": w.call.get_absolute_url(),
        "programme_list": reverse("funds:programme_list"),
        "programme_detail": w.programme.get_absolute_url(),
        "ledger": reverse("funds:ledger", args=[code]),
        "contribution_create": reverse("funds:contribution_create", args=[code]),
        "call_create": reverse("funds:call_create", args=[code]),
        "exchangerate_create": reverse("funds:exchangerate_create"),
        "concept_note_create": reverse("funds:concept_note_create", args=[code]),
        "sign": reverse("funds:contribution_sign", args=[w.pledge.pk]),
        "deposit": reverse("funds:contribution_deposit", args=[w.deposited.pk]),
        **{
            step: reverse("funds:programme_step", args=[programme, step])
            for step in ("assess", "decide", "document", "approve", "transfer", "report", "close")
        },
    }[name]


def step_url(programme: Programme, step: str) -> str:
    return reverse("funds:programme_step", args=[programme.code, step])


def page_text(response) -> str:
    return response.content.decode()


def field_value(response, name: str) -> str:
    """The value an input of the re-rendered form holds."""
    html = page_text(response)
    start = html.index(f'name="{name}"')
    tag = html[html.rindex("<", 0, start) : html.index(">", start)]
    return tag.split('value="', 1)[1].split('"', 1)[0] if 'value="' in tag else ""


def balances_add_up(fund) -> None:
    money = ledger.balances(fund)
    assert money.trial_balance == 0
    assert money.available == money.deposited - money.net_allocated
    assert ledger.unbalanced_transactions(fund) == []


# Who may read and act -------------------------------------------------------------------------

READ_PAGES = [
    "fund_list",
    "fund_detail",
    "statement",
    "donor_report",
    "contribution_list",
    "contribution_detail",
    "exchangerate_list",
    "call_list",
    "call_detail",
    "programme_list",
    "programme_detail",
]
MANAGER_PAGES = ["contribution_create", "call_create"]
MANAGER_POSTS = [
    "contribution_create",
    "call_create",
    "sign",
    "deposit",
    "decide",
    "document",
    "approve",
    "transfer",
    "report",
    "close",
]


@pytest.mark.parametrize("name", [*READ_PAGES, *MANAGER_PAGES, "ledger", "concept_note_create"])
def test_anonymous_visitors_are_sent_to_sign_in(client, world, name) -> None:
    target = url(name, world)
    response = client.get(target)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN) and "next=" in response["Location"]


@pytest.mark.parametrize("name", [*MANAGER_POSTS, "assess"])
def test_anonymous_posts_write_nothing(client, world, name) -> None:
    before = written()
    response = client.post(url(name, world), {"decide-outcome": "rejected"})
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert written() == before


@pytest.mark.parametrize("who", ["viewer", "other_manager", "fund_manager"])
@pytest.mark.parametrize("name", READ_PAGES)
def test_signed_in_people_read_every_page(client, world, request, who, name) -> None:
    client.force_login(request.getfixturevalue(who))
    response = client.get(url(name, world))
    assert response.status_code == 200
    assert "<h1>" in page_text(response)


@pytest.mark.parametrize(
    ("who", "status"), [("viewer", 200), ("other_manager", 403), ("fund_manager", 200)]
)
def test_the_ledger_is_read_by_the_members_of_the_funds_organization(
    client, world, request, who, status
) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.get(url("ledger", world)).status_code == status
    dashboard = page_text(client.get(url("fund_detail", world)))
    assert (url("ledger", world) in dashboard) == (status == 200)


@pytest.mark.parametrize(("who", "status"), [("viewer", 403), ("other_manager", 403)])
@pytest.mark.parametrize("name", MANAGER_PAGES)
def test_only_the_funds_managers_open_its_forms(client, world, request, who, status, name):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(name, world)).status_code == status


@pytest.mark.parametrize("who", ["viewer", "other_manager"])
@pytest.mark.parametrize("name", MANAGER_POSTS)
def test_people_who_do_not_manage_the_fund_get_403_and_write_nothing(
    client, world, request, who, name
) -> None:
    client.force_login(request.getfixturevalue(who))
    before = written()
    response = client.post(
        url(name, world),
        {
            "transfer-organization": world.programme.participants.first().organization_id,
            "transfer-amount": "1.00",
            "transfer-transferred_on": "2024-03-02",
            "close-closed_on": "2024-03-02",
        },
    )
    assert response.status_code == 403
    assert written() == before


def test_the_forms_are_shown_only_to_who_may_use_them(client, world, viewer, fund_manager):
    client.force_login(viewer)
    programme_page = page_text(client.get(url("programme_detail", world)))
    assert "<form" not in programme_page.split("<main", 1)[1]
    assert "Transfer the tranche" not in programme_page
    assert "Record the signature" not in page_text(client.get(url("contribution_detail", world)))
    assert "Record a contribution" not in page_text(client.get(url("fund_detail", world)))
    client.force_login(fund_manager)
    programme_page = page_text(client.get(url("programme_detail", world)))
    for button in ("Transfer the tranche", "Record the report", "Close and return"):
        assert button in programme_page
    assert "Record the signature" in page_text(client.get(url("contribution_detail", world)))


def test_a_viewer_may_not_send_a_concept_note_but_an_applicant_may(
    client, world, viewer, applicant
) -> None:
    client.force_login(viewer)
    assert client.get(url("concept_note_create", world)).status_code == 403
    client.force_login(applicant)
    page = client.get(url("concept_note_create", world))
    assert page.status_code == 200
    # The applicant sends for their own organization only.
    assert "Other Agency for Refugees" in page_text(page)
    assert "Home Ministry of Migration" not in page_text(page)


def test_only_the_funds_reviewers_and_managers_assess(
    client, fund, concept_note, applicant, other_manager, reviewer
) -> None:
    programme = concept_note()
    scores = {f"assess-score_{c['code']}": "3" for c in fund.rubric}
    for outsider in (applicant, other_manager):
        client.force_login(outsider)
        assert client.post(step_url(programme, "assess"), scores).status_code == 403
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.SUBMITTED
    client.force_login(reviewer)
    assert "Save scores" in page_text(client.get(programme.get_absolute_url()))
    response = client.post(step_url(programme, "assess"), scores)
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.ASSESSED


def test_an_unknown_step_or_record_is_404(client, world, fund_manager) -> None:
    client.force_login(fund_manager)
    assert client.post(step_url(world.programme, "explode"), {}).status_code == 404
    assert client.get(reverse("funds:programme_detail", args=["NOPE-001"])).status_code == 404
    assert client.get(reverse("funds:fund_detail", args=["NOPE"])).status_code == 404
    assert client.get(reverse("funds:contribution_detail", args=[999999])).status_code == 404
    assert client.get(reverse("funds:donor_report", args=["MIG00", 999999])).status_code == 404


def test_a_post_without_the_csrf_token_is_refused(world, fund_manager) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(fund_manager)
    before = written()
    response = client.post(step_url(world.programme, "close"), {"close-closed_on": "2024-12-31"})
    assert response.status_code == 403
    assert written() == before


def test_a_step_url_opened_in_the_browser_goes_to_the_programme(client, world, fund_manager):
    client.force_login(fund_manager)
    response = client.get(step_url(world.programme, "transfer"))
    assert response.status_code == 302
    assert response["Location"] == world.programme.get_absolute_url()


def test_the_main_menu_offers_funds_to_signed_in_people(client, viewer) -> None:
    assert 'href="/funds/"' not in page_text(client.get("/"))
    client.force_login(viewer)
    assert 'href="/funds/"' in page_text(client.get("/"))


# Each step through its form -------------------------------------------------------------------


def post_step(client, programme: Programme, step: str, data: dict[str, Any]):
    response = client.post(step_url(programme, step), {f"{step}-{k}": v for k, v in data.items()})
    assert response.status_code == 302, page_text(response)[-3000:]
    assert response["Location"] == programme.get_absolute_url()
    page = client.get(response["Location"])
    programme.refresh_from_db()
    return page


def test_a_concept_note_goes_from_call_to_closure_through_the_pages(
    client, fund, fund_manager, reviewer, applicant, deposit, un_organizations, objectives
) -> None:
    deposit("3000000.00")
    iom, ilo = un_organizations["IOM"], un_organizations["ILO"]

    # The fund manager opens a call.
    client.force_login(fund_manager)
    response = client.post(
        reverse("funds:call_create", args=[fund.code]),
        {
            "title": "Call for concept notes 2024",
            "opens_on": "2024-01-01",
            "deadline": "2099-12-31",
            "thematic_areas": [fund.thematic_areas.get(code="TA4").pk],
        },
    )
    call = Call.objects.get()
    assert response.status_code == 302 and response["Location"] == call.get_absolute_url()
    assert "Call opened." in page_text(client.get(response["Location"]))

    # An applicant of another organization sends a concept note to it.
    client.force_login(applicant)
    page = client.get(reverse("funds:concept_note_create", args=[fund.code]), {"call": call.pk})
    assert f'<option value="{call.pk}" selected>' in page_text(page)
    response = client.post(
        reverse("funds:concept_note_create", args=[fund.code]),
        {
            "organization": applicant.memberships.get().organization_id,
            "call": call.pk,
            "title": "Skills partnerships in Southern Africa",
            "summary": "Labour mobility between South Africa and its neighbours.",
            "thematic_area": fund.thematic_areas.get(code="TA4").pk,
            "countries": ["ZAF", "LSO"],
            "objectives": ["GCM-O5", "GCM-O6"],
            "participating_organizations": ["IOM", "ILO"],
            "national_partners": "Department of Labour\nMinistry of Home Affairs",
            "budget": "1,000,000.00",
            "marker_GENDER": "2",
            "marker_HUMAN-RIGHTS": "3",
        },
    )
    programme = Programme.objects.get()
    assert response.status_code == 302 and response["Location"] == programme.get_absolute_url()
    assert programme.call == call and programme.budget == Decimal("1000000.00")
    assert programme.marker_scores == {"GENDER": 2, "HUMAN-RIGHTS": 3}
    assert sorted(c.alpha3 for c in programme.countries.all()) == ["LSO", "ZAF"]
    page = page_text(client.get(programme.get_absolute_url()))
    assert "Concept note MIG00-001 submitted." in page
    # Links to the registry's pages of its objectives and countries, and to the statistics.
    assert reverse("registry:frameworkitem_detail", args=["GCM-O5"]) in page
    assert reverse("registry:country_detail", args=["ZAF"]) in page
    assert reverse("statistics:area_profile", args=["710"]) in page

    # A reviewer of the fund's organization scores it.
    client.force_login(reviewer)
    post_step(client, programme, "assess", {f"score_{c['code']}": "4" for c in fund.rubric})
    assert programme.status == ProgrammeStatus.ASSESSED
    assert programme.assessments.get().total == Decimal("80.0")

    # The fund manager records the decision, the document, and approves.
    client.force_login(fund_manager)
    page = post_step(
        client,
        programme,
        "decide",
        {
            "outcome": DecisionOutcome.SELECTED,
            "reasons": "Fills a gap.",
            "decided_on": "2024-04-01",
        },
    )
    assert programme.status == ProgrammeStatus.SELECTED
    assert "Decision recorded: Selected." in page_text(page)
    page = post_step(
        client,
        programme,
        "document",
        {f"budget_{iom.pk}": "600000.00", f"budget_{ilo.pk}": "400000.00"},
    )
    assert programme.status == ProgrammeStatus.DOCUMENT
    assert "USD 1,000,000.00" in page_text(page)  # available for this programme...
    assert "Enough money is available." in page_text(page)
    page = post_step(client, programme, "approve", {"approved_on": "2024-04-15"})
    assert programme.status == ProgrammeStatus.APPROVED
    money = ledger.balances(fund)
    assert money.available == Decimal("2000000.00") and money.commitments == Decimal("1000000")
    balances_add_up(fund)

    # Transfers, a financial report, closure with the unspent balance returned.
    page = post_step(
        client,
        programme,
        "transfer",
        {
            "organization": iom.pk,
            "amount": "600000.00",
            "transferred_on": "2024-05-01",
            "version": programme.version,
        },
    )
    assert "Tranche 1 of USD 600,000.00 transferred to" in page_text(page)
    tranche = programme.tranches.get()
    assert ledger.balances(fund).transferred == Decimal("600000.00")
    balances_add_up(fund)
    post_step(
        client,
        programme,
        "report",
        {
            "kind": ReportKind.FINANCIAL,
            "year": "2024",
            "submitted_on": "2025-03-31",
            "organization": iom.pk,
            "expenditure": "550000.00",
            "tranches": [tranche.pk],
        },
    )
    assert programme.reports.get().expenditure == Decimal("550000.00")
    page = client.get(programme.get_absolute_url())
    assert "USD 50,000.00" in page_text(page)  # the unspent balance closing will return
    page = post_step(client, programme, "close", {"closed_on": "2025-04-30"})
    assert programme.status == ProgrammeStatus.CLOSED
    assert "Programme closed." in page_text(page)
    assert "<form" not in page_text(page).split("<main", 1)[1]  # nothing left to do
    money = ledger.balances(fund)
    assert money.refunded == Decimal("50000.00") and money.released == Decimal("400000.00")
    assert money.net_allocated == Decimal("550000.00")
    assert money.available == Decimal("2450000.00") and money.commitments == 0
    balances_add_up(fund)
    dashboard = page_text(client.get(fund.get_absolute_url()))
    assert "The ledger balances." in dashboard
    assert "Available 2,450,000.00 = deposited 3,000,000.00 \u2212 net allocated 550,000.00." in (
        dashboard
    )


def test_a_contribution_in_euros_is_pledged_signed_and_deposited_at_the_days_rate(
    client, fund, fund_manager, countries
) -> None:
    client.force_login(fund_manager)
    response = client.post(
        reverse("funds:contribution_create", args=[fund.code]),
        {
            "donor_kind": "state",
            "donor_country": "NOR",
            "currency": "eur",
            "amount": "2000000",
            "pledged_on": "2024-02-01",
            "earmarked_thematic_area": fund.thematic_areas.get(code="TA2").pk,
            "reference": "NOR-2024-1",
        },
    )
    contribution = Contribution.objects.get()
    assert response.status_code == 302
    assert response["Location"] == contribution.get_absolute_url()
    assert contribution.donor.name == "Norway" and contribution.currency == "EUR"
    assert contribution.status == ContributionStatus.PLEDGED

    sign = reverse("funds:contribution_sign", args=[contribution.pk])
    assert client.post(sign, {"sign-signed_on": "2024-02-10"}).status_code == 302
    contribution.refresh_from_db()
    assert contribution.status == ContributionStatus.SIGNED

    # No EUR rate on that day yet: the error names the date, keeps the amount typed.
    deposit = reverse("funds:contribution_deposit", args=[contribution.pk])
    data = {
        "deposit-date": "2024-03-01",
        "deposit-amount": "1500000.00",
        "deposit-version": contribution.version,
    }
    refused = client.post(deposit, data)
    assert refused.status_code == 400
    assert "There is no exchange rate from EUR to USD for 2024-03-01" in page_text(refused)
    assert 'id="id_deposit-date_error"' in page_text(refused)
    assert field_value(refused, "deposit-amount") == "1500000.00"
    assert not Deposit.objects.exists() and not LedgerTransaction.objects.exists()

    response = client.post(
        reverse("funds:exchangerate_create"),
        {
            "organization": fund.organization_id,
            "currency": "EUR",
            "quote_currency": "USD",
            "date": "2024-03-01",
            "rate": "1.0850",
            "source": "UN operational rate",
        },
    )
    assert response.status_code == 302
    assert "1.0850" in page_text(client.get(response["Location"]))

    response = client.post(deposit, data)
    assert response.status_code == 302
    page = page_text(client.get(response["Location"]))
    assert "EUR 1,500,000.00 at 1.085 = USD 1,627,500.00" in page  # the message
    assert "1.085" in page and "1,627,500.00" in page  # the deposits table
    money = ledger.balances(fund)
    assert money.deposited == Decimal("1627500.00")
    assert money.available_by_pool == {"TA:TA2": Decimal("1627500.00")}
    dashboard = page_text(client.get(fund.get_absolute_url()))
    assert "Earmarked to thematic area TA2 Protecting migrants" in dashboard


def test_a_private_or_organization_donor_is_recorded_as_such(
    client, fund, fund_manager, un_organizations
) -> None:
    client.force_login(fund_manager)
    create = reverse("funds:contribution_create", args=[fund.code])
    base = {"currency": "USD", "amount": "1000", "pledged_on": "2024-02-01"}
    client.post(create, {**base, "donor_kind": "private", "donor_name": "A Foundation"})
    client.post(create, {**base, "donor_kind": "organization", "donor_organization": "UNDP"})
    assert sorted(Donor.objects.values_list("kind", "name")) == [
        ("organization", "United Nations Development Programme"),
        ("private", "A Foundation"),
    ]


# Bad input: the error next to the field and at the top, values kept, nothing written ---------


def assert_refused(response, *messages: str) -> str:
    assert response.status_code == 400
    page = page_text(response)
    assert 'class="error-summary" role="alert"' in page
    for message in messages:
        assert message in page, page[-4000:]
    return page


def test_a_transfer_above_the_budget_is_refused_next_to_the_amount(
    client, world, fund_manager, un_organizations
) -> None:
    client.force_login(fund_manager)
    before = written()
    response = client.post(
        step_url(world.programme, "transfer"),
        {
            "transfer-organization": un_organizations["ILO"].pk,
            "transfer-amount": "400000.01",
            "transfer-transferred_on": "2024-05-01",
            "transfer-version": world.programme.version,
        },
    )
    page = assert_refused(response, "at most USD 400,000.00 can go in this tranche")
    assert 'id="id_transfer-amount_error"' in page and 'aria-invalid="true"' in page
    assert field_value(response, "transfer-amount") == "400000.01"
    assert written() == before


def test_a_transfer_to_an_organization_not_in_the_programme_is_refused(
    client, world, fund_manager, un_organizations
) -> None:
    client.force_login(fund_manager)
    before = written()
    response = client.post(
        step_url(world.programme, "transfer"),
        {
            "transfer-organization": un_organizations["UNICEF"].pk,
            "transfer-amount": "1000.00",
            "transfer-transferred_on": "2024-05-01",
            "transfer-version": world.programme.version,
        },
    )
    assert_refused(response, "Select a valid choice")
    assert written() == before


def test_a_deposit_above_the_pledge_is_refused(client, world, fund_manager) -> None:
    client.force_login(fund_manager)
    signed = services.sign_contribution(
        actor=fund_manager, contribution=world.pledge, signed_on=DAY
    )
    before = written()
    response = client.post(
        reverse("funds:contribution_deposit", args=[world.pledge.pk]),
        {
            "deposit-date": "2024-03-02",
            "deposit-amount": "500000.01",
            "deposit-version": signed.version,
        },
    )
    assert_refused(response, "more than the USD 500,000.00 pledged")
    assert field_value(response, "deposit-amount") == "500000.01"
    assert written() == before


def test_an_approval_above_the_available_balance_allocates_nothing(
    client, fund, fund_manager, reviewer, deposit, concept_note, un_organizations
) -> None:
    deposit("100000.00")
    programme = concept_note("1000000.00")
    services.assess_programme(
        actor=reviewer, programme=programme, scores={c["code"]: 3 for c in fund.rubric}
    )
    services.decide_programme(
        actor=fund_manager, programme=programme, outcome="selected", reasons="Good.", decided_on=DAY
    )
    services.submit_programme_document(
        actor=fund_manager,
        programme=programme,
        budgets={un_organizations["IOM"]: "600000", un_organizations["ILO"]: "400000"},
    )
    client.force_login(fund_manager)
    page = page_text(client.get(programme.get_absolute_url()))
    assert "Not enough money is available: approval will be refused." in page
    before = written()
    response = client.post(step_url(programme, "approve"), {"approve-approved_on": "2024-04-01"})
    assert_refused(response, "The fund has USD 100,000.00 available for this programme")
    assert written() == before
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.DOCUMENT


def test_closing_with_an_unreported_tranche_is_refused(
    client, world, fund_manager, un_organizations
) -> None:
    services.transfer_tranche(
        actor=fund_manager,
        programme=world.programme,
        organization=un_organizations["IOM"],
        amount="100000.00",
        transferred_on=DAY,
    )
    client.force_login(fund_manager)
    assert "1 tranche has no financial report yet" in page_text(
        client.get(world.programme.get_absolute_url())
    )
    before = written()
    response = client.post(step_url(world.programme, "close"), {"close-closed_on": "2024-12-31"})
    assert_refused(response, "No financial report accounts for tranche 1")
    assert written() == before


def test_a_bad_pledge_writes_neither_the_pledge_nor_the_donor(
    client, fund, fund_manager, countries
) -> None:
    client.force_login(fund_manager)
    before = written()
    response = client.post(
        reverse("funds:contribution_create", args=[fund.code]),
        {
            "donor_kind": "state",
            "donor_country": "SWE",
            "currency": "USD",
            "amount": "-5",
            "pledged_on": "2024-02-01",
        },
    )
    assert_refused(response, "The amount must be more than zero")
    assert field_value(response, "amount") == "-5"
    assert 'value="SWE" selected' in page_text(response)
    assert written() == before


def test_a_pledge_without_its_donor_says_which_field_to_fill(client, fund, fund_manager):
    client.force_login(fund_manager)
    response = client.post(
        reverse("funds:contribution_create", args=[fund.code]),
        {"donor_kind": "private", "currency": "USD", "amount": "5", "pledged_on": "2024-02-01"},
    )
    page = assert_refused(response, "Give the private donor&#x27;s name.")
    assert 'href="#id_donor_name"' in page


def test_a_concept_note_with_one_organization_is_refused_with_every_problem(
    client, fund, applicant, un_organizations, countries
) -> None:
    client.force_login(applicant)
    before = written()
    response = client.post(
        reverse("funds:concept_note_create", args=[fund.code]),
        {
            "organization": applicant.memberships.get().organization_id,
            "title": "Alone",
            "thematic_area": fund.thematic_areas.get(code="TA1").pk,
            "participating_organizations": ["IOM"],
            "budget": "0",
            "marker_GENDER": "1",
        },
    )
    assert_refused(
        response,
        "A joint programme needs at least two participating UN organizations.",
        "Name at least one country or region.",
        "The amount must be more than zero",
        "Give a Human rights marker score.",
    )
    assert field_value(response, "title") == "Alone"
    assert written() == before


def test_a_score_above_the_rubric_maximum_is_refused(client, fund, reviewer, concept_note):
    programme = concept_note()
    client.force_login(reviewer)
    scores = {f"assess-score_{c['code']}": "4" for c in fund.rubric}
    scores[f"assess-score_{fund.rubric[0]['code']}"] = "9"
    response = client.post(step_url(programme, "assess"), scores)
    assert_refused(response, "Ensure this value is less than or equal to 5.")
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.SUBMITTED and not programme.assessments.exists()


def test_a_step_out_of_order_is_refused_at_the_top(client, world, fund_manager) -> None:
    client.force_login(fund_manager)
    before = written()
    response = client.post(
        step_url(world.programme, "approve"), {"approve-approved_on": "2024-04-01"}
    )
    assert_refused(response, "MIG00-001 is approved: you can approve it only when it is")
    assert written() == before


def test_a_bad_exchange_rate_is_refused(client, fund_manager, organization) -> None:
    client.force_login(fund_manager)
    response = client.post(
        reverse("funds:exchangerate_create"),
        {
            "organization": organization.pk,
            "currency": "EUR",
            "quote_currency": "USD",
            "date": "2024-03-01",
            "rate": "-1",
        },
    )
    assert_refused(response, "The rate must be a number above zero")
    assert not ExchangeRate.objects.exists()


# Lists: filters, htmx, exports, query budgets ---------------------------------------------------

LISTS = {
    "fund_list": ("funds", "Migration Multi-Partner Trust Fund"),
    "contribution_list": ("contributions", "Germany"),
    "programme_list": ("programmes", "MIG00-001"),
    "call_list": ("calls", "Call 2024"),
    "exchangerate_list": ("exchange-rates", None),
    "ledger": ("MIG00-ledger", "MIG00-001"),
}


@pytest.mark.parametrize("export", ["csv", "xlsx", "json"])
@pytest.mark.parametrize("name", LISTS)
def test_every_list_exports(client, world, viewer, name, export) -> None:
    client.force_login(viewer)
    response = client.get(url(name, world), {"export": export})
    assert response.status_code == 200
    filename, expected = LISTS[name]
    assert response["Content-Disposition"] == f'attachment; filename="{filename}.{export}"'
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if export == "json":
        rows = json.loads(content)
        assert isinstance(rows, list)
        if expected:
            assert expected in json.dumps(rows, ensure_ascii=False)
    elif export == "csv" and expected:
        assert expected in content.decode("utf-8-sig")
    elif export == "xlsx":
        assert content.startswith(b"PK")


def test_the_ledger_export_has_each_transactions_balanced_entries(client, world, viewer):
    client.force_login(viewer)
    response = client.get(url("ledger", world), {"export": "csv", "kind": "allocation"})
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert len(rows) == 1
    assert rows[0]["Amount"] == "1000000.00" and rows[0]["Programme"] == "MIG00-001"
    assert "allocations/TA:TA4" not in rows[0]["Entries (account/earmark amount)"]  # unearmarked
    assert "allocations +1000000.00" in rows[0]["Entries (account/earmark amount)"]


def test_lists_filter_and_answer_htmx_with_the_rows_only(client, world, viewer) -> None:
    client.force_login(viewer)
    found = client.get(url("programme_list", world), {"status": "approved", "country": "zaf"})
    assert "MIG00-001" in page_text(found)
    none = client.get(url("programme_list", world), {"status": "closed"})
    assert "MIG00-001" not in page_text(none) and "0 results" in page_text(none)
    partial = client.get(
        url("contribution_list", world), {"donor_country": "FRA"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in page_text(partial) and "France" in page_text(partial)
    assert "Germany" not in page_text(partial)
    assert "HX-Request" in partial["Vary"]


@pytest.mark.parametrize("name", ["fund_list", "contribution_list", "programme_list", "call_list"])
def test_list_pages_have_a_query_budget(
    client, world, fund_manager, concept_note, deposit, django_assert_max_num_queries, name
) -> None:
    client.force_login(fund_manager)
    client.get(url(name, world))  # the session and the roles, once
    with django_assert_max_num_queries(12):
        assert client.get(url(name, world)).status_code == 200
    for _ in range(5):  # more rows cost no more queries
        concept_note()
        deposit("1000.00")
        services.open_call(
            actor=fund_manager, fund=world.fund, title="More", opens_on=DAY, deadline=DAY
        )
    with django_assert_max_num_queries(12):
        assert client.get(url(name, world)).status_code == 200


def test_the_ledger_and_dashboard_have_a_query_budget(
    client, world, fund_manager, deposit, django_assert_max_num_queries
) -> None:
    for _ in range(10):
        deposit("1000.00")
    client.force_login(fund_manager)
    with django_assert_max_num_queries(14):
        assert client.get(url("ledger", world)).status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(url("fund_detail", world)).status_code == 200


# Dashboard, statement, reports ------------------------------------------------------------------


def test_the_dashboard_shows_balances_targets_and_the_pipeline(
    client, world, fund, fund_manager, reviewer, concept_note, africa
) -> None:
    from migration_hub.funds.models import Target

    Target.objects.create(
        fund=fund,
        dimension="thematic_area",
        thematic_area=fund.thematic_areas.get(code="TA5"),
        minimum_share="10",
    )
    Target.objects.create(fund=fund, dimension="region", region=africa, minimum_share="30")
    waiting = concept_note("250000.00", title="Waiting for money")
    services.assess_programme(
        actor=reviewer, programme=waiting, scores={c["code"]: 3 for c in fund.rubric}
    )
    services.decide_programme(
        actor=fund_manager,
        programme=waiting,
        outcome="pipeline",
        reasons="No money yet.",
        decided_on=DAY,
    )
    client.force_login(fund_manager)
    page = page_text(client.get(fund.get_absolute_url()))
    assert (
        '<tr data-figure="deposited"><th scope="row">Deposited by donors</th><td class="num">1,000,000.00'
        in page
    )
    assert "Available 0.00 = deposited 1,000,000.00 \u2212 net allocated 1,000,000.00." in page
    assert "1 target is not met." in page
    assert "Below target: 0.0% of at least 10%" in page  # TA5, with its gap in words
    assert "USD 100,000.00 short" in page
    assert "Target met" in page  # Africa: the whole portfolio is in South Africa
    assert 'fill="#a4000f"' in page  # the target's mark on the bars
    assert "Waiting for money" in page and "No: more money is needed" in page
    assert "1.4%" in page  # of the USD 70M funding target
    for link in ("portfolio.xlsx", "portfolio.pdf", "statement.xlsx", "statement/"):
        assert f"/funds/MIG00/{link}" in page


def test_the_statement_shows_sources_uses_and_balance(
    client, world, fund_manager, un_organizations
):
    services.transfer_tranche(
        actor=fund_manager,
        programme=world.programme,
        organization=un_organizations["IOM"],
        amount="250000.00",
        transferred_on=DAY,
    )
    client.force_login(fund_manager)
    page = page_text(client.get(url("statement", world)))
    assert "Germany" in page and "International Organization for Migration" in page
    assert "250,000.00" in page and "750,000.00" in page  # transferred, cash left
    assert "The ledger balances." in page


@pytest.mark.parametrize(
    ("name", "args"),
    [("portfolio_download", []), ("statement_download", []), ("donor_report_download", ["donor"])],
)
@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_reports_download(client, world, viewer, name, args, fmt) -> None:
    client.force_login(viewer)
    arguments = [world.fund.code] + [world.deposited.donor_id for _ in args] + [fmt]
    response = client.get(reverse(f"funds:{name}", args=arguments))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    assert response.content.startswith(b"%PDF" if fmt == "pdf" else b"PK")


def test_a_report_of_someone_who_gave_nothing_is_404(client, world, viewer) -> None:
    stranger = services.donor_for(name="Never gave")
    client.force_login(viewer)
    assert client.get(reverse("funds:donor_report", args=["MIG00", stranger.pk])).status_code == 404
    response = client.get(
        reverse("funds:donor_report_download", args=["MIG00", stranger.pk, "pdf"])
    )
    assert response.status_code == 404


@pytest.mark.parametrize(("code", "direction"), [("ar", "rtl"), ("fr", "ltr")])
def test_the_dashboard_in_another_language(client, world, viewer, code, direction) -> None:
    client.force_login(viewer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    page = page_text(client.get(url("fund_detail", world)))
    assert f'<html lang="{code}" dir="{direction}">' in page
    # Bar widths are plain numbers whatever the language's decimal separator...
    assert 'width="100.00"' in page and 'width="100,00"' not in page
    # ...and in Arabic the bars grow from the right.
    assert ('transform="matrix(-1 0 0 1 100 0)"' in page) == (code == "ar")


def test_rates_are_shown_as_plain_numbers() -> None:
    from migration_hub.funds.views import plain_rate

    assert plain_rate(Decimal("1.08500000")) == "1.085"
    assert plain_rate(Decimal("150.00000000")) == "150"  # not 1.5E+2
    assert plain_rate(Decimal("0.00670000")) == "0.0067"


# The security review's findings, through the pages ---------------------------------------------


def test_a_deposit_form_sent_twice_records_one_deposit(client, world, fund_manager) -> None:
    signed = services.sign_contribution(
        actor=fund_manager, contribution=world.pledge, signed_on=DAY
    )
    client.force_login(fund_manager)
    page = client.get(world.pledge.get_absolute_url())
    version = field_value(page, "deposit-version")
    assert version == str(signed.version)
    post_url = reverse("funds:contribution_deposit", args=[world.pledge.pk])
    data = {
        "deposit-date": "2024-03-02",
        "deposit-amount": "100000.00",
        "deposit-version": version,
    }
    assert client.post(post_url, data).status_code == 302
    before = written()
    again = client.post(post_url, data)  # a double click, or the browser resending the form
    page = assert_refused(again, "changed since you opened the page", "Nothing was recorded")
    assert 'href="#id_deposit-version"' not in page  # the error is at the top, not hidden
    assert written() == before
    assert Deposit.objects.filter(contribution=world.pledge).count() == 1
    # The page shown still carries the old version: sending it once more is refused too.
    assert field_value(again, "deposit-version") == version
    assert client.post(post_url, data).status_code == 400
    # Opened again, the form carries the new version and records a second deposit.
    fresh = field_value(client.get(world.pledge.get_absolute_url()), "deposit-version")
    assert int(fresh) == int(version) + 1
    assert client.post(post_url, {**data, "deposit-version": fresh}).status_code == 302
    assert Deposit.objects.filter(contribution=world.pledge).count() == 2
    assert ledger.balances(world.fund).deposited == Decimal("1200000.00")


def test_a_deposit_form_without_its_version_is_refused(client, world, fund_manager) -> None:
    services.sign_contribution(actor=fund_manager, contribution=world.pledge, signed_on=DAY)
    client.force_login(fund_manager)
    before = written()
    response = client.post(
        reverse("funds:contribution_deposit", args=[world.pledge.pk]),
        {"deposit-date": "2024-03-02", "deposit-amount": "100.00"},
    )
    assert_refused(response, "The form is out of date: open the page again")
    assert written() == before


def test_a_transfer_form_sent_twice_transfers_once(
    client, world, fund_manager, un_organizations
) -> None:
    client.force_login(fund_manager)
    page = client.get(world.programme.get_absolute_url())
    version = field_value(page, "transfer-version")
    assert version == str(world.programme.version)
    data = {
        "transfer-organization": un_organizations["IOM"].pk,
        "transfer-amount": "100000.00",
        "transfer-transferred_on": "2024-05-01",
        "transfer-version": version,
    }
    assert client.post(step_url(world.programme, "transfer"), data).status_code == 302
    before = written()
    again = client.post(step_url(world.programme, "transfer"), data)
    assert_refused(again, "changed since you opened the page")
    assert written() == before
    assert world.programme.tranches.count() == 1
    assert ledger.balances(world.fund).transferred == Decimal("100000.00")
    fresh = field_value(client.get(world.programme.get_absolute_url()), "transfer-version")
    assert int(fresh) == int(version) + 1


def test_the_rate_form_offers_only_the_organizations_where_the_user_may_add_rates(
    client, fund, fund_manager, other_manager, other_organization, make_member
) -> None:
    create = reverse("funds:exchangerate_create")
    client.force_login(fund_manager)
    form = page_text(client.get(create))
    # The only one is chosen already.
    assert f'<option value="{fund.organization_id}" selected>' in form
    assert "Other Agency for Refugees" not in form and "Choose the organization" not in form

    # A fund manager of another organization cannot put a rate in this fund's table.
    client.force_login(other_manager)
    form = page_text(client.get(create))
    assert f'<option value="{other_organization.pk}" selected>' in form
    assert "Home Ministry of Migration" not in form
    before = written()
    response = client.post(
        create,
        {
            "organization": fund.organization_id,
            "currency": "EUR",
            "quote_currency": "USD",
            "date": "2024-03-01",
            "rate": "9.99",
        },
    )
    assert_refused(response, "Select a valid choice")
    assert written() == before

    # Someone who manages funds in two organizations chooses.
    both = make_member(Role.FUND_MANAGER, fund.organization, "manager-of-both")
    MembershipFactory(user=both, organization=other_organization, role=Role.ADMINISTRATOR)
    client.force_login(both)
    form = page_text(client.get(create))
    assert "Choose the organization" in form
    assert "Home Ministry of Migration" in form and "Other Agency for Refugees" in form


def test_the_rate_list_shows_every_rate_and_offers_only_ones_own_to_correct(
    client, fund, fund_manager, other_manager, other_organization, viewer
) -> None:
    services.set_exchange_rate(
        actor=fund_manager,
        organization=fund.organization,
        currency="EUR",
        quote_currency="USD",
        day=DAY,
        rate="1.0850",
    )
    services.set_exchange_rate(
        actor=other_manager,
        organization=other_organization,
        currency="GBP",
        quote_currency="USD",
        day=DAY,
        rate="1.2700",
    )
    rates = reverse("funds:exchangerate_list")
    create = reverse("funds:exchangerate_create")
    for who, mine, theirs in (
        (fund_manager, fund.organization, other_organization),
        (other_manager, other_organization, fund.organization),
    ):
        client.force_login(who)
        page = page_text(client.get(rates))
        assert "Home Ministry of Migration" in page and "Other Agency for Refugees" in page
        assert f"{create}?organization={mine.pk}&amp;" in page
        assert f"{create}?organization={theirs.pk}&amp;" not in page
    client.force_login(viewer)
    page = page_text(client.get(rates))
    assert "1.085" in page and "1.27" in page and f"{create}?" not in page
    # Filtered by the organization keeping the table.
    client.force_login(fund_manager)
    page = page_text(client.get(rates, {"organization": "other"}))
    assert "1.27" in page and "1.085" not in page
    # The link opens the form on the rate, to correct it.
    form = client.get(
        create,
        {
            "organization": fund.organization_id,
            "currency": "EUR",
            "quote_currency": "USD",
            "date": "2024-03-01",
            "rate": "1.085",
        },
    )
    assert field_value(form, "rate") == "1.085" and field_value(form, "date") == "2024-03-01"


def test_the_contribution_page_lists_and_uses_the_fund_organizations_rates_only(
    client, fund, fund_manager, other_manager, other_organization, countries
) -> None:
    services.set_exchange_rate(
        actor=other_manager,
        organization=other_organization,
        currency="EUR",
        quote_currency="USD",
        day=DAY,
        rate="2.0000",
    )
    contribution = services.record_contribution(
        actor=fund_manager,
        fund=fund,
        donor=services.donor_for(country=countries["NOR"], actor=fund_manager),
        currency="EUR",
        amount="1000.00",
        pledged_on=DAY,
    )
    contribution = services.sign_contribution(
        actor=fund_manager, contribution=contribution, signed_on=DAY
    )
    client.force_login(fund_manager)
    page = page_text(client.get(contribution.get_absolute_url()))
    assert "1 EUR = 2 USD" not in page and "No rate yet." in page
    assert f"?organization={fund.organization_id}&amp;currency=EUR&amp;quote_currency=USD" in page
    response = client.post(
        reverse("funds:contribution_deposit", args=[contribution.pk]),
        {
            "deposit-date": "2024-03-01",
            "deposit-amount": "1000.00",
            "deposit-version": contribution.version,
        },
    )
    assert_refused(response, "There is no exchange rate from EUR to USD for 2024-03-01")
    assert not Deposit.objects.exists()


def test_the_rate_form_refuses_to_change_a_rate_a_deposit_used(
    client, fund, fund_manager, countries
) -> None:
    services.set_exchange_rate(
        actor=fund_manager,
        organization=fund.organization,
        currency="EUR",
        quote_currency="USD",
        day=DAY,
        rate="1.0850",
    )
    contribution = services.record_contribution(
        actor=fund_manager,
        fund=fund,
        donor=services.donor_for(country=countries["NOR"], actor=fund_manager),
        currency="EUR",
        amount="1000.00",
        pledged_on=DAY,
    )
    services.sign_contribution(actor=fund_manager, contribution=contribution, signed_on=DAY)
    services.record_deposit(actor=fund_manager, contribution=contribution, day=DAY, amount="10")
    client.force_login(fund_manager)
    response = client.post(
        reverse("funds:exchangerate_create"),
        {
            "organization": fund.organization_id,
            "currency": "EUR",
            "quote_currency": "USD",
            "date": "2024-03-01",
            "rate": "1.2",
        },
    )
    assert_refused(response, "that rate can no longer change")
    assert ExchangeRate.objects.get().rate == Decimal("1.085")


def test_a_reviewer_is_not_offered_nor_allowed_to_assess_their_own_organizations_note(
    client, fund, fund_manager, reviewer, organization, un_organizations, countries
) -> None:
    own = services.submit_concept_note(
        actor=fund_manager,
        fund=fund,
        organization=organization,
        title="Our own programme",
        thematic_area=fund.thematic_areas.get(code="TA1"),
        budget="1000.00",
        participating_organizations=[un_organizations["IOM"], un_organizations["ILO"]],
        countries=[countries["MEX"]],
        marker_scores={"GENDER": 1, "HUMAN-RIGHTS": 1},
    )
    client.force_login(reviewer)
    assert "Save scores" not in page_text(client.get(own.get_absolute_url()))
    before = written()
    response = client.post(
        step_url(own, "assess"), {f"assess-score_{c['code']}": "5" for c in fund.rubric}
    )
    assert_refused(response, "which sent this concept note")
    assert written() == before and not own.assessments.exists()


def test_ambiguous_and_too_large_amounts_are_refused_on_the_pages(
    client, world, fund, fund_manager
) -> None:
    signed = services.sign_contribution(
        actor=fund_manager, contribution=world.pledge, signed_on=DAY
    )
    client.force_login(fund_manager)
    before = written()
    response = client.post(
        reverse("funds:contribution_deposit", args=[world.pledge.pk]),
        {
            "deposit-date": "2024-03-02",
            "deposit-amount": "2,500",
            "deposit-version": signed.version,
        },
    )
    assert_refused(response, "Write 2,500 without a thousands separator (2500)")
    response = client.post(
        reverse("funds:contribution_create", args=[fund.code]),
        {
            "donor_kind": "private",
            "donor_name": "A very rich foundation",
            "currency": "USD",
            "amount": "1000000000000",
            "pledged_on": "2024-02-01",
        },
    )
    assert_refused(response, "The amount is too large: the most is 999,999,999,999.99.")
    assert written() == before


def test_a_note_of_another_thematic_area_is_refused_by_a_limited_call(
    client, fund, fund_manager, applicant, countries, un_organizations
) -> None:
    call = services.open_call(
        actor=fund_manager,
        fund=fund,
        title="Call on data",
        opens_on=DAY,
        deadline=date(2099, 1, 1),
        thematic_areas=[fund.thematic_areas.get(code="TA1")],
    )
    client.force_login(applicant)
    before = written()
    response = client.post(
        reverse("funds:concept_note_create", args=[fund.code]),
        {
            "organization": applicant.memberships.get().organization_id,
            "call": call.pk,
            "title": "Labour mobility",
            "thematic_area": fund.thematic_areas.get(code="TA4").pk,
            "countries": ["ZAF"],
            "participating_organizations": ["IOM", "ILO"],
            "budget": "1000.00",
            "marker_GENDER": "1",
            "marker_HUMAN-RIGHTS": "1",
        },
    )
    page = assert_refused(response, "The call Call on data is for TA1 only.")
    assert 'id="id_thematic_area_error"' in page
    assert written() == before


def test_a_closure_dated_in_the_future_is_refused(client, world, fund_manager) -> None:
    client.force_login(fund_manager)
    before = written()
    response = client.post(step_url(world.programme, "close"), {"close-closed_on": "2099-01-01"})
    assert_refused(response, "2099-01-01 is in the future")
    assert written() == before
    world.programme.refresh_from_db()
    assert world.programme.status == ProgrammeStatus.APPROVED


def test_a_donor_created_on_the_pledge_page_is_audited_with_who_created_it(
    client, fund, fund_manager
) -> None:
    from migration_hub.core.models import AuditEvent

    client.force_login(fund_manager)
    client.post(
        reverse("funds:contribution_create", args=[fund.code]),
        {
            "donor_kind": "private",
            "donor_name": "A new foundation",
            "currency": "USD",
            "amount": "1000",
            "pledged_on": "2024-02-01",
        },
    )
    donor = Donor.objects.get(name="A new foundation")
    event = AuditEvent.objects.get(target_type__model="donor", target_id=str(donor.pk))
    assert event.actor == fund_manager
