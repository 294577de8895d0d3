from django.contrib import admin
from django.core.exceptions import ValidationError

from migration_hub.core import audit
from migration_hub.core.choices import AuditAction

from .engine import COUNTRY_CODES
from .models import CountryList, ProtocolVersion, TbIncidence


@admin.register(CountryList)
class CountryListAdmin(admin.ModelAdmin):
    """Administrators keep the country lists current: a new dated version, never an edit of
    the past (the assessments made under it must stay explainable)."""

    list_display = ["code", "title", "effective_from", "effective_to", "source_title"]
    list_filter = ["code"]
    search_fields = ["code", "title"]

    def save_model(self, request, obj, form, change):
        codes = [str(code).strip().upper() for code in obj.countries or []]
        unknown = [code for code in codes if code not in COUNTRY_CODES]
        if unknown:
            raise ValidationError(f"Not ISO 3166 alpha-2 codes: {', '.join(unknown)}")
        obj.countries = sorted(set(codes))
        super().save_model(request, obj, form, change)
        audit.record(
            request.user,
            AuditAction.UPDATE if change else AuditAction.CREATE,
            obj,
            changes={"fields": sorted(form.changed_data)},
        )


@admin.register(TbIncidence)
class TbIncidenceAdmin(admin.ModelAdmin):
    list_display = ["country", "year", "per_100k", "release"]
    list_filter = ["year", "release"]
    search_fields = ["country"]


@admin.register(ProtocolVersion)
class ProtocolVersionAdmin(admin.ModelAdmin):
    """Read-only: a protocol changes by loading its file, so every version has its text."""

    list_display = ["protocol", "version", "destination", "effective_from", "effective_to"]
    list_filter = ["destination"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
