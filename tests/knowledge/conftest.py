"""The Hub as a Network runs it: a secretariat whose editors run peer review, a ministry that
submits practices, reviewers from other organizations, and the frameworks resources are tagged
with (GCM objectives, guiding principles, MIGOF thematic areas)."""

from __future__ import annotations

import pytest

from migration_hub.accounts.choices import OrganizationKind
from migration_hub.core.choices import Role
from migration_hub.registry.models import Framework, FrameworkItem

from ..factories import OrganizationFactory

GCM_SOURCE = "https://undocs.org/A/RES/73/195"
MIGOF_SOURCE = "https://www.iom.int/migration-governance-framework"


@pytest.fixture
def principles(objectives) -> dict[str, FrameworkItem]:
    gcm = Framework.objects.get(code="GCM")
    return {
        letter: FrameworkItem.objects.create(
            framework=gcm,
            code=f"GCM-GP-{letter}",
            kind="guiding-principle",
            number=letter,
            title=f"Guiding principle {letter}",
            position=100 + index,
            source=GCM_SOURCE,
        )
        for index, letter in enumerate("ABCDEFGHIJ")
    }


@pytest.fixture
def themes(db) -> dict[int, FrameworkItem]:
    migof = Framework.objects.create(code="MIGOF", name="MIGOF", source=MIGOF_SOURCE)
    return {
        n: FrameworkItem.objects.create(
            framework=migof,
            code=f"MIGOF-TA-{n:02d}",
            kind="thematic-area",
            number=str(n),
            title=f"Thematic area {n}",
            position=n,
            source=MIGOF_SOURCE,
        )
        for n in range(1, 17)
    }


@pytest.fixture
def secretariat(db):
    return OrganizationFactory(
        code="NETWORK", name="Network Secretariat", kind=OrganizationKind.NETWORK_SECRETARIAT
    )


@pytest.fixture
def hub_editor(make_member, secretariat):
    """Screens submissions, assigns reviewers, decides, moderates."""
    return make_member(Role.EDITOR, secretariat, username="hub-editor")


@pytest.fixture
def author(make_member, organization):
    """A contributor at the submitting ministry ("HOME")."""
    return make_member(Role.CONTRIBUTOR, organization, username="author")


@pytest.fixture
def colleague(make_member, organization):
    """Another member of the submitting ministry: never a reviewer of its practices."""
    return make_member(Role.VIEWER, organization, username="colleague")


@pytest.fixture
def reviewers(make_member):
    """Two reviewers, each from an organization other than the submitter's."""
    first = OrganizationFactory(code="UNIV", name="University of Migration Studies")
    second = OrganizationFactory(code="NGO", name="Migrant Rights NGO", kind=OrganizationKind.NGO)
    return [
        make_member(Role.REVIEWER, first, username="reviewer-one"),
        make_member(Role.REVIEWER, second, username="reviewer-two"),
    ]
