"""The security review's findings, one section each, through the services: each test fails on
the code before the fix. Exchange rates belong to an organization and a rate a deposit used
stays; a form or request sent twice posts once; nobody assesses their own organization's note;
a region's earmark pays only for the programme's places in it (and the World's for any
place); amounts stay below what every backend stores exactly; dates follow the lifecycle; a
call limited to some thematic areas refuses the others."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from migration_hub.core.choices import Role
from migration_hub.core.models import AuditEvent, Country, Region
from migration_hub.funds import ledger, selectors, services
from migration_hub.funds.choices import (
    Account,
    DecisionOutcome,
    ProgrammeStatus,
    ReportKind,
    TransactionKind,
)
from migration_hub.funds.models import (
    Assessment,
    Contribution,
    Decision,
    Deposit,
    ExchangeRate,
    LedgerEntry,
    LedgerTransaction,
    Programme,
    ProgressReport,
    Tranche,
)
from tests.factories import MembershipFactory

from .conftest import DAY

MODELS = (
    Contribution,
    Deposit,
    ExchangeRate,
    Programme,
    Assessment,
    Decision,
    Tranche,
    ProgressReport,
    LedgerTransaction,
    LedgerEntry,
    AuditEvent,
)


def tomorrow() -> date:
    return timezone.localdate() + timedelta(days=1)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@contextmanager
def refused(field: str, *needles: str) -> Iterator[pytest.ExceptionInfo]:
    """A ValidationError on `field` whose messages hold each of `needles`; nothing written,
    and the ledger still balances."""
    before = row_counts()
    with pytest.raises(ValidationError) as caught:
        yield caught
    messages = caught.value.message_dict
    assert field in messages, messages
    text = " ".join(messages[field])
    for needle in needles:
        assert needle in text, (needle, text)
    assert row_counts() == before
    assert ledger.unbalanced_transactions() == []


@pytest.fixture
def other_manager(make_member, other_organization):
    """A fund manager of another organization than the fund's."""
    return make_member(Role.FUND_MANAGER, other_organization, "fm-other")


@pytest.fixture
def signed(fund, fund_manager, countries):
    """signed("1000.00", "EUR"): Norway's pledge in that currency, signed on DAY."""

    def make(amount: str = "1000.00", currency: str = "EUR", *, signed_on: date = DAY):
        contribution = services.record_contribution(
            actor=fund_manager,
            fund=fund,
            donor=services.donor_for(country=countries["NOR"], actor=fund_manager),
            currency=currency,
            amount=amount,
            pledged_on=DAY,
        )
        return services.sign_contribution(
            actor=fund_manager, contribution=contribution, signed_on=signed_on
        )

    return make


def rate(actor, organization, value: str, *, day: date = DAY, currency: str = "EUR"):
    return services.set_exchange_rate(
        actor=actor,
        organization=organization,
        currency=currency,
        quote_currency="USD",
        day=day,
        rate=value,
    )


# 1. Exchange rates belong to an organization ---------------------------------------------------


def test_another_organizations_fund_manager_cannot_set_the_rates_this_fund_uses(
    fund, fund_manager, other_manager, other_organization, signed, tmp_path
):
    rate(fund_manager, fund.organization, "1.0850")
    before = row_counts()
    for value, day in (("2.0000", DAY), ("1.0850", DAY), ("2.0000", DAY + timedelta(days=1))):
        with pytest.raises(PermissionDenied):
            rate(other_manager, fund.organization, value, day=day)
    path = tmp_path / "rates.csv"
    path.write_text("currency,quote_currency,date,rate\nEUR,USD,2024-03-01,2.0\n")
    with pytest.raises(PermissionDenied):
        services.import_exchange_rates(
            actor=other_manager, organization=fund.organization, path=path
        )
    assert row_counts() == before

    # Their own organization's table is theirs, and does not reach this fund's deposits.
    rate(other_manager, other_organization, "2.0000")
    rate(other_manager, other_organization, "2.0000", day=DAY + timedelta(days=1))
    assert services.exchange_rate(fund.organization, "EUR", "USD", DAY) == Decimal("1.0850")
    assert services.exchange_rate(other_organization, "EUR", "USD", DAY) == Decimal("2")
    contribution = signed("1000.00")
    deposit = services.record_deposit(
        actor=fund_manager, contribution=contribution, day=DAY, amount="400.00"
    )
    assert (deposit.rate, deposit.fund_amount) == (Decimal("1.0850"), Decimal("434.00"))
    with refused("date", "no exchange rate from EUR to USD", "2024-03-02"):
        services.record_deposit(
            actor=fund_manager,
            contribution=contribution,
            day=DAY + timedelta(days=1),
            amount="100.00",
        )
    assert ledger.balances(fund).deposited == Decimal("434.00")


def test_a_rate_a_deposit_used_can_no_longer_change(fund, fund_manager, signed, tmp_path):
    rate(fund_manager, fund.organization, "1.0850")
    contribution = signed("1000.00")
    deposit = services.record_deposit(
        actor=fund_manager, contribution=contribution, day=DAY, amount="1000.00"
    )
    assert deposit.fund_amount == Decimal("1085.00")

    with refused("rate", "2024-03-01", "can no longer change"):
        rate(fund_manager, fund.organization, "1.2000")
    path = tmp_path / "rates.csv"
    path.write_text(
        "currency,quote_currency,date,rate\nGBP,USD,2024-03-01,1.27\nEUR,USD,2024-03-01,1.2\n"
    )
    before = row_counts()
    with pytest.raises(ValidationError, match=r"rates\.csv, line 3: .*can no longer change"):
        services.import_exchange_rates(
            actor=fund_manager, organization=fund.organization, path=path
        )
    assert row_counts() == before
    assert services.exchange_rate(fund.organization, "EUR", "USD", DAY) == Decimal("1.0850")
    assert not ExchangeRate.objects.filter(currency="GBP").exists()  # all or nothing
    deposit.refresh_from_db()
    assert deposit.fund_amount == Decimal("1085.00")
    assert ledger.balances(fund).deposited == Decimal("1085.00")

    # The same rate again changes nothing; another day's rate is added and corrected freely.
    rate(fund_manager, fund.organization, "1.085")
    rate(fund_manager, fund.organization, "1.1000", day=DAY + timedelta(days=1))
    corrected = rate(fund_manager, fund.organization, "1.1010", day=DAY + timedelta(days=1))
    assert corrected.rate == Decimal("1.1010")


# 2. A form or request sent twice posts once -------------------------------------------------


def test_a_deposit_made_on_an_older_version_is_refused(fund, fund_manager, signed):
    contribution = signed("1000.00", "USD")
    opened = contribution.version
    services.record_deposit(
        actor=fund_manager,
        contribution=contribution,
        day=DAY,
        amount="100.00",
        expected_version=opened,
    )
    contribution.refresh_from_db()
    assert contribution.version == opened + 1  # every deposit moves the version
    with refused("version", "changed since you opened the page", "Nothing was recorded"):
        services.record_deposit(
            actor=fund_manager,
            contribution=contribution,
            day=DAY,
            amount="100.00",
            expected_version=opened,
        )
    assert ledger.balances(fund).deposited == Decimal("100.00")


def test_a_tranche_made_on_an_older_version_is_refused(
    fund, fund_manager, approved_programme, un_organizations
):
    programme = approved_programme()
    opened = programme.version
    transfer = {
        "actor": fund_manager,
        "programme": programme,
        "organization": un_organizations["IOM"],
        "amount": "100000.00",
        "transferred_on": DAY,
        "expected_version": opened,
    }
    services.transfer_tranche(**transfer)
    programme.refresh_from_db()
    assert programme.version == opened + 1  # every tranche moves the version
    with refused("version", "changed since you opened the page"):
        services.transfer_tranche(**transfer)
    assert ledger.balances(fund).transferred == Decimal("100000.00")
    services.transfer_tranche(**{**transfer, "expected_version": programme.version})
    assert Tranche.objects.count() == 2


# 3. Separation of duties ---------------------------------------------------------------------


def test_nobody_assesses_a_note_their_own_organization_sent(
    fund,
    fund_manager,
    reviewer,
    organization,
    other_organization,
    make_member,
    concept_note,
    un_organizations,
):
    scores = {c["code"]: 5 for c in fund.rubric}
    # The fund's own organization sends a note: its reviewers and fund managers may not
    # score it.
    own = services.submit_concept_note(
        actor=fund_manager,
        fund=fund,
        organization=organization,
        title="Our own programme",
        thematic_area=fund.thematic_areas.get(code="TA1"),
        budget="1000.00",
        participating_organizations=[un_organizations["IOM"], un_organizations["ILO"]],
        countries=[Country.objects.get(alpha3="MEX")],
        marker_scores={"GENDER": 1, "HUMAN-RIGHTS": 1},
    )
    for assessor in (reviewer, fund_manager):
        with refused("assessor", "Home Ministry of Migration", "outside it"):
            services.assess_programme(actor=assessor, programme=own, scores=scores)

    # A reviewer of the fund who also holds any role in the organization that sent the note.
    double = make_member(Role.REVIEWER, organization, "two-hats")
    MembershipFactory(user=double, organization=other_organization, role=Role.VIEWER)
    theirs = concept_note()
    with refused("assessor", "Other Agency for Refugees"):
        services.assess_programme(actor=double, programme=theirs, scores=scores)
    for programme in (own, theirs):
        programme.refresh_from_db()
        assert programme.status == ProgrammeStatus.SUBMITTED

    # A reviewer from outside the sending organization assesses it.
    services.assess_programme(actor=reviewer, programme=theirs, scores=scores)
    theirs.refresh_from_db()
    assert theirs.status == ProgrammeStatus.ASSESSED


# 4. Region earmarks pay only for the programme's places in the region -----------------------


@pytest.fixture
def documented_in(fund, fund_manager, reviewer, applicant, other_organization, un_organizations):
    """documented_in("1000000.00", countries=["FRA"], regions=["002"]): a note from another
    organization, assessed, selected and documented (all of it to IOM)."""

    def make(budget: str, *, countries=(), regions=(), area: str = "TA4") -> Programme:
        programme = services.submit_concept_note(
            actor=applicant,
            fund=fund,
            organization=other_organization,
            title=f"In {', '.join([*countries, *regions])}",
            thematic_area=fund.thematic_areas.get(code=area),
            budget=budget,
            participating_organizations=[un_organizations["IOM"], un_organizations["ILO"]],
            countries=[Country.objects.get(alpha3=code) for code in countries],
            regions=[Region.objects.get(m49_code=code) for code in regions],
            marker_scores={"GENDER": 1, "HUMAN-RIGHTS": 1},
        )
        services.assess_programme(
            actor=reviewer, programme=programme, scores={c["code"]: 3 for c in fund.rubric}
        )
        services.decide_programme(
            actor=fund_manager,
            programme=programme,
            outcome=DecisionOutcome.SELECTED,
            reasons="Selected.",
            decided_on=DAY,
        )
        return services.submit_programme_document(
            actor=fund_manager, programme=programme, budgets={un_organizations["IOM"]: budget}
        )

    return make


def fundable_now(fund, programme) -> bool:
    """What the dashboard's pipeline says of `programme`."""
    (row,) = [row for row in selectors.portfolio(fund).pipeline if row["programme"] == programme]
    return row["fundable_now"]


def allocated_by_pool(programme) -> dict[str, int]:
    return dict(
        LedgerEntry.objects.filter(
            kind=TransactionKind.ALLOCATION, account=Account.ALLOCATIONS, programme=programme
        ).values_list("pool", "cents")
    )


FIVE = ["FRA", "DEU", "ITA", "ESP", "ZAF"]


def test_a_five_country_programme_draws_only_its_african_share_from_africas_earmark(
    fund, fund_manager, deposit, documented_in, africa
):
    deposit("1000000.00", earmarked_region=africa)
    deposit("800000.00", alpha3="NOR")
    programme = documented_in("1000000.00", countries=FIVE)
    assert services.plan_allocation(
        100_000_000,
        ledger.available_cents_by_pool(fund),
        "TA4",
        services.programme_places(programme),
    ) == {"R:002": 20_000_000, "": 80_000_000}
    assert fundable_now(fund, programme) is True
    services.approve_programme(actor=fund_manager, programme=programme, approved_on=DAY)
    # South Africa is one place in five: Africa's earmark pays 200,000, unearmarked the rest.
    assert allocated_by_pool(programme) == {"R:002": 20_000_000, "": 80_000_000}
    assert ledger.balances(fund).available_by_pool == {"R:002": Decimal("800000.00")}


def test_a_five_country_programme_is_refused_when_unearmarked_money_is_short(
    fund, fund_manager, deposit, documented_in, africa
):
    deposit("1000000.00", earmarked_region=africa)
    deposit("799999.99", alpha3="NOR")
    programme = documented_in("1000000.00", countries=FIVE)
    # The dashboard and the approval agree: not fundable.
    assert fundable_now(fund, programme) is False
    with refused("budget", "USD 999,999.99 available for this programme", "USD 1,000,000.00"):
        services.approve_programme(actor=fund_manager, programme=programme, approved_on=DAY)
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.DOCUMENT
    assert ledger.balances(fund).available_by_pool == {
        "R:002": Decimal("1000000.00"),
        "": Decimal("799999.99"),
    }


def test_a_programme_in_france_cannot_use_africas_earmark_by_listing_africa(
    fund, fund_manager, deposit, documented_in, africa
):
    deposit("500000.00", earmarked_region=africa)
    programme = documented_in("100000.00", countries=["FRA"], regions=["002"])
    assert services.programme_places(programme) == [["155", "150", "001"]]
    assert fundable_now(fund, programme) is False
    with refused("budget", "USD 0.00 available for this programme"):
        services.approve_programme(actor=fund_manager, programme=programme, approved_on=DAY)
    # Unearmarked money funds it; Africa's earmark stays whole.
    deposit("100000.00", alpha3="NOR")
    assert fundable_now(fund, programme) is True
    services.approve_programme(actor=fund_manager, programme=programme, approved_on=DAY)
    assert allocated_by_pool(programme) == {"": 10_000_000}
    assert ledger.balances(fund).available_by_pool == {"R:002": Decimal("500000.00")}


def test_money_earmarked_to_the_world_funds_a_programme_in_kenya(
    client, fund, fund_manager, deposit, documented_in, countries
):
    world = Region.objects.get(m49_code="001")
    deposit("500000.00", earmarked_region=world)
    kenya = documented_in("300000.00", countries=["KEN"])
    assert services.programme_places(kenya) == [["014", "202", "002", "001"]]
    # The dashboard's pipeline says it can be funded now, and approval agrees.
    assert fundable_now(fund, kenya) is True
    client.force_login(fund_manager)
    page = client.get(fund.get_absolute_url()).content.decode()
    row = page[page.index(kenya.title) :]
    row = row[: row.index("</tr>")]
    assert "Yes" in row and "more money is needed" not in row
    services.approve_programme(actor=fund_manager, programme=kenya, approved_on=DAY)
    assert allocated_by_pool(kenya) == {"R:001": 30_000_000}
    # A programme given by a region draws on the World's earmark too.
    eastern_africa = documented_in("200000.00", regions=["014"])
    assert fundable_now(fund, eastern_africa) is True
    services.approve_programme(actor=fund_manager, programme=eastern_africa, approved_on=DAY)
    assert ledger.balances(fund).available == 0


# 5. Amounts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount",
    [
        "1000000000000",
        "1000000000000.00",
        "1,000,000,000,000.00",
        "1e12",
        Decimal("1E+12"),
        "1000000000000.01",
        "9999999999999999.99",
    ],
)
def test_an_amount_at_or_above_one_trillion_is_refused(fund, fund_manager, countries, amount):
    donor = services.donor_for(country=countries["ITA"], actor=fund_manager)
    with refused("amount", "too large", "999,999,999,999.99"):
        services.record_contribution(
            actor=fund_manager,
            fund=fund,
            donor=donor,
            currency="USD",
            amount=amount,
            pledged_on=DAY,
        )


def test_the_largest_amount_is_kept_to_the_cent(fund, fund_manager, signed):
    contribution = signed("999,999,999,999.99", "USD")
    services.record_deposit(
        actor=fund_manager, contribution=contribution, day=DAY, amount="999999999999.99"
    )
    deposit = Deposit.objects.get()
    assert deposit.amount == deposit.fund_amount == Decimal("999999999999.99")
    assert ledger.balances(fund).deposited == Decimal("999999999999.99")


def test_a_deposit_converting_to_more_than_the_ledger_holds_is_refused(fund, fund_manager, signed):
    rate(fund_manager, fund.organization, "1.10")
    contribution = signed("999999999999.99", "EUR")
    with refused("amount", "more than the ledger holds in one entry"):
        services.record_deposit(
            actor=fund_manager, contribution=contribution, day=DAY, amount="999999999999.99"
        )
    services.record_deposit(
        actor=fund_manager, contribution=contribution, day=DAY, amount="900000000000.00"
    )
    assert ledger.balances(fund).deposited == Decimal("990000000000.00")


def test_one_comma_group_without_a_decimal_point_is_ambiguous(fund, fund_manager, countries):
    donor = services.donor_for(country=countries["ITA"], actor=fund_manager)

    def pledge(amount: str) -> Contribution:
        return services.record_contribution(
            actor=fund_manager,
            fund=fund,
            donor=donor,
            currency="USD",
            amount=amount,
            pledged_on=DAY,
        )

    for ambiguous in ("2,500", "12,345", "-2,500"):
        with refused("amount"):
            pledge(ambiguous)
    with refused("amount", "Write 2,500 without a thousands separator (2500)"):
        pledge("2,500")
    assert pledge("1,250,000").amount == Decimal("1250000.00")
    assert pledge("2,500.00").amount == Decimal("2500.00")
    assert pledge("2500").amount == Decimal("2500.00")


# 6. Dates follow the lifecycle and are never in the future ----------------------------------


def test_a_signature_or_deposit_in_the_future_or_before_the_signature_is_refused(
    fund, fund_manager, signed, countries
):
    pledge = services.record_contribution(
        actor=fund_manager,
        fund=fund,
        donor=services.donor_for(country=countries["ITA"], actor=fund_manager),
        currency="USD",
        amount="1000.00",
        pledged_on=DAY,
    )
    with refused("signed_on", "is in the future"):
        services.sign_contribution(actor=fund_manager, contribution=pledge, signed_on=tomorrow())
    contribution = signed("1000.00", "USD", signed_on=DAY + timedelta(days=10))
    with refused("date", "2024-03-01 is before the signature (2024-03-11)"):
        services.record_deposit(actor=fund_manager, contribution=contribution, day=DAY, amount="1")
    with refused("date", "is in the future"):
        services.record_deposit(
            actor=fund_manager, contribution=contribution, day=tomorrow(), amount="1"
        )
    services.record_deposit(
        actor=fund_manager, contribution=contribution, day=DAY + timedelta(days=10), amount="1"
    )


def test_a_decision_before_the_call_opened_or_in_the_future_is_refused(
    fund, fund_manager, reviewer, concept_note
):
    call = services.open_call(
        actor=fund_manager, fund=fund, title="Call 2024", opens_on=DAY, deadline=date(2024, 6, 30)
    )
    programme = concept_note(call=call, today=DAY)
    services.assess_programme(
        actor=reviewer, programme=programme, scores={c["code"]: 3 for c in fund.rubric}
    )
    decision = {
        "actor": fund_manager,
        "programme": programme,
        "outcome": DecisionOutcome.SELECTED,
        "reasons": "Fits the call.",
    }
    with refused("decided_on", "2024-02-29 is before the call opened (2024-03-01)"):
        services.decide_programme(**decision, decided_on=DAY - timedelta(days=1))
    with refused("decided_on", "is in the future"):
        services.decide_programme(**decision, decided_on=tomorrow())
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.ASSESSED
    services.decide_programme(**decision, decided_on=DAY)


def test_an_approval_before_the_latest_decision_or_in_the_future_is_refused(
    fund, fund_manager, reviewer, deposit, concept_note, un_organizations
):
    deposit("1000.00")
    programme = concept_note("1000.00")
    services.assess_programme(
        actor=reviewer, programme=programme, scores={c["code"]: 3 for c in fund.rubric}
    )
    for outcome, day in (
        (DecisionOutcome.PIPELINE, DAY),
        (DecisionOutcome.SELECTED, DAY + timedelta(days=10)),
    ):
        services.decide_programme(
            actor=fund_manager,
            programme=programme,
            outcome=outcome,
            reasons="Waiting, then selected.",
            decided_on=day,
        )
    services.submit_programme_document(
        actor=fund_manager, programme=programme, budgets={un_organizations["IOM"]: "1000.00"}
    )
    with refused(
        "approved_on", "2024-03-06 is before the Steering Committee's decision (2024-03-11)"
    ):
        services.approve_programme(
            actor=fund_manager, programme=programme, approved_on=DAY + timedelta(days=5)
        )
    with refused("approved_on", "is in the future"):
        services.approve_programme(actor=fund_manager, programme=programme, approved_on=tomorrow())
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.DOCUMENT
    services.approve_programme(
        actor=fund_manager, programme=programme, approved_on=DAY + timedelta(days=10)
    )


@pytest.fixture
def approved_on_day(approved_programme):
    """A programme approved on DAY (2024-03-01), its 1,000,000 deposited."""
    return approved_programme()


def test_a_tranche_before_the_approval_or_in_the_future_is_refused(
    fund_manager, approved_on_day, un_organizations
):
    transfer = {
        "actor": fund_manager,
        "programme": approved_on_day,
        "organization": un_organizations["IOM"],
        "amount": "1000.00",
    }
    with refused("transferred_on", "2024-02-29 is before the approval (2024-03-01)"):
        services.transfer_tranche(**transfer, transferred_on=DAY - timedelta(days=1))
    with refused("transferred_on", "is in the future"):
        services.transfer_tranche(**transfer, transferred_on=tomorrow())
    services.transfer_tranche(**transfer, transferred_on=DAY)


def test_a_report_out_of_order_or_on_the_wrong_year_is_refused(fund_manager, approved_on_day):
    def report(year: int, submitted_on: date):
        return services.submit_report(
            actor=fund_manager,
            programme=approved_on_day,
            kind=ReportKind.NARRATIVE,
            year=year,
            submitted_on=submitted_on,
        )

    with refused("submitted_on", "2024-02-29 is before the approval (2024-03-01)"):
        report(2024, DAY - timedelta(days=1))
    with refused("submitted_on", "is in the future"):
        report(2024, tomorrow())
    with refused("year", "from 2024 (the approval) to 2025"):
        report(2023, date(2025, 3, 31))  # before the approval's year
    with refused("year", "from 2024 (the approval) to 2024"):
        report(2025, date(2024, 12, 31))  # a year not over when it was sent
    report(2024, date(2025, 3, 31))
    report(2025, date(2025, 12, 31))


def test_a_closure_before_the_last_step_or_in_the_future_is_refused(
    fund_manager, approved_on_day, un_organizations
):
    iom = un_organizations["IOM"]
    programme = approved_on_day
    tranche = services.transfer_tranche(
        actor=fund_manager,
        programme=programme,
        organization=iom,
        amount="1000.00",
        transferred_on=date(2024, 6, 1),
    )
    services.submit_report(
        actor=fund_manager,
        programme=programme,
        kind=ReportKind.FINANCIAL,
        organization=iom,
        year=2024,
        submitted_on=date(2024, 5, 1),  # ahead of the money, as happens
        expenditure="900.00",
        tranches=[tranche],
    )
    services.submit_report(
        actor=fund_manager,
        programme=programme,
        kind=ReportKind.NARRATIVE,
        year=2024,
        submitted_on=date(2025, 2, 1),
    )
    for before in (DAY - timedelta(days=1), date(2024, 6, 1), date(2025, 1, 31)):
        with refused("closed_on", "is before its last tranche or report (2025-02-01)"):
            services.close_programme(actor=fund_manager, programme=programme, closed_on=before)
    with refused("closed_on", "is in the future"):
        services.close_programme(actor=fund_manager, programme=programme, closed_on=tomorrow())
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.APPROVED
    services.close_programme(actor=fund_manager, programme=programme, closed_on=date(2025, 2, 1))


# 7. A call limited to some thematic areas ----------------------------------------------------


def test_a_call_for_one_thematic_area_refuses_a_note_of_another(fund, fund_manager, concept_note):
    call = services.open_call(
        actor=fund_manager,
        fund=fund,
        title="Call on data",
        opens_on=DAY,
        deadline=date(2024, 6, 30),
        thematic_areas=[fund.thematic_areas.get(code="TA1")],
    )
    with refused("thematic_area", "The call Call on data is for TA1 only."):
        concept_note(area="TA4", call=call, today=DAY)
    assert concept_note(area="TA1", call=call, today=DAY).call == call
    # Outside the call, any thematic area.
    assert concept_note(area="TA4").call is None
