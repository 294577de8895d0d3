from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .choices import AuditAction
from .models import AuditEvent, Country, Region


class CountryFilterSet(django_filters.FilterSet):
    region = django_filters.ModelChoiceFilter(
        label=_("Region"),
        queryset=Region.objects.all(),
        to_field_name="m49_code",
        method="filter_region",
        empty_label=_("All regions"),
    )

    class Meta:
        model = Country
        fields = ["region"]

    def filter_region(self, queryset: QuerySet[Country], name: str, value: Region) -> QuerySet:
        return queryset.filter(Q(region=value) | Q(sub_region=value) | Q(intermediate_region=value))


class RegionFilterSet(django_filters.FilterSet):
    level = django_filters.CharFilter(label=_("Level"))

    class Meta:
        model = Region
        fields = ["level"]


class AuditEventFilterSet(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(label=_("Action"), choices=AuditAction.choices)
    target_type = django_filters.CharFilter(
        label=_("Record type"), field_name="target_type__model", lookup_expr="iexact"
    )
    since = django_filters.IsoDateTimeFilter(
        label=_("From"), field_name="created_at", lookup_expr="gte"
    )
    until = django_filters.IsoDateTimeFilter(
        label=_("Until"), field_name="created_at", lookup_expr="lte"
    )

    class Meta:
        model = AuditEvent
        fields = ["action", "target_type", "since", "until"]
