"""Consent per purpose, withdrawal taking effect at once, and children's consent."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from migration_hub.cases import services
from migration_hub.cases.choices import CaseAuditAction, CaseType
from migration_hub.cases.services import has_consent
from migration_hub.core.models import AuditEvent

from .conftest import person_data


def child_data(**changes):
    born = timezone.localdate().replace(day=1) - datetime.timedelta(days=365 * 12)
    return person_data(date_of_birth=born.isoformat(), **changes)


def test_consent_is_per_purpose(world) -> None:
    person = world.c1.person
    assert not has_consent(person, "services")
    services.record_consent(
        actor=world.cw1, person=person, purpose="services", scope="Shelter and medical care"
    )
    assert has_consent(person, "services")
    assert not has_consent(person, "statistics")
    assert not has_consent(person, "tracing")
    event = AuditEvent.objects.filter(action=CaseAuditAction.CONSENT_GIVEN).get()
    assert event.metadata["purpose"] == "services"


def test_sharing_names_its_organizations(world) -> None:
    person = world.c1.person
    with pytest.raises(ValidationError) as error:
        services.record_consent(actor=world.cw1, person=person, purpose="sharing")
    assert "organizations" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.record_consent(
            actor=world.cw1, person=person, purpose="statistics", organizations=[world.other]
        )
    services.record_consent(
        actor=world.cw1, person=person, purpose="sharing", organizations=[world.other]
    )
    assert has_consent(person, "sharing", organization=world.other)
    assert not has_consent(person, "sharing", organization=world.home)


def test_withdrawal_takes_effect_at_once(world) -> None:
    person = world.c1.person
    consent = services.record_consent(actor=world.cw1, person=person, purpose="statistics")
    before = timezone.now()
    assert has_consent(person, "statistics")
    services.withdraw_consent(actor=world.dpo, consent=consent, reason="Asked by the person")
    assert not has_consent(person, "statistics")
    assert has_consent(person, "statistics", at=before)  # it was in force until then
    with pytest.raises(ValidationError):
        services.withdraw_consent(actor=world.cw1, consent=consent)
    assert AuditEvent.objects.filter(action=CaseAuditAction.CONSENT_WITHDRAWN).count() == 1


def test_a_childs_consent_needs_assent_and_a_guardian(world) -> None:
    case = services.open_case(
        actor=world.cw1, case_type=CaseType.COUNTER_TRAFFICKING, person=child_data()
    )
    child = case.person
    with pytest.raises(ValidationError) as error:
        services.record_consent(actor=world.cw1, person=child, purpose="services")
    assert "child_assent" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.record_consent(
            actor=world.cw1, person=child, purpose="services", child_assent=True
        )
    assert "guardian" in error.value.message_dict
    assert not has_consent(child, "services")
    consent = services.record_consent(
        actor=world.cw1,
        person=child,
        purpose="services",
        child_assent=True,
        guardian=world.c1.person,
    )
    assert consent.is_child and consent.guardian == world.c1.person
    assert has_consent(child, "services")
    named = services.record_consent(
        actor=world.cw1,
        person=child,
        purpose="tracing",
        child_assent=True,
        guardian_name="Aunt (named on the form)",
    )
    assert named.guardian_name == "Aunt (named on the form)"


def test_an_unaccompanied_child_without_a_birth_date_is_a_child(world) -> None:
    case = services.open_case(
        actor=world.cw1,
        case_type=CaseType.STRANDED_ASSISTANCE,
        person=person_data(date_of_birth="", vulnerabilities=["unaccompanied_child"]),
    )
    with pytest.raises(ValidationError):
        services.record_consent(
            actor=world.cw1, person=case.person, purpose="services", child_assent=True
        )


def test_a_guardian_out_of_scope_is_refused(world) -> None:
    case = services.open_case(actor=world.cw1, case_type=CaseType.AVRR, person=child_data())
    with pytest.raises(ValidationError) as error:
        services.record_consent(
            actor=world.cw1,
            person=case.person,
            purpose="services",
            child_assent=True,
            guardian=world.cb.person,
        )
    assert "guardian" in error.value.message_dict


def test_consent_of_someone_out_of_scope_is_404(world) -> None:
    with pytest.raises(Http404):
        services.record_consent(actor=world.cw1, person=world.cb.person, purpose="services")
