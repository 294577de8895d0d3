from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from .. import selectors, services
from ..areas import canonical_code
from ..errors import ImportRejected
from ..filtersets import DatasetFilterSet, ObservationFilterSet
from ..models import Area, Contribution, Dataset, Indicator, Observation
from ..permissions import ContributionPermission, OpenDataPermission
from ..uploads import uploaded_to_path
from . import serializers

OBSERVATION_FIELDS = (
    "indicator__code",
    "area_id",
    "origin_id",
    "year",
    "sex",
    "value",
    "flag",
    "dataset__key",
    "dataset__revision",
)


class DatasetViewSet(viewsets.ReadOnlyModelViewSet):
    """Data sets as imported: one row per publication and revision."""

    queryset = Dataset.objects.none()
    serializer_class = serializers.DatasetSerializer
    filterset_class = DatasetFilterSet
    permission_classes = [OpenDataPermission]
    ordering_fields = ["key", "revision", "imported_at"]

    def get_queryset(self) -> QuerySet[Dataset]:
        return selectors.datasets()

    @extend_schema(
        parameters=[
            OpenApiParameter("indicator", OpenApiTypes.STR, required=True),
            OpenApiParameter("year", OpenApiTypes.INT),
            OpenApiParameter("differences", OpenApiTypes.BOOL, description="Only mismatches."),
        ],
        responses=serializers.RegionCheckSerializer(many=True),
    )
    @action(detail=True, url_path="region-check", pagination_class=None)
    def region_check(self, request: Request, pk: Any = None) -> Response:
        """Each M49 region's sum of the country-level figures beside the publisher's own figure."""
        # Not get_object(): the list's own `indicator` filter would hide the data set.
        dataset = get_object_or_404(self.get_queryset(), pk=pk)
        query = RegionCheckQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        indicator = query.validated_data["indicator"]
        if indicator not in dataset.indicator_codes:
            raise ValidationError(
                {"indicator": [f"this data set holds {', '.join(dataset.indicator_codes)}"]}
            )
        checks = selectors.region_aggregates(
            dataset, indicator, year=query.validated_data.get("year")
        )
        if query.validated_data.get("differences"):
            checks = [c for c in checks if c.published is not None and abs(c.difference or 0) > 0.5]
        return Response(serializers.RegionCheckSerializer(checks, many=True).data)


class RegionCheckQuery(drf_serializers.Serializer):
    indicator = drf_serializers.CharField()
    year = drf_serializers.IntegerField(required=False, min_value=1900, max_value=2100)
    differences = drf_serializers.BooleanField(required=False, default=False)


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Indicator.objects.none()
    serializer_class = serializers.IndicatorSerializer
    permission_classes = [OpenDataPermission]
    lookup_field = "code"
    search_fields = ["name", "code", "sdg_indicator"]

    def get_queryset(self) -> QuerySet[Indicator]:
        return selectors.indicators()


class AreaViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Area.objects.none()
    serializer_class = serializers.AreaSerializer
    permission_classes = [OpenDataPermission]
    lookup_field = "code"
    search_fields = ["name", "code", "alpha3"]
    filterset_fields = ["kind"]

    def get_queryset(self) -> QuerySet[Area]:
        return Area.objects.all()

    def get_object(self) -> Area:
        return get_object_or_404(Area, code=canonical_code(self.kwargs["code"]))


class ObservationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Figures, each with its data set and revision; filter by indicator, area, year, sex,
    origin and revision. `..` and blanks in the publisher's file come back as `value: null`
    with `flag: missing`."""

    queryset = Observation.objects.none()
    serializer_class = serializers.ObservationSerializer
    filterset_class = ObservationFilterSet
    permission_classes = [OpenDataPermission]
    ordering_fields = ["year", "value", "area"]

    def get_queryset(self) -> QuerySet:
        return Observation.objects.order_by(
            "indicator_id", "area_id", "origin_id", "year", "sex", "id"
        ).values(*OBSERVATION_FIELDS)


class ContributionViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Figures offices send to a regional data set: sent as a CSV or XLSX file (columns area,
    indicator, year, value, and sex or origin where needed), merged once a reviewer approves."""

    queryset = Contribution.objects.none()
    serializer_class = serializers.ContributionSerializer
    parser_classes = [MultiPartParser]
    permission_classes = [ContributionPermission]
    filterset_fields = ["status", "dataset"]

    def get_queryset(self) -> QuerySet[Contribution]:
        return selectors.contributions_for(self.request.user)

    def perform_create(self, serializer: drf_serializers.Serializer) -> None:
        upload = serializer.validated_data["file"]
        data = serializer.validated_data
        try:
            with uploaded_to_path(upload) as path:
                serializer.instance = services.submit_contribution(
                    dataset=data["dataset"],
                    organization=data["organization"],
                    office=data.get("office"),
                    path=path,
                    file_name=upload.name,
                    actor=self.request.user,
                )
        except ImportRejected as error:
            raise ValidationError({"file": error.lines(limit=100)}) from None

    @extend_schema(responses=serializers.ContributionChangeSerializer(many=True))
    @action(detail=True, pagination_class=None)
    def diff(self, request: Request, pk: Any = None) -> Response:
        """Each figure with its value before and after the merge: added, changed or unchanged."""
        changes = services.contribution_diff(self.get_object())
        return Response(serializers.ContributionChangeSerializer(changes, many=True).data)

    @extend_schema(
        request=serializers.ReviewSerializer, responses=serializers.ContributionSerializer
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, MultiPartParser])
    def approve(self, request: Request, pk: Any = None) -> Response:
        return self._review(request, approve=True)

    @extend_schema(
        request=serializers.ReviewSerializer, responses=serializers.ContributionSerializer
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, MultiPartParser])
    def reject(self, request: Request, pk: Any = None) -> Response:
        return self._review(request, approve=False)

    def _review(self, request: Request, *, approve: bool) -> Response:
        review = serializers.ReviewSerializer(data=request.data)
        review.is_valid(raise_exception=True)
        contribution = services.review_contribution(
            self.get_object(),
            actor=request.user,
            approve=approve,
            note=review.validated_data["note"],
        )
        return Response(serializers.ContributionSerializer(contribution).data)
