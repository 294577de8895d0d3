"""The issue's list of bad input: each is refused with a ValidationError that names the field
(and what was wrong), and leaves no half-written rows behind."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from migration_hub.core.models import AuditEvent, Country
from migration_hub.funds import ledger, services
from migration_hub.funds.choices import DecisionOutcome, ProgrammeStatus, ReportKind
from migration_hub.funds.models import (
    Contribution,
    Deposit,
    ExchangeRate,
    LedgerEntry,
    LedgerTransaction,
    Participant,
    Programme,
    ProgressReport,
    ThematicArea,
    Tranche,
)

DAY = date(2024, 3, 1)
MODELS = (
    LedgerTransaction,
    LedgerEntry,
    Deposit,
    Tranche,
    Contribution,
    Programme,
    Participant,
    ProgressReport,
    ExchangeRate,
    AuditEvent,
)
NOT_AMOUNTS = [
    "-1",
    "-0.01",
    "0",
    "0.00",
    "-0",
    Decimal("0"),
    Decimal("-250000"),
    -5,
    "abc",
    "",
    None,
    "1.234",
    "0.001",
    Decimal("10.005"),
    1.5,
    0.1,
    float("nan"),
    "NaN",
    Decimal("NaN"),
    "Infinity",
    "-Infinity",
    "1e30",
    "12,50",
    "250.000,00",
    "10 000",
]


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@contextmanager
def refused(field: str | None, *needles: str) -> Iterator[pytest.ExceptionInfo]:
    """Expect a ValidationError on `field` (or a non-field error for None) whose messages
    contain each of `needles`, and no row written in any of MODELS."""
    before = row_counts()
    with pytest.raises(ValidationError) as caught:
        yield caught
    error = caught.value
    if field is None:
        messages = error.messages
    else:
        assert hasattr(error, "error_dict"), f"no field named: {error.messages}"
        assert field in error.message_dict, f"{field} not in {error.message_dict}"
        messages = error.message_dict[field]
    text = " ".join(messages)
    for needle in needles:
        assert needle in text, f"{needle!r} not in {text!r}"
    assert row_counts() == before
    assert ledger.unbalanced_transactions() == []


@pytest.fixture
def pledge(fund, fund_manager):
    """pledge("1000.00", currency="EUR", signed=True): a state's contribution to the fund."""

    def make(amount: str = "1000000.00", *, currency: str = "USD", signed: bool = True):
        contribution = services.record_contribution(
            actor=fund_manager,
            fund=fund,
            donor=services.donor_for(country=Country.objects.get(alpha3="ITA")),
            currency=currency,
            amount=amount,
            pledged_on=DAY,
        )
        if signed:
            contribution = services.sign_contribution(
                actor=fund_manager, contribution=contribution, signed_on=DAY
            )
        return contribution

    return make


@pytest.fixture
def documented(fund, fund_manager, reviewer, concept_note, un_organizations):
    """documented({"IOM": "600000"}): a selected note with its document, not yet approved."""

    def make(budgets: dict[str, str], **note) -> Programme:
        programme = concept_note(str(sum(Decimal(v) for v in budgets.values())), **note)
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
            actor=fund_manager,
            programme=programme,
            budgets={un_organizations[code]: amount for code, amount in budgets.items()},
        )

    return make


# Negative, zero and malformed amounts ----------------------------------------------------------


def test_a_pledge_must_be_a_positive_amount_in_cents(subtests, fund, fund_manager, countries):
    donor = services.donor_for(country=countries["ITA"])
    for amount in NOT_AMOUNTS:
        with subtests.test(amount=amount), refused("amount"):
            services.record_contribution(
                actor=fund_manager,
                fund=fund,
                donor=donor,
                currency="USD",
                amount=amount,
                pledged_on=DAY,
            )


def test_a_deposit_must_be_a_positive_amount_in_cents(subtests, fund_manager, pledge):
    contribution = pledge()
    for amount in NOT_AMOUNTS:
        with subtests.test(amount=amount), refused("amount"):
            services.record_deposit(
                actor=fund_manager, contribution=contribution, day=DAY, amount=amount
            )


def test_a_tranche_must_be_a_positive_amount_in_cents(
    subtests, fund_manager, approved_programme, un_organizations
):
    programme = approved_programme()
    for amount in NOT_AMOUNTS:
        with subtests.test(amount=amount), refused("amount"):
            services.transfer_tranche(
                actor=fund_manager,
                programme=programme,
                organization=un_organizations["IOM"],
                amount=amount,
                transferred_on=DAY,
            )


def test_a_concept_note_budget_must_be_a_positive_amount_in_cents(subtests, concept_note):
    for amount in NOT_AMOUNTS:
        with subtests.test(amount=amount), refused("budget"):
            concept_note(amount)


def test_a_fund_target_must_be_a_positive_amount_in_cents(subtests, organization):
    for amount in NOT_AMOUNTS:
        if amount in (None, ""):
            continue  # no target at all is allowed
        with subtests.test(amount=amount), refused("funding_target"):
            services.create_fund(
                actor=None, organization=organization, code="F2", name="F2", funding_target=amount
            )


def test_a_programme_document_budget_must_be_an_amount(
    subtests, fund, fund_manager, reviewer, concept_note, un_organizations
):
    programme = concept_note()
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
    iom = un_organizations["IOM"]
    for amount in ["-1", "abc", "1.234", 2.5, "NaN", "Infinity", "1e30"]:
        with (
            subtests.test(amount=amount),
            refused("budgets", "International Organization for Migration (IOM)"),
        ):
            services.submit_programme_document(
                actor=fund_manager, programme=programme, budgets={iom: amount}
            )
    with refused("budgets", "at least one"):
        services.submit_programme_document(
            actor=fund_manager, programme=programme, budgets={iom: "0", un_organizations["ILO"]: 0}
        )
    with refused("budgets", "not a participating organization"):
        services.submit_programme_document(
            actor=fund_manager, programme=programme, budgets={un_organizations["UNICEF"]: "10"}
        )
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.SELECTED


def test_reported_expenditure_must_be_an_amount(
    subtests, fund_manager, approved_programme, un_organizations
):
    programme = approved_programme()
    for amount in ["-1", "abc", "1.234", 2.5, "NaN", "Infinity", "1e30", None, ""]:
        with subtests.test(amount=amount), refused("expenditure"):
            services.submit_report(
                actor=fund_manager,
                programme=programme,
                kind=ReportKind.FINANCIAL,
                organization=un_organizations["IOM"],
                year=2024,
                submitted_on=DAY,
                expenditure=amount,
            )


def test_an_exchange_rate_must_be_a_positive_number(subtests, fund_manager, organization):
    for rate in ["0", "-1.1", "abc", "", None, "NaN", "Infinity", "1.123456789", "1e30", "1e11"]:
        with subtests.test(rate=rate), refused("rate"):
            services.set_exchange_rate(
                actor=fund_manager,
                organization=organization,
                currency="EUR",
                quote_currency="USD",
                day=DAY,
                rate=rate,
            )


def test_an_exchange_rate_needs_iso_currency_codes(subtests, fund_manager, organization):
    for currency in ["eur", "EURO", "€", ""]:
        with subtests.test(currency=currency), refused("currency"):
            services.set_exchange_rate(
                actor=fund_manager,
                organization=organization,
                currency=currency,
                quote_currency="USD",
                day=DAY,
                rate="1.1",
            )


def test_amounts_with_thousands_separators_are_read_exactly(fund, fund_manager, pledge):
    contribution = pledge("1,250,000.50")
    assert contribution.amount == Decimal("1250000.50")
    services.record_deposit(
        actor=fund_manager, contribution=contribution, day=DAY, amount=Decimal("1250000.5")
    )
    assert ledger.balances(fund).deposited == Decimal("1250000.50")


# Deposits --------------------------------------------------------------------------------------


def test_a_deposit_larger_than_the_pledge_is_refused(fund, fund_manager, pledge):
    contribution = pledge("1000.00")
    with refused("amount", "USD 1,000.01", "USD 1,000.00 pledged"):
        services.record_deposit(
            actor=fund_manager, contribution=contribution, day=DAY, amount="1000.01"
        )


def test_deposits_adding_up_to_more_than_the_pledge_are_refused(fund, fund_manager, pledge):
    contribution = pledge("1000.00", currency="USD")
    services.record_deposit(actor=fund_manager, contribution=contribution, day=DAY, amount="600")
    with refused("amount", "USD 1,000.01", "more than the USD 1,000.00 pledged"):
        services.record_deposit(
            actor=fund_manager, contribution=contribution, day=DAY, amount="400.01"
        )
    services.record_deposit(actor=fund_manager, contribution=contribution, day=DAY, amount="400")
    contribution.refresh_from_db()
    assert contribution.status == "deposited"
    with refused("amount", "pledged"):
        services.record_deposit(actor=fund_manager, contribution=contribution, day=DAY, amount="1")
    assert ledger.balances(fund).deposited == Decimal("1000.00")


def test_a_deposit_on_an_unsigned_pledge_is_refused(fund_manager, pledge):
    contribution = pledge(signed=False)
    with refused("status", "signature"):
        services.record_deposit(actor=fund_manager, contribution=contribution, day=DAY, amount="1")


def test_a_pledge_is_signed_once_and_not_before_it_was_made(fund_manager, pledge):
    contribution = pledge(signed=False)
    with refused("signed_on", "before the pledge"):
        services.sign_contribution(
            actor=fund_manager, contribution=contribution, signed_on=DAY - timedelta(days=1)
        )
    services.sign_contribution(actor=fund_manager, contribution=contribution, signed_on=DAY)
    with refused("status", "already signed"):
        services.sign_contribution(actor=fund_manager, contribution=contribution, signed_on=DAY)


def test_a_deposit_in_a_currency_without_a_rate_on_that_day_is_refused(fund, fund_manager, pledge):
    services.set_exchange_rate(
        actor=fund_manager,
        organization=fund.organization,
        currency="EUR",
        quote_currency="USD",
        day=DAY,
        rate="1.08",
    )
    contribution = pledge("1000.00", currency="EUR")
    with refused("date", "from EUR to USD", "2024-03-02"):
        services.record_deposit(
            actor=fund_manager, contribution=contribution, day=DAY + timedelta(days=1), amount="10"
        )
    # The rate the other way round is not used either: rates are quoted per direction.
    services.set_exchange_rate(
        actor=fund_manager,
        organization=fund.organization,
        currency="USD",
        quote_currency="EUR",
        day=DAY + timedelta(days=1),
        rate="0.92",
    )
    with refused("date", "from EUR to USD", "2024-03-02"):
        services.record_deposit(
            actor=fund_manager, contribution=contribution, day=DAY + timedelta(days=1), amount="10"
        )
    services.record_deposit(actor=fund_manager, contribution=contribution, day=DAY, amount="10")


def test_a_pledge_in_a_malformed_currency_or_earmarked_twice_is_refused(
    fund, fund_manager, countries, africa
):
    donor = services.donor_for(country=countries["ITA"])
    with refused("currency"):
        services.record_contribution(
            actor=fund_manager, fund=fund, donor=donor, currency="EURO", amount="1", pledged_on=DAY
        )
    with refused("earmarked_region", "not both"):
        services.record_contribution(
            actor=fund_manager,
            fund=fund,
            donor=donor,
            currency="USD",
            amount="1",
            pledged_on=DAY,
            earmarked_thematic_area=fund.thematic_areas.first(),
            earmarked_region=africa,
        )
    with refused("donor"):
        services.donor_for(name="   ")


# Allocations and transfers ---------------------------------------------------------------------


def test_an_allocation_above_the_available_balance_is_refused(
    fund, fund_manager, deposit, documented
):
    deposit("999999.99")
    programme = documented({"IOM": "600000.00", "ILO": "400000.00"})
    with refused("budget", "USD 999,999.99 available", "USD 1,000,000.00"):
        services.approve_programme(actor=fund_manager, programme=programme, approved_on=DAY)
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.DOCUMENT
    deposit("0.01", alpha3="NOR")
    services.approve_programme(actor=fund_manager, programme=programme, approved_on=DAY)
    assert ledger.balances(fund).available == 0
    with refused("status", "approved"):
        services.approve_programme(actor=fund_manager, programme=programme, approved_on=DAY)


def test_an_allocation_from_an_empty_fund_is_refused(fund_manager, documented):
    programme = documented({"IOM": "1.00"})
    with refused("budget", "USD 0.00 available"):
        services.approve_programme(actor=fund_manager, programme=programme, approved_on=DAY)


def test_a_transfer_to_an_organization_not_in_the_programme_is_refused(
    fund_manager, approved_programme, un_organizations
):
    programme = approved_programme()
    with refused("organization", "UNICEF", "International Organization for Migration"):
        services.transfer_tranche(
            actor=fund_manager,
            programme=programme,
            organization=un_organizations["UNICEF"],
            amount="1",
            transferred_on=DAY,
        )


def test_a_transfer_above_the_organization_budget_is_refused(
    fund, fund_manager, approved_programme, un_organizations
):
    programme = approved_programme({"IOM": "600000.00", "ILO": "400000.00"})
    ilo = un_organizations["ILO"]
    with refused("amount", "USD 400,000.00", "at most USD 400,000.00"):
        services.transfer_tranche(
            actor=fund_manager,
            programme=programme,
            organization=ilo,
            amount="400000.01",
            transferred_on=DAY,
        )
    services.transfer_tranche(
        actor=fund_manager,
        programme=programme,
        organization=ilo,
        amount="300000",
        transferred_on=DAY,
    )
    with refused("amount", "USD 300,000.00 was already transferred", "at most USD 100,000.00"):
        services.transfer_tranche(
            actor=fund_manager,
            programme=programme,
            organization=ilo,
            amount="100000.01",
            transferred_on=DAY,
        )
    # ILO's unused budget is not IOM's to take either.
    iom = un_organizations["IOM"]
    with refused("amount", "at most USD 600,000.00"):
        services.transfer_tranche(
            actor=fund_manager,
            programme=programme,
            organization=iom,
            amount="600000.01",
            transferred_on=DAY,
        )
    assert ledger.balances(fund).transferred == Decimal("300000.00")


def test_a_transfer_before_approval_or_after_closure_is_refused(
    fund_manager, approved_programme, documented, deposit, un_organizations
):
    iom = un_organizations["IOM"]
    deposit("5")
    waiting = documented({"IOM": "5"})
    with refused("status", "transfer money"):
        services.transfer_tranche(
            actor=fund_manager, programme=waiting, organization=iom, amount="1", transferred_on=DAY
        )
    closed = approved_programme()
    services.close_programme(actor=fund_manager, programme=closed, closed_on=DAY)
    with refused("status", "closed"):
        services.transfer_tranche(
            actor=fund_manager, programme=closed, organization=iom, amount="1", transferred_on=DAY
        )
    with refused("status", "closed"):
        services.close_programme(actor=fund_manager, programme=closed, closed_on=DAY)


# Closure and reports ---------------------------------------------------------------------------


def test_closing_a_programme_with_an_unreported_tranche_is_refused(
    fund_manager, approved_programme, un_organizations
):
    programme = approved_programme()
    iom, ilo = un_organizations["IOM"], un_organizations["ILO"]
    reported = services.transfer_tranche(
        actor=fund_manager, programme=programme, organization=iom, amount="100", transferred_on=DAY
    )
    services.submit_report(
        actor=fund_manager,
        programme=programme,
        kind=ReportKind.FINANCIAL,
        organization=iom,
        year=2024,
        submitted_on=DAY,
        expenditure="100",
        tranches=[reported],
    )
    services.transfer_tranche(
        actor=fund_manager,
        programme=programme,
        organization=ilo,
        amount="250.50",
        transferred_on=date(2024, 4, 2),
    )
    # A narrative report does not account for money.
    services.submit_report(
        actor=fund_manager,
        programme=programme,
        kind=ReportKind.NARRATIVE,
        year=2024,
        submitted_on=DAY,
    )
    with refused(
        "status",
        "tranche 2 to International Labour Organization (ILO) (USD 250.50, 2024-04-02)",
    ) as caught:
        services.close_programme(
            actor=fund_manager, programme=programme, closed_on=date(2024, 4, 2)
        )
    assert "tranche 1" not in str(caught.value)
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.APPROVED


def test_reported_expenditure_above_what_was_received_is_refused(
    fund_manager, approved_programme, un_organizations
):
    programme = approved_programme()
    iom = un_organizations["IOM"]
    with refused("expenditure", "USD 0.01 spent", "USD 0.00 it received"):
        services.submit_report(
            actor=fund_manager,
            programme=programme,
            kind=ReportKind.FINANCIAL,
            organization=iom,
            year=2024,
            submitted_on=DAY,
            expenditure="0.01",
        )
    tranche = services.transfer_tranche(
        actor=fund_manager, programme=programme, organization=iom, amount="1000", transferred_on=DAY
    )
    services.submit_report(
        actor=fund_manager,
        programme=programme,
        kind=ReportKind.FINANCIAL,
        organization=iom,
        year=2024,
        submitted_on=DAY,
        expenditure="600",
        tranches=[tranche],
    )
    # Over two years: 600 + 400.01 is more than the 1,000 received.
    with refused("expenditure", "USD 1,000.01 spent", "USD 1,000.00 it received"):
        services.submit_report(
            actor=fund_manager,
            programme=programme,
            kind=ReportKind.FINANCIAL,
            organization=iom,
            year=2025,
            submitted_on=date(2026, 3, 31),
            expenditure="400.01",
        )


def test_a_financial_report_comes_from_a_participant_for_its_own_tranches(
    fund_manager, approved_programme, un_organizations
):
    programme = approved_programme()
    iom, ilo = un_organizations["IOM"], un_organizations["ILO"]
    ilo_tranche = services.transfer_tranche(
        actor=fund_manager, programme=programme, organization=ilo, amount="10", transferred_on=DAY
    )
    for organization in (None, un_organizations["UNICEF"]):
        with refused("organization", "participating organization"):
            services.submit_report(
                actor=fund_manager,
                programme=programme,
                kind=ReportKind.FINANCIAL,
                organization=organization,
                year=2024,
                submitted_on=DAY,
                expenditure="0",
            )
    with refused("tranches", "own organization"):
        services.submit_report(
            actor=fund_manager,
            programme=programme,
            kind=ReportKind.FINANCIAL,
            organization=iom,
            year=2024,
            submitted_on=DAY,
            expenditure="0",
            tranches=[ilo_tranche],
        )
    with refused("kind", "financial report"):
        services.submit_report(
            actor=fund_manager,
            programme=programme,
            kind=ReportKind.NARRATIVE,
            year=2024,
            submitted_on=DAY,
            expenditure="10",
        )
    with refused("kind"):
        services.submit_report(
            actor=fund_manager, programme=programme, kind="quarterly", year=2024, submitted_on=DAY
        )


# Concept notes ---------------------------------------------------------------------------------


@pytest.fixture
def call(fund, fund_manager):
    return services.open_call(
        actor=fund_manager,
        fund=fund,
        title="Call 2024",
        opens_on=DAY,
        deadline=DAY + timedelta(days=30),
    )


def test_a_concept_note_after_the_call_deadline_is_refused(call, concept_note):
    with refused("call", "Call 2024", "2024-03-31"):
        concept_note(call=call, today=DAY + timedelta(days=31))
    with refused("call", "2024-03-01"):
        concept_note(call=call, today=DAY - timedelta(days=1))
    assert concept_note(call=call, today=DAY + timedelta(days=30)).call == call


def test_a_call_closing_before_it_opens_is_refused(fund, fund_manager):
    with refused("deadline"):
        services.open_call(
            actor=fund_manager,
            fund=fund,
            title="Backwards",
            opens_on=DAY,
            deadline=DAY - timedelta(days=1),
        )


@pytest.mark.parametrize("participants", [[], ["IOM"], ["IOM", "IOM"]])
def test_a_concept_note_needs_two_participating_organizations(
    participants, concept_note, un_organizations
):
    with refused("participating_organizations", "at least two"):
        concept_note(participants=[un_organizations[code] for code in participants])


@pytest.mark.parametrize(
    ("scores", "needle"),
    [
        ({"GENDER": 4, "HUMAN-RIGHTS": 3}, "4 is not on its scale (0, 1, 2, 3)"),
        ({"GENDER": -1, "HUMAN-RIGHTS": 3}, "-1 is not on its scale"),
        ({"GENDER": "high", "HUMAN-RIGHTS": 3}, "Give a Gender marker score"),
        ({"HUMAN-RIGHTS": 3}, "Give a Gender marker score"),
        ({"GENDER": 1, "HUMAN-RIGHTS": 1, "CLIMATE": 2}, "Unknown markers: CLIMATE"),
    ],
)
def test_a_concept_note_with_a_marker_score_off_the_scale_is_refused(scores, needle, concept_note):
    with refused("marker_scores", needle):
        concept_note(marker_scores=scores)


def test_a_concept_note_reports_every_problem_at_once(fund, applicant, other_organization, call):
    other_fund = services.create_fund(
        actor=None, organization=other_organization, code="OTHER", name="Other fund"
    )
    other_call = services.open_call(
        actor=None, fund=other_fund, title="Elsewhere", opens_on=DAY, deadline=DAY
    )
    area = ThematicArea.objects.create(fund=other_fund, code="X", name="Elsewhere")
    before = row_counts()
    with pytest.raises(ValidationError) as caught:
        services.submit_concept_note(
            actor=applicant,
            fund=fund,
            organization=other_organization,
            call=other_call,
            title="  ",
            thematic_area=area,
            budget="-1",
            participating_organizations=[],
            marker_scores={"GENDER": 9},
        )
    assert set(caught.value.message_dict) == {
        "budget",
        "call",
        "thematic_area",
        "countries",
        "participating_organizations",
        "title",
        "marker_scores",
    }
    assert row_counts() == before


def test_assessment_scores_must_be_on_the_rubric(fund, reviewer, concept_note):
    programme = concept_note()
    scores = {c["code"]: 3 for c in fund.rubric}
    for bad in ({**scores, "relevance": 6}, {**scores, "relevance": -1}, {"relevance": 3}):
        with refused("scores"):
            services.assess_programme(actor=reviewer, programme=programme, scores=bad)
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.SUBMITTED


def test_a_decision_must_be_one_of_the_three_outcomes(fund, fund_manager, reviewer, concept_note):
    programme = concept_note()
    services.assess_programme(
        actor=reviewer, programme=programme, scores={c["code"]: 3 for c in fund.rubric}
    )
    with refused("outcome"):
        services.decide_programme(
            actor=fund_manager,
            programme=programme,
            outcome="approved",
            reasons="Skipping the document.",
            decided_on=DAY,
        )


# Exchange-rate CSV import ----------------------------------------------------------------------

GOOD_LINES = "currency,quote_currency,date,rate\nEUR,USD,2024-03-01,1.08\nGBP,USD,2024-03-01,1.27\n"


@pytest.mark.parametrize(
    ("bad_line", "needle"),
    [
        ("CHF,USD,2024-02-30,1.13", "day is out of range"),
        ("CHF,USD,01/03/2024,1.13", "Invalid isoformat"),
        ("CHF,USD,2024-03-01,0", "above zero"),
        ("CHF,USD,2024-03-01,-1.13", "above zero"),
        ("CHF,USD,2024-03-01,abc", "above zero"),
        ("CHF,USD,2024-03-01,", "above zero"),
        ("CHF,USD,2024-03-01", "above zero"),
        ("SWISS,USD,2024-03-01,1.13", "ISO 4217"),
        ("CHF,USD,2024-03-01,1.123456789", "decimal places"),
    ],
)
def test_an_exchange_rate_file_with_a_bad_line_imports_nothing(
    bad_line, needle, fund_manager, organization, tmp_path
):
    path = tmp_path / "rates.csv"
    path.write_text(GOOD_LINES + bad_line + "\nJPY,USD,2024-03-01,0.0067\n", encoding="utf-8")
    with refused(None, "rates.csv, line 4", needle):
        services.import_exchange_rates(actor=fund_manager, organization=organization, path=path)
    assert not ExchangeRate.objects.exists()


def test_an_exchange_rate_file_without_the_columns_imports_nothing(
    fund_manager, organization, tmp_path
):
    path = tmp_path / "rates.csv"
    path.write_text("currency,rate\nEUR,1.08\n", encoding="utf-8")
    with refused(None, "missing columns quote_currency, date"):
        services.import_exchange_rates(actor=fund_manager, organization=organization, path=path)
