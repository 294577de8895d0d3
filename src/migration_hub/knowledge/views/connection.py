"""Pages: the Connection Hub. Demands (list with filters and exports, one demand with the
offers and experts ranked for it and the steps its status allows, the form to post one) and
offers (list, one offer, the form), and the downloads of everything the Hub exports.

The lists and the pages of demands and offers are public, as on the Network's Hub; posting
and every step need an account and the rights `knowledge/permissions.py` gives. Views stay
thin: forms collect, `services.connection` checks and writes; a refused step shows the page
again with the reason.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView

from migration_hub.core import audit
from migration_hub.core.choices import AuditAction
from migration_hub.core.forms import add_service_error
from migration_hub.core.services import ConflictError
from migration_hub.core.views import FilteredListView

from .. import exports, selectors
from ..choices import DemandStatus
from ..forms_connection import (
    CloseForm,
    DemandEditForm,
    DemandFilterSet,
    DemandForm,
    MatchForm,
    OfferEditForm,
    OfferFilterSet,
    OfferForm,
    OutcomeForm,
    VersionForm,
    writable_organizations,
)
from ..models import Demand, Offer
from ..services import connection as services

CHANGE_DEMAND = "knowledge.change_demand"
CHANGE_OFFER = "knowledge.change_offer"
RANK_LIMIT = 10


# --- lists ---------------------------------------------------------------------------------------


class PublicListView(FilteredListView):
    """A FilteredListView (filters, `?q=`, pages, exports, htmx) that everyone may open: the
    Connection Hub's lists are public (knowledge/permissions.py)."""

    paginate_by = 25

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Skip FilteredListView's sign-in and permission mixins on purpose.
        return ListView.dispatch(self, request, *args, **kwargs)

    @property
    def export_columns(self) -> list[Any]:  # type: ignore[override]
        fmt = "json" if self.request.GET.get("export") == "json" else "csv"
        return self.columns_for(fmt)

    def columns_for(self, fmt: str) -> list[Any]:
        raise NotImplementedError


class DemandListView(PublicListView):
    filterset_class = DemandFilterSet
    template_name = "knowledge/connection/demand_list.html"
    export_name = "demands"
    search_fields = ["title", "need"]

    def columns_for(self, fmt: str) -> list[Any]:
        return exports.demand_columns(fmt)

    def get_base_queryset(self) -> QuerySet[Demand]:
        return exports.demands().order_by("-created_at", "-id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_add"] = self.request.user.has_perm("knowledge.add_demand")
        return context


class OfferListView(PublicListView):
    filterset_class = OfferFilterSet
    template_name = "knowledge/connection/offer_list.html"
    export_name = "offers"
    search_fields = ["title", "description"]

    def columns_for(self, fmt: str) -> list[Any]:
        return exports.offer_columns(fmt)

    def get_base_queryset(self) -> QuerySet[Offer]:
        return exports.offers().order_by("-created_at", "-id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_add"] = self.request.user.has_perm("knowledge.add_offer")
        return context


# --- one demand ------------------------------------------------------------------------------


def demand_or_404(pk: int) -> Demand:
    return get_object_or_404(
        Demand.objects.select_related(
            "organization",
            "country",
            "matched_offer__organization",
            "matched_expert",
            "outcome_resource",
        ).prefetch_related(
            Prefetch("objectives", queryset=services.FrameworkItem.objects.order_by("position")),
            Prefetch("themes", queryset=services.FrameworkItem.objects.order_by("position")),
        ),
        pk=pk,
    )


def render_demand(
    request: HttpRequest,
    demand: Demand,
    *,
    outcome_form: OutcomeForm | None = None,
    close_form: CloseForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    can_change = request.user.has_perm(CHANGE_DEMAND, demand)
    can_match = demand.status in (DemandStatus.OPEN, DemandStatus.MATCHED)
    offers = services.rank_offers(demand, limit=RANK_LIMIT) if can_match else []
    experts = services.rank_experts(demand, limit=RANK_LIMIT) if can_match else []
    version = {"version": demand.version}
    final = demand.status in services.FINAL_STATUSES
    context = {
        "demand": demand,
        "offers": offers,
        "experts": experts,
        "can_change": can_change,
        "can_match": can_change and can_match,
        "can_start": can_change and demand.status == DemandStatus.MATCHED,
        "can_report": can_change and demand.status == DemandStatus.IN_PROGRESS,
        "can_close": can_change and not final,
        "can_edit": can_change and not final,
        "can_write_practice": can_change
        and demand.status == DemandStatus.COMPLETED
        and not demand.outcome_resource_id,
        "matched_expert_listed": bool(demand.matched_expert_id and demand.matched_expert.is_listed),
        # The practice written from the outcome, if this reader may open it (a draft is its
        # authors' and the editors' only).
        "outcome_resource": selectors.resources_for(request.user)
        .filter(pk=demand.outcome_resource_id)
        .first()
        if demand.outcome_resource_id
        else None,
        "outcome_form": outcome_form or OutcomeForm(initial=version),
        "close_form": close_form or CloseForm(initial=version),
        "error": error,
    }
    return render(request, "knowledge/connection/demand_detail.html", context, status=status)


class DemandDetailView(View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render_demand(request, demand_or_404(pk))


class DemandStepView(LoginRequiredMixin, View):
    """One step of a demand (POST; Post/Redirect/Get). Subclasses set `form_class` and
    implement `act(form)` calling the service, and `done` (the message on success)."""

    form_class: type[VersionForm] = VersionForm
    done = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            self.demand = demand_or_404(kwargs["pk"])
            if not request.user.has_perm(CHANGE_DEMAND, self.demand):
                raise PermissionDenied(_("You do not have permission to do this."))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return HttpResponseRedirect(self.demand.get_absolute_url())

    def act(self, form: Any) -> Any:
        raise NotImplementedError

    def render_error(self, form: Any, error: str, status: int) -> HttpResponse:
        return render_demand(self.request, self.demand, error=error, status=status)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = self.form_class(request.POST)
        if not form.is_valid():
            messages_ = [str(message) for errors in form.errors.values() for message in errors]
            return self.render_error(form, " ".join(messages_), 400)
        try:
            result = self.act(form)
        except ConflictError as error:
            return render_demand(request, demand_or_404(pk), error=str(error), status=409)
        except ValidationError as error:
            add_service_error(form, error)
            return self.render_error(form, " ".join(error.messages), 400)
        messages.success(request, str(self.done))
        return HttpResponseRedirect(self.redirect_to(result))

    def redirect_to(self, result: Any) -> str:
        return self.demand.get_absolute_url()


class DemandMatchView(DemandStepView):
    form_class = MatchForm
    done = gettext_lazy("The demand is matched; the people concerned were e-mailed.")

    def act(self, form: Any) -> Any:
        offer = form.cleaned_data.get("offer")
        expert = form.cleaned_data.get("expert")
        if self.demand.status == DemandStatus.MATCHED:
            # Adding an expert to a matched offer (or the other way round) keeps the first.
            offer = offer or self.demand.matched_offer
            if expert is None and self.demand.matched_expert_id:
                expert = self.demand.matched_expert
        return services.match_demand(
            self.request.user,
            self.demand,
            offer=offer,
            expert=expert,
            expected_version=form.cleaned_data["version"],
        )


class DemandStartView(DemandStepView):
    done = gettext_lazy("The work has started.")

    def act(self, form: Any) -> Any:
        return services.start_work(
            self.request.user, self.demand, expected_version=form.cleaned_data["version"]
        )


class DemandOutcomeView(DemandStepView):
    form_class = OutcomeForm
    done = gettext_lazy("Outcome reported: the demand is completed.")

    def render_error(self, form: Any, error: str, status: int) -> HttpResponse:
        # The form is on the page only while the work is in progress; else say why at the top.
        if self.demand.status != DemandStatus.IN_PROGRESS:
            return render_demand(self.request, self.demand, error=error, status=status)
        return render_demand(self.request, self.demand, outcome_form=form, status=status)

    def act(self, form: Any) -> Any:
        return services.report_outcome(
            self.request.user,
            self.demand,
            outcome=form.cleaned_data["outcome"],
            expected_version=form.cleaned_data["version"],
        )


class DemandCloseView(DemandStepView):
    form_class = CloseForm
    done = gettext_lazy("The demand is closed.")

    def render_error(self, form: Any, error: str, status: int) -> HttpResponse:
        if self.demand.status in services.FINAL_STATUSES:
            return render_demand(self.request, self.demand, error=error, status=status)
        return render_demand(self.request, self.demand, close_form=form, status=status)

    def act(self, form: Any) -> Any:
        return services.close_demand(
            self.request.user,
            self.demand,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )


class DemandPracticeView(DemandStepView):
    done = gettext_lazy(
        "The outcome is now a draft practice: complete it, then submit it for peer review."
    )

    def act(self, form: Any) -> Any:
        return services.outcome_to_practice(
            self.request.user, self.demand, expected_version=form.cleaned_data["version"]
        )

    def redirect_to(self, result: Any) -> str:
        return result.get_absolute_url()


# --- posting and editing ---------------------------------------------------------------------


def _form_values(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: data[name] for name in names if name in data}


DEMAND_FIELDS = ("title", "need", "objectives", "themes", "country", "deadline", "language")
OFFER_FIELDS = ("title", "description", "objectives", "themes", "countries", "languages")


class ConnectionFormView(LoginRequiredMixin, View):
    """The form that posts a demand or an offer, or edits one (`self.object`, read by
    `get_object(pk)` when the address has a pk; None when posting). Needs the `permission`
    (to add one, or to change this one); `template_name` gets the form and `context_name`.
    The service refuses an edit of a version other than the one the form was opened at (409,
    the form shown again with the reason). Subclasses set `form_class` and `done` (the message
    on success) and implement `initial()` and `save(form)`, which calls the service and
    returns what was posted or saved."""

    template_name = ""
    context_name = ""
    permission = ""
    form_class: type[Any]
    done: Any = ""
    object: Any = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            if "pk" in kwargs:
                self.object = self.get_object(kwargs["pk"])
            if not request.user.has_perm(self.permission, self.object):
                raise PermissionDenied(_("You do not have permission to do this."))
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, pk: int) -> Any:
        raise NotImplementedError

    def initial(self) -> dict[str, Any]:
        raise NotImplementedError

    def save(self, form: Any) -> Any:
        raise NotImplementedError

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        return self.render_form(self.form_class(user=request.user, initial=self.initial()))

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        form = self.form_class(request.POST, user=request.user)
        status = 400
        if form.is_valid():
            try:
                saved = self.save(form)
            except ConflictError as error:
                form.add_error(None, str(error))
                status = 409
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, str(self.done))
                return HttpResponseRedirect(saved.get_absolute_url())
        return self.render_form(form, status=status)

    def render_form(self, form: Any, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {"form": form, self.context_name: self.object},
            status=status,
        )


class DemandCreateView(ConnectionFormView):
    template_name = "knowledge/connection/demand_form.html"
    context_name = "demand"
    permission = "knowledge.add_demand"
    form_class = DemandForm
    done = gettext_lazy("Demand posted. The offers and experts that fit it are listed below.")

    def initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = {"language": self.request.LANGUAGE_CODE or "en"}
        organizations = writable_organizations(self.request.user).filter(
            kind__in=services.DEMAND_ORGANIZATION_KINDS
        )
        if len(organizations[:2]) == 1:
            initial["organization"] = organizations[0]
            if organizations[0].country_id:
                initial["country"] = organizations[0].country
        return initial

    def save(self, form: Any) -> Demand:
        return services.post_demand(
            self.request.user,
            organization=form.cleaned_data["organization"],
            **_form_values(form.cleaned_data, DEMAND_FIELDS),
        )


class DemandEditView(ConnectionFormView):
    template_name = "knowledge/connection/demand_form.html"
    context_name = "demand"
    permission = CHANGE_DEMAND
    form_class = DemandEditForm
    done = gettext_lazy("Demand saved.")

    def get_object(self, pk: int) -> Demand:
        return demand_or_404(pk)

    def initial(self) -> dict[str, Any]:
        demand = self.object
        return {
            "version": demand.version,
            "title": demand.title,
            "need": demand.need,
            "objectives": list(demand.objectives.all()),
            "themes": list(demand.themes.all()),
            "country": demand.country,
            "deadline": demand.deadline,
            "language": demand.language,
        }

    def save(self, form: Any) -> Demand:
        return services.update_demand(
            self.request.user,
            self.object,
            expected_version=form.cleaned_data["version"],
            **_form_values(form.cleaned_data, DEMAND_FIELDS),
        )


# --- offers --------------------------------------------------------------------------------


def offer_or_404(pk: int) -> Offer:
    return get_object_or_404(
        Offer.objects.select_related("organization").prefetch_related(
            Prefetch("objectives", queryset=services.FrameworkItem.objects.order_by("position")),
            Prefetch("themes", queryset=services.FrameworkItem.objects.order_by("position")),
            "countries",
        ),
        pk=pk,
    )


class OfferDetailView(View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        offer = offer_or_404(pk)
        demands = (
            offer.demands.select_related("organization", "country")
            .exclude(status=DemandStatus.CLOSED)
            .order_by("-status_changed_at")
        )
        return render(
            request,
            "knowledge/connection/offer_detail.html",
            {
                "offer": offer,
                "demands": demands,
                "can_change": request.user.has_perm(CHANGE_OFFER, offer),
            },
        )


class OfferCreateView(ConnectionFormView):
    template_name = "knowledge/connection/offer_form.html"
    context_name = "offer"
    permission = "knowledge.add_offer"
    form_class = OfferForm
    done = gettext_lazy("Offer posted.")

    def initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = {"languages": [self.request.LANGUAGE_CODE or "en"]}
        organizations = writable_organizations(self.request.user)
        if len(organizations[:2]) == 1:
            initial["organization"] = organizations[0]
        return initial

    def save(self, form: Any) -> Offer:
        return services.post_offer(
            self.request.user,
            organization=form.cleaned_data["organization"],
            **_form_values(form.cleaned_data, OFFER_FIELDS),
        )


class OfferEditView(ConnectionFormView):
    template_name = "knowledge/connection/offer_form.html"
    context_name = "offer"
    permission = CHANGE_OFFER
    form_class = OfferEditForm
    done = gettext_lazy("Offer saved.")

    def get_object(self, pk: int) -> Offer:
        return offer_or_404(pk)

    def initial(self) -> dict[str, Any]:
        offer = self.object
        return {
            "version": offer.version,
            "title": offer.title,
            "description": offer.description,
            "objectives": list(offer.objectives.all()),
            "themes": list(offer.themes.all()),
            "countries": list(offer.countries.all()),
            "languages": list(offer.languages or []),
            "active": offer.active,
        }

    def save(self, form: Any) -> Offer:
        return services.update_offer(
            self.request.user,
            self.object,
            expected_version=form.cleaned_data["version"],
            active=form.cleaned_data["active"],
            **_form_values(form.cleaned_data, OFFER_FIELDS),
        )


# --- exports -----------------------------------------------------------------------------------


class ExportView(View):
    """`/hub/export/<what>.<csv|json>`: resources (with the list's filters in the query
    string), listed experts, demands, offers or the visible posts of the spaces. Public
    content only, plus the resources the person may read; every download is audited."""

    def get(self, request: HttpRequest, what: str, fmt: str) -> HttpResponse:
        if what not in exports.WHAT or fmt not in exports.FORMATS:
            raise Http404(_("Nothing is exported under this address."))
        user = request.user if request.user.is_authenticated else None
        rows, columns = exports.rows_and_columns(what, fmt, user=user, params=request.GET)
        audit.record(
            request.user,
            AuditAction.EXPORT,
            None,
            metadata={
                "list": f"knowledge-{what}",
                "format": fmt,
                "filters": sorted(request.GET),
            },
        )
        return exports.response(exports.stream(rows), columns, fmt, f"hub-{what}")


def export_url(what: str, fmt: str, querystring: str = "") -> str:
    """The address of an export, for other pages' "Export CSV/JSON" links."""
    url = reverse("knowledge:export", kwargs={"what": what, "fmt": fmt})
    return f"{url}?{querystring}" if querystring else url


urlpatterns = [
    path("connection/", DemandListView.as_view(), name="demand_list"),
    path("connection/demands/new/", DemandCreateView.as_view(), name="demand_create"),
    path("connection/demands/<int:pk>/", DemandDetailView.as_view(), name="demand_detail"),
    path("connection/demands/<int:pk>/edit/", DemandEditView.as_view(), name="demand_edit"),
    path("connection/demands/<int:pk>/match/", DemandMatchView.as_view(), name="demand_match"),
    path("connection/demands/<int:pk>/start/", DemandStartView.as_view(), name="demand_start"),
    path(
        "connection/demands/<int:pk>/outcome/",
        DemandOutcomeView.as_view(),
        name="demand_outcome",
    ),
    path("connection/demands/<int:pk>/close/", DemandCloseView.as_view(), name="demand_close"),
    path(
        "connection/demands/<int:pk>/practice/",
        DemandPracticeView.as_view(),
        name="demand_practice",
    ),
    path("connection/offers/", OfferListView.as_view(), name="offer_list"),
    path("connection/offers/new/", OfferCreateView.as_view(), name="offer_create"),
    path("connection/offers/<int:pk>/", OfferDetailView.as_view(), name="offer_detail"),
    path("connection/offers/<int:pk>/edit/", OfferEditView.as_view(), name="offer_edit"),
    path("export/<slug:what>.<slug:fmt>", ExportView.as_view(), name="export"),
]
