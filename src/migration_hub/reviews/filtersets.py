"""Filters for the review and pledge lists, shared by the pages and the API.

Cycles are named by their year (and kind), countries by ISO alpha-3, organizations by their
code, objectives by their number (1 to 23), so that the same query string works in a browser
and in a script. A value that is not one of these is a clear error (400), never a 500.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from migration_hub.core.filtersets import YesNoFilter

from .choices import Commission, CycleKind, PledgeStatus, ReviewLevel, ReviewStatus
from .models import OBJECTIVE_COUNT, Pledge, Review


class CodeFilter(django_filters.CharFilter):
    """A code (country alpha-3, organization code), whatever the case it is typed in."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("lookup_expr", "iexact")
        kwargs.setdefault("max_length", 64)
        super().__init__(*args, **kwargs)

    def filter(self, queryset: QuerySet, value: Any) -> QuerySet:
        if value in (None, ""):
            return queryset
        return super().filter(queryset, str(value).strip())


class NumberFilter(django_filters.NumberFilter):
    """A whole number within bounds: out-of-range values are a 400, not a database error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 9999)
        kwargs.setdefault("decimal_places", 0)
        super().__init__(*args, **kwargs)


class ReviewFilterSet(django_filters.FilterSet):
    cycle = NumberFilter(label=_("Cycle year"), field_name="cycle__year")
    cycle_kind = django_filters.ChoiceFilter(
        label=_("Kind of cycle"),
        field_name="cycle__kind",
        choices=[(value, label) for value, label in CycleKind.choices if value != "sg_report"],
        empty_label=_("All kinds"),
    )
    # For links from a cycle's page (a regional cycle's year is shared by five commissions).
    cycle_id = NumberFilter(
        label=_("Cycle (id)"),
        field_name="cycle_id",
        max_value=2**63 - 1,
        widget=forms.HiddenInput,
    )
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=ReviewStatus.choices)
    level = django_filters.ChoiceFilter(
        label=_("Level"), choices=ReviewLevel.choices, empty_label=_("All levels")
    )
    country = CodeFilter(label=_("Country (ISO alpha-3)"), field_name="country__alpha3")
    commission = django_filters.ChoiceFilter(
        label=_("Regional commission"),
        choices=Commission.choices,
        empty_label=_("All commissions"),
    )
    organization = CodeFilter(label=_("Organization (code)"), field_name="organization__code")
    is_late = YesNoFilter(label=_("Late"))
    is_sample = YesNoFilter(label=_("Sample"))

    class Meta:
        model = Review
        fields: list[str] = []


class PledgeFilterSet(django_filters.FilterSet):
    cycle = NumberFilter(label=_("Cycle year"), field_name="cycle__year")
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=PledgeStatus.choices)
    level = django_filters.ChoiceFilter(
        label=_("Level"), choices=ReviewLevel.choices, empty_label=_("All levels")
    )
    country = CodeFilter(label=_("Country (ISO alpha-3)"), field_name="country__alpha3")
    objective = NumberFilter(
        label=_("GCM objective (1-23)"), method="filter_objective", max_value=OBJECTIVE_COUNT
    )
    organization = CodeFilter(label=_("Organization (code)"), field_name="organization__code")
    is_sample = YesNoFilter(label=_("Sample"))

    class Meta:
        model = Pledge
        fields: list[str] = []

    def filter_objective(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        if value in (None, ""):
            return queryset
        return queryset.filter(objectives__code=f"GCM-O{int(value)}").distinct()
