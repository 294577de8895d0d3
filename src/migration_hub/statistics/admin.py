"""Administrators correct names and descriptions here; figures come only from importers and
reviewed contributions, so the admin shows them read-only."""

from django.contrib import admin

from migration_hub.core.admin import AuditedModelAdmin

from .models import Area, Contribution, Dataset, Indicator, Observation


class ReadOnlyAdmin(AuditedModelAdmin):
    """Rows written by importers and reviews only; deleting them (where allowed) is audited."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Dataset)
class DatasetAdmin(ReadOnlyAdmin):
    list_display = ["title", "revision", "publisher", "licence", "imported_at", "last_year"]
    list_filter = ["kind", "publisher"]
    search_fields = ["title", "key", "revision"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting a revision deletes its figures: superusers only, audited like every edit.
        return request.user.is_superuser


@admin.register(Indicator)
class IndicatorAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "unit", "sdg_indicator", "publisher_code"]
    search_fields = ["code", "name", "publisher_code"]
    readonly_fields = ["code"]


@admin.register(Area)
class AreaAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "kind", "alpha3"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "alpha3"]
    readonly_fields = ["code"]


@admin.register(Observation)
class ObservationAdmin(ReadOnlyAdmin):
    list_display = ["indicator", "area", "origin", "year", "sex", "value", "flag", "dataset"]
    list_filter = ["dataset", "indicator", "sex", "flag"]
    search_fields = ["area__code", "area__name"]
    list_select_related = ["indicator", "area", "origin", "dataset"]
    show_full_result_count = False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Contribution)
class ContributionAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "dataset", "organization", "status", "submitted_at"]
    list_filter = ["status", "dataset"]
    exclude = ["rows"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # merged figures point to it: it is their provenance


# Statistics releases about people (read-only): registered in their own module.
from . import release_admin  # noqa: E402, F401
