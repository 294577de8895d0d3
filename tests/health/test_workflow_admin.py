"""The admin site shows the assessment workflow with the pages' scope (finding 1): a staff user
sees the assessments, certificates and referrals of the organizations where they hold a health
role, a superuser without one sees none, results are not in the admin, every list and record
shown is audited, and panel sites and physicians are those of the user's organizations."""

# The fixtures come from workflow_fixtures (tests/health/conftest.py belongs to the protocol
# tests): pytest passes them as arguments of the same names.
# ruff: noqa: F811

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.test import RequestFactory

from migration_hub.accounts.choices import Role
from migration_hub.core.choices import AuditAction
from migration_hub.core.models import AuditEvent
from migration_hub.health import workflow
from migration_hub.health.models import (
    Assessment,
    Certificate,
    PanelSite,
    Physician,
    Result,
    TbReferral,
)
from tests.factories import MembershipFactory, UserFactory
from tests.health.workflow_fixtures import (  # noqa: F401  (fixtures)
    clinic,
    fill_results,
    health_protocols,
    schedule,
)


def _step(function, assessment, **arguments):
    assessment.refresh_from_db()
    return function(assessment=assessment, expected_version=assessment.version, **arguments)


@pytest.fixture
def certified(schedule, clinic) -> SimpleNamespace:
    """An assessment of the clinic classified B1, referred, cleared and certified."""
    doctor = clinic.physician_user
    assessment = fill_results(schedule(), doctor)
    _step(workflow.classify, assessment, actor=doctor, tb_class="B1")
    referral = _step(
        workflow.refer_tb,
        assessment,
        actor=doctor,
        to_organization=clinic.tb_programme,
        consent_given=True,
    )
    _step(workflow.decide, assessment, actor=doctor, decision="cleared")
    certificate = _step(workflow.issue_certificate, assessment, actor=doctor)
    assessment.refresh_from_db()
    return SimpleNamespace(assessment=assessment, referral=referral, certificate=certificate)


@pytest.fixture
def outsider(clinic):
    """A staff user who is health coordinator in the other organization only."""
    user = UserFactory(username="outsider", is_staff=True)
    MembershipFactory(user=user, organization=clinic.other, role=Role.HEALTH_COORDINATOR)
    return user


@pytest.fixture
def insider(clinic):
    """A staff user who is health coordinator in the clinic's organization."""
    user = UserFactory(username="insider", is_staff=True)
    MembershipFactory(user=user, organization=clinic.home, role=Role.HEALTH_COORDINATOR)
    return user


@pytest.fixture
def root(db):
    """A superuser without any health role."""
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def listed(response) -> list:
    assert response.status_code == 200, response.content.decode()[:500]
    return list(response.context["cl"].result_list)


def views_of(obj) -> int:
    return AuditEvent.objects.filter(
        action=AuditAction.VIEW,
        target_id=str(obj.pk),
        target_type__model=obj._meta.model_name,
    ).count()


# --- another organization's health coordinator ----------------------------------------------------


def test_another_organizations_coordinator_lists_only_their_own(
    client, clinic, certified, outsider
) -> None:
    client.force_login(outsider)
    assert listed(client.get("/admin/health/assessment/")) == [clinic.other_assessment]
    assert listed(client.get("/admin/health/certificate/")) == []
    assert listed(client.get("/admin/health/tbreferral/")) == []


@pytest.mark.parametrize("model", ["assessment", "certificate", "tbreferral"])
def test_another_organizations_record_does_not_open_in_the_admin(
    client, clinic, certified, outsider, model
) -> None:
    record = {
        "assessment": certified.assessment,
        "certificate": certified.certificate,
        "tbreferral": certified.referral,
    }[model]
    client.force_login(outsider)
    for page in ["change", "history"]:
        response = client.get(f"/admin/health/{model}/{record.pk}/{page}/")
        assert response.status_code == 302  # "does not exist": back to the admin's index
        assert response["Location"] == "/admin/"
    assert views_of(record) == 0


# --- a superuser without a health role ------------------------------------------------------------


def test_a_superuser_without_a_health_role_reads_no_result_or_assessment(
    client, certified, root
) -> None:
    result = Result.objects.filter(assessment=certified.assessment).first()
    client.force_login(root)
    # Results are not in the admin: their outcomes and values are read on the assessment page.
    assert client.get(f"/admin/health/result/{result.pk}/change/").status_code == 404
    assert client.get("/admin/health/result/").status_code == 404
    assert listed(client.get("/admin/health/assessment/")) == []
    assert listed(client.get("/admin/health/certificate/")) == []
    response = client.get(f"/admin/health/assessment/{certified.assessment.pk}/change/")
    assert response.status_code == 302
    assert views_of(certified.assessment) == 0


def test_the_view_permission_tests_the_rule_on_the_record_even_for_a_superuser(
    certified, root, insider
) -> None:
    request = RequestFactory().get("/admin/")
    for model, record in [
        (Assessment, certified.assessment),
        (Certificate, certified.certificate),
        (TbReferral, certified.referral),
    ]:
        model_admin = admin.site._registry[model]
        request.user = root
        assert model_admin.has_view_permission(request) is True  # the list: empty for them
        assert model_admin.has_view_permission(request, record) is False
        request.user = insider
        assert model_admin.has_view_permission(request, record) is True
        assert model_admin.has_change_permission(request, record) is False
    assert Result not in admin.site._registry


# --- in scope: shown, without the results' values, and audited ----------------------------------


def test_the_admin_shows_in_scope_records_and_audits_lists_and_openings(
    client, clinic, certified, insider
) -> None:
    client.force_login(insider)
    assessment = certified.assessment
    assert listed(client.get("/admin/health/assessment/")) == [assessment]
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, target_id="").latest("id")
    assert event.actor == insider
    assert event.metadata == {
        "list": "admin:assessments",
        "via": "admin",
        "assessments": [assessment.pk],
    }

    assert listed(client.get("/admin/health/certificate/")) == [certified.certificate]
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, target_id="").latest("id")
    assert event.metadata["certificates"] == [certified.certificate.pk]
    assert event.metadata["assessments"] == [assessment.pk]
    assert listed(client.get("/admin/health/tbreferral/")) == [certified.referral]
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, target_id="").latest("id")
    assert event.metadata["tb_referrals"] == [certified.referral.pk]

    page = client.get(f"/admin/health/assessment/{assessment.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Sample Person" not in text
    assert "as expected" not in text  # the results' values
    assert views_of(assessment) == 1
    for model, record in [
        ("certificate", certified.certificate),
        ("tbreferral", certified.referral),
    ]:
        assert client.get(f"/admin/health/{model}/{record.pk}/change/").status_code == 200
        assert views_of(record) == 1


# --- panel sites and physicians -------------------------------------------------------------------


def test_panel_sites_and_physicians_are_those_of_the_users_organizations(
    client, clinic, outsider, root
) -> None:
    client.force_login(outsider)
    assert listed(client.get("/admin/health/panelsite/")) == [clinic.other_site]
    assert listed(client.get("/admin/health/physician/")) == [clinic.other_physician]
    response = client.get(f"/admin/health/panelsite/{clinic.site.pk}/change/")
    assert response.status_code == 302
    response = client.get(f"/admin/health/physician/{clinic.physician.pk}/change/")
    assert response.status_code == 302

    client.force_login(root)
    assert set(listed(client.get("/admin/health/panelsite/"))) == {clinic.site, clinic.other_site}
    assert len(listed(client.get("/admin/health/physician/"))) == 2


def test_a_physician_is_posted_only_at_a_site_of_the_users_organizations(clinic, outsider) -> None:
    request = RequestFactory().get("/admin/")
    request.user = outsider
    physician_admin = admin.site._registry[Physician]
    field = physician_admin.formfield_for_foreignkey(Physician._meta.get_field("site"), request)
    assert list(field.queryset) == [clinic.other_site]
    site_admin = admin.site._registry[PanelSite]
    field = site_admin.formfield_for_foreignkey(PanelSite._meta.get_field("organization"), request)
    assert list(field.queryset) == [clinic.other]
