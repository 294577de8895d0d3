"""Every write to accounts, organizations, offices and roles."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from migration_hub.core import audit, search
from migration_hub.core.choices import AuditAction
from migration_hub.core.permissions import forget_roles, require
from migration_hub.core.services import update_versioned

from .models import Membership, Office, Organization, RolePolicy, User
from .selectors import POLICY_CACHE_KEY


@transaction.atomic
def create_organization(*, actor: Any, **fields: Any) -> Organization:
    """Create an organization; ValidationError names each bad field."""
    require(actor, "accounts.add_organization")
    organization = Organization(**fields)
    if actor is not None and actor.is_authenticated:
        organization.created_by = actor
    organization.full_clean()
    organization.save()
    audit.record(
        actor,
        AuditAction.CREATE,
        organization,
        changes=audit.diff({}, audit.snapshot(organization)),
        organization_id=organization.pk,
    )
    search.index_object(organization)
    return organization


@transaction.atomic
def delete_organization(organization: Organization, *, actor: Any) -> None:
    """Delete an organization with its offices and memberships (superusers only)."""
    require(actor, "accounts.delete_organization", organization)
    audit.record(
        actor,
        AuditAction.DELETE,
        organization,
        changes=audit.diff(audit.snapshot(organization), {}),
        organization_id=organization.pk,
    )
    search.remove_object(organization)
    organization.delete()


def update_organization(
    organization: Organization, *, actor: Any, expected_version: int, changes: dict[str, Any]
) -> Organization:
    """Change an organization if nobody changed it since `expected_version` (else 409)."""
    require(actor, "accounts.change_organization", organization)
    if "code" in changes and changes["code"] != organization.code:
        raise ValidationError({"code": _("The code is stable: links and imports use it.")})
    if (
        "kind" in changes
        and changes["kind"] != organization.kind
        and actor is not None
        and not actor.is_superuser
    ):
        # The kind grants powers (a Network secretariat's editors run the Hub's peer review and
        # publish GCM reviews): only a platform administrator may change it.
        raise PermissionDenied(
            _("Only a platform administrator can change an organization's kind.")
        )
    return update_versioned(
        organization,
        actor=actor,
        expected_version=expected_version,
        changes=changes,
        organization_id=organization.pk,
    )


@transaction.atomic
def create_office(*, actor: Any, organization: Organization, **fields: Any) -> Office:
    office = Office(organization=organization, **fields)
    require(actor, "accounts.add_office", office)
    if actor is not None and actor.is_authenticated:
        office.created_by = actor
    office.full_clean()
    office.save()
    audit.record(
        actor,
        AuditAction.CREATE,
        office,
        changes=audit.diff({}, audit.snapshot(office)),
        organization_id=organization.pk,
    )
    return office


def update_office(
    office: Office, *, actor: Any, expected_version: int, changes: dict[str, Any]
) -> Office:
    require(actor, "accounts.change_office", office)
    if "organization" in changes and changes["organization"] != office.organization:
        raise ValidationError({"organization": _("An office cannot move to another organization.")})
    return update_versioned(
        office,
        actor=actor,
        expected_version=expected_version,
        changes=changes,
        organization_id=office.organization_id,
    )


@transaction.atomic
def delete_office(office: Office, *, actor: Any) -> None:
    require(actor, "accounts.delete_office", office)
    audit.record(
        actor,
        AuditAction.DELETE,
        office,
        changes=audit.diff(audit.snapshot(office), {}),
        organization_id=office.organization_id,
    )
    office.delete()


@transaction.atomic
def grant_role(*, actor: Any, user: User, organization: Organization, role: str) -> Membership:
    """Give `user` a role in `organization`; granting a role held already changes nothing."""
    membership = Membership(user=user, organization=organization, role=role)
    require(actor, "accounts.add_membership", membership)
    existing = Membership.objects.filter(user=user, organization=organization, role=role).first()
    if existing:
        return existing
    membership.full_clean(validate_constraints=False)
    membership.created_by = actor if actor is not None and actor.is_authenticated else None
    membership.save()
    audit.record(
        actor,
        AuditAction.GRANT,
        membership,
        organization_id=organization.pk,
        metadata={"user": user.pk, "role": role},
    )
    forget_roles(user)
    return membership


@transaction.atomic
def revoke_role(membership: Membership, *, actor: Any) -> None:
    require(actor, "accounts.delete_membership", membership)
    audit.record(
        actor,
        AuditAction.REVOKE,
        membership,
        organization_id=membership.organization_id,
        metadata={"user": membership.user_id, "role": membership.role},
    )
    membership.delete()
    forget_roles(membership.user)


@transaction.atomic
def create_user(
    *, actor: Any, username: str, password: str | None, email: str = "", **fields: Any
) -> User:
    user = User(username=username, email=email, **fields)
    user.full_clean(exclude=["password"])
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit.record(actor, AuditAction.CREATE, user, metadata={"user": user.pk})
    return user


@transaction.atomic
def set_role_policy(*, actor: Any, role: str, require_two_factor: bool) -> RolePolicy:
    require(actor, "accounts.change_rolepolicy")
    policy, _created = RolePolicy.objects.select_for_update().get_or_create(role=role)
    before = policy.require_two_factor
    policy.require_two_factor = require_two_factor
    policy.full_clean()
    policy.save()
    cache.delete(POLICY_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(POLICY_CACHE_KEY))
    if require_two_factor:
        # API tokens skip the sign-in pages: those of holders without an authenticator stop
        # working, and a new one can only be made after setting one up.
        Token.objects.filter(user__memberships__role=role).exclude(
            user__totpdevice__confirmed=True
        ).delete()
    audit.record(
        actor,
        AuditAction.UPDATE,
        policy,
        changes={"require_two_factor": [before, require_two_factor]},
    )
    return policy


@transaction.atomic
def start_totp_enrolment(*, user: User) -> TOTPDevice:
    """An unconfirmed authenticator-app device; confirmed once the user types a valid code."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def confirm_totp_enrolment(*, user: User, device: TOTPDevice, token: str) -> bool:
    """Confirm the device if `token` is valid; returns whether it was.

    Replaces an existing authenticator only for a session already verified with it (the view
    checks; this is the second line of defence).
    """
    has_other = TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).exists()
    if has_other and not getattr(user, "is_verified", lambda: False)():
        raise PermissionDenied(_("Confirm your current authenticator before replacing it."))
    if device.user_id != user.pk or not device.verify_token(token):
        return False
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(user, AuditAction.TWO_FACTOR, device, metadata={"event": "enrolled"})
    return True


@transaction.atomic
def rotate_api_token(*, user: User) -> Token:
    """Replace the user's API token; the old one stops working at once."""
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    audit.record(user, AuditAction.UPDATE, user, metadata={"event": "api_token_rotated"})
    return token
