"""Admin for statistics releases about people: everything is read-only here. Releases are built,
published and withdrawn through `statistics.releases`, so that each step is checked and
audited; cells are figures computed once; the budget ledger is append-only."""

from django.contrib import admin

from .admin import ReadOnlyAdmin
from .models import PrivacyBudget, PrivacyBudgetSpend, ReleaseCell, StatisticsRelease


class ReleaseCellInline(admin.TabularInline):
    model = ReleaseCell
    fields = ["position", "key", "value", "suppressed", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StatisticsRelease)
class StatisticsReleaseAdmin(ReadOnlyAdmin):
    list_display = ["title", "dataset_key", "method", "status", "created_at", "published_at"]
    list_filter = ["method", "status"]
    search_fields = ["title", "dataset_key"]
    exclude = ["person_digests"]  # linkable to persons, and long
    inlines = [ReleaseCellInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # withdraw instead: a published release stays on record


@admin.register(ReleaseCell)
class ReleaseCellAdmin(ReadOnlyAdmin):
    list_display = ["release", "position", "key", "value", "suppressed", "reason"]
    list_filter = ["suppressed", "reason"]
    list_select_related = ["release"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class PrivacyBudgetSpendInline(admin.TabularInline):
    model = PrivacyBudgetSpend
    fields = ["release", "epsilon", "at", "by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PrivacyBudget)
class PrivacyBudgetAdmin(ReadOnlyAdmin):
    """Set through `releases.set_privacy_budget`, which refuses a total below what is spent."""

    list_display = ["dataset_key", "total_epsilon", "created_at"]
    search_fields = ["dataset_key"]
    inlines = [PrivacyBudgetSpendInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PrivacyBudgetSpend)
class PrivacyBudgetSpendAdmin(ReadOnlyAdmin):
    list_display = ["budget", "release", "epsilon", "at", "by"]
    list_select_related = ["budget", "release", "by"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
