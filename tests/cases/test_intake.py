"""Intake and people: server-owned fields, validation, references, document hashes, encryption
at rest, and an audit trail without names."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from statemachine import StateMachine

from migration_hub.cases import selectors, services, workflows
from migration_hub.cases.choices import CaseType
from migration_hub.cases.models import Case, IdentityDocument, Person
from migration_hub.cases.models.people import document_number_hash
from migration_hub.core.models import AuditEvent

from .conftest import CANARY, person_data


def test_intake_takes_owner_office_assignee_and_state_from_the_staff_row(world) -> None:
    hostile = person_data(
        organization=world.other.pk,
        organization_id=world.other.pk,
        assigned_to=world.cwb.pk,
        state="closed",
        version=99,
        consent_given=True,
        consent_overridden=True,
        is_staff=True,
    )
    case = services.open_case(
        actor=world.cw1,
        case_type=CaseType.AVRR,
        person=hostile,
        details={"organization": world.other.pk, "state": "closed", "office": world.b1.pk},
    )
    case.refresh_from_db()
    assert case.organization == world.home
    assert (case.office, case.team, case.assigned_to) == (world.a1, world.t1, world.cw1)
    assert (case.state, case.version, case.closed_at) == ("application", 1, None)
    assert case.person.organization == world.home
    assert not case.person.consents.exists()
    world.cw1.refresh_from_db()
    assert not world.cw1.is_superuser


def test_an_unknown_field_is_refused_by_name(world) -> None:
    with pytest.raises(ValidationError) as error:
        services.open_case(
            actor=world.cw1, case_type=CaseType.AVRR, person=person_data(nickname="x")
        )
    assert "nickname" in error.value.message_dict


def test_a_role_that_does_not_handle_cases_cannot_open_one(world) -> None:
    for user in [world.auditor, world.dpo, world.admin, world.platform, world.outsider]:
        with pytest.raises(PermissionDenied):
            services.open_case(actor=user, case_type=CaseType.AVRR, person=person_data())
    assert Case.objects.count() == 4


@pytest.mark.parametrize(
    "birth",
    [
        (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
        "2999-01-01",
        "1899-12-31",
        "12/04/1990",
    ],
)
def test_an_impossible_date_of_birth_is_refused(world, birth) -> None:
    with pytest.raises(ValidationError) as error:
        services.open_case(
            actor=world.cw1, case_type=CaseType.AVRR, person=person_data(date_of_birth=birth)
        )
    assert list(error.value.message_dict) == ["date_of_birth"]
    assert Person.objects.count() == 4
    with pytest.raises(ValidationError) as error:
        services.update_person(
            actor=world.cw1, person=world.c1.person, version=1, changes={"date_of_birth": birth}
        )
    assert "date_of_birth" in error.value.message_dict


def test_codes_are_checked(world) -> None:
    with pytest.raises(ValidationError) as error:
        services.open_case(
            actor=world.cw1,
            case_type=CaseType.AVRR,
            person=person_data(
                nationalities=["XX"], languages=["zz"], vulnerabilities=["unlucky"], sex="?"
            ),
        )
    assert set(error.value.message_dict) == {"nationalities", "languages", "vulnerabilities", "sex"}
    case = services.open_case(
        actor=world.cw1,
        case_type=CaseType.AVRR,
        person=person_data(nationalities=["ng", "gh"], languages=["fra", "EN"]),
    )
    assert case.person.nationalities == ["NG", "GH"]
    assert case.person.languages == ["fra", "en"]


def test_references_count_per_organization_type_and_year(world) -> None:
    year = timezone.localdate().year
    assert world.c2.reference == f"AVRR-{year}-000001"
    assert world.cb.reference == f"AVRR-{year}-000001"  # another organization
    assert world.c1.reference == f"CT-{year}-000001"
    case = services.open_case(actor=world.cw1, case_type=CaseType.AVRR, person=world.c1.person)
    assert case.reference == f"AVRR-{year}-000002"
    assert case.person == world.c1.person


def test_a_person_of_another_organization_is_not_reused(world) -> None:
    from django.http import Http404

    with pytest.raises(Http404):
        services.open_case(actor=world.cw1, case_type=CaseType.AVRR, person=world.cb.person)


def test_equal_document_numbers_hash_alike_without_being_stored_in_clear(world) -> None:
    document = IdentityDocument.objects.get(person=world.c1.person)
    assert document.number == "A1234567"
    assert document.number_hash == document_number_hash("NG", "a 123-4567")
    assert document.number_hash != document_number_hash("GH", "A1234567")
    assert IdentityDocument.objects.filter(number_hash=document.number_hash).count() == 4
    assert "A1234567" not in raw("cases_identitydocument", "number", document.pk)
    assert len(document.number_hash) == 64


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return str(cursor.fetchone()[0])


def test_the_database_holds_ciphertext_of_the_person_and_sensitive_details(world) -> None:
    note = services.add_note(
        actor=world.cw1, case=world.c1, text=f"{CANARY} was recruited", sensitivity="trafficking"
    )
    person = world.c1.person
    for column, text in [
        ("given_name", "Amina"),
        ("family_name", CANARY),
        ("date_of_birth", "1990-04-12"),
        ("contact", "+234"),
        ("vulnerabilities", "victim_of_trafficking"),
    ]:
        stored = raw("cases_person", column, person.pk)
        assert text not in stored
        assert stored.startswith("gAAAA")  # a Fernet token
    for column, text in [("trafficking_details", "online job offer"), ("health_details", "tb")]:
        stored = raw("cases_case", column, world.c1.pk)
        assert text not in stored and stored.startswith("gAAAA")
    assert CANARY not in raw("cases_casenote", "text", note.pk)


def test_the_audit_trail_names_no_one(world) -> None:
    case = services.transition(actor=world.cw1, case=world.c1, event="assess", version=1)
    services.update_person(
        actor=world.cw1,
        person=case.person,
        version=1,
        changes={"family_name": CANARY + "-2", "sex": "other"},
    )
    services.add_note(actor=world.cw1, case=case, text=f"Spoke with {CANARY}")
    services.add_task(actor=world.cw1, case=case, title=f"Visit {CANARY}")
    selectors.case_for(world.cw1, case.public_id)
    selectors.person_for(world.cw1, case.person.public_id)
    services.reveal(actor=world.dpo, case=case, field="trafficking", reason="Audit of the file")
    services.record_consent(actor=world.cw1, person=case.person, purpose="services")
    events = list(AuditEvent.objects.values("changes", "metadata"))
    assert len(events) > 20
    dump = json.dumps(events)
    for text in [CANARY, "Amina", "Bola", "1990-04-12", "A1234567", "online job offer", "+234"]:
        assert text not in dump
    update = AuditEvent.objects.filter(target_id=str(case.person.pk), action="update").get()
    assert update.metadata["fields_changed"] == ["family_name", "sex"]


def test_no_event_name_shadows_the_state_machine() -> None:
    reserved = set(dir(StateMachine))
    for case_type in workflows.WORKFLOWS:
        assert not set(workflows.event_ids(case_type)) & reserved
        assert not set(workflows.state_ids(case_type)) & reserved
