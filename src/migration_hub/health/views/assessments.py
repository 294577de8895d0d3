"""Pages of the assessment workflow: the list (filters, exports), the appointment form, one
assessment with a form per step, the certificate download, the dashboard and the panel sites.

Views stay thin: a selector reads (scoped to the user's health roles, and audited), a form
collects, a service of `health.workflow` checks and writes. Every step is a POST answered by a
redirect to the assessment (Post/Redirect/Get); a step the service refuses shows the page again
with the form as typed and the reason (400), a stale page the conflict (409); nothing is
written then. An assessment the user may not see answers 404, whoever runs it: another
organization's, and any assessment to a member of its organization without a health role, on
the assessment's page, its certificate and its steps alike.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import View
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from migration_hub.core import audit
from migration_hub.core.choices import AuditAction, ExportFormat
from migration_hub.core.exports import Column, export_response
from migration_hub.core.forms import add_service_error
from migration_hub.core.pdf import PdfUnavailable
from migration_hub.core.services import ConflictError
from migration_hub.core.views import FilteredListView

from .. import certificates, dashboards, selectors, workflow
from ..forms.assessments import (
    AssessmentFilterSet,
    CertificateForm,
    ClassifyForm,
    DashboardFilterForm,
    DecisionForm,
    ReferralForm,
    ReferralStatusForm,
    ResultForm,
    ScheduleForm,
)
from ..models import Assessment
from ..workflow_choices import AssessmentStatus, ReferralStatus

DETAIL_TEMPLATE = "health/assessments/assessment_detail.html"


# --- the list ---------------------------------------------------------------------------------


class AssessmentListView(FilteredListView):
    """The assessments of the user's sites. Names are encrypted, so `?q=` matches an
    assessment number or a certificate number only; exports carry no name either."""

    permission_required = "health.view_assessment"
    filterset_class = AssessmentFilterSet
    template_name = "health/assessments/assessment_list.html"
    export_name = "health-assessments"
    paginate_by = 25
    export_columns = [
        Column(gettext_lazy("Assessment"), "pk"),
        Column(gettext_lazy("Appointment"), "appointment_at"),
        Column(gettext_lazy("Panel site"), "site__name"),
        Column(gettext_lazy("Destination"), "destination"),
        Column(gettext_lazy("Status"), "status"),
        Column(gettext_lazy("TB class"), "tb_class"),
        Column(gettext_lazy("Decision"), "decision"),
        Column(pgettext_lazy("health requirements", "Protocol"), "protocol_version__protocol"),
        Column(gettext_lazy("Protocol version"), "protocol_version__version"),
        Column(
            gettext_lazy("Certificate"),
            lambda row: row.certificate.number if hasattr(row, "certificate") else "",
        ),
        Column(
            gettext_lazy("Valid until"),
            lambda row: row.certificate.valid_until if hasattr(row, "certificate") else None,
        ),
    ]

    # Filters whose values the export's audit event records; the others (and `q`) are named
    # only: with the exported ids, a status or TB class would say what was found about whom.
    AUDITED_FILTER_VALUES = ("site", "destination", "since", "until")

    def get_base_queryset(self) -> QuerySet[Assessment]:
        return selectors.assessments_for(self.request.user).order_by("-appointment_at", "-id")

    def get(
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponse | StreamingHttpResponse:
        """An export is audited with the ids exported (and their count and organizations) and
        the filters used, not only its format (`core.views.export_if_asked`)."""
        export_format = request.GET.get("export")
        if export_format not in ExportFormat.values:
            return super().get(request, *args, **kwargs)
        queryset = self.get_queryset()
        if self.filterset.is_bound and not self.filterset.is_valid():
            return super().get(request, *args, **kwargs)  # the 400 naming the filters
        rows = list(queryset)
        selectors.record_export(
            request.user,
            self.export_name,
            rows,
            export_format=export_format,
            filters=self.export_filters(),
        )
        return export_response(rows, self.export_columns, export_format, self.export_name)

    def export_filters(self) -> dict[str, Any]:
        """{filter: value} of the filters used (values of AUDITED_FILTER_VALUES only)."""
        used: dict[str, Any] = {}
        cleaned = self.filterset.form.cleaned_data if self.filterset.is_bound else {}
        for name, value in cleaned.items():
            if value in (None, ""):
                continue
            if name not in self.AUDITED_FILTER_VALUES:
                used[name] = "(set)"
            elif hasattr(value, "pk"):
                used[name] = value.pk
            elif hasattr(value, "isoformat"):
                used[name] = value.isoformat()
            else:
                used[name] = str(value)
        if self.request.GET.get("q", "").strip():
            used["q"] = "(set)"
        return used

    def apply_search(self, queryset: QuerySet, query: str) -> QuerySet:
        text = query.strip().lstrip("#")
        if text.isdigit():
            return queryset.filter(pk=int(text))
        return queryset.filter(certificate__number__iexact=text)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        selectors.record_list_read(self.request.user, self.export_name, context["object_list"])
        context["can_schedule"] = self.request.user.has_perm("health.add_assessment")
        context["current"] = "list"
        return context


# --- the appointment ----------------------------------------------------------------------------


class AssessmentCreateView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "health.add_assessment"
    template_name = "health/assessments/assessment_form.html"

    def make_form(self, data: Any = None) -> ScheduleForm:
        return ScheduleForm(
            data, user=self.request.user, sites=selectors.sites_for(self.request.user)
        )

    def render_form(self, form: ScheduleForm, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {"form": form, "current": "create"},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_form(self.make_form())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.make_form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                assessment = workflow.schedule_assessment(
                    actor=request.user,
                    site=data["site"],
                    physician=data["physician"],
                    appointment_at=data["appointment_at"],
                    full_name=data["full_name"],
                    date_of_birth=data["date_of_birth"],
                    sex=data["sex"],
                    document_number=data["document_number"],
                    profile=form.profile(),
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("Appointment booked: %(count)s items are required by %(protocol)s.")
                    % {
                        "count": len(assessment.required_items),
                        "protocol": assessment.protocol_version,
                    },
                )
                return HttpResponseRedirect(assessment.get_absolute_url())
        return self.render_form(form, status=400)


# --- one assessment -----------------------------------------------------------------------------


def _requirement_rows(
    assessment: Assessment, user: Any, results: dict[str, Any], forms: dict[str, Any]
) -> list[dict[str, Any]]:
    """One row per item a result may be recorded for, with why, the result, and its form."""
    requirements = assessment.requirements or {}
    required = {entry["item"]: entry for entry in requirements.get("required", [])}
    conditional = {entry["item"]: entry for entry in requirements.get("conditional", [])}
    due = set(workflow.due_items(assessment, results))
    can_record = (
        user.has_perm("health.record_result", assessment)
        and assessment.status in workflow.OPEN_FOR_RESULTS
    )
    rows = []
    for code in workflow.allowed_items(assessment):
        entry = required.get(code) or conditional.get(code) or {}
        result = results.get(code)
        form = None
        if can_record:
            form = forms.get(f"result:{code}") or ResultForm(
                item=code,
                initial={
                    "version": assessment.version,
                    "outcome": result.outcome if result else "",
                    "value": result.value if result else "",
                    "notes": result.notes if result else "",
                    "result_date": result.result_date if result else timezone.localdate(),
                },
            )
        rows.append(
            {
                "code": code,
                "label": workflow.item_label(code),
                "kind": "required"
                if code in required
                else "conditional"
                if code in conditional
                else "alternative",
                "due": code in due,
                "condition": entry.get("if", ""),
                "reason": entry.get("reason", ""),
                "source": entry.get("source", ""),
                "rule": entry.get("rule", ""),
                "result": result,
                "form": form,
            }
        )
    return rows


def render_assessment(
    request: HttpRequest,
    assessment: Assessment,
    *,
    forms: dict[str, Any] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    forms = forms or {}
    user = request.user
    results = workflow.results_by_item(assessment)
    missing = workflow.missing_items(assessment, results)
    version = {"version": assessment.version}
    referrals = list(assessment.tb_referrals.all())
    open_referral = next((r for r in referrals if r.status != ReferralStatus.CLOSED), None)
    certificate = (
        getattr(assessment, "certificate", None)
        if assessment.status == AssessmentStatus.CERTIFIED
        else None
    )
    context: dict[str, Any] = {
        "assessment": assessment,
        "rows": _requirement_rows(assessment, user, results, forms),
        "notes": (assessment.requirements or {}).get("notes", []),
        "missing": [workflow.item_label(code) for code in missing],
        "proposed": workflow.tb_referral_proposed(assessment, results),
        "referrals": [
            (
                referral,
                forms.get(f"referral:{referral.pk}")
                or ReferralStatusForm(
                    prefix=f"referral-{referral.pk}", initial={"version": referral.version}
                )
                if referral.status != ReferralStatus.CLOSED
                and user.has_perm("health.change_tbreferral", assessment)
                else None,
            )
            for referral in referrals
        ],
        "certificate": certificate,
        "error": error,
        "current": "list",
        "training_current": (
            assessment.physician.training_current(assessment.exam_date)
            if assessment.physician
            else None
        ),
    }
    if (
        user.has_perm("health.classify_assessment", assessment)
        and assessment.status in workflow.OPEN_FOR_CLASSIFICATION
    ):
        context["classify_form"] = forms.get("classify") or ClassifyForm(
            prefix="classify",
            initial={**version, "tb_class": assessment.tb_class or None},
        )
    if (
        user.has_perm("health.decide_assessment", assessment)
        and assessment.status in workflow.OPEN_FOR_DECISION
    ):
        context["decision_form"] = forms.get("decide") or DecisionForm(
            prefix="decide", initial=version
        )
    if (
        user.has_perm("health.refer_tb", assessment)
        and open_referral is None
        and (assessment.tb_class or context["proposed"])
    ):
        context["referral_form"] = forms.get("refer") or ReferralForm(
            prefix="refer",
            organizations=selectors.referral_organizations(),
            initial={**version, "to_organization": assessment.site.tb_programme_id},
        )
    if user.has_perm("health.issue_certificate", assessment) and certificate is None:
        context["certificate_form"] = forms.get("certificate") or CertificateForm(
            prefix="certificate", initial=version
        )
    shown = {f"result:{row['code']}" for row in context["rows"] if row["form"] is not None}
    shown |= {f"referral:{referral.pk}" for referral, form in context["referrals"] if form}
    shown |= {
        key
        for key, name in [
            ("classify", "classify_form"),
            ("decide", "decision_form"),
            ("refer", "referral_form"),
            ("certificate", "certificate_form"),
        ]
        if name in context
    }
    # A refused step whose form the page does not show (any more): its reasons go on top.
    context["refusals"] = [
        message
        for key, form in forms.items()
        if key not in shown
        for _anchor, _label, message in form.error_summary
    ]
    response = render(request, DETAIL_TEMPLATE, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


class AssessmentDetailView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "health.view_assessment"

    def get_permission_object(self) -> Assessment:
        # Checked on the assessment: whoever may not see it gets 404, as on its steps.
        return selectors.visible_assessment(self.request.user, self.kwargs["pk"])

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render_assessment(request, selectors.assessment_for(request.user, pk))


class AssessmentStepView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """One step on an assessment, as a POST. Subclasses set `permission_required` and
    `form_key`, and implement `make_form` and `perform` (calling the service)."""

    permission_required = "health.view_assessment"
    form_key = ""

    @cached_property
    def assessment(self) -> Assessment:
        # Unaudited: the write is audited by the service, and a page shown again is read
        # through `selectors.assessment_for`, which audits it.
        return selectors.visible_assessment(self.request.user, self.kwargs["pk"])

    def get_permission_object(self) -> Assessment:
        return self.assessment

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return HttpResponseRedirect(reverse("health:assessment_detail", args=[pk]))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                message = self.perform(form)
            except ConflictError as conflict:
                return self.render_page(form, error=str(conflict), status=409)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, message)
                return HttpResponseRedirect(self.success_url())
        return self.render_page(form, status=400)

    def success_url(self) -> str:
        return reverse("health:assessment_detail", args=[self.assessment.pk])

    def key(self, form: Any) -> str:
        return self.form_key

    def render_page(self, form: Any, *, error: str = "", status: int) -> HttpResponse:
        assessment = selectors.assessment_for(self.request.user, self.assessment.pk, via="step")
        if error:
            # Shown with the current state: a form bound to the stale version would fail again.
            return render_assessment(self.request, assessment, error=error, status=status)
        return render_assessment(
            self.request, assessment, forms={self.key(form): form}, status=status
        )

    def make_form(self, data: Any) -> Any:
        raise NotImplementedError

    def perform(self, form: Any) -> str:
        raise NotImplementedError


class ResultView(AssessmentStepView):
    permission_required = "health.record_result"

    def make_form(self, data: Any) -> ResultForm:
        item = str(data.get("item", "")) or next(
            (key.split("-", 1)[0] for key in data if key.endswith("-item")), ""
        )
        return ResultForm(data, item=item)

    def key(self, form: Any) -> str:
        return f"result:{form.prefix}"

    def perform(self, form: Any) -> str:
        data = form.cleaned_data
        reopened = self.assessment.status in workflow.REOPENED_BY_A_RESULT and bool(
            self.assessment.tb_class or self.assessment.decision
        )
        result = workflow.record_result(
            actor=self.request.user,
            assessment=self.assessment,
            item=data["item"],
            outcome=data["outcome"],
            value=data["value"],
            notes=data["notes"],
            result_date=data["result_date"],
            expected_version=data["version"],
        )
        message = _("Result recorded: %(item)s.") % {"item": result.get_item_display()}
        if reopened:
            message += " " + _(
                "The classification and the decision made on the earlier results were "
                "cleared: classify the assessment again."
            )
        return message


class ClassifyView(AssessmentStepView):
    permission_required = "health.classify_assessment"
    form_key = "classify"

    def make_form(self, data: Any) -> ClassifyForm:
        return ClassifyForm(data, prefix="classify")

    def perform(self, form: Any) -> str:
        assessment = workflow.classify(
            actor=self.request.user,
            assessment=self.assessment,
            tb_class=form.cleaned_data["tb_class"],
            expected_version=form.cleaned_data["version"],
        )
        message = _("Classified: %(tb_class)s.") % {"tb_class": assessment.get_tb_class_display()}
        if workflow.tb_referral_proposed(assessment):
            message += " " + _(
                "Suspected or confirmed TB: refer the person to the national TB programme, "
                "with their consent."
            )
        return message


class DecideView(AssessmentStepView):
    permission_required = "health.decide_assessment"
    form_key = "decide"

    def make_form(self, data: Any) -> DecisionForm:
        return DecisionForm(data, prefix="decide")

    def perform(self, form: Any) -> str:
        assessment = workflow.decide(
            actor=self.request.user,
            assessment=self.assessment,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
        return _("Decision recorded: %(status)s.") % {"status": assessment.get_status_display()}


class ReferView(AssessmentStepView):
    permission_required = "health.refer_tb"
    form_key = "refer"

    def make_form(self, data: Any) -> ReferralForm:
        return ReferralForm(data, prefix="refer", organizations=selectors.referral_organizations())

    def perform(self, form: Any) -> str:
        referral = workflow.refer_tb(
            actor=self.request.user,
            assessment=self.assessment,
            to_organization=form.cleaned_data["to_organization"],
            consent_given=form.cleaned_data["consent_given"],
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
        return _("Referral sent to %(organization)s.") % {"organization": referral.to_organization}


class ReferralStatusView(AssessmentStepView):
    permission_required = "health.change_tbreferral"

    @cached_property
    def referral(self) -> Any:
        referral = self.assessment.tb_referrals.filter(pk=self.kwargs["referral"]).first()
        if referral is None:
            raise Http404
        return referral

    def get(self, request: HttpRequest, pk: int, referral: int) -> HttpResponse:  # type: ignore[override]
        return super().get(request, pk)

    def post(self, request: HttpRequest, pk: int, referral: int) -> HttpResponse:  # type: ignore[override]
        return super().post(request, pk)

    def make_form(self, data: Any) -> ReferralStatusForm:
        return ReferralStatusForm(data, prefix=f"referral-{self.referral.pk}")

    def key(self, form: Any) -> str:
        return f"referral:{self.referral.pk}"

    def perform(self, form: Any) -> str:
        referral = workflow.update_tb_referral(
            actor=self.request.user,
            referral=self.referral,
            status=form.cleaned_data["status"],
            expected_version=form.cleaned_data["version"],
        )
        return _("Referral %(status)s.") % {"status": referral.get_status_display().lower()}


class CertificateIssueView(AssessmentStepView):
    permission_required = "health.issue_certificate"
    form_key = "certificate"

    def make_form(self, data: Any) -> CertificateForm:
        return CertificateForm(data, prefix="certificate")

    def perform(self, form: Any) -> str:
        certificate = workflow.issue_certificate(
            actor=self.request.user,
            assessment=self.assessment,
            expected_version=form.cleaned_data["version"],
        )
        return _("Certificate %(number)s issued, valid until %(day)s.") % {
            "number": certificate.number,
            "day": certificate.valid_until.isoformat(),
        }


class CertificateDownloadView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "health.view_certificate"

    def get_permission_object(self) -> Assessment:
        # Checked on the assessment: whoever may not see it gets 404, as on its page.
        return selectors.visible_assessment(self.request.user, self.kwargs["pk"])

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        assessment = selectors.assessment_for(request.user, pk, via="certificate")
        certificate = getattr(assessment, "certificate", None)
        if certificate is None or not request.user.has_perm("health.view_certificate", assessment):
            raise Http404
        try:
            content = certificates.to_pdf(assessment, certificate)
        except PdfUnavailable as error:
            return HttpResponse(str(error), status=503, content_type="text/plain; charset=utf-8")
        audit.record(
            request.user,
            AuditAction.EXPORT,
            certificate,
            organization_id=assessment.site.organization_id,
            metadata={"format": "pdf", "assessment": assessment.pk},
        )
        response = HttpResponse(content, content_type=certificates.CONTENT_TYPE)
        response["Content-Disposition"] = (
            f'attachment; filename="{certificates.filename(certificate)}"'
        )
        return response


# --- dashboard and sites ----------------------------------------------------------------------


class DashboardView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "health.view_dashboard"
    template_name = "health/assessments/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        sites = selectors.sites_for(self.request.user).order_by("name")
        form = DashboardFilterForm(self.request.GET or None, sites=sites)
        filters: dict[str, Any] = {}
        if form.is_bound and form.is_valid():
            filters = {key: value for key, value in form.cleaned_data.items() if value}
        context.update(
            form=form,
            dashboard=dashboards.dashboard_for(self.request.user, **filters),
            current="dashboard",
        )
        return context


class PanelSiteListView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "health.view_panelsite"
    template_name = "health/assessments/site_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        physicians: dict[int, list[Any]] = {}
        for physician in selectors.physicians_for(self.request.user):
            physician.is_trained = physician.training_current(today)
            physicians.setdefault(physician.site_id, []).append(physician)
        context.update(
            sites=[
                (site, physicians.get(site.pk, []))
                for site in selectors.sites_for(self.request.user).order_by("name")
            ],
            today=today,
            current="sites",
        )
        return context
