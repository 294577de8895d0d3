"""The assessment workflow: panel sites and their physicians, assessments with their results,
certificates and referrals to a national TB programme.

Everything said about a person (name, date of birth, sex, document number, the profile given to
the requirements engine, results, reasons) is encrypted at rest (`core.encryption`): the
database can neither read nor filter it. Reads go through `health.selectors` and writes through
`health.workflow`, both of which check the object-level rules of `health.permissions` and write
the audit trail; the audit trail never copies an encrypted value (`audit_exclude_fields`).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from migration_hub.core.encryption import EncryptedJSONField, EncryptedTextField
from migration_hub.core.models import TimeStampedModel, VersionedModel

# Imported for the rules it registers, with the models they guard: `health/apps.py` has no
# `ready()` hook importing them (yet), and a rule must exist before any page asks it.
from .. import permissions as _permissions  # noqa: F401
from ..choices import Destination, Item, Sex
from ..workflow_choices import (
    AssessmentStatus,
    Decision,
    ReferralStatus,
    ResultOutcome,
    TbClass,
)
from .protocols import ProtocolVersion


class PanelSite(TimeStampedModel):
    """A clinic where panel physicians examine people for the destinations it serves.

    The organization that runs it is the tenant whose health roles give access to its
    assessments (`owner_organization_id`)."""

    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(
        _("country"), max_length=2, help_text=_("ISO 3166 alpha-2 code, such as KE.")
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization running it"),
        on_delete=models.PROTECT,
        related_name="health_panel_sites",
    )
    destinations = models.JSONField(
        _("destinations served"),
        default=list,
        blank=True,
        help_text=_("ISO alpha-2 codes of the destinations whose protocols the site applies."),
    )
    tb_programme = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("national TB programme"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The partner organization the site refers suspected TB to."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("panel site")
        verbose_name_plural = _("panel sites")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="%(app_label)s_%(class)s_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def owner_organization_id(self) -> int:
        return self.organization_id

    def serves(self, destination: str) -> bool:
        return not self.destinations or destination in self.destinations

    def destination_labels(self) -> list[str]:
        return [
            str(Destination(code).label) for code in self.destinations if code in Destination.values
        ]


class Physician(TimeStampedModel):
    """A user who examines at a panel site, with the licence the site holds on file."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="panel_physician_posts",
    )
    site = models.ForeignKey(
        PanelSite,
        verbose_name=_("panel site"),
        on_delete=models.PROTECT,
        related_name="physicians",
    )
    licence_number = models.CharField(_("licence number"), max_length=64)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["site__name", "user__last_name", "user__username"]
        verbose_name = _("panel physician")
        verbose_name_plural = _("panel physicians")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "site"], name="%(app_label)s_%(class)s_one_post_per_site"
            )
        ]

    def __str__(self) -> str:
        name = (self.user.get_full_name() or "").strip() or self.user.get_username()
        return f"{name} ({self.site})"

    @property
    def owner_organization_id(self) -> int:
        return self.site.organization_id

    def training_current(self, day: datetime.date) -> bool:
        """Whether a training record covers `day` (completed by then, not expired)."""
        return any(
            record.completed_on <= day and (record.expires_on is None or day <= record.expires_on)
            for record in self.training_records.all()
        )


class TrainingRecord(TimeStampedModel):
    """A course a panel physician completed, such as the destination's panel training."""

    physician = models.ForeignKey(
        Physician,
        verbose_name=_("physician"),
        on_delete=models.CASCADE,
        related_name="training_records",
    )
    course = models.CharField(_("course"), max_length=200)
    completed_on = models.DateField(_("completed on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    class Meta:
        ordering = ["physician", "-completed_on"]
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=F("completed_on")),
                name="%(app_label)s_%(class)s_expires_after_completion",
            )
        ]

    def __str__(self) -> str:
        return f"{self.course} ({self.completed_on:%Y-%m-%d})"

    @property
    def owner_organization_id(self) -> int:
        return self.physician.site.organization_id


class Assessment(VersionedModel):
    """One person's migration health assessment at a panel site, from the appointment to the
    certificate. It records the protocol version it was assessed under and what that version
    required of the person's profile, as the engine answered at scheduling time."""

    # Never copied into the audit trail: they are encrypted because they are about the person.
    audit_exclude_fields = (
        "full_name",
        "date_of_birth",
        "sex",
        "document_number",
        "profile",
        "requirements",
        "decision_reason",
    )

    site = models.ForeignKey(
        PanelSite,
        verbose_name=_("panel site"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    physician = models.ForeignKey(
        Physician,
        verbose_name=_("physician"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    appointment_at = models.DateTimeField(_("appointment"), db_index=True)
    # About the person: encrypted.
    full_name = EncryptedTextField(_("full name"))
    date_of_birth = EncryptedTextField(_("date of birth"), help_text=_("YYYY-MM-DD"))
    sex = EncryptedTextField(_("sex"), choices=Sex.choices, default=Sex.UNKNOWN)
    document_number = EncryptedTextField(_("travel document number"), blank=True, default="")
    profile = EncryptedJSONField(
        _("profile"),
        encoder=DjangoJSONEncoder,
        help_text=_("The profile the requirements engine was given."),
    )
    requirements = EncryptedJSONField(
        _("requirements"),
        encoder=DjangoJSONEncoder,
        help_text=_("What the protocol version required of this profile, with reasons."),
    )
    # Not about the person alone, and needed by the lists and dashboards: plain columns.
    destination = models.CharField(
        _("destination"), max_length=2, choices=Destination.choices, db_index=True
    )
    exam_date = models.DateField(_("exam date"))
    protocol_version = models.ForeignKey(
        ProtocolVersion,
        verbose_name=_("protocol version"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.SCHEDULED,
        db_index=True,
    )
    tb_class = models.CharField(_("TB class"), max_length=4, choices=TbClass.choices, blank=True)
    classified_at = models.DateTimeField(_("classified"), null=True, blank=True)
    classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("classified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices, blank=True)
    decision_reason = EncryptedTextField(_("reason for the decision"), blank=True, default="")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-appointment_at", "-id"]
        verbose_name = _("health assessment")
        verbose_name_plural = _("health assessments")
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="") | Q(decided_at__isnull=False),
                name="%(app_label)s_%(class)s_decision_dated",
            ),
        ]

    def __str__(self) -> str:
        # No name: the string of a record may reach logs and the admin's history.
        return str(_("Assessment %(number)s")) % {"number": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("health:assessment_detail", args=[self.pk])

    @property
    def owner_organization_id(self) -> int:
        return self.site.organization_id

    @property
    def birth_date(self) -> datetime.date | None:
        try:
            return datetime.date.fromisoformat(self.date_of_birth or "")
        except ValueError:
            return None

    @property
    def required_items(self) -> list[str]:
        return [entry["item"] for entry in (self.requirements or {}).get("required", [])]


class Result(models.Model):
    """The result of one item of the examination (one per item and assessment); the outcome,
    the value and the notes are encrypted."""

    audit_exclude_fields = ("outcome", "value", "notes")

    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("assessment"),
        on_delete=models.CASCADE,
        related_name="results",
    )
    item = models.CharField(_("item"), max_length=32, choices=Item.choices)
    outcome = EncryptedTextField(_("outcome"), choices=ResultOutcome.choices)
    value = EncryptedTextField(_("value"), blank=True, default="")
    notes = EncryptedTextField(_("notes"), blank=True, default="")
    result_date = models.DateField(_("date of the result"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        ordering = ["assessment", "item"]
        verbose_name = _("result")
        verbose_name_plural = _("results")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "item"], name="%(app_label)s_%(class)s_one_per_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment}: {self.get_item_display()}"

    @property
    def owner_organization_id(self) -> int:
        return self.assessment.site.organization_id


class Certificate(models.Model):
    """The certificate of a cleared assessment, valid until a date the protocol version sets
    (months from the examination or from the chest X-ray)."""

    assessment = models.OneToOneField(
        Assessment,
        verbose_name=_("assessment"),
        on_delete=models.PROTECT,
        related_name="certificate",
    )
    number = models.CharField(_("number"), max_length=40, unique=True)
    issued_at = models.DateTimeField(_("issued"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    valid_from = models.DateField(_("validity counted from"))
    valid_until = models.DateField(_("valid until"))
    validity = models.JSONField(
        _("validity rule"),
        default=dict,
        help_text=_("The protocol's validity rule applied: months, counted from, rule, source."),
    )

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("health certificate")
        verbose_name_plural = _("health certificates")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gt=F("valid_from")),
                name="%(app_label)s_%(class)s_valid_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("health:certificate_download", args=[self.assessment_id])

    @property
    def owner_organization_id(self) -> int:
        return self.assessment.site.organization_id


class TbReferral(VersionedModel):
    """A referral of suspected or confirmed TB to a national TB programme, a partner
    organization of the registry. It exists only with the person's recorded consent."""

    audit_exclude_fields = ("reason",)

    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("assessment"),
        on_delete=models.CASCADE,
        related_name="tb_referrals",
    )
    to_organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("referred to"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    consent_given = models.BooleanField(_("consent given"))
    consent_recorded_at = models.DateTimeField(_("consent recorded"))
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consent recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    reason = EncryptedTextField(_("reason"), blank=True, default="")
    sent_at = models.DateTimeField(_("sent"))

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("TB referral")
        verbose_name_plural = _("TB referrals")
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_given=True), name="%(app_label)s_%(class)s_with_consent"
            ),
            models.UniqueConstraint(
                fields=["assessment"],
                condition=~Q(status=ReferralStatus.CLOSED),
                name="%(app_label)s_%(class)s_one_open_per_assessment",
            ),
        ]

    def __str__(self) -> str:
        return str(_("TB referral %(number)s")) % {"number": self.pk}

    @property
    def owner_organization_id(self) -> int:
        return self.assessment.site.organization_id
