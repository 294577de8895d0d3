from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

from . import selectors
from .choices import AuditAction
from .models import AuditEvent, Country, Region


class UTCIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, turned into UTC so every database accepts its offset."""

    def to_python(self, value: Any) -> datetime | None:
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(UTC)
        except OverflowError as error:
            raise forms.ValidationError(_("This date is out of range."), code="invalid") from error


class UTCIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCIsoDateTimeField


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
        return queryset.filter(selectors.in_region(value))


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
    since = UTCIsoDateTimeFilter(label=_("From"), field_name="created_at", lookup_expr="gte")
    until = UTCIsoDateTimeFilter(label=_("Until"), field_name="created_at", lookup_expr="lte")

    class Meta:
        model = AuditEvent
        fields = ["action", "target_type", "since", "until"]


class YesNoField(forms.ChoiceField):
    """All, yes or no; `true`/`false` (also `1`/`0`, any case) in a query string. Any other
    value is an error, rather than silently showing every row."""

    ALIASES = {
        "true": "true",
        "1": "true",
        "yes": "true",
        "false": "false",
        "0": "false",
        "no": "false",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.pop("empty_value", None)
        kwargs["choices"] = [("", _("All")), ("true", _("Yes")), ("false", _("No"))]
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value).strip()
        return self.ALIASES.get(text.lower(), text)

    def clean(self, value: Any) -> bool | None:
        return {"true": True, "false": False}.get(super().clean(value))


class YesNoFilter(django_filters.BooleanFilter):
    """A yes/no filter whose empty choice reads "All" (Django's says "Unknown")."""

    field_class = YesNoField
