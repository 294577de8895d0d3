"""Two fund managers spending the last money at the same moment: one is served, the other gets
a clear refusal, and the ledger still balances. Real threads on real connections: PostgreSQL
serializes them with the fund's row lock, SQLite with IMMEDIATE transactions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from migration_hub.core.choices import Role
from migration_hub.core.models import Country
from migration_hub.funds import ledger, services
from migration_hub.funds.choices import DecisionOutcome, ProgrammeStatus, TransactionKind
from migration_hub.funds.models import Deposit, LedgerTransaction, Programme, Tranche
from tests.concurrency import file_database_on_sqlite, race

DAY = date(2024, 3, 1)

pytestmark = pytest.mark.django_db(transaction=True)

# Module-scoped: this module runs on a database file on SQLite (see tests/concurrency.py).
django_db_setup = file_database_on_sqlite


def one_served_one_refused(results: list[Any], field: str) -> tuple[Any, ValidationError]:
    refused = [r for r in results if isinstance(r, Exception)]
    served = [r for r in results if not isinstance(r, Exception)]
    assert len(served) == 1, results
    assert len(refused) == 1, results
    assert isinstance(refused[0], ValidationError), repr(refused[0])  # not a database error
    assert field in refused[0].message_dict, refused[0]
    return served[0], refused[0]


def balanced(fund) -> ledger.Balances:
    money = ledger.balances(fund)
    assert money.trial_balance == 0
    assert ledger.unbalanced_transactions() == []
    assert money.available >= 0
    assert money.cash >= 0
    assert money.available == money.deposited - money.net_allocated
    return money


@pytest.fixture
def second_manager(make_member, organization):
    return make_member(Role.FUND_MANAGER, organization, username="second-fund-manager")


def test_two_managers_approving_the_last_money_at_once(
    fund, fund_manager, second_manager, reviewer, deposit, concept_note, un_organizations
):
    deposit("1500000.00")
    programmes = []
    for _ in range(2):
        programme = concept_note("1000000.00")
        services.assess_programme(
            actor=reviewer, programme=programme, scores={c["code"]: 4 for c in fund.rubric}
        )
        services.decide_programme(
            actor=fund_manager,
            programme=programme,
            outcome=DecisionOutcome.SELECTED,
            reasons="Both fit; only one can be funded.",
            decided_on=DAY,
        )
        programmes.append(
            services.submit_programme_document(
                actor=fund_manager,
                programme=programme,
                budgets={
                    un_organizations["IOM"]: "600000.00",
                    un_organizations["ILO"]: "400000.00",
                },
            )
        )

    results = race(
        *(
            lambda actor=actor, programme=programme: services.approve_programme(
                actor=actor, programme=programme, approved_on=DAY
            )
            for actor, programme in zip((fund_manager, second_manager), programmes, strict=True)
        )
    )

    approved, refusal = one_served_one_refused(results, "budget")
    assert "USD 500,000.00 available" in refusal.message_dict["budget"][0]
    statuses = dict(Programme.objects.values_list("pk", "status"))
    assert statuses[approved.pk] == ProgrammeStatus.APPROVED
    assert sorted(statuses.values()) == [ProgrammeStatus.APPROVED, ProgrammeStatus.DOCUMENT]
    money = balanced(fund)
    assert money.allocated == Decimal("1000000.00")
    assert money.available == Decimal("500000.00")
    assert LedgerTransaction.objects.filter(kind=TransactionKind.ALLOCATION).count() == 1


def test_two_transfers_exceeding_a_budget_together(
    fund, fund_manager, second_manager, approved_programme, un_organizations
):
    programme = approved_programme({"IOM": "600000.00", "ILO": "400000.00"})
    iom = un_organizations["IOM"]

    results = race(
        *(
            lambda actor=actor: services.transfer_tranche(
                actor=actor,
                programme=programme,
                organization=iom,
                amount="400000.00",
                transferred_on=DAY,
            )
            for actor in (fund_manager, second_manager)
        )
    )

    tranche, refusal = one_served_one_refused(results, "amount")
    assert "USD 400,000.00 was already transferred" in refusal.message_dict["amount"][0]
    assert list(Tranche.objects.values_list("pk", "number")) == [(tranche.pk, 1)]
    money = balanced(fund)
    assert money.transferred == Decimal("400000.00")
    assert money.commitments == Decimal("600000.00")


def test_two_deposits_exceeding_a_pledge_together(fund, fund_manager, second_manager, countries):
    contribution = services.record_contribution(
        actor=fund_manager,
        fund=fund,
        donor=services.donor_for(country=countries["NLD"], actor=fund_manager),
        currency="USD",
        amount="1000.00",
        pledged_on=DAY,
    )
    services.sign_contribution(actor=fund_manager, contribution=contribution, signed_on=DAY)

    results = race(
        *(
            lambda actor=actor: services.record_deposit(
                actor=actor, contribution=contribution, day=DAY, amount="600.00"
            )
            for actor in (fund_manager, second_manager)
        )
    )

    one_served_one_refused(results, "amount")
    assert Deposit.objects.count() == 1
    assert balanced(fund).deposited == Decimal("600.00")


def test_two_concept_notes_sent_at_once_both_get_a_code_of_their_own(
    fund, applicant, make_member, other_organization, un_organizations, objectives
):
    """The code is the fund's next number: counted under the fund's row lock, two notes sent
    at the same moment cannot both take MIG00-001."""
    second_applicant = make_member(Role.CONTRIBUTOR, other_organization, "second-applicant")
    area = fund.thematic_areas.get(code="TA4")
    south_africa = Country.objects.get(alpha3="ZAF")
    participants = [un_organizations["IOM"], un_organizations["ILO"]]

    def send(actor, title: str) -> Programme:
        return services.submit_concept_note(
            actor=actor,
            fund=fund,
            organization=other_organization,
            title=title,
            thematic_area=area,
            budget="100000.00",
            participating_organizations=participants,
            countries=[south_africa],
            objectives=[objectives[5]],
            marker_scores={"GENDER": 1, "HUMAN-RIGHTS": 1},
        )

    results = race(
        lambda: send(applicant, "First note"), lambda: send(second_applicant, "Second note")
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(programme.code for programme in results) == ["MIG00-001", "MIG00-002"]
    assert sorted(Programme.objects.values_list("code", flat=True)) == ["MIG00-001", "MIG00-002"]
    assert {p.participants.count() for p in Programme.objects.all()} == {2}
