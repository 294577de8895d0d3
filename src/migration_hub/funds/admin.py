from django.contrib import admin

from .models import ExchangeRate, Fund, Marker, Target, ThematicArea


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


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    """Funds' configuration (thematic areas, markers, targets) is data an administrator edits;
    money moves only through the services, so the ledger has no admin."""

    list_display = ["code", "name", "currency", "organization"]
    search_fields = ["code", "name"]
    inlines = [ThematicAreaInline, MarkerInline, TargetInline]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ["date", "currency", "quote_currency", "rate", "source"]
    list_filter = ["currency", "quote_currency"]
    date_hierarchy = "date"
