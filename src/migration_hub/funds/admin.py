from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from migration_hub.core.admin import AuditedModelAdmin

from .models import ExchangeRate, Fund, GovernanceSeat, Marker, Target, ThematicArea


def fund_in_use(fund: Fund | None) -> bool:
    """A fund with money or concept notes: codes its ledger pools and scores refer to, and its
    currency, can no longer change."""
    return fund is not None and (
        fund.transactions.exists() or fund.programmes.exists() or fund.contributions.exists()
    )


class KeepCodeForm(forms.ModelForm):
    """Refuses to change the code (and the scale) of a row the fund's data already uses:
    earmarked money sits in a pool named by a thematic area's code, and concept notes keep
    their marker scores under the marker's code, on its scale. New rows may still be added."""

    frozen = ("code", "scale")

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        if instance.pk and fund_in_use(instance.fund):
            for name in self.frozen:
                if name in cleaned and name in self.changed_data:
                    self.add_error(
                        name,
                        _(
                            "The fund's money and concept notes use this %(field)s: it can no "
                            "longer change."
                        )
                        % {"field": name},
                    )
        return cleaned


class ThematicAreaInline(admin.TabularInline):
    model = ThematicArea
    form = KeepCodeForm
    extra = 0
    filter_horizontal = ["objectives"]


class MarkerInline(admin.TabularInline):
    model = Marker
    form = KeepCodeForm
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

    def get_readonly_fields(self, request, obj=None):
        # Every cent in the ledger is in the fund's currency.
        return ["currency"] if fund_in_use(obj) else []


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    """Read-only here: rates change through the Exchange rates page or `migration-hub funds
    rates`, which keep each organization's table to its own fund managers and refuse to change
    a rate a deposit has used."""

    list_display = ["date", "organization", "currency", "quote_currency", "rate", "source"]
    list_filter = ["organization", "currency", "quote_currency"]
    date_hierarchy = "date"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
