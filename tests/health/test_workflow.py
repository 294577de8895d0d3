"""The assessment workflow's services: from appointment to certificate and TB referral, the
bad input each step refuses (with nothing written), concurrency, encryption and the audit."""

# The fixtures come from workflow_fixtures (tests/health/conftest.py belongs to the protocol
# tests): pytest passes them as arguments of the same names.
# ruff: noqa: F811

from __future__ import annotations

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from migration_hub.core.choices import AuditAction
from migration_hub.core.models import AuditEvent
from migration_hub.core.services import ConflictError
from migration_hub.health import selectors, workflow
from migration_hub.health.models import (
    Assessment,
    Certificate,
    ProtocolVersion,
    Result,
    TbReferral,
)
from migration_hub.health.workflow_choices import AssessmentStatus, ReferralStatus
from tests.health.workflow_fixtures import (  # noqa: F401  (fixtures)
    clinic,
    fill_results,
    health_protocols,
    profile,
    schedule,
)

US_ADULT_ITEMS = ["medical_exam", "chest_xray", "syphilis_test", "vaccination_assessment"]


def events_for(obj) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(target_id=str(obj.pk), target_type__model=obj._meta.model_name)
    )


def step(function, assessment, **arguments):
    assessment.refresh_from_db()
    return function(assessment=assessment, expected_version=assessment.version, **arguments)


# --- scheduling ---------------------------------------------------------------------------------


def test_scheduling_records_the_protocol_version_and_what_it_requires(schedule) -> None:
    assessment = schedule()
    current = ProtocolVersion.objects.get(protocol="us-panel", version="2025-03-11")
    assert assessment.protocol_version == current
    assert assessment.status == AssessmentStatus.SCHEDULED
    assert assessment.required_items == US_ADULT_ITEMS
    assert assessment.requirements["version"] == "2025-03-11"
    assert assessment.requirements["validity"]["months"] == 6
    assert assessment.destination == "US"
    assert assessment.exam_date == timezone.localdate()
    # The person's fields went into the profile the engine read.
    assert assessment.profile["date_of_birth"] == "1990-05-01"
    assert assessment.profile["exam_country"] == "KE"


def test_an_old_appointment_uses_the_protocol_version_then_in_force(schedule) -> None:
    day = datetime.datetime(2023, 6, 1, 12, 0, tzinfo=timezone.get_current_timezone())
    assessment = schedule(appointment_at=day)
    assert assessment.protocol_version.version == "2021-09-03"
    assert assessment.exam_date == datetime.date(2023, 6, 1)
    assert assessment.profile["exam_date"] == "2023-06-01"


@pytest.mark.parametrize("offset", [-900, -1, 1, 30])
def test_an_exam_date_other_than_the_appointments_day_is_refused(schedule, offset) -> None:
    """Finding 3: the profile may not choose the exam date (and with it the protocol version
    in force): it is the appointment's day."""
    day = timezone.localdate() + datetime.timedelta(days=offset)
    with pytest.raises(ValidationError) as refused:
        schedule(profile=profile(exam_date=day.isoformat()))
    assert "appointment's day" in refused.value.message_dict["exam_date"][0]
    assert not Assessment.objects.filter(site__name="Nairobi panel site").exists()


def test_an_exam_date_or_protocol_that_agrees_with_the_appointment_is_accepted(schedule) -> None:
    today = timezone.localdate()
    assessment = schedule(profile=profile(exam_date=today.isoformat(), protocol="us-panel"))
    assert assessment.exam_date == today
    assert assessment.protocol_version.version == "2025-03-11"
    assert "protocol" not in assessment.profile


def test_a_protocol_other_than_the_one_in_force_is_refused(schedule) -> None:
    with pytest.raises(ValidationError) as refused:
        schedule(profile=profile(protocol="ca-ime"))
    assert "us-panel 2025-03-11" in refused.value.message_dict["protocol"][0]
    assert not Assessment.objects.filter(site__name="Nairobi panel site").exists()


def test_a_profile_the_engine_refuses_is_refused_field_by_field(schedule) -> None:
    with pytest.raises(ValidationError) as refused:
        schedule(profile=profile(destination="XX", citizenship="ZZ", category=""))
    errors = refused.value.message_dict
    assert set(errors) >= {"destination", "citizenship", "category"}
    assert "ZZ" in errors["citizenship"][0]
    assert Assessment.objects.filter(site__name="Nairobi panel site").count() == 0


def test_a_profile_the_protocol_does_not_examine_is_refused(schedule) -> None:
    with pytest.raises(ValidationError) as refused:
        schedule(profile=profile(category="visitor"))
    assert "requires no examination" in refused.value.message_dict["category"][0]


def test_a_destination_the_site_does_not_serve_is_refused(schedule, clinic) -> None:
    clinic.site.destinations = ["CA"]
    clinic.site.save()
    with pytest.raises(ValidationError) as refused:
        schedule()
    assert "does not examine for United States" in refused.value.message_dict["destination"][0]


def test_a_physician_of_another_site_is_refused(schedule, clinic) -> None:
    with pytest.raises(ValidationError) as refused:
        schedule(physician=clinic.other_physician)
    assert "physician" in refused.value.message_dict


def test_scheduling_is_audited_without_the_persons_data(schedule) -> None:
    assessment = schedule()
    (event,) = events_for(assessment)
    assert event.action == AuditAction.CREATE
    text = str(event.changes) + str(event.metadata)
    assert "Sample Person" not in text
    assert "1990-05-01" not in text
    assert "P0000001" not in text
    assert event.metadata["protocol_version"] == "2025-03-11"
    assert event.organization_ref == str(assessment.site.organization_id)
    # Finding 5: the items follow from the encrypted profile (pregnancy, HIV...): not logged.
    assert "required_items" not in event.metadata
    assert "chest_xray" not in text
    assert "tb_class" not in event.changes and "decision" not in event.changes


# --- the whole way ----------------------------------------------------------------------------


def test_an_assessment_runs_to_a_certificate_and_a_tb_referral(schedule, clinic) -> None:
    doctor = clinic.physician_user
    assessment = schedule()
    assessment = fill_results(assessment, doctor, {"chest_xray": "abnormal"})
    # The abnormal chest X-ray makes the sputum (a conditional item) due.
    assert workflow.missing_items(assessment) == ["sputum"]
    assert assessment.status == AssessmentStatus.SCHEDULED
    step(workflow.record_result, assessment, actor=doctor, item="sputum", outcome="negative")
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.EXAMINED

    assessment = step(workflow.classify, assessment, actor=doctor, tb_class="B1")
    assert assessment.status == AssessmentStatus.CLASSIFIED
    assert workflow.tb_referral_proposed(assessment)

    referral = step(
        workflow.refer_tb,
        assessment,
        actor=clinic.coordinator,
        to_organization=clinic.tb_programme,
        consent_given=True,
        reason="Class B1: follow-up evaluation after arrival.",
    )
    assert referral.status == ReferralStatus.SENT
    assert referral.consent_recorded_by == clinic.coordinator

    assessment = step(workflow.decide, assessment, actor=doctor, decision="cleared")
    assert assessment.status == AssessmentStatus.CLEARED
    certificate = step(workflow.issue_certificate, assessment, actor=doctor)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.CERTIFIED
    today = timezone.localdate()
    assert certificate.valid_from == today
    assert certificate.valid_until == today + relativedelta(months=6)
    assert certificate.validity["rule"] == "US-VALID-6M"
    assert certificate.number == f"KE-{today:%Y}-{assessment.pk:06d}"


def test_validity_counts_from_the_chest_xray_when_the_protocol_says_so(schedule, clinic) -> None:
    assessment = fill_results(schedule(), clinic.physician_user)
    requirements = dict(assessment.requirements)
    requirements["validity"] = {**requirements["validity"], "months": 12, "from": "chest_xray"}
    assessment.requirements = requirements
    xray = assessment.results.get(item="chest_xray")
    xray.result_date = timezone.localdate() - datetime.timedelta(days=20)
    start, until, validity = workflow.certificate_validity(assessment, {"chest_xray": xray})
    assert start == xray.result_date
    assert until == xray.result_date + relativedelta(months=12)
    assert validity["counted_from"] == "chest_xray"


# --- bad input: nothing written -------------------------------------------------------------------


def test_a_certificate_before_all_required_results_names_the_missing_items(
    schedule, clinic
) -> None:
    doctor = clinic.physician_user
    assessment = schedule()
    step(workflow.record_result, assessment, actor=doctor, item="medical_exam", outcome="normal")
    assessment.refresh_from_db()
    version = assessment.version
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        workflow.issue_certificate(actor=doctor, assessment=assessment, expected_version=version)
    message = refused.value.messages[0]
    assert "Chest X-ray" in message
    assert "Syphilis test" in message
    assert "Vaccination assessment" in message
    assert "Medical examination" not in message
    assert refused.value.error_list[0].code == "missing_results"
    assert not Certificate.objects.exists()
    assessment.refresh_from_db()
    assert assessment.version == version
    assert assessment.status == AssessmentStatus.SCHEDULED
    assert AuditEvent.objects.count() == events


def test_a_result_not_done_counts_as_missing(schedule, clinic) -> None:
    assessment = fill_results(schedule(), clinic.physician_user, {"chest_xray": "not_done"})
    assert workflow.missing_items(assessment) == ["chest_xray"]
    assert assessment.status == AssessmentStatus.SCHEDULED


def test_a_certificate_needs_a_cleared_assessment(schedule, clinic) -> None:
    doctor = clinic.physician_user
    assessment = fill_results(schedule(), doctor)
    assessment = step(workflow.classify, assessment, actor=doctor, tb_class="none")
    with pytest.raises(ValidationError, match="Only a cleared assessment"):
        step(workflow.issue_certificate, assessment, actor=doctor)
    step(workflow.decide, assessment, actor=doctor, decision="deferred", reason="Pending review")
    with pytest.raises(ValidationError, match="Only a cleared assessment"):
        step(workflow.issue_certificate, assessment, actor=doctor)
    assert not Certificate.objects.exists()


def test_a_referral_without_consent_is_refused(schedule, clinic) -> None:
    doctor = clinic.physician_user
    assessment = fill_results(schedule(), doctor)
    assessment = step(workflow.classify, assessment, actor=doctor, tb_class="B1")
    version = assessment.version
    with pytest.raises(ValidationError) as refused:
        workflow.refer_tb(
            actor=doctor,
            assessment=assessment,
            to_organization=clinic.tb_programme,
            consent_given=False,
            expected_version=version,
        )
    assert "consent" in refused.value.message_dict["consent_given"][0]
    assert not TbReferral.objects.exists()
    assessment.refresh_from_db()
    assert assessment.version == version


def test_a_referral_needs_a_classification_and_only_one_is_open(schedule, clinic) -> None:
    doctor = clinic.physician_user
    assessment = schedule()
    arguments = {"actor": doctor, "to_organization": clinic.tb_programme, "consent_given": True}
    with pytest.raises(ValidationError, match="Classify"):
        step(workflow.refer_tb, assessment, **arguments)
    assessment = fill_results(assessment, doctor)
    step(workflow.classify, assessment, actor=doctor, tb_class="A")
    referral = step(workflow.refer_tb, assessment, **arguments)
    with pytest.raises(ValidationError, match="already open"):
        step(workflow.refer_tb, assessment, **arguments)
    referral = workflow.update_tb_referral(
        actor=clinic.coordinator, referral=referral, status="acknowledged", expected_version=1
    )
    with pytest.raises(ValidationError, match="only move forward"):
        workflow.update_tb_referral(
            actor=clinic.coordinator, referral=referral, status="sent", expected_version=2
        )
    workflow.update_tb_referral(
        actor=clinic.coordinator, referral=referral, status="closed", expected_version=2
    )
    assert step(workflow.refer_tb, assessment, **arguments).status == ReferralStatus.SENT


def test_a_positive_sputum_proposes_a_referral(schedule, clinic) -> None:
    doctor = clinic.physician_user
    assessment = fill_results(schedule(), doctor, {"chest_xray": "abnormal"})
    assert not workflow.tb_referral_proposed(assessment)
    step(workflow.record_result, assessment, actor=doctor, item="sputum", outcome="positive")
    assessment.refresh_from_db()
    assert workflow.tb_referral_proposed(assessment)


def test_a_result_for_an_item_the_protocol_did_not_require_is_refused(schedule, clinic) -> None:
    """Decided: a result is recorded only for what the protocol version required, may require
    (conditional items) or offers as an alternative for this person, so that the record says
    no more about the person than the examination needed."""
    assessment = schedule()
    with pytest.raises(ValidationError) as refused:
        step(
            workflow.record_result,
            assessment,
            actor=clinic.physician_user,
            item="hiv_test",
            outcome="negative",
        )
    message = refused.value.message_dict["item"][0]
    assert "HIV test is not required" in message
    assert "Chest X-ray" in message  # the items it may record instead
    assert not Result.objects.filter(assessment=assessment).exists()


def test_an_outcome_that_does_not_fit_the_item_is_refused(schedule, clinic) -> None:
    with pytest.raises(ValidationError) as refused:
        step(
            workflow.record_result,
            schedule(),
            actor=clinic.physician_user,
            item="chest_xray",
            outcome="positive",
        )
    assert "Normal, Abnormal, Not done" in refused.value.message_dict["outcome"][0]


def test_a_result_dated_in_the_future_is_refused(schedule, clinic) -> None:
    with pytest.raises(ValidationError) as refused:
        step(
            workflow.record_result,
            schedule(),
            actor=clinic.physician_user,
            item="medical_exam",
            outcome="normal",
            result_date=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert "result_date" in refused.value.message_dict


def test_classification_waits_for_the_results(schedule, clinic) -> None:
    with pytest.raises(ValidationError) as refused:
        step(workflow.classify, schedule(), actor=clinic.physician_user, tb_class="none")
    assert "Chest X-ray" in refused.value.message_dict["tb_class"][0]


def test_classification_is_refused_while_a_due_item_is_missing_whatever_the_status(
    schedule, clinic
) -> None:
    """Finding 6: an assessment classified with an item missing (as the earlier code left
    some: a result recorded beside the service) cannot be classified again, nor cleared."""
    doctor = clinic.physician_user
    assessment = fill_results(schedule(), doctor)
    assessment = step(workflow.classify, assessment, actor=doctor, tb_class="none")
    Result.objects.filter(assessment=assessment, item="chest_xray").update(outcome="abnormal")
    assert assessment.status == AssessmentStatus.CLASSIFIED
    version = assessment.version
    with pytest.raises(ValidationError) as refused:
        step(workflow.classify, assessment, actor=doctor, tb_class="none")
    assert "Sputum smear and culture" in refused.value.message_dict["tb_class"][0]
    with pytest.raises(ValidationError) as refused:
        step(workflow.decide, assessment, actor=doctor, decision="cleared")
    assert "Sputum smear and culture" in refused.value.message_dict["decision"][0]
    assessment.refresh_from_db()
    assert assessment.version == version


# --- results changed after the classification (finding 2) ---------------------------------------


def test_a_changed_result_sends_a_classified_assessment_back_and_it_cannot_be_cleared(
    schedule, clinic
) -> None:
    """Classified `none`, then the chest X-ray is corrected to abnormal and the sputum comes
    back positive: the old classification no longer holds, and no clearance or certificate."""
    doctor = clinic.physician_user
    assessment = fill_results(schedule(), doctor)
    step(workflow.classify, assessment, actor=doctor, tb_class="none")

    step(workflow.record_result, assessment, actor=doctor, item="chest_xray", outcome="abnormal")
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SCHEDULED  # the sputum is due now
    assert (assessment.tb_class, assessment.classified_at, assessment.classified_by) == (
        "",
        None,
        None,
    )
    event = events_for(assessment)[0]
    assert event.metadata["step"] == "result"
    assert event.metadata["reopened"] is True
    assert event.metadata["classification_cleared"] is True
    assert event.metadata["items_due_again"] is True
    with pytest.raises(ValidationError, match="Classify the assessment before deciding"):
        step(workflow.decide, assessment, actor=doctor, decision="cleared")

    step(workflow.record_result, assessment, actor=doctor, item="sputum", outcome="positive")
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.EXAMINED
    assert workflow.tb_referral_proposed(assessment)
    # Classified `none` again despite the positive sputum: still no clearance.
    step(workflow.classify, assessment, actor=doctor, tb_class="none")
    with pytest.raises(ValidationError) as refused:
        step(workflow.decide, assessment, actor=doctor, decision="cleared")
    assert "sputum result is positive" in refused.value.message_dict["decision"][0]
    with pytest.raises(ValidationError, match="Only a cleared assessment"):
        step(workflow.issue_certificate, assessment, actor=doctor)
    assert not Certificate.objects.exists()
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.CLASSIFIED


def test_a_new_result_clears_the_decision_of_a_deferred_assessment(schedule, clinic) -> None:
    doctor = clinic.physician_user
    assessment = fill_results(schedule(), doctor)
    step(workflow.classify, assessment, actor=doctor, tb_class="B2")
    step(workflow.decide, assessment, actor=doctor, decision="deferred", reason="Repeat X-ray")
    step(workflow.record_result, assessment, actor=doctor, item="chest_xray", outcome="normal")
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.EXAMINED
    assert (assessment.tb_class, assessment.decision, assessment.decision_reason) == ("", "", "")
    assert assessment.decided_at is None and assessment.decided_by is None
    event = events_for(assessment)[0]
    assert event.metadata["decision_cleared"] is True
    assert event.metadata["encrypted_fields_changed"] == ["decision_reason"]
    assert "Repeat X-ray" not in str(event.changes) + str(event.metadata)
    with pytest.raises(ValidationError, match="Classify the assessment before deciding"):
        step(workflow.decide, assessment, actor=doctor, decision="cleared")


def test_class_b1_is_cleared_only_once_referred(schedule, clinic) -> None:
    doctor = clinic.physician_user
    assessment = fill_results(schedule(), doctor)
    step(workflow.classify, assessment, actor=doctor, tb_class="B1")
    with pytest.raises(ValidationError) as refused:
        step(workflow.decide, assessment, actor=doctor, decision="cleared")
    assert "send the referral first" in refused.value.message_dict["decision"][0]
    step(
        workflow.refer_tb,
        assessment,
        actor=doctor,
        to_organization=clinic.tb_programme,
        consent_given=True,
    )
    assessment = step(workflow.decide, assessment, actor=doctor, decision="cleared")
    assert assessment.status == AssessmentStatus.CLEARED


def test_the_audit_names_the_class_and_decision_changed_without_their_values(
    schedule, clinic
) -> None:
    """Finding 5: the TB class, the decision and the status (which names the decision) are
    recorded as changed, without their values."""
    doctor = clinic.physician_user
    assessment = fill_results(schedule(), doctor)
    step(workflow.classify, assessment, actor=doctor, tb_class="B2")
    step(workflow.decide, assessment, actor=doctor, decision="deferred", reason="Repeat X-ray")
    decided, classified = events_for(assessment)[:2]
    assert classified.metadata["step"] == "classify"
    assert classified.metadata["changed_without_values"] == ["status", "tb_class"]
    assert decided.metadata["changed_without_values"] == ["decision", "status"]
    for event in (classified, decided):
        assert not {"tb_class", "decision", "status"} & set(event.changes)
        assert "classified_at" in event.changes or "decided_at" in event.changes
        values = str(list(event.changes.values()))
        assert "B2" not in values and "deferred" not in values and "classified" not in values


def test_class_a_tb_cannot_be_cleared_and_deferral_needs_a_reason(schedule, clinic) -> None:
    doctor = clinic.physician_user
    assessment = fill_results(schedule(), doctor)
    step(workflow.classify, assessment, actor=doctor, tb_class="A")
    with pytest.raises(ValidationError, match="cannot be cleared"):
        step(workflow.decide, assessment, actor=doctor, decision="cleared")
    with pytest.raises(ValidationError) as refused:
        step(workflow.decide, assessment, actor=doctor, decision="deferred")
    assert "reason" in refused.value.message_dict
    assessment = step(
        workflow.decide, assessment, actor=doctor, decision="deferred", reason="Treatment first"
    )
    assert assessment.status == AssessmentStatus.DEFERRED
    assert assessment.decision_reason == "Treatment first"


def test_a_deferred_assessment_is_reclassified_then_cleared(schedule, clinic) -> None:
    doctor = clinic.physician_user
    assessment = fill_results(schedule(), doctor)
    step(workflow.classify, assessment, actor=doctor, tb_class="B1")
    step(workflow.decide, assessment, actor=doctor, decision="deferred", reason="Culture pending")
    assessment = step(workflow.classify, assessment, actor=doctor, tb_class="B2")
    assert assessment.decision == ""
    assert step(workflow.decide, assessment, actor=doctor, decision="cleared").status == "cleared"


def test_a_stale_version_is_a_conflict_and_writes_nothing(schedule, clinic) -> None:
    doctor = clinic.physician_user
    assessment = schedule()
    stale = assessment.version
    step(workflow.record_result, assessment, actor=doctor, item="medical_exam", outcome="normal")
    with pytest.raises(ConflictError) as conflict:
        workflow.record_result(
            actor=doctor,
            assessment=assessment,
            item="chest_xray",
            outcome="normal",
            expected_version=stale,
        )
    assert conflict.value.current_version == stale + 1
    assert not Result.objects.filter(item="chest_xray").exists()


def test_a_coordinator_does_not_enter_results_or_decide(schedule, clinic) -> None:
    assessment = schedule(actor=clinic.coordinator)
    with pytest.raises(PermissionDenied):
        step(
            workflow.record_result,
            assessment,
            actor=clinic.coordinator,
            item="medical_exam",
            outcome="normal",
        )
    with pytest.raises(PermissionDenied):
        step(workflow.issue_certificate, assessment, actor=clinic.coordinator)


def test_a_physician_of_another_organization_cannot_touch_the_assessment(schedule, clinic) -> None:
    with pytest.raises(PermissionDenied):
        step(
            workflow.record_result,
            schedule(),
            actor=clinic.other_user,
            item="medical_exam",
            outcome="normal",
        )


def test_results_are_locked_once_certified(schedule, clinic) -> None:
    doctor = clinic.physician_user
    assessment = fill_results(schedule(), doctor)
    step(workflow.classify, assessment, actor=doctor, tb_class="none")
    step(workflow.decide, assessment, actor=doctor, decision="cleared")
    step(workflow.issue_certificate, assessment, actor=doctor)
    with pytest.raises(ValidationError, match="no longer be changed"):
        step(
            workflow.record_result, assessment, actor=doctor, item="chest_xray", outcome="abnormal"
        )
    with pytest.raises(ValidationError, match="already has its certificate"):
        step(workflow.issue_certificate, assessment, actor=doctor)


# --- protection: encryption and audit -----------------------------------------------------------


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_the_database_holds_ciphertext_of_results_and_the_person(schedule, clinic) -> None:
    assessment = schedule()
    result = step(
        workflow.record_result,
        assessment,
        actor=clinic.physician_user,
        item="chest_xray",
        outcome="abnormal",
        value="Upper-lobe infiltrate",
        notes="Compare with earlier film",
    )
    for column, text in [
        ("value", "Upper-lobe infiltrate"),
        ("notes", "Compare with earlier film"),
        ("outcome", "abnormal"),
    ]:
        stored = raw("health_result", column, result.pk)
        assert text not in stored
        assert stored.startswith("gAAAA")  # a Fernet token
    for column, text in [
        ("full_name", "Sample Person 1"),
        ("date_of_birth", "1990-05-01"),
        ("document_number", "P0000001"),
        ("profile", "immigrant"),
    ]:
        assert text not in raw("health_assessment", column, assessment.pk)
    assert Result.objects.get(pk=result.pk).value == "Upper-lobe infiltrate"


def test_every_write_and_read_leaves_an_audit_row(schedule, clinic) -> None:
    doctor = clinic.physician_user
    assessment = schedule()
    assert [e.action for e in events_for(assessment)] == [AuditAction.CREATE]
    result = step(
        workflow.record_result,
        assessment,
        actor=doctor,
        item="medical_exam",
        outcome="normal",
        value="Secret finding",
    )
    assert [e.action for e in events_for(result)] == [AuditAction.CREATE]
    step(
        workflow.record_result,
        assessment,
        actor=doctor,
        item="medical_exam",
        outcome="abnormal",
        value="Another secret",
    )
    assert [e.action for e in events_for(result)] == [AuditAction.UPDATE, AuditAction.CREATE]
    assert "secret" not in str([(e.changes, e.metadata) for e in events_for(result)]).lower()
    updates = len(events_for(assessment))
    selectors.assessment_for(doctor, assessment.pk)
    views = [e for e in events_for(assessment) if e.action == AuditAction.VIEW]
    assert len(views) == 1
    assert views[0].actor == doctor
    assert len(events_for(assessment)) == updates + 1


# --- the demo -----------------------------------------------------------------------------------


def test_the_demo_has_an_assessment_at_each_status_and_loads_once(db, tmp_path) -> None:
    from migration_hub.accounts.demo import ensure_demo_accounts
    from migration_hub.health.demo import load_demo

    ensure_demo_accounts(tmp_path)
    report = load_demo()
    assert report is not None
    statuses = set(Assessment.objects.filter(site=report.site).values_list("status", flat=True))
    assert statuses == set(AssessmentStatus.values)
    assert Certificate.objects.filter(assessment__site=report.site).count() == 2
    assert TbReferral.objects.filter(assessment__site=report.site).exists()
    names = {a.full_name for a in Assessment.objects.filter(site=report.site)}
    assert all(name.startswith("Sample Person ") for name in names)
    physician = report.site.physicians.get()
    assert physician.user.username == "demo-panel-physician"
    assert load_demo() is None
