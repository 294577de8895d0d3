"""Filters for the fund lists, shared by the pages and the API.

Funds, thematic areas and programmes are named by their codes, countries by ISO alpha-3,
regions by M49 code, so that the same query string works in a browser and in a script.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from migration_hub.core import selectors as core_selectors
from migration_hub.core.filtersets import YesNoFilter

from .choices import ContributionStatus, DonorKind, ProgrammeStatus, TransactionKind
from .models import Call, Contribution, ExchangeRate, Fund, LedgerTransaction, Programme


class CodeFilter(django_filters.CharFilter):
    """A record's code, whatever the case it is typed in (codes are stored in capitals)."""

    def filter(self, queryset: QuerySet, value: Any) -> QuerySet:
        if value in (None, ""):
            return queryset
        return super().filter(queryset, str(value).strip().upper())


class IdFilter(django_filters.NumberFilter):
    """A row id: out-of-range numbers are a 400, not a database error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        kwargs.setdefault("decimal_places", 0)
        super().__init__(*args, **kwargs)


class YearFilter(django_filters.NumberFilter):
    """A calendar year (1 to 9999: what a date holds)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 9999)
        kwargs.setdefault("decimal_places", 0)
        super().__init__(*args, **kwargs)


class FundFilterSet(django_filters.FilterSet):
    code = CodeFilter(label=_("Fund code"))
    organization = django_filters.CharFilter(
        label=_("Managed by (organization code)"), field_name="organization__code"
    )
    currency = CodeFilter(label=_("Currency"))

    class Meta:
        model = Fund
        fields: list[str] = []


class ProgrammeFilterSet(django_filters.FilterSet):
    fund = CodeFilter(label=_("Fund code"), field_name="fund__code")
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=ProgrammeStatus.choices)
    thematic_area = CodeFilter(label=_("Thematic area code"), field_name="thematic_area__code")
    country = CodeFilter(
        label=_("Country (ISO alpha-3)"), field_name="countries__alpha3", distinct=True
    )
    region = django_filters.CharFilter(
        label=_("Region (M49 code)"),
        method="filter_region",
        help_text=_("Programmes in a country of the region, or covering the region itself."),
    )
    participant = CodeFilter(
        label=_("Participating organization code"),
        field_name="participants__organization__code",
        distinct=True,
    )
    submitted_by = django_filters.CharFilter(
        label=_("Submitted by (organization code)"), field_name="submitted_by_organization__code"
    )
    call = IdFilter(label=_("Call"), field_name="call_id")
    approved_year = YearFilter(label=_("Approved in year"), field_name="approved_on__year")
    approved_from = django_filters.DateFilter(
        label=_("Approved from"), field_name="approved_on", lookup_expr="gte"
    )
    approved_to = django_filters.DateFilter(
        label=_("Approved until"), field_name="approved_on", lookup_expr="lte"
    )

    class Meta:
        model = Programme
        fields: list[str] = []

    def filter_region(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        code = value.strip()
        if not code:
            return queryset
        countries = core_selectors.countries().filter(core_selectors.in_region(code))
        return queryset.filter(
            Q(countries__in=countries)
            | Q(regions__m49_code=code)
            | Q(regions__parent__m49_code=code)
        ).distinct()


class ContributionFilterSet(django_filters.FilterSet):
    fund = CodeFilter(label=_("Fund code"), field_name="fund__code")
    donor = IdFilter(label=_("Donor"), field_name="donor_id")
    donor_kind = django_filters.ChoiceFilter(
        label=_("Kind of donor"), field_name="donor__kind", choices=DonorKind.choices
    )
    donor_country = CodeFilter(
        label=_("Donor state (ISO alpha-3)"), field_name="donor__country__alpha3"
    )
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=ContributionStatus.choices
    )
    currency = CodeFilter(label=_("Currency"))
    thematic_area = CodeFilter(
        label=_("Earmarked to thematic area (code)"), field_name="earmarked_thematic_area__code"
    )
    region = django_filters.CharFilter(
        label=_("Earmarked to region (M49 code)"), field_name="earmarked_region__m49_code"
    )
    earmarked = YesNoFilter(
        label=_("Earmarked"), method="filter_earmarked", help_text=_("true or false.")
    )
    year = YearFilter(label=_("Pledged in year"), field_name="pledged_on__year")
    pledged_from = django_filters.DateFilter(
        label=_("Pledged from"), field_name="pledged_on", lookup_expr="gte"
    )
    pledged_to = django_filters.DateFilter(
        label=_("Pledged until"), field_name="pledged_on", lookup_expr="lte"
    )

    class Meta:
        model = Contribution
        fields: list[str] = []

    def filter_earmarked(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        unearmarked = Q(earmarked_thematic_area__isnull=True, earmarked_region__isnull=True)
        return queryset.exclude(unearmarked) if value else queryset.filter(unearmarked)


class CallFilterSet(django_filters.FilterSet):
    fund = CodeFilter(label=_("Fund code"), field_name="fund__code")
    thematic_area = CodeFilter(
        label=_("Thematic area code"), field_name="thematic_areas__code", distinct=True
    )
    open_on = django_filters.DateFilter(
        label=_("Open on"), method="filter_open_on", help_text=_("Calls accepting notes that day.")
    )
    year = YearFilter(label=_("Deadline in year"), field_name="deadline__year")

    class Meta:
        model = Call
        fields: list[str] = []

    def filter_open_on(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset.filter(opens_on__lte=value, deadline__gte=value)


class LedgerTransactionFilterSet(django_filters.FilterSet):
    fund = CodeFilter(label=_("Fund code"), field_name="fund__code")
    kind = django_filters.MultipleChoiceFilter(label=_("Kind"), choices=TransactionKind.choices)
    programme = CodeFilter(label=_("Programme code"), field_name="programme__code")
    contribution = IdFilter(label=_("Contribution"), field_name="contribution_id")
    year = YearFilter(label=_("Year"), field_name="date__year")
    date_from = django_filters.DateFilter(label=_("From"), field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=_("Until"), field_name="date", lookup_expr="lte")

    class Meta:
        model = LedgerTransaction
        fields: list[str] = []


class ExchangeRateFilterSet(django_filters.FilterSet):
    """Filters of the exchange rates list."""

    organization = CodeFilter(
        label=_("Rate table of (organization code)"), field_name="organization__code"
    )
    currency = django_filters.CharFilter(label=_("Currency"), lookup_expr="iexact")
    quote_currency = django_filters.CharFilter(label=_("In currency"), lookup_expr="iexact")
    date_from = django_filters.DateFilter(label=_("From"), field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=_("Until"), field_name="date", lookup_expr="lte")

    class Meta:
        model = ExchangeRate
        fields: list[str] = []
