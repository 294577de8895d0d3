from django.contrib import admin

from migration_hub.core.admin import AuditedModelAdmin

from .models import ExchangeRate, Fund, GovernanceSeat, Marker, Target, ThematicArea


class ThematicAreaInline(admin.TabularInline):
    model = ThematicArea
    extra = 0
    filter_horizontal = ["objectives"]


class MarkerInline(admin.TabularInline):
    model = Marker
    extra = 0


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


class GovernanceSeatInline(admin.TabularInline):
    model = GovernanceSeat
    extra = 0
    autocomplete_fields = ["organization", "country"]


@admin.register(Fund)
class FundAdmin(AuditedModelAdmin):
    """Funds' configuration (thematic areas, markers, targets) is data an administrator edits;
    money moves only through the services, so the ledger has no admin."""

    list_display = ["code", "name", "currency", "organization"]
    search_fields = ["code", "name"]
    inlines = [ThematicAreaInline, MarkerInline, TargetInline, GovernanceSeatInline]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(AuditedModelAdmin):
    list_display = ["date", "currency", "quote_currency", "rate", "source"]
    list_filter = ["currency", "quote_currency"]
    date_hierarchy = "date"
