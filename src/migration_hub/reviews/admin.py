"""The secretariat corrects the schedule here; reviews and pledges are written through the pages
and the API, so the admin shows them for fixing records, each change audited."""

from django.contrib import admin

from migration_hub.core.admin import AuditedModelAdmin

from .models import Cycle, Pledge, ReportJob, Review


@admin.register(Cycle)
class CycleAdmin(AuditedModelAdmin):
    list_display = ["title", "kind", "year", "commission", "due_on", "starts_on", "dates_confirmed"]
    list_filter = ["kind", "commission", "dates_confirmed"]
    search_fields = ["year"]
    fields = [
        "kind",
        "year",
        "commission",
        "opens_on",
        "due_on",
        "starts_on",
        "ends_on",
        "dates_confirmed",
        "source",
        "notes",
    ]

    def get_readonly_fields(self, request, obj=None):
        # Reviews are filed under a cycle's kind, year and commission: those stay fixed.
        return ["kind", "year", "commission"] if obj is not None else []


@admin.register(Review)
class ReviewAdmin(AuditedModelAdmin):
    list_display = ["title", "cycle", "level", "country", "status", "is_late", "is_sample"]
    list_filter = ["status", "level", "is_late", "is_sample", "cycle__year", "commission"]
    search_fields = ["title", "entity_name"]
    raw_id_fields = ["country", "organization"]
    readonly_fields = ["cycle", "status", "submitted_at", "published_at", "is_late"]
    fields = [
        "title",
        "cycle",
        "organization",
        "level",
        "stakeholder",
        "entity_name",
        "country",
        "commission",
        "language",
        "status",
        "submitted_at",
        "published_at",
        "is_late",
        "is_sample",
    ]


@admin.register(Pledge)
class PledgeAdmin(AuditedModelAdmin):
    list_display = ["title", "entity_name", "cycle", "status", "is_sample"]
    list_filter = ["status", "level", "is_sample", "cycle__year"]
    search_fields = ["title", "entity_name"]
    raw_id_fields = ["country", "organization", "review"]
    filter_horizontal = ["objectives"]
    readonly_fields = ["status"]


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    list_display = ["created_at", "cycle_year", "scope", "format", "language", "status"]
    list_filter = ["status", "format"]
    readonly_fields = [field.name for field in ReportJob._meta.fields]

    def has_add_permission(self, request):
        return False
