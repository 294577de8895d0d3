from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import viewsets

from .. import selectors
from ..filtersets import AuditEventFilterSet, CountryFilterSet, RegionFilterSet
from ..models import AuditEvent, Country, Region
from .serializers import AuditEventSerializer, CountrySerializer, RegionSerializer


class CountryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Country.objects.none()
    serializer_class = CountrySerializer
    filterset_class = CountryFilterSet
    lookup_field = "alpha3"

    def get_object(self):
        self.kwargs["alpha3"] = self.kwargs["alpha3"].upper()  # /countries/mex/ finds MEX
        return super().get_object()

    ordering_fields = ["name", "alpha3", "m49_code"]

    def get_queryset(self) -> QuerySet:
        return selectors.country_rows()


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Region.objects.none()
    serializer_class = RegionSerializer
    filterset_class = RegionFilterSet
    lookup_field = "m49_code"
    search_fields = ["name", "m49_code"]
    ordering_fields = ["name", "m49_code"]

    def get_queryset(self) -> QuerySet[Region]:
        return selectors.regions()


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = AuditEvent.objects.none()
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilterSet
    search_fields = ["target_id", "actor__username"]
    ordering_fields = ["created_at"]

    def get_queryset(self) -> QuerySet[AuditEvent]:
        return selectors.audit_events_for(self.request.user)
