"""Everything on the Hub as CSV or JSON: resources with their translations, listed experts (no
e-mail address), demands, offers, and the visible posts of the discussion spaces.

Built on `core.exports` (one code path for pages and the command line; a cell a spreadsheet
would run as a formula is neutralised). The resource columns are the importer's columns, so an
exported file can be edited and imported again (`knowledge.importers`). Column headers are
stable keys, not translated, for the same reason. Lists are "; "-separated in CSV and JSON
arrays in JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet

from migration_hub.core import search as core_search
from migration_hub.core.choices import ExportFormat
from migration_hub.core.exports import Column, export_response
from migration_hub.core.people import public_name
from migration_hub.registry.models import FrameworkItem

from .choices import ResourceStatus
from .models import Demand, ExpertProfile, Offer, Post, Resource

WHAT = ("resources", "experts", "demands", "offers", "spaces")
FORMATS = (ExportFormat.CSV.value, ExportFormat.JSON.value)
LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)
ORDERED_ITEMS = FrameworkItem.objects.order_by("position", "code")


class UnknownExport(ValueError):
    """Asked for something that is not exported, or in a format that is not offered."""


def _many(fmt: str, values: Iterable[Any]) -> Any:
    items = [str(value) for value in values if value not in (None, "")]
    return items if fmt == ExportFormat.JSON else "; ".join(items)


def _objective_values(resource: Any) -> list[str]:
    values = [item.number or item.code for item in resource.objectives.all()]
    if getattr(resource, "is_general", False):
        values.append("general")
    return values


def _site(path: str) -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/") + path


def _translation(language: str, part: str) -> Callable[[Resource], str]:
    def read(resource: Resource) -> str:
        for row in resource.translations.all():
            if row.language == language:
                return getattr(row, part)
        return ""

    return read


# --- resources ---------------------------------------------------------------------------------


def resource_columns(fmt: str) -> list[Column]:
    texts = [
        Column(f"{part}_{code}", _translation(code, part))
        for code in LANGUAGES
        for part in ("title", "summary")
    ]
    return [
        Column("id", "pk"),
        Column("kind", "kind"),
        Column("status", "status"),
        Column("language", "language"),
        *texts,
        Column("authors", lambda r: _many(fmt, r.authors or [])),
        Column("publishers", lambda r: _many(fmt, (o.code for o in r.publishers.all()))),
        Column("countries", lambda r: _many(fmt, (c.alpha3 for c in r.countries.all()))),
        Column("regions", lambda r: _many(fmt, (g.m49_code for g in r.regions.all()))),
        Column("objectives", lambda r: _many(fmt, _objective_values(r))),
        Column(
            "principles", lambda r: _many(fmt, (i.number or i.code for i in r.principles.all()))
        ),
        Column("themes", lambda r: _many(fmt, (i.code for i in r.themes.all()))),
        Column("year", "year"),
        Column("licence", "licence"),
        Column("link", "link"),
        Column("organization", "organization__code"),
        Column("peer_reviewed", "peer_reviewed"),
        Column("published_at", "published_at"),
        Column("needs_update", "needs_update"),
        Column("checked_on", "checked_on"),
        Column("url", lambda r: _site(r.get_absolute_url())),
    ]


def with_resource_details(queryset: QuerySet[Resource]) -> QuerySet[Resource]:
    return queryset.select_related("organization").prefetch_related(
        "translations",
        "publishers",
        "countries",
        "regions",
        Prefetch("objectives", queryset=ORDERED_ITEMS),
        Prefetch("principles", queryset=ORDERED_ITEMS),
        Prefetch("themes", queryset=ORDERED_ITEMS),
    )


def _item_filter(value: str, prefix: str, *, pad: bool = False) -> Q | None:
    text = value.strip().upper()
    if not text:
        return None
    if text.isdigit():
        text = f"{prefix}{int(text):02d}" if pad else f"{prefix}{int(text)}"
    elif not text.startswith(prefix):
        text = f"{prefix}{text}"
    return Q(code=text)


def _values(params: Mapping[str, Any], name: str) -> list[str]:
    getter = getattr(params, "getlist", None)
    raw = getter(name) if getter else params.get(name, [])
    raw = raw if isinstance(raw, list | tuple) else [raw]
    return [str(value).strip()[:100] for value in raw if str(value).strip()]


def filter_resources(queryset: QuerySet[Resource], params: Mapping[str, Any]) -> QuerySet[Resource]:
    """The list filters as query parameters (each may repeat): q, kind, status, language,
    objective (1-23 or "general"), principle (A-J), theme, country (ISO), region (M49), year,
    reviewed (true/false). Unknown values match nothing rather than everything."""

    def values(name: str) -> list[str]:
        return _values(params, name)

    if values("kind"):
        queryset = queryset.filter(kind__in=values("kind"))
    if values("status"):
        queryset = queryset.filter(status__in=values("status"))
    if values("language"):
        queryset = queryset.filter(translations__language__in=values("language"))
    for name, prefix, pad in (
        ("objective", "GCM-O", False),
        ("principle", "GCM-GP-", False),
        ("theme", "MIGOF-TA-", True),
    ):
        wanted = values(name)
        if not wanted:
            continue
        general = name == "objective" and any(value.lower() == "general" for value in wanted)
        codes = Q(pk__in=[])
        for value in wanted:
            if value.lower() == "general":
                continue
            item = _item_filter(value, prefix, pad=pad)
            if item is not None:
                codes |= item
        field = {"objective": "objectives", "principle": "principles", "theme": "themes"}[name]
        condition = Q(**{f"{field}__in": FrameworkItem.objects.filter(codes)})
        if general:
            condition |= Q(is_general=True)
        queryset = queryset.filter(condition)
    if values("country"):
        codes = [value.upper() for value in values("country")]
        queryset = queryset.filter(Q(countries__alpha3__in=codes) | Q(countries__alpha2__in=codes))
    if values("region"):
        codes = [value.zfill(3) if value.isdigit() else value for value in values("region")]
        queryset = queryset.filter(regions__m49_code__in=codes)
    if values("year"):
        years = [int(value) for value in values("year") if value.isdigit()]
        queryset = queryset.filter(year__in=years)
    reviewed = values("reviewed")
    if reviewed:
        queryset = queryset.filter(peer_reviewed=reviewed[0].lower() in ("true", "1", "yes"))
    query = str(params.get("q", "") or "").strip()
    if query:
        queryset = core_search.search_queryset(queryset, query[:500], fallback_fields=[])
    return queryset.distinct()


def stream(rows: Iterable[Any]) -> Iterable[Any]:
    """Rows read in chunks when they are a queryset (prefetches apply per chunk)."""
    iterator = getattr(rows, "iterator", None)
    return iterator(chunk_size=500) if iterator is not None else rows


# Above this many matches the ids are not sent to the database as one IN list (SQLite takes
# at most 32,766 parameters); the rows are filtered while they are read instead.
MAX_IN_LIST = 20_000


def search_resources(
    queryset: QuerySet[Resource], params: Mapping[str, Any]
) -> QuerySet[Resource] | Iterable[Resource]:
    """The resources of `queryset` the search page's address selects: its words (`q`) and
    facet filters, read by `knowledge.search.parse_filters` so an export shows what the page
    shows. Without that function (an older search module) the plain filters apply."""
    from . import search as hub_search

    parse = getattr(hub_search, "parse_filters", None)
    if parse is None:
        return filter_resources(queryset, params)
    filters = parse(params)
    query = core_search.clean_query(str(params.get("q", "") or ""))
    statuses = [value for value in _values(params, "status") if value in ResourceStatus.values]
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    if not filters and not core_search.query_terms(query):
        return queryset
    ids = {int(hit.target_id) for hit in core_search.search_hits(Resource, query, facets=filters)}
    if len(ids) <= MAX_IN_LIST:
        return queryset.filter(pk__in=sorted(ids))
    return (resource for resource in queryset.iterator(chunk_size=1000) if resource.pk in ids)


def resources(
    user: Any = None,
    *,
    params: Mapping[str, Any] | None = None,
    include_unpublished: bool = False,
) -> QuerySet[Resource] | Iterable[Resource]:
    """The resources to export: what `user` may read (published ones for no user, every one
    with `include_unpublished`, which only the command line uses), selected by the search
    address `params`."""
    from . import selectors

    if include_unpublished:
        queryset = Resource.objects.all()
    elif user is None:
        queryset = Resource.objects.filter(status=ResourceStatus.PUBLISHED)
    else:
        queryset = selectors.resources_for(user)
    queryset = with_resource_details(queryset.order_by("pk"))
    return search_resources(queryset, params) if params else queryset


# --- experts, demands, offers, discussions ------------------------------------------------------


def expert_columns(fmt: str) -> list[Column]:
    """What an expert's public page shows; never the e-mail address or the account."""
    return [
        Column("id", "pk"),
        Column("name", "display_name"),
        Column("headline", "headline"),
        Column("about", "bio"),
        Column("organization", lambda e: e.organization.code if e.organization_id else ""),
        Column("organization_name", lambda e: e.organization.name if e.organization_id else ""),
        Column(
            "objectives", lambda e: _many(fmt, (i.number or i.code for i in e.objectives.all()))
        ),
        Column("themes", lambda e: _many(fmt, (i.code for i in e.themes.all()))),
        Column("languages", lambda e: _many(fmt, e.languages or [])),
        Column("regions", lambda e: _many(fmt, (g.m49_code for g in e.regions.all()))),
        Column("countries", lambda e: _many(fmt, (c.alpha3 for c in e.countries.all()))),
        Column("availability", "availability"),
        Column("url", lambda e: _site(e.get_absolute_url())),
    ]


def experts() -> QuerySet[ExpertProfile]:
    """Listed experts only (services.experts.listed_experts: opted in, active account)."""
    from .services.experts import listed_experts

    return (
        listed_experts()
        .prefetch_related(
            Prefetch("objectives", queryset=ORDERED_ITEMS),
            Prefetch("themes", queryset=ORDERED_ITEMS),
            "regions",
            "countries",
        )
        .order_by("pk")
    )


def demand_columns(fmt: str) -> list[Column]:
    return [
        Column("id", "pk"),
        Column("title", "title"),
        Column("organization", "organization__code"),
        Column("organization_name", "organization__name"),
        Column("need", "need"),
        Column(
            "objectives", lambda d: _many(fmt, (i.number or i.code for i in d.objectives.all()))
        ),
        Column("themes", lambda d: _many(fmt, (i.code for i in d.themes.all()))),
        Column("country", "country__alpha3"),
        Column("deadline", "deadline"),
        Column("language", "language"),
        Column("status", "status"),
        Column("matched_offer", "matched_offer_id"),
        # An expert who has since left the expert database is not named.
        Column(
            "matched_expert",
            lambda d: (
                d.matched_expert.display_name
                if d.matched_expert_id and d.matched_expert.is_listed
                else ""
            ),
        ),
        Column("outcome", "outcome"),
        # The practice made from the outcome, once it is published (a draft is its authors').
        Column(
            "outcome_resource",
            lambda d: (
                d.outcome_resource_id
                if d.outcome_resource_id and d.outcome_resource.status == ResourceStatus.PUBLISHED
                else ""
            ),
        ),
        Column("created_at", "created_at"),
        Column("status_changed_at", "status_changed_at"),
        Column("url", lambda d: _site(d.get_absolute_url())),
    ]


def demands() -> QuerySet[Demand]:
    return (
        Demand.objects.select_related(
            "organization", "country", "matched_expert__user", "outcome_resource"
        )
        .prefetch_related(
            Prefetch("objectives", queryset=ORDERED_ITEMS),
            Prefetch("themes", queryset=ORDERED_ITEMS),
        )
        .order_by("pk")
    )


def offer_columns(fmt: str) -> list[Column]:
    return [
        Column("id", "pk"),
        Column("title", "title"),
        Column("organization", "organization__code"),
        Column("organization_name", "organization__name"),
        Column("description", "description"),
        Column(
            "objectives", lambda o: _many(fmt, (i.number or i.code for i in o.objectives.all()))
        ),
        Column("themes", lambda o: _many(fmt, (i.code for i in o.themes.all()))),
        Column("countries", lambda o: _many(fmt, (c.alpha3 for c in o.countries.all()))),
        Column("languages", lambda o: _many(fmt, o.languages or [])),
        Column("active", "active"),
        Column("created_at", "created_at"),
        Column("url", lambda o: _site(o.get_absolute_url())),
    ]


def offers() -> QuerySet[Offer]:
    return (
        Offer.objects.select_related("organization")
        .prefetch_related(
            Prefetch("objectives", queryset=ORDERED_ITEMS),
            Prefetch("themes", queryset=ORDERED_ITEMS),
            "countries",
        )
        .order_by("pk")
    )


def _author(post: Post) -> str:
    return public_name(post.author)


def post_columns(fmt: str) -> list[Column]:
    """One row per visible post, with its thread and space."""
    return [
        Column("space", "thread__space__slug"),
        Column("space_title", "thread__space__title"),
        Column("thread_id", "thread_id"),
        Column("thread_title", "thread__title"),
        Column("question", lambda p: f"Q.{p.thread.question.number}" if p.thread.question else ""),
        Column("post_id", "pk"),
        Column("author", _author),
        Column("created_at", "created_at"),
        Column("body", "body"),
        Column("url", lambda p: _site(p.thread.get_absolute_url()) + f"#post-{p.pk}"),
    ]


def posts() -> QuerySet[Post]:
    """Posts neither hidden nor in a hidden thread, space by space, thread by thread."""
    return (
        Post.objects.filter(hidden=False, thread__hidden=False)
        .select_related("thread__space", "thread__question", "author")
        .order_by("thread__space__slug", "thread_id", "created_at", "pk")
    )


# --- one entry point -----------------------------------------------------------------------------


def rows_and_columns(
    what: str,
    fmt: str,
    *,
    user: Any = None,
    params: Mapping[str, Any] | None = None,
    include_unpublished: bool = False,
) -> tuple[Iterable[Any], list[Column]]:
    """The rows and columns of one export; UnknownExport for anything else."""
    if what not in WHAT:
        raise UnknownExport(f"{what!r}: choose one of {', '.join(WHAT)}")
    if fmt not in FORMATS:
        raise UnknownExport(f"{fmt!r}: choose one of {', '.join(FORMATS)}")
    if what == "resources":
        return (
            resources(user, params=params, include_unpublished=include_unpublished),
            resource_columns(fmt),
        )
    if what == "experts":
        return experts(), expert_columns(fmt)
    if what == "demands":
        return demands(), demand_columns(fmt)
    if what == "offers":
        return offers(), offer_columns(fmt)
    return posts(), post_columns(fmt)


def response(rows: Iterable[Any], columns: list[Column], fmt: str, name: str) -> Any:
    """An attachment response (core.exports.export_response)."""
    return export_response(rows, columns, fmt, name)


def write(
    what: str,
    fmt: str,
    output: BinaryIO | Path,
    *,
    include_unpublished: bool = False,
    params: Mapping[str, Any] | None = None,
) -> int:
    """Write one export to a file (the command line); returns how many records."""
    rows, columns = rows_and_columns(
        what, fmt, params=params, include_unpublished=include_unpublished
    )
    records = list(rows)
    result = export_response(records, columns, fmt, what)
    chunks = result.streaming_content if result.streaming else [result.content]
    if isinstance(output, Path):
        with output.open("wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
    else:
        for chunk in chunks:
            output.write(chunk)
    return len(records)
