from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from migration_hub.core import audit
from migration_hub.core.choices import AuditAction

from .engine import COUNTRY_CODES
from .models import CountryList, ProtocolVersion, TbIncidence


class CountryListForm(forms.ModelForm):
    class Meta:
        model = CountryList
        fields = [
            "code",
            "title",
            "effective_from",
            "effective_to",
            "countries",
            "source_title",
            "source_url",
            "notes",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_url"].assume_scheme = "https"

    def clean_countries(self):
        countries = self.cleaned_data["countries"]
        if not isinstance(countries, list):
            raise ValidationError(_('Give a list of country codes, such as ["IN", "PH"].'))
        codes = [str(code).strip().upper() for code in countries]
        unknown = [code for code in codes if code not in COUNTRY_CODES]
        if unknown:
            raise ValidationError(
                _("Not ISO 3166 alpha-2 country codes: %(codes)s") % {"codes": ", ".join(unknown)}
            )
        return sorted(set(codes))

    def clean(self):
        cleaned = super().clean()
        code, start = cleaned.get("code"), cleaned.get("effective_from")
        end = cleaned.get("effective_to")
        if code and start:
            others = CountryList.objects.filter(code=code).exclude(pk=self.instance.pk)
            for other in others:
                if (other.effective_to is None or start < other.effective_to) and (
                    end is None or other.effective_from < end
                ):
                    raise ValidationError(
                        _(
                            "Its dates overlap the version from %(start)s: end that version "
                            "first (set its effective to)."
                        )
                        % {"start": other.effective_from}
                    )
        return cleaned


@admin.register(CountryList)
class CountryListAdmin(admin.ModelAdmin):
    """Administrators keep the country lists current by adding a new dated version (and ending
    the old one), so the assessments made under the old one stay explainable."""

    form = CountryListForm
    list_display = ["code", "title", "effective_from", "effective_to", "source_title"]
    list_filter = ["code"]
    search_fields = ["code", "title"]

    def save_model(self, request, obj, form, change):
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
