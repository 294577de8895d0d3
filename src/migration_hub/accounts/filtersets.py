from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from migration_hub.core.models import Country

from .choices import OrganizationKind, Role
from .models import Membership, Office, Organization


class OrganizationFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=OrganizationKind.choices, empty_label=_("All kinds")
    )
    country = django_filters.ModelChoiceFilter(
        label=_("Country"),
        queryset=Country.objects.all(),
        to_field_name="alpha3",
        empty_label=_("All countries"),
    )

    class Meta:
        model = Organization
        fields = ["kind", "country"]


class OfficeFilterSet(django_filters.FilterSet):
    organization = django_filters.CharFilter(
        label=_("Organization code"), field_name="organization__code"
    )
    country = django_filters.CharFilter(
        label=_("Country (ISO alpha-3)"), field_name="country__alpha3", lookup_expr="iexact"
    )

    class Meta:
        model = Office
        fields = ["organization", "country", "is_headquarters"]


class MembershipFilterSet(django_filters.FilterSet):
    organization = django_filters.CharFilter(
        label=_("Organization code"), field_name="organization__code"
    )
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["organization", "role"]
