"""Who reaches which cases: teams inside offices, staff rows (a user's case-management role and
record scope in one organization), and break-glass requests.

The scope of each staff row is applied by `cases.selectors.cases_for`, the one place that
limits cases to a user; what a role sees of each sensitivity class is `cases.permissions`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from migration_hub.core.encryption import EncryptedTextField
from migration_hub.core.models import TimeStampedModel

from ..choices import CaseRole, RecordScope

# The scope a staff row gets when none is given.
DEFAULT_SCOPE = {
    CaseRole.CASEWORKER: RecordScope.OWN,
    CaseRole.CASE_SUPERVISOR: RecordScope.TEAM,
    CaseRole.OFFICE_MANAGER: RecordScope.OFFICE,
    CaseRole.DATA_PROTECTION_OFFICER: RecordScope.ORGANIZATION,
    CaseRole.ORGANIZATION_ADMIN: RecordScope.ORGANIZATION,
    CaseRole.AUDITOR: RecordScope.ORGANIZATION,
    CaseRole.PLATFORM_OVERSIGHT: RecordScope.ALL,
}


class Team(TimeStampedModel):
    """A team of caseworkers in one office of an organization."""

    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="case_teams",
    )
    office = models.ForeignKey(
        "accounts.Office",
        verbose_name=_("office"),
        on_delete=models.PROTECT,
        related_name="case_teams",
    )
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["office__name", "name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "name"], name="%(app_label)s_%(class)s_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def owner_organization_id(self) -> int:
        return self.organization_id


class CaseStaff(TimeStampedModel):
    """A user's case-management role in one organization (optionally an office and a team),
    with the record scope it gives: own, team, office, organization, or all (every
    organization, for the platform oversight role only)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="case_staff_rows",
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="case_staff",
    )
    office = models.ForeignKey(
        "accounts.Office",
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_staff",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    role = models.CharField(_("role"), max_length=32, choices=CaseRole.choices)
    scope = models.CharField(_("record scope"), max_length=16, choices=RecordScope.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["organization__name", "user__username", "role"]
        verbose_name = _("case staff role")
        verbose_name_plural = _("case staff roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="%(app_label)s_%(class)s_unique_role"
            ),
            models.CheckConstraint(
                condition=~Q(scope=RecordScope.TEAM) | Q(team__isnull=False),
                name="%(app_label)s_%(class)s_team_scope_has_team",
            ),
            models.CheckConstraint(
                condition=~Q(scope=RecordScope.OFFICE) | Q(office__isnull=False),
                name="%(app_label)s_%(class)s_office_scope_has_office",
            ),
            models.CheckConstraint(
                condition=~Q(scope=RecordScope.ALL) | Q(role=CaseRole.PLATFORM_OVERSIGHT),
                name="%(app_label)s_%(class)s_all_scope_platform_only",
            ),
            models.CheckConstraint(
                condition=Q(team__isnull=True) | Q(office__isnull=False),
                name="%(app_label)s_%(class)s_team_within_office",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} - {self.get_role_display()} - {self.get_scope_display()}"

    @property
    def owner_organization_id(self) -> int:
        return self.organization_id


class BreakGlassRequest(models.Model):
    """Emergency access of one user to one case outside their scope: requested with a reason,
    approved by another user of the case's organization holding the case supervisor or data
    protection officer role, valid until `expires_at`. The request, the approval and each read
    through it are audited."""

    audit_exclude_fields = ("reason",)

    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="break_glass_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = EncryptedTextField(_("reason"))
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("break-glass request")
        verbose_name_plural = _("break-glass requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("requested_by")),
                name="%(app_label)s_%(class)s_approver_not_requester",
            ),
            models.CheckConstraint(
                condition=Q(approved_at__isnull=True)
                | (Q(approved_by__isnull=False) & Q(expires_at__gt=F("approved_at"))),
                name="%(app_label)s_%(class)s_approval_complete",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Break-glass request %(number)s")) % {"number": self.pk}

    @property
    def owner_organization_id(self) -> int:
        return self.case.organization_id

    def active(self, at=None) -> bool:
        at = at or timezone.now()
        return self.approved_at is not None and self.expires_at is not None and at < self.expires_at
