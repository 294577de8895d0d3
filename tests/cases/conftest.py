"""A small case-management world, built through the services: two organizations, three offices,
four teams, staff at every role and scope, and one case per caseworker.

    HOME (organization A)
      office A1: team T1 (cw1, sup1), team T2 (cw2); mgr1 manages A1
      office A2: team T3 (cw3)
      dpo, admin, auditor: organization-wide; platform: platform oversight (all)
    OTHER (organization B)
      office B1: team TB (cwb, supb)

Cases: c1 (cw1, T1), c2 (cw2, T2), c3 (cw3, T3), cb (cwb, TB).
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import transaction

from migration_hub.cases import services
from migration_hub.cases.choices import CaseRole, CaseType
from migration_hub.core.models import Country
from tests.factories import OfficeFactory, OrganizationFactory, UserFactory

CANARY = "ZZ-CANARY-NAME"


def person_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "given_name": "Amina",
        "family_name": CANARY,
        "date_of_birth": "1990-04-12",
        "date_of_birth_precision": "exact",
        "sex": "female",
        "nationalities": ["NG"],
        "languages": ["en", "ha"],
        "contact": {"phone": "+234 800 000 0000"},
        "vulnerabilities": ["victim_of_trafficking"],
        "documents": [{"kind": "passport", "issuing_country": "NG", "number": "A1234567"}],
    }
    data.update(changes)
    return data


def build_world() -> SimpleNamespace:
    country = Country.objects.create(alpha2="NG", alpha3="NGA", m49_code="566", name="Nigeria")
    home = OrganizationFactory(code="HOME", name="Home Agency")
    other = OrganizationFactory(code="OTHER", name="Other Agency")
    a1 = OfficeFactory(organization=home, name="Office A1", country=country)
    a2 = OfficeFactory(organization=home, name="Office A2", country=country)
    b1 = OfficeFactory(organization=other, name="Office B1", country=country)
    t1 = services.create_team(actor=None, office=a1, name="T1")
    t2 = services.create_team(actor=None, office=a1, name="T2")
    t3 = services.create_team(actor=None, office=a2, name="T3")
    tb = services.create_team(actor=None, office=b1, name="TB")
    w = SimpleNamespace(home=home, other=other, a1=a1, a2=a2, b1=b1, t1=t1, t2=t2, t3=t3, tb=tb)

    def staff(name: str, role: str, organization: Any, office: Any = None, team: Any = None):
        user = getattr(w, name, None) or UserFactory(
            username=name, first_name="Staff", last_name=name.title(), is_staff=True
        )
        setattr(w, name, user)
        services.add_staff(
            actor=None, user=user, organization=organization, role=role, office=office, team=team
        )
        return user

    staff("cw1", CaseRole.CASEWORKER, home, a1, t1)
    staff("cw2", CaseRole.CASEWORKER, home, a1, t2)
    staff("cw3", CaseRole.CASEWORKER, home, a2, t3)
    staff("sup1", CaseRole.CASE_SUPERVISOR, home, a1, t1)
    staff("mgr1", CaseRole.OFFICE_MANAGER, home, a1)
    staff("dpo", CaseRole.DATA_PROTECTION_OFFICER, home)
    staff("admin", CaseRole.ORGANIZATION_ADMIN, home)
    staff("auditor", CaseRole.AUDITOR, home)
    staff("platform", CaseRole.PLATFORM_OVERSIGHT, home)
    staff("cwb", CaseRole.CASEWORKER, other, b1, tb)
    staff("supb", CaseRole.CASE_SUPERVISOR, other, b1, tb)
    w.outsider = UserFactory(username="outsider", is_staff=True, is_superuser=True)

    w.c1 = services.open_case(
        actor=w.cw1,
        case_type=CaseType.COUNTER_TRAFFICKING,
        person=person_data(),
        details={"trafficking": {"recruitment": "online job offer"}, "health": {"tb": "none"}},
    )
    w.c2 = services.open_case(
        actor=w.cw2, case_type=CaseType.AVRR, person=person_data(given_name="Bola")
    )
    w.c3 = services.open_case(
        actor=w.cw3, case_type=CaseType.STRANDED_ASSISTANCE, person=person_data(given_name="Chidi")
    )
    w.cb = services.open_case(
        actor=w.cwb, case_type=CaseType.AVRR, person=person_data(given_name="Dayo")
    )
    return w


@pytest.fixture
def world(db: None) -> SimpleNamespace:
    return build_world()


@pytest.fixture(scope="module")
def shared_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[SimpleNamespace]:
    """The world built once for a module of read-only tests, rolled back after it (each test
    runs in a savepoint inside it: use it with the `db` fixture and write nothing that a
    later test would see in the Python objects)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)
