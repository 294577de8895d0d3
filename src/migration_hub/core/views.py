"""Pages shared by every module, and the list-page machinery other apps reuse."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from . import audit, search, selectors
from .choices import AuditAction, ExportFormat
from .exports import Column, export_response
from .filtersets import AuditEventFilterSet, CountryFilterSet
from .models import AuditEvent, Country


class HomeView(TemplateView):
    template_name = "core/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.is_authenticated:
            context["memberships"] = user.memberships.select_related("organization").order_by(
                "organization__name", "role"
            )
        return context


def export_if_asked(
    request: HttpRequest, name: str, rows: Iterable[Any], columns: list[Column]
) -> HttpResponse | StreamingHttpResponse | None:
    """The rows as a download when `?export=csv|xlsx|json` asks for one, audited; else None."""
    export_format = request.GET.get("export")
    if export_format not in ExportFormat.values:
        return None
    audit.record(
        request.user,
        AuditAction.EXPORT,
        None,
        metadata={
            "list": name,
            "format": export_format,
            # Names only: a search term may be someone's name.
            "filters": sorted(k for k in request.GET if k != "export"),
        },
    )
    return export_response(rows, columns, export_format, name)


class FilteredListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    """A list page with filters, `?q=` search, pagination, export and an htmx partial.

    Subclasses set `filterset_class`, `export_columns`, `export_name`, `template_name` and
    implement `get_base_queryset()` with a selector.
    """

    paginate_by = 50
    filterset_class: Any = None
    export_columns: list[Column] = []
    export_name = "export"
    search_fields: list[str] = []

    def get_base_queryset(self) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        queryset = self.get_base_queryset()
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=queryset, request=self.request
        )
        if self.filterset.is_bound:
            # An invalid filter shows its error and no rows, rather than every row.
            queryset = self.filterset.qs if self.filterset.is_valid() else queryset.none()
        query = self.request.GET.get("q", "").strip()
        return self.apply_search(queryset, query) if query else queryset

    def apply_search(self, queryset: QuerySet, query: str) -> QuerySet:
        return search.search_queryset(queryset, query, fallback_fields=self.search_fields)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        export_format = request.GET.get("export")
        if export_format in ExportFormat.values:
            rows = self.get_queryset()
            if self.filterset.is_bound and not self.filterset.is_valid():
                return HttpResponse(
                    "; ".join(
                        f"{name}: {' '.join(errors)}"
                        for name, errors in self.filterset.errors.items()
                    ),
                    status=400,
                    content_type="text/plain; charset=utf-8",
                )
            return export_if_asked(
                request, self.export_name, rows.iterator(chunk_size=1000), self.export_columns
            )
        response = super().get(request, *args, **kwargs)
        patch_vary_headers(response, ["HX-Request"])
        return response

    def get_template_names(self) -> list[str]:
        names = super().get_template_names()
        htmx = getattr(self.request, "htmx", None)
        if htmx and not htmx.boosted:
            return [f"{names[0]}#results"]
        return names

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("export", None)
        context.update(
            filterset=self.filterset,
            query=self.request.GET.get("q", ""),
            querystring=query.urlencode(),
            export_formats=ExportFormat.choices,
        )
        return context


class CountryListView(FilteredListView):
    permission_required = "core.view_country"
    filterset_class = CountryFilterSet
    template_name = "core/country_list.html"
    export_name = "countries"
    export_columns = [
        Column(_("Name"), "name"),
        Column(_("ISO alpha-2"), "alpha2"),
        Column(_("ISO alpha-3"), "alpha3"),
        Column(_("M49 code"), "m49_code"),
        Column(_("Region"), "region__name"),
        Column(_("Sub-region"), "sub_region__name"),
        Column(_("Intermediate region"), "intermediate_region__name"),
    ]

    def get_base_queryset(self) -> QuerySet[Country]:
        return selectors.countries()


class CountryDetailView(LoginRequiredMixin, PermissionRequiredMixin, DetailView):
    permission_required = "core.view_country"
    template_name = "core/country_detail.html"
    context_object_name = "country"

    def get_object(self, queryset: QuerySet | None = None) -> Country:
        return get_object_or_404(selectors.countries(), alpha3=self.kwargs["alpha3"].upper())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["offices"] = self.object.offices.select_related("organization").order_by(
            "organization__name"
        )
        return context


class AuditEventListView(FilteredListView):
    permission_required = "core.view_auditevent"
    filterset_class = AuditEventFilterSet
    template_name = "core/auditevent_list.html"
    export_name = "audit-log"
    export_columns = [
        Column(_("When"), "created_at"),
        Column(_("Actor id"), "actor_ref"),
        Column(_("Actor"), "actor__username"),
        Column(_("Action"), "action"),
        Column(_("Record"), "target_label"),
        Column(_("Organization id"), "organization_ref"),
        Column(_("Changes"), lambda event: event.changes),
        Column(_("Details"), lambda event: event.metadata),
    ]

    def get_base_queryset(self) -> QuerySet[AuditEvent]:
        return selectors.audit_events_for(self.request.user)

    # Audit events are not in the search index: `q` matches a record id or a user name.
    search_fields = ["target_id", "actor__username"]
