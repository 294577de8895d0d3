"""The assessment pages and API: the list (filters, export), the appointment, the steps with
their refusals, the certificate PDF, the dashboard and the panel sites."""

# The fixtures come from workflow_fixtures (tests/health/conftest.py belongs to the protocol
# tests): pytest passes them as arguments of the same names.
# ruff: noqa: F811

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from migration_hub.core.choices import AuditAction
from migration_hub.core.models import AuditEvent
from migration_hub.health import workflow
from migration_hub.health.models import Assessment, Certificate, Result, TbReferral
from migration_hub.health.workflow_choices import AssessmentStatus
from tests.health.workflow_fixtures import (  # noqa: F401  (fixtures)
    clinic,
    fill_results,
    health_protocols,
    schedule,
)


def detail(assessment: Assessment) -> str:
    return reverse("health:assessment_detail", args=[assessment.pk])


def post_step(client, name: str, assessment: Assessment, data: dict, prefix: str = ""):
    assessment.refresh_from_db()
    prefix = prefix or name.split("_", 1)[-1]
    payload = {f"{prefix}-version": assessment.version}
    payload.update({f"{prefix}-{key}": value for key, value in data.items()})
    return client.post(reverse(f"health:{name}", args=[assessment.pk]), payload)


def post_result(client, assessment: Assessment, item: str, outcome: str, **extra):
    assessment.refresh_from_db()
    payload = {
        f"{item}-item": item,
        f"{item}-version": assessment.version,
        f"{item}-outcome": outcome,
        f"{item}-result_date": timezone.localdate().isoformat(),
        f"{item}-value": extra.get("value", ""),
        f"{item}-notes": extra.get("notes", ""),
    }
    return client.post(reverse("health:assessment_result", args=[assessment.pk]), payload)


@pytest.fixture
def doctor_client(client, clinic):
    client.force_login(clinic.physician_user)
    return client


# --- list ---------------------------------------------------------------------------------------


def test_the_list_shows_the_users_sites_only_and_is_audited(doctor_client, schedule, clinic):
    own = schedule()
    response = doctor_client.get(reverse("health:assessment_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sample Person 1" in page
    assert "Sample Person Elsewhere" not in page
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, target_id="").latest("id")
    assert event.metadata == {"list": "health-assessments", "assessments": [own.pk]}


def test_the_list_filters_and_finds_by_number(doctor_client, schedule, clinic):
    first = schedule()
    second = fill_results(schedule(full_name="Sample Person 2"), clinic.physician_user)
    assert second.status == AssessmentStatus.EXAMINED
    page = doctor_client.get(reverse("health:assessment_list"), {"status": "examined"})
    assert "Sample Person 2" in page.content.decode()
    assert "Sample Person 1" not in page.content.decode()
    found = doctor_client.get(reverse("health:assessment_list"), {"q": str(first.pk)})
    assert "Sample Person 1" in found.content.decode()
    assert "Sample Person 2" not in found.content.decode()
    partial = doctor_client.get(reverse("health:assessment_list"), HTTP_HX_REQUEST="true")
    assert "<h1>" not in partial.content.decode()


def test_the_csv_export_has_no_names_and_is_audited(doctor_client, schedule):
    assessment = schedule()
    response = doctor_client.get(reverse("health:assessment_list"), {"export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Sample Person" not in text
    assert "us-panel" in text and "2025-03-11" in text
    assert str(assessment.pk) in text.splitlines()[1]
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.parametrize("export_format", ["csv", "xlsx", "json"])
def test_the_export_audit_names_what_was_exported_and_the_filters(
    doctor_client, schedule, clinic, export_format
):
    """Finding 4: the EXPORT event lists the ids exported, their count and organizations, and
    the filters used (values of the non-clinical ones; the status, TB class and search named
    only, as with the ids they would say what was found about whom)."""
    first = schedule()
    second = schedule(full_name="Sample Person 2")
    fill_results(schedule(full_name="Sample Person 3"), clinic.physician_user)  # filtered out
    response = doctor_client.get(
        reverse("health:assessment_list"),
        {
            "export": export_format,
            "status": "scheduled",
            "destination": "US",
            "site": clinic.site.pk,
            "since": "2020-01-01",
            "q": "",
        },
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == clinic.physician_user
    assert event.metadata == {
        "list": "health-assessments",
        "format": export_format,
        "filters": {
            "status": "(set)",
            "destination": "US",
            "site": clinic.site.pk,
            "since": "2020-01-01",
        },
        "count": 2,
        "assessments": [second.pk, first.pk],
        "organizations": [str(clinic.home.pk)],
    }
    assert event.organization_ref == str(clinic.home.pk)


def test_an_export_with_a_bad_filter_is_refused_and_not_audited(doctor_client, schedule):
    schedule()
    response = doctor_client.get(
        reverse("health:assessment_list"), {"export": "csv", "status": "nonsense"}
    )
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


# --- the appointment ----------------------------------------------------------------------------


def schedule_form(clinic, **changes) -> dict:
    data = {
        "site": clinic.site.pk,
        "physician": clinic.physician.pk,
        "appointment_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "full_name": "Sample Person 9",
        "date_of_birth": "1988-02-03",
        "sex": "female",
        "document_number": "X123",
        "destination": "US",
        "category": "immigrant",
        "citizenship": "ke",
    }
    data.update(changes)
    return data


def test_booking_an_appointment_runs_the_engine(doctor_client, clinic):
    assert doctor_client.get(reverse("health:assessment_create")).status_code == 200
    response = doctor_client.post(reverse("health:assessment_create"), schedule_form(clinic))
    assessment = Assessment.objects.get(site=clinic.site)
    assert response.status_code == 302
    assert response["Location"] == detail(assessment)
    assert assessment.protocol_version.version == "2025-03-11"
    assert assessment.profile["citizenship"] == "KE"


def test_a_bad_profile_is_shown_next_to_its_field(doctor_client, clinic):
    response = doctor_client.post(
        reverse("health:assessment_create"), schedule_form(clinic, citizenship="ZZ")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was saved" in page
    assert "&#x27;ZZ&#x27; is not an ISO 3166 alpha-2 country code" in page
    assert 'id="id_citizenship_error"' in page
    assert not Assessment.objects.filter(site=clinic.site).exists()


# --- one assessment and its steps ---------------------------------------------------------------


def test_the_detail_shows_the_protocol_version_and_items_and_is_audited(doctor_client, schedule):
    assessment = schedule()
    response = doctor_client.get(detail(assessment))
    assert response.status_code == 200
    page = response.content.decode()
    assert "version 2025-03-11" in page
    for label in ["Medical examination", "Chest X-ray", "Syphilis test", "Sputum smear"]:
        assert label in page
    assert "Record the result of Chest X-ray" in page
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, target_id=str(assessment.pk)).exists()


def test_the_whole_way_through_the_pages_to_the_pdf(doctor_client, schedule, clinic):
    assessment = schedule()
    for item in ["medical_exam", "chest_xray", "vaccination_assessment"]:
        outcome = "abnormal" if item == "chest_xray" else "normal"
        assert post_result(doctor_client, assessment, item, outcome).status_code == 302
    for item in ["syphilis_test", "sputum"]:
        assert post_result(doctor_client, assessment, item, "negative").status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.EXAMINED
    response = post_step(doctor_client, "assessment_classify", assessment, {"tb_class": "B1"})
    assert response.status_code == 302
    page = doctor_client.get(detail(assessment)).content.decode()
    assert 'id="referral-proposed"' in page
    response = post_step(
        doctor_client,
        "assessment_refer",
        assessment,
        {"to_organization": clinic.tb_programme.pk, "consent_given": "on", "reason": "B1"},
        prefix="refer",
    )
    assert response.status_code == 302
    assert TbReferral.objects.get().to_organization == clinic.tb_programme
    response = post_step(
        doctor_client, "assessment_decide", assessment, {"decision": "cleared"}, prefix="decide"
    )
    assert response.status_code == 302
    response = post_step(doctor_client, "certificate_issue", assessment, {}, prefix="certificate")
    assert response.status_code == 302
    certificate = Certificate.objects.get()
    download = doctor_client.get(reverse("health:certificate_download", args=[assessment.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download.content.startswith(b"%PDF")
    assert certificate.number in download["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(download.content)).pages)
    assert "2025-03-11" in text
    assert "Sample Person 1" in text
    assert certificate.valid_until.isoformat() in text
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, target_id=str(certificate.pk)
    ).exists()


def test_a_certificate_before_the_results_names_them_and_writes_nothing(doctor_client, schedule):
    assessment = schedule()
    post_result(doctor_client, assessment, "medical_exam", "normal")
    assessment.refresh_from_db()
    version = assessment.version
    response = post_step(doctor_client, "certificate_issue", assessment, {}, prefix="certificate")
    assert response.status_code == 400
    page = response.content.decode()
    assert "These required items have no result yet" in page
    assert "Chest X-ray, Syphilis test, Vaccination assessment" in page
    assert not Certificate.objects.exists()
    assessment.refresh_from_db()
    assert assessment.version == version


def test_a_referral_without_consent_is_refused_on_the_page(doctor_client, schedule, clinic):
    assessment = fill_results(schedule(), clinic.physician_user)
    workflow.classify(
        actor=clinic.physician_user,
        assessment=assessment,
        tb_class="B1",
        expected_version=assessment.version,
    )
    response = post_step(
        doctor_client,
        "assessment_refer",
        assessment,
        {"to_organization": clinic.tb_programme.pk},
        prefix="refer",
    )
    assert response.status_code == 400
    assert "Record the person&#x27;s consent" in response.content.decode()
    assert not TbReferral.objects.exists()


def test_a_result_for_an_item_not_required_is_refused_on_the_page(doctor_client, schedule):
    assessment = schedule()
    response = post_result(doctor_client, assessment, "hiv_test", "negative")
    assert response.status_code == 400
    assert "HIV test is not required" in response.content.decode()
    assert not Result.objects.exists()


def test_a_result_changed_after_the_classification_reopens_it_on_the_page(
    doctor_client, schedule, clinic
):
    """Finding 2, through the page: the old classification is cleared and said so."""
    assessment = fill_results(schedule(), clinic.physician_user)
    workflow.classify(
        actor=clinic.physician_user,
        assessment=assessment,
        tb_class="none",
        expected_version=assessment.version,
    )
    response = post_result(doctor_client, assessment, "chest_xray", "abnormal")
    assert response.status_code == 302
    page = doctor_client.get(detail(assessment)).content.decode()
    assert "classify the assessment again" in page
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SCHEDULED
    assert assessment.tb_class == ""
    assert "Record the decision" not in page


def test_a_stale_page_answers_409_and_writes_nothing(doctor_client, schedule):
    assessment = schedule()
    stale = assessment.version
    post_result(doctor_client, assessment, "medical_exam", "normal")
    payload = {
        "chest_xray-item": "chest_xray",
        "chest_xray-version": stale,
        "chest_xray-outcome": "normal",
        "chest_xray-result_date": timezone.localdate().isoformat(),
    }
    response = doctor_client.post(
        reverse("health:assessment_result", args=[assessment.pk]), payload
    )
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    assert not Result.objects.filter(item="chest_xray").exists()


# --- dashboard and sites ------------------------------------------------------------------------


def test_the_dashboard_counts_by_site_and_destination(doctor_client, schedule, clinic):
    doctor = clinic.physician_user
    for tb_class in ["B1", "none", "A", "B2"]:
        assessment = fill_results(schedule(), doctor)
        workflow.classify(
            actor=doctor,
            assessment=assessment,
            tb_class=tb_class,
            expected_version=assessment.version,
        )
    schedule()
    response = doctor_client.get(reverse("health:assessment_dashboard"))
    assert response.status_code == 200
    dashboard = response.context["dashboard"]
    assert dashboard.total.total == 5
    assert dashboard.total.tb_yield == 50  # A and B1 of four classified
    assert [row.label for row in dashboard.by_site] == ["Nairobi panel site"]
    assert [row.label for row in dashboard.by_destination] == ["United States"]
    page = response.content.decode()
    assert "whose TB class is A or B1" in page
    assert "50.0%" in page


def test_the_turnaround_is_the_median_days_to_the_certificate(doctor_client, schedule, clinic):
    doctor = clinic.physician_user
    for days in [2, 4, 9]:
        assessment = fill_results(
            schedule(appointment_at=timezone.now() - timezone.timedelta(days=days)), doctor
        )
        for function, extra in [
            (workflow.classify, {"tb_class": "none"}),
            (workflow.decide, {"decision": "cleared"}),
            (workflow.issue_certificate, {}),
        ]:
            assessment.refresh_from_db()
            function(
                actor=doctor, assessment=assessment, expected_version=assessment.version, **extra
            )
    dashboard = doctor_client.get(reverse("health:assessment_dashboard")).context["dashboard"]
    assert dashboard.total.median_turnaround == 4


def test_the_panel_sites_page_shows_training(doctor_client, clinic):
    response = doctor_client.get(reverse("health:panelsite_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nairobi panel site" in page
    assert "Other panel site" not in page
    assert "KMPDC-0001" in page
    assert "Panel physician training" in page


# --- the API ------------------------------------------------------------------------------------


def test_the_api_lists_and_reads_in_scope_and_audits(api_client, schedule, clinic):
    assessment = schedule()
    api_client.force_authenticate(clinic.physician_user)
    listing = api_client.get("/api/health/assessments/")
    assert listing.status_code == 200
    assert [row["id"] for row in listing.json()["results"]] == [assessment.pk]
    assert "full_name" not in listing.json()["results"][0]
    one = api_client.get(f"/api/health/assessments/{assessment.pk}/")
    assert one.status_code == 200
    body = one.json()
    assert body["full_name"] == "Sample Person 1"
    assert body["protocol"]["version"] == "2025-03-11"
    assert body["missing_items"] == [
        "medical_exam",
        "chest_xray",
        "syphilis_test",
        "vaccination_assessment",
    ]
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, target_id=str(assessment.pk), metadata__via="api"
    ).exists()


def test_the_api_steps_refuse_bad_input(api_client, schedule, clinic):
    assessment = schedule()
    api_client.force_authenticate(clinic.physician_user)
    url = f"/api/health/assessments/{assessment.pk}/"
    early = api_client.post(url + "certificate/", {"expected_version": assessment.version})
    assert early.status_code == 400
    assert "Chest X-ray" in str(early.json())
    stale = api_client.post(
        url + "results/",
        {"item": "medical_exam", "outcome": "normal", "expected_version": assessment.version + 5},
    )
    assert stale.status_code == 409
    ok = api_client.post(
        url + "results/",
        {"item": "medical_exam", "outcome": "normal", "expected_version": assessment.version},
    )
    assert ok.status_code == 200
    assert ok.json()["results"][0]["item"] == "medical_exam"
    not_required = api_client.post(
        url + "results/",
        {"item": "hiv_test", "outcome": "negative", "expected_version": ok.json()["version"]},
    )
    assert not_required.status_code == 400
    assert "item" in not_required.json()


def api_views(assessment: Assessment) -> int:
    return AuditEvent.objects.filter(
        action=AuditAction.VIEW, target_id=str(assessment.pk), target_type__model="assessment"
    ).count()


def test_each_api_request_writes_one_view_event(api_client, schedule, clinic):
    """Finding 7: one VIEW per request, a step answered with the detail or refused."""
    assessment = schedule()
    api_client.force_authenticate(clinic.physician_user)
    url = f"/api/health/assessments/{assessment.pk}/"
    assert api_client.get(url).status_code == 200
    assert api_views(assessment) == 1
    ok = api_client.post(
        url + "results/",
        {"item": "medical_exam", "outcome": "normal", "expected_version": assessment.version},
    )
    assert ok.status_code == 200
    assert api_views(assessment) == 2
    refused = api_client.post(url + "certificate/", {"expected_version": ok.json()["version"]})
    assert refused.status_code == 400
    assert api_views(assessment) == 3
    stale = api_client.post(url + "classify/", {"tb_class": "none", "expected_version": 1})
    assert stale.status_code == 409
    assert api_views(assessment) == 4


def test_booking_through_the_api_writes_one_view_event(api_client, clinic):
    api_client.force_authenticate(clinic.coordinator)
    payload = {
        "site": clinic.site.pk,
        "appointment_at": timezone.now().isoformat(),
        "full_name": "Sample Person 7",
        "date_of_birth": "1991-01-01",
        "sex": "male",
        "profile": {"destination": "US", "category": "immigrant", "citizenship": "KE"},
    }
    created = api_client.post("/api/health/assessments/", payload, format="json")
    assert created.status_code == 201
    assert api_views(Assessment.objects.get(pk=created.json()["id"])) == 1


def test_the_api_books_an_appointment_and_names_profile_errors(api_client, clinic):
    api_client.force_authenticate(clinic.coordinator)
    payload = {
        "site": clinic.site.pk,
        "appointment_at": timezone.now().isoformat(),
        "full_name": "Sample Person 7",
        "date_of_birth": "1991-01-01",
        "sex": "male",
        "profile": {"destination": "US", "category": "immigrant", "citizenship": "ZZ"},
    }
    refused = api_client.post("/api/health/assessments/", payload, format="json")
    assert refused.status_code == 400
    assert "citizenship" in refused.json()
    payload["profile"]["citizenship"] = "KE"
    created = api_client.post("/api/health/assessments/", payload, format="json")
    assert created.status_code == 201
    assert created.json()["status"] == "scheduled"
    other_site = {**payload, "site": clinic.other_site.pk}
    assert api_client.post("/api/health/assessments/", other_site, format="json").status_code == 400


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"exam_date": "2023-06-01"}, "exam_date"),  # a superseded protocol version then
        ({"exam_date": "2099-01-01"}, "exam_date"),
        ({"protocol": "ca-ime"}, "protocol"),
        ({"protocol": "us-panel", "exam_date": "2023-06-01"}, "exam_date"),
    ],
)
def test_the_api_client_does_not_choose_the_exam_date_or_protocol(api_client, clinic, extra, field):
    """Finding 3: the exam date is the appointment's day and the protocol the one in force on
    it; a profile saying otherwise is refused under that field, and nothing is booked."""
    api_client.force_authenticate(clinic.coordinator)
    payload = {
        "site": clinic.site.pk,
        "appointment_at": timezone.now().isoformat(),
        "full_name": "Sample Person 7",
        "date_of_birth": "1991-01-01",
        "sex": "male",
        "profile": {"destination": "US", "category": "immigrant", "citizenship": "KE", **extra},
    }
    refused = api_client.post("/api/health/assessments/", payload, format="json")
    assert refused.status_code == 400
    assert list(refused.json()) == [field], refused.json()
    assert not Assessment.objects.filter(site=clinic.site).exists()


def test_the_api_accepts_the_appointments_own_exam_date_and_protocol(api_client, clinic):
    api_client.force_authenticate(clinic.coordinator)
    day = timezone.localdate()
    payload = {
        "site": clinic.site.pk,
        "appointment_at": timezone.now().isoformat(),
        "full_name": "Sample Person 7",
        "date_of_birth": "1991-01-01",
        "sex": "male",
        "profile": {
            "destination": "US",
            "category": "immigrant",
            "citizenship": "KE",
            "exam_date": day.isoformat(),
            "protocol": "us-panel",
        },
    }
    created = api_client.post("/api/health/assessments/", payload, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["exam_date"] == day.isoformat()
    assert created.json()["protocol"]["version"] == "2025-03-11"


# --- the API under generated input --------------------------------------------------------------


@pytest.fixture
def keep_test_connection():
    """Calling the WSGI app directly would close the test's connection (as in tests/api)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_no_generated_request_to_the_assessments_api_is_a_server_error(
    schedule, clinic, keep_test_connection
):
    """Schemathesis over the health operations, as a panel physician of a site with an
    assessment at each early step (so the steps are reached, not only refused)."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from rest_framework.authtoken.models import Token

    from migration_hub.config.wsgi import application

    fill_results(schedule(), clinic.physician_user)
    schedule(full_name="Sample Person 2")
    token = Token.objects.create(user=clinic.physician_user).key
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if result.ok().path.startswith("/api/health/assessments/{id}")
        or result.ok().path == "/api/health/assessments/"
    ]
    assert len(operations) == 8
    errors: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=30,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def call(case) -> None:
            if case.path_parameters and "id" in case.path_parameters:
                case.path_parameters["id"] = Assessment.objects.filter(site=clinic.site).first().pk
            response = case.call(headers={"Authorization": f"Token {token}"})
            if response.status_code >= 500:
                errors.append(f"{case.method} {case.formatted_path} {case.body!r:.300}")

        call()
    assert errors == []
