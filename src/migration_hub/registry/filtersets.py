from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from migration_hub.core import selectors as core_selectors
from migration_hub.core.filtersets import YesNoFilter
from migration_hub.core.models import Country, Region

from . import selectors
from .choices import (
    FrameworkItemKind,
    InstrumentKind,
    MembershipKind,
    NetworkRole,
    OrganizationKind,
    ParticipationAction,
)
from .models import (
    Crosswalk,
    FrameworkItem,
    Instrument,
    Membership,
    Network,
    NetworkMembership,
    Organization,
    Participation,
    Right,
)


class OrganizationFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=OrganizationKind.choices, empty_label=_("All kinds")
    )
    thematic_area = django_filters.ModelChoiceFilter(
        label=_("Works on"),
        queryset=FrameworkItem.objects.filter(kind__in=["objective", "thematic-area"]).order_by(
            "framework__code", "position"
        ),
        to_field_name="code",
        method="filter_thematic_area",
        empty_label=_("Any theme"),
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"),
        queryset=Region.objects.exclude(level="world").order_by("name"),
        to_field_name="m49_code",
        method="filter_region",
        empty_label=_("Any region"),
    )
    member_of = django_filters.CharFilter(label=_("Member of (code)"), method="filter_member_of")

    class Meta:
        model = Organization
        fields = ["kind", "thematic_area", "region", "migration_mandate"]

    def filter_thematic_area(self, queryset: QuerySet, name: str, value: FrameworkItem) -> QuerySet:
        return queryset.filter(thematic_areas__in=selectors.related_items(value)).distinct()

    def filter_region(self, queryset: QuerySet, name: str, value: Region) -> QuerySet:
        return queryset.filter(pk__in=selectors.organizations_working_on(region=value).values("pk"))

    def filter_member_of(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(memberships_held__organization__code=value)


class MembershipFilterSet(django_filters.FilterSet):
    organization = django_filters.CharFilter(
        label=_("Organization code"), field_name="organization__code"
    )
    country = django_filters.CharFilter(
        label=_("Country (ISO alpha-3)"), field_name="member_country__alpha3", lookup_expr="iexact"
    )
    member_organization = django_filters.CharFilter(
        label=_("Member organization code"), field_name="member_organization__code"
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=MembershipKind.choices)
    on = django_filters.DateFilter(label=_("In force on (date)"), method="filter_on")

    class Meta:
        model = Membership
        fields = ["organization", "country", "member_organization", "kind", "on"]

    def filter_on(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset.filter(
            Q(start_date__isnull=True) | Q(start_date__lte=value),
            Q(end_date__isnull=True) | Q(end_date__gte=value),
        )


class NetworkFilterSet(django_filters.FilterSet):
    class Meta:
        model = Network
        fields = ["kind"]


class NetworkMembershipFilterSet(django_filters.FilterSet):
    network = django_filters.CharFilter(label=_("Network code"), field_name="network__code")
    organization = django_filters.CharFilter(
        label=_("Organization code"), field_name="organization__code"
    )
    role = django_filters.ChoiceFilter(
        label=_("Role"), choices=NetworkRole.choices, field_name="role_rows__role"
    )

    class Meta:
        model = NetworkMembership
        fields = ["network", "organization", "role"]


class InstrumentFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=InstrumentKind.choices, empty_label=_("All kinds")
    )
    binding = YesNoFilter(label=_("Legally binding"))
    core_migration = YesNoFilter(label=_("Core migration instrument"))

    class Meta:
        model = Instrument
        fields = ["kind", "binding", "core_migration"]


class ParticipationFilterSet(django_filters.FilterSet):
    country = django_filters.CharFilter(
        label=_("Country (ISO alpha-3)"), field_name="country__alpha3", lookup_expr="iexact"
    )
    instrument = django_filters.CharFilter(
        label=_("Instrument code"), field_name="instrument__code"
    )
    action = django_filters.ChoiceFilter(label=_("Action"), choices=ParticipationAction.choices)

    class Meta:
        model = Participation
        fields = ["country", "instrument", "action"]


class RightFilterSet(django_filters.FilterSet):
    instrument = django_filters.CharFilter(
        label=_("Protected by instrument (code)"),
        field_name="provisions__instrument__code",
        distinct=True,
    )

    class Meta:
        model = Right
        fields = ["instrument"]


class FrameworkItemFilterSet(django_filters.FilterSet):
    framework = django_filters.CharFilter(label=_("Framework code"), field_name="framework__code")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=FrameworkItemKind.choices)
    parent = django_filters.CharFilter(label=_("Parent code"), field_name="parent__code")

    class Meta:
        model = FrameworkItem
        fields = ["framework", "kind", "parent"]


class CrosswalkFilterSet(django_filters.FilterSet):
    item = django_filters.CharFilter(label=_("Item code"), method="filter_item")
    from_framework = django_filters.CharFilter(field_name="from_item__framework__code")
    to_framework = django_filters.CharFilter(field_name="to_item__framework__code")

    class Meta:
        model = Crosswalk
        fields = ["item", "from_framework", "to_framework", "relation"]

    def filter_item(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(from_item__code=value) | Q(to_item__code=value))


class RegistryCountryFilterSet(django_filters.FilterSet):
    region = django_filters.CharFilter(label=_("M49 region"), method="filter_region")
    un_status = django_filters.ChoiceFilter(
        label=_("UN status"),
        choices=[("member", _("Member")), ("observer", _("Observer"))],
        method="filter_un_status",
    )

    class Meta:
        model = Country
        fields = ["region", "un_status"]

    def filter_region(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(core_selectors.in_region(value))

    def filter_un_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(pk__in=selectors.un_members(value))
