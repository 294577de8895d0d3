"""Saved searches and subscriptions: "My saved searches", "Save this search", one-click
"Follow this objective" (or region, country, kind), the Atom feeds (a private one per saved
search, at an address holding its token; a public one of newly published resources filtered
by the query string), and the "More like this" block of a resource page.

Views stay thin: `services.subscriptions` writes and checks, `saved_searches_for` reads only
the person's own searches (another person's answers 404).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from migration_hub.core.forms import SummaryForm, add_service_error
from migration_hub.core.models import Country
from migration_hub.registry.models import FrameworkItem

from .. import selectors, semantic
from ..choices import DigestFrequency, ResourceKind
from ..models import Resource, SavedSearch
from ..services import subscriptions as services

FEED_ITEMS = 50
PAGE_SIZE = 20
MAX_QUERYSTRING = 4000
# What the one-click form may follow: the filter names, singular (as the search page spells
# them) or plural.
SUBSCRIBE_FIELDS = (
    *services.SUBSCRIBABLE,
    *(name for name, key in services.FILTER_ALIASES.items() if key in services.SUBSCRIBABLE),
)


# --- Forms --------------------------------------------------------------------------------------


class SaveSearchForm(SummaryForm):
    name = forms.CharField(
        label=gettext_lazy("Name of the search"),
        max_length=services.MAX_NAME,
        required=False,
        help_text=gettext_lazy("Leave empty to name it after its words and filters."),
    )
    frequency = forms.ChoiceField(
        label=gettext_lazy("E-mail me new matches"),
        choices=DigestFrequency.choices,
        initial=DigestFrequency.DAILY,
    )
    querystring = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=MAX_QUERYSTRING
    )


class FrequencyForm(SummaryForm):
    frequency = forms.ChoiceField(
        label=gettext_lazy("E-mail alerts"), choices=DigestFrequency.choices
    )


class SubscribeForm(forms.Form):
    field = forms.ChoiceField(choices=[(key, key) for key in SUBSCRIBE_FIELDS])
    value = forms.CharField(max_length=40)
    frequency = forms.ChoiceField(
        choices=DigestFrequency.choices, required=False, initial=DigestFrequency.DAILY
    )
    next = forms.CharField(required=False, max_length=2000)


# --- Helpers ------------------------------------------------------------------------------------


def search_path() -> str:
    """The search page's address, when it is wired."""
    for name in ("knowledge:search", "knowledge:hub_search"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return ""


def safe_next(request: HttpRequest, target: str) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("knowledge:saved_search_list")


def own_search(request: HttpRequest, pk: int) -> SavedSearch:
    return get_object_or_404(services.saved_searches_for(request.user), pk=pk)


def feed_url(request: HttpRequest, saved: SavedSearch) -> str:
    return request.build_absolute_uri(
        reverse("knowledge:saved_search_feed", kwargs={"token": saved.feed_token})
    )


def describe(saved: SavedSearch) -> list[str]:
    return services.describe_filters(services.clean_filters(saved.filters, strict=False))


def search_link(query: str, filters: dict[str, Any]) -> str:
    base = search_path()
    if not base:
        return ""
    text = services.search_querystring(query, filters)
    return f"{base}?{text}" if text else base


# --- My saved searches --------------------------------------------------------------------------


class SavedSearchListView(LoginRequiredMixin, View):
    """The person's saved searches: what each follows, how often it e-mails (changeable),
    its private feed, and the actions to open, regenerate the feed address or delete it."""

    def get(self, request: HttpRequest) -> HttpResponse:
        rows = []
        for saved in services.saved_searches_for(request.user):
            filters = services.clean_filters(saved.filters, strict=False)
            rows.append(
                {
                    "saved": saved,
                    "labels": services.describe_filters(filters),
                    "form": FrequencyForm(
                        initial={"frequency": saved.frequency}, prefix=f"s{saved.pk}"
                    ),
                    "feed_url": feed_url(request, saved),
                    "search_url": search_link(saved.query, filters),
                }
            )
        return render(
            request,
            "knowledge/subscriptions/saved_search_list.html",
            {
                "rows": rows,
                "public_feed_url": reverse("knowledge:resource_feed"),
                "objectives": FrameworkItem.objects.filter(kind="objective").order_by(
                    "position", "code"
                ),
                "kinds": ResourceKind.choices,
                "countries": Country.objects.order_by("name").only("alpha3", "name"),
            },
        )


class SavedSearchDetailView(LoginRequiredMixin, View):
    """One saved search and the resources it matches, newest first."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        saved = own_search(request, pk)
        filters = services.clean_filters(saved.filters, strict=False)
        paginator = Paginator(services.matching_resources(saved), PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page", "1")[:6])
        return render(
            request,
            "knowledge/subscriptions/saved_search_detail.html",
            {
                "saved": saved,
                "labels": services.describe_filters(filters),
                "page_obj": page,
                "paginator": paginator,
                "object_list": page.object_list,
                "is_paginated": page.has_other_pages(),
                "feed_url": feed_url(request, saved),
                "search_url": search_link(saved.query, filters),
                "form": FrequencyForm(
                    initial={"frequency": saved.frequency}, prefix=f"s{saved.pk}"
                ),
            },
        )


class SaveSearchView(LoginRequiredMixin, View):
    """Save the search a page shows. GET ?querystring=<the search's query string> (or the
    search's own parameters) shows the form; POST saves and goes to "My saved searches"."""

    template_name = "knowledge/subscriptions/saved_search_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        querystring = request.GET.get("querystring")
        if querystring is None:
            querystring = request.GET.urlencode()
        querystring = querystring[:MAX_QUERYSTRING]
        query, filters = services.filters_from_query(QueryDict(querystring))
        form = SaveSearchForm(
            initial={"querystring": querystring, "frequency": DigestFrequency.DAILY}
        )
        return self.render_form(form, query, filters)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SaveSearchForm(request.POST)
        querystring = request.POST.get("querystring", "")[:MAX_QUERYSTRING]
        query, filters = services.filters_from_query(QueryDict(querystring))
        if form.is_valid():
            try:
                saved = services.save_search(
                    request.user,
                    name=form.cleaned_data["name"],
                    query=query,
                    filters=filters,
                    frequency=form.cleaned_data["frequency"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Search saved: “%(name)s”.") % {"name": saved.name})
                return HttpResponseRedirect(reverse("knowledge:saved_search_list"))
        return self.render_form(form, query, filters, status=400)

    def render_form(
        self, form: SaveSearchForm, query: str, filters: dict[str, Any], status: int = 200
    ) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "query": query,
                "labels": services.describe_filters(filters),
                "search_url": search_link(query, filters),
            },
            status=status,
        )


class SubscribeView(LoginRequiredMixin, View):
    """One click: follow an objective, region, country, kind, theme or guiding principle."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponseRedirect(reverse("knowledge:saved_search_list"))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SubscribeForm(request.POST)
        target = safe_next(request, request.POST.get("next", ""))
        if not form.is_valid():
            messages.error(request, _("Nothing was followed: the request was incomplete."))
            return HttpResponseRedirect(target)
        data = form.cleaned_data
        try:
            saved, created = services.subscribe(
                request.user,
                field=data["field"],
                value=data["value"],
                frequency=data["frequency"] or DigestFrequency.DAILY,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(target)
        if created:
            messages.success(
                request,
                _(
                    "You now follow “%(name)s”: new resources will be e-mailed to you. "
                    "Manage it under My saved searches."
                )
                % {"name": saved.name},
            )
        else:
            messages.info(request, _("You already follow “%(name)s”.") % {"name": saved.name})
        return HttpResponseRedirect(target)


class SavedSearchActionView(LoginRequiredMixin, View):
    """POST only; GET goes back to the list."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return HttpResponseRedirect(reverse("knowledge:saved_search_list"))

    def back(self, request: HttpRequest) -> HttpResponse:
        return HttpResponseRedirect(safe_next(request, request.POST.get("next", "")))


class FrequencyView(SavedSearchActionView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        saved = own_search(request, pk)
        form = FrequencyForm(request.POST, prefix=f"s{saved.pk}")
        if not form.is_valid():
            messages.error(request, _("Choose how often to be e-mailed."))
            return self.back(request)
        try:
            saved = services.update_search(
                request.user, saved, frequency=form.cleaned_data["frequency"]
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(
                request,
                _("“%(name)s”: %(frequency)s.")
                % {"name": saved.name, "frequency": saved.get_frequency_display()},
            )
        return self.back(request)


class DeleteView(SavedSearchActionView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        saved = own_search(request, pk)
        name = saved.name
        services.delete_search(request.user, saved)
        messages.success(request, _("Saved search deleted: “%(name)s”.") % {"name": name})
        return HttpResponseRedirect(reverse("knowledge:saved_search_list"))


class RegenerateTokenView(SavedSearchActionView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        saved = services.regenerate_feed_token(request.user, own_search(request, pk))
        messages.success(
            request,
            _("“%(name)s” has a new feed address; the old one no longer works.")
            % {"name": saved.name},
        )
        return self.back(request)


# --- Atom feeds ---------------------------------------------------------------------------------


class ResourceFeedBase(Feed):
    """What both feeds share: entries are published resources, linked to their pages, titles
    as plain text, summaries escaped (Atom marks them as HTML)."""

    feed_type = Atom1Feed

    def item_title(self, item: Resource) -> str:
        return services.plain_text(item.title)

    def item_description(self, item: Resource) -> str:
        return escape(services.plain_text(Truncator(item.summary or "").chars(1000)))

    def item_link(self, item: Resource) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Resource) -> Any:
        return item.published_at

    def item_updateddate(self, item: Resource) -> Any:
        return max(item.published_at, item.updated_at) if item.updated_at else item.published_at

    def item_author_name(self, item: Resource) -> str:
        return services.plain_text(item.organization.name)

    def item_categories(self, item: Resource) -> list[str]:
        return [str(item.get_kind_display()), *(row.code for row in item.objectives.all())]


class PublicResourceFeed(ResourceFeedBase):
    """Newly published resources, filtered by the query string as on the search page:
    `?q=words&objective=GCM-O3&country=MAR&kind=practice`."""

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        query, filters = services.filters_from_query(request.GET)
        query = " ".join(services.plain_text(query).split())[: services.MAX_QUERY]
        return {
            "query": query,
            "filters": filters,
            "querystring": services.search_querystring(query, filters),
        }

    def title(self, obj: dict[str, Any]) -> str:
        labels = services.describe_filters(obj["filters"])
        if obj["query"]:
            labels.insert(0, f"“{obj['query']}”")
        if labels:
            return _("New on the Migration Network Hub: %(search)s") % {"search": "; ".join(labels)}
        return _("New on the Migration Network Hub")

    def subtitle(self, obj: dict[str, Any]) -> str:
        return _("Resources newly published on the Migration Network Hub.")

    def link(self, obj: dict[str, Any]) -> str:
        return search_link(obj["query"], obj["filters"]) or reverse("knowledge:resource_feed")

    def feed_url(self, obj: dict[str, Any]) -> str:
        query = obj["querystring"]
        return reverse("knowledge:resource_feed") + (f"?{query}" if query else "")

    def items(self, obj: dict[str, Any]) -> list[Resource]:
        return list(
            services.search_resources(None, obj["query"], obj["filters"])
            .select_related("organization")
            .prefetch_related("objectives")[:FEED_ITEMS]
        )


class SavedSearchFeed(ResourceFeedBase):
    """A saved search's matches, at its private address (no sign-in: the token is the key).
    An unknown or replaced token answers 404."""

    def get_object(self, request: HttpRequest, token: str) -> SavedSearch:
        if not token or len(token) > 64:
            raise Http404
        saved = (
            SavedSearch.objects.select_related("user")
            .filter(feed_token=token, user__is_active=True)
            .first()
        )
        if saved is None:
            raise Http404
        return saved

    def title(self, obj: SavedSearch) -> str:
        return _("Migration Network Hub: %(name)s") % {"name": services.plain_text(obj.name)}

    def subtitle(self, obj: SavedSearch) -> str:
        return _("Resources newly published on the Migration Network Hub for a saved search.")

    def link(self, obj: SavedSearch) -> str:
        return reverse("knowledge:saved_search_detail", kwargs={"pk": obj.pk})

    def feed_url(self, obj: SavedSearch) -> str:
        return reverse("knowledge:saved_search_feed", kwargs={"token": obj.feed_token})

    def items(self, obj: SavedSearch) -> list[Resource]:
        return list(
            services.matching_resources(obj)
            .select_related("organization")
            .prefetch_related("objectives")[:FEED_ITEMS]
        )

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = str(kwargs.get("token", ""))
        owner = (
            SavedSearch.objects.filter(feed_token=token)
            .values_list("user__preferred_language", flat=True)
            .first()
            if token and len(token) <= 64
            else None
        )
        with translation.override(owner or translation.get_language() or settings.LANGUAGE_CODE):
            response = super().__call__(request, *args, **kwargs)
        # The address is a secret: not indexed, not cached by others, not sent on as referrer.
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response


# --- More like this -----------------------------------------------------------------------------


def similar_resources(request: HttpRequest, resource: Resource, limit: int = 5) -> list[Any]:
    """For the resource page's view: `more_like_this` for the reader (a list of Match)."""
    return semantic.more_like_this(resource, user=request.user, limit=limit)


class SimilarResourcesView(View):
    """The "More like this" block of a resource (for htmx: the block alone; else a page)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        resource = selectors.resources_for(request.user).filter(pk=pk).first()
        if resource is None:
            raise Http404
        context = {"resource": resource, "similar": similar_resources(request, resource)}
        htmx = getattr(request, "htmx", None)
        if htmx and not htmx.boosted:
            response = render(request, "knowledge/subscriptions/more_like_this.html", context)
        else:
            context["objectives"] = resource.objectives.order_by("position", "code")
            response = render(request, "knowledge/subscriptions/similar_page.html", context)
        response["Vary"] = "HX-Request"
        return response


urlpatterns = [
    path("saved-searches/", SavedSearchListView.as_view(), name="saved_search_list"),
    path("saved-searches/save/", SaveSearchView.as_view(), name="saved_search_create"),
    path("saved-searches/follow/", SubscribeView.as_view(), name="subscribe"),
    path("saved-searches/<int:pk>/", SavedSearchDetailView.as_view(), name="saved_search_detail"),
    path(
        "saved-searches/<int:pk>/frequency/",
        FrequencyView.as_view(),
        name="saved_search_frequency",
    ),
    path("saved-searches/<int:pk>/delete/", DeleteView.as_view(), name="saved_search_delete"),
    path(
        "saved-searches/<int:pk>/feed-address/",
        RegenerateTokenView.as_view(),
        name="saved_search_token",
    ),
    path("feeds/resources/", PublicResourceFeed(), name="resource_feed"),
    path("feeds/saved/<str:token>/", SavedSearchFeed(), name="saved_search_feed"),
    path("resources/<int:pk>/similar/", SimilarResourcesView.as_view(), name="resource_similar"),
]
