"""Registry pages: directory, detail pages, the questions users ask, editing with a source."""

from __future__ import annotations

import math
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from migration_hub.core.choices import ExportFormat
from migration_hub.core.exports import Column
from migration_hub.core.models import Country, Region
from migration_hub.core.services import ConflictError
from migration_hub.core.views import FilteredListView, export_if_asked

from . import selectors, services
from .choices import MigrationMandate, OrganizationKind
from .filtersets import InstrumentFilterSet, OrganizationFilterSet
from .models import (
    Framework,
    FrameworkItem,
    Instrument,
    Network,
    Organization,
    Participation,
    Right,
)


class RegistryPage(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """A read-only registry page; subclasses fill `get_context_data`."""

    permission_required = "registry.view_organization"


class OrganizationListView(FilteredListView):
    """The directory: facets by kind, theme and region, full-text search, exports."""

    permission_required = "registry.view_organization"
    filterset_class = OrganizationFilterSet
    template_name = "registry/organization_list.html"
    export_name = "organizations"
    export_columns = [
        Column(gettext_lazy("Code"), "code"),
        Column(gettext_lazy("Acronym"), "acronym"),
        Column(gettext_lazy("Name"), "name"),
        Column(gettext_lazy("Kind"), "kind"),
        Column(gettext_lazy("Founded"), "founded_year"),
        Column(gettext_lazy("Headquarters"), "headquarters_country__alpha3"),
        Column(gettext_lazy("Migration mandate"), "migration_mandate"),
        Column(gettext_lazy("Source"), "source"),
    ]

    def get_base_queryset(self) -> QuerySet[Organization]:
        return selectors.organizations()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # Labels looked up once per page: get_FOO_display() rebuilds its choices per call.
        kinds = {value: str(label) for value, label in OrganizationKind.choices}
        mandates = {value: str(label) for value, label in MigrationMandate.choices}
        for organization in context["object_list"]:
            organization.kind_label = kinds.get(organization.kind, organization.kind)
            organization.mandate_label = mandates.get(organization.migration_mandate, "")
        return context


class OrganizationDetailView(RegistryPage):
    template_name = "registry/organization_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        organization = get_object_or_404(
            selectors.organizations().select_related("founding_instrument"), code=kwargs["code"]
        )
        return super().get_context_data(
            organization=organization,
            facts=organization.facts.all(),
            offices=organization.offices.select_related("country"),
            thematic_areas=organization.thematic_areas.select_related("framework"),
            regions=organization.regions.all(),
            member_states=selectors.member_states(organization),
            member_organizations=selectors.memberships().filter(
                organization=organization, member_organization__isnull=False
            ),
            belongs_to=selectors.memberships().filter(member_organization=organization),
            networks=selectors.network_memberships().filter(organization=organization),
            can_change=self.request.user.has_perm("registry.change_organization", organization),
            **kwargs,
        )


class CountryView(RegistryPage):
    """A country: UN status, memberships, and the gap analysis of core instruments."""

    template_name = "registry/country_detail.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        country = get_object_or_404(
            Country.objects.select_related("region", "sub_region"), alpha3=kwargs["alpha3"].upper()
        )
        rows = selectors.gap_analysis(country)
        exported = export_if_asked(
            request,
            f"gap-analysis-{country.alpha3}",
            rows,
            [
                Column(_("Instrument"), "instrument__code"),
                Column(_("Title"), "instrument__title"),
                Column(_("Status"), "status"),
                Column(_("Action"), "action"),
                Column(_("Date"), "date"),
            ],
        )
        if exported:
            return exported
        context = self.get_context_data(
            country=country,
            gap_rows=rows,
            un_status=selectors.un_status(country),
            memberships=selectors.memberships()
            .filter(member_country=country)
            .order_by("organization__name"),
            participations=selectors.participations().filter(country=country),
            export_formats=ExportFormat.choices,
            **kwargs,
        )
        return self.render_to_response(context)


class NetworkView(RegistryPage):
    template_name = "registry/network_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        network = get_object_or_404(selectors.networks(), code=kwargs["code"])
        role = self.request.GET.get("role") or None
        members = selectors.network_members(network, role)
        return super().get_context_data(
            network=network,
            members=members,
            role=role,
            role_counts=dict(
                network.memberships.values_list("role_rows__role").annotate(count=Count("pk"))
            ),
            **kwargs,
        )


class InstrumentListView(FilteredListView):
    permission_required = "registry.view_instrument"
    filterset_class = InstrumentFilterSet
    template_name = "registry/instrument_list.html"
    export_name = "instruments"
    export_columns = [
        Column(gettext_lazy("Code"), "code"),
        Column(gettext_lazy("Title"), "title"),
        Column(gettext_lazy("Kind"), "kind"),
        Column(gettext_lazy("Binding"), "binding"),
        Column(gettext_lazy("Adopted"), "adopted_on"),
        Column(gettext_lazy("Entry into force"), "entry_into_force_on"),
        Column(gettext_lazy("Symbol"), "symbol"),
        Column(gettext_lazy("Source"), "source"),
    ]

    def get_base_queryset(self) -> QuerySet[Instrument]:
        return selectors.instruments()


class InstrumentView(RegistryPage):
    template_name = "registry/instrument_detail.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        instrument = get_object_or_404(selectors.instruments(), code=kwargs["code"])
        table = selectors.ratification_table(instrument)
        exported = export_if_asked(
            request,
            f"ratifications-{instrument.code}",
            table,
            [
                Column(_("Country"), lambda row: row["country"].name),
                Column(_("ISO alpha-3"), lambda row: row["country"].alpha3),
                Column(_("Party"), lambda row: row["party"]),
                Column(
                    _("Actions"),
                    lambda row: "; ".join(
                        f"{p.action} {p.date or ''}".strip() for p in row["actions"]
                    ),
                ),
            ],
        )
        if exported:
            return exported
        by_region = selectors.parties_by_region(instrument)
        context = self.get_context_data(
            instrument=instrument,
            rights=selectors.rights_protected_by(instrument),
            table=table,
            region_chart=_region_chart(by_region),
            export_formats=ExportFormat.choices,
            **kwargs,
        )
        return self.render_to_response(context)


def _region_chart(rows: list[tuple[Region, int, int]]) -> list[dict[str, Any]]:
    """Bars for the server-drawn SVG chart: parties as a share of each continent's countries."""
    bars = []
    for index, (region, parties, total) in enumerate(rows):
        share = parties / total if total else 0.0
        bars.append(
            {
                "region": region,
                "parties": parties,
                "total": total,
                "percent": round(share * 100),
                "width": round(share * 300),
                "y": 10 + index * 34,
            }
        )
    return bars


class RightListView(RegistryPage):
    template_name = "registry/right_list.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        exported = export_if_asked(
            request,
            "rights",
            Right.objects.prefetch_related("provisions__instrument"),
            [
                Column(_("Code"), "code"),
                Column(_("Name"), "name"),
                Column(
                    _("Protected by"),
                    lambda right: "; ".join(
                        f"{p.instrument.code} {p.number}" for p in right.provisions.all()
                    ),
                ),
                Column(_("Source"), "source"),
            ],
        )
        return exported or super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            rights=Right.objects.annotate(provision_count=Count("provisions")), **kwargs
        )


class RightView(RegistryPage):
    template_name = "registry/right_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        right = get_object_or_404(Right, code=kwargs["code"])
        return super().get_context_data(
            right=right,
            provisions=right.provisions.select_related("instrument").order_by(
                "instrument__adopted_on", "position"
            ),
            **kwargs,
        )


class FrameworkListView(RegistryPage):
    template_name = "registry/framework_list.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        exported = export_if_asked(
            request,
            "framework-items",
            selectors.framework_items(),
            [
                Column(_("Code"), "code"),
                Column(_("Framework"), "framework__code"),
                Column(_("Kind"), "kind"),
                Column(_("Number"), "number"),
                Column(_("Title"), "title"),
                Column(_("Short title"), "short_title"),
                Column(_("Parent"), "parent__code"),
                Column(_("Source"), "source"),
            ],
        )
        return exported or super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            frameworks=selectors.framework_trees(), export_formats=ExportFormat.choices, **kwargs
        )


class FrameworkItemView(RegistryPage):
    template_name = "registry/frameworkitem_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        item = get_object_or_404(selectors.framework_items(), code=kwargs["code"])
        linked = selectors.crosswalks().filter(from_item=item) | selectors.crosswalks().filter(
            to_item=item
        )
        return super().get_context_data(
            item=item,
            children=item.children.order_by("position"),
            crosswalks=linked,
            organizations=selectors.organizations_working_on(item=item),
            **kwargs,
        )


class CrosswalkMatrixView(RegistryPage):
    template_name = "registry/crosswalk_matrix.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        matrix = selectors.crosswalk_matrix()
        exported = export_if_asked(
            request,
            "crosswalk-gcm",
            matrix.rows,
            [
                Column(_("GCM objective"), "code"),
                Column(_("Title"), "title"),
                *[
                    Column(
                        column.code,
                        lambda row, column=column: "x" if matrix.linked(row, column) else "",
                    )
                    for column in matrix.columns
                ],
            ],
        )
        if exported:
            return exported
        grid = [
            (row, [matrix.linked(row, column) for column in matrix.columns]) for row in matrix.rows
        ]
        return self.render_to_response(
            self.get_context_data(
                matrix=matrix, grid=grid, export_formats=ExportFormat.choices, **kwargs
            )
        )


class GraphView(RegistryPage):
    """A server-drawn SVG of a network or union with its members around it."""

    template_name = "registry/graph.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        focus = self.request.GET.get("focus", "UNNM")
        network = Network.objects.filter(code=focus).first()
        if network is not None:
            members = [
                (
                    m.organization.acronym or m.organization.code,
                    m.organization.get_absolute_url(),
                    "executive-committee" in m.roles,
                )
                for m in selectors.network_members(network)
            ]
            title, centre_url = network.name, network.get_absolute_url()
        else:
            union = get_object_or_404(Organization, code=focus)
            members = [
                (
                    m.member_country.alpha3,
                    reverse("registry:country_detail", args=[m.member_country.alpha3]),
                    False,
                )
                for m in selectors.member_states(union)
            ]
            title, centre_url = union.name, union.get_absolute_url()
        size = 640
        radius = size / 2 - 60
        nodes = []
        for index, (label, url, highlighted) in enumerate(members):
            angle = 2 * math.pi * index / max(len(members), 1)
            nodes.append(
                {
                    "label": label,
                    "url": url,
                    "highlighted": highlighted,
                    "x": round(size / 2 + radius * math.cos(angle), 1),
                    "y": round(size / 2 + radius * math.sin(angle), 1),
                }
            )
        choices = [(n.code, n.name) for n in Network.objects.all()] + [
            (o.code, o.name)
            for o in Organization.objects.filter(
                memberships__member_country__isnull=False
            ).distinct()
        ]
        return super().get_context_data(
            title=title,
            centre_url=centre_url,
            nodes=nodes,
            size=size,
            focus=focus,
            choices=choices,
            centre=size / 2,
            **kwargs,
        )


class OrganizationEditForm(forms.ModelForm):
    change_source = forms.CharField(
        label=gettext_lazy("Source of this change"),
        max_length=500,
        help_text=gettext_lazy("A URL or a citation such as a document symbol. Required."),
    )
    website = forms.URLField(label=gettext_lazy("website"), required=False, assume_scheme="https")
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Organization
        fields = [
            "name",
            "acronym",
            "kind",
            "founded_year",
            "headquarters_country",
            "headquarters_city",
            "migration_mandate",
            "scope",
            "website",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class OrganizationEditView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "registry.change_organization"
    template_name = "registry/organization_form.html"

    def get_permission_object(self) -> Organization:
        return get_object_or_404(Organization, code=self.kwargs["code"])

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        organization = self.get_permission_object()
        return render(
            request,
            self.template_name,
            {
                "form": OrganizationEditForm(
                    instance=organization, initial={"version": organization.version}
                ),
                "organization": organization,
            },
        )

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        organization = self.get_permission_object()
        form = OrganizationEditForm(request.POST, instance=organization)
        status = 400
        if form.is_valid():
            try:
                services.save_record(
                    form.instance,
                    actor=request.user,
                    change_source=form.cleaned_data["change_source"],
                    expected_version=form.cleaned_data["version"],
                )
            except ConflictError as conflict:
                form.add_error(None, str(conflict))
                status = 409
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Saved, with its source, in the history."))
                return HttpResponseRedirect(organization.get_absolute_url())
        return render(
            request,
            self.template_name,
            {"form": form, "organization": organization},
            status=status,
        )


# Records editors correct from their pages: URL kind -> (model, editable fields).
EDITABLE = {
    "instruments": (
        Instrument,
        [
            "title",
            "short_title",
            "kind",
            "binding",
            "core_migration",
            "adopted_on",
            "entry_into_force_on",
            "symbol",
            "url",
            "source",
        ],
    ),
    "rights": (Right, ["name", "description", "source"]),
    "framework-items": (FrameworkItem, ["title", "short_title", "number", "source"]),
    "networks": (Network, ["name", "kind", "established_year", "description", "source"]),
}


def _record_form(model: type, fields: list[str]) -> type[forms.ModelForm]:
    """A form for `fields` of `model`, plus the cited source of the change and the version read."""

    def formfield(field: Any, **kwargs: Any) -> Any:
        if isinstance(field, models.URLField):
            kwargs["assume_scheme"] = "https"
        if isinstance(field, models.DateField):
            kwargs["widget"] = forms.DateInput(attrs={"type": "date"})
        return field.formfield(**kwargs)

    extra = {
        "change_source": forms.CharField(
            label=gettext_lazy("Source of this change"),
            help_text=gettext_lazy("A URL or a citation such as a document symbol. Required."),
        ),
        "version": forms.IntegerField(widget=forms.HiddenInput),
    }
    base = forms.modelform_factory(model, fields=fields, formfield_callback=formfield)
    return type(f"{model.__name__}EditForm", (base,), extra)


class RecordEditView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Correct an instrument, right, framework item or network, citing the source."""

    template_name = "registry/record_form.html"

    def _target(self) -> tuple[Any, list[str]]:
        if not hasattr(self, "target"):
            if self.kwargs["kind"] not in EDITABLE:
                raise Http404
            model, fields = EDITABLE[self.kwargs["kind"]]
            self.target = (get_object_or_404(model, code=self.kwargs["code"]), fields)
        return self.target

    def get_permission_required(self) -> list[str]:
        obj, _fields = self._target()
        return [f"registry.change_{obj._meta.model_name}"]

    def get_permission_object(self) -> Any:
        return self._target()[0]

    def _render(self, form: forms.ModelForm, obj: Any, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {"form": form, "obj": obj, "kind": self.kwargs["kind"]},
            status=status,
        )

    def get(self, request: HttpRequest, kind: str, code: str) -> HttpResponse:
        obj, fields = self._target()
        form = _record_form(type(obj), fields)(instance=obj, initial={"version": obj.version})
        return self._render(form, obj)

    def post(self, request: HttpRequest, kind: str, code: str) -> HttpResponse:
        obj, fields = self._target()
        form = _record_form(type(obj), fields)(request.POST, instance=obj)
        status = 400
        if form.is_valid():
            try:
                services.save_record(
                    form.instance,
                    actor=request.user,
                    change_source=form.cleaned_data["change_source"],
                    expected_version=form.cleaned_data["version"],
                )
            except ConflictError as conflict:
                form.add_error(None, str(conflict))
                status = 409
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Saved, with its source, in the history."))
                return HttpResponseRedirect(obj.get_absolute_url())
        return self._render(form, obj, status)


class ParticipationForm(forms.ModelForm):
    """A state's signature, ratification or accession, recorded with its source."""

    class Meta:
        model = Participation
        fields = ["instrument", "action", "date", "reservations", "source"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "reservations": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_date(self) -> Any:
        date = self.cleaned_data.get("date")
        if date and date > timezone.localdate():
            raise ValidationError(_("The date is in the future."))
        return date


class ParticipationCreateView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "registry.add_participation"
    template_name = "registry/participation_form.html"

    def _country(self) -> Country:
        return get_object_or_404(Country, alpha3=self.kwargs["alpha3"].upper())

    def get(self, request: HttpRequest, alpha3: str) -> HttpResponse:
        return render(
            request, self.template_name, {"form": ParticipationForm(), "country": self._country()}
        )

    def post(self, request: HttpRequest, alpha3: str) -> HttpResponse:
        country = self._country()
        form = ParticipationForm(request.POST, instance=Participation(country=country))
        if form.is_valid():
            try:
                services.save_record(
                    form.instance, actor=request.user, change_source=form.cleaned_data["source"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Recorded, with its source, in the history."))
                return HttpResponseRedirect(
                    reverse("registry:country_detail", args=[country.alpha3])
                )
        return render(request, self.template_name, {"form": form, "country": country}, status=400)


class HistoryView(RegistryPage):
    """Every version of a record, who changed what, from which source, as a diff."""

    template_name = "registry/history.html"
    models = {
        "organizations": Organization,
        "instruments": Instrument,
        "rights": Right,
        "framework-items": FrameworkItem,
        "networks": Network,
        "frameworks": Framework,
    }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        model = self.models.get(kwargs["kind"])
        if model is None:
            raise Http404
        obj = get_object_or_404(model, code=kwargs["code"])
        records = list(obj.history.select_related("history_user").order_by("-history_date"))
        versions = []
        for newer, older in zip(records, [*records[1:], None], strict=True):
            changes = []
            if older is not None:
                delta = newer.diff_against(older)
                changes = [
                    (model._meta.get_field(change.field).verbose_name, change.old, change.new)
                    for change in delta.changes
                ]
            versions.append({"record": newer, "changes": changes})
        return super().get_context_data(obj=obj, versions=versions, **kwargs)
