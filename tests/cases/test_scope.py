"""The record scope: who sees which case (own, team, office, organization, all), 404 outside it
with an audited refusal, and break-glass access."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from migration_hub.cases import selectors, services
from migration_hub.cases.choices import CaseAuditAction, CaseRole, RecordScope
from migration_hub.cases.models import BreakGlassRequest
from migration_hub.core.models import AuditEvent


def test_lookup_by_reference_and_malformed_keys(world) -> None:
    assert world.c1.reference.startswith("CT-")
    assert selectors.case_for(world.cw1, world.c1.reference) == world.c1
    for key in ["' OR 1=1--", "%", "", "a\r\nFAKE ENTRY", str(world.c1.pk)]:
        with pytest.raises(Http404):
            selectors.case_for(world.cw1, key)
    assert AuditEvent.objects.filter(
        action=CaseAuditAction.ACCESS_DENIED, metadata__key="(malformed)"
    ).exists()


def test_a_caseworker_of_another_organization_cannot_write_the_case(world) -> None:
    for call in [
        lambda: services.transition(
            actor=world.cwb, case=world.c1, event="assess", version=world.c1.version
        ),
        lambda: services.add_note(actor=world.cwb, case=world.c1, text="x"),
        lambda: services.reveal(
            actor=world.cwb, case=world.c1, field="trafficking", reason="curious"
        ),
        lambda: services.update_person(
            actor=world.cwb, person=world.c1.person, version=1, changes={"given_name": "X"}
        ),
    ]:
        with pytest.raises(Http404):
            call()
    world.c1.refresh_from_db()
    assert world.c1.state == "identification"
    assert not world.c1.notes.exists()


def test_an_auditor_reads_but_does_not_write(world) -> None:
    assert selectors.case_for(world.auditor, world.c1.public_id)
    with pytest.raises(PermissionDenied):
        services.transition(actor=world.auditor, case=world.c1, event="assess", version=1)
    denied = AuditEvent.objects.filter(actor=world.auditor).order_by("-sequence").first()
    assert denied.action == CaseAuditAction.ACCESS_DENIED
    assert denied.metadata["permission"] == "cases.transition_case"


def test_assignment_moves_the_case_into_the_assignees_scope(world) -> None:
    case = services.assign_case(
        actor=world.mgr1, case=world.c1, assignee=world.cw2, version=world.c1.version
    )
    assert case.assigned_to == world.cw2
    assert case.team == world.t2
    assert set(selectors.cases_for(world.cw2)) == {world.c1, world.c2}
    assert not selectors.cases_for(world.cw1).filter(pk=world.c1.pk).exists()
    assert AuditEvent.objects.filter(action=CaseAuditAction.ASSIGN, target_id=str(case.pk)).exists()


def test_a_team_supervisor_cannot_assign_outside_the_team(world) -> None:
    with pytest.raises(ValidationError) as error:
        services.assign_case(actor=world.sup1, case=world.c1, assignee=world.cw3, version=1)
    assert "assigned_to" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.assign_case(actor=world.sup1, case=world.c1, assignee=world.cwb, version=1)


def test_the_all_scope_is_only_for_the_platform_role(world) -> None:
    with pytest.raises(ValidationError) as error:
        services.add_staff(
            actor=None,
            user=world.cw1,
            organization=world.home,
            role=CaseRole.CASE_SUPERVISOR,
            scope=RecordScope.ALL,
        )
    assert "scope" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.add_staff(
            actor=world.admin,
            user=world.cw1,
            organization=world.home,
            role=CaseRole.PLATFORM_OVERSIGHT,
        )


# --- break-glass ----------------------------------------------------------------------------


def test_break_glass_needs_a_reason_and_another_approver(world) -> None:
    with pytest.raises(ValidationError) as error:
        services.request_break_glass(actor=world.cw2, reference=world.c1.reference, reason=" ")
    assert "reason" in error.value.message_dict
    request = services.request_break_glass(
        actor=world.cw2, reference=world.c1.reference, reason="Colleague away; urgent travel."
    )
    assert not selectors.cases_for(world.cw2).filter(pk=world.c1.pk).exists()
    # Not by the requester, not by a caseworker, not by another organization.
    with pytest.raises(PermissionDenied):
        services.approve_break_glass(actor=world.cw2, request=request)
    with pytest.raises(PermissionDenied):
        services.approve_break_glass(actor=world.cw1, request=request)
    with pytest.raises(PermissionDenied):
        services.approve_break_glass(actor=world.supb, request=request)
    approved = services.approve_break_glass(actor=world.dpo, request=request)
    assert approved.expires_at - approved.approved_at == datetime.timedelta(hours=4)
    assert selectors.case_for(world.cw2, world.c1.public_id) == world.c1
    use = AuditEvent.objects.filter(actor=world.cw2).order_by("-sequence").first()
    assert use.action == CaseAuditAction.BREAK_GLASS_USE
    assert use.metadata["break_glass_request"] == request.pk
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {CaseAuditAction.BREAK_GLASS_REQUEST, CaseAuditAction.BREAK_GLASS_APPROVE} <= actions
    with pytest.raises(ValidationError):
        services.approve_break_glass(actor=world.sup1, request=request)


def test_a_supervisor_cannot_approve_their_own_request(world) -> None:
    request = services.request_break_glass(
        actor=world.sup1, reference=world.c2.reference, reason="Cover for T2 today."
    )
    with pytest.raises(ValidationError) as error:
        services.approve_break_glass(actor=world.sup1, request=request)
    assert "approved_by" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        BreakGlassRequest.objects.filter(pk=request.pk).update(
            approved_by=world.sup1, approved_at=timezone.now(), expires_at=timezone.now()
        )


def test_break_glass_access_ends_at_expiry(world) -> None:
    request = services.request_break_glass(
        actor=world.cw2, reference=world.c1.reference, reason="Emergency."
    )
    services.approve_break_glass(actor=world.sup1, request=request)
    assert selectors.cases_for(world.cw2).filter(pk=world.c1.pk).exists()
    past = timezone.now() - datetime.timedelta(minutes=1)
    BreakGlassRequest.objects.filter(pk=request.pk).update(
        approved_at=past - datetime.timedelta(hours=4), expires_at=past
    )
    assert not selectors.cases_for(world.cw2).filter(pk=world.c1.pk).exists()
    with pytest.raises(Http404):
        selectors.case_for(world.cw2, world.c1.public_id)


def test_break_glass_cannot_reach_another_organization(world) -> None:
    only_there = services.open_case(
        actor=world.cwb, case_type="avrr", person=world.cb.person
    )  # AVRR-...-000002: HOME has no case of that reference
    with pytest.raises(Http404):
        services.request_break_glass(actor=world.cw1, reference=only_there.reference, reason="x")
    assert not BreakGlassRequest.objects.exists()
