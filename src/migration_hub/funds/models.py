"""Pooled trust funds: donors' contributions, the concept-note-to-closure pipeline of joint
programmes, and the money as a double-entry ledger from which every balance is derived."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from migration_hub.core.models import TimeStampedModel, VersionedModel

from .choices import (
    Account,
    ContributionStatus,
    DecisionOutcome,
    DonorKind,
    GovernanceBody,
    ProgrammeStatus,
    ReportKind,
    SeatRole,
    TargetDimension,
    TransactionKind,
)

currency_validator = RegexValidator(
    r"^[A-Z]{3}$", _("Use the three-letter ISO 4217 code, such as USD or EUR.")
)
code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9.-]{0,31}$",
    _("Use capital letters, digits, dots or hyphens, starting with a letter or digit."),
)
share_validators = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


def money_field(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=18, decimal_places=2, **kwargs)


class Fund(VersionedModel):
    """A pooled fund, kept by the organization whose fund management unit runs it."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=300)
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("managed by"),
        on_delete=models.PROTECT,
        related_name="funds",
        help_text=_("The tenant whose fund managers run the fund."),
    )
    currency = models.CharField(
        _("currency"), max_length=3, default="USD", validators=[currency_validator]
    )
    funding_target = money_field(_("funding target"), null=True, blank=True)
    rubric = models.JSONField(
        _("quality assessment rubric"),
        default=list,
        blank=True,
        help_text=_("Criteria concept notes are scored on: a list of {code, label, max}."),
    )
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("fund")
        verbose_name_plural = _("funds")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("funds:fund_detail", kwargs={"code": self.code})

    @property
    def owner_organization_id(self) -> int:
        return self.organization_id


class ThematicArea(models.Model):
    """A cluster of GCM objectives the fund allocates by; editable, since funds define their own."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.CASCADE, related_name="thematic_areas"
    )
    code = models.CharField(_("code"), max_length=32, validators=[code_validator])
    name = models.CharField(_("name"), max_length=300)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    objectives = models.ManyToManyField(
        "registry.FrameworkItem",
        verbose_name=_("GCM objectives"),
        blank=True,
        related_name="fund_thematic_areas",
    )

    class Meta:
        ordering = ["fund", "position", "code"]
        verbose_name = _("thematic area")
        verbose_name_plural = _("thematic areas")
        constraints = [
            models.UniqueConstraint(fields=["fund", "code"], name="%(app_label)s_%(class)s_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def owner_organization_id(self) -> int:
        return self.fund.organization_id


class Marker(models.Model):
    """A scored marker such as the gender marker or the human rights marker, with its scale."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.CASCADE, related_name="markers"
    )
    code = models.CharField(_("code"), max_length=32, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    scale = models.JSONField(
        _("scale"), default=list, help_text=_("A list of {score, label}, lowest score first.")
    )

    class Meta:
        ordering = ["fund", "code"]
        verbose_name = _("marker")
        verbose_name_plural = _("markers")
        constraints = [
            models.UniqueConstraint(fields=["fund", "code"], name="%(app_label)s_%(class)s_code")
        ]

    def __str__(self) -> str:
        return self.name

    def scores(self) -> list[int]:
        return [int(step["score"]) for step in self.scale]

    def label_for(self, score: int | None) -> str:
        for step in self.scale:
            if int(step["score"]) == score:
                return f"{score} - {step['label']}"
        return "" if score is None else str(score)


class Target(models.Model):
    """A portfolio target: at least `minimum_share` percent of the money allocated goes to a
    thematic area, a region, or programmes scoring at least `minimum_score` on a marker."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.CASCADE, related_name="targets"
    )
    dimension = models.CharField(_("dimension"), max_length=16, choices=TargetDimension.choices)
    thematic_area = models.ForeignKey(
        ThematicArea,
        verbose_name=_("thematic area"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    marker = models.ForeignKey(
        Marker, verbose_name=_("marker"), null=True, blank=True, on_delete=models.CASCADE
    )
    minimum_score = models.PositiveSmallIntegerField(_("minimum score"), null=True, blank=True)
    minimum_share = models.DecimalField(
        _("minimum share (%)"), max_digits=5, decimal_places=2, validators=share_validators
    )
    source = models.CharField(_("source or decision"), max_length=500, blank=True)

    class Meta:
        ordering = ["fund", "dimension", "id"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        dimension=TargetDimension.THEMATIC_AREA,
                        thematic_area__isnull=False,
                        region__isnull=True,
                        marker__isnull=True,
                    )
                    | Q(
                        dimension=TargetDimension.REGION,
                        thematic_area__isnull=True,
                        region__isnull=False,
                        marker__isnull=True,
                    )
                    | Q(
                        dimension=TargetDimension.MARKER,
                        thematic_area__isnull=True,
                        region__isnull=True,
                        marker__isnull=False,
                        minimum_score__isnull=False,
                    )
                ),
                name="%(app_label)s_%(class)s_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(minimum_share__gte=0, minimum_share__lte=100),
                name="%(app_label)s_%(class)s_share_is_a_percentage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject}: ≥ {self.minimum_share}%"

    @property
    def subject(self) -> str:
        if self.dimension == TargetDimension.THEMATIC_AREA:
            return str(self.thematic_area)
        if self.dimension == TargetDimension.REGION:
            return str(self.region)
        return f"{self.marker} ≥ {self.minimum_score}"


class GovernanceSeat(models.Model):
    """A seat on one of the fund's bodies, held by an organization or a state from the registry."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.CASCADE, related_name="seats"
    )
    body = models.CharField(_("body"), max_length=32, choices=GovernanceBody.choices)
    role = models.CharField(
        _("role"), max_length=16, choices=SeatRole.choices, default=SeatRole.MEMBER
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fund_seats",
    )
    country = models.ForeignKey(
        "core.Country",
        verbose_name=_("state"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fund_seats",
    )

    class Meta:
        ordering = ["fund", "body", "role", "id"]
        verbose_name = _("governance seat")
        verbose_name_plural = _("governance seats")
        constraints = [
            models.CheckConstraint(
                condition=Q(organization__isnull=False, country__isnull=True)
                | Q(organization__isnull=True, country__isnull=False),
                name="%(app_label)s_%(class)s_one_holder",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_body_display()}: {self.holder}"

    @property
    def holder(self) -> models.Model:
        return self.organization or self.country


class Donor(models.Model):
    """Who gives: a state, an organization from the registry, or a private donor by name."""

    kind = models.CharField(_("kind"), max_length=16, choices=DonorKind.choices)
    name = models.CharField(_("name"), max_length=300)
    country = models.OneToOneField(
        "core.Country",
        verbose_name=_("state"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="donor",
    )
    organization = models.OneToOneField(
        "registry.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="donor",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("donor")
        verbose_name_plural = _("donors")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=DonorKind.STATE, country__isnull=False, organization__isnull=True)
                | Q(kind=DonorKind.ORGANIZATION, country__isnull=True, organization__isnull=False)
                | Q(kind=DonorKind.PRIVATE, country__isnull=True, organization__isnull=True),
                name="%(app_label)s_%(class)s_kind_matches",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ExchangeRate(models.Model):
    """One unit of `currency` is worth `rate` units of `quote_currency` on `date`, in the rate
    table of one organization: its funds' deposits use its rates and nobody else's."""

    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="exchange_rates",
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_validator])
    quote_currency = models.CharField(
        _("in currency"), max_length=3, validators=[currency_validator]
    )
    date = models.DateField(_("date"))
    rate = models.DecimalField(_("rate"), max_digits=20, decimal_places=8)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["-date", "currency", "quote_currency"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "currency", "quote_currency", "date"],
                name="%(app_label)s_%(class)s_day",
            ),
            models.CheckConstraint(
                condition=Q(rate__gt=0), name="%(app_label)s_%(class)s_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} 1 {self.currency} = {self.rate} {self.quote_currency}"

    @property
    def owner_organization_id(self) -> int:
        return self.organization_id


class Contribution(VersionedModel):
    """A donor's contribution to a fund, in the donor's currency, earmarked or not."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="contributions"
    )
    donor = models.ForeignKey(
        Donor, verbose_name=_("donor"), on_delete=models.PROTECT, related_name="contributions"
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_validator])
    amount = money_field(_("amount pledged"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ContributionStatus.choices,
        default=ContributionStatus.PLEDGED,
    )
    pledged_on = models.DateField(_("pledged on"))
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    earmarked_thematic_area = models.ForeignKey(
        ThematicArea,
        verbose_name=_("earmarked to thematic area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="earmarked_contributions",
    )
    earmarked_region = models.ForeignKey(
        "core.Region",
        verbose_name=_("earmarked to region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reference = models.CharField(_("agreement reference"), max_length=100, blank=True)

    class Meta:
        ordering = ["-pledged_on", "-id"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="%(app_label)s_%(class)s_positive"
            ),
            models.CheckConstraint(
                condition=Q(earmarked_thematic_area__isnull=True)
                | Q(earmarked_region__isnull=True),
                name="%(app_label)s_%(class)s_one_earmark",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.donor} {self.currency} {self.amount:,.2f}"

    def get_absolute_url(self) -> str:
        return reverse("funds:contribution_detail", kwargs={"pk": self.pk})

    @property
    def owner_organization_id(self) -> int:
        return self.fund.organization_id

    @property
    def pool(self) -> str:
        """The ledger pool this money goes to: its earmark, or '' for unearmarked money."""
        if self.earmarked_thematic_area_id:
            return f"TA:{self.earmarked_thematic_area.code}"
        if self.earmarked_region_id:
            return f"R:{self.earmarked_region.m49_code}"
        return ""


class Call(VersionedModel):
    """A call for concept notes, with its deadline."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="calls"
    )
    title = models.CharField(_("title"), max_length=300)
    opens_on = models.DateField(_("opens on"))
    deadline = models.DateField(_("deadline"))
    description = models.TextField(_("description"), blank=True)
    thematic_areas = models.ManyToManyField(
        ThematicArea, verbose_name=_("thematic areas"), blank=True, related_name="calls"
    )

    class Meta:
        ordering = ["-deadline", "-id"]
        verbose_name = _("call for concept notes")
        verbose_name_plural = _("calls for concept notes")
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("opens_on")),
                name="%(app_label)s_%(class)s_deadline_after_opening",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("funds:call_detail", kwargs={"pk": self.pk})

    @property
    def owner_organization_id(self) -> int:
        return self.fund.organization_id

    def is_open_on(self, day) -> bool:
        return self.opens_on <= day <= self.deadline


class Programme(VersionedModel):
    """A concept note and, once selected, the joint programme it becomes."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="programmes"
    )
    call = models.ForeignKey(
        Call,
        verbose_name=_("call"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programmes",
    )
    code = models.CharField(_("code"), max_length=48, unique=True)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ProgrammeStatus.choices,
        default=ProgrammeStatus.SUBMITTED,
        db_index=True,
    )
    submitted_by_organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="concept_notes",
    )
    countries = models.ManyToManyField(
        "core.Country", verbose_name=_("countries"), blank=True, related_name="fund_programmes"
    )
    regions = models.ManyToManyField(
        "core.Region", verbose_name=_("regions"), blank=True, related_name="fund_programmes"
    )
    objectives = models.ManyToManyField(
        "registry.FrameworkItem",
        verbose_name=_("GCM objectives"),
        blank=True,
        related_name="fund_programmes",
    )
    thematic_area = models.ForeignKey(
        ThematicArea,
        verbose_name=_("thematic area"),
        on_delete=models.PROTECT,
        related_name="programmes",
    )
    participating_organizations = models.ManyToManyField(
        "registry.Organization",
        through="Participant",
        verbose_name=_("participating UN organizations"),
        related_name="fund_programmes",
    )
    national_partners = models.TextField(
        _("national partners"), blank=True, help_text=_("One per line.")
    )
    budget = money_field(_("budget requested"))
    marker_scores = models.JSONField(_("marker scores"), default=dict, blank=True)
    document_url = models.URLField(_("joint programme document"), blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        ordering = ["fund", "code"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(budget__gt=0), name="%(app_label)s_%(class)s_positive_budget"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("funds:programme_detail", kwargs={"code": self.code})

    @property
    def owner_organization_id(self) -> int:
        return self.fund.organization_id

    def national_partner_list(self) -> list[str]:
        return [line.strip() for line in self.national_partners.splitlines() if line.strip()]


class Participant(models.Model):
    """A participating UN organization and its share of the joint programme's budget."""

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="participants",
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    budget = money_field(_("budget"), default=Decimal("0"))

    class Meta:
        ordering = ["programme", "organization__name"]
        verbose_name = _("participating organization")
        verbose_name_plural = _("participating organizations")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "organization"], name="%(app_label)s_%(class)s_once"
            ),
            models.CheckConstraint(
                condition=Q(budget__gte=0), name="%(app_label)s_%(class)s_budget_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return str(self.organization)


class Assessment(TimeStampedModel):
    """One assessor's quality scores for a concept note against the fund's rubric."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="assessments"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessor"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    scores = models.JSONField(_("scores"), default=dict)
    total = models.DecimalField(_("score (%)"), max_digits=5, decimal_places=1)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["programme", "created_at"]
        verbose_name = _("quality assessment")
        verbose_name_plural = _("quality assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "assessor"], name="%(app_label)s_%(class)s_one_per_assessor"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme.code}: {self.total}%"


class Decision(TimeStampedModel):
    """The Steering Committee's decision on a concept note, with its reasons."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="decisions"
    )
    outcome = models.CharField(_("decision"), max_length=16, choices=DecisionOutcome.choices)
    reasons = models.TextField(_("reasons"))
    decided_on = models.DateField(_("decided on"))
    meeting = models.CharField(_("meeting"), max_length=200, blank=True)

    class Meta:
        ordering = ["programme", "decided_on", "id"]
        verbose_name = _("Steering Committee decision")
        verbose_name_plural = _("Steering Committee decisions")

    def __str__(self) -> str:
        return f"{self.programme.code}: {self.get_outcome_display()}"


class LedgerTransaction(models.Model):
    """One movement of money: its entries are balanced (they sum to zero)."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="transactions"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=TransactionKind.choices)
    date = models.DateField(_("value date"))
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transactions",
    )
    contribution = models.ForeignKey(
        Contribution,
        verbose_name=_("contribution"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transactions",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["fund", "date", "id"]
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.memo}"


class LedgerEntry(models.Model):
    """One line of a transaction: a debit (positive) or credit (negative) to one account.

    Amounts are whole hundredths of the fund's currency (cents), so that a SUM is exact on
    SQLite too, where a decimal column is summed as a float; `amount` gives them as Decimal.
    `pool` keeps earmarked money apart: '' is unearmarked, 'TA:<code>' a thematic area,
    'R:<M49>' a region. `fund` and `kind` are copied from the transaction so that every
    balance is one grouped SUM over this table.
    """

    transaction = models.ForeignKey(
        LedgerTransaction,
        verbose_name=_("transaction"),
        on_delete=models.PROTECT,
        related_name="entries",
    )
    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=TransactionKind.choices)
    account = models.CharField(_("account"), max_length=16, choices=Account.choices)
    pool = models.CharField(_("earmark"), max_length=40, blank=True, default="")
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cents = models.BigIntegerField(_("amount (hundredths)"))

    class Meta:
        ordering = ["transaction", "id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [
            # Covering indexes: every balance is a grouped SUM the database answers from the
            # index alone (cents is a key column because SQLite has no INCLUDE).
            models.Index(
                fields=["fund", "account", "kind", "pool", "cents"], name="funds_entry_balances"
            ),
            models.Index(
                fields=["fund", "account", "programme", "cents"], name="funds_entry_allocations"
            ),
            models.Index(fields=["programme", "account"], name="funds_entry_programme"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(cents=0), name="%(app_label)s_%(class)s_not_zero")
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.amount}"

    @property
    def amount(self) -> Decimal:
        return Decimal(self.cents).scaleb(-2)


class Deposit(models.Model):
    """Money received on a contribution, converted at the rate of its date."""

    contribution = models.ForeignKey(
        Contribution,
        verbose_name=_("contribution"),
        on_delete=models.PROTECT,
        related_name="deposits",
    )
    date = models.DateField(_("deposited on"))
    amount = money_field(_("amount (contribution currency)"))
    rate = models.DecimalField(_("exchange rate"), max_digits=20, decimal_places=8)
    fund_amount = money_field(_("amount (fund currency)"))
    transaction = models.OneToOneField(
        LedgerTransaction, verbose_name=_("transaction"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["contribution", "date", "id"]
        verbose_name = _("deposit")
        verbose_name_plural = _("deposits")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0, fund_amount__gt=0),
                name="%(app_label)s_%(class)s_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.amount}"


class Tranche(models.Model):
    """A transfer of programme money to one participating organization."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="tranches"
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    number = models.PositiveSmallIntegerField(_("tranche"))
    amount = money_field(_("amount"))
    transferred_on = models.DateField(_("transferred on"))
    transaction = models.OneToOneField(
        LedgerTransaction, verbose_name=_("transaction"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["programme", "number"]
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"], name="%(app_label)s_%(class)s_number"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="%(app_label)s_%(class)s_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme.code} #{self.number} {self.organization}"


class ProgressReport(TimeStampedModel):
    """An annual narrative or financial report; a financial report accounts for tranches."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="reports"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ReportKind.choices)
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    submitted_on = models.DateField(_("submitted on"))
    expenditure = money_field(_("expenditure"), null=True, blank=True)
    tranches = models.ManyToManyField(
        Tranche, verbose_name=_("tranches accounted for"), blank=True, related_name="reports"
    )
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["programme", "year", "kind", "id"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=ReportKind.NARRATIVE)
                | Q(organization__isnull=False, expenditure__gte=0),
                name="%(app_label)s_%(class)s_financial_has_figures",
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme.code} {self.year} {self.get_kind_display()}"
