from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.core.cache import cache
from django.utils import translation
from rest_framework.test import APIClient

from migration_hub.accounts.choices import Role
from migration_hub.accounts.models import Organization, User
from migration_hub.core import search
from migration_hub.core.models import Country
from migration_hub.core.services import load_countries
from migration_hub.registry.models import Framework, FrameworkItem

from .factories import MembershipFactory, OrganizationFactory, UserFactory

GCM_SOURCE = "https://undocs.org/A/RES/73/195"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Each test starts in English: a request in another language leaves it active."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """The cache outlives each test's rolled-back database: start and end empty."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def countries(db: None) -> dict[str, Country]:
    """The full ISO 3166 / M49 reference set, loaded through the real loader."""
    load_countries()
    return {country.alpha3: country for country in Country.objects.all()}


@pytest.fixture
def organization(db: None) -> Organization:
    org = OrganizationFactory(code="HOME", name="Home Ministry of Migration")
    search.index_object(org)
    return org


@pytest.fixture
def other_organization(db: None) -> Organization:
    org = OrganizationFactory(code="OTHER", name="Other Agency for Refugees")
    search.index_object(org)
    return org


@pytest.fixture
def make_member(db: None) -> Callable[..., User]:
    """A user holding `role` in `organization` (one membership row per role)."""

    def make(role: str, organization: Organization, username: str | None = None) -> User:
        user = UserFactory(username=username or f"{role}-{organization.code.lower()}")
        MembershipFactory(user=user, organization=organization, role=role)
        return user

    return make


@pytest.fixture
def viewer(make_member: Callable[..., User], organization: Organization) -> User:
    return make_member(Role.VIEWER, organization)


@pytest.fixture
def editor(make_member: Callable[..., User], organization: Organization) -> User:
    return make_member(Role.EDITOR, organization)


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for(client):
    """The Django test client signed in as the given user."""

    def sign_in(user: User):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def objectives(db):
    gcm = Framework.objects.create(
        code="GCM", name="Global Compact for Migration", source=GCM_SOURCE
    )
    return {
        n: FrameworkItem.objects.create(
            framework=gcm,
            code=f"GCM-O{n}",
            kind="objective",
            number=str(n),
            title=f"Objective {n}",
            short_title=f"Objective {n}",
            position=n,
            source=GCM_SOURCE,
        )
        for n in range(1, 24)
    }
