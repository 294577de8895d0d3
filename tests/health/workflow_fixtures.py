"""Fixtures of the assessment workflow tests: protocols loaded through the real loaders, a
clinic organization running a panel site, its physician and coordinator, a national TB
programme in the registry, and a second organization with its own site and assessment.

Import the fixtures into a test module: `from tests.health.workflow_fixtures import *`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from migration_hub.accounts.choices import Role
from migration_hub.health import workflow
from migration_hub.health.models import Assessment, PanelSite
from migration_hub.health.services import load_country_lists, load_protocols
from migration_hub.registry.choices import OrganizationKind as RegistryKind
from migration_hub.registry.models import Organization as RegistryOrganization
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

__all__ = ["clinic", "health_protocols", "profile", "schedule"]

ADULT_BIRTH = datetime.date(1990, 5, 1)


def profile(**changes: Any) -> dict[str, Any]:
    """An adult immigrant to the United States, examined in Kenya: the protocol requires a
    medical examination, a chest X-ray, a syphilis test and a vaccination assessment."""
    data: dict[str, Any] = {
        "destination": "US",
        "category": "immigrant",
        "citizenship": "KE",
    }
    data.update(changes)
    return data


@pytest.fixture
def health_protocols(db: None) -> None:
    """The protocols in the database, loaded as the reference loader does."""
    load_country_lists()
    report = load_protocols()
    assert not report.rejected, [str(error) for error in report.rejected]


def _member(username: str, role: str, organization: Any) -> Any:
    user = UserFactory(username=username, first_name="Test", last_name=username.title())
    MembershipFactory(user=user, organization=organization, role=role)
    return user


def _site(organization: Any, name: str, tb_programme: Any) -> PanelSite:
    return workflow.create_panel_site(
        actor=None,
        organization=organization,
        name=name,
        country="KE",
        city="Nairobi",
        destinations=["US", "CA"],
        tb_programme=tb_programme,
    )


@pytest.fixture
def clinic(db: None, health_protocols: None) -> SimpleNamespace:
    """A clinic with a panel site, a physician (with current training), a coordinator and a
    colleague without a health role; another organization with its own site, physician and
    assessment; the national TB programme in the registry."""
    tb_programme = RegistryOrganization.objects.create(
        code="KE-NTP",
        name="National TB Programme (test)",
        kind=RegistryKind.NGO,
        source="https://example.org/test-fixture",
    )
    home = OrganizationFactory(code="CLINIC", name="Test Migration Health Clinic")
    other = OrganizationFactory(code="ELSEWHERE", name="Another Health Provider")
    site = _site(home, "Nairobi panel site", tb_programme)
    other_site = _site(other, "Other panel site", tb_programme)
    physician_user = _member("physician", Role.PANEL_PHYSICIAN, home)
    physician = workflow.add_physician(
        actor=None, site=site, user=physician_user, licence_number="KMPDC-0001"
    )
    workflow.record_training(
        actor=None,
        physician=physician,
        course="Panel physician training",
        completed_on=datetime.date(2024, 1, 10),
        expires_on=datetime.date(2030, 1, 10),
    )
    other_user = _member("other-physician", Role.PANEL_PHYSICIAN, other)
    other_physician = workflow.add_physician(
        actor=None, site=other_site, user=other_user, licence_number="KMPDC-0002"
    )
    namespace = SimpleNamespace(
        home=home,
        other=other,
        site=site,
        other_site=other_site,
        physician_user=physician_user,
        physician=physician,
        coordinator=_member("coordinator", Role.HEALTH_COORDINATOR, home),
        colleague=_member("colleague", Role.EDITOR, home),
        other_user=other_user,
        other_physician=other_physician,
        tb_programme=tb_programme,
    )
    namespace.other_assessment = workflow.schedule_assessment(
        actor=other_user,
        site=other_site,
        physician=other_physician,
        appointment_at=timezone.now(),
        full_name="Sample Person Elsewhere",
        date_of_birth=ADULT_BIRTH,
        sex="female",
        profile=profile(),
    )
    return namespace


@pytest.fixture
def schedule(clinic: SimpleNamespace) -> Callable[..., Assessment]:
    """Schedule an assessment at the clinic's site (today, by its physician)."""

    def make(**changes: Any) -> Assessment:
        arguments: dict[str, Any] = {
            "actor": clinic.physician_user,
            "site": clinic.site,
            "physician": clinic.physician,
            "appointment_at": timezone.now(),
            "full_name": "Sample Person 1",
            "date_of_birth": ADULT_BIRTH,
            "sex": "male",
            "document_number": "P0000001",
            "profile": profile(),
        }
        arguments.update(changes)
        return workflow.schedule_assessment(**arguments)

    return make


def fill_results(
    assessment: Assessment,
    actor: Any,
    outcomes: dict[str, str] | None = None,
) -> Assessment:
    """Record a result for every required item (normal or negative unless `outcomes` says)."""
    from migration_hub.health.workflow_choices import TEST_ITEMS

    outcomes = outcomes or {}
    for item in assessment.required_items:
        default = "negative" if item in TEST_ITEMS else "normal"
        assessment.refresh_from_db()
        workflow.record_result(
            actor=actor,
            assessment=assessment,
            item=item,
            outcome=outcomes.get(item, default),
            value="as expected",
            expected_version=assessment.version,
        )
    assessment.refresh_from_db()
    return assessment
