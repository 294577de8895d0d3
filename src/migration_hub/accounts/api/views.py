from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from .. import selectors, services
from ..filtersets import MembershipFilterSet, OfficeFilterSet, OrganizationFilterSet
from ..models import Membership, Office, Organization
from .serializers import (
    CurrentUserSerializer,
    MembershipSerializer,
    OfficeSerializer,
    OrganizationSerializer,
)


def _changes(serializer: Any) -> dict[str, Any]:
    return {name: value for name, value in serializer.validated_data.items() if name != "version"}


class OrganizationViewSet(viewsets.ModelViewSet):
    queryset = Organization.objects.none()
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet
    lookup_field = "code"
    ordering_fields = ["name", "code"]

    def get_queryset(self) -> QuerySet[Organization]:
        return selectors.organizations()

    def perform_create(self, serializer: OrganizationSerializer) -> None:
        serializer.instance = services.create_organization(
            actor=self.request.user, **_changes(serializer)
        )

    def perform_update(self, serializer: OrganizationSerializer) -> None:
        serializer.instance = services.update_organization(
            serializer.instance,
            actor=self.request.user,
            expected_version=serializer.validated_data["version"],
            changes=_changes(serializer),
        )

    def perform_destroy(self, instance: Organization) -> None:
        services.delete_organization(instance, actor=self.request.user)


class OfficeViewSet(viewsets.ModelViewSet):
    queryset = Office.objects.none()
    serializer_class = OfficeSerializer
    filterset_class = OfficeFilterSet
    search_fields = ["name", "city", "organization__name"]
    ordering_fields = ["name"]

    def get_queryset(self) -> QuerySet[Office]:
        return selectors.offices()

    def perform_create(self, serializer: OfficeSerializer) -> None:
        serializer.instance = services.create_office(
            actor=self.request.user, **_changes(serializer)
        )

    def perform_update(self, serializer: OfficeSerializer) -> None:
        serializer.instance = services.update_office(
            serializer.instance,
            actor=self.request.user,
            expected_version=serializer.validated_data["version"],
            changes=_changes(serializer),
        )

    def perform_destroy(self, instance: Office) -> None:
        services.delete_office(instance, actor=self.request.user)


class MembershipViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Membership.objects.none()
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilterSet
    search_fields = ["user__username", "organization__name"]
    ordering_fields = ["created_at"]

    def get_queryset(self) -> QuerySet[Membership]:
        return selectors.memberships_for(self.request.user)

    def perform_create(self, serializer: MembershipSerializer) -> None:
        serializer.instance = services.grant_role(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance: Membership) -> None:
        services.revoke_role(instance, actor=self.request.user)


class CurrentUserViewSet(viewsets.GenericViewSet):
    serializer_class = CurrentUserSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None
    filter_backends: list[Any] = []

    @extend_schema(responses=CurrentUserSerializer)
    @action(detail=False, methods=["get"])
    def me(self, request: Request) -> Response:
        return Response(CurrentUserSerializer(request.user).data)
