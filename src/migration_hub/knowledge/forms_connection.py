"""Forms and list filters of the Connection Hub: posting and editing demands and offers, and
the steps of a demand (match, start, report the outcome, close, write up a practice).

Forms only collect input; `services.connection` checks the rules and writes. The edit forms
and every step carry the version the person saw, so a change made meanwhile by someone else is
refused rather than overwritten.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from migration_hub.accounts.models import Organization
from migration_hub.core.filtersets import YesNoFilter
from migration_hub.core.forms import SummaryForm
from migration_hub.core.models import Country
from migration_hub.core.permissions import organizations_with_role
from migration_hub.registry.models import FrameworkItem

from .choices import DemandStatus
from .models import Demand, ExpertProfile, Offer
from .permissions import WRITER_ROLES, is_hub_editor
from .services.connection import DEMAND_ORGANIZATION_KINDS, MAX_REASON, MAX_TEXT, MAX_TITLE


def objectives() -> QuerySet[FrameworkItem]:
    return FrameworkItem.objects.filter(kind="objective", code__startswith="GCM-O").order_by(
        "position", "code"
    )


def themes() -> QuerySet[FrameworkItem]:
    return FrameworkItem.objects.filter(kind="thematic-area").order_by("position", "code")


def countries() -> QuerySet[Country]:
    return Country.objects.order_by("name")


def item_label(item: FrameworkItem) -> str:
    if item.kind == "objective" and item.number:
        return str(_("Objective %(number)s: %(title)s")) % {
            "number": item.number,
            "title": item.short_title or item.title,
        }
    return item.short_title or item.title


def writable_organizations(user: Any) -> QuerySet[Organization]:
    """Organizations the person writes for (every one for the Hub's editors)."""
    if user.is_superuser or is_hub_editor(user):
        return Organization.objects.order_by("name")
    ids = [int(pk) for pk in organizations_with_role(user, *WRITER_ROLES)]
    return Organization.objects.filter(pk__in=ids).order_by("name")


class ItemsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: FrameworkItem) -> str:
        return item_label(obj)


def items_field(label: Any) -> ItemsField:
    """An optional choice of framework items as check boxes, each named by `item_label`; the
    form's `__init__` sets the items offered (`objectives()` or `themes()`)."""
    return ItemsField(label=label, queryset=FrameworkItem.objects.none(), required=False)


class CountryField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Country) -> str:
        return obj.name


class CountriesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Country) -> str:
        return obj.name


class VersionForm(SummaryForm):
    """The version of the demand the person saw; the service refuses a stale one."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DemandForm(SummaryForm):
    organization = forms.ModelChoiceField(
        label=_("Requesting organization"),
        queryset=Organization.objects.none(),
        help_text=_("A ministry, a local government or a network you write for."),
    )
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    need = forms.CharField(
        label=_("What is needed"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The need, the objectives of the support, who will use it and when."),
    )
    objectives = items_field(_("GCM objectives"))
    themes = items_field(_("MIGOF thematic areas"))
    country = CountryField(
        label=_("Country"), queryset=Country.objects.none(), to_field_name="alpha3"
    )
    deadline = forms.DateField(
        label=_("Needed by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    language = forms.ChoiceField(label=_("Working language"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, user: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["objectives"].queryset = objectives()
        self.fields["themes"].queryset = themes()
        self.fields["country"].queryset = countries()
        if editing:
            del self.fields["organization"]
        else:
            self.fields["organization"].queryset = writable_organizations(user).filter(
                kind__in=DEMAND_ORGANIZATION_KINDS
            )

    def clean_deadline(self) -> Any:
        deadline = self.cleaned_data.get("deadline")
        if deadline and deadline < timezone.localdate() and "deadline" in self.changed_data:
            raise forms.ValidationError(_("The date by which support is needed has passed."))
        return deadline


class DemandEditForm(DemandForm, VersionForm):
    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, editing=True, **kwargs)


class OfferForm(SummaryForm):
    organization = forms.ModelChoiceField(
        label=_("Offering organization"), queryset=Organization.objects.none()
    )
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    description = forms.CharField(
        label=_("What you offer"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Expertise, training, tools or peer exchange; for whom and how."),
    )
    objectives = items_field(_("GCM objectives"))
    themes = items_field(_("MIGOF thematic areas"))
    countries = CountriesField(
        label=_("Countries covered"),
        queryset=Country.objects.none(),
        to_field_name="alpha3",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Leave empty for an offer open to every country."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Working languages"),
        choices=settings.LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, user: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["objectives"].queryset = objectives()
        self.fields["themes"].queryset = themes()
        self.fields["countries"].queryset = countries()
        if editing:
            del self.fields["organization"]
        else:
            self.fields["organization"].queryset = writable_organizations(user)


class OfferEditForm(OfferForm, VersionForm):
    active = forms.BooleanField(
        label=_("Available"),
        required=False,
        help_text=_("Untick to withdraw the offer: it is no longer proposed for demands."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, editing=True, **kwargs)


class MatchForm(VersionForm):
    offer = forms.ModelChoiceField(
        queryset=Offer.objects.all(), required=False, widget=forms.HiddenInput
    )
    expert = forms.ModelChoiceField(
        queryset=ExpertProfile.objects.none(), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .services.experts import listed_experts

        super().__init__(*args, **kwargs)
        self.fields["expert"].queryset = listed_experts()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("offer") and not data.get("expert") and not self.errors:
            raise forms.ValidationError(
                _("Name the offer or the expert that will answer this demand.")
            )
        return data


class OutcomeForm(VersionForm):
    outcome = forms.CharField(
        label=_("Outcome report"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What was done, with whom, what changed, and what others can learn from it."),
    )


class CloseForm(VersionForm):
    reason = forms.CharField(
        label=_("Why close the demand?"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- list filters --------------------------------------------------------------------------------


class ItemFilter(django_filters.ModelChoiceFilter):
    """A GCM objective or thematic area, given by its code in the query string."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("to_field_name", "code")
        super().__init__(*args, **kwargs)

    @property
    def field(self) -> Any:
        field = super().field
        field.label_from_instance = item_label
        return field


def objective_filter() -> ItemFilter:
    """The lists' filter by GCM objective (`?objective=GCM-O5`)."""
    return ItemFilter(
        label=_("GCM objective"),
        field_name="objectives",
        queryset=objectives(),
        empty_label=_("Any objective"),
    )


def theme_filter() -> ItemFilter:
    """The lists' filter by MIGOF thematic area (`?theme=MIGOF-TA-05`)."""
    return ItemFilter(
        label=_("Thematic area"),
        field_name="themes",
        queryset=themes(),
        empty_label=_("Any thematic area"),
    )


class CountryFilter(django_filters.ModelChoiceFilter):
    @property
    def field(self) -> Any:
        field = super().field
        field.label_from_instance = lambda country: country.name
        return field


class DemandFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=DemandStatus.choices, empty_label=_("Any status")
    )
    objective = objective_filter()
    theme = theme_filter()
    country = CountryFilter(
        label=_("Country"),
        field_name="country",
        queryset=countries(),
        to_field_name="alpha3",
        empty_label=_("Any country"),
    )

    class Meta:
        model = Demand
        fields = ["status", "objective", "theme", "country"]


class OfferFilterSet(django_filters.FilterSet):
    objective = objective_filter()
    theme = theme_filter()
    country = CountryFilter(
        label=_("Country covered"),
        queryset=countries(),
        to_field_name="alpha3",
        empty_label=_("Any country"),
        method="filter_country",
    )
    active = YesNoFilter(label=_("Available"))

    class Meta:
        model = Offer
        fields = ["objective", "theme", "country", "active"]

    def filter_country(self, queryset: QuerySet[Offer], name: str, value: Country) -> QuerySet:
        # An offer naming no country is open to every country.
        return queryset.filter(Q(countries=value) | Q(countries__isnull=True)).distinct()
