"""A review season as the Network runs it: the GCM's cycles, a ministry writing Kenya's review
for the 2026 IMRF with a co-author from another organization, and the secretariat that
publishes and compiles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from migration_hub.accounts.choices import OrganizationKind
from migration_hub.core.choices import Role
from migration_hub.reviews import services
from migration_hub.reviews.choices import (
    CycleKind,
    ReviewLevel,
    ReviewStatus,
    SectionKey,
    Stakeholder,
)
from migration_hub.reviews.models import Cycle, Review, Section

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


# --- A season of known reviews, for the compiled reports --------------------------------

PRACTICE = {"title": "Labour mobility scheme", "url": "https://example.org/lms"}


def make_review(
    cycle,
    organization,
    entity: str,
    *,
    country=None,
    commission: str = "",
    level: str = ReviewLevel.NATIONAL,
    stakeholder: str = "",
    status: str = ReviewStatus.SUBMITTED,
    objectives: dict | None = None,
    consulted: list[str] | None = None,
) -> Review:
    """A review as plain rows; `objectives` maps a number to (progress, text[, practices])."""
    review = Review.objects.create(
        cycle=cycle,
        organization=organization,
        title=f"{entity}: voluntary GCM review {cycle.year}",
        level=level,
        stakeholder=stakeholder,
        entity_name=entity,
        country=country,
        commission=commission,
        language="en",
        status=status,
    )
    Section.objects.create(
        review=review,
        key=SectionKey.METHODOLOGY,
        text="How we wrote it.",
        data={"stakeholders": consulted or []},
    )
    for number, answer in (objectives or {}).items():
        progress, text, *rest = answer
        Section.objects.create(
            review=review,
            key=f"objective-{number}",
            objective_number=number,
            progress=progress,
            text=text,
            data={"practices": rest[0]} if rest else {},
        )
    return review


@dataclass
class Season:
    kenya: Review
    mexico: Review
    germany: Review
    migrants: Review
    draft: Review
    kenya_2022: Review


@pytest.fixture
def season(cycles, countries, objectives, imrf_2026, imrf_2022) -> Season:
    """IMRF 2026: four reviews counted (Kenya, Mexico, Germany, a migrants' group) and a draft
    that is not; IMRF 2022: Kenya's earlier review; a 2024 regional review never counted."""
    org = OrganizationFactory(code="STATES", name="States")
    kenya = make_review(
        imrf_2026,
        org,
        "Kenya",
        country=countries["KEN"],
        commission="ECA",
        objectives={
            1: ("achieved", "Kenya opened five one-stop centres. More will follow in 2027."),
            5: ("in_progress", "Bilateral labour agreements signed.", [PRACTICE]),
            7: ("", "Firewalls between services and immigration enforcement."),
            9: ("", "   \n  "),  # whitespace only: not reported
        },
        consulted=[Stakeholder.MIGRANTS, Stakeholder.CIVIL_SOCIETY],
    )
    mexico = make_review(
        imrf_2026,
        org,
        "Mexico",
        country=countries["MEX"],
        commission="ECLAC",
        status=ReviewStatus.PUBLISHED,
        objectives={1: ("planned", ""), 5: ("not_started", "")},
        consulted=[Stakeholder.MIGRANTS],
    )
    germany = make_review(
        imrf_2026,
        org,
        "Germany",
        country=countries["DEU"],
        commission="ECE",
        objectives={1: ("in_progress", "Skilled immigration act in force.", [PRACTICE])},
    )
    migrants = make_review(
        imrf_2026,
        org,
        "Migrant workers' network",
        level=ReviewLevel.STAKEHOLDER,
        stakeholder=Stakeholder.MIGRANTS,
        objectives={5: ("", "Recruitment fees are still charged to workers.")},
    )
    draft = make_review(
        imrf_2026,
        org,
        "France",
        country=countries["FRA"],
        commission="ECE",
        status=ReviewStatus.DRAFT,
        objectives={1: ("achieved", "Not submitted yet.")},
    )
    kenya_2022 = make_review(
        imrf_2022,
        org,
        "Kenya",
        country=countries["KEN"],
        commission="ECA",
        objectives={1: ("achieved", "Centres planned."), 2: ("planned", "")},
    )
    make_review(
        cycles[(CycleKind.REGIONAL, 2024, "ECA")],
        org,
        "Kenya",
        country=countries["KEN"],
        commission="ECA",
        objectives={1: ("achieved", "Regional review.")},
    )
    return Season(kenya, mexico, germany, migrants, draft, kenya_2022)
