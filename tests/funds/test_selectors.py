"""What the fund pages read: the portfolio by thematic area, region, objective and marker
against the fund's targets, the pipeline, the financial statement and the donor report."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from migration_hub.core.models import Country, Region
from migration_hub.funds import selectors, services
from migration_hub.funds.choices import (
    ContributionStatus,
    DecisionOutcome,
    ReportKind,
    TargetDimension,
)
from migration_hub.funds.models import Programme, Target

DAY = date(2024, 3, 1)


@pytest.fixture
def programme_for(
    fund, fund_manager, reviewer, applicant, other_organization, un_organizations, objectives
):
    """programme_for("1000000", area="TA4", countries=["ZAF"], ...) sends a note and takes it
    as far as `until`: "selected", "pipeline", "rejected", "document" or "approved"."""

    def make(
        budget: str,
        *,
        area: str = "TA4",
        countries: tuple[str, ...] = ("ZAF",),
        regions: tuple[str, ...] = (),
        goals: tuple[int, ...] = (5,),
        gender: int = 1,
        rights: int = 1,
        until: str = "approved",
        document_budget: str | None = None,
    ) -> Programme:
        # Sent by another organization: the fund's own reviewer may then assess it.
        programme = services.submit_concept_note(
            actor=applicant,
            fund=fund,
            organization=other_organization,
            title=f"{area} in {', '.join(countries or regions)}",
            thematic_area=fund.thematic_areas.get(code=area),
            budget=budget,
            participating_organizations=[un_organizations["IOM"], un_organizations["ILO"]],
            countries=[Country.objects.get(alpha3=code) for code in countries],
            regions=[Region.objects.get(m49_code=code) for code in regions],
            objectives=[objectives[n] for n in goals],
            marker_scores={"GENDER": gender, "HUMAN-RIGHTS": rights},
        )
        services.assess_programme(
            actor=reviewer, programme=programme, scores={c["code"]: 3 for c in fund.rubric}
        )
        outcome = until if until in DecisionOutcome.values else DecisionOutcome.SELECTED
        services.decide_programme(
            actor=fund_manager,
            programme=programme,
            outcome=outcome,
            reasons="Steering Committee, 12th meeting.",
            decided_on=DAY,
        )
        if until in ("document", "approved"):
            services.submit_programme_document(
                actor=fund_manager,
                programme=programme,
                budgets={un_organizations["IOM"]: document_budget or budget},
            )
        if until == "approved":
            services.approve_programme(actor=fund_manager, programme=programme, approved_on=DAY)
        programme.refresh_from_db()
        return programme

    return make


def shares(rows) -> dict[str, tuple[Decimal, Decimal]]:
    """{key: (amount, share %)} of the rows with money."""
    return {row.key: (row.amount, row.share) for row in rows if row.amount}


@pytest.fixture
def portfolio_of_three(fund, deposit, programme_for):
    """3,000,000 deposited; 2,000,000 allocated: 1,000,000 to TA4 in South Africa, 500,000 to
    TA2 in the Philippines, 500,000 to TA4 in South Africa and Mexico."""
    deposit("3000000.00")
    return [
        programme_for("1000000.00", area="TA4", goals=(5, 6), gender=2, rights=3),
        programme_for("500000.00", area="TA2", countries=("PHL",), goals=(7,), gender=3, rights=1),
        programme_for("500000.00", area="TA4", countries=("ZAF", "MEX"), goals=(5,), rights=2),
    ]


def test_the_portfolio_splits_allocations_by_thematic_area_region_objective_and_marker(
    fund, portfolio_of_three
):
    folio = selectors.portfolio(fund)
    assert folio.total_allocated == Decimal("2000000.00")
    assert folio.balances.available == Decimal("1000000.00")
    assert folio.funding_progress == Decimal("4.3")  # 3 of 70 million

    assert [row.key for row in folio.by_thematic_area] == ["TA1", "TA2", "TA3", "TA4", "TA5"]
    assert shares(folio.by_thematic_area) == {
        "TA2": (Decimal("500000.00"), Decimal("25.0")),
        "TA4": (Decimal("1500000.00"), Decimal("75.0")),
    }
    # A programme in two countries counts half in each one's regions.
    by_region = {row.label: (row.amount, row.share) for row in folio.by_region}
    assert by_region["Africa"] == (Decimal("1250000.00"), Decimal("62.5"))
    assert by_region["Americas"] == (Decimal("250000.00"), Decimal("12.5"))
    assert by_region["Asia"] == (Decimal("500000.00"), Decimal("25.0"))
    assert by_region["Europe"] == (Decimal("0.00"), Decimal("0.0"))
    # A programme counts in full for each of its objectives.
    assert [(row.key, row.amount, row.share) for row in folio.by_objective] == [
        ("GCM-O5", Decimal("1500000.00"), Decimal("75.0")),
        ("GCM-O6", Decimal("1000000.00"), Decimal("50.0")),
        ("GCM-O7", Decimal("500000.00"), Decimal("25.0")),
    ]
    gender = {row.key: (row.amount, row.share) for row in folio.by_marker["Gender marker"]}
    assert gender == {
        "0": (Decimal("0.00"), Decimal("0.0")),
        "1": (Decimal("500000.00"), Decimal("25.0")),
        "2": (Decimal("1000000.00"), Decimal("50.0")),
        "3": (Decimal("500000.00"), Decimal("25.0")),
    }
    assert [row.label for row in folio.by_marker["Gender marker"]][3] == "3 - Principal objective"
    assert sum(row.share for row in folio.by_marker["Human rights marker"]) == 100
    assert folio.targets == []
    assert folio.gaps == []


def test_targets_flag_the_gaps_with_the_money_still_needed(fund, portfolio_of_three, africa):
    asia = Region.objects.get(m49_code="142")
    gender, rights = fund.markers.get(code="GENDER"), fund.markers.get(code="HUMAN-RIGHTS")
    for values in (
        {"thematic_area": fund.thematic_areas.get(code="TA2"), "minimum_share": "30"},
        {"thematic_area": fund.thematic_areas.get(code="TA4"), "minimum_share": "75"},
        {"region": africa, "minimum_share": "50"},
        {"region": asia, "minimum_share": "33.33"},
        {"marker": gender, "minimum_score": 3, "minimum_share": "40"},
        {"marker": rights, "minimum_score": 2, "minimum_share": "50"},
    ):
        dimension = next(
            d
            for d, key in (
                (TargetDimension.THEMATIC_AREA, "thematic_area"),
                (TargetDimension.REGION, "region"),
                (TargetDimension.MARKER, "marker"),
            )
            if key in values
        )
        Target.objects.create(fund=fund, dimension=dimension, source="SC decision 3", **values)

    folio = selectors.portfolio(fund)
    targets = {
        row.label: (row.share, row.target, row.below_target, row.gap) for row in folio.targets
    }
    assert targets == {
        "Thematic area: TA2 Protecting migrants": (
            Decimal("25.0"),
            Decimal("30.00"),
            True,
            Decimal("100000.00"),
        ),
        # Exactly on target is not a gap.
        "Thematic area: TA4 Regular migration and development": (
            Decimal("75.0"),
            Decimal("75.00"),
            False,
            Decimal("0.00"),
        ),
        "Region: Africa": (Decimal("62.5"), Decimal("50.00"), False, Decimal("0.00")),
        "Region: Asia": (Decimal("25.0"), Decimal("33.33"), True, Decimal("166600.00")),
        "Marker: Gender marker ≥ 3": (
            Decimal("25.0"),
            Decimal("40.00"),
            True,
            Decimal("300000.00"),
        ),
        "Marker: Human rights marker ≥ 2": (
            Decimal("75.0"),
            Decimal("50.00"),
            False,
            Decimal("0.00"),
        ),
    }
    assert [row.label for row in folio.gaps] == [  # by dimension
        "Marker: Gender marker ≥ 3",
        "Region: Asia",
        "Thematic area: TA2 Protecting migrants",
    ]
    # The target also shows against its slice of the portfolio.
    ta2 = next(row for row in folio.by_thematic_area if row.key == "TA2")
    assert (ta2.target, ta2.below_target) == (Decimal("30.00"), True)
    africa_row = next(row for row in folio.by_region if row.key == "002")
    assert (africa_row.target, africa_row.below_target) == (Decimal("50.00"), False)


def test_the_portfolio_counts_money_net_of_returns_and_releases(
    fund, fund_manager, deposit, programme_for, un_organizations
):
    deposit("1000000.00")
    kept = programme_for("600000.00", area="TA1")
    dropped = programme_for("400000.00", area="TA2")
    iom = un_organizations["IOM"]
    tranche = services.transfer_tranche(
        actor=fund_manager, programme=kept, organization=iom, amount="600000", transferred_on=DAY
    )
    services.submit_report(
        actor=fund_manager,
        programme=kept,
        kind=ReportKind.FINANCIAL,
        organization=iom,
        year=2024,
        submitted_on=DAY,
        expenditure="450000",
        tranches=[tranche],
    )
    services.close_programme(actor=fund_manager, programme=kept, closed_on=DAY)
    services.close_programme(actor=fund_manager, programme=dropped, closed_on=DAY)
    folio = selectors.portfolio(fund)
    assert folio.total_allocated == Decimal("450000.00")
    assert shares(folio.by_thematic_area) == {"TA1": (Decimal("450000.00"), Decimal("100.0"))}
    assert selectors.allocations_by_programme(fund) == {kept.pk: Decimal("450000.00")}


def test_a_programme_given_by_region_counts_in_that_region_and_its_parents(
    fund, deposit, programme_for
):
    deposit("100.00")
    programme_for("100.00", countries=(), regions=("018",))  # Southern Africa
    folio = selectors.portfolio(fund)
    assert shares(folio.by_region) == {"002": (Decimal("100.00"), Decimal("100.0"))}


def test_an_empty_fund_has_an_empty_portfolio(fund):
    folio = selectors.portfolio(fund)
    assert folio.total_allocated == 0
    assert all(row.share == 0 for row in folio.by_thematic_area)
    assert folio.pipeline == []
    assert folio.pipeline_total == 0
    statement = selectors.statement(fund)
    assert (statement.sources, statement.balance) == (0, 0)
    assert statement.deposits_by_donor == []


# The pipeline ----------------------------------------------------------------------------------


def test_the_pipeline_lists_endorsed_unfunded_programmes_with_a_running_total(
    fund, deposit, programme_for
):
    deposit("1000000.00")
    programme_for("400000.00", area="TA1")  # approved: 600,000 left
    first = programme_for("250000.00", until="selected")
    second = programme_for("300000.00", until="pipeline")
    third = programme_for("100000.00", until="document")
    programme_for("900000.00", until="rejected")

    folio = selectors.portfolio(fund)
    assert folio.balances.available == Decimal("600000.00")
    assert [
        (row["programme"], row["budget"], row["cumulative"], row["fundable_now"])
        for row in folio.pipeline
    ] == [
        (first, Decimal("250000.00"), Decimal("250000.00"), True),
        (second, Decimal("300000.00"), Decimal("550000.00"), True),
        (third, Decimal("100000.00"), Decimal("650000.00"), False),
    ]
    assert folio.pipeline_total == Decimal("650000.00")


def test_the_pipeline_counts_the_document_budget_of_a_documented_programme(
    fund, deposit, programme_for
):
    deposit("1000000.00")
    documented = programme_for("900000.00", until="document", document_budget="1200000.00")
    (row,) = selectors.portfolio(fund).pipeline
    assert row["programme"] == documented
    # Approval would allocate the document's 1,200,000, more than the 1,000,000 available.
    assert (row["budget"], row["fundable_now"]) == (Decimal("1200000.00"), False)


def test_the_pipeline_is_not_fundable_from_money_earmarked_elsewhere(fund, deposit, programme_for):
    deposit("1000000.00", earmarked_thematic_area=fund.thematic_areas.get(code="TA1"))
    deposit("50000.00", alpha3="NOR")
    elsewhere = programme_for("100000.00", area="TA4", until="document")
    earmarked = programme_for("1000000.00", area="TA1", until="selected")
    small = programme_for("50000.00", area="TA4", until="pipeline")
    too_much = programme_for("1.00", area="TA1", until="pipeline")
    rows = [
        (row["programme"], row["cumulative"], row["fundable_now"])
        for row in selectors.portfolio(fund).pipeline
    ]
    # 1,050,000 is available, but only 50,000 of it for TA4; a note that cannot be funded does
    # not hold the money back from the notes after it.
    assert rows == [
        (elsewhere, Decimal("100000.00"), False),
        (earmarked, Decimal("1100000.00"), True),
        (small, Decimal("1150000.00"), True),
        (too_much, Decimal("1150001.00"), False),
    ]


# Statement and donor report --------------------------------------------------------------------


def test_the_statement_shows_sources_and_uses(
    fund, fund_manager, deposit, approved_programme, un_organizations
):
    deposit("700000.00", alpha3="NOR")
    programme = approved_programme({"IOM": "600000.00", "ILO": "400000.00"})  # +1,000,000 DEU
    iom, ilo = un_organizations["IOM"], un_organizations["ILO"]
    tranches = {
        code: services.transfer_tranche(
            actor=fund_manager,
            programme=programme,
            organization=org,
            amount=amount,
            transferred_on=DAY,
        )
        for code, org, amount in (("IOM", iom, "600000"), ("ILO", ilo, "100000"))
    }
    for code, org, spent in (("IOM", iom, "550000"), ("ILO", ilo, "100000")):
        services.submit_report(
            actor=fund_manager,
            programme=programme,
            kind=ReportKind.FINANCIAL,
            organization=org,
            year=2024,
            submitted_on=DAY,
            expenditure=spent,
            tranches=[tranches[code]],
        )
    services.close_programme(actor=fund_manager, programme=programme, closed_on=DAY)

    statement = selectors.statement(fund)
    assert statement.deposits_by_donor == [
        ("Germany", Decimal("1000000.00")),
        ("Norway", Decimal("700000.00")),
    ]
    assert statement.transfers_by_organization == [
        ("International Labour Organization", Decimal("100000.00"), Decimal("0.00")),
        ("International Organization for Migration", Decimal("600000.00"), Decimal("50000.00")),
    ]
    assert statement.sources == Decimal("1700000.00")
    assert statement.balances.uses == Decimal("650000.00")
    assert statement.balance == Decimal("1050000.00")
    assert statement.sources - statement.balances.uses == statement.balance
    assert statement.balances.available == Decimal("1050000.00")


def test_the_donor_report_shows_a_donor_share_and_earmarks(
    fund, fund_manager, deposit, approved_programme, countries, africa
):
    services.set_exchange_rate(
        actor=fund_manager,
        organization=fund.organization,
        currency="EUR",
        quote_currency="USD",
        day=DAY,
        rate="1.10",
    )
    deposit("100000.00", alpha3="DEU", currency="EUR")
    deposit("200000.00", alpha3="DEU", earmarked_region=africa)
    deposit("590000.00", alpha3="NOR")
    approved_programme({"IOM": "10000.00"}, fund_first=False)
    germany = services.donor_for(country=countries["DEU"], actor=fund_manager)
    pledge = services.record_contribution(
        actor=fund_manager,
        fund=fund,
        donor=germany,
        currency="USD",
        amount="50000",
        pledged_on=date(2024, 6, 1),
    )

    report = selectors.donor_report(fund, germany)
    assert report.deposited == Decimal("310000.00")
    assert report.share_of_fund == Decimal("34.4")  # 310,000 of 900,000
    assert report.earmarked == [
        ("Africa", Decimal("200000.00")),
        ("Unearmarked", Decimal("110000.00")),
    ]
    assert [c.pk for c in report.contributions][-1] == pledge.pk
    assert report.portfolio.total_allocated == Decimal("10000.00")
    assert selectors.pledged_not_deposited(fund) == [pledge]
    assert pledge.status == ContributionStatus.PLEDGED


def test_the_portfolio_reads_in_a_fixed_number_of_queries(fund, deposit, programme_for):
    deposit("10000000.00")
    programme_for("100.00", until="document")
    programme_for("100.00", countries=(), regions=("002",), until="pipeline")
    programme_for("100.00")
    with CaptureQueriesContext(connection) as few:
        selectors.portfolio(fund)
    for until in ("document", "selected", "pipeline", "approved"):
        programme_for("100.00", countries=("ZAF", "PHL"), until=until)
        programme_for("100.00", area="TA1", countries=(), regions=("002",), until=until)
    with CaptureQueriesContext(connection) as many:
        folio = selectors.portfolio(fund)
    assert len(folio.pipeline) == 8
    assert len(many) == len(few)
