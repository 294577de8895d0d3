"""The governance landscape: organizations, memberships, networks, instruments, rights and
frameworks (GCM, MIGOF, SDGs), every record with its source and its history."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from migration_hub.core.models import Country, Region, VersionedModel

from .choices import (
    CrosswalkRelation,
    FrameworkItemKind,
    InstrumentKind,
    MembershipKind,
    MigrationMandate,
    NetworkKind,
    NetworkRole,
    OfficeKind,
    OrganizationKind,
    ParticipationAction,
    Scope,
)

code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9.-]{0,47}$",
    _("Use capital letters, digits, dots or hyphens, starting with a letter or digit."),
)


class Sourced(VersionedModel):
    """A record that says where its facts come from, with a version against lost updates."""

    source = models.CharField(
        _("source"),
        max_length=500,
        help_text=_("A URL or a citation such as A/RES/73/195 para 15."),
    )

    class Meta:
        abstract = True


class Organization(Sourced):
    """An actor of migration governance: a UN entity, an IGO, a union, a bank, a parliament..."""

    code = models.CharField(_("code"), max_length=48, unique=True, validators=[code_validator])
    acronym = models.CharField(_("acronym"), max_length=48, blank=True)
    name = models.CharField(_("name"), max_length=300)
    names = models.JSONField(
        _("names in the UN languages"),
        default=dict,
        blank=True,
        help_text=_("Language code to name, where the name is known."),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=OrganizationKind.choices)
    founding_instrument = models.ForeignKey(
        "Instrument",
        verbose_name=_("founding instrument"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="founded_organizations",
    )
    founded_year = models.PositiveSmallIntegerField(_("founded"), null=True, blank=True)
    headquarters_country = models.ForeignKey(
        Country,
        verbose_name=_("headquarters country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="headquartered_organizations",
    )
    headquarters_city = models.CharField(_("headquarters city"), max_length=100, blank=True)
    migration_mandate = models.CharField(
        _("migration mandate"), max_length=16, choices=MigrationMandate.choices, blank=True
    )
    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices, blank=True)
    regions = models.ManyToManyField(
        Region, verbose_name=_("regions of work"), blank=True, related_name="organizations"
    )
    thematic_areas = models.ManyToManyField(
        "FrameworkItem",
        verbose_name=_("thematic areas and objectives"),
        blank=True,
        related_name="organizations",
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:organization_detail", kwargs={"code": self.code})

    @property
    def display_name(self) -> str:
        """The name in the reader's language where the registry knows it, else in English."""
        return self.names.get(get_language() or "", "") or self.name

    def search_document(self) -> tuple[str, str]:
        other_names = " ".join(str(name) for name in self.names.values())
        return self.name, f"{self.acronym} {self.code} {other_names} {self.description}"


class OrganizationFact(Sourced):
    """A dated figure about an organization, e.g. 173 member states in 2020."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="facts",
    )
    name = models.CharField(_("what"), max_length=100)
    value = models.CharField(_("value"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["organization__name", "name", "year"]
        verbose_name = _("organization fact")
        verbose_name_plural = _("organization facts")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name", "year"], name="%(app_label)s_%(class)s_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization.code} {self.name}: {self.value} ({self.year})"


class Office(Sourced):
    """An organization's presence in a country (headquarters, regional or country office)."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="offices",
    )
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        related_name="registry_offices",
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=OfficeKind.choices, default=OfficeKind.COUNTRY
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["organization__name", "country__name", "city"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "country", "city"], name="%(app_label)s_%(class)s_unique"
            )
        ]

    def __str__(self) -> str:
        place = f"{self.city}, {self.country}" if self.city else str(self.country)
        return f"{self.organization.code}: {place}"


class Membership(Sourced):
    """A country or an organization belonging to an organization (member, observer, associate)."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    member_country = models.ForeignKey(
        Country,
        verbose_name=_("member country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organization_memberships",
    )
    member_organization = models.ForeignKey(
        Organization,
        verbose_name=_("member organization"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships_held",
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=MembershipKind.choices, default=MembershipKind.MEMBER
    )
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["organization__name", "member_country__name", "member_organization__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(member_country__isnull=False, member_organization__isnull=True)
                    | Q(member_country__isnull=True, member_organization__isnull=False)
                ),
                name="%(app_label)s_%(class)s_one_member",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="%(app_label)s_%(class)s_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["organization", "member_country", "kind"],
                condition=Q(member_country__isnull=False),
                name="%(app_label)s_%(class)s_unique_country",
            ),
            models.UniqueConstraint(
                fields=["organization", "member_organization", "kind"],
                condition=Q(member_organization__isnull=False),
                name="%(app_label)s_%(class)s_unique_organization",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} - {self.get_kind_display()} - {self.organization.code}"

    @property
    def member(self) -> Country | Organization | None:
        return self.member_country or self.member_organization


class Network(Sourced):
    """A migration network: the UN Network on Migration, a regional or a country network."""

    code = models.CharField(_("code"), max_length=48, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=16, choices=NetworkKind.choices)
    established_year = models.PositiveSmallIntegerField(_("established"), null=True, blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="networks",
    )
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="networks",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:network_detail", kwargs={"code": self.code})

    def search_document(self) -> tuple[str, str]:
        return self.name, f"{self.code} {self.description}"


class NetworkMembership(Sourced):
    """An organization in a network, with its roles there (every member has `member`)."""

    network = models.ForeignKey(
        Network, verbose_name=_("network"), on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="network_memberships",
    )
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["network__name", "organization__name"]
        verbose_name = _("network membership")
        verbose_name_plural = _("network memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "organization"], name="%(app_label)s_%(class)s_unique"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="%(app_label)s_%(class)s_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization.code} in {self.network.code}"

    @property
    def roles(self) -> list[str]:
        """Role codes, in the order of NetworkRole (prefetch `role_rows` in lists)."""
        held = {row.role for row in self.role_rows.all()}
        return [role for role in NetworkRole.values if role in held]


class NetworkMembershipRole(models.Model):
    """One role of a network membership, as a row so filtering by role uses an index."""

    membership = models.ForeignKey(
        NetworkMembership, on_delete=models.CASCADE, related_name="role_rows"
    )
    role = models.CharField(_("role"), max_length=24, choices=NetworkRole.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["membership", "role"]
        verbose_name = _("network role")
        verbose_name_plural = _("network roles")
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "role"], name="%(app_label)s_%(class)s_unique"
            )
        ]

    def __str__(self) -> str:
        return self.role


class Instrument(Sourced):
    """A legal or policy instrument: treaty, convention, protocol, declaration, compact..."""

    code = models.CharField(_("code"), max_length=48, unique=True, validators=[code_validator])
    title = models.CharField(_("title"), max_length=400)
    short_title = models.CharField(_("short title"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=InstrumentKind.choices)
    binding = models.BooleanField(_("legally binding"))
    core_migration = models.BooleanField(
        _("core migration instrument"),
        default=False,
        help_text=_("Counted in a country's gap analysis."),
    )
    adopted_on = models.DateField(_("adopted"), null=True, blank=True)
    entry_into_force_on = models.DateField(_("entry into force"), null=True, blank=True)
    symbol = models.CharField(_("symbol"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("supplements"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="protocols",
    )
    adopted_by = models.ForeignKey(
        Organization,
        verbose_name=_("adopted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="instruments_adopted",
    )
    url = models.URLField(_("text"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["adopted_on", "title"]
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        constraints = [
            models.CheckConstraint(
                condition=Q(entry_into_force_on__isnull=True)
                | Q(adopted_on__isnull=True)
                | Q(entry_into_force_on__gte=F("adopted_on")),
                name="%(app_label)s_%(class)s_force_after_adoption",
            )
        ]

    def __str__(self) -> str:
        return self.short_title or self.title

    def get_absolute_url(self) -> str:
        return reverse("registry:instrument_detail", kwargs={"code": self.code})

    def search_document(self) -> tuple[str, str]:
        return self.title, f"{self.short_title} {self.code} {self.symbol}"


class Right(Sourced):
    """A right of migrants, protected by provisions of instruments."""

    code = models.CharField(_("code"), max_length=48, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("right")
        verbose_name_plural = _("rights")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:right_detail", kwargs={"code": self.code})

    def search_document(self) -> tuple[str, str]:
        return self.name, f"{self.code} {self.description}"


class Provision(Sourced):
    """An article or paragraph of an instrument, and the rights it protects."""

    instrument = models.ForeignKey(
        Instrument,
        verbose_name=_("instrument"),
        on_delete=models.CASCADE,
        related_name="provisions",
    )
    number = models.CharField(_("number"), max_length=50, help_text=_("e.g. Article 13"))
    title = models.CharField(_("title"), max_length=300, blank=True)
    rights = models.ManyToManyField(
        Right, verbose_name=_("rights protected"), blank=True, related_name="provisions"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["instrument", "position", "number"]
        verbose_name = _("provision")
        verbose_name_plural = _("provisions")
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "number"], name="%(app_label)s_%(class)s_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.number}"


class Participation(Sourced):
    """A state's signature, ratification, accession... of an instrument."""

    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="participations"
    )
    instrument = models.ForeignKey(
        Instrument,
        verbose_name=_("instrument"),
        on_delete=models.CASCADE,
        related_name="participations",
    )
    action = models.CharField(_("action"), max_length=16, choices=ParticipationAction.choices)
    date = models.DateField(_("date"), null=True, blank=True)
    reservations = models.TextField(_("reservations and declarations"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["instrument", "country__name", "date"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "instrument", "action"], name="%(app_label)s_%(class)s_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.country.alpha3} {self.action} {self.instrument.code}"


class Framework(Sourced):
    """A policy framework organized as a tree of items: the GCM, MIGOF, the SDGs..."""

    code = models.CharField(_("code"), max_length=48, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=300)
    instrument = models.ForeignKey(
        Instrument,
        verbose_name=_("instrument"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="frameworks",
    )
    owner = models.ForeignKey(
        Organization,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="frameworks",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")

    def __str__(self) -> str:
        return self.name


class FrameworkItem(Sourced):
    """An objective, principle, thematic area, target or indicator within a framework."""

    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.CASCADE, related_name="items"
    )
    code = models.CharField(_("code"), max_length=48, unique=True, validators=[code_validator])
    kind = models.CharField(_("kind"), max_length=24, choices=FrameworkItemKind.choices)
    number = models.CharField(_("number"), max_length=16, blank=True)
    title = models.CharField(_("title"), max_length=500)
    short_title = models.CharField(_("short title"), max_length=120, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["framework__code", "position", "code"]
        verbose_name = _("framework item")
        verbose_name_plural = _("framework items")

    def __str__(self) -> str:
        label = self.short_title or self.title
        return f"{self.code} {label}"

    def get_absolute_url(self) -> str:
        return reverse("registry:frameworkitem_detail", kwargs={"code": self.code})

    def search_document(self) -> tuple[str, str]:
        return self.title, f"{self.code} {self.short_title}"


class Crosswalk(Sourced):
    """A link between items of two frameworks, e.g. GCM objective 20 and SDG target 10.c."""

    from_item = models.ForeignKey(
        FrameworkItem,
        verbose_name=_("from"),
        on_delete=models.CASCADE,
        related_name="crosswalks_out",
    )
    to_item = models.ForeignKey(
        FrameworkItem, verbose_name=_("to"), on_delete=models.CASCADE, related_name="crosswalks_in"
    )
    relation = models.CharField(
        _("relation"),
        max_length=24,
        choices=CrosswalkRelation.choices,
        default=CrosswalkRelation.RELATES_TO,
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["from_item__code", "to_item__code"]
        verbose_name = _("crosswalk")
        verbose_name_plural = _("crosswalks")
        constraints = [
            models.UniqueConstraint(
                fields=["from_item", "to_item"], name="%(app_label)s_%(class)s_unique"
            ),
            models.CheckConstraint(
                condition=~Q(from_item=F("to_item")), name="%(app_label)s_%(class)s_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_item.code} → {self.to_item.code}"
