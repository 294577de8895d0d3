"""The Migration Network Hub: peer-reviewed resources with versions and files, calls for
practices, experts, discussion spaces, saved searches, and the Connection Hub's demands and
offers."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from migration_hub.core.models import TimeStampedModel, VersionedModel

from .choices import (
    Availability,
    Decision,
    DemandStatus,
    DigestFrequency,
    Licence,
    Recommendation,
    ResourceKind,
    ResourceStatus,
)

LANGUAGE_CHOICES = settings.LANGUAGES


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Sample(models.Model):
    """Rows loaded by `migration-hub demo` say so on every page."""

    is_sample = models.BooleanField(_("sample content"), default=False, editable=False)

    class Meta:
        abstract = True


class CallForPractices(VersionedModel, Sample):
    """A themed call: practices on a subject, submitted before a deadline."""

    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="calls_for_practices",
    )
    objectives = models.ManyToManyField(
        "registry.FrameworkItem", verbose_name=_("GCM objectives"), blank=True, related_name="+"
    )
    themes = models.ManyToManyField(
        "registry.FrameworkItem", verbose_name=_("themes"), blank=True, related_name="+"
    )
    opens_on = models.DateField(_("opens"))
    deadline = models.DateField(_("deadline"))

    class Meta:
        ordering = ["-deadline", "title"]
        verbose_name = _("call for practices")
        verbose_name_plural = _("calls for practices")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:call_detail", kwargs={"pk": self.pk})

    @property
    def owner_organization_id(self) -> int:
        return self.organization_id

    def is_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.opens_on <= today <= self.deadline


class Resource(VersionedModel, Sample):
    """A publication, practice, tool, guidance, training, data set, policy or event.

    Titles and summaries live in `ResourceTranslation`, one row per UN language; `language` is
    the language of the original. Every change writes a `ResourceVersion`.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=ResourceKind.choices)
    status = models.CharField(
        _("status"), max_length=24, choices=ResourceStatus.choices, default=ResourceStatus.DRAFT
    )
    language = models.CharField(
        _("original language"), max_length=8, choices=LANGUAGE_CHOICES, default="en"
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("submitted by organization"),
        on_delete=models.PROTECT,
        related_name="knowledge_resources",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    authors = models.JSONField(
        _("authors"), default=list, blank=True, help_text=_("Names of the authors, in order.")
    )
    publishers = models.ManyToManyField(
        "registry.Organization",
        verbose_name=_("publishing organizations"),
        blank=True,
        related_name="knowledge_resources",
    )
    countries = models.ManyToManyField(
        "core.Country", verbose_name=_("countries"), blank=True, related_name="+"
    )
    regions = models.ManyToManyField(
        "core.Region", verbose_name=_("regions"), blank=True, related_name="+"
    )
    objectives = models.ManyToManyField(
        "registry.FrameworkItem",
        verbose_name=_("GCM objectives"),
        blank=True,
        related_name="knowledge_resources",
    )
    is_general = models.BooleanField(
        _("general"), default=False, help_text=_("About the GCM as a whole, not one objective.")
    )
    principles = models.ManyToManyField(
        "registry.FrameworkItem", verbose_name=_("guiding principles"), blank=True, related_name="+"
    )
    themes = models.ManyToManyField(
        "registry.FrameworkItem",
        verbose_name=_("MIGOF thematic areas"),
        blank=True,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    licence = models.CharField(
        _("licence"), max_length=24, choices=Licence.choices, default=Licence.UNKNOWN
    )
    link = models.URLField(_("link"), max_length=500, blank=True)
    call = models.ForeignKey(
        CallForPractices,
        verbose_name=_("call for practices"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resources",
    )
    needs_update = models.BooleanField(_("needs update"), default=False)
    checked_on = models.DateField(
        _("last checked"), null=True, blank=True, help_text=_("When the content was last checked.")
    )
    peer_reviewed = models.BooleanField(_("peer reviewed"), default=False)
    review_round = models.PositiveSmallIntegerField(_("review round"), default=0)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-created_at", "-id"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        indexes = [
            models.Index(fields=["status", "kind"], name="knowledge_resource_status_kind"),
            models.Index(fields=["status", "year"], name="knowledge_resource_status_year"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:resource_detail", kwargs={"pk": self.pk})

    @property
    def owner_organization_id(self) -> int:
        return self.organization_id

    def translation(self, language: str | None = None) -> ResourceTranslation | None:
        """The reader's language if translated, else the original's, else any."""
        wanted = (language or get_language() or "en").split("-")[0]
        rows = list(self.translations.all())
        for code in (wanted, self.language):
            for row in rows:
                if row.language.split("-")[0] == code.split("-")[0]:
                    return row
        return rows[0] if rows else None

    @property
    def title(self) -> str:
        row = self.translation()
        return row.title if row else ""

    @property
    def summary(self) -> str:
        row = self.translation()
        return row.summary if row else ""

    def search_document(self) -> tuple[str, str]:
        rows = list(self.translations.all())
        files = " ".join(file.text for file in self.files.all())
        return (
            " ".join(row.title for row in rows),
            " ".join([*(row.summary for row in rows), " ".join(self.authors or []), files]),
        )


class ResourceTranslation(models.Model):
    """A resource's title and summary in one language."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["language"]
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "language"], name="knowledge_translation_one_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


class ResourceVersion(models.Model):
    """What a resource's metadata was after one change: the basis of its visible diffs."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    data = models.JSONField(_("content"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("saved"), default=timezone.now)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("resource version")
        verbose_name_plural = _("resource versions")
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "number"], name="knowledge_version_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} v{self.number}"


class ResourceFile(models.Model):
    """A PDF or Word file of a resource; its text is extracted for search."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), upload_to="knowledge/%Y/")
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    content_type = models.CharField(_("type"), max_length=100)
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES, blank=True)
    text = models.TextField(_("extracted text"), blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("resource file")
        verbose_name_plural = _("resource files")

    def __str__(self) -> str:
        return self.name

    @property
    def owner_organization_id(self) -> int:
        return self.resource.organization_id


class ReviewAssignment(TimeStampedModel):
    """One reviewer's work on one review round of a resource: the rubric scores and comments.

    Other reviewers' assignments stay hidden from a reviewer until they submit their own.
    """

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="assignments")
    round = models.PositiveSmallIntegerField(_("review round"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="knowledge_assignments",
    )
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    comments = models.TextField(_("comments"), blank=True)
    recommendation = models.CharField(
        _("recommendation"), max_length=16, choices=Recommendation.choices, blank=True
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        ordering = ["resource", "round", "created_at"]
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "round", "reviewer"], name="knowledge_assignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} round {self.round}: {self.reviewer}"

    @property
    def owner_organization_id(self) -> int:
        return self.resource.organization_id


class EditorialDecision(models.Model):
    """The editor's decision on one review round, with the reasons the author reads."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="decisions")
    round = models.PositiveSmallIntegerField(_("review round"))
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    reasons = models.TextField(_("reasons"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("editorial decision")
        verbose_name_plural = _("editorial decisions")

    def __str__(self) -> str:
        return f"{self.resource_id} round {self.round}: {self.decision}"


class ExpertProfile(VersionedModel, Sample):
    """A person's expertise. Shown to others only while `opted_in` is true; the e-mail address
    is never shown: people write through the platform."""

    # The audit log records that a profile changed, not what a person wrote about themselves.
    audit_exclude_fields = ("display_name", "headline", "bio")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_profile"
    )
    display_name = models.CharField(_("name shown"), max_length=150)
    headline = models.CharField(_("headline"), max_length=200, blank=True)
    bio = models.TextField(_("about"), blank=True)
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="experts",
    )
    themes = models.ManyToManyField(
        "registry.FrameworkItem",
        verbose_name=_("MIGOF thematic areas"),
        blank=True,
        related_name="+",
    )
    objectives = models.ManyToManyField(
        "registry.FrameworkItem", verbose_name=_("GCM objectives"), blank=True, related_name="+"
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    regions = models.ManyToManyField(
        "core.Region", verbose_name=_("regions"), blank=True, related_name="+"
    )
    countries = models.ManyToManyField(
        "core.Country", verbose_name=_("countries"), blank=True, related_name="+"
    )
    availability = models.CharField(
        _("availability"),
        max_length=16,
        choices=Availability.choices,
        default=Availability.AVAILABLE,
    )
    opted_in = models.BooleanField(
        _("listed in the expert database"),
        default=False,
        help_text=_("Untick to hide the profile from search, the API and matching at once."),
    )

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("expert profile")
        verbose_name_plural = _("expert profiles")

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("knowledge:expert_detail", kwargs={"pk": self.pk})

    @property
    def is_listed(self) -> bool:
        """Others may see the profile: opted in, with an active account (as `listed_experts`)."""
        return self.opted_in and self.user.is_active

    def search_document(self) -> tuple[str, str]:
        return self.display_name, f"{self.headline} {self.bio}"


class ExpertMessage(models.Model):
    """A message to an expert through the platform; neither address is shown to the other."""

    expert = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    demand = models.ForeignKey(
        "Demand", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("message to an expert")
        verbose_name_plural = _("messages to experts")

    def __str__(self) -> str:
        return self.subject


class SavedSearch(TimeStampedModel):
    """A search or subscription (by objective, region, country, kind) kept by a person, with
    e-mail alerts for new matches and a private Atom feed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(_("name"), max_length=150)
    query = models.CharField(_("search words"), max_length=500, blank=True)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    frequency = models.CharField(
        _("e-mail alerts"),
        max_length=16,
        choices=DigestFrequency.choices,
        default=DigestFrequency.DAILY,
    )
    feed_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    last_alerted_at = models.DateTimeField(_("last alert"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")

    def __str__(self) -> str:
        return self.name


class Space(VersionedModel, Sample):
    """A discussion space for a theme or a call, optionally open only between two dates, with
    numbered questions and named moderators."""

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    theme = models.ForeignKey(
        "registry.FrameworkItem",
        verbose_name=_("theme"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    call = models.ForeignKey(
        CallForPractices,
        verbose_name=_("call for practices"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="spaces",
    )
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    moderators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("moderators"), blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-opens_at", "title"]
        verbose_name = _("discussion space")
        verbose_name_plural = _("discussion spaces")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:space_detail", kwargs={"slug": self.slug})

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return (self.opens_at is None or self.opens_at <= now) and (
            self.closes_at is None or now < self.closes_at
        )


class Question(models.Model):
    """A numbered question of a space (Q.1, Q.2 ...)."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="questions")
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("question"))

    class Meta:
        ordering = ["space", "number"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["space", "number"], name="knowledge_question_number")
        ]

    def __str__(self) -> str:
        return f"Q.{self.number}"


class Thread(TimeStampedModel):
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="threads")
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.SET_NULL, related_name="threads"
    )
    title = models.CharField(_("title"), max_length=300)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    locked = models.BooleanField(_("locked"), default=False)
    hidden = models.BooleanField(_("hidden"), default=False)
    last_post_at = models.DateTimeField(_("last reply"), default=timezone.now)

    class Meta:
        ordering = ["-last_post_at"]
        verbose_name = _("thread")
        verbose_name_plural = _("threads")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:thread_detail", kwargs={"pk": self.pk})

    def search_document(self) -> tuple[str, str]:
        posts = " ".join(post.body for post in self.posts.filter(hidden=False)[:200])
        return self.title, posts


class Post(models.Model):
    """A message in a thread, written in Markdown; `body_html` is the sanitised rendering."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("message"))
    body_html = models.TextField(editable=False)
    hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="knowledge_mentions"
    )
    created_at = models.DateTimeField(_("posted"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")

    def __str__(self) -> str:
        return f"{self.thread_id}#{self.pk}"


class PostReport(models.Model):
    """Someone asks the moderators to look at a post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500)
    created_at = models.DateTimeField(_("reported"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report on a post")
        verbose_name_plural = _("reports on posts")

    def __str__(self) -> str:
        return f"{self.post} ({self.reason[:40]})"


class SpaceSubscription(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="space_subscriptions"
    )
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="subscriptions")
    frequency = models.CharField(
        _("e-mail"), max_length=16, choices=DigestFrequency.choices, default=DigestFrequency.DAILY
    )
    last_sent_at = models.DateTimeField(_("last digest"), null=True, blank=True)

    class Meta:
        verbose_name = _("subscription to a space")
        verbose_name_plural = _("subscriptions to spaces")
        constraints = [
            models.UniqueConstraint(fields=["user", "space"], name="knowledge_subscription_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.space_id} ({self.frequency})"


class Offer(VersionedModel, Sample):
    """What a member of the Network can provide: expertise, training, tools, peer exchange."""

    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="hub_offers",
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"))
    objectives = models.ManyToManyField(
        "registry.FrameworkItem", verbose_name=_("GCM objectives"), blank=True, related_name="+"
    )
    themes = models.ManyToManyField(
        "registry.FrameworkItem",
        verbose_name=_("MIGOF thematic areas"),
        blank=True,
        related_name="+",
    )
    countries = models.ManyToManyField(
        "core.Country",
        verbose_name=_("countries covered"),
        blank=True,
        related_name="+",
        help_text=_("Leave empty for an offer open to every country."),
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    active = models.BooleanField(_("available"), default=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:offer_detail", kwargs={"pk": self.pk})

    @property
    def owner_organization_id(self) -> int:
        return self.organization_id


class Demand(VersionedModel, Sample):
    """A request for support from a state, a local government or a network, followed from open
    to an outcome report."""

    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("requesting organization"),
        on_delete=models.PROTECT,
        related_name="hub_demands",
    )
    title = models.CharField(_("title"), max_length=300)
    need = models.TextField(_("what is needed"))
    objectives = models.ManyToManyField(
        "registry.FrameworkItem", verbose_name=_("GCM objectives"), blank=True, related_name="+"
    )
    themes = models.ManyToManyField(
        "registry.FrameworkItem",
        verbose_name=_("MIGOF thematic areas"),
        blank=True,
        related_name="+",
    )
    country = models.ForeignKey(
        "core.Country", verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateField(_("needed by"), null=True, blank=True)
    language = models.CharField(
        _("working language"), max_length=8, choices=LANGUAGE_CHOICES, default="en"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=DemandStatus.choices, default=DemandStatus.OPEN
    )
    matched_offer = models.ForeignKey(
        Offer,
        verbose_name=_("matched offer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="demands",
    )
    matched_expert = models.ForeignKey(
        ExpertProfile,
        verbose_name=_("matched expert"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="demands",
    )
    outcome = models.TextField(_("outcome report"), blank=True)
    outcome_resource = models.ForeignKey(
        Resource,
        verbose_name=_("practice written from the outcome"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("demand")
        verbose_name_plural = _("demands")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:demand_detail", kwargs={"pk": self.pk})

    @property
    def owner_organization_id(self) -> int:
        return self.organization_id
