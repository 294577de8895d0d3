from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from migration_hub.core.models import Country

from .. import selectors
from ..filtersets import (
    CrosswalkFilterSet,
    FrameworkItemFilterSet,
    InstrumentFilterSet,
    MembershipFilterSet,
    NetworkFilterSet,
    NetworkMembershipFilterSet,
    OrganizationFilterSet,
    ParticipationFilterSet,
    RegistryCountryFilterSet,
    RightFilterSet,
)
from ..models import (
    Crosswalk,
    Framework,
    FrameworkItem,
    Instrument,
    Membership,
    Network,
    NetworkMembership,
    Organization,
    Participation,
    Right,
)
from . import serializers


class CodeLookupMixin:
    """Records addressed by their stable code, which may hold dots (SDG-10.7)."""

    lookup_field = "code"
    lookup_value_regex = "[^/]+"


class OrganizationViewSet(CodeLookupMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Organization.objects.none()
    serializer_class = serializers.RegistryOrganizationSerializer
    filterset_class = OrganizationFilterSet
    ordering_fields = ["name", "code", "founded_year"]

    def get_queryset(self) -> QuerySet[Organization]:
        return (
            selectors.organizations()
            .prefetch_related("regions", "thematic_areas", "facts")
            .select_related("founding_instrument")
        )


class MembershipViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Membership.objects.none()
    serializer_class = serializers.RegistryMembershipSerializer
    filterset_class = MembershipFilterSet
    search_fields = ["member_country__name", "member_organization__name", "organization__name"]
    ordering_fields = ["start_date"]

    def get_queryset(self) -> QuerySet[Membership]:
        return selectors.memberships()


class NetworkViewSet(CodeLookupMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Network.objects.none()
    serializer_class = serializers.NetworkSerializer
    filterset_class = NetworkFilterSet

    def get_queryset(self) -> QuerySet[Network]:
        return selectors.networks()


class NetworkMembershipViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = NetworkMembership.objects.none()
    serializer_class = serializers.NetworkMembershipSerializer
    filterset_class = NetworkMembershipFilterSet
    search_fields = ["organization__name", "organization__acronym"]

    def get_queryset(self) -> QuerySet[NetworkMembership]:
        return selectors.network_memberships().order_by("network__code", "organization__name")


class InstrumentViewSet(CodeLookupMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Instrument.objects.none()
    serializer_class = serializers.InstrumentSerializer
    filterset_class = InstrumentFilterSet
    ordering_fields = ["adopted_on", "code"]

    def get_queryset(self) -> QuerySet[Instrument]:
        return selectors.instruments().prefetch_related("provisions__rights")


class ParticipationViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Participation.objects.none()
    serializer_class = serializers.ParticipationSerializer
    filterset_class = ParticipationFilterSet
    search_fields = ["country__name", "instrument__title"]
    ordering_fields = ["date"]

    def get_queryset(self) -> QuerySet[Participation]:
        return selectors.participations()


class RightViewSet(CodeLookupMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Right.objects.none()
    serializer_class = serializers.RightSerializer
    filterset_class = RightFilterSet

    def get_queryset(self) -> QuerySet[Right]:
        return selectors.rights().prefetch_related("provisions__instrument")


class FrameworkViewSet(CodeLookupMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Framework.objects.none()
    serializer_class = serializers.FrameworkSerializer
    search_fields = ["name", "code"]

    def get_queryset(self) -> QuerySet[Framework]:
        return selectors.frameworks()


class FrameworkItemViewSet(CodeLookupMixin, viewsets.ReadOnlyModelViewSet):
    queryset = FrameworkItem.objects.none()
    serializer_class = serializers.FrameworkItemSerializer
    filterset_class = FrameworkItemFilterSet

    def get_queryset(self) -> QuerySet[FrameworkItem]:
        return selectors.framework_items()


class CrosswalkViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Crosswalk.objects.none()
    serializer_class = serializers.CrosswalkSerializer
    filterset_class = CrosswalkFilterSet
    search_fields = ["from_item__code", "to_item__code"]

    def get_queryset(self) -> QuerySet[Crosswalk]:
        return selectors.crosswalks()


class RegistryCountryViewSet(viewsets.ReadOnlyModelViewSet):
    """Countries with their standing at the UN, and the gap analysis of each."""

    queryset = Country.objects.none()
    serializer_class = serializers.RegistryCountrySerializer
    filterset_class = RegistryCountryFilterSet
    lookup_field = "alpha3"

    def get_object(self):
        self.kwargs["alpha3"] = self.kwargs["alpha3"].upper()  # /countries/mex/ finds MEX
        return super().get_object()

    ordering_fields = ["name", "alpha3"]

    def get_queryset(self) -> QuerySet[Country]:
        status = Membership.objects.filter(
            organization__code="UN", member_country=OuterRef("pk"), end_date__isnull=True
        ).values("kind")[:1]
        return Country.objects.select_related("region", "sub_region").annotate(
            un_status_cached=Subquery(status)
        )

    @extend_schema(responses=serializers.GapRowSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="gap-analysis")
    def gap_analysis(self, request: Request, alpha3: str | None = None) -> Response:
        country = get_object_or_404(Country, alpha3=(alpha3 or "").upper())
        rows = selectors.gap_analysis(country)
        return Response(serializers.GapRowSerializer(rows, many=True).data)
