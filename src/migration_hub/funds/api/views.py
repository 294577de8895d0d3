"""The funds API: funds and their figures, contributions, calls, programmes and the ledger.

Reads go through the selectors; every write is one service call. A service's ValidationError
(which names the field) becomes a 400 and its PermissionDenied a 403 through the project's
exception handler (`core.api.errors`), so the views only parse input and call the service.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from migration_hub.core.api.permissions import RulesPermission
from migration_hub.registry.api.views import CodeLookupMixin

from .. import ledger, selectors, services
from ..filtersets import (
    CallFilterSet,
    ContributionFilterSet,
    FundFilterSet,
    LedgerTransactionFilterSet,
    ProgrammeFilterSet,
)
from ..models import (
    Call,
    Contribution,
    Fund,
    LedgerTransaction,
    Programme,
    ProgressReport,
    Tranche,
)
from . import serializers


class FundsPermission(RulesPermission):
    """Reads follow the model's `view` rule. Every write is a service call that needs
    `funds.manage_fund`: first without an object (a fund manager or administrator somewhere,
    so others get 403 before their input is read), then on the record's own fund."""

    def _perm(self, request: Request, view: Any) -> str | None:
        if request.method in SAFE_METHODS:
            return super()._perm(request, view)
        return "funds.manage_fund"


class IdLookupMixin:
    lookup_value_regex = "[0-9]+"


class FundViewSet(CodeLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Pooled funds with their thematic areas and markers; the detail adds targets, governance
    seats and the quality assessment rubric."""

    queryset = Fund.objects.none()
    serializer_class = serializers.FundSerializer
    filterset_class = FundFilterSet
    permission_classes = [FundsPermission]
    search_fields = ["code", "name"]
    ordering_fields = ["name", "code"]

    def get_queryset(self) -> QuerySet[Fund]:
        funds = selectors.funds_for(self.request.user)
        if self.action in ("list", "retrieve"):
            funds = funds.prefetch_related("thematic_areas__objectives", "markers")
        if self.action == "retrieve":
            funds = funds.prefetch_related(
                "targets__thematic_area",
                "targets__region",
                "targets__marker",
                "seats__organization",
                "seats__country",
            )
        return funds

    def get_serializer_class(self) -> type[BaseSerializer]:
        if self.action == "list":
            return serializers.FundSerializer
        return serializers.FundDetailSerializer

    @extend_schema(responses=serializers.BalancesSerializer)
    @action(detail=True, pagination_class=None, filter_backends=[])
    def balances(self, request: Request, code: str | None = None) -> Response:
        """The fund's balances, each derived from its ledger in one grouped SUM."""
        return Response(serializers.BalancesSerializer(ledger.balances(self.get_object())).data)

    @extend_schema(responses=serializers.PortfolioSerializer)
    @action(detail=True, pagination_class=None, filter_backends=[])
    def portfolio(self, request: Request, code: str | None = None) -> Response:
        """Allocations by thematic area, region, objective and marker against the fund's
        targets (with the gaps), and the pipeline of endorsed notes without money."""
        return Response(
            serializers.PortfolioSerializer(selectors.portfolio(self.get_object())).data
        )

    @extend_schema(responses=serializers.StatementSerializer)
    @action(detail=True, pagination_class=None, filter_backends=[])
    def statement(self, request: Request, code: str | None = None) -> Response:
        """The fund's financial statement: deposits by donor (sources), transfers and returns by
        participating organization (uses), and the cash balance."""
        return Response(
            serializers.StatementSerializer(selectors.statement(self.get_object())).data
        )


class ContributionViewSet(
    IdLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Donors' contributions with their deposits. A fund manager of the fund's organization
    records a pledge, its signature and each deposit (converted at the rate of its day)."""

    queryset = Contribution.objects.none()
    serializer_class = serializers.FundContributionSerializer
    filterset_class = ContributionFilterSet
    permission_classes = [FundsPermission]
    search_fields = ["donor__name", "reference"]
    ordering_fields = ["pledged_on", "amount"]

    def get_queryset(self) -> QuerySet[Contribution]:
        return selectors.contributions_for(self.request.user)

    def _read(self, contribution: Contribution) -> dict[str, Any]:
        fresh = selectors.contributions_for(self.request.user).get(pk=contribution.pk)
        return serializers.FundContributionSerializer(fresh).data

    @extend_schema(
        request=serializers.FundContributionCreateSerializer,
        responses={201: serializers.FundContributionSerializer},
    )
    def create(self, request: Request) -> Response:
        """Record a pledge (services.record_contribution)."""
        form = serializers.FundContributionCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        fund = data.pop("fund")
        self.check_object_permissions(request, fund)
        # donor_for may create the donor: in the same transaction, so a refused pledge
        # leaves no donor behind.
        with transaction.atomic():
            donor = services.donor_for(
                country=data.pop("donor_country", None),
                organization=data.pop("donor_organization", None),
                name=data.pop("donor_name", ""),
                actor=request.user,
            )
            contribution = services.record_contribution(
                actor=request.user, fund=fund, donor=donor, **data
            )
        return Response(self._read(contribution), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.SignatureSerializer, responses=serializers.FundContributionSerializer
    )
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str | None = None) -> Response:
        """Record the signature of the contribution agreement: deposits may follow."""
        contribution = self.get_object()
        form = serializers.SignatureSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        contribution = services.sign_contribution(
            actor=request.user, contribution=contribution, **form.validated_data
        )
        return Response(self._read(contribution))

    @extend_schema(
        request=serializers.DepositCreateSerializer,
        responses={201: serializers.FundDepositSerializer},
    )
    @action(detail=True, methods=["post"])
    def deposits(self, request: Request, pk: str | None = None) -> Response:
        """Record money received on a signed contribution (services.record_deposit). Send the
        contribution's `version` to make a retry safe: a repeated request is then refused."""
        contribution = self.get_object()
        form = serializers.DepositCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        deposit = services.record_deposit(
            actor=request.user,
            contribution=contribution,
            day=form.validated_data["date"],
            amount=form.validated_data["amount"],
            expected_version=form.validated_data.get("version"),
        )
        return Response(
            serializers.FundDepositSerializer(deposit).data, status=status.HTTP_201_CREATED
        )


class CallViewSet(IdLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Calls for concept notes."""

    queryset = Call.objects.none()
    serializer_class = serializers.FundCallSerializer
    filterset_class = CallFilterSet
    permission_classes = [FundsPermission]
    search_fields = ["title", "description"]
    ordering_fields = ["deadline", "opens_on"]

    def get_queryset(self) -> QuerySet[Call]:
        return selectors.calls_for(self.request.user)


class ProgrammeViewSet(CodeLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Concept notes and the joint programmes they become, with their participating
    organizations and budgets; the detail adds decisions, tranches and reports. A fund manager
    of the fund's organization approves a programme and transfers its tranches."""

    queryset = Programme.objects.none()
    serializer_class = serializers.ProgrammeSerializer
    filterset_class = ProgrammeFilterSet
    permission_classes = [FundsPermission]
    search_fields = ["code", "title", "summary"]
    ordering_fields = ["code", "budget", "approved_on"]

    def get_queryset(self) -> QuerySet[Programme]:
        programmes = selectors.programmes_for(self.request.user)
        programmes = programmes.prefetch_related("regions", "objectives")
        return programmes.prefetch_related(
            "decisions",
            Prefetch("tranches", queryset=Tranche.objects.select_related("organization")),
            Prefetch(
                "reports",
                queryset=ProgressReport.objects.select_related("organization").prefetch_related(
                    "tranches"
                ),
            ),
        )

    @extend_schema(
        request=serializers.ApprovalSerializer, responses=serializers.ProgrammeSerializer
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, code: str | None = None) -> Response:
        """Approve the joint programme and allocate its budget from the money available to it
        (services.approve_programme): refused with the figures when there is not enough."""
        programme = self.get_object()
        form = serializers.ApprovalSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        programme = services.approve_programme(
            actor=request.user, programme=programme, **form.validated_data
        )
        fresh = self.get_queryset().get(pk=programme.pk)
        return Response(serializers.ProgrammeSerializer(fresh).data)

    @extend_schema(
        request=serializers.TransferSerializer, responses={201: serializers.TrancheSerializer}
    )
    @action(detail=True, methods=["post"])
    def transfers(self, request: Request, code: str | None = None) -> Response:
        """Transfer a tranche to one participating organization, within its budget
        (services.transfer_tranche). Send the programme's `version` to make a retry safe: a
        repeated request is then refused."""
        programme = self.get_object()
        form = serializers.TransferSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        tranche = services.transfer_tranche(
            actor=request.user,
            programme=programme,
            expected_version=data.pop("version", None),
            **data,
        )
        return Response(serializers.TrancheSerializer(tranche).data, status=status.HTTP_201_CREATED)


class LedgerTransactionViewSet(IdLookupMixin, viewsets.ReadOnlyModelViewSet):
    """The ledger's transactions with their entries (`?fund=CODE`), for the members of the
    organization that keeps the fund; others see an empty list."""

    queryset = LedgerTransaction.objects.none()
    serializer_class = serializers.LedgerTransactionSerializer
    filterset_class = LedgerTransactionFilterSet
    permission_classes = [FundsPermission]
    search_fields = ["memo"]
    ordering_fields = ["date", "id"]

    def get_queryset(self) -> QuerySet[LedgerTransaction]:
        return selectors.transactions_for(self.request.user)
