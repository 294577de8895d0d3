"""People, the organizations they work for (the tenants), offices and roles."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from migration_hub.core.models import TimeStampedModel, VersionedModel

from .choices import OrganizationKind, Role

code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]{0,31}$",
    _("Use 1 to 32 capital letters, digits or hyphens, starting with a letter or digit."),
)


class User(AbstractUser):
    """A person who signs in. Roles come from memberships, not from Django groups."""

    # Personal data stays out of the audit trail; the trail names the account by id.
    audit_exclude_fields = ("first_name", "last_name", "email", "last_login")

    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def role_map(self) -> dict[str, frozenset[str]]:
        """{organization id: roles held there}; read through core.permissions.roles_of."""
        result: dict[str, set[str]] = {}
        for organization_id, role in self.memberships.values_list("organization_id", "role"):
            result.setdefault(str(organization_id), set()).add(role)
        return {org: frozenset(roles) for org, roles in result.items()}


class Organization(VersionedModel):
    """A ministry, IGO, NGO, network secretariat, donor or parliament that uses the platform."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=32, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganizationKind.choices)
    country = models.ForeignKey(
        "core.Country",
        verbose_name=_("country of headquarters"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:organization_detail", kwargs={"code": self.code})

    @property
    def owner_organization_id(self) -> int:
        return self.pk

    def search_document(self) -> tuple[str, str]:
        return self.name, f"{self.acronym} {self.code} {self.description}"


class Office(VersionedModel):
    """An organization's presence in a country."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="offices",
    )
    country = models.ForeignKey(
        "core.Country",
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        related_name="offices",
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=200)
    is_headquarters = models.BooleanField(_("headquarters"), default=False)

    class Meta:
        ordering = ["organization__name", "name"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(is_headquarters=True),
                name="%(app_label)s_%(class)s_one_headquarters",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def owner_organization_id(self) -> int:
        return self.organization_id


class Membership(TimeStampedModel):
    """One role a user holds in one organization."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    class Meta:
        ordering = ["organization__name", "user__username", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="%(app_label)s_%(class)s_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} - {self.organization}"

    @property
    def owner_organization_id(self) -> int:
        return self.organization_id


class RolePolicy(models.Model):
    """Rules an administrator sets per role, such as requiring two-factor sign-in."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, unique=True)
    require_two_factor = models.BooleanField(_("require two-factor sign-in"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["role"]
        verbose_name = _("role policy")
        verbose_name_plural = _("role policies")

    def __str__(self) -> str:
        return self.get_role_display()
