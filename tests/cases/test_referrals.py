"""Referrals and transfers between organizations: the agreement, the basis (consent, or an
override with a reason and a second approval), the receiver's read of the shared sections
only, expiry, revocation and withdrawal cutting access at once, transfers moving ownership,
mass assignment, and an audit trail without names (protection.md AC-05, AC-06, attack 9)."""

from __future__ import annotations

import datetime
import json
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from migration_hub.cases import services
from migration_hub.cases.choices import CaseAuditAction, CaseRole
from migration_hub.cases.models import Case, CaseSequence, Consent, DataSharingAgreement, Referral
from migration_hub.cases.models.referrals import ReferralAuditAction, ReferralStatus, SharedSection
from migration_hub.cases.selectors import MASKED, cases_for
from migration_hub.cases.services import referrals as ref
from migration_hub.core.models import AuditEvent
from tests.factories import OfficeFactory, OrganizationFactory, UserFactory

from .conftest import CANARY

ALL_SECTIONS = list(SharedSection.values)
SOME_SECTIONS = [SharedSection.IDENTITY, SharedSection.CASE_SUMMARY, SharedSection.TRAFFICKING]


def agreement(world, sections=SOME_SECTIONS, *, to=None, **changes) -> DataSharingAgreement:
    today = timezone.localdate()
    data = {
        "from_organization": world.home,
        "to_organization": to or world.other,
        "purpose": "Shelter and legal aid for victims of trafficking",
        "shared_sections": sections,
        "valid_from": today - datetime.timedelta(days=30),
        "valid_until": today + datetime.timedelta(days=365),
        "signed_reference": "DSA-2026-001",
    }
    data.update(changes)
    return ref.create_sharing_agreement(actor=world.admin, **data)


def consent_to(world, *organizations, person=None, actor=None) -> Consent:
    return services.record_consent(
        actor=actor or world.cw1,
        person=person or world.c1.person,
        purpose="sharing",
        organizations=organizations or [world.other],
    )


def refer(world, **changes) -> Referral:
    data = {
        "actor": world.cw1,
        "case": world.c1,
        "to_organization": world.other,
        "services": ["shelter", "legal"],
    }
    data.update(changes)
    return ref.create_referral(**data)


def accepted(world, **changes) -> Referral:
    referral = refer(world, **changes)
    return ref.accept(actor=world.cwb, referral=referral, version=referral.version)


def refusals(step: str) -> int:
    return AuditEvent.objects.filter(
        action=ReferralAuditAction.REFUSED, metadata__step=step
    ).count()


@pytest.fixture
def third(world) -> SimpleNamespace:
    """A third organization with an office and a caseworker, and no agreement."""
    organization = OrganizationFactory(code="THIRD", name="Third Agency")
    office = OfficeFactory(organization=organization, name="Office C1", country=world.a1.country)
    user = UserFactory(username="cwc", is_staff=True)
    services.add_staff(
        actor=None, user=user, organization=organization, role=CaseRole.CASEWORKER, office=office
    )
    return SimpleNamespace(organization=organization, office=office, cwc=user)


# --- agreements -----------------------------------------------------------------------------


def test_only_the_sending_organizations_admin_records_an_agreement(world) -> None:
    with pytest.raises(PermissionDenied):
        ref.create_sharing_agreement(
            actor=world.cw1,
            from_organization=world.home,
            to_organization=world.other,
            purpose="x",
            shared_sections=SOME_SECTIONS,
            valid_from=timezone.localdate(),
            valid_until=timezone.localdate(),
            signed_reference="X",
        )
    with pytest.raises(PermissionDenied):  # home's admin cannot sign for OTHER
        agreement(world, from_organization=world.other, to=world.home)
    with pytest.raises(ValidationError) as error:
        agreement(world, sections=["identity", "passwords"])
    assert "shared_sections" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        agreement(world, to=world.home)
    assert "to_organization" in error.value.message_dict
    made = agreement(world)
    assert made.shared_sections == ["identity", "case_summary", "trafficking"]
    assert made.in_force()
    by_superuser = ref.create_sharing_agreement(
        actor=world.outsider,
        from_organization=world.home,
        to_organization=world.other,
        purpose="Superuser through the admin",
        shared_sections=["identity"],
        valid_from=timezone.localdate(),
        valid_until=timezone.localdate(),
        signed_reference="DSA-2",
    )
    assert by_superuser.pk
    assert AuditEvent.objects.filter(action=ReferralAuditAction.AGREEMENT_CREATE).count() == 2


# --- refusals at creation -------------------------------------------------------------------


def test_no_agreement_is_refused(world) -> None:
    consent_to(world)
    with pytest.raises(ValidationError) as error:
        refer(world)
    assert "to_organization" in error.value.message_dict
    assert not Referral.objects.exists()
    assert refusals("create") == 1


@pytest.mark.parametrize(
    "changes",
    [
        {
            "valid_from": datetime.date(2020, 1, 1),
            "valid_until": datetime.date(2020, 12, 31),
        },
        {"valid_from": timezone.localdate() + datetime.timedelta(days=1)},
    ],
    ids=["expired", "not-yet"],
)
def test_an_agreement_not_in_force_is_refused(world, changes) -> None:
    agreement(world, **changes)
    consent_to(world)
    with pytest.raises(ValidationError) as error:
        refer(world)
    assert "to_organization" in error.value.message_dict
    assert not Referral.objects.exists()


def test_an_ended_agreement_is_refused(world) -> None:
    made = agreement(world)
    ref.end_sharing_agreement(actor=world.admin, agreement=made)
    consent_to(world)
    with pytest.raises(ValidationError):
        refer(world)


def test_no_consent_is_refused(world) -> None:
    agreement(world)
    with pytest.raises(ValidationError) as error:
        refer(world)
    assert "basis" in error.value.message_dict
    assert refusals("create") == 1


def test_consent_for_a_different_organization_is_refused(world, third) -> None:
    agreement(world)
    consent_to(world, third.organization)
    services.record_consent(actor=world.cw1, person=world.c1.person, purpose="services")
    with pytest.raises(ValidationError) as error:
        refer(world)
    assert "basis" in error.value.message_dict


def test_a_referral_after_consent_withdrawal_is_refused(world) -> None:
    agreement(world)
    consent = consent_to(world)
    services.withdraw_consent(actor=world.dpo, consent=consent)
    with pytest.raises(ValidationError) as error:
        refer(world)
    assert "basis" in error.value.message_dict
    assert not Referral.objects.exists()


def test_the_sender_must_see_the_case(world) -> None:
    agreement(world)
    consent_to(world)
    with pytest.raises(Http404):
        refer(world, actor=world.cw2)  # c1 is team T1's
    with pytest.raises(PermissionDenied):
        refer(world, actor=world.auditor)  # sees it, may not refer


def test_bad_input_is_named(world) -> None:
    agreement(world)
    consent_to(world)
    for changes, field in [
        ({"kind": "adoption"}, "kind"),
        ({"services": ["spa"]}, "services"),
        ({"services": []}, "services"),
        ({"expires_in_days": 91}, "expires_in_days"),
        ({"expires_in_days": 0}, "expires_in_days"),
        ({"to_organization": world.home}, "to_organization"),
        ({"to_organization": 999999}, "to_organization"),
        ({"basis": "whim"}, "basis"),
    ]:
        with pytest.raises(ValidationError) as error:
            refer(world, **changes)
        assert field in error.value.message_dict, changes
    assert not Referral.objects.exists()


# --- override -------------------------------------------------------------------------------


def test_an_override_needs_the_permission_and_a_reason(world) -> None:
    agreement(world)
    with pytest.raises(PermissionDenied):
        refer(world, basis="override", reason="Urgent medical need")  # cw1: a caseworker
    with pytest.raises(ValidationError) as error:
        refer(world, actor=world.sup1, basis="override", reason="   ")
    assert "reason" in error.value.message_dict
    assert not Referral.objects.exists()
    assert AuditEvent.objects.filter(
        action=CaseAuditAction.ACCESS_DENIED, metadata__permission="cases.override_referral_consent"
    ).exists()


def test_an_override_approved_by_the_requester_is_refused(world) -> None:
    agreement(world)
    referral = refer(world, actor=world.sup1, basis="override", reason="Urgent medical need")
    with pytest.raises(ValidationError) as error:
        ref.approve_override(actor=world.sup1, referral=referral, version=referral.version)
    assert "approved_by" in error.value.message_dict
    with pytest.raises(PermissionDenied):  # a caseworker does not hold the override permission
        ref.approve_override(actor=world.cw1, referral=referral, version=referral.version)
    with pytest.raises(Http404):  # nor does anyone of the receiving organization
        ref.approve_override(actor=world.supb, referral=referral, version=referral.version)
    # Until approved, nothing takes effect.
    with pytest.raises(ValidationError) as error:
        ref.accept(actor=world.cwb, referral=referral, version=referral.version)
    assert "approved_by" in error.value.message_dict
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REQUESTED and referral.approved_by is None
    assert refusals("approve_override") == 1


def test_an_override_approved_by_a_second_user_takes_effect(world) -> None:
    agreement(world)
    referral = refer(world, actor=world.sup1, basis="override", reason="Urgent medical need")
    assert referral.needs_approval
    approved = ref.approve_override(actor=world.dpo, referral=referral, version=referral.version)
    assert approved.approved_by == world.dpo and not approved.needs_approval
    with pytest.raises(ValidationError):  # once
        ref.approve_override(actor=world.dpo, referral=approved, version=approved.version)
    done = ref.accept(actor=world.cwb, referral=approved, version=approved.version)
    assert done.status == ReferralStatus.ACCEPTED
    view = ref.referred_case_view(world.cwb, done)
    assert view["identity"]["family_name"] == CANARY
    # The reason is encrypted at rest and never in the audit trail.
    assert Referral.objects.get(pk=done.pk).override_reason == "Urgent medical need"
    trail = json.dumps(list(AuditEvent.objects.values("changes", "metadata")), default=str)
    assert "Urgent medical need" not in trail


# --- the receiver's read --------------------------------------------------------------------


def test_the_receiver_sees_only_the_agreements_sections(world) -> None:
    agreement(world)
    consent_to(world)
    referral = accepted(world)
    assert referral.shared_sections == SOME_SECTIONS
    view = ref.referred_case_view(world.cwb, referral)
    assert set(view) == {"referral", "identity", "case_summary", "trafficking"}
    for absent in ("contact", "documents", "health", "gbv", "child_protection"):
        assert absent not in view
    assert view["identity"] == {
        "given_name": "Amina",
        "family_name": CANARY,
        "date_of_birth": "1990-04-12",
        "date_of_birth_precision": "exact",
    }
    assert view["case_summary"]["reference"] == world.c1.reference
    assert view["trafficking"] == {"recruitment": "online job offer"}
    flat = repr(view)
    for secret in ("+234 800", "A1234567", "'tb'", "none"):
        assert secret not in flat
    assert set(view["referral"]) == {"public_id", "kind", "services", "expires_at", "sections"}
    event = AuditEvent.objects.filter(action=ReferralAuditAction.READ).get()
    assert event.metadata["sections"] == SOME_SECTIONS
    assert event.target_id == str(world.c1.pk)


def test_a_receiving_role_that_does_not_see_a_class_reads_it_masked(world) -> None:
    agreement(world)
    consent_to(world)
    referral = accepted(world)
    auditor = UserFactory(username="auditorb")
    services.add_staff(actor=None, user=auditor, organization=world.other, role=CaseRole.AUDITOR)
    view = ref.referred_case_view(auditor, referral)
    assert view["trafficking"] is MASKED
    assert view["identity"]["family_name"] == CANARY


def test_a_third_organization_and_the_sender_get_404(world, third) -> None:
    agreement(world)
    consent_to(world)
    referral = accepted(world)
    for user in (third.cwc, world.cw1, world.platform, world.outsider):
        with pytest.raises(Http404):
            ref.referred_case_view(user, referral)
        with pytest.raises(Http404):
            ref.referred_case_view_by_id(user, referral.public_id)
    denied = AuditEvent.objects.filter(
        action=CaseAuditAction.ACCESS_DENIED, metadata__model="referral"
    )
    assert denied.filter(metadata__reason="not_receiver").count() >= 4


def test_expiry_ends_the_read(world) -> None:
    agreement(world)
    consent_to(world)
    referral = accepted(world, expires_in_days=7)
    assert referral.expires_at - referral.requested_at == datetime.timedelta(days=7)
    ref.referred_case_view(world.cwb, referral)
    with pytest.raises(Http404):
        ref.referred_case_view(
            world.cwb, referral, at=referral.expires_at + datetime.timedelta(seconds=1)
        )
    Referral.objects.filter(pk=referral.pk).update(
        requested_at=timezone.now() - datetime.timedelta(days=8),
        expires_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    with pytest.raises(Http404):
        ref.referred_case_view(world.cwb, referral)
    assert AuditEvent.objects.filter(metadata__reason="expires_at").count() == 2
    assert ref.expire_referrals() == 1
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.EXPIRED


def test_the_default_and_maximum_duration(world) -> None:
    agreement(world)
    consent_to(world)
    referral = refer(world)
    assert referral.expires_at - referral.requested_at == datetime.timedelta(days=30)
    ref.revoke(actor=world.cw1, referral=referral)
    longest = refer(world, expires_in_days=90)
    assert longest.expires_at - longest.requested_at == datetime.timedelta(days=90)


def test_a_revocation_cuts_access_at_once(world) -> None:
    agreement(world)
    consent_to(world)
    referral = accepted(world)
    ref.referred_case_view(world.cwb, referral)
    ref.revoke(actor=world.cw1, referral=referral, reason="Person asked")
    with pytest.raises(Http404):
        ref.referred_case_view(world.cwb, referral)  # the stale object: checked against the row
    with pytest.raises(ValidationError):
        ref.revoke(actor=world.cw1, referral=referral)
    with pytest.raises(Http404):
        ref.revoke(actor=world.cwb, referral=referral)  # the receiver cannot see the case
    assert AuditEvent.objects.filter(action=ReferralAuditAction.REVOKE).count() == 1


def test_a_consent_withdrawal_cuts_access_at_once(world) -> None:
    agreement(world)
    consent = consent_to(world)
    referral = accepted(world)
    ref.referred_case_view(world.cwb, referral)
    services.withdraw_consent(actor=world.dpo, consent=consent)
    with pytest.raises(Http404):
        ref.referred_case_view(world.cwb, referral)
    assert AuditEvent.objects.filter(metadata__reason="basis").count() == 1


def test_ending_the_agreement_cuts_access_at_once(world) -> None:
    made = agreement(world)
    consent_to(world)
    referral = accepted(world)
    ref.end_sharing_agreement(actor=world.admin, agreement=made)
    with pytest.raises(Http404):
        ref.referred_case_view(world.cwb, referral)


def test_a_requested_or_rejected_referral_gives_no_read(world, third) -> None:
    agreement(world)
    consent_to(world)
    referral = refer(world)
    with pytest.raises(Http404):
        ref.referred_case_view(world.cwb, referral)
    with pytest.raises(Http404):
        ref.reject(actor=third.cwc, referral=referral, version=referral.version)
    rejected = ref.reject(
        actor=world.supb, referral=referral, version=referral.version, reason="No capacity"
    )
    assert rejected.status == ReferralStatus.REJECTED
    with pytest.raises(Http404):
        ref.referred_case_view(world.cwb, rejected)
    with pytest.raises(ValidationError):
        ref.accept(actor=world.cwb, referral=rejected, version=rejected.version)


def test_a_stale_version_is_refused(world) -> None:
    agreement(world)
    consent_to(world)
    referral = refer(world)
    from migration_hub.core.services import ConflictError

    with pytest.raises(ConflictError):
        ref.accept(actor=world.cwb, referral=referral, version=referral.version + 1)
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.REQUESTED
    assert AuditEvent.objects.filter(metadata__step="accept", metadata__conflict=True).exists()


# --- who sees referrals ---------------------------------------------------------------------


def test_referrals_for_is_the_sending_scope_and_the_receiving_staff(world, third) -> None:
    agreement(world)
    consent_to(world)
    referral = refer(world)
    for user in (world.cw1, world.sup1, world.dpo, world.cwb, world.supb, world.platform):
        assert list(ref.referrals_for(user)) == [referral], user
    for user in (world.cw2, world.cw3, third.cwc, world.outsider):
        assert not ref.referrals_for(user).exists(), user
        with pytest.raises(Http404):
            ref.referral_for(user, referral.public_id)
    assert ref.referral_for(world.cwb, str(referral.public_id)) == referral
    with pytest.raises(Http404):
        ref.referral_for(world.cwb, "../../etc/passwd")


# --- transfers ------------------------------------------------------------------------------


def test_a_transfer_moves_ownership_and_the_sender_loses_access(world, third) -> None:
    agreement(world, ALL_SECTIONS)
    agreement(world, SOME_SECTIONS, to=third.organization)
    consent_to(world, world.other, third.organization)
    side = refer(world, to_organization=third.organization)
    with pytest.raises(PermissionDenied):  # a caseworker does not transfer
        refer(world, kind="transfer")
    transfer = refer(world, actor=world.sup1, kind="transfer")
    old_reference = world.c1.reference
    glass = services.request_break_glass(
        actor=world.cw3, reference=world.c1.reference, reason="Night duty"
    )
    services.approve_break_glass(actor=world.dpo, request=glass)
    assert cases_for(world.cw3).filter(pk=world.c1.pk).exists()
    assert world.c1 in cases_for(world.cw1)
    done = ref.accept(actor=world.cwb, referral=transfer, version=transfer.version)
    assert Referral.objects.get(pk=done.pk).status == ReferralStatus.ACCEPTED
    case = Case.objects.get(pk=world.c1.pk)
    assert case.organization == world.other
    assert (case.office, case.team, case.assigned_to) == (world.b1, world.tb, world.cwb)
    assert case.version == world.c1.version + 1
    # A new reference in the receiver's series (here its first CT case: the same text).
    assert case.reference.startswith("CT-") and old_reference
    assert CaseSequence.objects.get(organization=world.other, case_type="counter_trafficking").last
    assert case.person.organization == world.other
    assert case.events.filter(event="transfer").count() == 1
    for user in (world.cw1, world.sup1, world.dpo, world.mgr1, world.cw3):
        assert not cases_for(user).filter(pk=case.pk).exists(), user
    assert cases_for(world.cwb).filter(pk=case.pk).exists()
    # The sender's other open referral of the case is revoked.
    assert Referral.objects.get(pk=side.pk).status == ReferralStatus.REVOKED
    # A transfer is not read through referred_case_view, and cannot be revoked once done.
    with pytest.raises(Http404):
        ref.referred_case_view(world.cwb, done)
    with pytest.raises(Http404):
        ref.revoke(actor=world.sup1, referral=done)
    event = AuditEvent.objects.filter(action=ReferralAuditAction.ACCEPT).get()
    assert event.changes["case"]["organization_id"] == [world.home.pk, world.other.pk]


def test_a_transfer_needs_an_agreement_covering_the_whole_record(world) -> None:
    agreement(world)  # identity, case summary, trafficking only
    consent_to(world)
    with pytest.raises(ValidationError) as error:
        refer(world, actor=world.sup1, kind="transfer")
    assert "kind" in error.value.message_dict
    assert "health" in str(error.value)


def test_a_transfer_is_accepted_only_by_a_caseworker_or_supervisor_with_an_office(world) -> None:
    agreement(world, ALL_SECTIONS)
    consent_to(world)
    transfer = refer(world, actor=world.sup1, kind="transfer")
    auditor = UserFactory(username="auditorb")
    services.add_staff(actor=None, user=auditor, organization=world.other, role=CaseRole.AUDITOR)
    with pytest.raises(PermissionDenied):
        ref.accept(actor=auditor, referral=transfer, version=transfer.version)
    assert Case.objects.get(pk=world.c1.pk).organization == world.home


# --- mass assignment ------------------------------------------------------------------------


def test_server_owned_fields_from_input_are_ignored(world, third) -> None:
    agreement(world)
    consent_to(world)
    referral = ref.create_referral_from_data(
        actor=world.cw1,
        case=world.c1,
        data={
            "to_organization": str(world.other.pk),
            "kind": "referral",
            "services": ["shelter"],
            "basis": "consent",
            "status": "accepted",
            "approved_by": world.dpo,
            "from_organization": third.organization,
            "shared_sections": ALL_SECTIONS,
            "expires_at": timezone.now() + datetime.timedelta(days=3650),
            "requested_by": world.dpo,
            "decided_by": world.cwb,
        },
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REQUESTED
    assert referral.approved_by is None and referral.decided_by is None
    assert referral.from_organization == world.home
    assert referral.requested_by == world.cw1
    assert referral.shared_sections == SOME_SECTIONS
    assert referral.expires_at - referral.requested_at == datetime.timedelta(days=30)
    # The acceptance takes nothing from the caller: no organization, office or status.
    with pytest.raises(TypeError):
        ref.accept(  # type: ignore[call-arg]
            actor=world.cwb,
            referral=referral,
            version=referral.version,
            to_organization=third.organization,
        )
    with pytest.raises(TypeError):
        ref.accept(actor=world.cwb, referral=referral, version=1, status="accepted")  # type: ignore[call-arg]
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REQUESTED


# --- the audit trail ------------------------------------------------------------------------


def test_every_step_is_audited_without_names(world, third) -> None:
    agreement(world)
    consent = consent_to(world)
    first = accepted(world)
    ref.referred_case_view(world.cwb, first)
    ref.revoke(actor=world.cw1, referral=first)
    with pytest.raises(Http404):
        ref.referred_case_view(world.cwb, first)
    second = refer(world, actor=world.sup1, basis="override", reason=f"Because {CANARY} asked")
    ref.approve_override(actor=world.dpo, referral=second, version=second.version)
    second.refresh_from_db()
    ref.reject(actor=world.supb, referral=second, version=second.version, reason=CANARY)
    services.withdraw_consent(actor=world.dpo, consent=consent)
    with pytest.raises(ValidationError):
        refer(world)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        ReferralAuditAction.AGREEMENT_CREATE,
        ReferralAuditAction.CREATE,
        ReferralAuditAction.ACCEPT,
        ReferralAuditAction.READ,
        ReferralAuditAction.REVOKE,
        ReferralAuditAction.APPROVE_OVERRIDE,
        ReferralAuditAction.REJECT,
        ReferralAuditAction.REFUSED,
        CaseAuditAction.ACCESS_DENIED,
    } <= actions
    for action in (
        ReferralAuditAction.CREATE,
        ReferralAuditAction.ACCEPT,
        ReferralAuditAction.REVOKE,
        ReferralAuditAction.APPROVE_OVERRIDE,
        ReferralAuditAction.REJECT,
        ReferralAuditAction.READ,
    ):
        assert AuditEvent.objects.filter(action=action).count() == (
            2 if action == ReferralAuditAction.CREATE else 1
        ), action
    trail = json.dumps(list(AuditEvent.objects.values("changes", "metadata")), default=str)
    for name in (CANARY, "Amina", "online job offer", "+234"):
        assert name not in trail


# --- admin ----------------------------------------------------------------------------------


def test_the_admin_lists_referrals_in_scope_read_only(client, world, third) -> None:
    agreement(world)
    consent_to(world)
    referral = refer(world)
    for user, expected in ((world.cwb, [referral]), (third.cwc, []), (world.cw2, [])):
        client.force_login(user)
        response = client.get("/admin/cases/referral/")
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == expected
    client.force_login(world.cwb)
    page = client.get(f"/admin/cases/referral/{referral.pk}/change/")
    assert page.status_code == 200 and CANARY not in page.content.decode()
    assert client.get("/admin/cases/referral/add/").status_code == 403
    assert client.get("/admin/cases/datasharingagreement/add/").status_code == 403


def test_a_superuser_records_an_agreement_through_the_admin(client, world) -> None:
    client.force_login(world.outsider)
    today = timezone.localdate()
    response = client.post(
        "/admin/cases/datasharingagreement/add/",
        {
            "from_organization": world.home.pk,
            "to_organization": world.other.pk,
            "purpose": "Legal aid",
            "shared_sections": ["identity", "contact"],
            "valid_from": today.isoformat(),
            "valid_until": (today + datetime.timedelta(days=10)).isoformat(),
            "signed_reference": "DSA-ADMIN-1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    made = DataSharingAgreement.objects.get(signed_reference="DSA-ADMIN-1")
    assert made.shared_sections == ["identity", "contact"] and made.is_active
    assert AuditEvent.objects.filter(
        action=ReferralAuditAction.AGREEMENT_CREATE, target_id=str(made.pk)
    ).exists()


def test_a_transfer_takes_a_fresh_reference_in_the_receivers_series(world) -> None:
    agreement(world, ALL_SECTIONS)
    consent_to(world, person=world.c2.person, actor=world.cw2)
    assert world.c2.reference == world.cb.reference  # each organization's first AVRR case
    transfer = refer(world, actor=world.mgr1, case=world.c2, kind="transfer")
    ref.accept(actor=world.supb, referral=transfer, version=transfer.version)
    case = Case.objects.get(pk=world.c2.pk)
    assert case.organization == world.other and case.assigned_to == world.supb
    assert case.reference != world.cb.reference
