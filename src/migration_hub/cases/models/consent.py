"""Consent of a person, per purpose: receiving services, sharing with named organizations,
statistics, family tracing.

A consent is recorded with its date, who collected it and its scope. For a child (under 18 on
the day it is recorded) it holds the child's assent and a guardian's consent (a linked person
or a name). A withdrawal dates the row and takes effect at once: `cases.services.has_consent`
is the one check everything asks.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from migration_hub.core.encryption import EncryptedTextField

from ..choices import ConsentPurpose


class Consent(models.Model):
    """One consent of a person for one purpose, until withdrawn."""

    audit_exclude_fields = ("guardian_name", "scope", "withdrawal_reason")

    person = models.ForeignKey(
        "cases.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="consents",
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=ConsentPurpose.choices)
    scope = EncryptedTextField(
        _("scope"), blank=True, default="", help_text=_("What the person agreed to, as told.")
    )
    organizations = models.ManyToManyField(
        "accounts.Organization",
        verbose_name=_("organizations data may be shared with"),
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("collected by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_child = models.BooleanField(
        _("given for a child"), default=False, help_text=_("Under 18 on the day recorded.")
    )
    child_assent = models.BooleanField(_("the child's assent"), null=True, blank=True)
    guardian = models.ForeignKey(
        "cases.Person",
        verbose_name=_("guardian"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    guardian_name = EncryptedTextField(_("guardian's name"), blank=True, default="")
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawal recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawal_reason = EncryptedTextField(_("reason for the withdrawal"), blank=True, default="")

    class Meta:
        ordering = ["person", "purpose", "-recorded_at", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_child=False) | Q(child_assent=True),
                name="%(app_label)s_%(class)s_child_assent",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=F("recorded_at")),
                name="%(app_label)s_%(class)s_withdrawn_after_recorded",
            ),
            models.CheckConstraint(
                condition=Q(guardian__isnull=True) | ~Q(guardian=F("person")),
                name="%(app_label)s_%(class)s_guardian_not_self",
            ),
        ]
        indexes = [models.Index(fields=["person", "purpose"], name="cases_consent_purpose_idx")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.person_id})"

    @property
    def owner_organization_id(self) -> int:
        return self.person.organization_id

    def in_force(self, at=None) -> bool:
        at = at or timezone.now()
        return self.recorded_at <= at and (self.withdrawn_at is None or at < self.withdrawn_at)
