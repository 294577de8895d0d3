"""Compiling GCM reports: the secretariat chooses a cycle year, a scope, a format and a
language; the compilation runs as a background task (`tasks.start_report_job`), and its page
shows the progress, polling every two seconds with htmx while the job is queued or running,
then the download link or the error.

A job, and the file it made, are seen by the person who asked for it and by the Network's
secretariat (`reviews.compile_report`); to anyone else it does not exist (404).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views import View
from rules.contrib.views import PermissionRequiredMixin

from migration_hub.core.choices import RegionLevel
from migration_hub.core.forms import add_service_error
from migration_hub.core.models import Country, Region

from .. import selectors
from ..choices import Commission, JobStatus, ReportFormat, ReportScopeKind
from ..forms import ReviewsForm
from ..models import ReportJob

COMPILE = "reviews.compile_report"
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
POLL_SECONDS = 2
CONTENT_TYPES = {
    ReportFormat.HTML: "text/html; charset=utf-8",
    ReportFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ReportFormat.PDF: "application/pdf",
}
RECENT_JOBS = 10
BLANK = ("", "---------")
# An HTML report opens in the browser with its own stylesheet (one <style> element, written by
# `documents`) and nothing else: no script, no request, sandboxed from the site's origin.
INLINE_REPORT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox"
)


def start_report_job(
    actor: Any, cycle_year: int, scope: str, format: str, language: str, base_url: str = ""
) -> ReportJob:
    """Check the input, record the job and queue its task (`jobs.start_report_job`)."""
    from .. import jobs

    return jobs.start_report_job(actor, cycle_year, scope, format, language, base_url=base_url)


def output_file(job: ReportJob) -> Path:
    """The finished job's file (`job.output` is relative to DATA_DIR); Http404 when it is
    missing or its name would lead outside the reports' directory."""
    from .. import tasks

    base = Path(settings.DATA_DIR).resolve()
    found = tasks.output_path(job).resolve()
    if not found.is_relative_to(base) or not found.is_file():
        raise Http404
    return found


class ReportForm(ReviewsForm):
    cycle_year = forms.TypedChoiceField(label=gettext_lazy("Cycle year"), coerce=int)
    scope_kind = forms.ChoiceField(
        label=gettext_lazy("Scope"),
        choices=ReportScopeKind.choices,
        initial=ReportScopeKind.GLOBAL,
        widget=forms.RadioSelect,
    )
    commission = forms.ChoiceField(
        label=gettext_lazy("Regional commission"),
        required=False,
        choices=[BLANK, *Commission.choices],
        help_text=gettext_lazy("For a report on one regional commission's reviews."),
    )
    region = forms.ChoiceField(
        label=gettext_lazy("M49 region"),
        required=False,
        help_text=gettext_lazy("For a report on one region, sub-region or intermediate region."),
    )
    country = forms.ChoiceField(
        label=gettext_lazy("Country"),
        required=False,
        help_text=gettext_lazy("For a report on one country's reviews."),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=ReportFormat.choices,
        initial=ReportFormat.HTML,
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        years = (
            selectors.review_cycles().order_by("-year").values_list("year", flat=True).distinct()
        )
        self.fields["cycle_year"].choices = [(str(year), str(year)) for year in years]
        levels = dict(RegionLevel.choices)
        self.fields["region"].choices = [
            BLANK,
            *(
                (code, f"{name} ({code}, {levels.get(level, level)})")
                for code, name, level in Region.objects.exclude(level=RegionLevel.WORLD)
                .order_by("name")
                .values_list("m49_code", "name", "level")
            ),
        ]
        self.fields["country"].choices = [
            BLANK,
            *Country.objects.order_by("name").values_list("alpha3", "name"),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("scope_kind")
        if kind and kind != ReportScopeKind.GLOBAL:
            if not data.get(kind):
                self.add_error(kind, SCOPE_MISSING[kind]())
            else:
                data["scope"] = data[kind]
        elif kind:
            data["scope"] = ReportScopeKind.GLOBAL
        return data


# One whole sentence per scope, so that each language can make the words agree.
SCOPE_MISSING = {
    ReportScopeKind.COMMISSION: lambda: _("Choose the regional commission the report is about."),
    ReportScopeKind.REGION: lambda: _("Choose the region the report is about."),
    ReportScopeKind.COUNTRY: lambda: _("Choose the country the report is about."),
}


def can_see(user: Any, job: ReportJob) -> bool:
    return (job.requested_by_id is not None and job.requested_by_id == user.pk) or user.has_perm(
        COMPILE
    )


def job_or_404(user: Any, pk: int) -> ReportJob:
    job = get_object_or_404(ReportJob.objects.select_related("requested_by"), pk=pk)
    if not can_see(user, job):
        raise Http404
    return job


class ReportCompileView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """The compile form (GET), and starting a job (POST, then its page)."""

    permission_required = COMPILE
    template_name = "reviews/report_compile.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        language = (get_language() or "en").lower()
        codes = [code for code, _name in settings.LANGUAGES]
        form = ReportForm(initial={"language": language if language in codes else "en"})
        return self.render_form(form)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ReportForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                job = start_report_job(
                    request.user,
                    data["cycle_year"],
                    data["scope"],
                    data["format"],
                    data["language"],
                    base_url=request.build_absolute_uri("/"),
                )
            except ValidationError as error:
                add_service_error(form, error)
            except ValueError as error:  # compilation.ReportInputError names its field
                field = getattr(error, "field", None)
                form.add_error(
                    field if field in form.fields else None, getattr(error, "message", str(error))
                )
            else:
                return HttpResponseRedirect(job.get_absolute_url())
        return self.render_form(form, status=400)

    def render_form(self, form: ReportForm, status: int = 200) -> HttpResponse:
        jobs = ReportJob.objects.select_related("requested_by")
        if not self.request.user.is_superuser:
            jobs = jobs.filter(requested_by=self.request.user)
        return render(
            self.request,
            self.template_name,
            {"form": form, "jobs": jobs[:RECENT_JOBS]},
            status=status,
        )


class ReportJobView(LoginRequiredMixin, View):
    """A job's status; while it runs, htmx asks for the status part again every two seconds."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = job_or_404(request.user, pk)
        template = "reviews/report_job.html"
        htmx = getattr(request, "htmx", None)
        if htmx and not htmx.boosted:
            template += "#status"
        response = render(
            request,
            template,
            {
                "job": job,
                "active": job.status in ACTIVE,
                "poll_seconds": POLL_SECONDS,
                "inline": job.format == ReportFormat.HTML,
            },
        )
        patch_vary_headers(response, ["HX-Request"])
        response["Cache-Control"] = "no-store"
        return response


class ReportDownloadView(LoginRequiredMixin, View):
    """The compiled file, streamed from storage; an HTML report opens in the browser."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = job_or_404(request.user, pk)
        if job.status != JobStatus.DONE or not job.output:
            raise Http404
        found = output_file(job)
        suffix = found.suffix or f".{job.format}"
        filename = f"gcm-report-{job.cycle_year}-{job.scope.lower()}-{job.language}{suffix}"
        content_type = CONTENT_TYPES.get(job.format) or (
            mimetypes.guess_type(filename)[0] or "application/octet-stream"
        )
        inline = job.format == ReportFormat.HTML
        response = FileResponse(
            found.open("rb"), as_attachment=not inline, filename=filename, content_type=content_type
        )
        if inline:
            response["Content-Security-Policy"] = INLINE_REPORT_POLICY
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


urlpatterns = [
    path("reports/", ReportCompileView.as_view(), name="report_compile"),
    path("reports/jobs/<int:pk>/", ReportJobView.as_view(), name="report_job"),
    path("reports/jobs/<int:pk>/download/", ReportDownloadView.as_view(), name="report_download"),
]
