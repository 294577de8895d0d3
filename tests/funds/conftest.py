"""A fund as the Migration MPTF's unit would set it up: thematic areas over GCM objectives,
the gender and human rights markers, participating UN organizations from the registry, and a
fund manager of the organization that keeps it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from migration_hub.core.choices import Role
from migration_hub.core.models import Country, Region
from migration_hub.funds import services
from migration_hub.funds.choices import DecisionOutcome
from migration_hub.funds.models import Fund, Programme
from migration_hub.registry.models import Organization as RegistryOrganization

S = "https://mptf.undp.org/fund/mig00"
DAY = date(2024, 3, 1)


@pytest.fixture
def un_organizations(db):
    return {
        code: RegistryOrganization.objects.create(
            code=code, acronym=code, name=name, kind="un-fund-programme", source=S
        )
        for code, name in [
            ("IOM", "International Organization for Migration"),
            ("UNDP", "United Nations Development Programme"),
            ("ILO", "International Labour Organization"),
            ("UNICEF", "United Nations Children's Fund"),
        ]
    }


@pytest.fixture
def fund(countries, organization, objectives) -> Fund:
    """MIG00-like fund in USD with five thematic areas and two markers, kept by `organization`."""
    return services.create_fund(
        actor=None,
        organization=organization,
        code="MIG00",
        name="Migration Multi-Partner Trust Fund",
        funding_target="70000000",
        thematic_areas=[
            ("TA1", "Data-driven discourse", [objectives[1], objectives[3], objectives[17]]),
            ("TA2", "Protecting migrants", [objectives[7], objectives[8], objectives[13]]),
            ("TA3", "Irregular migration", [objectives[9], objectives[10], objectives[11]]),
            ("TA4", "Regular migration and development", [objectives[5], objectives[19]]),
            ("TA5", "Social inclusion", [objectives[15], objectives[16]]),
        ],
        markers=[("GENDER", "Gender marker"), ("HUMAN-RIGHTS", "Human rights marker")],
    )


@pytest.fixture
def fund_manager(make_member, organization):
    return make_member(Role.FUND_MANAGER, organization)


@pytest.fixture
def reviewer(make_member, organization):
    return make_member(Role.REVIEWER, organization)


@pytest.fixture
def applicant(make_member, other_organization):
    """A contributor of another organization, who sends concept notes."""
    return make_member(Role.CONTRIBUTOR, other_organization)


@pytest.fixture
def deposit(fund, fund_manager):
    """deposit("1000000.00") puts unearmarked USD money in the fund from a state donor."""

    def put(amount: str, *, alpha3: str = "DEU", day: date = DAY, currency: str = "USD", **earmark):
        donor = services.donor_for(country=Country.objects.get(alpha3=alpha3), actor=fund_manager)
        contribution = services.record_contribution(
            actor=fund_manager,
            fund=fund,
            donor=donor,
            currency=currency,
            amount=amount,
            pledged_on=day,
            **earmark,
        )
        services.sign_contribution(actor=fund_manager, contribution=contribution, signed_on=day)
        return services.record_deposit(
            actor=fund_manager, contribution=contribution, day=day, amount=amount
        )

    return put


@pytest.fixture
def concept_note(fund, applicant, other_organization, un_organizations, objectives):
    """concept_note(budget=...) sends a note for South Africa with IOM and ILO."""

    def send(budget: str = "2000000.00", *, alpha3: str = "ZAF", area: str = "TA4", **extra):
        return services.submit_concept_note(
            actor=applicant,
            fund=fund,
            organization=other_organization,
            title=extra.pop("title", "Labour mobility in Southern Africa"),
            thematic_area=fund.thematic_areas.get(code=area),
            budget=budget,
            participating_organizations=extra.pop(
                "participants", [un_organizations["IOM"], un_organizations["ILO"]]
            ),
            countries=[Country.objects.get(alpha3=alpha3)],
            objectives=[objectives[5], objectives[6]],
            marker_scores=extra.pop("marker_scores", {"GENDER": 2, "HUMAN-RIGHTS": 3}),
            **extra,
        )

    return send


@pytest.fixture
def approved_programme(fund, fund_manager, reviewer, deposit, concept_note, un_organizations):
    """approved_programme(budgets={"IOM": "600000.00", "ILO": "400000.00"}) runs a note
    through assessment, selection, document and approval (depositing enough money first
    unless fund_first=False)."""

    def run(budgets=None, *, fund_first: bool = True, **note) -> Programme:
        budgets = budgets or {"IOM": "600000.00", "ILO": "400000.00"}
        total = sum(Decimal(v) for v in budgets.values())
        if fund_first:
            deposit(str(total))
        programme = concept_note(str(total), **note)
        services.assess_programme(
            actor=reviewer, programme=programme, scores={c["code"]: 4 for c in fund.rubric}
        )
        services.decide_programme(
            actor=fund_manager,
            programme=programme,
            outcome=DecisionOutcome.SELECTED,
            reasons="Strong national ownership; fills the Southern Africa gap.",
            decided_on=DAY,
        )
        services.submit_programme_document(
            actor=fund_manager,
            programme=programme,
            budgets={un_organizations[code]: amount for code, amount in budgets.items()},
        )
        return services.approve_programme(actor=fund_manager, programme=programme, approved_on=DAY)

    return run


@pytest.fixture
def africa(countries) -> Region:
    return Region.objects.get(m49_code="002")
