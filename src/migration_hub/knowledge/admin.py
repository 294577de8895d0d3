"""The Hub in the admin: read-mostly. Resources, peer review, experts, discussions and the
Connection Hub are written through their pages and services (which keep versions, blind
review, e-mails and the search index right); the admin shows them for looking into a record,
and lets an administrator fix the few plain fields listed as editable, each change audited.

Private texts stay out: messages to experts show their subject only, and a saved search's
private feed token is never shown.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from migration_hub.core.admin import AuditedModelAdmin

from .models import (
    CallForPractices,
    Demand,
    EditorialDecision,
    ExpertMessage,
    ExpertProfile,
    Offer,
    Post,
    PostReport,
    Question,
    Resource,
    ResourceFile,
    ResourceTranslation,
    ResourceVersion,
    ReviewAssignment,
    SavedSearch,
    Space,
    SpaceSubscription,
    Thread,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never written here: no add, change or delete."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class AuditedFixAdmin(AuditedModelAdmin):
    """Only `editable` fields can be changed (audited); records are created and deleted
    through the services."""

    editable: tuple[str, ...] = ()

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        fields = [field.name for field in self.model._meta.fields]
        fields += [field.name for field in self.model._meta.many_to_many]
        return [name for name in fields if name not in self.editable]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


# --- Resources and peer review ----------------------------------------------------------------


class TranslationInline(ReadOnlyInline):
    model = ResourceTranslation
    fields = ["language", "title", "summary"]


class FileInline(ReadOnlyInline):
    model = ResourceFile
    fields = ["name", "content_type", "size", "language", "created_at"]


class VersionInline(ReadOnlyInline):
    model = ResourceVersion
    fields = ["number", "note", "created_by", "created_at"]


@admin.register(Resource)
class ResourceAdmin(ReadOnlyAdmin):
    list_display = [
        "__str__",
        "kind",
        "status",
        "organization",
        "peer_reviewed",
        "needs_update",
        "is_sample",
    ]
    list_filter = ["status", "kind", "peer_reviewed", "needs_update", "language", "is_sample"]
    search_fields = ["translations__title"]
    list_select_related = ["organization"]
    inlines = [TranslationInline, FileInline, VersionInline]
    exclude = ["publishers", "countries", "regions", "objectives", "principles", "themes"]

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).prefetch_related("translations")


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["resource", "round", "reviewer", "recommendation", "submitted_at"]
    list_filter = ["recommendation", "round"]
    raw_id_fields = ["resource", "reviewer"]


@admin.register(EditorialDecision)
class EditorialDecisionAdmin(ReadOnlyAdmin):
    list_display = ["resource", "round", "decision", "decided_by", "decided_at"]
    list_filter = ["decision"]
    raw_id_fields = ["resource"]


@admin.register(CallForPractices)
class CallForPracticesAdmin(AuditedFixAdmin):
    list_display = ["title", "organization", "opens_on", "deadline", "is_sample"]
    list_filter = ["is_sample"]
    search_fields = ["title"]
    # A mistyped title or date is fixed here; the rest is as the call was published.
    editable = ("title", "description", "opens_on", "deadline")


# --- Experts ----------------------------------------------------------------------------------


@admin.register(ExpertProfile)
class ExpertProfileAdmin(ReadOnlyAdmin):
    """Opting in or out goes through the person's profile page (services.experts.set_opt_in),
    which keeps search and matching in step at once."""

    list_display = ["display_name", "organization", "availability", "opted_in", "is_sample"]
    list_filter = ["opted_in", "availability", "is_sample"]
    search_fields = ["display_name"]


@admin.register(ExpertMessage)
class ExpertMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "expert", "subject"]
    fields = ["created_at", "expert", "sender", "subject", "demand"]


@admin.register(SavedSearch)
class SavedSearchAdmin(ReadOnlyAdmin):
    list_display = ["name", "user", "frequency", "last_alerted_at"]
    list_filter = ["frequency"]
    fields = ["name", "user", "query", "filters", "frequency", "last_alerted_at", "created_at"]


# --- Discussions ------------------------------------------------------------------------------


class QuestionInline(ReadOnlyInline):
    model = Question
    fields = ["number", "text"]


@admin.register(Space)
class SpaceAdmin(AuditedFixAdmin):
    list_display = ["title", "slug", "opens_at", "closes_at", "is_sample"]
    list_filter = ["is_sample"]
    search_fields = ["title", "slug"]
    inlines = [QuestionInline]
    editable = ("title", "description", "opens_at", "closes_at")


@admin.register(Thread)
class ThreadAdmin(ReadOnlyAdmin):
    list_display = ["title", "space", "locked", "hidden", "last_post_at"]
    list_filter = ["locked", "hidden"]
    search_fields = ["title"]


@admin.register(Post)
class PostAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "thread", "author", "hidden", "created_at"]
    list_filter = ["hidden"]
    exclude = ["mentions"]


@admin.register(PostReport)
class PostReportAdmin(ReadOnlyAdmin):
    list_display = ["post", "reason", "created_at", "resolved_at"]


@admin.register(SpaceSubscription)
class SpaceSubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["space", "user", "frequency", "last_sent_at"]


# --- The Connection Hub -----------------------------------------------------------------------


@admin.register(Offer)
class OfferAdmin(AuditedFixAdmin):
    list_display = ["title", "organization", "active", "is_sample"]
    list_filter = ["active", "is_sample"]
    search_fields = ["title"]
    editable = ("active",)


@admin.register(Demand)
class DemandAdmin(ReadOnlyAdmin):
    list_display = ["title", "organization", "country", "status", "deadline", "is_sample"]
    list_filter = ["status", "is_sample"]
    search_fields = ["title"]
