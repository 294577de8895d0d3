"""The assessments API: the assessments of the user's panel sites (list, one assessment), the
appointment, and one action per step of the workflow.

Reads go through `health.selectors` (scoped to the user's health roles; an assessment of
another organization answers 404) and are audited: a list page names the ids it served, and
a request reading one assessment (a detail, or a step answered with the detail) writes one
VIEW event, refused or not. Writes are one `health.workflow` call each: its ValidationError
becomes a 400 naming the field, PermissionDenied a 403 and a stale `expected_version` a 409
(`core.api.errors`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response

from migration_hub.core.api.permissions import RulesPermission
from migration_hub.core.api.serializers import StrictFieldsMixin

from .. import selectors, workflow
from ..choices import Sex
from ..forms.assessments import AssessmentFilterSet
from ..models import Assessment, Certificate, Result, TbReferral
from ..workflow_choices import Decision, ResultOutcome, TbClass

STEP_PERMISSIONS = {
    "results": "health.record_result",
    "classify": "health.classify_assessment",
    "decide": "health.decide_assessment",
    "tb_referral": "health.refer_tb",
    "certificate": "health.issue_certificate",
}


class HealthPermission(RulesPermission):
    """Reads need `health.view_assessment`, the appointment `health.add_assessment`, and each
    step its own rule: first in any organization (else 403 before the input is read), then
    on the assessment itself."""

    def _perm(self, request: Request, view: Any) -> str | None:
        if getattr(view, "action", None) in STEP_PERMISSIONS:
            return STEP_PERMISSIONS[view.action]
        if request.method == "POST":
            return "health.add_assessment"
        return "health.view_assessment"


# --- serializers ------------------------------------------------------------------------------


class ProtocolSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    protocol = serializers.CharField(read_only=True)
    version = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)


class CertificateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Certificate
        fields = ["number", "issued_at", "valid_from", "valid_until", "validity"]
        read_only_fields = fields


class ResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = Result
        fields = ["item", "outcome", "value", "notes", "result_date", "recorded_at"]
        read_only_fields = fields


class TbReferralSerializer(serializers.ModelSerializer):
    to_organization = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = TbReferral
        fields = [
            "id",
            "to_organization",
            "status",
            "consent_given",
            "consent_recorded_at",
            "reason",
            "sent_at",
            "version",
        ]
        read_only_fields = fields


class AssessmentSerializer(serializers.ModelSerializer):
    """An assessment in a list: no personal data but the number."""

    site = serializers.CharField(source="site.name", read_only=True)
    protocol = ProtocolSerializer(source="protocol_version", read_only=True)
    certificate = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = [
            "id",
            "site",
            "destination",
            "appointment_at",
            "exam_date",
            "status",
            "tb_class",
            "decision",
            "protocol",
            "certificate",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(CertificateSerializer(allow_null=True))
    def get_certificate(self, assessment: Assessment) -> dict[str, Any] | None:
        certificate = getattr(assessment, "certificate", None)
        if certificate is None:
            return None
        return dict(CertificateSerializer(certificate).data)


class AssessmentDetailSerializer(AssessmentSerializer):
    """One assessment with the person, what the protocol required, results and referrals."""

    physician = serializers.SerializerMethodField()
    results = ResultSerializer(many=True, read_only=True)
    tb_referrals = TbReferralSerializer(many=True, read_only=True)
    missing_items = serializers.SerializerMethodField()
    tb_referral_proposed = serializers.SerializerMethodField()
    requirements = serializers.JSONField(read_only=True)

    class Meta(AssessmentSerializer.Meta):
        fields = [
            *AssessmentSerializer.Meta.fields,
            "full_name",
            "date_of_birth",
            "sex",
            "document_number",
            "physician",
            "requirements",
            "results",
            "missing_items",
            "tb_referral_proposed",
            "tb_referrals",
            "decision_reason",
        ]
        read_only_fields = fields

    def get_physician(self, assessment: Assessment) -> str | None:
        if assessment.physician is None:
            return None
        user = assessment.physician.user
        return (user.get_full_name() or "").strip() or user.get_username()

    def get_missing_items(self, assessment: Assessment) -> list[str]:
        return workflow.missing_items(assessment)

    def get_tb_referral_proposed(self, assessment: Assessment) -> bool:
        return workflow.tb_referral_proposed(assessment)


class ScheduleSerializer(StrictFieldsMixin, serializers.Serializer):
    site = serializers.IntegerField(min_value=1)
    physician = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    appointment_at = serializers.DateTimeField()
    full_name = serializers.CharField(max_length=200)
    date_of_birth = serializers.DateField()
    sex = serializers.ChoiceField(choices=Sex.choices)
    document_number = serializers.CharField(max_length=64, required=False, allow_blank=True)
    profile = serializers.DictField(
        help_text="The profile for the requirements engine: destination, category, "
        "citizenship, and optionally exam_country, residence_history, pregnant, symptoms, "
        "conditions, intended_stay_months, occupation. The exam date is the appointment's day "
        "and the protocol the one in force for the destination on it: an exam_date or protocol "
        "given here that differs is refused (400 under that field)."
    )


class StepSerializer(StrictFieldsMixin, serializers.Serializer):
    expected_version = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class ResultInputSerializer(StepSerializer):
    item = serializers.CharField(max_length=32)
    outcome = serializers.ChoiceField(choices=ResultOutcome.choices)
    value = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    result_date = serializers.DateField(required=False, allow_null=True, default=None)


class ClassifyInputSerializer(StepSerializer):
    tb_class = serializers.ChoiceField(choices=TbClass.choices)


class DecideInputSerializer(StepSerializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReferralInputSerializer(StepSerializer):
    to_organization = serializers.SlugRelatedField(
        slug_field="code", queryset=selectors.referral_organizations()
    )
    consent_given = serializers.BooleanField()
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


# --- the view set -----------------------------------------------------------------------------


class AssessmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Health assessments of the panel sites where the user holds a health role."""

    queryset = Assessment.objects.none()
    permission_classes = [HealthPermission]
    filterset_class = AssessmentFilterSet
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["appointment_at", "id"]
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[Assessment]:
        return selectors.assessments_for(self.request.user).order_by("-appointment_at", "-id")

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "list":
            return AssessmentSerializer
        if self.action == "create":
            return ScheduleSerializer
        return AssessmentDetailSerializer

    def assessment(self) -> Assessment:
        """The assessment of the URL (404 out of scope), read and audited (the request's one
        VIEW event), then the rule of the action checked on it."""
        assessment = selectors.assessment_for(
            self.request.user, self.kwargs[self.lookup_field], via="api"
        )
        self.read_audited = True
        self.check_object_permissions(self.request, assessment)
        return assessment

    def detail_response(self, assessment: Assessment, code: int = status.HTTP_200_OK) -> Response:
        """The assessment as it is now; its read is audited unless this request's lookup was."""
        fresh = selectors.assessment_for(
            self.request.user,
            assessment.pk,
            via="api",
            audited=not getattr(self, "read_audited", False),
        )
        return Response(AssessmentDetailSerializer(fresh).data, status=code)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        selectors.record_list_read(request.user, "api:health-assessments", rows)
        data = AssessmentSerializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(AssessmentDetailSerializer(self.assessment()).data)

    @extend_schema(request=ScheduleSerializer, responses={201: AssessmentDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Book an appointment: the requirements engine runs on the profile; its field errors
        answer 400. The assessment records the protocol version applied."""
        data = self.validated(ScheduleSerializer)
        site = selectors.sites_for(request.user).filter(pk=data["site"]).first()
        if site is None:
            raise serializers.ValidationError({"site": [_("No panel site of yours has this id.")]})
        physician = None
        if data.get("physician"):
            physician = site.physicians.filter(pk=data["physician"]).first()
            if physician is None:
                raise serializers.ValidationError(
                    {"physician": [_("No physician of this panel site has this id.")]}
                )
        assessment = workflow.schedule_assessment(
            actor=request.user,
            site=site,
            physician=physician,
            appointment_at=data["appointment_at"],
            full_name=data["full_name"],
            date_of_birth=data["date_of_birth"],
            sex=data["sex"],
            document_number=data.get("document_number", ""),
            profile=data["profile"],
        )
        return self.detail_response(assessment, status.HTTP_201_CREATED)

    def validated(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @extend_schema(request=ResultInputSerializer, responses=AssessmentDetailSerializer)
    @action(detail=True, methods=["post"])
    def results(self, request: Request, pk: str | None = None) -> Response:
        """Record (or correct) the result of one item the protocol required of this person."""
        assessment = self.assessment()
        data = self.validated(ResultInputSerializer)
        workflow.record_result(actor=request.user, assessment=assessment, **data)
        return self.detail_response(assessment)

    @extend_schema(request=ClassifyInputSerializer, responses=AssessmentDetailSerializer)
    @action(detail=True, methods=["post"])
    def classify(self, request: Request, pk: str | None = None) -> Response:
        """Record the TB classification (every due item needs a result first)."""
        assessment = self.assessment()
        data = self.validated(ClassifyInputSerializer)
        workflow.classify(actor=request.user, assessment=assessment, **data)
        return self.detail_response(assessment)

    @extend_schema(request=DecideInputSerializer, responses=AssessmentDetailSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """Clear, defer or refer (deferral and referral need a reason)."""
        assessment = self.assessment()
        data = self.validated(DecideInputSerializer)
        workflow.decide(actor=request.user, assessment=assessment, **data)
        return self.detail_response(assessment)

    @extend_schema(request=ReferralInputSerializer, responses=AssessmentDetailSerializer)
    @action(detail=True, methods=["post"], url_path="tb-referral")
    def tb_referral(self, request: Request, pk: str | None = None) -> Response:
        """Refer to a national TB programme (a registry organization, by code); refused
        without the person's consent."""
        assessment = self.assessment()
        data = self.validated(ReferralInputSerializer)
        workflow.refer_tb(actor=request.user, assessment=assessment, **data)
        return self.detail_response(assessment)

    @extend_schema(request=StepSerializer, responses=AssessmentDetailSerializer)
    @action(detail=True, methods=["post"])
    def certificate(self, request: Request, pk: str | None = None) -> Response:
        """Issue the certificate of a cleared assessment; refused, naming the items, while a
        required item has no result."""
        assessment = self.assessment()
        data = self.validated(StepSerializer)
        workflow.issue_certificate(actor=request.user, assessment=assessment, **data)
        return self.detail_response(assessment)
