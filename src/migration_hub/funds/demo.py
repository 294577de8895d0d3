"""A demo Migration MPTF with money and programmes at every step, for `migration-hub demo`.

The fund's set-up comes from `reference/migration-mptf.yaml`; the donors, amounts, rates and
programmes are invented for the demo and say so in their names.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml
from django.db import transaction

from migration_hub.accounts.models import Organization
from migration_hub.core.models import Country, Region
from migration_hub.registry.models import FrameworkItem
from migration_hub.registry.models import Organization as RegistryOrganization

from . import services
from .choices import DecisionOutcome, ReportKind, TargetDimension
from .models import Fund, GovernanceSeat, Target

FUND_FILE = Path(__file__).resolve().parent / "reference" / "migration-mptf.yaml"
DEMO_DAY = date(2024, 1, 15)
DEMO_NOTE = "demo figures, not the fund's accounts"


def _fund_from_file(organization: Organization) -> Fund:
    spec = yaml.safe_load(FUND_FILE.read_text(encoding="utf-8"))
    items = {item.code: item for item in FrameworkItem.objects.filter(code__startswith="GCM-O")}
    fund = services.create_fund(
        actor=None,
        organization=organization,
        code=spec["code"],
        name=spec["name"],
        currency=spec["currency"],
        funding_target=spec["funding_target"],
        description=spec["description"],
        source=spec["source"],
        thematic_areas=[
            (area["code"], area["name"], [items[c] for c in area["objectives"] if c in items])
            for area in spec["thematic_areas"]
        ],
        markers=[(marker["code"], marker["name"]) for marker in spec["markers"]],
    )
    for seat in spec.get("governance", []):
        holder = RegistryOrganization.objects.filter(code=seat["organization"]).first()
        if holder is not None:
            GovernanceSeat.objects.create(
                fund=fund, body=seat["body"], role=seat["role"], organization=holder
            )
    return fund


@transaction.atomic
def ensure_demo_fund(organization_code: str = "DEMO-SECRETARIAT") -> Fund | None:
    """Create the demo fund once; returns None if it exists or the registry is not loaded."""
    if Fund.objects.filter(code="MIG00").exists():
        return None
    organization = Organization.objects.filter(code=organization_code).first()
    un = {
        o.code: o
        for o in RegistryOrganization.objects.filter(
            code__in=["IOM", "UNDP", "ILO", "UNICEF", "UNHCR", "UN-WOMEN"]
        )
    }
    if organization is None or len(un) < 4 or not Country.objects.exists():
        return None
    fund = _fund_from_file(organization)
    areas = {area.code: area for area in fund.thematic_areas.all()}
    Target.objects.create(
        fund=fund,
        dimension=TargetDimension.THEMATIC_AREA,
        thematic_area=areas["TA5"],
        minimum_share="10",
        source="demo target",
    )
    Target.objects.create(
        fund=fund,
        dimension=TargetDimension.REGION,
        region=Region.objects.get(m49_code="002"),
        minimum_share="30",
        source="demo target",
    )
    Target.objects.create(
        fund=fund,
        dimension=TargetDimension.MARKER,
        marker=fund.markers.get(code="GENDER"),
        minimum_score=2,
        minimum_share="15",
        source="demo target",
    )
    services.set_exchange_rate(
        actor=None,
        organization=organization,
        currency="EUR",
        quote_currency="USD",
        day=DEMO_DAY,
        rate="1.0890",
        source="demo rate, not a UN operational rate",
    )
    for name, currency, amount, earmark in [
        ("Demo donor A (" + DEMO_NOTE + ")", "USD", "6000000.00", None),
        ("Demo donor B (" + DEMO_NOTE + ")", "EUR", "4000000.00", None),
        ("Demo donor C (" + DEMO_NOTE + ")", "USD", "1500000.00", areas["TA2"]),
    ]:
        contribution = services.record_contribution(
            actor=None,
            fund=fund,
            donor=services.donor_for(name=name, actor=None),
            currency=currency,
            amount=amount,
            pledged_on=DEMO_DAY,
            earmarked_thematic_area=earmark,
        )
        services.sign_contribution(actor=None, contribution=contribution, signed_on=DEMO_DAY)
        services.record_deposit(actor=None, contribution=contribution, day=DEMO_DAY, amount=amount)
    services.record_contribution(
        actor=None,
        fund=fund,
        donor=services.donor_for(name="Demo donor D (" + DEMO_NOTE + ")"),
        currency="USD",
        amount="2500000.00",
        pledged_on=DEMO_DAY,
    )
    call = services.open_call(
        actor=None,
        fund=fund,
        title="Demo call for concept notes",
        opens_on=date(2023, 11, 1),
        deadline=date(2030, 12, 31),
        thematic_areas=list(areas.values()),
    )
    notes = [
        ("ZAF", "TA4", ["IOM", "ILO"], "Demo: labour mobility and skills partnerships", 2),
        ("TJK", "TA1", ["IOM", "UNDP"], "Demo: migration data for development planning", 1),
        ("PHL", "TA2", ["IOM", "UN-WOMEN"], "Demo: protecting women migrant workers", 3),
        ("MKD", "TA3", ["IOM", "UNHCR", "UNICEF"], "Demo: safeguarding migrants at borders", 2),
        ("CHL", "TA5", ["IOM", "UNDP"], "Demo: inclusion of migrants in local services", 2),
        ("LBR", "TA2", ["IOM", "UNICEF"], "Demo: reintegration of returning children", 2),
    ]
    for index, (alpha3, area, participants, title, gender) in enumerate(notes):
        participants = [un[code] for code in participants if code in un]
        if len(participants) < 2:
            continue
        programme = services.submit_concept_note(
            actor=None,
            fund=fund,
            organization=organization,
            call=call,
            title=title,
            thematic_area=areas[area],
            budget="2000000.00",
            participating_organizations=participants,
            countries=[Country.objects.get(alpha3=alpha3)],
            objectives=list(areas[area].objectives.all()[:2]),
            marker_scores={"GENDER": gender, "HUMAN-RIGHTS": 2},
            today=DEMO_DAY,
        )
        if index == 5:
            continue  # left waiting for its quality assessment
        services.assess_programme(
            actor=None,
            programme=programme,
            scores={c["code"]: 4 for c in fund.rubric},
        )
        outcome = DecisionOutcome.PIPELINE if index == 4 else DecisionOutcome.SELECTED
        services.decide_programme(
            actor=None,
            programme=programme,
            outcome=outcome,
            decided_on=DEMO_DAY,
            reasons="Demo decision: strong national ownership and a gap in the portfolio.",
        )
        if outcome == DecisionOutcome.PIPELINE or index == 3:
            continue
        share = dict.fromkeys(participants[:2], "1000000.00")
        services.submit_programme_document(actor=None, programme=programme, budgets=share)
        services.approve_programme(actor=None, programme=programme, approved_on=DEMO_DAY)
        if index == 0:
            lead = participants[0]
            tranche = services.transfer_tranche(
                actor=None,
                programme=programme,
                organization=lead,
                amount="1000000.00",
                transferred_on=DEMO_DAY,
            )
            services.submit_report(
                actor=None,
                programme=programme,
                kind=ReportKind.FINANCIAL,
                year=2024,
                submitted_on=date(2025, 3, 31),
                organization=lead,
                expenditure="940000.00",
                tranches=[tranche],
            )
    return fund
