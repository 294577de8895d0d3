"""What every app shares: base models, the audit log, countries and regions, the search index."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import AuditAction, RegionLevel


class TimeStampedModel(models.Model):
    """Creation and change times, and who created the row."""

    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """A row edited by several people: `version` guards against overwriting someone's change.

    Updates go through `core.services.update_versioned`, which only writes when the caller
    saw the current version and raises `ConflictError` otherwise.
    """

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """One read or write worth keeping: who, what, when, and the fields before and after.

    Holds no personal data of the people in a record: targets are named by type and id only.
    """

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Copied so the trail survives the deletion of the account.
    actor_ref = models.CharField(_("actor id"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    # PROTECT, not SET_NULL: the row's hash seals the target type's natural key, and the
    # append-only trigger refuses any change but the actor's removal (see core/audit_chain.py).
    target_type = models.ForeignKey(
        ContentType,
        verbose_name=_("target type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    organization_ref = models.CharField(
        _("organization id"), max_length=64, blank=True, db_index=True
    )
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    # The hash chain (core/audit_chain.py): the row's place in the log, the hash of the row
    # before it and the hash sealing this row's content to that one.
    sequence = models.PositiveBigIntegerField(_("sequence"), unique=True, editable=False)
    previous_hash = models.CharField(_("previous hash"), max_length=64, editable=False)
    row_hash = models.CharField(_("row hash"), max_length=64, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["target_type", "target_id"], name="core_audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.action} {self.target_label}"

    @property
    def target_label(self) -> str:
        if self.target_type_id is None:
            return ""
        return f"{self.target_type.model}:{self.target_id}"


class AuditChainHead(models.Model):
    """The last link of the audit chain: one row, locked by every writer of the log.

    `core.audit.record` locks it (`SELECT ... FOR UPDATE`), appends the next row and moves it,
    all in the writer's transaction, so writers take sequence numbers one at a time and a
    rolled-back transaction takes back its row and the head together.
    """

    sequence = models.PositiveBigIntegerField(_("sequence"), default=0)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")

    def __str__(self) -> str:
        return f"{self.sequence} {self.hash}"


class Region(models.Model):
    """A UN M49 region, sub-region or intermediate region."""

    m49_code = models.CharField(_("M49 code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=24, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("core:country_list") + f"?region={self.m49_code}"


class Country(models.Model):
    """A country or area with its ISO 3166 codes and UN M49 regions."""

    alpha2 = models.CharField(_("ISO alpha-2"), max_length=2, unique=True)
    alpha3 = models.CharField(_("ISO alpha-3"), max_length=3, unique=True)
    m49_code = models.CharField(_("M49 code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=100)
    official_name = models.CharField(_("official name"), max_length=200, blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sub_region = models.ForeignKey(
        Region,
        verbose_name=_("sub-region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    intermediate_region = models.ForeignKey(
        Region,
        verbose_name=_("intermediate region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("country or area")
        verbose_name_plural = _("countries and areas")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("core:country_detail", kwargs={"alpha3": self.alpha3})

    def search_document(self) -> tuple[str, str]:
        return self.name, f"{self.official_name} {self.alpha2} {self.alpha3} {self.m49_code}"


class SearchDocument(models.Model):
    """The searchable text of one object; queried through `core.search` on SQLite or PostgreSQL.

    `facets` holds the object's filter values as space-separated `name=value` tokens (see
    `core.search.facet_token`), indexed with the text (FTS5 column on SQLite, GIN over the
    token array on PostgreSQL); `dated` is what a "newest first" sort uses.
    """

    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.CharField(max_length=64)
    title = models.TextField(blank=True)
    body = models.TextField(blank=True)
    facets = models.TextField(blank=True, default="")
    dated = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [
            models.UniqueConstraint(
                fields=["target_type", "target_id"], name="%(app_label)s_%(class)s_one_per_object"
            )
        ]
        # The facet caches of core.search ask for each type's latest change on every search.
        indexes = [models.Index(fields=["target_type", "updated_at"], name="core_search_changes")]

    def __str__(self) -> str:
        return self.title
