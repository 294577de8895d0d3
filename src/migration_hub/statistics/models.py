"""Migration statistics: data sets as their publishers released them, indicators, and one
observation per figure, always tied to the data set and revision it came from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import AreaKind, ContributionStatus, Flag, ImportKind, Sex


class Area(models.Model):
    """A place a figure is about: an M49 country, region or the world, a publisher's group of
    countries (SDG regions, income groups), or a publisher's special origin such as stateless."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=24, choices=AreaKind.choices)
    alpha3 = models.CharField(_("ISO alpha-3"), max_length=3, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("statistics:area_profile", args=[self.code])


class Dataset(models.Model):
    """One revision of one publication; importing a newer revision adds a new row."""

    key = models.SlugField(
        _("key"),
        max_length=64,
        help_text=_("Stable name of the series, the same for every revision."),
    )
    kind = models.CharField(_("importer"), max_length=32, choices=ImportKind.choices)
    publisher = models.CharField(_("publisher"), max_length=200)
    title = models.CharField(_("title"), max_length=300)
    revision = models.CharField(_("revision"), max_length=32)
    licence = models.CharField(_("licence"), max_length=100, blank=True)
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, blank=True)
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    owner = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("owned by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="statistics_datasets",
        help_text=_(
            "The regional body that keeps a regional data set and reviews what offices send "
            "to it; empty for a publisher's release, which takes no contributions."
        ),
    )
    absent_means_zero = models.BooleanField(
        _("absent cells are zero"),
        default=False,
        help_text=_("True for sparse matrices where the publisher's zero cells are not stored."),
    )
    notes = models.TextField(_("notes"), blank=True)
    indicator_codes = models.JSONField(_("indicators"), default=list, blank=True)
    has_origins = models.BooleanField(_("figures by origin"), default=False)
    last_year = models.PositiveSmallIntegerField(_("latest year"), null=True, blank=True)

    class Meta:
        ordering = ["key", "-revision"]
        verbose_name = _("data set")
        verbose_name_plural = _("data sets")
        constraints = [
            models.UniqueConstraint(
                fields=["key", "revision"], name="%(app_label)s_%(class)s_unique_revision"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.revision})"

    def get_absolute_url(self) -> str:
        return reverse("statistics:dataset_detail", args=[self.pk])


class Indicator(models.Model):
    """What is measured, in which unit; the SDG indicator it informs, where there is one."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=300)
    unit = models.CharField(_("unit"), max_length=64)
    sdg_indicator = models.CharField(_("SDG indicator"), max_length=16, blank=True)
    publisher_code = models.CharField(_("publisher's code"), max_length=64, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name


class Contribution(models.Model):
    """Country figures an office sends to a regional data set; merged only once a reviewer
    approves, and every merged figure points back here."""

    dataset = models.ForeignKey(
        Dataset, verbose_name=_("data set"), on_delete=models.PROTECT, related_name="contributions"
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="statistics_contributions",
    )
    office = models.ForeignKey(
        "accounts.Office",
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64)
    rows = models.JSONField(
        _("figures"),
        default=list,
        help_text=_("As sent; on approval each row also keeps the value it replaced."),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ContributionStatus.choices,
        default=ContributionStatus.SUBMITTED,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("data contribution")
        verbose_name_plural = _("data contributions")

    def __str__(self) -> str:
        return f"{self.file_name} → {self.dataset}"

    def get_absolute_url(self) -> str:
        return reverse("statistics:contribution_detail", args=[self.pk])

    @property
    def owner_organization_id(self) -> int:
        return self.organization_id

    @property
    def reviewing_organization_id(self) -> int | None:
        return self.dataset.owner_id


class Observation(models.Model):
    """One figure: indicator, area, year, sex (and origin for flows), as a revision published it."""

    dataset = models.ForeignKey(
        Dataset,
        verbose_name=_("data set"),
        on_delete=models.CASCADE,
        related_name="observations",
        db_index=False,  # the unique constraints below start with it
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.PROTECT,
        related_name="observations",
        db_index=False,  # the lookup indexes below start with it
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        to_field="code",
        on_delete=models.PROTECT,
        related_name="observations",
    )
    origin = models.ForeignKey(
        Area,
        verbose_name=_("origin"),
        to_field="code",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="observations_as_origin",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.TOTAL)
    value = models.FloatField(_("value"), null=True, blank=True)
    flag = models.CharField(_("flag"), max_length=16, choices=Flag.choices, blank=True)
    contribution = models.ForeignKey(
        Contribution,
        verbose_name=_("contributed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="observations",
        # Contributions are never deleted (the admin is read-only); an index here costs every
        # import for a lookup that does not happen.
        db_index=False,
    )

    class Meta:
        ordering = ["indicator", "area", "year", "sex"]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        constraints = [
            # Two partial constraints because SQLite cannot say NULLS NOT DISTINCT.
            models.UniqueConstraint(
                fields=["dataset", "indicator", "area", "year", "sex"],
                condition=models.Q(origin__isnull=True),
                name="%(app_label)s_%(class)s_unique_figure",
            ),
            models.UniqueConstraint(
                fields=["dataset", "indicator", "area", "origin", "year", "sex"],
                condition=models.Q(origin__isnull=False),
                name="%(app_label)s_%(class)s_unique_flow",
            ),
            models.CheckConstraint(
                condition=models.Q(value__isnull=False) | models.Q(flag=Flag.MISSING),
                name="%(app_label)s_%(class)s_missing_is_flagged",
            ),
        ]
        indexes = [
            models.Index(fields=["indicator", "area", "year"], name="statistics_obs_lookup_idx"),
            models.Index(fields=["indicator", "origin", "year"], name="statistics_obs_origin_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.area_id} {self.year} {self.sex}: {self.value}"


# --- Disclosure-controlled releases (statistics/disclosure.py, statistics/releases.py) --------


class ReleaseMethod(models.TextChoices):
    K_SUPPRESSION = "k_suppression", _("Small-cell suppression with complementary suppression")
    DIFFERENTIAL_PRIVACY = "differential_privacy", _("Differentially private counts (OpenDP)")


class ReleaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class SuppressionReason(models.TextChoices):
    NONE = "", _("Published")
    PRIMARY = "primary", _("Primary: fewer than k persons")
    COMPLEMENTARY = "complementary", _("Complementary: protects another suppressed cell")
    DIFFERENCING = "differencing", _("Protects against differencing with an earlier release")


class StatisticsRelease(models.Model):
    """One published (or draft) table about people, built from a release table of consenting
    cases and protected by small-cell suppression or differential privacy. Its figures are
    computed once and stored as `ReleaseCell` rows: showing it again never recomputes them."""

    title = models.CharField(_("title"), max_length=300)
    dataset_key = models.CharField(
        _("data set key"),
        max_length=100,
        help_text=_("The release table the figures come from, such as cases.counter_trafficking."),
    )
    dimensions = models.JSONField(_("dimensions"), default=list)
    categories = models.JSONField(
        _("categories"), default=dict, help_text=_("The categories of each dimension, in order.")
    )
    method = models.CharField(_("method"), max_length=32, choices=ReleaseMethod.choices)
    parameters = models.JSONField(_("parameters"), default=dict)
    status = models.CharField(
        _("status"), max_length=16, choices=ReleaseStatus.choices, default=ReleaseStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    person_count = models.PositiveIntegerField(
        _("persons"), default=0, help_text=_("Never shown for a differentially private release.")
    )
    person_set_sha256 = models.CharField(_("person set fingerprint"), max_length=64, blank=True)
    person_digests = models.JSONField(
        _("person digests"),
        default=list,
        blank=True,
        help_text=_(
            "Sorted one-way digests of the persons counted, to measure how many persons two "
            "releases of the same data set differ by."
        ),
    )

    # Kept out of audit snapshots: long, and linkable to persons.
    audit_exclude_fields = ("person_digests",)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("statistics release")
        verbose_name_plural = _("statistics releases")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=ReleaseStatus.PUBLISHED)
                | models.Q(published_at__isnull=False),
                name="%(app_label)s_%(class)s_published_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["dataset_key", "status"], name="statistics_release_key_idx")
        ]

    def __str__(self) -> str:
        return self.title


class ReleaseCell(models.Model):
    """One entry of a release (a cell, a marginal total or the grand total) as published: its
    value, or none when it is suppressed."""

    release = models.ForeignKey(
        StatisticsRelease, verbose_name=_("release"), on_delete=models.CASCADE, related_name="cells"
    )
    position = models.PositiveIntegerField(_("position"))
    key = models.JSONField(
        _("cell"), help_text=_("{dimension: category}; a total leaves its dimensions out.")
    )
    value = models.IntegerField(_("value"), null=True, blank=True)
    suppressed = models.BooleanField(_("suppressed"), default=False)
    reason = models.CharField(
        _("reason"), max_length=16, choices=SuppressionReason.choices, blank=True
    )

    class Meta:
        ordering = ["release", "position"]
        verbose_name = _("release cell")
        verbose_name_plural = _("release cells")
        constraints = [
            models.UniqueConstraint(
                fields=["release", "position"], name="%(app_label)s_%(class)s_unique_position"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(suppressed=True, value__isnull=True)
                    & ~models.Q(reason=SuppressionReason.NONE)
                )
                | models.Q(suppressed=False, value__isnull=False, reason=SuppressionReason.NONE),
                name="%(app_label)s_%(class)s_suppressed_has_no_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {'-' if self.suppressed else self.value}"


class PrivacyBudget(models.Model):
    """The total privacy loss (epsilon) that differentially private releases of one data set
    may spend, ever; what has been spent is the sum of its ledger rows."""

    dataset_key = models.CharField(_("data set key"), max_length=100, unique=True)
    total_epsilon = models.DecimalField(_("total epsilon"), max_digits=12, decimal_places=6)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["dataset_key"]
        verbose_name = _("privacy budget")
        verbose_name_plural = _("privacy budgets")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total_epsilon__gt=0),
                name="%(app_label)s_%(class)s_positive_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dataset_key}: ε {self.total_epsilon}"


class PrivacyBudgetSpend(models.Model):
    """One line of the append-only ledger: the epsilon a release spent when its noise was
    drawn. Never changed or deleted; the services only add rows."""

    budget = models.ForeignKey(
        PrivacyBudget, verbose_name=_("budget"), on_delete=models.PROTECT, related_name="spends"
    )
    release = models.OneToOneField(
        StatisticsRelease,
        verbose_name=_("release"),
        on_delete=models.PROTECT,
        related_name="budget_spend",
    )
    epsilon = models.DecimalField(_("epsilon"), max_digits=12, decimal_places=6)
    at = models.DateTimeField(_("spent"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("spent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("privacy budget spend")
        verbose_name_plural = _("privacy budget spends")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(epsilon__gt=0), name="%(app_label)s_%(class)s_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.budget.dataset_key}: ε {self.epsilon}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("The privacy budget ledger is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The privacy budget ledger is append-only.")
