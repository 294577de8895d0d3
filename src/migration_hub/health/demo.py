"""Sample health assessments for `migration-hub demo`.

A panel site in Nairobi run by the demo secretariat (the organization of the demo accounts,
accounts/demo.py), its national TB programme partner in the registry, the demo panel physician
posted there with a training record, and one sample assessment at each status of the workflow.
Everything goes through `health.workflow`, so the audit trail and encryption are what real use
would make. The people are invented and named "Sample Person 1", "Sample Person 2"...; the TB
programme is a sample too. A rerun creates nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from migration_hub.accounts.models import Organization, User
from migration_hub.registry.choices import OrganizationKind as RegistryKind
from migration_hub.registry.models import Organization as RegistryOrganization
from migration_hub.registry.services import save_record

from . import workflow
from .models import Assessment, PanelSite, Physician, ProtocolVersion
from .services import load_country_lists, load_protocols
from .workflow_choices import TEST_ITEMS

ORGANIZATION_CODE = "DEMO-SECRETARIAT"
SITE_NAME = "Sample Panel Clinic, Nairobi"
PHYSICIAN = "demo-panel-physician"
COORDINATOR = "demo-health-coordinator"
TB_PROGRAMME_CODE = "SAMPLE-KE-NTP"
SAMPLE_SOURCE = "Migration Hub demo data: a sample partner, not a real programme"

# (status reached, days before today of the appointment, TB class, decision, result overrides)
SAMPLES: list[tuple[str, int, str, str, dict[str, str]]] = [
    ("scheduled", -3, "", "", {}),
    ("examined", 2, "", "", {}),
    ("classified", 4, "B2", "", {}),
    ("cleared", 6, "none", "cleared", {}),
    ("deferred", 9, "A", "deferred", {"chest_xray": "abnormal", "sputum": "positive"}),
    ("referred", 12, "B1", "referred", {"chest_xray": "abnormal", "sputum": "negative"}),
    ("certified", 20, "none", "cleared", {}),
    ("certified", 30, "B1", "cleared", {"chest_xray": "abnormal", "sputum": "negative"}),
]
REASONS = {
    "deferred": "Sample: infectious TB; treatment to be completed before clearance.",
    "referred": "Sample: referred for specialist review of the chest X-ray.",
}


@dataclass
class DemoHealthReport:
    site: PanelSite | None = None
    assessments: list[Assessment] = field(default_factory=list)

    def __str__(self) -> str:
        return f"a sample panel site with {len(self.assessments)} sample assessments"


def _tb_programme() -> RegistryOrganization:
    programme = RegistryOrganization.objects.filter(code=TB_PROGRAMME_CODE).first()
    if programme is None:
        programme = save_record(
            RegistryOrganization(
                code=TB_PROGRAMME_CODE,
                name="Sample National TB Programme (Kenya)",
                kind=RegistryKind.NGO,
                description="A sample partner for the health assessment demo: invented.",
                source=SAMPLE_SOURCE,
            ),
            actor=None,
            change_source=SAMPLE_SOURCE,
        )
    return programme


def _physician(site: PanelSite) -> Physician | None:
    user = User.objects.filter(username=PHYSICIAN).first()
    if user is None:
        return None
    physician = workflow.add_physician(
        actor=None, site=site, user=user, licence_number="SAMPLE-LIC-0001"
    )
    today = timezone.localdate()
    workflow.record_training(
        actor=None,
        physician=physician,
        course="Sample: panel physician training (destination protocols)",
        completed_on=today - datetime.timedelta(days=400),
        expires_on=today + datetime.timedelta(days=700),
    )
    return physician


def _run(assessment: Assessment, actor: Any, sample: tuple[str, int, str, str, dict]) -> None:
    status, _days, tb_class, decision, overrides = sample
    if status == "scheduled":
        return

    def fresh() -> Assessment:
        assessment.refresh_from_db()
        return assessment

    for item in assessment.required_items:
        default = "negative" if item in TEST_ITEMS else "normal"
        current = fresh()
        workflow.record_result(
            actor=actor,
            assessment=current,
            item=item,
            outcome=overrides.get(item, default),
            value="Sample value",
            result_date=current.exam_date,
            expected_version=current.version,
        )
    for item in workflow.missing_items(fresh()):  # conditional items made due by a result
        current = fresh()
        workflow.record_result(
            actor=actor,
            assessment=current,
            item=item,
            outcome=overrides.get(item, "negative"),
            value="Sample value",
            result_date=current.exam_date,
            expected_version=current.version,
        )
    if not tb_class:
        return
    workflow.classify(
        actor=actor, assessment=fresh(), tb_class=tb_class, expected_version=assessment.version
    )
    current = fresh()
    if workflow.tb_referral_proposed(current) and current.site.tb_programme is not None:
        workflow.refer_tb(
            actor=actor,
            assessment=current,
            to_organization=current.site.tb_programme,
            consent_given=True,
            reason="Sample: suspected TB, follow-up after arrival.",
            expected_version=current.version,
        )
    if not decision:
        return
    workflow.decide(
        actor=actor,
        assessment=fresh(),
        decision=decision,
        reason=REASONS.get(status, ""),
        expected_version=assessment.version,
    )
    if status == "certified":
        workflow.issue_certificate(
            actor=actor, assessment=fresh(), expected_version=assessment.version
        )


@transaction.atomic
def load_demo() -> DemoHealthReport | None:
    """Create the sample site and assessments once; None when they exist already or the demo
    accounts are missing. Loads the health protocols first if none is loaded."""
    organization = Organization.objects.filter(code=ORGANIZATION_CODE).first()
    if organization is None or PanelSite.objects.filter(name=SITE_NAME).exists():
        return None
    if not ProtocolVersion.objects.exists():
        load_country_lists()
        load_protocols()
    if not ProtocolVersion.objects.filter(destination="US").exists():
        return None
    site = workflow.create_panel_site(
        actor=None,
        organization=organization,
        name=SITE_NAME,
        country="KE",
        city="Nairobi",
        destinations=["US", "CA", "GB", "AU", "NZ"],
        tb_programme=_tb_programme(),
    )
    physician = _physician(site)
    actor = physician.user if physician is not None else None
    report = DemoHealthReport(site=site)
    now = timezone.localtime().replace(hour=9, minute=30, second=0, microsecond=0)
    for number, sample in enumerate(SAMPLES, start=1):
        appointment = now - datetime.timedelta(days=sample[1])
        assessment = workflow.schedule_assessment(
            actor=None,
            site=site,
            physician=physician,
            appointment_at=appointment,
            full_name=f"Sample Person {number}",
            date_of_birth=datetime.date(1980 + number, number, 10 + number),
            sex="female" if number % 2 else "male",
            document_number=f"SAMPLE{number:04d}",
            profile={"destination": "US", "category": "immigrant", "citizenship": "KE"},
        )
        _run(assessment, actor, sample)
        report.assessments.append(assessment)
    return report
