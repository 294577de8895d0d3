"""The services a fund manager relies on, against the real database: a contribution and a
concept note from pledge and call to closure, the ledger checked after every step, earmarked
money kept to its thematic area or region, the audit trail, and who may do what."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from migration_hub.core.choices import AuditAction, Role
from migration_hub.core.models import AuditEvent, Country, Region
from migration_hub.funds import ledger, services
from migration_hub.funds.choices import (
    Account,
    ContributionStatus,
    DecisionOutcome,
    ProgrammeStatus,
    ReportKind,
    TransactionKind,
)
from migration_hub.funds.models import (
    Contribution,
    Decision,
    Deposit,
    LedgerEntry,
    LedgerTransaction,
    Participant,
    Programme,
    Tranche,
)

DAY = date(2024, 3, 1)


def books(fund, **expected: str) -> ledger.Balances:
    """The fund's balances, after checking that the ledger balances, and the given figures."""
    money = ledger.balances(fund)
    assert money.trial_balance == 0
    assert ledger.unbalanced_transactions() == []
    assert money.available == money.deposited - money.net_allocated
    assert money.available >= 0
    assert money.cash >= 0
    for name, value in expected.items():
        assert getattr(money, name) == Decimal(value), f"{name}: {getattr(money, name)} != {value}"
    return money


def audit_trail(target) -> list[tuple[str, dict]]:
    """(action, metadata) of the events about `target`, oldest first."""
    events = AuditEvent.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk)
    ).order_by("created_at", "id")
    return [(event.action, event.metadata) for event in events]


def steps(programme) -> list[str]:
    return [metadata.get("step", action) for action, metadata in audit_trail(programme)]


def select(programme, actor, reviewer, fund, outcome=DecisionOutcome.SELECTED):
    services.assess_programme(
        actor=reviewer, programme=programme, scores={c["code"]: 3 for c in fund.rubric}
    )
    return services.decide_programme(
        actor=actor, programme=programme, outcome=outcome, reasons="Fits the call.", decided_on=DAY
    )


def to_document(programme, actor, reviewer, fund, budgets) -> Programme:
    """Assess, select and record the document of `programme` with {organization: amount}."""
    select(programme, actor, reviewer, fund)
    return services.submit_programme_document(actor=actor, programme=programme, budgets=budgets)


# The whole lifecycle ---------------------------------------------------------------------------


def test_a_contribution_and_a_concept_note_from_pledge_and_call_to_closure(
    fund, fund_manager, reviewer, applicant, other_organization, un_organizations, objectives
):
    iom, ilo = un_organizations["IOM"], un_organizations["ILO"]
    france = Country.objects.get(alpha3="FRA")
    services.set_exchange_rate(
        actor=fund_manager,
        organization=fund.organization,
        currency="EUR",
        quote_currency="USD",
        day=DAY,
        rate="1.0850",
    )
    services.set_exchange_rate(
        actor=fund_manager,
        organization=fund.organization,
        currency="EUR",
        quote_currency="USD",
        day=DAY + timedelta(days=30),
        rate="1.1000",
    )

    # Pledge: nothing in the ledger yet.
    donor = services.donor_for(country=france, actor=fund_manager)
    contribution = services.record_contribution(
        actor=fund_manager,
        fund=fund,
        donor=donor,
        currency="eur",
        amount="500,000.00",
        pledged_on=DAY,
        reference="FR-2024-01",
    )
    assert (contribution.status, contribution.currency, contribution.amount) == (
        ContributionStatus.PLEDGED,
        "EUR",
        Decimal("500000.00"),
    )
    assert not LedgerTransaction.objects.exists()
    books(fund, deposited="0", cash="0", available="0")
    assert audit_trail(contribution) == [
        (AuditAction.CREATE, {"amount": "500000.00", "currency": "EUR"})
    ]

    # Signature.
    contribution = services.sign_contribution(
        actor=fund_manager, contribution=contribution, signed_on=DAY
    )
    assert contribution.status == ContributionStatus.SIGNED
    assert contribution.signed_on == DAY
    assert audit_trail(contribution)[-1] == (AuditAction.UPDATE, {"status": "signed"})

    # Two deposits, each at the rate of its day.
    first = services.record_deposit(
        actor=fund_manager, contribution=contribution, day=DAY, amount="200000.00"
    )
    assert (first.rate, first.fund_amount) == (Decimal("1.0850"), Decimal("217000.00"))
    contribution.refresh_from_db()
    assert contribution.status == ContributionStatus.SIGNED
    books(fund, deposited="217000.00", cash="217000.00", available="217000.00", commitments="0")
    entries = {
        e.account: e.cents for e in LedgerEntry.objects.filter(transaction=first.transaction)
    }
    assert entries == {Account.CASH: 21_700_000, Account.CONTRIBUTIONS: -21_700_000}
    assert first.transaction.contribution == contribution
    assert audit_trail(first)[0][1]["fund_amount"] == "217000.00"

    second = services.record_deposit(
        actor=fund_manager,
        contribution=contribution,
        day=DAY + timedelta(days=30),
        amount="300000.00",
    )
    assert second.fund_amount == Decimal("330000.00")
    contribution.refresh_from_db()
    assert contribution.status == ContributionStatus.DEPOSITED
    books(fund, deposited="547000.00", cash="547000.00", available="547000.00")

    # Call and concept note.
    call = services.open_call(
        actor=fund_manager,
        fund=fund,
        title="Call 2024: labour mobility",
        opens_on=DAY,
        deadline=DAY + timedelta(days=60),
        thematic_areas=[fund.thematic_areas.get(code="TA4")],
    )
    assert audit_trail(call) == [(AuditAction.CREATE, {"deadline": "2024-04-30"})]
    programme = services.submit_concept_note(
        actor=applicant,
        fund=fund,
        organization=other_organization,
        call=call,
        title="  Labour mobility in Southern Africa ",
        thematic_area=fund.thematic_areas.get(code="TA4"),
        budget="500000.00",
        participating_organizations=[iom, ilo, iom],
        countries=[Country.objects.get(alpha3="ZAF")],
        objectives=[objectives[5], objectives[6]],
        national_partners="Department of Labour\n\nStatistics South Africa\n",
        marker_scores={"GENDER": "2", "HUMAN-RIGHTS": 3},
        today=DAY + timedelta(days=60),
    )
    assert programme.status == ProgrammeStatus.SUBMITTED
    assert programme.code == "MIG00-001"
    assert programme.title == "Labour mobility in Southern Africa"
    assert programme.marker_scores == {"GENDER": 2, "HUMAN-RIGHTS": 3}
    assert programme.national_partner_list() == ["Department of Labour", "Statistics South Africa"]
    assert set(programme.participating_organizations.all()) == {iom, ilo}
    books(fund, available="547000.00", commitments="0")

    # Quality assessment.
    assessment = services.assess_programme(
        actor=reviewer,
        programme=programme,
        scores={c["code"]: 4 for c in fund.rubric},
        comment="Clear results framework.",
    )
    assert assessment.total == Decimal("80.0")
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.ASSESSED

    # Steering Committee decision.
    decision = services.decide_programme(
        actor=fund_manager,
        programme=programme,
        outcome=DecisionOutcome.SELECTED,
        reasons="  Fills the Southern Africa gap. ",
        decided_on=DAY + timedelta(days=70),
        meeting="SC 12",
    )
    assert decision.reasons == "Fills the Southern Africa gap."
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.SELECTED
    books(fund, available="547000.00", commitments="0")

    # Joint programme document.
    programme = services.submit_programme_document(
        actor=fund_manager,
        programme=programme,
        budgets={iom: "300000.00", ilo.pk: "200000.00"},
        document_url="https://example.org/jp.pdf",
    )
    assert programme.status == ProgrammeStatus.DOCUMENT
    assert dict(
        Participant.objects.filter(programme=programme).values_list("organization", "budget")
    ) == {iom.pk: Decimal("300000.00"), ilo.pk: Decimal("200000.00")}
    books(fund, available="547000.00", commitments="0")

    # Approval: the allocation is committed, the cash stays until transferred.
    programme = services.approve_programme(
        actor=fund_manager, programme=programme, approved_on=DAY + timedelta(days=80)
    )
    assert (programme.status, programme.approved_on) == (
        ProgrammeStatus.APPROVED,
        date(2024, 5, 20),
    )
    books(
        fund,
        deposited="547000.00",
        allocated="500000.00",
        cash="547000.00",
        commitments="500000.00",
        available="47000.00",
        transferred="0",
    )
    allocation = LedgerTransaction.objects.get(kind=TransactionKind.ALLOCATION)
    assert allocation.programme == programme
    assert allocation.created_by == fund_manager

    # Tranches.
    tranche_1 = services.transfer_tranche(
        actor=fund_manager,
        programme=programme,
        organization=iom,
        amount="150000.00",
        transferred_on=DAY + timedelta(days=90),
    )
    tranche_2 = services.transfer_tranche(
        actor=fund_manager,
        programme=programme,
        organization=ilo,
        amount="200000.00",
        transferred_on=DAY + timedelta(days=90),
    )
    assert (tranche_1.number, tranche_2.number) == (1, 2)
    books(
        fund,
        transferred="350000.00",
        cash="197000.00",
        commitments="150000.00",
        available="47000.00",
    )

    # Reports.
    services.submit_report(
        actor=fund_manager,
        programme=programme,
        kind=ReportKind.NARRATIVE,
        year=2024,
        submitted_on=date(2025, 3, 31),
        summary="Bilateral labour agreement drafted.",
    )
    services.submit_report(
        actor=fund_manager,
        programme=programme,
        kind=ReportKind.FINANCIAL,
        organization=iom,
        year=2024,
        submitted_on=date(2025, 3, 31),
        expenditure="120000.00",
        tranches=[tranche_1],
    )
    services.submit_report(
        actor=fund_manager,
        programme=programme,
        kind=ReportKind.FINANCIAL,
        organization=ilo,
        year=2024,
        submitted_on=date(2025, 3, 31),
        expenditure="200000.00",
        tranches=[tranche_2],
    )
    assert programme.reports.count() == 3
    books(fund, transferred="350000.00", cash="197000.00", commitments="150000.00")

    # Closure: IOM returns its 30,000 unspent, its 150,000 never transferred is released.
    programme = services.close_programme(
        actor=fund_manager, programme=programme, closed_on=date(2025, 6, 30)
    )
    assert (programme.status, programme.closed_on) == (ProgrammeStatus.CLOSED, date(2025, 6, 30))
    money = books(
        fund,
        deposited="547000.00",
        allocated="500000.00",
        transferred="350000.00",
        refunded="30000.00",
        released="150000.00",
        cash="227000.00",
        commitments="0",
        available="227000.00",
        net_allocated="320000.00",
        uses="320000.00",
    )
    assert money.available_by_pool == {"": Decimal("227000.00")}
    refund = LedgerTransaction.objects.get(kind=TransactionKind.REFUND)
    assert {(e.account, e.organization_id, e.cents) for e in refund.entries.all()} == {
        (Account.CASH, iom.pk, 3_000_000),
        (Account.ALLOCATIONS, iom.pk, -3_000_000),
    }
    assert LedgerTransaction.objects.filter(kind=TransactionKind.RELEASE).count() == 1
    assert LedgerTransaction.objects.count() == 7  # 2 deposits, allocation, 2 transfers, 2 back

    # The audit trail has every step of the programme, in order.
    assert steps(programme) == [
        AuditAction.CREATE,
        "assessment",
        "decision",
        "document",
        "approval",
        "transfer",
        "transfer",
        "report",
        "report",
        "report",
        "closure",
    ]
    trail = audit_trail(programme)
    assert trail[4] == (AuditAction.UPDATE, {"step": "approval", "allocated": "500000.00"})
    assert trail[6] == (
        AuditAction.CREATE,
        {"step": "transfer", "tranche": 2, "amount": "200000.00"},
    )
    assert AuditEvent.objects.filter(actor=fund_manager).count() >= 12


def test_decisions_pipeline_and_rejection_need_reasons(
    fund, fund_manager, reviewer, concept_note, deposit
):
    waiting, rejected = concept_note("900000.00"), concept_note("400000.00")
    for programme in (waiting, rejected):
        services.assess_programme(
            actor=reviewer, programme=programme, scores={c["code"]: 2 for c in fund.rubric}
        )
    for blank in ("", "   ", None):
        with pytest.raises(ValidationError) as caught:
            services.decide_programme(
                actor=fund_manager,
                programme=waiting,
                outcome=DecisionOutcome.PIPELINE,
                reasons=blank,
                decided_on=DAY,
            )
        assert "reasons" in caught.value.message_dict
    assert not Decision.objects.exists()

    services.decide_programme(
        actor=fund_manager,
        programme=waiting,
        outcome=DecisionOutcome.PIPELINE,
        reasons="Endorsed; no money yet.",
        decided_on=DAY,
    )
    services.decide_programme(
        actor=fund_manager,
        programme=rejected,
        outcome=DecisionOutcome.REJECTED,
        reasons="Duplicates an existing programme.",
        decided_on=DAY,
    )
    waiting.refresh_from_db()
    rejected.refresh_from_db()
    assert (waiting.status, rejected.status) == (ProgrammeStatus.PIPELINE, ProgrammeStatus.REJECTED)

    # A note in the pipeline is selected once the money arrives; a rejected one stays rejected.
    deposit("900000.00")
    services.decide_programme(
        actor=fund_manager,
        programme=waiting,
        outcome=DecisionOutcome.SELECTED,
        reasons="Funds deposited by Germany.",
        decided_on=DAY + timedelta(days=30),
    )
    waiting.refresh_from_db()
    assert waiting.status == ProgrammeStatus.SELECTED
    assert [d.outcome for d in waiting.decisions.all()] == ["pipeline", "selected"]
    with pytest.raises(ValidationError) as caught:
        services.decide_programme(
            actor=fund_manager,
            programme=rejected,
            outcome=DecisionOutcome.SELECTED,
            reasons="Second thoughts.",
            decided_on=DAY,
        )
    assert "status" in caught.value.message_dict
    # A note cannot be approved without its document, nor a rejected note documented.
    with pytest.raises(ValidationError, match="approve"):
        services.approve_programme(actor=fund_manager, programme=waiting, approved_on=DAY)
    with pytest.raises(ValidationError, match="programme document"):
        services.submit_programme_document(
            actor=fund_manager, programme=rejected, budgets={}, document_url=""
        )
    books(fund, deposited="900000.00", allocated="0", available="900000.00")
    assert steps(rejected) == [AuditAction.CREATE, "assessment", "decision"]
    assert audit_trail(rejected)[-1][1] == {"step": "decision", "outcome": "rejected"}


def test_an_assessor_corrects_their_scores_until_the_decision(
    fund, fund_manager, reviewer, concept_note
):
    programme = concept_note()
    services.assess_programme(
        actor=reviewer, programme=programme, scores={c["code"]: 1 for c in fund.rubric}
    )
    corrected = services.assess_programme(
        actor=reviewer, programme=programme, scores={c["code"]: 5 for c in fund.rubric}
    )
    assert corrected.total == Decimal("100.0")
    assert programme.assessments.count() == 1
    services.decide_programme(
        actor=fund_manager,
        programme=programme,
        outcome=DecisionOutcome.SELECTED,
        reasons="Top score.",
        decided_on=DAY,
    )
    with pytest.raises(ValidationError) as caught:
        services.assess_programme(
            actor=reviewer, programme=programme, scores={c["code"]: 0 for c in fund.rubric}
        )
    assert "status" in caught.value.message_dict


def test_closing_a_programme_without_transfers_releases_the_whole_commitment(
    fund, fund_manager, approved_programme
):
    programme = approved_programme({"IOM": "600000.00", "ILO": "400000.00"})
    books(fund, available="0", commitments="1000000.00")
    services.close_programme(actor=fund_manager, programme=programme, closed_on=DAY)
    books(
        fund,
        deposited="1000000.00",
        allocated="1000000.00",
        released="1000000.00",
        refunded="0",
        transferred="0",
        commitments="0",
        cash="1000000.00",
        available="1000000.00",
    )
    assert not LedgerTransaction.objects.filter(kind=TransactionKind.REFUND).exists()


def test_a_fully_spent_programme_closes_with_nothing_returned(
    fund, fund_manager, approved_programme, un_organizations
):
    programme = approved_programme({"IOM": "600000.00", "ILO": "400000.00"})
    for code, amount in (("IOM", "600000.00"), ("ILO", "400000.00")):
        organization = un_organizations[code]
        tranche = services.transfer_tranche(
            actor=fund_manager,
            programme=programme,
            organization=organization,
            amount=amount,
            transferred_on=DAY,
        )
        services.submit_report(
            actor=fund_manager,
            programme=programme,
            kind=ReportKind.FINANCIAL,
            organization=organization,
            year=2024,
            submitted_on=DAY,
            expenditure=amount,
            tranches=[tranche],
        )
    books(fund, transferred="1000000.00", cash="0", commitments="0", available="0")
    services.close_programme(actor=fund_manager, programme=programme, closed_on=DAY)
    books(fund, transferred="1000000.00", cash="0", available="0", refunded="0", released="0")
    assert LedgerTransaction.objects.filter(programme=programme).count() == 3


def test_a_tranche_reported_over_two_years_returns_only_what_is_unspent(
    fund, fund_manager, approved_programme, un_organizations
):
    iom = un_organizations["IOM"]
    programme = approved_programme({"IOM": "600000.00", "ILO": "400000.00"})
    first = services.transfer_tranche(
        actor=fund_manager,
        programme=programme,
        organization=iom,
        amount="250000",
        transferred_on=DAY,
    )
    second = services.transfer_tranche(
        actor=fund_manager,
        programme=programme,
        organization=iom,
        amount="350000",
        transferred_on=DAY,
    )
    for year, spent, tranches in ((2024, "200000", [first]), (2025, "390000.50", [second])):
        services.submit_report(
            actor=fund_manager,
            programme=programme,
            kind=ReportKind.FINANCIAL,
            organization=iom,
            year=year,
            submitted_on=date(year + 1, 3, 31),
            expenditure=spent,
            tranches=tranches,
        )
    services.close_programme(actor=fund_manager, programme=programme, closed_on=date(2026, 6, 30))
    books(
        fund,
        transferred="600000.00",
        refunded="9999.50",
        released="400000.00",
        cash="409999.50",
        available="409999.50",
        net_allocated="590000.50",
    )


# Exchange rates --------------------------------------------------------------------------------


def test_a_deposit_is_converted_at_the_rate_of_its_day_and_rounded_to_the_cent(fund, fund_manager):
    rates = {"organization": fund.organization, "currency": "GBP", "quote_currency": "USD"}
    services.set_exchange_rate(actor=fund_manager, **rates, day=DAY, rate="1.26783")
    # Corrected before any deposit used it.
    corrected = services.set_exchange_rate(actor=fund_manager, **rates, day=DAY, rate="1.26785")
    assert corrected.rate == Decimal("1.26785")
    assert audit_trail(corrected)[-1][0] == AuditAction.UPDATE
    contribution = services.record_contribution(
        actor=fund_manager,
        fund=fund,
        donor=services.donor_for(name="Open Society Foundations", actor=fund_manager),
        currency="GBP",
        amount="1000.01",
        pledged_on=DAY,
    )
    services.sign_contribution(actor=fund_manager, contribution=contribution, signed_on=DAY)
    deposit = services.record_deposit(
        actor=fund_manager, contribution=contribution, day=DAY, amount="1000.01"
    )
    # 1000.01 x 1.26785 = 1267.8626785: cents rounded half-even.
    assert deposit.fund_amount == Decimal("1267.86")
    books(fund, deposited="1267.86", cash="1267.86")


def test_exchange_rates_are_imported_from_a_csv(fund_manager, organization, tmp_path):
    path = tmp_path / "rates.csv"
    path.write_text(
        "\ufeffcurrency,quote_currency,date,rate,source\n"
        "eur,usd,2024-03-01,1.0850,ECB\n"
        "CHF,USD,2024-03-01, 1.1320 ,\n"
        "EUR,USD,2024-03-01,1.0860,ECB correction\n",
        encoding="utf-8",
    )
    assert (
        services.import_exchange_rates(
            actor=fund_manager, organization=organization, path=path, source="SNB"
        )
        == 3
    )
    assert services.exchange_rate(organization, "EUR", "USD", DAY) == Decimal("1.0860")
    assert services.exchange_rate(organization, "CHF", "USD", DAY) == Decimal("1.1320")
    assert services.exchange_rate(organization, "USD", "USD", DAY) == 1


# Earmarking ------------------------------------------------------------------------------------


def test_money_earmarked_to_a_thematic_area_funds_only_that_area(
    fund, fund_manager, reviewer, deposit, concept_note, un_organizations
):
    iom = un_organizations["IOM"]
    deposit("1000000.00", earmarked_thematic_area=fund.thematic_areas.get(code="TA1"))
    books(fund, available="1000000.00")
    assert ledger.balances(fund).available_by_pool == {"TA:TA1": Decimal("1000000.00")}

    # A programme of another area is refused, with the figures, and nothing is posted.
    other_area = to_document(concept_note(area="TA4"), fund_manager, reviewer, fund, {iom: "1"})
    with pytest.raises(ValidationError) as caught:
        services.approve_programme(actor=fund_manager, programme=other_area, approved_on=DAY)
    message = caught.value.message_dict["budget"][0]
    assert "USD 0.00 available for this programme" in message
    assert "USD 1.00" in message
    other_area.refresh_from_db()
    assert other_area.status == ProgrammeStatus.DOCUMENT
    assert not LedgerTransaction.objects.filter(kind=TransactionKind.ALLOCATION).exists()

    # A programme of the earmarked area draws on it.
    same_area = to_document(
        concept_note(area="TA1"), fund_manager, reviewer, fund, {iom: "750000.00"}
    )
    services.approve_programme(actor=fund_manager, programme=same_area, approved_on=DAY)
    books(fund, allocated="750000.00", available="250000.00")
    assert set(
        LedgerEntry.objects.filter(kind=TransactionKind.ALLOCATION).values_list("pool", flat=True)
    ) == {"TA:TA1"}

    # Unearmarked money then funds the other area.
    deposit("1.00")
    services.approve_programme(actor=fund_manager, programme=other_area, approved_on=DAY)
    money = books(fund, allocated="750001.00", available="250000.00")
    assert money.available_by_pool == {"TA:TA1": Decimal("250000.00")}


def test_money_earmarked_to_a_region_funds_only_programmes_in_it(
    fund,
    fund_manager,
    reviewer,
    applicant,
    other_organization,
    deposit,
    concept_note,
    un_organizations,
    africa,
):
    iom = un_organizations["IOM"]
    deposit("500000.00", earmarked_region=africa)
    assert ledger.balances(fund).available_by_pool == {"R:002": Decimal("500000.00")}
    in_asia = to_document(concept_note(alpha3="PHL"), fund_manager, reviewer, fund, {iom: "100"})
    with pytest.raises(ValidationError, match=r"USD 0\.00 available"):
        services.approve_programme(actor=fund_manager, programme=in_asia, approved_on=DAY)

    # South Africa lies in Southern Africa, in Sub-Saharan Africa, in Africa.
    in_africa = to_document(concept_note(alpha3="ZAF"), fund_manager, reviewer, fund, {iom: "100"})
    services.approve_programme(actor=fund_manager, programme=in_africa, approved_on=DAY)
    # A programme for a whole region given as a region (not a country) draws on its parents'.
    southern_africa = Region.objects.get(m49_code="018")
    regional = services.submit_concept_note(
        actor=applicant,
        fund=fund,
        organization=other_organization,
        title="Southern Africa regional",
        thematic_area=fund.thematic_areas.get(code="TA2"),
        budget="200",
        participating_organizations=[iom, un_organizations["UNICEF"]],
        regions=[southern_africa],
        marker_scores={"GENDER": 1, "HUMAN-RIGHTS": 1},
    )
    to_document(regional, fund_manager, reviewer, fund, {iom: "200"})
    services.approve_programme(actor=fund_manager, programme=regional, approved_on=DAY)
    assert set(
        LedgerEntry.objects.filter(kind=TransactionKind.ALLOCATION).values_list("pool", flat=True)
    ) == {"R:002"}
    books(fund, allocated="300.00", available="499700.00")
    in_asia.refresh_from_db()
    assert in_asia.status == ProgrammeStatus.DOCUMENT


def test_an_allocation_is_refused_when_only_money_earmarked_elsewhere_is_left(
    fund, fund_manager, reviewer, deposit, concept_note, un_organizations
):
    iom = un_organizations["IOM"]
    deposit("300000.00")
    deposit("500000.00", alpha3="NOR", earmarked_thematic_area=fund.thematic_areas.get(code="TA1"))
    books(fund, available="800000.00")
    programme = to_document(concept_note(area="TA4"), fund_manager, reviewer, fund, {iom: "400000"})
    with pytest.raises(ValidationError) as caught:
        services.approve_programme(actor=fund_manager, programme=programme, approved_on=DAY)
    assert "USD 300,000.00 available for this programme" in caught.value.message_dict["budget"][0]
    books(fund, allocated="0", available="800000.00")


def test_earmarked_money_is_used_first_and_goes_back_to_its_pool_on_closure(
    fund, fund_manager, reviewer, deposit, concept_note, un_organizations
):
    iom, ilo = un_organizations["IOM"], un_organizations["ILO"]
    deposit("300000.00")
    deposit("300000.00", alpha3="SWE", earmarked_thematic_area=fund.thematic_areas.get(code="TA4"))
    programme = to_document(
        concept_note(area="TA4"), fund_manager, reviewer, fund, {iom: "250000", ilo: "150000"}
    )
    services.approve_programme(actor=fund_manager, programme=programme, approved_on=DAY)
    money = books(fund, allocated="400000.00", available="200000.00")
    assert money.available_by_pool == {"": Decimal("200000.00")}
    assert dict(
        LedgerEntry.objects.filter(
            kind=TransactionKind.ALLOCATION, account=Account.ALLOCATIONS
        ).values_list("pool", "cents")
    ) == {"TA:TA4": 30_000_000, "": 10_000_000}

    tranche = services.transfer_tranche(
        actor=fund_manager,
        programme=programme,
        organization=iom,
        amount="250000",
        transferred_on=DAY,
    )
    services.submit_report(
        actor=fund_manager,
        programme=programme,
        kind=ReportKind.FINANCIAL,
        organization=iom,
        year=2024,
        submitted_on=DAY,
        expenditure="50000",
        tranches=[tranche],
    )
    services.close_programme(actor=fund_manager, programme=programme, closed_on=DAY)
    money = books(
        fund,
        transferred="250000.00",
        refunded="200000.00",
        released="150000.00",
        available="550000.00",
        commitments="0",
    )
    # The 250,000 came from the TA4 pool; its unspent 200,000 goes back there, and the ILO
    # commitment (50,000 TA4 + 100,000 unearmarked) goes back where it came from.
    assert money.available_by_pool == {"": Decimal("300000.00"), "TA:TA4": Decimal("250000.00")}


# Audit and permissions -------------------------------------------------------------------------


def test_each_write_is_audited_with_the_actor_and_the_fund_organization(
    fund, fund_manager, deposit, organization
):
    before = AuditEvent.objects.count()
    made = deposit("1000.00")
    events = list(AuditEvent.objects.order_by("id"))[before:]
    # The donor is a record every fund shares: created once, by the fund manager.
    donor_event, *events = events
    assert (donor_event.action, donor_event.target_type.model) == (AuditAction.CREATE, "donor")
    assert donor_event.actor == fund_manager
    assert [e.action for e in events] == [
        AuditAction.CREATE,
        AuditAction.UPDATE,
        AuditAction.CREATE,
    ]
    assert {e.actor for e in events} == {fund_manager}
    assert {e.organization_ref for e in events} == {str(organization.pk)}
    assert events[-1].target_id == str(made.pk)
    assert audit_trail(fund) == [(AuditAction.CREATE, {"code": "MIG00"})]


@pytest.fixture
def outsiders(make_member, other_organization, viewer, reviewer):
    """Users who must not manage the fund: a viewer of its organization, a fund manager and an
    administrator of another organization, and a reviewer of its organization."""
    return {
        "viewer": viewer,
        "other fund manager": make_member(Role.FUND_MANAGER, other_organization, "fm-other"),
        "other administrator": make_member(Role.ADMINISTRATOR, other_organization, "ad-other"),
        "reviewer": reviewer,
    }


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Contribution,
            Deposit,
            Programme,
            Decision,
            Tranche,
            LedgerTransaction,
            LedgerEntry,
            AuditEvent,
        )
    }


@pytest.mark.parametrize("who", ["viewer", "other fund manager", "other administrator", "reviewer"])
def test_only_the_fund_organization_managers_record_money_and_decisions(
    who, outsiders, fund, fund_manager, reviewer, approved_programme, concept_note, un_organizations
):
    actor = outsiders[who]
    programme = approved_programme()
    assessed = concept_note()
    services.assess_programme(
        actor=reviewer, programme=assessed, scores={c["code"]: 3 for c in fund.rubric}
    )
    contribution = Contribution.objects.get()
    donor = contribution.donor
    before = row_counts()
    actions = {
        "pledge": lambda: services.record_contribution(
            actor=actor, fund=fund, donor=donor, currency="USD", amount="1", pledged_on=DAY
        ),
        "sign": lambda: services.sign_contribution(
            actor=actor, contribution=contribution, signed_on=DAY
        ),
        "deposit": lambda: services.record_deposit(
            actor=actor, contribution=contribution, day=DAY, amount="1"
        ),
        "call": lambda: services.open_call(
            actor=actor, fund=fund, title="Call", opens_on=DAY, deadline=DAY
        ),
        "decide": lambda: services.decide_programme(
            actor=actor,
            programme=assessed,
            outcome=DecisionOutcome.SELECTED,
            reasons="Why not.",
            decided_on=DAY,
        ),
        "transfer": lambda: services.transfer_tranche(
            actor=actor,
            programme=programme,
            organization=un_organizations["IOM"],
            amount="1",
            transferred_on=DAY,
        ),
        "report": lambda: services.submit_report(
            actor=actor, programme=programme, kind="narrative", year=2024, submitted_on=DAY
        ),
        "close": lambda: services.close_programme(actor=actor, programme=programme, closed_on=DAY),
    }
    for name, action in actions.items():
        with pytest.raises(PermissionDenied):
            action()
            pytest.fail(f"{who} could {name}")
    assert row_counts() == before


def test_approval_and_document_are_for_the_fund_managers_only(
    outsiders, fund, fund_manager, reviewer, concept_note, deposit, un_organizations
):
    deposit("10")
    programme = concept_note()
    select(programme, fund_manager, reviewer, fund)
    budgets = {un_organizations["IOM"]: "10"}
    for actor in outsiders.values():
        with pytest.raises(PermissionDenied):
            services.submit_programme_document(actor=actor, programme=programme, budgets=budgets)
    services.submit_programme_document(actor=fund_manager, programme=programme, budgets=budgets)
    for actor in outsiders.values():
        with pytest.raises(PermissionDenied):
            services.approve_programme(actor=actor, programme=programme, approved_on=DAY)
    books(fund, allocated="0", available="10.00")


def test_only_managers_and_administrators_set_exchange_rates(viewer, make_member, organization):
    rate = {"currency": "EUR", "quote_currency": "USD", "day": DAY, "rate": "1.1"}
    for role in (Role.VIEWER, Role.REVIEWER, Role.CONTRIBUTOR):
        actor = make_member(role, organization, f"rates-{role}")
        with pytest.raises(PermissionDenied):
            services.set_exchange_rate(actor=actor, organization=organization, **rate)
    administrator = make_member(Role.ADMINISTRATOR, organization, "rates-admin")
    services.set_exchange_rate(actor=administrator, organization=organization, **rate)


def test_an_applicant_sends_concept_notes_for_their_own_organization_only(
    fund, applicant, other_organization, organization, concept_note, un_organizations, viewer
):
    programme = concept_note()
    assert programme.submitted_by_organization == other_organization
    assert audit_trail(programme)[0][0] == AuditAction.CREATE
    before = row_counts()
    for actor, for_organization in (
        (applicant, organization),  # the fund's organization
        (viewer, organization),  # a viewer sends nothing
    ):
        with pytest.raises(PermissionDenied):
            services.submit_concept_note(
                actor=actor,
                fund=fund,
                organization=for_organization,
                title="Not mine to send",
                thematic_area=fund.thematic_areas.get(code="TA1"),
                budget="1000",
                participating_organizations=list(un_organizations.values())[:2],
                countries=[Country.objects.get(alpha3="MEX")],
                marker_scores={"GENDER": 0, "HUMAN-RIGHTS": 0},
            )
    assert row_counts() == before


def test_an_applicant_cannot_assess_or_decide_on_their_own_note(
    fund, applicant, concept_note, reviewer
):
    programme = concept_note()
    with pytest.raises(PermissionDenied):
        services.assess_programme(
            actor=applicant, programme=programme, scores={c["code"]: 5 for c in fund.rubric}
        )
    services.assess_programme(
        actor=reviewer, programme=programme, scores={c["code"]: 5 for c in fund.rubric}
    )
    with pytest.raises(PermissionDenied):
        services.decide_programme(
            actor=applicant,
            programme=programme,
            outcome=DecisionOutcome.SELECTED,
            reasons="Mine.",
            decided_on=DAY,
        )
    with pytest.raises(PermissionDenied):
        services.decide_programme(
            actor=reviewer,
            programme=programme,
            outcome=DecisionOutcome.SELECTED,
            reasons="Reviewers score; the Steering Committee decides.",
            decided_on=DAY,
        )
