"""A review season as the Network runs it: the GCM's cycles, a ministry writing Kenya's review
for the 2026 IMRF with a co-author from another organization, and the secretariat that
publishes and compiles."""

from __future__ import annotations

from datetime import date

import pytest

from migration_hub.accounts.choices import OrganizationKind
from migration_hub.core.choices import Role
from migration_hub.reviews import services
from migration_hub.reviews.choices import CycleKind, ReviewLevel, SectionKey, Stakeholder
from migration_hub.reviews.models import Cycle, Review

from ..factories import OrganizationFactory, UserFactory


@pytest.fixture
def cycles(db) -> dict[tuple[str, int, str], Cycle]:
    services.ensure_cycles(until_year=2030)
    return {(c.kind, c.year, c.commission): c for c in Cycle.objects.all()}


@pytest.fixture
def imrf_2026(cycles) -> Cycle:
    return cycles[(CycleKind.IMRF, 2026, "")]


@pytest.fixture
def imrf_2022(cycles) -> Cycle:
    return cycles[(CycleKind.IMRF, 2022, "")]


@pytest.fixture
def secretariat(db):
    return OrganizationFactory(
        code="NETWORK", name="Network Secretariat", kind=OrganizationKind.NETWORK_SECRETARIAT
    )


@pytest.fixture
def secretariat_editor(make_member, secretariat):
    return make_member(Role.EDITOR, secretariat, username="secretariat-editor")


@pytest.fixture
def secretariat_viewer(make_member, secretariat):
    return make_member(Role.VIEWER, secretariat, username="secretariat-viewer")


@pytest.fixture
def focal_point(make_member, organization):
    """The state's focal point: a contributor in the ministry writing the review."""
    return make_member(Role.CONTRIBUTOR, organization, username="focal-point")


@pytest.fixture
def coauthor(db):
    """A co-author from outside the ministry, given two sections."""
    return UserFactory(username="coauthor")


@pytest.fixture
def review(focal_point, organization, countries, objectives, imrf_2026, coauthor) -> Review:
    review = services.create_review(
        focal_point,
        cycle=imrf_2026,
        organization=organization,
        title="Kenya: voluntary GCM review 2026",
        level=ReviewLevel.NATIONAL,
        entity_name="Kenya",
        country=countries["KEN"],
        language="en",
    )
    services.add_coauthor(
        focal_point, review, coauthor, sections=[SectionKey.CHALLENGES, "objective-5"]
    )
    return review


def fill_required(actor, review: Review) -> Review:
    """Write every required section, as a focal point would before submitting."""
    services.save_section(
        actor,
        review,
        SectionKey.METHODOLOGY,
        expected_version=1,
        text="A whole-of-government task force drafted the review with stakeholders.",
        data={
            "government_bodies": ["Ministry of Labour", "Department of Immigration"],
            "stakeholders": [Stakeholder.MIGRANTS, Stakeholder.CIVIL_SOCIETY],
        },
    )
    services.save_section(
        actor,
        review,
        "objective-5",
        expected_version=0,
        progress="in_progress",
        text="Bilateral labour agreements signed with three countries.",
        evidence="Agreements registered in 2024.",
    )
    services.save_section(
        actor,
        review,
        SectionKey.PRINCIPLES,
        expected_version=1,
        data={"GCM-GP-F": "Rights-based screening at borders."},
    )
    services.save_section(
        actor, review, SectionKey.CHALLENGES, expected_version=1, text="Data gaps on returns."
    )
    services.save_section(
        actor, review, SectionKey.NEXT_STEPS, expected_version=1, text="A national plan by 2027."
    )
    review.refresh_from_db()
    return review


@pytest.fixture
def complete_review(review, focal_point) -> Review:
    return fill_required(focal_point, review)


TODAY = date(2026, 11, 24)
