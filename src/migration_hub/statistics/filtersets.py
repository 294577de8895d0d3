from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from migration_hub.core.filtersets import YesNoFilter

from .areas import canonical_code
from .choices import ContributionStatus, ImportKind, Sex
from .models import Contribution, Dataset, Observation


class AreaCodeFilter(django_filters.CharFilter):
    """An area by M49 code ('900', '4' or '004') or by ISO alpha-3 code ('AFG')."""

    def filter(self, queryset: QuerySet, value: Any) -> QuerySet:
        if not value:
            return queryset
        codes = [canonical_code(part) for part in str(value).split(",") if part.strip()]
        return queryset.filter(**{f"{self.field_name}__in": codes})


class ObservationFilterSet(django_filters.FilterSet):
    indicator = django_filters.CharFilter(
        field_name="indicator__code",
        label=_("Indicator code"),
        help_text=_("For example international-migrant-stock."),
    )
    area = AreaCodeFilter(
        field_name="area",
        label=_("Area"),
        help_text=_("M49 code (900 for the world) or ISO alpha-3; several separated by commas."),
    )
    origin = AreaCodeFilter(field_name="origin", label=_("Origin"))
    year = django_filters.NumberFilter(label=_("Year"))
    year_from = django_filters.NumberFilter(
        field_name="year", lookup_expr="gte", label=_("From year")
    )
    year_to = django_filters.NumberFilter(field_name="year", lookup_expr="lte", label=_("To year"))
    sex = django_filters.ChoiceFilter(choices=Sex.choices, label=_("Sex"))
    revision = django_filters.CharFilter(field_name="dataset__revision", label=_("Revision"))
    dataset = django_filters.CharFilter(field_name="dataset__key", label=_("Data set key"))
    flows = YesNoFilter(
        field_name="origin", lookup_expr="isnull", exclude=True, label=_("Only figures by origin")
    )

    class Meta:
        model = Observation
        fields: list[str] = []


class DatasetFilterSet(django_filters.FilterSet):
    key = django_filters.CharFilter(label=_("Key"))
    revision = django_filters.CharFilter(label=_("Revision"))
    indicator = django_filters.CharFilter(
        method="holding", label=_("Holds the indicator"), help_text=_("An indicator code.")
    )

    class Meta:
        model = Dataset
        fields: list[str] = []

    def holding(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # A JSON list: compared in Python, as SQLite has no JSON containment lookup.
        wanted = value.strip()
        ids = [pk for pk, codes in queryset.values_list("pk", "indicator_codes") if wanted in codes]
        return queryset.filter(pk__in=ids)


class ContributionFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=ContributionStatus.choices, label=_("Status"), empty_label=_("Any status")
    )
    dataset = django_filters.ModelChoiceFilter(
        queryset=Dataset.objects.filter(kind=ImportKind.INDICATOR_CSV, owner__isnull=False),
        label=_("Data set"),
        empty_label=_("Any data set"),
    )

    class Meta:
        model = Contribution
        fields: list[str] = []
