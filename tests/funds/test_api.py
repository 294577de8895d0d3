"""The funds API as a fund management unit and its readers call it: who may read and write,
the balances after a real workflow, money as Decimal strings, bad input refused with the field
named and nothing written, query budgets, and a schema without warnings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from migration_hub.core.choices import Role
from migration_hub.core.models import AuditEvent
from migration_hub.funds import services
from migration_hub.funds.choices import DecisionOutcome, ProgrammeStatus, TransactionKind
from migration_hub.funds.models import (
    Contribution,
    Deposit,
    Donor,
    LedgerEntry,
    LedgerTransaction,
    Programme,
    Tranche,
)

from .conftest import DAY

pytestmark = pytest.mark.django_db

API = "/api/funds"
FUNDS = f"{API}/funds/"
CONTRIBUTIONS = f"{API}/contributions/"
PROGRAMMES = f"{API}/programmes/"
CALLS = f"{API}/calls/"
TRANSACTIONS = f"{API}/transactions/"


# Helpers ----------------------------------------------------------------------------------------


@pytest.fixture
def other_manager(make_member, other_organization):
    """A fund manager, but of another organization than the fund's."""
    return make_member(Role.FUND_MANAGER, other_organization)


@pytest.fixture
def client_as(api_client, viewer, other_manager, fund_manager):
    """client_as("anonymous" | "viewer" | "other" | "manager"): the API client signed in as
    nobody, a viewer of the fund's organization, a fund manager of another organization, or a
    fund manager of the fund's organization."""
    users = {"anonymous": None, "viewer": viewer, "other": other_manager, "manager": fund_manager}

    def sign_in(who: str) -> APIClient:
        api_client.force_authenticate(users[who])
        return api_client

    return sign_in


@pytest.fixture
def documented_programme(fund, fund_manager, reviewer, concept_note, un_organizations):
    """documented_programme({"IOM": "600000.00", ...}): a note taken to its programme document
    (ready for approval) with no money deposited for it."""

    def run(budgets: dict[str, str]) -> Programme:
        total = sum(Decimal(v) for v in budgets.values())
        programme = concept_note(str(total))
        services.assess_programme(
            actor=reviewer, programme=programme, scores={c["code"]: 4 for c in fund.rubric}
        )
        services.decide_programme(
            actor=fund_manager,
            programme=programme,
            outcome=DecisionOutcome.SELECTED,
            reasons="Fills the Southern Africa gap.",
            decided_on=DAY,
        )
        return services.submit_programme_document(
            actor=fund_manager,
            programme=programme,
            budgets={un_organizations[code]: amount for code, amount in budgets.items()},
        )

    return run


def pledge(client: APIClient, **fields: Any):
    body = {
        "fund": "MIG00",
        "donor_country": "DEU",
        "currency": "USD",
        "amount": "1500000.00",
        "pledged_on": DAY.isoformat(),
        **fields,
    }
    return client.post(CONTRIBUTIONS, body, format="json")


def floats_in(value: Any) -> list[Any]:
    """Every float anywhere in a decoded JSON document (money must never be one)."""
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for item in value.values() for f in floats_in(item)]
    if isinstance(value, list):
        return [f for item in value for f in floats_in(item)]
    return []


def written() -> dict[str, int]:
    """Row counts of everything a fund write may leave behind."""
    return {
        "donors": Donor.objects.count(),
        "contributions": Contribution.objects.count(),
        "deposits": Deposit.objects.count(),
        "tranches": Tranche.objects.count(),
        "transactions": LedgerTransaction.objects.count(),
        "entries": LedgerEntry.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


# Permission matrix ------------------------------------------------------------------------------

READ_STATUS = {"anonymous": 401, "viewer": 200, "other": 200, "manager": 200}


@pytest.mark.parametrize("who", READ_STATUS)
@pytest.mark.parametrize(
    "url",
    [
        FUNDS,
        f"{FUNDS}MIG00/",
        f"{FUNDS}MIG00/balances/",
        f"{FUNDS}MIG00/portfolio/",
        f"{FUNDS}MIG00/statement/",
        CONTRIBUTIONS,
        PROGRAMMES,
        CALLS,
        TRANSACTIONS,
    ],
)
def test_signed_in_users_read_and_anonymous_get_401(client_as, fund, who, url) -> None:
    response = client_as(who).get(url)
    assert response.status_code == READ_STATUS[who], response.content
    if who == "anonymous":
        assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(("who", "sees"), [("viewer", True), ("manager", True), ("other", False)])
def test_the_ledger_is_read_by_members_of_the_funds_organization_only(
    client_as, deposit, who, sees
) -> None:
    deposit("1000000.00")
    transaction = LedgerTransaction.objects.get()
    client = client_as(who)
    listed = client.get(TRANSACTIONS, {"fund": "MIG00"})
    assert listed.status_code == 200
    assert listed.json()["count"] == (1 if sees else 0)
    assert client.get(TRANSACTIONS).json()["count"] == (1 if sees else 0)
    detail = client.get(f"{TRANSACTIONS}{transaction.pk}/")
    assert detail.status_code == (200 if sees else 404)


WRITE_STATUS = {"anonymous": 401, "viewer": 403, "other": 403}


@pytest.mark.parametrize("who", WRITE_STATUS)
def test_only_the_funds_managers_record_contributions(client_as, fund, countries, who) -> None:
    before = written()
    assert pledge(client_as(who)).status_code == WRITE_STATUS[who]
    assert written() == before


@pytest.mark.parametrize("who", WRITE_STATUS)
def test_only_the_funds_managers_record_deposits(client_as, fund, fund_manager, who) -> None:
    contribution = services.record_contribution(
        actor=fund_manager,
        fund=fund,
        donor=services.donor_for(name="A foundation", actor=fund_manager),
        currency="USD",
        amount="1000.00",
        pledged_on=DAY,
    )
    services.sign_contribution(actor=fund_manager, contribution=contribution, signed_on=DAY)
    before = written()
    client = client_as(who)
    url = f"{CONTRIBUTIONS}{contribution.pk}/"
    body = {"date": DAY.isoformat(), "amount": "1000.00"}
    assert client.post(f"{url}deposits/", body, format="json").status_code == WRITE_STATUS[who]
    assert (
        client.post(f"{url}sign/", {"signed_on": "2024-03-02"}, format="json").status_code
        == (WRITE_STATUS[who])
    )
    assert written() == before


@pytest.mark.parametrize("who", WRITE_STATUS)
def test_only_the_funds_managers_approve_and_transfer(
    client_as, deposit, documented_programme, approved_programme, who
) -> None:
    deposit("1000000.00")
    waiting = documented_programme({"IOM": "600000.00", "ILO": "400000.00"})
    approved = approved_programme()
    before = written()
    client = client_as(who)
    approve = client.post(f"{PROGRAMMES}{waiting.code}/approve/", {"approved_on": "2024-04-01"})
    assert approve.status_code == WRITE_STATUS[who]
    transfer = client.post(
        f"{PROGRAMMES}{approved.code}/transfers/",
        {"organization": "IOM", "amount": "100000.00", "transferred_on": "2024-04-01"},
    )
    assert transfer.status_code == WRITE_STATUS[who]
    assert written() == before
    waiting.refresh_from_db()
    assert waiting.status == ProgrammeStatus.DOCUMENT


def test_reads_are_not_writes(client_as, fund) -> None:
    client = client_as("manager")
    assert client.post(FUNDS, {"code": "NEW", "name": "New"}).status_code == 405
    assert client.delete(f"{FUNDS}MIG00/").status_code == 405
    assert client.post(CALLS, {}).status_code == 405


def test_unknown_records_are_404(client_as, fund) -> None:
    client = client_as("manager")
    assert client.get(f"{FUNDS}NOPE/").status_code == 404
    assert client.get(f"{FUNDS}NOPE/balances/").status_code == 404
    assert client.get(f"{PROGRAMMES}MIG00-999/").status_code == 404
    assert client.post(f"{PROGRAMMES}MIG00-999/approve/", {}).status_code == 404
    assert client.get(f"{CONTRIBUTIONS}99999999999999999999/").status_code == 404


# A real workflow, through the API ---------------------------------------------------------------


def test_workflow_through_the_api_keeps_the_books_balanced(
    client_as, fund, fund_manager, documented_programme
) -> None:
    services.set_exchange_rate(
        actor=None,
        organization=fund.organization,
        currency="EUR",
        quote_currency="USD",
        day=DAY,
        rate="1.08500000",
    )
    client = client_as("manager")

    # Germany pledges USD 1.5 million, unearmarked, and pays it in two deposits.
    created = pledge(client, reference="DEU-2024-01")
    assert created.status_code == 201, created.json()
    germany = created.json()
    assert germany["amount"] == "1500000.00" and germany["status"] == "pledged"
    assert germany["donor"]["kind"] == "state" and germany["donor"]["name"] == "Germany"
    url = f"{CONTRIBUTIONS}{germany['id']}/"
    signed = client.post(f"{url}sign/", {"signed_on": DAY.isoformat()})
    assert signed.status_code == 200 and signed.json()["status"] == "signed"
    first = client.post(f"{url}deposits/", {"date": DAY.isoformat(), "amount": "1000000.00"})
    assert first.status_code == 201, first.json()
    assert first.json()["fund_amount"] == "1000000.00" and first.json()["rate"] == "1.00000000"
    second = client.post(f"{url}deposits/", {"date": DAY.isoformat(), "amount": "500000"})
    assert second.status_code == 201, second.json()
    germany = client.get(url).json()
    assert germany["status"] == "deposited" and germany["deposited"] == "1500000.00"
    assert [d["amount"] for d in germany["deposits"]] == ["1000000.00", "500000.00"]

    # A foundation gives EUR 100,000 earmarked to thematic area 4, converted on the day.
    created = pledge(
        client,
        donor_country=None,
        donor_name="Fondation Exemple",
        currency="EUR",
        amount="100000.00",
        earmarked_thematic_area="ta4",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["earmarked_thematic_area"] == "TA4"
    url = f"{CONTRIBUTIONS}{created.json()['id']}/"
    client.post(f"{url}sign/", {"signed_on": DAY.isoformat()})
    euro = client.post(f"{url}deposits/", {"date": DAY.isoformat(), "amount": "100000.00"})
    assert euro.status_code == 201 and euro.json()["fund_amount"] == "108500.00"

    # A USD 1 million programme in thematic area 4 is approved and a first tranche sent.
    programme = documented_programme({"IOM": "600000.00", "ILO": "400000.00"})
    approved = client.post(f"{PROGRAMMES}{programme.code}/approve/", {"approved_on": "2024-04-01"})
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "approved" and approved.json()["approved_on"] == (
        "2024-04-01"
    )
    tranche = client.post(
        f"{PROGRAMMES}{programme.code}/transfers/",
        {"organization": "IOM", "amount": "250000.00", "transferred_on": "2024-04-15"},
    )
    assert tranche.status_code == 201, tranche.json()
    assert tranche.json() | {"transaction": None} == {
        "number": 1,
        "organization": "IOM",
        "amount": "250000.00",
        "transferred_on": "2024-04-15",
        "transaction": None,
    }

    balances = client.get(f"{FUNDS}MIG00/balances/").json()
    assert balances == {
        "currency": "USD",
        "available": "608500.00",
        "cash": "1358500.00",
        "commitments": "750000.00",
        "deposited": "1608500.00",
        "allocated": "1000000.00",
        "transferred": "250000.00",
        "refunded": "0.00",
        "released": "0.00",
        "net_allocated": "1000000.00",
        "uses": "250000.00",
        # The earmarked euros went first into the programme of their thematic area.
        "available_by_pool": {"": "608500.00"},
        "trial_balance": "0.00",
    }

    detail = client.get(f"{PROGRAMMES}{programme.code}/").json()
    assert [(p["organization"], p["budget"]) for p in detail["participants"]] == [
        ("ILO", "400000.00"),
        ("IOM", "600000.00"),
    ]
    assert [d["outcome"] for d in detail["decisions"]] == ["selected"]
    assert [(t["number"], t["amount"]) for t in detail["tranches"]] == [(1, "250000.00")]
    assert detail["budget"] == "1000000.00" and detail["countries"] == ["ZAF"]

    statement = client.get(f"{FUNDS}MIG00/statement/").json()
    assert statement["sources"] == "1608500.00" and statement["uses"] == "250000.00"
    assert statement["balance"] == "1358500.00"
    assert statement["deposits_by_donor"] == [
        {"donor": "Fondation Exemple", "amount": "108500.00"},
        {"donor": "Germany", "amount": "1500000.00"},
    ]
    assert statement["transfers_by_organization"] == [
        {
            "organization": "International Organization for Migration",
            "transferred": "250000.00",
            "returned": "0.00",
        }
    ]

    portfolio = client.get(f"{FUNDS}MIG00/portfolio/").json()
    assert portfolio["total_allocated"] == "1000000.00"
    assert portfolio["balances"] == balances
    areas = {share["key"]: share for share in portfolio["by_thematic_area"]}
    assert areas["TA4"]["amount"] == "1000000.00" and areas["TA4"]["share"] == "100.0"
    assert areas["TA1"]["amount"] == "0.00"
    assert {m["marker"] for m in portfolio["by_marker"]} == {
        "Gender marker",
        "Human rights marker",
    }
    assert portfolio["pipeline"] == [] and portfolio["pipeline_total"] == "0.00"

    books = client.get(TRANSACTIONS, {"fund": "MIG00"}).json()
    assert books["count"] == 5
    assert [t["kind"] for t in books["results"]][:2] == ["transfer", "allocation"]
    for transaction in books["results"]:
        assert sum(Decimal(e["amount"]) for e in transaction["entries"]) == 0
    deposits = client.get(TRANSACTIONS, {"fund": "mig00", "kind": "deposit"}).json()
    assert deposits["count"] == 3

    for document in (balances, statement, portfolio, books, detail, germany):
        assert floats_in(document) == []


def test_portfolio_shows_targets_gaps_and_the_pipeline(
    client_as, fund, approved_programme, documented_programme
) -> None:
    from migration_hub.funds.models import Target

    Target.objects.create(
        fund=fund,
        dimension="thematic_area",
        thematic_area=fund.thematic_areas.get(code="TA1"),
        minimum_share="20.00",
    )
    approved_programme()
    waiting = documented_programme({"IOM": "300000.00", "ILO": "200000.00"})
    portfolio = client_as("viewer").get(f"{FUNDS}MIG00/portfolio/").json()
    [target] = portfolio["targets"]
    assert target["target"] == "20.00" and target["share"] == "0.0"
    assert target["below_target"] is True and target["gap"] == "200000.00"
    assert portfolio["pipeline"] == [
        {
            "programme": waiting.code,
            "title": waiting.title,
            "status": "document",
            "budget": "500000.00",
            "cumulative": "500000.00",
            "fundable_now": False,
        }
    ]
    assert portfolio["funding_progress"] == "1.4"


# Bad input through the API ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": "-100.00"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"amount": "lots"}, "amount"),
        ({"amount": 1500.5}, "amount"),  # a JSON number with a fraction is a float
        ({"amount": True}, "amount"),
        ({"currency": "dollars"}, "currency"),
        ({"donor_country": None}, "donor"),
        ({"donor_name": "Someone"}, "donor"),  # two donors named
        ({"donor_country": "XXX"}, "donor_country"),
        ({"earmarked_thematic_area": "TA9"}, "earmarked_thematic_area"),
        ({"fund": "NOPE"}, "fund"),
        ({"colour": "red"}, "colour"),
        ({"pledged_on": "yesterday"}, "pledged_on"),
    ],
)
def test_a_bad_pledge_is_a_400_naming_the_field_and_writes_nothing(
    client_as, fund, countries, fields, field
) -> None:
    before = written()
    response = pledge(client_as("manager"), **fields)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert written() == before


def test_a_refused_pledge_leaves_no_new_donor(client_as, fund, countries) -> None:
    """donor_for() creates the donor before the pledge is checked: the view's transaction
    takes it back with the pledge."""
    response = pledge(client_as("manager"), donor_country=None, donor_name="New", amount="-1")
    assert response.status_code == 400 and "amount" in response.json()
    assert not Donor.objects.exists()


@pytest.fixture
def signed_pledge(fund, fund_manager, countries):
    contribution = services.record_contribution(
        actor=fund_manager,
        fund=fund,
        donor=services.donor_for(country=countries["NOR"], actor=fund_manager),
        currency="USD",
        amount="500000.00",
        pledged_on=DAY,
    )
    return services.sign_contribution(actor=fund_manager, contribution=contribution, signed_on=DAY)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"date": "2024-03-01", "amount": "500000.01"}, "amount"),  # above the pledge
        ({"date": "2024-03-01", "amount": "-5.00"}, "amount"),
        ({"date": "2024-03-01", "amount": "0.00"}, "amount"),
        ({"date": "2024-03-01"}, "amount"),
        ({"amount": "100.00"}, "date"),
        ({"date": "2024-03-01", "amount": "100.00", "rate": "2"}, "rate"),
    ],
)
def test_a_bad_deposit_is_a_400_naming_the_field_and_writes_nothing(
    client_as, signed_pledge, body, field
) -> None:
    before = written()
    response = client_as("manager").post(
        f"{CONTRIBUTIONS}{signed_pledge.pk}/deposits/", body, format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert written() == before


def test_a_deposit_above_the_pledge_says_how_much_was_pledged(client_as, signed_pledge) -> None:
    client = client_as("manager")
    url = f"{CONTRIBUTIONS}{signed_pledge.pk}/deposits/"
    assert client.post(url, {"date": "2024-03-01", "amount": "400000.00"}).status_code == 201
    before = written()
    response = client.post(url, {"date": "2024-03-02", "amount": "100000.01"})
    assert response.status_code == 400
    [message] = response.json()["amount"]
    assert "USD 500,000.00 pledged" in message
    assert written() == before


def test_a_deposit_without_an_exchange_rate_names_the_date(
    client_as, fund, fund_manager, countries
) -> None:
    contribution = services.record_contribution(
        actor=fund_manager,
        fund=fund,
        donor=services.donor_for(country=countries["SWE"], actor=fund_manager),
        currency="SEK",
        amount="1000000.00",
        pledged_on=DAY,
    )
    services.sign_contribution(actor=fund_manager, contribution=contribution, signed_on=DAY)
    before = written()
    response = client_as("manager").post(
        f"{CONTRIBUTIONS}{contribution.pk}/deposits/", {"date": "2024-03-01", "amount": "10.00"}
    )
    assert response.status_code == 400 and "date" in response.json()
    assert written() == before


def test_a_deposit_before_the_signature_is_refused(client_as, fund, fund_manager) -> None:
    contribution = services.record_contribution(
        actor=fund_manager,
        fund=fund,
        donor=services.donor_for(name="A foundation", actor=fund_manager),
        currency="USD",
        amount="1000.00",
        pledged_on=DAY,
    )
    before = written()
    response = client_as("manager").post(
        f"{CONTRIBUTIONS}{contribution.pk}/deposits/", {"date": "2024-03-01", "amount": "10.00"}
    )
    assert response.status_code == 400 and "status" in response.json()
    assert written() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"organization": "UNDP", "amount": "1000.00"}, "organization"),  # not a participant
        ({"organization": "NOPE", "amount": "1000.00"}, "organization"),  # not in the registry
        ({"organization": "IOM", "amount": "600000.01"}, "amount"),  # above its budget
        ({"organization": "IOM", "amount": "-1000.00"}, "amount"),
        ({"organization": "IOM", "amount": "1000.001"}, "amount"),
        ({"organization": "IOM", "amount": 1000.5}, "amount"),
        ({"organization": "IOM"}, "amount"),
    ],
)
def test_a_bad_transfer_is_a_400_naming_the_field_and_writes_nothing(
    client_as, approved_programme, body, field
) -> None:
    programme = approved_programme()
    before = written()
    response = client_as("manager").post(
        f"{PROGRAMMES}{programme.code}/transfers/",
        {"transferred_on": "2024-04-01", **body},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert written() == before


def test_a_transfer_to_a_non_participant_names_the_participants(
    client_as, approved_programme
) -> None:
    programme = approved_programme()
    response = client_as("manager").post(
        f"{PROGRAMMES}{programme.code}/transfers/",
        {"organization": "UNDP", "amount": "1000.00", "transferred_on": "2024-04-01"},
    )
    [message] = response.json()["organization"]
    assert "not a participating organization" in message and "International Labour" in message


def test_an_approval_above_the_available_balance_is_refused_and_allocates_nothing(
    client_as, deposit, documented_programme
) -> None:
    deposit("400000.00")
    programme = documented_programme({"IOM": "600000.00", "ILO": "400000.00"})
    before = written()
    client = client_as("manager")
    response = client.post(f"{PROGRAMMES}{programme.code}/approve/", {"approved_on": "2024-04-01"})
    assert response.status_code == 400
    [message] = response.json()["budget"]
    assert "USD 400,000.00 available" in message and "USD 1,000,000.00" in message
    assert written() == before
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.DOCUMENT
    assert not LedgerTransaction.objects.filter(kind=TransactionKind.ALLOCATION).exists()
    assert client.get(f"{FUNDS}MIG00/balances/").json()["available"] == "400000.00"


def test_approving_twice_or_without_a_date_is_refused(client_as, approved_programme) -> None:
    programme = approved_programme()
    client = client_as("manager")
    before = written()
    again = client.post(f"{PROGRAMMES}{programme.code}/approve/", {"approved_on": "2024-04-01"})
    assert again.status_code == 400 and "status" in again.json()
    undated = client.post(f"{PROGRAMMES}{programme.code}/approve/", {})
    assert undated.status_code == 400 and "approved_on" in undated.json()
    assert written() == before


# Filters ----------------------------------------------------------------------------------------


def test_filters_by_fund_status_area_country_and_donor(
    client_as, deposit, approved_programme, documented_programme
) -> None:
    approved = approved_programme()
    waiting = documented_programme({"IOM": "100000.00", "ILO": "100000.00"})
    client = client_as("viewer")

    def codes(**query: Any) -> list[str]:
        response = client.get(PROGRAMMES, query)
        assert response.status_code == 200, response.content
        return [p["code"] for p in response.json()["results"]]

    assert codes(fund="MIG00") == [approved.code, waiting.code]
    assert codes(status="approved") == [approved.code]
    assert codes(status=["approved", "document"]) == [approved.code, waiting.code]
    assert codes(thematic_area="TA4", country="zaf") == [approved.code, waiting.code]
    assert codes(country="KEN") == []
    assert codes(region="002") == [approved.code, waiting.code]  # Africa
    assert codes(region="150") == []
    assert codes(participant="IOM", approved_year=2024) == [approved.code]
    assert codes(q="labour") == [approved.code, waiting.code]
    assert client.get(PROGRAMMES, {"status": "funded"}).status_code == 400

    contributions = client.get(CONTRIBUTIONS, {"donor_country": "DEU", "status": "deposited"})
    assert contributions.json()["count"] == 1
    assert client.get(CONTRIBUTIONS, {"earmarked": "true"}).json()["count"] == 0
    assert client.get(CONTRIBUTIONS, {"year": 2023}).json()["count"] == 0
    assert client.get(CONTRIBUTIONS, {"year": 99999}).status_code == 400
    assert client.get(FUNDS, {"code": "mig00"}).json()["count"] == 1


# Query budgets ----------------------------------------------------------------------------------


def test_list_endpoints_have_a_query_budget(
    client_as, fund, fund_manager, deposit, approved_programme, django_assert_max_num_queries
) -> None:
    for _ in range(3):
        approved_programme()
    services.open_call(
        actor=fund_manager,
        fund=fund,
        title="Call 2024",
        opens_on=date(2024, 1, 1),
        deadline=date(2024, 6, 30),
        thematic_areas=list(fund.thematic_areas.all()),
    )
    client = client_as("manager")
    # Each read's queries, whatever the number of rows (the role cache lives on the user).
    budgets = {
        FUNDS: 5,  # count, funds with their organization, thematic areas, objectives, markers
        f"{FUNDS}MIG00/": 6,
        f"{FUNDS}MIG00/balances/": 2,  # the fund, one grouped SUM
        f"{FUNDS}MIG00/statement/": 4,
        f"{FUNDS}MIG00/portfolio/": 15,  # + decisions, to order the pipeline
        CONTRIBUTIONS: 3,  # count, contributions with fund, donor and earmarks, deposits
        CALLS: 3,
        PROGRAMMES: 10,
        f"{TRANSACTIONS}?fund=MIG00": 4,  # readable funds, count, transactions, entries
    }
    for url, budget in budgets.items():
        with django_assert_max_num_queries(budget):
            response = client.get(url)
            assert response.status_code == 200, (url, response.content)
    # ... and the same with three times the rows: no query per row.
    for _ in range(6):
        approved_programme()
    for url in (CONTRIBUTIONS, PROGRAMMES, f"{TRANSACTIONS}?fund=MIG00"):
        with django_assert_max_num_queries(budgets[url]):
            assert client.get(url).status_code == 200


# The schema -------------------------------------------------------------------------------------


def test_the_schema_describes_the_funds_api_without_warnings(client) -> None:
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    problems = [
        message
        for message in [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
        if "funds" in message.lower() or "enum naming" in message
    ]
    GENERATOR_STATS.reset()
    assert problems == []
    paths = set(schema["paths"])
    assert {
        "/api/funds/funds/{code}/balances/",
        "/api/funds/funds/{code}/portfolio/",
        "/api/funds/funds/{code}/statement/",
        "/api/funds/contributions/",
        "/api/funds/contributions/{id}/deposits/",
        "/api/funds/programmes/{code}/approve/",
        "/api/funds/programmes/{code}/transfers/",
        "/api/funds/transactions/",
    } <= paths
    served = client.get("/api/schema/")
    assert (
        served.status_code == 200 and b"/api/funds/programmes/{code}/transfers/" in served.content
    )


# The security review's findings, through the API ------------------------------------------------


def test_a_deposit_sent_twice_with_its_version_is_recorded_once(client_as, signed_pledge) -> None:
    client = client_as("manager")
    url = f"{CONTRIBUTIONS}{signed_pledge.pk}/"
    version = client.get(url).json()["version"]
    body = {"date": "2024-03-01", "amount": "100000.00", "version": version}
    assert client.post(f"{url}deposits/", body, format="json").status_code == 201
    before = written()
    again = client.post(f"{url}deposits/", body, format="json")  # a retry after a timeout
    assert again.status_code == 400, again.content
    [message] = again.json()["version"]
    assert "changed since you opened the page" in message
    assert written() == before
    # Read again, the new version records the next deposit; without a version, no check.
    assert client.get(url).json()["version"] == version + 1
    fresh = {**body, "version": version + 1}
    assert client.post(f"{url}deposits/", fresh, format="json").status_code == 201
    unchecked = {"date": "2024-03-01", "amount": "100000.00"}
    assert client.post(f"{url}deposits/", unchecked, format="json").status_code == 201
    assert client.get(url).json()["deposited"] == "300000.00"


def test_a_transfer_sent_twice_with_its_version_is_made_once(client_as, approved_programme):
    programme = approved_programme()
    client = client_as("manager")
    url = f"{PROGRAMMES}{programme.code}/"
    version = client.get(url).json()["version"]
    body = {
        "organization": "IOM",
        "amount": "100000.00",
        "transferred_on": "2024-04-01",
        "version": version,
    }
    assert client.post(f"{url}transfers/", body, format="json").status_code == 201
    before = written()
    again = client.post(f"{url}transfers/", body, format="json")
    assert again.status_code == 400 and "version" in again.json()
    assert written() == before
    detail = client.get(url).json()
    assert detail["version"] == version + 1 and len(detail["tranches"]) == 1
    body["version"] = version + 1
    assert client.post(f"{url}transfers/", body, format="json").status_code == 201


@pytest.mark.parametrize("version", ["abc", -1, 1.5, 2**63])
def test_a_malformed_version_is_a_400(client_as, signed_pledge, version) -> None:
    before = written()
    response = client_as("manager").post(
        f"{CONTRIBUTIONS}{signed_pledge.pk}/deposits/",
        {"date": "2024-03-01", "amount": "10.00", "version": version},
        format="json",
    )
    assert response.status_code == 400 and "version" in response.json()
    assert written() == before


@pytest.mark.parametrize(
    ("amount", "needle"),
    [
        ("2,500", "Write 2,500 without a thousands separator"),
        ("1000000000000", "too large"),
        ("1,000,000,000,000.00", "too large"),
    ],
)
def test_ambiguous_and_too_large_amounts_are_a_400(client_as, signed_pledge, amount, needle):
    before = written()
    response = client_as("manager").post(
        f"{CONTRIBUTIONS}{signed_pledge.pk}/deposits/",
        {"date": "2024-03-01", "amount": amount},
        format="json",
    )
    assert response.status_code == 400
    [message] = response.json()["amount"]
    assert needle in message
    assert written() == before


def test_a_deposit_dated_in_the_future_is_a_400(client_as, signed_pledge) -> None:
    before = written()
    response = client_as("manager").post(
        f"{CONTRIBUTIONS}{signed_pledge.pk}/deposits/",
        {"date": "2099-01-01", "amount": "10.00"},
        format="json",
    )
    assert response.status_code == 400
    assert "2099-01-01 is in the future" in response.json()["date"][0]
    assert written() == before


def test_a_donor_created_through_the_api_is_audited_with_who_created_it(
    client_as, fund, fund_manager
) -> None:
    response = pledge(client_as("manager"), donor_country=None, donor_name="A new foundation")
    assert response.status_code == 201, response.content
    donor = Donor.objects.get(name="A new foundation")
    event = AuditEvent.objects.get(target_type__model="donor", target_id=str(donor.pk))
    assert event.actor == fund_manager


def test_the_schema_documents_the_optional_version(client) -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    for name, record in (
        ("DepositCreateRequest", "contribution"),
        ("TransferRequest", "programme"),
    ):
        version = components[name]["properties"]["version"]
        assert version["type"] == "integer" and version["nullable"] is True
        assert f"The {record}'s `version`" in version["description"]
        assert "version" not in components[name].get("required", [])
