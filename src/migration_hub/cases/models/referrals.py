"""Referrals and transfers of cases between organizations, under data-sharing agreements.

A `DataSharingAgreement` says which sections of a case one organization may share with
another (from a fixed catalogue, `SharedSection`), for what purpose and for how long. A
`Referral` asks another organization to serve a case: a *referral* keeps the case with the
sender and lets the receiver read the agreement's sections for a while; a *transfer* moves the
case to the receiver when it accepts. Either needs the person's consent to sharing with the
receiving organization, or an override (a reason, then a second approval by someone else).

The rules are applied by `cases.services.referrals`; the receiver reads a referred case only
through `referred_case_view` there, which checks everything again at every read.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from migration_hub.core.encryption import EncryptedTextField
from migration_hub.core.models import TimeStampedModel, VersionedModel

# Kept here rather than in `cases/choices.py` while that file is shared with other work; they
# can move there without a migration (choices are not enforced by the database).


class SharedSection(models.TextChoices):
    """What an agreement may let one organization share with another: the catalogue."""

    IDENTITY = "identity", _("Identity (names, date of birth)")
    CONTACT = "contact", _("Contact details")
    DOCUMENTS = "documents", _("Identity documents")
    CASE_SUMMARY = "case_summary", _("Case summary (reference, type, state, dates)")
    TRAFFICKING = "trafficking", _("Trafficking details")
    HEALTH = "health", _("Health")
    GBV = "gbv", _("Gender-based violence")
    CHILD_PROTECTION = "child_protection", _("Child protection")


class ReferralKind(models.TextChoices):
    REFERRAL = "referral", _("Referral (the case stays with the sender)")
    TRANSFER = "transfer", _("Transfer (the case moves to the receiver)")


class ReferralStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


OPEN_STATUSES = (ReferralStatus.REQUESTED, ReferralStatus.ACCEPTED)


class ReferralBasis(models.TextChoices):
    CONSENT = "consent", _("The person's consent to sharing")
    OVERRIDE = "override", _("Consent override (reason and second approval)")


class ReferralService(models.TextChoices):
    """Services a referral may ask the receiving organization for."""

    SHELTER = "shelter", _("Shelter")
    MEDICAL = "medical", _("Medical care")
    MENTAL_HEALTH = "psychosocial", _("Psychosocial support")
    LEGAL = "legal", _("Legal assistance")
    RETURN = "return", _("Return assistance")
    REINTEGRATION = "reintegration", _("Reintegration assistance")
    FAMILY_TRACING = "family_tracing", _("Family tracing")
    LIVELIHOOD = "livelihood", _("Livelihood and employment")
    EDUCATION = "education", _("Education")
    RESETTLEMENT = "resettlement", _("Resettlement")
    CASE_MANAGEMENT = "case_management", _("Case management")


class ReferralAuditAction(models.TextChoices):
    """Audit actions of referrals, passed to `core.audit.record` as their string values."""

    AGREEMENT_CREATE = "sharing_agreement_create", _("Data-sharing agreement recorded")
    AGREEMENT_DEACTIVATE = "sharing_agreement_end", _("Data-sharing agreement ended")
    CREATE = "referral_create", _("Referral or transfer requested")
    APPROVE_OVERRIDE = "referral_override_approve", _("Consent override approved")
    ACCEPT = "referral_accept", _("Referral or transfer accepted")
    REJECT = "referral_reject", _("Referral or transfer rejected")
    REVOKE = "referral_revoke", _("Referral or transfer revoked")
    EXPIRE = "referral_expire", _("Referral expired")
    READ = "referral_read", _("Referred case read by the receiver")
    REFUSED = "referral_refused", _("Referral step refused")


class DataSharingAgreement(TimeStampedModel):
    """A signed agreement letting `from_organization` share the listed sections of its cases
    with `to_organization`, for a purpose, from `valid_from` to `valid_until` (both days
    included), while active."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    from_organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("sharing organization"),
        on_delete=models.PROTECT,
        related_name="sharing_agreements_given",
    )
    to_organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("receiving organization"),
        on_delete=models.PROTECT,
        related_name="sharing_agreements_received",
    )
    purpose = models.CharField(_("purpose"), max_length=300)
    shared_sections = models.JSONField(
        _("sections shared"),
        default=list,
        help_text=_("Codes from the catalogue of shareable sections (SharedSection)."),
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    signed_reference = models.CharField(_("signed agreement reference"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["from_organization__name", "to_organization__name", "-valid_from", "-id"]
        verbose_name = _("data-sharing agreement")
        verbose_name_plural = _("data-sharing agreements")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_organization=F("to_organization")),
                name="%(app_label)s_%(class)s_not_to_self",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")),
                name="%(app_label)s_%(class)s_valid_period",
            ),
        ]
        indexes = [
            models.Index(
                fields=["from_organization", "to_organization", "is_active"],
                name="cases_dsa_pair_idx",
            )
        ]

    def __str__(self) -> str:
        return self.signed_reference

    @property
    def owner_organization_id(self) -> int:
        return self.from_organization_id

    def in_force(self, at: datetime.datetime | None = None) -> bool:
        """Active, and `at` (now by default) falls within its validity (local days)."""
        day = timezone.localdate(at) if at is not None else timezone.localdate()
        return self.is_active and self.valid_from <= day <= self.valid_until


class Referral(VersionedModel):
    """A request from the case's organization to another one: a referral (time-boxed read of
    the agreement's sections) or a transfer (the case moves on acceptance).

    `shared_sections` is the agreement's list when the referral was made. With the `override`
    basis, the referral takes effect only once `approved_by` (someone other than the
    requester, holding the override permission in the sending organization) has approved it.
    """

    audit_exclude_fields = ("override_reason", "decision_reason")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    agreement = models.ForeignKey(
        DataSharingAgreement,
        verbose_name=_("data-sharing agreement"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    from_organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("sending organization"),
        on_delete=models.PROTECT,
        related_name="referrals_sent",
    )
    to_organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("receiving organization"),
        on_delete=models.PROTECT,
        related_name="referrals_received",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ReferralKind.choices)
    services = models.JSONField(_("services requested"), default=list, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ReferralStatus.choices,
        default=ReferralStatus.REQUESTED,
        db_index=True,
    )
    shared_sections = models.JSONField(_("sections shared"), default=list)
    basis = models.CharField(_("legal basis"), max_length=16, choices=ReferralBasis.choices)
    override_reason = EncryptedTextField(_("reason for the override"), blank=True, default="")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("override approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("override approved"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted or rejected by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("accepted or rejected"), null=True, blank=True)
    decision_reason = EncryptedTextField(_("reason given"), blank=True, default="")
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), db_index=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_organization=F("to_organization")),
                name="%(app_label)s_%(class)s_not_to_self",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("requested_at")),
                name="%(app_label)s_%(class)s_expires_after_request",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("requested_by")),
                name="%(app_label)s_%(class)s_approver_not_requester",
            ),
            models.CheckConstraint(
                condition=Q(basis=ReferralBasis.OVERRIDE) | Q(approved_by__isnull=True),
                name="%(app_label)s_%(class)s_approval_only_for_override",
            ),
            models.CheckConstraint(
                condition=Q(approved_at__isnull=True) | Q(approved_by__isnull=False),
                name="%(app_label)s_%(class)s_approval_complete",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReferralStatus.ACCEPTED)
                | (
                    Q(decided_at__isnull=False)
                    & (Q(basis=ReferralBasis.CONSENT) | Q(approved_at__isnull=False))
                ),
                name="%(app_label)s_%(class)s_accepted_when_effective",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReferralStatus.REVOKED) | Q(revoked_at__isnull=False),
                name="%(app_label)s_%(class)s_revoked_dated",
            ),
            # One open referral of a case to an organization, and one pending transfer.
            models.UniqueConstraint(
                fields=["case", "to_organization"],
                condition=Q(status__in=["requested", "accepted"], kind="referral"),
                name="%(app_label)s_%(class)s_one_open_per_receiver",
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status="requested", kind="transfer"),
                name="%(app_label)s_%(class)s_one_pending_transfer",
            ),
        ]
        indexes = [
            models.Index(fields=["to_organization", "status"], name="cases_referral_to_idx"),
            models.Index(fields=["case", "status"], name="cases_referral_case_idx"),
        ]

    def __str__(self) -> str:
        return str(_("Referral %(id)s")) % {"id": str(self.public_id)[:8]}

    @property
    def owner_organization_id(self) -> int:
        return self.from_organization_id

    @property
    def needs_approval(self) -> bool:
        """An override not yet approved by a second person."""
        return self.basis == ReferralBasis.OVERRIDE and self.approved_at is None

    def effective_status(self, at: datetime.datetime | None = None) -> str:
        """The status, reading an open referral past `expires_at` as expired."""
        at = at or timezone.now()
        if self.status in OPEN_STATUSES and self.expires_at <= at:
            return ReferralStatus.EXPIRED
        return self.status
