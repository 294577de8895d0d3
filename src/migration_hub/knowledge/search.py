"""The Hub's search: one box over resources, experts, discussions and registry records, with
facets, snippets and suggestions. Built on `core.search`.

What each kind of result holds, and who sees it:

- **resources**: what `selectors.resources_for(user)` allows (published ones for everyone).
  They carry the facets (kind, GCM objective or "general", guiding principle, MIGOF thematic
  area, region, country, language, year, peer reviewed), indexed with their text.
- **experts**: only `services.experts.listed_experts()` (opted in, active account).
- **discussions**: threads that are not hidden.
- **registry records**: every other model registered with `core.search` (registry
  organizations, instruments, rights, framework items, networks, countries, member
  organizations) that the person may view (`<app>.view_<model>`).

Facet filters narrow resources only: while one is set, the other kinds show nothing (a filter
by objective asks for resources about it). An empty query lists resources (the repository to
browse) unless another kind is asked for.

Facet counts are "multi-select" counts: the count of a value is the number of results there
would be with that value ticked instead of the facet's current values, i.e. each facet's counts
reflect the query and the *other* facets' filters. `core.search.faceted_search` computes them
from one full-text lookup and per-process facet bitmaps (see there, and bench/README.md).

Ranking (`sort="relevance"`) is bm25 on SQLite and `ts_rank` on PostgreSQL. **The reader's
language** is a tie-break at equal relevance, where relevance scores count as equal when they
agree to two significant digits: among equally relevant resources, those with a translation
in the reader's language come first; a clearly more relevant resource in another language
still ranks higher. With `sort="date"` (newest first) the reader's language breaks ties of
date. Experts, discussions and registry records count as in the reader's language.

Snippets are computed here, for the rows of the page only, from the translation in the
reader's language (else the original), with the query's words in `<mark>` and everything else
HTML-escaped. A "did you mean" suggestion is offered when a query finds nothing and a
corrected query (`core.search.suggest`: each word that starts no indexed word replaced by the
nearest one) finds something. (With even one result every word starts an indexed word:
nothing to correct.)
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.urls import NoReverseMatch
from django.utils.functional import Promise
from django.utils.html import strip_tags
from django.utils.safestring import SafeString
from django.utils.translation import get_language, get_language_info, gettext_lazy
from django.utils.translation import gettext as _

from migration_hub.core import search as core_search

from .choices import ResourceKind, ResourceStatus, SearchKind, SearchSort

# Facet names in the order the page shows them, with their headings.
FACETS: dict[str, Promise] = {
    "kind": gettext_lazy("Kind of resource"),
    "objective": gettext_lazy("GCM objective"),
    "principle": gettext_lazy("Guiding principle"),
    "theme": gettext_lazy("MIGOF thematic area"),
    "region": gettext_lazy("Region"),
    "country": gettext_lazy("Country"),
    "language": gettext_lazy("Language"),
    "year": gettext_lazy("Year"),
    "reviewed": gettext_lazy("Peer review"),
}
# Other spellings read as facet names: the saved searches' plural keys and the API's names.
FACET_ALIASES = {
    "kinds": "kind",
    "resource_kind": "kind",
    "objectives": "objective",
    "principles": "principle",
    "guiding_principle": "principle",
    "themes": "theme",
    "regions": "region",
    "countries": "country",
    "languages": "language",
    "years": "year",
    "peer_reviewed": "reviewed",
}
KIND_LABELS = dict(ResourceKind.choices)
GENERAL = "general"
YES, NO = "yes", "no"
TRUE_WORDS = frozenset({"1", "true", "yes", "on", "reviewed"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", "not-reviewed"})
MAX_VALUES = 30
MAX_VALUE_LENGTH = 48
MAX_PAGE_SIZE = 100
SNIPPET_LENGTH = 240
LABEL_CACHE_KEY = "knowledge.search.facet-labels"
LABEL_CACHE_SECONDS = 300
# What the one box looks through, in the tabs' order, and each result's kind in one word.
KIND_ORDER = [SearchKind.RESOURCE, SearchKind.EXPERT, SearchKind.DISCUSSION, SearchKind.REGISTRY]
RESULT_KIND_LABELS = {
    SearchKind.RESOURCE: gettext_lazy("Resource"),
    SearchKind.EXPERT: gettext_lazy("Expert"),
    SearchKind.DISCUSSION: gettext_lazy("Discussion"),
    SearchKind.REGISTRY: gettext_lazy("Registry record"),
}


# --- Indexing ---------------------------------------------------------------------------------


def _facets_of(
    *,
    status: str,
    kind: str,
    objectives: list[str],
    is_general: bool,
    principles: list[str],
    themes: list[str],
    regions: list[str],
    countries: list[tuple[str, list[str]]],
    languages: list[str],
    year: int | None,
    peer_reviewed: bool,
) -> dict[str, list[Any]]:
    """A resource's facet values. A country also puts the resource in the country's M49
    regions (as saved searches match regions)."""
    return {
        "status": [status],
        "kind": [kind],
        "objective": [*objectives, *([GENERAL] if is_general else [])],
        "principle": principles,
        "theme": themes,
        "region": [*regions, *(code for _alpha3, codes in countries for code in codes)],
        "country": [alpha3 for alpha3, _codes in countries],
        "language": languages,
        "year": [year] if year else [],
        "reviewed": [YES if peer_reviewed else NO],
    }


def _country_regions(country: Any) -> list[str]:
    regions = (country.region, country.sub_region, country.intermediate_region)
    return [region.m49_code for region in regions if region is not None]


def resource_facets(resource: Any) -> dict[str, list[Any]]:
    """What one resource is filtered and counted by (see `_facets_of`)."""
    return _facets_of(
        status=resource.status,
        kind=resource.kind,
        objectives=[item.code for item in resource.objectives.all()],
        is_general=resource.is_general,
        principles=[item.code for item in resource.principles.all()],
        themes=[item.code for item in resource.themes.all()],
        regions=[region.m49_code for region in resource.regions.all()],
        countries=[
            (country.alpha3, _country_regions(country)) for country in resource.countries.all()
        ],
        languages=[
            *(row.language for row in resource.translations.all()),
            *(file.language for file in resource.files.all() if file.language),
        ],
        year=resource.year,
        peer_reviewed=resource.peer_reviewed,
    )


def resource_date(resource: Any) -> dt.datetime | None:
    return resource.published_at or resource.created_at


def resource_documents(pks: list[Any]) -> Iterable[core_search.Entry]:
    """Index entries of many resources at once, from plain rows (no model instances): the
    same title and body as `Resource.search_document()`, facets as `resource_facets` and date
    as `resource_date` (tests compare them). What `core.search.rebuild` uses."""
    from .models import Resource, ResourceFile, ResourceTranslation

    wanted = set(pks)
    # A range is far cheaper to send than thousands of ids; rows outside `pks` are skipped.
    low, high = min(pks), max(pks)

    def grouped(rows: Iterable[tuple[Any, ...]]) -> dict[Any, list[Any]]:
        result: dict[Any, list[Any]] = {}
        for pk, *values in rows:
            if pk in wanted:
                result.setdefault(pk, []).append(values[0] if len(values) == 1 else tuple(values))
        return result

    def linked(relation: str, *paths: str) -> dict[Any, list[Any]]:
        through = getattr(Resource, relation).through.objects
        rows = through.filter(resource_id__gte=low, resource_id__lte=high)
        return grouped(rows.values_list("resource_id", *paths))

    translations = grouped(
        ResourceTranslation.objects.filter(resource_id__gte=low, resource_id__lte=high)
        .order_by("resource_id", "language")
        .values_list("resource_id", "language", "title", "summary")
    )
    files = grouped(
        ResourceFile.objects.filter(resource_id__gte=low, resource_id__lte=high)
        .order_by("resource_id", "created_at", "id")
        .values_list("resource_id", "language", "text")
    )
    objectives = linked("objectives", "frameworkitem__code")
    principles = linked("principles", "frameworkitem__code")
    themes = linked("themes", "frameworkitem__code")
    regions = linked("regions", "region__m49_code")
    countries = linked(
        "countries",
        "country__alpha3",
        "country__region__m49_code",
        "country__sub_region__m49_code",
        "country__intermediate_region__m49_code",
    )
    rows = (
        Resource.objects.filter(pk__gte=low, pk__lte=high)
        .order_by("pk")
        .values_list(
            "pk",
            "status",
            "kind",
            "authors",
            "is_general",
            "year",
            "peer_reviewed",
            "published_at",
            "created_at",
        )
    )
    for pk, status, kind, authors, is_general, year, reviewed, published, created in rows:
        if pk not in wanted:
            continue
        texts = translations.get(pk, [])
        attached = files.get(pk, [])
        title = " ".join(title for _language, title, _summary in texts)
        body = " ".join(
            [
                *(summary for _language, _title, summary in texts),
                " ".join(authors or []),
                " ".join(text for _language, text in attached),
            ]
        )
        facets = _facets_of(
            status=status,
            kind=kind,
            objectives=objectives.get(pk, []),
            is_general=is_general,
            principles=principles.get(pk, []),
            themes=themes.get(pk, []),
            regions=regions.get(pk, []),
            countries=[
                (alpha3, [code for code in region_codes if code])
                for alpha3, *region_codes in countries.get(pk, [])
            ],
            languages=[
                *(language for language, _title, _summary in texts),
                *(language for language, _text in attached if language),
            ],
            year=year,
            peer_reviewed=reviewed,
        )
        yield pk, title, body, facets, published or created


def register_models() -> None:
    from .models import ExpertProfile, Resource, Thread

    core_search.register(
        Resource,
        facets=resource_facets,
        dated=resource_date,
        documents=resource_documents,
    )
    # Only listed experts and visible threads are in the index (see services.experts and
    # services.discussions); a rebuild keeps it that way.
    core_search.register(
        ExpertProfile,
        queryset=lambda: ExpertProfile.objects.filter(opted_in=True, user__is_active=True),
    )
    core_search.register(
        Thread,
        dated=lambda thread: thread.last_post_at,
        queryset=lambda: Thread.objects.filter(hidden=False),
    )


# --- Filters in the address -------------------------------------------------------------------


def _language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _clean_value(name: str, raw: Any) -> str | None:
    """One filter value in its canonical form, or None when it cannot be one."""
    if isinstance(raw, bool):
        raw = YES if raw else NO
    if hasattr(raw, "code"):  # a FrameworkItem
        raw = raw.code
    elif hasattr(raw, "alpha3"):
        raw = raw.alpha3
    elif hasattr(raw, "m49_code"):
        raw = raw.m49_code
    value = str(raw).replace("\x00", "").strip()
    if not value or len(value) > MAX_VALUE_LENGTH:
        return None
    lower = value.lower()
    if name == "kind":
        return lower if lower in ResourceKind.values else None
    if name == "objective":
        if lower == GENERAL:
            return GENERAL
        return f"GCM-O{int(value)}" if value.isdigit() else value.upper()
    if name == "principle":
        return f"GCM-GP-{value.upper()}" if len(value) == 1 and value.isalpha() else value.upper()
    if name == "theme":
        return f"MIGOF-TA-{int(value):02d}" if value.isdigit() else value.upper()
    if name == "region":
        return value.zfill(3) if value.isdigit() and len(value) <= 3 else None
    if name == "country":
        return value.upper() if len(value) == 3 and value.isalpha() else None
    if name == "language":
        codes = _language_codes()
        if lower in codes:
            return lower
        base = lower.split("-")[0]
        return next((code for code in codes if code.split("-")[0] == base), None)
    if name == "year":
        return value if value.isdigit() and len(value) == 4 else None
    if name == "reviewed":
        return YES if lower in TRUE_WORDS else NO if lower in FALSE_WORDS else None
    return None


def clean_filters(filters: Mapping[str, Any] | None) -> dict[str, list[str]]:
    """Filters in their canonical form: facet names (aliases accepted) to lists of valid,
    distinct values, in the order of FACETS; unknown names and values are left out."""
    cleaned: dict[str, list[str]] = {}
    for raw_name, raw_values in (filters or {}).items():
        name = FACET_ALIASES.get(str(raw_name), str(raw_name))
        if name not in FACETS:
            continue
        if isinstance(raw_values, str | bool | int) or not isinstance(raw_values, Iterable):
            raw_values = [raw_values]
        values = cleaned.setdefault(name, [])
        for raw in list(raw_values)[:MAX_VALUES]:
            value = _clean_value(name, raw)
            if value is not None and value not in values:
                values.append(value)
    return {name: cleaned[name] for name in FACETS if cleaned.get(name)}


def parse_filters(querydict: Mapping[str, Any]) -> dict[str, list[str]]:
    """The facet filters of a search address (a QueryDict or a plain dict): `{name: [values]}`
    with the page's facet names (`kind`, `objective`, `principle`, `theme`, `region`,
    `country`, `language`, `year`, `reviewed`); other parameters (`q`, `type`, `sort`, `page`)
    and unknown values are left out. Round-trips with `filters_to_querystring`."""
    getlist = getattr(querydict, "getlist", None)
    raw: dict[str, list[Any]] = {}
    for name in list(querydict.keys()):
        if getlist is not None:
            values = list(getlist(name))
        else:
            value = querydict[name]
            values = list(value) if isinstance(value, list | tuple | set) else [value]
        raw.setdefault(str(name), []).extend(values)
    return clean_filters(raw)


def filters_to_querystring(filters: Mapping[str, Any]) -> str:
    """The address's query string for facet filters (no leading `?`), e.g.
    `kind=practice&objective=GCM-O5`; accepts what `parse_filters` returns and the saved
    searches' stored form (plural names, `reviewed: True`)."""
    pairs = [(name, value) for name, values in clean_filters(filters).items() for value in values]
    return urlencode(pairs)


# --- Results ----------------------------------------------------------------------------------


@dataclass
class SearchResult:
    """One row of the results: what the page and the API show."""

    kind: str
    id: str
    title: str
    title_html: SafeString
    snippet: SafeString
    url: str
    score: float
    date: dt.datetime | None
    language: str | None = None
    details: list[str] = field(default_factory=list)
    obj: Any = None

    @property
    def kind_label(self) -> str:
        return str(RESULT_KIND_LABELS.get(self.kind, ""))


@dataclass
class SearchResults:
    """A page of results with everything around it. `facets` maps each facet name to
    `(value, label, count)` rows (selected values always included); `kind_counts` gives each
    kind's total for the tabs; `total` is the total of the kinds searched."""

    query: str
    filters: dict[str, list[str]]
    kinds: list[str]
    sort: str
    language: str
    page: int
    page_size: int
    total: int = 0
    results: list[SearchResult] = field(default_factory=list)
    facets: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    kind_counts: dict[str, int] = field(default_factory=dict)
    suggestion: str | None = None

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def facet_labels(self) -> dict[str, str]:
        return {name: str(label) for name, label in FACETS.items()}


@dataclass(frozen=True)
class _Item:
    """A match before it becomes a result: enough to sort and to fetch the page's rows."""

    kind: str
    model: Any
    id: str
    score: float
    dated: float | None
    in_language: bool


def _reader_language(language: str | None) -> str:
    code = (language or get_language() or settings.LANGUAGE_CODE).lower()
    return _clean_value("language", code) or settings.LANGUAGE_CODE


def _band(score: float) -> float:
    """Relevance rounded to two significant digits: scores in one band are "equal"."""
    return float(f"{score:.2g}")


def _sort_key(sort: str) -> Any:
    if sort == SearchSort.DATE:
        return lambda item: (
            -(item.dated if item.dated is not None else -math.inf),
            not item.in_language,
            -item.score,
            item.kind,
            item.id,
        )
    return lambda item: (
        -_band(item.score),
        not item.in_language,
        -item.score,
        -(item.dated if item.dated is not None else -math.inf),
        item.kind,
        item.id,
    )


def _resource_scope(user: Any) -> set[str] | None:
    """Ids of resources the person may see besides the published ones (None: none)."""
    if not getattr(user, "is_authenticated", False):
        return None
    from .selectors import resources_for

    extra = resources_for(user).exclude(status=ResourceStatus.PUBLISHED)
    ids = {str(pk) for pk in extra.values_list("pk", flat=True)}
    return ids or None


@dataclass
class _Collected:
    items: dict[str, list[_Item]]
    counts: dict[str, Counter[str]]


def _collect(
    user: Any,
    query: str,
    filters: dict[str, list[str]],
    kinds: list[str],
    language: str,
    *,
    with_facets: bool,
) -> _Collected:
    """Every visible match of every kind in `kinds`, and the resources' facet counts."""
    from .models import ExpertProfile, Resource, Thread

    items: dict[str, list[_Item]] = {kind: [] for kind in KIND_ORDER}
    counts: dict[str, Counter[str]] = {}

    if SearchKind.RESOURCE in kinds:
        extra = _resource_scope(user)
        found = core_search.faceted_search(
            Resource,
            query,
            filters=filters,
            count=list(FACETS) if with_facets else (),
            scope={"status": [ResourceStatus.PUBLISHED]},
            also=extra or (),
            mark=("language", language),
        )
        items[SearchKind.RESOURCE] = [
            _Item(SearchKind.RESOURCE, Resource, *match) for match in found.matches
        ]
        counts = {name: Counter(values) for name, values in found.counts.items()}

    if filters:  # facet filters narrow the results to resources
        return _Collected(items, counts)

    if SearchKind.EXPERT in kinds:
        from .services.experts import listed_experts

        hits = core_search.search_hits(ExpertProfile, query)
        listed = {
            str(pk)
            for pk in listed_experts()
            .filter(pk__in=[hit.target_id for hit in hits])
            .values_list("pk", flat=True)
        }
        items[SearchKind.EXPERT] = [
            _Item(SearchKind.EXPERT, ExpertProfile, hit.target_id, hit.score, hit.dated, True)
            for hit in hits
            if hit.target_id in listed
        ]

    if SearchKind.DISCUSSION in kinds:
        hits = core_search.search_hits(Thread, query)
        visible = {
            str(pk)
            for pk in Thread.objects.filter(
                hidden=False, pk__in=[hit.target_id for hit in hits]
            ).values_list("pk", flat=True)
        }
        items[SearchKind.DISCUSSION] = [
            _Item(SearchKind.DISCUSSION, Thread, hit.target_id, hit.score, hit.dated, True)
            for hit in hits
            if hit.target_id in visible
        ]

    if SearchKind.REGISTRY in kinds and getattr(user, "is_authenticated", False):
        found = []
        for model in registry_models():
            if not user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}"):
                continue
            found += [
                _Item(SearchKind.REGISTRY, model, hit.target_id, hit.score, hit.dated, True)
                for hit in core_search.search_hits(model, query)
            ]
        items[SearchKind.REGISTRY] = found
    return _Collected(items, counts)


def registry_models() -> list[Any]:
    """Every searchable model outside the Hub: the registry's records, countries, member
    organizations, whatever else registers with core.search."""
    return [
        model for model in core_search.registered_models() if model._meta.app_label != "knowledge"
    ]


def _clean_kinds(kinds: Iterable[str] | str | None, query: str) -> list[str]:
    if isinstance(kinds, str):
        kinds = [kinds]
    chosen = [kind for kind in KIND_ORDER if kind in set(map(str, kinds or ()))]
    if chosen:
        return chosen
    if core_search.query_terms(query):
        return list(KIND_ORDER)
    return [SearchKind.RESOURCE]


def hub_search(
    user: Any,
    query: str,
    *,
    filters: Mapping[str, Any] | None,
    kinds: Iterable[str] | str | None = None,
    sort: str = SearchSort.RELEVANCE,
    language: str | None = None,
    page: int = 1,
    page_size: int = 20,
) -> SearchResults:
    """One page of results for `query` across `kinds` (all by default; resources only for an
    empty query), as `user` may see them. Never raises on what a person types."""
    query = core_search.clean_query(query)
    cleaned = clean_filters(filters)
    chosen = _clean_kinds(kinds, query)
    sort = sort if sort in SearchSort.values else SearchSort.RELEVANCE
    language = _reader_language(language)
    page_size = max(1, min(int(page_size or 20), MAX_PAGE_SIZE))
    collected = _collect(user, query, cleaned, list(KIND_ORDER), language, with_facets=True)
    kind_counts = {kind: len(collected.items[kind]) for kind in KIND_ORDER}
    matches = [item for kind in chosen for item in collected.items[kind]]
    total = len(matches)
    results = SearchResults(
        query=query,
        filters=cleaned,
        kinds=chosen,
        sort=sort,
        language=language,
        page=1,
        page_size=page_size,
        total=total,
        kind_counts=kind_counts,
    )
    results.page = max(1, min(int(page or 1), results.num_pages))
    start = (results.page - 1) * page_size
    end = start + page_size
    if len(matches) > 4 * end:  # only the first pages' worth needs sorting
        matches = heapq.nsmallest(end, matches, key=_sort_key(sort))
    else:
        matches.sort(key=_sort_key(sort))
    rows = _rows(user, matches[start:end], query, language)
    if sort == SearchSort.RELEVANCE:
        # Hybrid ranking: with the optional model (the `semantic` extra), the page's rows are
        # re-ranked by closeness in meaning to the query too; without it the order is kept.
        from . import semantic

        rows = semantic.hybrid_rank(
            query, rows, text=lambda row: f"{row.title}\n{strip_tags(row.snippet)}"
        )
    results.results = rows
    results.facets = _facets(collected.counts, cleaned)
    # With any result every word starts an indexed word, so no word would be corrected.
    if total == 0 and core_search.query_terms(query):
        results.suggestion = _suggestion(user, query, cleaned, chosen, language, total)
    return results


def _suggestion(
    user: Any,
    query: str,
    filters: dict[str, list[str]],
    kinds: list[str],
    language: str,
    total: int,
) -> str | None:
    suggestion = core_search.suggest(query)
    if not suggestion:
        return None
    found = _collect(user, suggestion, filters, kinds, language, with_facets=False)
    return suggestion if sum(len(found.items[kind]) for kind in kinds) > total else None


# --- Rows of one page -------------------------------------------------------------------------


def _url(obj: Any) -> str:
    try:
        return str(obj.get_absolute_url())
    except (AttributeError, NoReverseMatch):
        return ""


def _date(dated: float | None) -> dt.datetime | None:
    return None if dated is None else dt.datetime.fromtimestamp(dated, tz=dt.UTC)


def _language_name(code: str) -> str:
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def _rows(user: Any, items: list[_Item], query: str, language: str) -> list[SearchResult]:
    from .models import ExpertProfile, Thread
    from .services.experts import listed_experts

    by_model: dict[Any, list[str]] = {}
    for item in items:
        by_model.setdefault(item.model, []).append(item.id)
    objects: dict[tuple[Any, str], Any] = {}
    for model, ids in by_model.items():
        if model is ExpertProfile:
            queryset = listed_experts()
        elif model is Thread:
            queryset = Thread.objects.filter(hidden=False).select_related("space")
        elif model._meta.label == "knowledge.Resource":
            from .selectors import resources_for

            queryset = resources_for(user)
        else:
            queryset = model._default_manager.all()
        for obj in queryset.filter(pk__in=ids):
            objects[(model, str(obj.pk))] = obj
    rows = []
    for item in items:
        obj = objects.get((item.model, item.id))
        if obj is None:  # changed since it was indexed: leave it out
            continue
        rows.append(_row(item, obj, query, language))
    return rows


def _row(item: _Item, obj: Any, query: str, language: str) -> SearchResult:
    date = _date(item.dated)
    details: list[str] = []
    shown_language = None
    if item.kind == SearchKind.RESOURCE:
        translation = obj.translation(language)
        title = translation.title if translation else ""
        text = translation.summary if translation else ""
        shown_language = translation.language if translation else obj.language
        details.append(str(KIND_LABELS.get(obj.kind, obj.kind)))
        if obj.year:
            details.append(str(obj.year))
        if obj.peer_reviewed:
            details.append(_("Peer reviewed"))
        if shown_language and shown_language != language:
            details.append(_("In %(language)s") % {"language": _language_name(shown_language)})
    elif item.kind == SearchKind.EXPERT:
        title = obj.display_name
        text = " ".join(part for part in (obj.headline, obj.bio) if part)
        if obj.organization_id:
            details.append(str(obj.organization))
    elif item.kind == SearchKind.DISCUSSION:
        title = obj.title
        post = obj.posts.filter(hidden=False).order_by("created_at", "id").first()
        text = post.body if post else ""
        details.append(str(obj.space))
    else:
        title = str(obj)
        text = str(getattr(obj, "description", "") or "")
        details.append(str(obj._meta.verbose_name))
    return SearchResult(
        kind=item.kind,
        id=item.id,
        title=title,
        title_html=core_search.highlight(title, query),
        snippet=core_search.highlight(text, query, length=SNIPPET_LENGTH),
        url=_url(obj),
        score=item.score,
        date=date,
        language=shown_language,
        details=details,
        obj=obj,
    )


# --- Facet labels -----------------------------------------------------------------------------


def _facets(
    counts: dict[str, Counter[str]], filters: dict[str, list[str]]
) -> dict[str, list[tuple[str, str, int]]]:
    """Each facet's values with labels and counts, in a stable order; values already chosen
    are kept (count 0 if nothing matches them now) so they can be unticked."""
    from migration_hub.core.models import Country, Region
    from migration_hub.registry.models import FrameworkItem

    if not counts:
        return {}
    lowered = {
        name: Counter({value.lower(): n for value, n in counter.items()})
        for name, counter in counts.items()
    }
    for name, values in filters.items():
        for value in values:
            lowered.setdefault(name, Counter()).setdefault(value.lower(), 0)
    # Reference rows change rarely: their labels are kept a few minutes (cache.clear() or
    # LABEL_CACHE_SECONDS forget them).
    labels = cache.get(LABEL_CACHE_KEY)
    if labels is None:
        labels = {
            "items": {
                code.lower(): (code, short_title or title, position)
                for code, title, short_title, position in FrameworkItem.objects.filter(
                    kind__in=["objective", "guiding-principle", "thematic-area"]
                ).values_list("code", "title", "short_title", "position")
            },
            "regions": dict(Region.objects.values_list("m49_code", "name")),
            "countries": {
                alpha3.lower(): (alpha3, name)
                for alpha3, name in Country.objects.values_list("alpha3", "name")
            },
        }
        cache.set(LABEL_CACHE_KEY, labels, LABEL_CACHE_SECONDS)
    items: dict[str, tuple[str, str, int]] = labels["items"]
    regions: dict[str, str] = labels["regions"]
    countries: dict[str, tuple[str, str]] = labels["countries"]
    kinds = dict(ResourceKind.choices)
    language_order = _language_codes()
    shown: dict[str, list[tuple[str, str, int]]] = {}
    for name in FACETS:
        rows: list[tuple[Any, str, str, int]] = []  # (sort key, value, label, count)
        for value, count in lowered.get(name, Counter()).items():
            if name == "kind":
                if value not in kinds:
                    continue
                rows.append((ResourceKind.values.index(value), value, str(kinds[value]), count))
            elif name in ("objective", "principle", "theme"):
                if value == GENERAL:
                    rows.append((-1, GENERAL, _("General: the Global Compact as a whole"), count))
                elif value in items:
                    code, label, position = items[value]
                    if name == "objective":
                        label = _("Objective %(number)s: %(title)s") % {
                            "number": code.rsplit("O", 1)[-1],
                            "title": label,
                        }
                    rows.append((position, code, label, count))
                else:
                    rows.append((math.inf, value.upper(), value.upper(), count))
            elif name == "region":
                rows.append((-count, value, regions.get(value, value), count))
            elif name == "country":
                code, label = countries.get(value, (value.upper(), value.upper()))
                rows.append((-count, code, label, count))
            elif name == "language":
                order = language_order.index(value) if value in language_order else 99
                rows.append((order, value, _language_name(value), count))
            elif name == "year":
                rows.append((-int(value) if value.isdigit() else 0, value, value, count))
            elif name == "reviewed":
                if value not in (YES, NO):
                    continue
                label = _("Peer reviewed") if value == YES else _("Not peer reviewed")
                rows.append((0 if value == YES else 1, value, label, count))
        rows.sort(key=lambda row: (row[0], row[2]))
        shown[name] = [(value, label, count) for _key, value, label, count in rows]
    return shown
