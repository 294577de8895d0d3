"""Who reaches health assessments: the health roles of the organization running the panel
site, and no one else. Anonymous -> sign-in (pages) or 401 (API); no health role -> 403;
another organization's assessment -> 404, on every page, step, download and API route."""

# The fixtures come from workflow_fixtures (tests/health/conftest.py belongs to the protocol
# tests): pytest passes them as arguments of the same names.
# ruff: noqa: F811

from __future__ import annotations

import pytest
from django.urls import reverse

from migration_hub.accounts.choices import Role
from migration_hub.core.choices import AuditAction
from migration_hub.core.models import AuditEvent
from migration_hub.core.permissions import forget_roles
from migration_hub.health import selectors, workflow
from tests.factories import MembershipFactory, UserFactory
from tests.health.workflow_fixtures import (  # noqa: F401  (fixtures)
    clinic,
    fill_results,
    health_protocols,
    schedule,
)

PAGES = ["assessment_list", "assessment_create", "assessment_dashboard", "panelsite_list"]
DETAIL_PAGES = ["assessment_detail", "certificate_download"]
STEPS = [
    "assessment_result",
    "assessment_classify",
    "assessment_decide",
    "assessment_refer",
    "certificate_issue",
]


@pytest.mark.parametrize("name", PAGES + DETAIL_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, clinic, name) -> None:
    args = [clinic.other_assessment.pk] if name in DETAIL_PAGES else []
    response = client.get(reverse(f"health:{name}", args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_anonymous_api_calls_get_401(api_client, clinic) -> None:
    assert api_client.get("/api/health/assessments/").status_code == 401
    url = f"/api/health/assessments/{clinic.other_assessment.pk}/"
    assert api_client.get(url).status_code == 401


@pytest.mark.parametrize("name", PAGES)
def test_members_without_a_health_role_get_403(client, clinic, name) -> None:
    client.force_login(clinic.colleague)
    assert client.get(reverse(f"health:{name}")).status_code == 403


def test_members_without_a_health_role_get_403_from_the_api(api_client, clinic) -> None:
    api_client.force_authenticate(clinic.colleague)
    assert api_client.get("/api/health/assessments/").status_code == 403


@pytest.mark.parametrize("name", DETAIL_PAGES + STEPS)
def test_another_organizations_assessment_is_404(client, clinic, name) -> None:
    client.force_login(clinic.physician_user)
    url = reverse(f"health:{name}", args=[clinic.other_assessment.pk])
    response = client.post(url, {}) if name in STEPS else client.get(url)
    assert response.status_code == 404


@pytest.mark.parametrize("name", DETAIL_PAGES + STEPS)
def test_a_member_without_a_health_role_gets_404_on_the_assessments_pages(
    client, schedule, clinic, name
) -> None:
    """Finding 7: the same answer on the assessment's page, its certificate and its steps
    (they were 403 on the page but 404 on the steps): the assessment is out of their scope."""
    assessment = schedule()
    client.force_login(clinic.colleague)
    url = reverse(f"health:{name}", args=[assessment.pk])
    response = client.post(url, {}) if name in STEPS else client.get(url)
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(
        action=AuditAction.VIEW, target_id=str(assessment.pk)
    ).exists()


@pytest.mark.parametrize("suffix", ["", "results/", "classify/", "certificate/"])
def test_another_organizations_assessment_is_404_in_the_api(api_client, clinic, suffix) -> None:
    api_client.force_authenticate(clinic.physician_user)
    url = f"/api/health/assessments/{clinic.other_assessment.pk}/{suffix}"
    response = api_client.post(url, {}) if suffix else api_client.get(url)
    assert response.status_code == 404


def test_a_referral_of_another_assessment_is_404(client, schedule, clinic) -> None:
    doctor = clinic.physician_user
    assessment = fill_results(schedule(), doctor)
    workflow.classify(
        actor=doctor, assessment=assessment, tb_class="B1", expected_version=assessment.version
    )
    assessment.refresh_from_db()
    referral = workflow.refer_tb(
        actor=doctor,
        assessment=assessment,
        to_organization=clinic.tb_programme,
        consent_given=True,
        expected_version=assessment.version,
    )
    client.force_login(clinic.other_user)
    url = reverse("health:referral_status", args=[assessment.pk, referral.pk])
    assert client.post(url, {}).status_code == 404
    client.force_login(doctor)
    other = reverse("health:referral_status", args=[clinic.other_assessment.pk, referral.pk])
    assert client.post(other, {}).status_code == 404


def test_a_coordinator_reads_but_does_not_examine(client, schedule, clinic) -> None:
    assessment = schedule()
    client.force_login(clinic.coordinator)
    page = client.get(reverse("health:assessment_detail", args=[assessment.pk]))
    assert page.status_code == 200
    assert "Record the result of" not in page.content.decode()
    assert "Issue the certificate" not in page.content.decode()
    response = client.post(
        reverse("health:assessment_result", args=[assessment.pk]),
        {"medical_exam-item": "medical_exam", "medical_exam-version": assessment.version},
    )
    assert response.status_code == 403


def test_the_selectors_scope_by_health_role(schedule, clinic) -> None:
    own = schedule()
    assert list(selectors.assessments_for(clinic.physician_user)) == [own]
    assert list(selectors.assessments_for(clinic.coordinator)) == [own]
    assert list(selectors.assessments_for(clinic.colleague)) == []
    assert list(selectors.assessments_for(clinic.other_user)) == [clinic.other_assessment]


def test_a_superuser_without_a_health_role_reads_no_assessment(client, schedule, clinic) -> None:
    assessment = schedule()
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert list(selectors.assessments_for(admin)) == []
    client.force_login(admin)
    assert client.get(reverse("health:assessment_detail", args=[assessment.pk])).status_code == 404
    MembershipFactory(user=admin, organization=clinic.home, role=Role.HEALTH_COORDINATOR)
    forget_roles(admin)
    assert list(selectors.assessments_for(admin)) == [assessment]


def test_the_rules_per_role(schedule, clinic) -> None:
    assessment = schedule()
    doctor, coordinator, colleague = clinic.physician_user, clinic.coordinator, clinic.colleague
    for perm in [
        "health.view_assessment",
        "health.record_result",
        "health.classify_assessment",
        "health.decide_assessment",
        "health.issue_certificate",
        "health.refer_tb",
    ]:
        assert doctor.has_perm(perm, assessment), perm
        assert not colleague.has_perm(perm, assessment), perm
        assert not clinic.other_user.has_perm(perm, assessment), perm
    assert coordinator.has_perm("health.view_assessment", assessment)
    assert coordinator.has_perm("health.refer_tb", assessment)
    assert not coordinator.has_perm("health.record_result", assessment)
    assert not coordinator.has_perm("health.issue_certificate", assessment)
