"""Cases: one service to one person (a return, assistance to a victim of trafficking, help in
transit, a resettlement movement), with its notes, tasks and timeline.

The case's workflow is in `cases.workflows` (its `state` holds the state id). The
special-category details are kept per sensitivity class, each in its own encrypted column, so
that a role sees (or is refused) a whole class, and a raw database dump shows ciphertext.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from migration_hub.core.encryption import EncryptedJSONField, EncryptedTextField
from migration_hub.core.models import TimeStampedModel, VersionedModel

from ..choices import CaseType, Sensitivity
from ..workflows import state_label

# {encrypted detail field of a case: its sensitivity class}
DETAIL_FIELDS = {
    "trafficking_details": Sensitivity.TRAFFICKING,
    "health_details": Sensitivity.HEALTH,
    "gbv_details": Sensitivity.GBV,
    "child_protection_details": Sensitivity.CHILD_PROTECTION,
}


class CaseSequence(models.Model):
    """The last number given to a case of one type, year and organization (for references
    such as AVRR-2026-000123); locked while a case is opened."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+"
    )
    case_type = models.CharField(max_length=32, choices=CaseType.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["organization", "case_type", "year"]
        verbose_name = _("case number sequence")
        verbose_name_plural = _("case number sequences")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "case_type", "year"],
                name="%(app_label)s_%(class)s_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_type} {self.year}: {self.last}"


class Case(VersionedModel):
    """One case of one person in one organization, office and (optionally) team."""

    audit_exclude_fields = tuple(DETAIL_FIELDS)

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=32, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    office = models.ForeignKey(
        "accounts.Office",
        verbose_name=_("office"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    team = models.ForeignKey(
        "cases.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    person = models.ForeignKey(
        "cases.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="cases"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned caseworker"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
    )
    case_type = models.CharField(_("case type"), max_length=32, choices=CaseType.choices)
    state = models.CharField(_("state"), max_length=32, db_index=True)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    trafficking_details = EncryptedJSONField(
        _("trafficking details"), encoder=DjangoJSONEncoder, default=dict, blank=True
    )
    health_details = EncryptedJSONField(
        _("health details"), encoder=DjangoJSONEncoder, default=dict, blank=True
    )
    gbv_details = EncryptedJSONField(
        _("gender-based violence details"), encoder=DjangoJSONEncoder, default=dict, blank=True
    )
    child_protection_details = EncryptedJSONField(
        _("child protection details"), encoder=DjangoJSONEncoder, default=dict, blank=True
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "reference"], name="%(app_label)s_%(class)s_unique_ref"
            ),
            models.CheckConstraint(
                condition=Q(state="closed") | Q(closed_at__isnull=True),
                name="%(app_label)s_%(class)s_closed_at_only_when_closed",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "office", "team"], name="cases_case_scope_idx"),
            models.Index(fields=["assigned_to", "organization"], name="cases_case_assignee_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def owner_organization_id(self) -> int:
        return self.organization_id

    @property
    def state_label(self) -> str:
        return state_label(self.case_type, self.state)


class CaseNote(TimeStampedModel):
    """A note on a case; its text is encrypted, and masked by role when it has a sensitivity
    class."""

    audit_exclude_fields = ("text",)

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sensitivity = models.CharField(
        _("sensitivity"), max_length=32, choices=Sensitivity.choices, blank=True
    )
    text = EncryptedTextField(_("text"))

    class Meta:
        ordering = ["case", "-created_at", "-id"]
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")

    def __str__(self) -> str:
        return str(_("Note %(number)s")) % {"number": self.pk}

    @property
    def owner_organization_id(self) -> int:
        return self.case.organization_id


class CaseTask(TimeStampedModel):
    """Something to do on a case by a date; its title is encrypted (it may name people)."""

    audit_exclude_fields = ("title",)

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="tasks"
    )
    title = EncryptedTextField(_("title"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        ordering = ["case", "done", "due_on", "id"]
        verbose_name = _("case task")
        verbose_name_plural = _("case tasks")
        constraints = [
            models.CheckConstraint(
                condition=Q(done=False) | Q(done_at__isnull=False),
                name="%(app_label)s_%(class)s_done_dated",
            )
        ]

    def __str__(self) -> str:
        return str(_("Task %(number)s")) % {"number": self.pk}

    @property
    def owner_organization_id(self) -> int:
        return self.case.organization_id


class CaseEvent(models.Model):
    """One step of a case's timeline: opened, moved from a state to another, assigned."""

    audit_exclude_fields = ("note",)

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events"
    )
    event = models.CharField(_("event"), max_length=32)
    from_state = models.CharField(_("from"), max_length=32, blank=True)
    to_state = models.CharField(_("to"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    note = EncryptedTextField(_("note"), blank=True, default="")

    class Meta:
        ordering = ["case", "at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_state} -> {self.to_state}"

    @property
    def owner_organization_id(self) -> int:
        return self.case.organization_id
