"""Pages: the Hub's search, one box over resources, experts, discussions and registry records.

A plain GET form: the words (`q`), the kind of results (`type`, one tab), the facet filters
(`kind`, `objective`, `principle`, `theme`, `region`, `country`, `language`, `year`,
`reviewed`, each repeatable), `sort` and `page`. Everything is in the address, so a search can
be bookmarked or saved (`knowledge.search.parse_filters` / `filters_to_querystring` read and
write the filters), and the page works without JavaScript. The view only reads the address
and renders what `hub_search` returns.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import get_language
from django.views import View

from migration_hub.core.search import query_terms

from ..choices import SearchKind, SearchSort
from ..search import (
    FACETS,
    KIND_ORDER,
    SearchResults,
    filters_to_querystring,
    hub_search,
    parse_filters,
)

MAX_PAGE = 10_000


def _page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or 1), MAX_PAGE))
    except ValueError:
        return 1


def _address(query: str, filters: dict[str, list[str]], **extra: Any) -> str:
    """The query string of a search page: words, filters, then the other parameters given."""
    parts = [urlencode({"q": query})] if query else []
    text = filters_to_querystring(filters)
    if text:
        parts.append(text)
    extras = {name: value for name, value in extra.items() if value not in (None, "")}
    if extras:
        parts.append(urlencode(extras))
    return "&".join(parts)


def _save_url(querystring: str) -> str:
    try:
        base = reverse("knowledge:saved_search_create")
    except NoReverseMatch:  # saved searches are not wired: the page leaves the link out
        return ""
    return f"{base}?{urlencode({'querystring': querystring})}"


def _facet_groups(found: SearchResults) -> list[dict[str, Any]]:
    """What the facet checkboxes need: heading, parameter name, and each value's label, count
    and whether it is ticked."""
    groups = []
    for name, label in FACETS.items():
        rows = found.facets.get(name, [])
        if not rows:
            continue
        chosen = set(found.filters.get(name, []))
        groups.append(
            {
                "name": name,
                "label": label,
                "open": bool(chosen) or len(rows) <= 12,
                "values": [
                    {
                        "value": value,
                        "label": value_label,
                        "count": count,
                        "checked": value in chosen,
                        "id": f"facet-{name}-{index}",
                    }
                    for index, (value, value_label, count) in enumerate(rows)
                ],
            }
        )
    return groups


class SearchView(View):
    template_name = "knowledge/search/search.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        query = request.GET.get("q", "")
        filters = parse_filters(request.GET)
        kind = request.GET.get("type", "")
        kind = kind if kind in SearchKind.values else ""
        sort = request.GET.get("sort", "")
        sort = sort if sort in SearchSort.values else SearchSort.RELEVANCE
        found = hub_search(
            request.user,
            query,
            filters=filters,
            kinds=[kind] if kind else None,
            sort=sort,
            language=get_language(),
            page=_page_number(request.GET.get("page")),
        )
        query = found.query
        sort_param = sort if sort != SearchSort.RELEVANCE else ""
        current = _address(query, found.filters, type=kind, sort=sort_param)
        tabs = [
            {
                "label": SearchKind(value).label,
                "count": found.kind_counts.get(value, 0),
                "url": "?" + _address(query, found.filters, type=value, sort=sort_param),
                "current": kind == value,
            }
            for value in KIND_ORDER
        ]
        all_url = "?" + _address(query, found.filters, sort=sort_param)
        context = {
            "found": found,
            "query": query,
            "kind": kind,
            "sort": sort,
            "sort_choices": SearchSort.choices,
            "tabs": tabs,
            "all_url": all_url,
            "all_count": (
                sum(found.kind_counts.values())
                if query_terms(query)
                else found.kind_counts.get(SearchKind.RESOURCE, 0)
            ),
            "facet_groups": _facet_groups(found),
            "current_querystring": current,
            "clear_url": "?" + _address(query, {}, type=kind, sort=sort_param),
            "suggestion_url": (
                "?" + _address(found.suggestion, found.filters, type=kind, sort=sort_param)
                if found.suggestion
                else ""
            ),
            "previous_url": (
                "?"
                + _address(query, found.filters, type=kind, sort=sort_param, page=found.page - 1)
                if found.has_previous
                else ""
            ),
            "next_url": (
                "?"
                + _address(query, found.filters, type=kind, sort=sort_param, page=found.page + 1)
                if found.has_next
                else ""
            ),
            "save_url": _save_url(current) if request.user.is_authenticated else "",
        }
        return render(request, self.template_name, context)


urlpatterns = [
    path("search/", SearchView.as_view(), name="search"),
]
