"""Pledges: the list (filters, pages, exports), the dashboard in the manner of the UN Network
on Migration's pledge dashboard, one pledge with its status over the cycles, and the forms to
make a pledge and to report its status.

Views stay thin: `selectors.pledges_for` reads (any signed-in person sees pledges, as on the
Network's public dashboard), the forms here only collect input, `services` writes and checks
the rules; a refused step shows the form again with the service's error next to its field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from migration_hub.accounts.models import Organization
from migration_hub.core.exports import Column
from migration_hub.core.forms import add_service_error
from migration_hub.core.models import Country
from migration_hub.core.views import FilteredListView
from migration_hub.registry.models import FrameworkItem

from .. import selectors, services
from ..choices import PledgeStatus, ReviewLevel
from ..filtersets import PledgeFilterSet
from ..forms import ReviewsForm, writable_organizations
from ..models import OBJECTIVE_COUNT, Cycle, Pledge

VIEW = "reviews.view_pledge"
ADD = "reviews.add_pledge"
CHANGE = "reviews.change_pledge"


# --- Forms -------------------------------------------------------------------------------------


def objective_choices() -> list[tuple[str, str]]:
    titles = dict(
        FrameworkItem.objects.filter(code__startswith="GCM-O").values_list("code", "short_title")
    )
    return [
        (
            str(number),
            _("Objective %(number)s: %(title)s")
            % {"number": number, "title": titles.get(f"GCM-O{number}") or ""},
        )
        if titles.get(f"GCM-O{number}")
        else (str(number), _("Objective %(number)s") % {"number": number})
        for number in range(1, OBJECTIVE_COUNT + 1)
    ]


def this_year() -> int:
    return timezone.localdate().year


class PledgeForm(ReviewsForm):
    organization = forms.ModelChoiceField(
        label=gettext_lazy("Organization"),
        queryset=Organization.objects.none(),
        help_text=gettext_lazy("Its members will report the pledge's status."),
    )
    cycle = forms.ModelChoiceField(label=gettext_lazy("Pledged for"), queryset=Cycle.objects.none())
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    entity_name = forms.CharField(
        label=gettext_lazy("Pledging entity"),
        max_length=200,
        help_text=gettext_lazy("The state, city, body or group that makes the pledge."),
    )
    level = forms.ChoiceField(label=gettext_lazy("Level"), choices=ReviewLevel.choices)
    country = forms.ModelChoiceField(
        label=gettext_lazy("Country"),
        queryset=Country.objects.order_by("name"),
        required=False,
        to_field_name="alpha3",
    )
    objectives = forms.TypedMultipleChoiceField(
        label=gettext_lazy("GCM objectives"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one GCM objective.")},
    )
    due_year = forms.IntegerField(
        label=gettext_lazy("To be met by (year)"), required=False, min_value=2018, max_value=2100
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=services.MAX_TEXT_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("What will be done, by when, and how progress will be measured."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = writable_organizations(user)
        self.fields["cycle"].queryset = selectors.cycles().order_by("-year", "kind", "commission")
        self.fields["objectives"].choices = objective_choices()
        self.fields["country"].label_from_instance = lambda country: country.name


class PledgeStatusForm(ReviewsForm):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=PledgeStatus.choices)
    cycle = forms.ModelChoiceField(
        label=gettext_lazy("Reported at"),
        queryset=Cycle.objects.none(),
        help_text=gettext_lazy("The pledge's cycle or a later one."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=services.MAX_TEXT_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, pledge: Pledge, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cycle"].queryset = (
            selectors.cycles().filter(year__gte=pledge.cycle.year).order_by("year", "kind")
        )


# --- List and dashboard ------------------------------------------------------------------------


def objective_codes(pledge: Pledge) -> str:
    return ", ".join(item.code for item in pledge.objectives.all())


class PledgeListView(FilteredListView):
    permission_required = VIEW
    filterset_class = PledgeFilterSet
    template_name = "reviews/pledge_list.html"
    export_name = "pledges"
    search_fields = ["title", "entity_name", "description"]
    export_columns = [
        Column(gettext_lazy("Id"), "pk"),
        Column(gettext_lazy("Title"), "title"),
        Column(gettext_lazy("Pledging entity"), "entity_name"),
        Column(gettext_lazy("Organization"), "organization__name"),
        Column(gettext_lazy("Level"), "level"),
        Column(gettext_lazy("Country (ISO alpha-3)"), "country__alpha3"),
        Column(gettext_lazy("Cycle"), lambda pledge: pledge.cycle.title),
        Column(gettext_lazy("Cycle year"), "cycle__year"),
        Column(gettext_lazy("GCM objectives"), objective_codes),
        Column(gettext_lazy("To be met by"), "due_year"),
        Column(gettext_lazy("Status"), "status"),
        Column(gettext_lazy("Description"), "description"),
        Column(gettext_lazy("Updated"), "updated_at"),
    ]

    def get_base_queryset(self) -> QuerySet[Pledge]:
        return selectors.pledges_for(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_add"] = self.request.user.has_perm(ADD)
        return context


@dataclass(frozen=True)
class BarRow:
    """One row of a dashboard table: its label, count, share of all pledges and bar width."""

    key: str
    label: str
    count: int
    share: str
    width: str


def bar_rows(rows: list[tuple[str, str, int]], total: int) -> list[BarRow]:
    """Rows with their share of the total; bars scaled to the largest count so that small
    differences stay visible (plain numbers: SVG attributes, no inline style under the CSP)."""
    top = max((count for _key, _label, count in rows), default=0)
    return [
        BarRow(
            key=str(key),
            label=str(label),
            count=count,
            share=f"{100 * count / total:.0f}" if total else "0",
            width=f"{100 * count / top:.1f}" if top else "0",
        )
        for key, label, count in rows
    ]


class PledgeDashboardView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Totals by status, objective, level and cycle over the pledges the filters keep."""

    permission_required = VIEW
    template_name = "reviews/pledge_dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        pledges = selectors.pledges_for(self.request.user)
        filterset = PledgeFilterSet(
            self.request.GET or None, queryset=pledges, request=self.request
        )
        if filterset.is_bound:
            pledges = filterset.qs if filterset.is_valid() else pledges.none()
        board = selectors.pledge_dashboard(pledges)
        objectives = dict(objective_choices())
        return super().get_context_data(
            filterset=filterset,
            board=board,
            by_status=bar_rows(board.by_status, board.total),
            by_objective=bar_rows(
                [(str(n), objectives[str(n)], count) for n, _code, count in board.by_objective],
                board.total,
            ),
            by_level=bar_rows(
                [(label, label, count) for label, count in board.by_level], board.total
            ),
            by_cycle=bar_rows([(year, year, count) for year, count in board.by_cycle], board.total),
            fulfilled=next((c for v, _l, c in board.by_status if v == PledgeStatus.FULFILLED), 0),
            querystring=self.request.GET.urlencode(),
            **kwargs,
        )


# --- One pledge --------------------------------------------------------------------------------


def pledge_or_404(user: Any, pk: int) -> Pledge:
    return get_object_or_404(selectors.pledges_for(user), pk=pk)


def render_pledge(
    request: HttpRequest, pledge: Pledge, form: PledgeStatusForm | None = None, status: int = 200
) -> HttpResponse:
    can_change = request.user.has_perm(CHANGE, pledge)
    if can_change and form is None:
        form = PledgeStatusForm(pledge=pledge, initial={"status": pledge.status})
    updates = pledge.updates.select_related("cycle", "author").order_by("-created_at", "-id")
    return render(
        request,
        "reviews/pledge_detail.html",
        {"pledge": pledge, "updates": updates, "form": form if can_change else None},
        status=status,
    )


class PledgeDetailView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = VIEW

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render_pledge(request, pledge_or_404(request.user, pk))


class PledgeStatusView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Report the pledge's status at a cycle (POST; Post/Redirect/Get)."""

    permission_required = CHANGE

    def get_permission_object(self) -> Pledge:
        return self.pledge

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            self.pledge = pledge_or_404(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return HttpResponseRedirect(self.pledge.get_absolute_url())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = PledgeStatusForm(request.POST, pledge=self.pledge)
        if form.is_valid():
            try:
                services.update_pledge_status(
                    request.user,
                    self.pledge,
                    cycle=form.cleaned_data["cycle"],
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("Status reported: %(status)s.")
                    % {"status": PledgeStatus(form.cleaned_data["status"]).label},
                )
                return HttpResponseRedirect(self.pledge.get_absolute_url())
        return render_pledge(request, self.pledge, form, status=400)


class PledgeCreateView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = ADD
    template_name = "reviews/pledge_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        initial: dict[str, Any] = {"due_year": this_year() + 4}
        organizations = writable_organizations(request.user)
        if len(organizations[:2]) == 1:
            initial["organization"] = organizations[0]
        cycle_pk = request.GET.get("cycle", "")[:18]
        if cycle_pk.isascii() and cycle_pk.isdecimal():
            initial["cycle"] = selectors.cycles().filter(pk=int(cycle_pk)).first()
        return self.render_form(PledgeForm(user=request.user, initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PledgeForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                pledge = services.create_pledge(
                    request.user,
                    organization=data["organization"],
                    cycle=data["cycle"],
                    title=data["title"],
                    entity_name=data["entity_name"],
                    level=data["level"],
                    objectives=data["objectives"],
                    description=data["description"],
                    country=data["country"],
                    due_year=data["due_year"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Pledge recorded."))
                return HttpResponseRedirect(pledge.get_absolute_url())
        return self.render_form(form, status=400)

    def render_form(self, form: PledgeForm, status: int = 200) -> HttpResponse:
        return render(self.request, self.template_name, {"form": form}, status=status)


urlpatterns = [
    path("pledges/", PledgeListView.as_view(), name="pledge_list"),
    path("pledges/dashboard/", PledgeDashboardView.as_view(), name="pledge_dashboard"),
    path("pledges/new/", PledgeCreateView.as_view(), name="pledge_create"),
    path("pledges/<int:pk>/", PledgeDetailView.as_view(), name="pledge_detail"),
    path("pledges/<int:pk>/status/", PledgeStatusView.as_view(), name="pledge_status"),
]
