"""Pages of statistics releases about people (case management's safe statistics).

Published releases are open data, like the rest of the statistics pages: anyone reads them and
downloads their CSV, signed in or not. Drafts and withdrawn releases are seen only by those who
may publish them (a data protection officer of the organization whose data set it is, or a
superuser); to anyone else they answer 404, as if they did not exist. Building, publishing,
withdrawing and budgeting go through the services (`case_releases`, `releases`); every figure
shown is read from the release's stored cells, never recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView, TemplateView, View
from rules.contrib.views import PermissionRequiredMixin

from migration_hub.accounts.models import Organization
from migration_hub.cases import release_tables
from migration_hub.core.exports import Column, export_response

from . import case_releases, disclosure, releases
from .models import ReleaseMethod, ReleaseStatus, StatisticsRelease
from .release_forms import BudgetForm, ReleaseForm

TOTAL = "total"


# --- presenting a release --------------------------------------------------------------------


def dataset_label(key: str, organizations: dict[str, str] | None = None) -> str:
    """ "Home Agency: Counter-trafficking assistance" for a case data set, else the key."""
    parsed = release_tables.parse_dataset_key(key)
    if parsed is None:
        return key
    code, case_type = parsed
    if organizations is None:
        organizations = dict(Organization.objects.filter(code=code).values_list("code", "name"))
    return f"{organizations.get(code, code)}: {release_tables.DATASETS[case_type].label}"


def _case_type(release: StatisticsRelease) -> str | None:
    parsed = release_tables.parse_dataset_key(release.dataset_key)
    return parsed[1] if parsed else None


def dimension_label(release: StatisticsRelease, name: str) -> str:
    case_type = _case_type(release)
    return release_tables.attribute_label(case_type, name) if case_type else name


def category_label(release: StatisticsRelease, dimension: str, code: str | None) -> str:
    if code is None:
        return _("Total")
    if _case_type(release) is None:
        return code
    return release_tables.category_label(dimension, code)


@dataclass
class Cell:
    value: int | None
    suppressed: bool


@dataclass
class Row:
    label: str
    is_total: bool
    cells: list[Cell]


@dataclass
class DisplayTable:
    """A release laid out for the page: rows by the first dimension, columns by the second
    (or one column of persons), totals last. Rows and columns of a two-way table in which
    every figure is a published 0 are left out (the CSV has them)."""

    columns: list[tuple[str, bool]] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    hidden_rows: int = 0
    hidden_columns: int = 0


def display_table(release: StatisticsRelease) -> DisplayTable:
    dims = list(release.dimensions)
    stored = {
        disclosure.key_from_json(dims, cell.key): Cell(cell.value, cell.suppressed)
        for cell in release.cells.order_by("position")
    }
    row_codes: list[str | None] = [*release.categories.get(dims[0], []), None]
    if len(dims) == 1:
        col_codes: list[Any] = [TOTAL]
        columns = [(_("Persons"), True)]

        def lookup(row: str | None, col: Any) -> Cell:
            return stored.get((row,), Cell(None, True))
    else:
        col_codes = [*release.categories.get(dims[1], []), None]
        columns = [(category_label(release, dims[1], code), code is None) for code in col_codes]

        def lookup(row: str | None, col: Any) -> Cell:
            return stored.get((row, col), Cell(None, True))

    def empty(cells: list[Cell]) -> bool:
        return all(not cell.suppressed and cell.value == 0 for cell in cells)

    table = DisplayTable()
    keep_columns = list(range(len(col_codes)))
    if len(dims) == 2:
        keep_columns = [
            index
            for index, code in enumerate(col_codes)
            if code is None or not empty([lookup(row, code) for row in row_codes])
        ]
        table.hidden_columns = len(col_codes) - len(keep_columns)
    table.columns = [columns[index] for index in keep_columns]
    for row in row_codes:
        cells = [lookup(row, col_codes[index]) for index in keep_columns]
        if row is not None and empty([lookup(row, code) for code in col_codes]):
            table.hidden_rows += 1
            continue
        table.rows.append(Row(category_label(release, dims[0], row), row is None, cells))
    return table


def method_statements(release: StatisticsRelease) -> list[str]:
    """The method and its parameters, in plain words."""
    parameters = release.parameters
    statements = [
        _(
            "The figures count distinct persons (a person with several cases counts once), "
            "from the cases of persons whose consent to the use of their data in statistics "
            "was in force when the table was built."
        )
    ]
    if release.method == ReleaseMethod.K_SUPPRESSION:
        k = parameters.get("k", disclosure.DEFAULT_K)
        statements.append(
            _(
                "Cells under %(k)d persons are suppressed, and enough other cells that none "
                "can be worked out from the totals."
            )
            % {"k": k}
        )
        if parameters.get("suppress_zeros"):
            statements.append(_("Empty cells are suppressed too."))
        statements.append(
            _(
                "The table was checked against every earlier release of the same data set "
                "that shares an attribute with it: it counts the same persons or at least "
                "%(k)d persons more or fewer, and figures that changed by fewer than %(k)d "
                "persons are suppressed."
            )
            % {"k": k}
        )
    else:
        statements.append(
            _(
                "Random noise was added once to every count (the %(mechanism)s mechanism, "
                "scale %(scale)s), so that the table is differentially private with "
                "epsilon = %(epsilon)s. Privacy unit: one person, counted in at most "
                "%(max)s cell(s)."
            )
            % {
                "mechanism": _("discrete Laplace")
                if parameters.get("mechanism") == "discrete_laplace"
                else parameters.get("mechanism", ""),
                "scale": f"{parameters.get('scale', 0):g}",
                "epsilon": f"{parameters.get('epsilon', 0):g}",
                "max": parameters.get("max_contributions", 1),
            }
        )
        statements.append(
            _(
                "Counts that came out below zero are shown as 0, and totals are the sums of "
                "the cells shown. Showing the table again never draws new noise."
            )
        )
        if parameters.get("library"):
            statements.append(_("Computed with %(library)s.") % {"library": parameters["library"]})
    return statements


def epsilon_figures(figures: dict[str, Decimal | None]) -> dict[str, str | None]:
    """Budget figures as plain numbers (0.4, not 0.400000)."""
    return {
        name: None if value is None else f"{value.normalize():f}" for name, value in figures.items()
    }


def visible_release(request: HttpRequest, pk: int) -> StatisticsRelease:
    """The release if the user may see it (published, or theirs to manage), else 404."""
    return get_object_or_404(case_releases.releases_for(request.user), pk=pk)


# --- pages -----------------------------------------------------------------------------------


class ReleaseListView(ListView):
    """Published releases for everyone; drafts and withdrawn ones too for those who manage
    them."""

    template_name = "statistics/releases/release_list.html"
    context_object_name = "releases"
    paginate_by = 50

    def get_queryset(self) -> Any:
        queryset = case_releases.releases_for(self.request.user)
        status = self.request.GET.get("status", "")
        if status in ReleaseStatus.values:
            queryset = queryset.filter(status=status)
        return queryset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        names = dict(Organization.objects.values_list("code", "name"))
        for release in context["releases"]:
            release.dataset_label = dataset_label(release.dataset_key, names)
            release.dimension_labels = [dimension_label(release, d) for d in release.dimensions]
        user = self.request.user
        context.update(
            can_build=bool(case_releases.managed_datasets(user)),
            statuses=ReleaseStatus.choices,
            status=self.request.GET.get("status", ""),
        )
        return context


class ReleaseDetailView(TemplateView):
    template_name = "statistics/releases/release_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        release = visible_release(self.request, kwargs["pk"])
        user = self.request.user
        can_manage = case_releases.manages(user, release)
        budget = None
        if release.method == ReleaseMethod.DIFFERENTIAL_PRIVACY:
            budget = epsilon_figures(
                case_releases.budgets([release.dataset_key])[release.dataset_key]
            )
        return super().get_context_data(
            release=release,
            described=releases.describe_release(release),
            dataset_label=dataset_label(release.dataset_key),
            dimension_labels=[dimension_label(release, d) for d in release.dimensions],
            table=display_table(release),
            statements=method_statements(release),
            budget=budget,
            can_manage=can_manage,
            can_publish=can_manage and release.status == ReleaseStatus.DRAFT,
            can_withdraw=can_manage and release.status != ReleaseStatus.WITHDRAWN,
            **kwargs,
        )


class ReleaseCsvView(View):
    """The published table as CSV: one row per entry (totals included, named "total"),
    through the project's export helper, which neutralises anything a spreadsheet would run
    as a formula. Drafts and withdrawn releases have no download."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        release = visible_release(request, pk)
        if release.status != ReleaseStatus.PUBLISHED:
            raise Http404
        columns = [
            Column(name, lambda row, name=name: TOTAL if row[name] is None else row[name])
            for name in release.dimensions
        ]
        columns += [
            Column("persons", lambda row: row["value"]),
            Column("suppressed", lambda row: "yes" if row["suppressed"] else "no"),
        ]
        return export_response(
            releases.release_table(release), columns, "csv", f"statistics-release-{release.pk}"
        )


class ReleaseCreateView(LoginRequiredMixin, PermissionRequiredMixin, FormView):
    template_name = "statistics/releases/release_form.html"
    form_class = ReleaseForm
    permission_required = "statistics.add_statisticsrelease"

    def datasets(self) -> dict[str, str]:
        return {
            key: managed.label
            for key, managed in case_releases.managed_datasets(self.request.user).items()
        }

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["datasets"] = self.datasets()
        if "dataset" in self.request.GET and self.request.method == "GET":
            kwargs["initial"] = {
                **kwargs.get("initial", {}),
                "dataset": self.request.GET["dataset"],
            }
        return kwargs

    def form_invalid(self, form: ReleaseForm) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form: ReleaseForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            release = case_releases.build_case_release(
                self.request.user,
                data["dataset"],
                form.dimensions(),
                data["method"],
                title=data["title"],
                **form.parameters(),
            )
        except ValidationError as error:
            _add_errors(form, error)
            return self.form_invalid(form)
        except PermissionDenied as error:
            form.add_error("dataset", str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Draft built. Nothing is public yet: check the table, then publish it."),
        )
        return HttpResponseRedirect(reverse("statistics:release_detail", args=[release.pk]))


FORM_FIELDS = {
    "dataset_key": "dataset",
    "dataset": "dataset",
    "dimensions": "first_dimension",
    "k": "k",
    "epsilon": "epsilon",
    "max_contributions": "max_contributions",
    "method": "method",
}


def _add_errors(form: Any, error: ValidationError) -> None:
    """Put each refusal of a service on the field it names, the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages_ in error.message_dict.items():
        target = FORM_FIELDS.get(name)
        if target not in form.fields:
            target = None
        for message in messages_:
            form.add_error(target, message)


class ReleaseActionView(LoginRequiredMixin, View):
    """Publish or withdraw a release (POST); the service decides who may."""

    action = ""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        release = visible_release(request, pk)
        service = (
            releases.publish_release if self.action == "publish" else releases.withdraw_release
        )
        try:
            service(request.user, release)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            if self.action == "publish":
                messages.success(request, _("Published: anyone can now read this table."))
            else:
                messages.success(
                    request,
                    _(
                        "Withdrawn. It was public, so later releases of the data set are still "
                        "checked against it."
                    ),
                )
        return HttpResponseRedirect(reverse("statistics:release_detail", args=[pk]))


class BudgetView(LoginRequiredMixin, PermissionRequiredMixin, FormView):
    """The privacy budgets of the data sets the user manages, and a form to set one."""

    template_name = "statistics/releases/budget_list.html"
    form_class = BudgetForm
    permission_required = "statistics.change_privacybudget"

    def managed(self) -> dict[str, case_releases.ManagedDataset]:
        return case_releases.managed_datasets(self.request.user)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(),
            "datasets": {key: managed.label for key, managed in self.managed().items()},
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        managed = self.managed()
        figures = case_releases.budgets(list(managed))
        rows = [(managed[key].label, key, epsilon_figures(figures[key])) for key in managed]
        return super().get_context_data(budget_rows=rows, **kwargs)

    def form_invalid(self, form: BudgetForm) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form: BudgetForm) -> HttpResponse:
        try:
            case_releases.set_case_budget(
                self.request.user, form.cleaned_data["dataset"], form.cleaned_data["total_epsilon"]
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("total_epsilon", message)
            return self.form_invalid(form)
        messages.success(self.request, _("Privacy budget saved."))
        return HttpResponseRedirect(reverse("statistics:release_budgets"))
