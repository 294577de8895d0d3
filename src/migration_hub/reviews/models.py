"""GCM follow-up and review: the schedule of review cycles, voluntary reviews written section by
section by co-authors, pledges and their status over cycles, and compiled reports."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from migration_hub.core.models import TimeStampedModel, VersionedModel

from .choices import (
    Commission,
    CycleKind,
    CycleStatus,
    JobStatus,
    PledgeStatus,
    ProgressStatus,
    ReportFormat,
    ReviewLevel,
    ReviewStatus,
    Stakeholder,
)

OBJECTIVE_COUNT = 23
objective_number_validators = [MinValueValidator(1), MaxValueValidator(OBJECTIVE_COUNT)]


def objective_key(number: int) -> str:
    """The section key of an objective's progress: `objective-7`."""
    return f"objective-{number}"


class Cycle(TimeStampedModel):
    """One event of the GCM's review schedule: an IMRF, a regional review held by one UN regional
    commission, or a Secretary-General's report. Dates come from `schedule.py`'s rules; the
    secretariat can correct them in the admin."""

    kind = models.CharField(_("kind"), max_length=16, choices=CycleKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    commission = models.CharField(
        _("regional commission"), max_length=8, choices=Commission.choices, blank=True
    )
    opens_on = models.DateField(_("reviews open"))
    due_on = models.DateField(
        _("deadline"), help_text=_("Reviews due, or for a report the date it must be out.")
    )
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    dates_confirmed = models.BooleanField(
        _("dates confirmed"),
        default=False,
        help_text=_("Unticked: the dates follow the GCM's rules and may still move."),
    )
    source = models.CharField(_("source"), max_length=500, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["year", "kind", "commission"]
        verbose_name = _("review cycle")
        verbose_name_plural = _("review cycles")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "commission"], name="reviews_cycle_one_per_kind_year"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        if self.kind == CycleKind.REGIONAL:
            return _("Regional review %(year)s (%(commission)s)") % {
                "year": self.year,
                "commission": self.commission,
            }
        if self.kind == CycleKind.IMRF:
            return _("IMRF %(year)s") % {"year": self.year}
        return _("Secretary-General's report %(year)s") % {"year": self.year}

    @property
    def accepts_reviews(self) -> bool:
        return self.kind in (CycleKind.IMRF, CycleKind.REGIONAL)

    def status(self, today: date | None = None) -> str:
        today = today or timezone.localdate()
        if today < self.opens_on:
            return CycleStatus.UPCOMING
        if today <= self.due_on:
            return CycleStatus.OPEN
        if today <= (self.ends_on or self.due_on):
            return CycleStatus.IN_REVIEW
        return CycleStatus.COMPLETED

    def get_absolute_url(self) -> str:
        return reverse("reviews:cycle_detail", kwargs={"pk": self.pk})


class Review(VersionedModel):
    """A voluntary GCM review by a state, a local government, a regional body or a stakeholder."""

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="reviews"
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="gcm_reviews",
        help_text=_("The organization whose members write the review."),
    )
    title = models.CharField(_("title"), max_length=300)
    level = models.CharField(_("level"), max_length=16, choices=ReviewLevel.choices)
    stakeholder = models.CharField(
        _("stakeholder group"), max_length=24, choices=Stakeholder.choices, blank=True
    )
    entity_name = models.CharField(
        _("reporting entity"),
        max_length=200,
        help_text=_("The state, city, regional body or group the review speaks for."),
    )
    country = models.ForeignKey(
        "core.Country",
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="gcm_reviews",
    )
    commission = models.CharField(
        _("regional commission"), max_length=8, choices=Commission.choices, blank=True
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    period_from = models.PositiveSmallIntegerField(_("period from"), null=True, blank=True)
    period_to = models.PositiveSmallIntegerField(_("period to"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    is_late = models.BooleanField(
        _("late"), default=False, help_text=_("Submitted after the cycle's deadline.")
    )
    is_sample = models.BooleanField(
        _("sample"), default=False, help_text=_("Generated demo content, not a real review.")
    )

    class Meta:
        ordering = ["-cycle__year", "entity_name"]
        verbose_name = _("voluntary review")
        verbose_name_plural = _("voluntary reviews")
        indexes = [models.Index(fields=["cycle", "status"], name="reviews_review_cycle_status")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reviews:review_detail", kwargs={"pk": self.pk})

    @property
    def owner_organization_id(self) -> int:
        return self.organization_id


class ReviewAuthor(models.Model):
    """A co-author; `sections` lists the section keys they may edit (empty: all of them)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="authors")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="gcm_review_authorships"
    )
    is_lead = models.BooleanField(_("lead author"), default=False)
    sections = models.JSONField(_("sections"), default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-is_lead", "id"]
        verbose_name = _("co-author")
        verbose_name_plural = _("co-authors")
        constraints = [
            models.UniqueConstraint(fields=["review", "user"], name="reviews_author_once")
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def owner_organization_id(self) -> int:
        return self.review.organization_id

    def may_edit(self, key: str) -> bool:
        return not self.sections or key in self.sections


class Section(VersionedModel):
    """One part of a review, edited on its own so co-authors do not overwrite each other.

    Objective sections (`objective-N`) carry the progress status, the actions taken, the
    evidence, indicator values and the practices they cite; the others carry text and, where
    the part has structure (methodology, principles, plan), `data`.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(_("section"), max_length=24)
    objective = models.ForeignKey(
        "registry.FrameworkItem",
        verbose_name=_("GCM objective"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    objective_number = models.PositiveSmallIntegerField(
        _("objective"), null=True, blank=True, validators=objective_number_validators
    )
    progress = models.CharField(
        _("progress"), max_length=16, choices=ProgressStatus.choices, blank=True
    )
    text = models.TextField(_("text"), blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last edited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["review", "objective_number", "key"]
        verbose_name = _("review section")
        verbose_name_plural = _("review sections")
        constraints = [
            models.UniqueConstraint(fields=["review", "key"], name="reviews_section_once")
        ]
        indexes = [
            models.Index(fields=["objective_number", "review"], name="reviews_section_objective")
        ]

    def __str__(self) -> str:
        return f"{self.review_id}:{self.key}"

    @property
    def owner_organization_id(self) -> int:
        return self.review.organization_id

    @property
    def is_empty(self) -> bool:
        return not (self.text.strip() or self.evidence.strip() or self.progress or self.data)

    def content(self) -> dict:
        return {
            "progress": self.progress,
            "text": self.text,
            "evidence": self.evidence,
            "data": self.data,
        }


class SectionVersion(models.Model):
    """A saved state of a section; autosaves by the same author within minutes share one."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    content = models.JSONField(_("content"), default=dict)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_autosave = models.BooleanField(_("autosave"), default=False)
    created_at = models.DateTimeField(_("saved"), default=timezone.now)

    class Meta:
        ordering = ["section", "-number"]
        verbose_name = _("section version")
        verbose_name_plural = _("section versions")
        constraints = [
            models.UniqueConstraint(fields=["section", "number"], name="reviews_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.section}@{self.number}"


class Comment(models.Model):
    """A co-author's remark on a section (or on the whole review when `section_key` is blank)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="comments")
    section_key = models.CharField(_("section"), max_length=24, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("comment"), max_length=5000)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.body[:60]

    @property
    def owner_organization_id(self) -> int:
        return self.review.organization_id


class Attachment(models.Model):
    """A document annexed to a review: a plan, a report, the data behind an indicator."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="reviews/%Y/")
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    content_type = models.CharField(_("type"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name

    @property
    def owner_organization_id(self) -> int:
        return self.review.organization_id


class Pledge(VersionedModel):
    """A concrete, measurable, time-bound commitment, tied to objectives, an entity and a cycle."""

    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="gcm_pledges",
    )
    entity_name = models.CharField(_("pledging entity"), max_length=200)
    level = models.CharField(_("level"), max_length=16, choices=ReviewLevel.choices)
    country = models.ForeignKey(
        "core.Country",
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="gcm_pledges",
    )
    cycle = models.ForeignKey(
        Cycle, verbose_name=_("pledged for"), on_delete=models.PROTECT, related_name="pledges"
    )
    review = models.ForeignKey(
        Review,
        verbose_name=_("announced in"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pledges",
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    objectives = models.ManyToManyField(
        "registry.FrameworkItem", verbose_name=_("GCM objectives"), related_name="gcm_pledges"
    )
    due_year = models.PositiveSmallIntegerField(_("to be met by"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=PledgeStatus.choices, default=PledgeStatus.ANNOUNCED
    )
    is_sample = models.BooleanField(_("sample"), default=False)

    class Meta:
        ordering = ["-cycle__year", "entity_name", "title"]
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reviews:pledge_detail", kwargs={"pk": self.pk})

    @property
    def owner_organization_id(self) -> int:
        return self.organization_id


class PledgeUpdate(models.Model):
    """The status of a pledge as reported at a later cycle."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="updates")
    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=PledgeStatus.choices)
    note = models.TextField(_("note"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("reported"), default=timezone.now)

    class Meta:
        ordering = ["pledge", "created_at", "id"]
        verbose_name = _("pledge update")
        verbose_name_plural = _("pledge updates")

    def __str__(self) -> str:
        return f"{self.pledge_id}:{self.status}"


class ReportJob(models.Model):
    """One compilation of a report, run in the background; the page polls its progress."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    cycle_year = models.PositiveSmallIntegerField(_("cycle"))
    scope = models.CharField(_("scope"), max_length=16)
    format = models.CharField(_("format"), max_length=8, choices=ReportFormat.choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    status = models.CharField(
        _("status"), max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.CharField(_("step"), max_length=200, blank=True)
    output = models.CharField(_("file"), max_length=300, blank=True)
    # The site's address when the job was asked for from a page, so that the report's links
    # back to each review work once the file is downloaded.
    base_url = models.CharField(_("site address"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report compilation")
        verbose_name_plural = _("report compilations")

    def __str__(self) -> str:
        return f"{self.cycle_year} {self.scope} {self.format}"

    def get_absolute_url(self) -> str:
        return reverse("reviews:report_job", kwargs={"pk": self.pk})
