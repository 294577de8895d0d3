"""Saved searches and subscriptions: e-mail alerts and Atom feeds of newly published resources.

A saved search is search words plus filters, kept by one person. "Subscribe to this objective"
(or region, country, kind) is a saved search with only that filter. Its owner is e-mailed the
resources published since the last alert (`send_alerts`, run daily or weekly by a scheduler;
"immediate" searches are e-mailed when a resource is published, see `alert_on_publish`), and
can read the same matches in a private Atom feed whose address holds the search's
`feed_token`.

Filters (`SavedSearch.filters`) are stored in one plain form, a dict of lists of codes:

    {"kinds": ["practice"], "objectives": ["GCM-O3"], "principles": ["GCM-GP-A"],
     "themes": ["MIGOF-TA-01"], "regions": ["002"], "countries": ["MAR"],
     "languages": ["fr"], "years": [2024], "reviewed": True}

Values of one filter are alternatives (any of them matches), filters together must all match.
A region matches resources tagged with the region or with a country inside it. `clean_filters`
also reads the search page's parameter names (`kind`, `objective`, `country` ...), numbers for
objectives ("3") and themes ("1"), and ISO alpha-2 country codes.

Alerts use a time window per search: everything published after `last_alerted_at` (or the
search's creation) up to now. The window is claimed with a conditional update before the e-mail
is queued, so two runs at once, or a run repeated, never send the same resource twice. E-mails
go through `notifications.notify`: rendered in the owner's language, sent once the
transaction commits.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from migration_hub.core import audit
from migration_hub.core import search as core_search
from migration_hub.core.choices import AuditAction
from migration_hub.core.models import Country, Region
from migration_hub.core.permissions import require
from migration_hub.registry.models import FrameworkItem

from .. import selectors
from ..choices import DigestFrequency, ResourceKind, ResourceStatus
from ..models import Resource, SavedSearch, new_token
from ..notifications import claim_window, notify, translated_later

logger = logging.getLogger(__name__)

MAX_NAME = 150
MAX_QUERY = 500
MAX_VALUES = 30
MAX_SAVED_SEARCHES = 100
# An alert lists this many resources at most, then says how many more there are.
MAX_ALERT_ITEMS = 20
# Characters XML 1.0 (the feeds) cannot carry, and no one types: removed from names and words.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
ALERT_FREQUENCIES = (DigestFrequency.IMMEDIATE, DigestFrequency.DAILY, DigestFrequency.WEEKLY)

FILTER_KEYS = (
    "kinds",
    "objectives",
    "principles",
    "themes",
    "regions",
    "countries",
    "languages",
    "years",
    "reviewed",
)
# The search page's parameter names (singular) and other spellings, read as the filter keys.
FILTER_ALIASES = {
    "kind": "kinds",
    "type": "kinds",
    "objective": "objectives",
    "principle": "principles",
    "guiding_principle": "principles",
    "theme": "themes",
    "region": "regions",
    "country": "countries",
    "language": "languages",
    "lang": "languages",
    "year": "years",
    "peer_reviewed": "reviewed",
}
# What a one-click subscription may follow.
SUBSCRIBABLE = ("objectives", "regions", "countries", "kinds", "themes", "principles")
# The objectives filter's value for resources about the GCM as a whole (as on the search page).
GENERAL = "general"
TRUE_WORDS = frozenset({"1", "true", "yes", "on", "reviewed"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", "not-reviewed"})


def plain_text(value: str) -> str:
    """`value` without control characters (kept out of the feeds' XML)."""
    return CONTROL_CHARACTERS.sub("", value or "")


def site_url() -> str:
    return getattr(settings, "SITE_URL", "")


def _path(name: str, **kwargs: Any) -> str:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:  # the page is not wired (yet): the e-mail leaves the link out
        return ""


# --- Filters ------------------------------------------------------------------------------------


def _filter_error(key: str, value: Any) -> ValidationError:
    return ValidationError(
        {
            "filters": _("%(value)s is not a known value of the filter “%(filter)s”.")
            % {"value": str(value)[:40], "filter": key}
        }
    )


def _values(raw: Any, strict: bool = True) -> list[str]:
    """The values of one filter as short texts; `strict` refuses what is not a list of texts or
    numbers, or too many values, else they are left out."""
    if raw is None:
        return []
    if isinstance(raw, str | int | bool):
        raw = [raw]
    wrong = ValidationError({"filters": _("Give each filter as a list of values.")})
    if not isinstance(raw, list | tuple | set | frozenset):
        if strict:
            raise wrong
        return []
    values = []
    for item in raw:
        if not isinstance(item, str | int) or isinstance(item, bool):
            if strict:
                raise wrong
            continue
        text = plain_text(str(item)).strip()
        values += [part.strip()[:40] for part in text.split(",") if part.strip()]
    if len(values) > MAX_VALUES:
        if strict:
            raise ValidationError(
                {"filters": _("Use at most %(count)s values per filter.") % {"count": MAX_VALUES}}
            )
        values = values[:MAX_VALUES]
    return values


def _framework_code(value: str, prefix: str, width: int = 0) -> str:
    text = value.upper()
    if text.startswith(prefix):
        return text
    if width and text.isdigit():
        return f"{prefix}{int(text):0{width}d}"
    return f"{prefix}{text}"


def _known(values: list[str], known: Iterable[str], key: str, strict: bool) -> list[str]:
    known_set = set(known)
    result = []
    for value in values:
        if value in known_set:
            result.append(value)
        elif strict:
            raise _filter_error(key, value)
    return result


def clean_filters(filters: Mapping[str, Any] | None, *, strict: bool = True) -> dict[str, Any]:
    """The filters in their stored form (see the module's docstring), codes checked.

    `strict` (saving a search) refuses an unknown filter or value with a ValidationError on
    "filters"; otherwise (a public feed's query string) they are left out. An empty filter is
    dropped; values are sorted so that equal searches compare equal."""
    if not filters:
        return {}
    if not isinstance(filters, Mapping):
        if strict:
            raise ValidationError({"filters": _("Give the filters as names with values.")})
        return {}
    merged: dict[str, list[str]] = {}
    reviewed: bool | None = None
    for raw_key, raw in filters.items():
        key = FILTER_ALIASES.get(str(raw_key), str(raw_key))
        if key not in FILTER_KEYS:
            if strict:
                raise ValidationError(
                    {"filters": _("Unknown filter: %(name)s.") % {"name": str(raw_key)[:40]}}
                )
            continue
        if key == "reviewed":
            flag = _reviewed(raw, strict)
            reviewed = flag if flag is not None else reviewed
            continue
        merged.setdefault(key, []).extend(_values(raw, strict))
    cleaned: dict[str, Any] = {}
    for key, values in merged.items():
        result = _clean_values(key, values, strict)
        if result:
            cleaned[key] = sorted(set(result), key=lambda value: (str(type(value)), value))
    if reviewed is not None:
        cleaned["reviewed"] = reviewed
    return {key: cleaned[key] for key in FILTER_KEYS if key in cleaned}


def _reviewed(raw: Any, strict: bool) -> bool | None:
    """True (peer reviewed only), False (not reviewed only) or None (both: no filter)."""
    if isinstance(raw, bool):
        return raw
    flags = set()
    for value in _values(raw, strict) if raw not in (None, "") else []:
        word = value.lower()
        if word in TRUE_WORDS:
            flags.add(True)
        elif word in FALSE_WORDS:
            flags.add(False)
        elif strict:
            raise _filter_error("reviewed", value)
    return flags.pop() if len(flags) == 1 else None


def _clean_values(key: str, values: list[str], strict: bool) -> list[Any]:
    if not values:
        return []
    if key == "kinds":
        return _known([value.lower() for value in values], ResourceKind.values, key, strict)
    if key == "languages":
        codes = [code for code, _name in settings.LANGUAGES]
        return _known([value.lower() for value in values], codes, key, strict)
    if key == "years":
        years = []
        for value in values:
            if value.isdigit() and 1900 <= int(value) <= 2100:
                years.append(int(value))
            elif strict:
                raise _filter_error(key, value)
        return years
    if key in ("objectives", "principles", "themes"):
        prefix, width, kind = {
            "objectives": ("GCM-O", 0, "objective"),
            "principles": ("GCM-GP-", 0, "guiding-principle"),
            "themes": ("MIGOF-TA-", 2, "thematic-area"),
        }[key]
        codes = [
            GENERAL
            if key == "objectives" and value.lower() == GENERAL
            else _framework_code(value, prefix, width)
            for value in values
        ]
        known = [
            *FrameworkItem.objects.filter(code__in=codes, kind=kind).values_list("code", flat=True),
            *([GENERAL] if key == "objectives" else []),
        ]
        return _known(codes, known, key, strict)
    if key == "regions":
        codes = [value.zfill(3) if value.isdigit() else value for value in values]
        known = Region.objects.filter(m49_code__in=codes).values_list("m49_code", flat=True)
        return _known(codes, known, key, strict)
    # countries: ISO alpha-3, alpha-2 accepted and stored as alpha-3
    upper = [value.upper() for value in values]
    rows = dict(
        Country.objects.filter(Q(alpha3__in=upper) | Q(alpha2__in=upper)).values_list(
            "alpha3", "alpha2"
        )
    )
    by_alpha2 = {alpha2: alpha3 for alpha3, alpha2 in rows.items()}
    result = []
    for value in upper:
        code = value if value in rows else by_alpha2.get(value)
        if code:
            result.append(code)
        elif strict:
            raise _filter_error(key, value)
    return result


def filters_from_query(params: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """(search words, filters) from a search page's query string (a QueryDict or a dict);
    unknown parameters and values are left out. Uses the search page's own `parse_filters`
    when `knowledge.search` has one, so a saved search keeps what the page showed."""
    getlist = getattr(params, "getlist", None)

    def values(name: str) -> list[str]:
        if getlist is not None:
            return list(getlist(name))
        value = params.get(name)
        return (
            [] if value is None else (list(value) if isinstance(value, list | tuple) else [value])
        )

    words = next((value for value in values("q") if isinstance(value, str)), "")
    from .. import search as hub_search

    parser = getattr(hub_search, "parse_filters", None)
    if parser is not None:
        try:
            parsed = parser(params)
        except (TypeError, ValueError, ValidationError):
            parsed = None
        if isinstance(parsed, Mapping):
            return words, clean_filters(_plain(parsed), strict=False)
    raw: dict[str, list[str]] = {}
    for name in list(params.keys()):
        key = FILTER_ALIASES.get(name, name)
        if key in FILTER_KEYS:
            raw.setdefault(key, []).extend(str(value) for value in values(name))
    return words, clean_filters(raw, strict=False)


def _plain(parsed: Mapping[str, Any]) -> dict[str, Any]:
    """The search helper's filters as codes: model rows become their code."""
    result: dict[str, Any] = {}
    for key, value in parsed.items():
        items = value if isinstance(value, list | tuple | set | frozenset) else [value]
        plain = []
        for item in items:
            if isinstance(item, FrameworkItem):
                plain.append(item.code)
            elif isinstance(item, Country):
                plain.append(item.alpha3)
            elif isinstance(item, Region):
                plain.append(item.m49_code)
            elif isinstance(item, bool):
                plain.append("true" if item else "false")
            elif item not in (None, ""):
                plain.append(str(item))
        result[key] = plain
    return result


def search_querystring(query: str, filters: Mapping[str, Any]) -> str:
    """The search page's query string for these words and filters (the search page's own
    `filters_to_querystring` when `knowledge.search` has one)."""
    from urllib.parse import urlencode

    from .. import search as hub_search

    builder = getattr(hub_search, "filters_to_querystring", None)
    if builder is not None:
        try:
            text = str(builder(dict(filters)))
        except (TypeError, ValueError):
            text = ""
        else:
            text = text.lstrip("?")
            prefix = urlencode({"q": query}) if query else ""
            return "&".join(part for part in (prefix, text) if part)
    pairs: list[tuple[str, str]] = [("q", query)] if query else []
    singular = {plural: name for name, plural in FILTER_ALIASES.items() if name != "type"}
    singular.update({"principles": "principle", "languages": "language"})
    for key in FILTER_KEYS:
        if key not in filters:
            continue
        if key == "reviewed":
            pairs.append(("reviewed", "1" if filters[key] else "0"))
            continue
        pairs.extend((singular.get(key, key), str(value)) for value in filters[key])
    return urlencode(pairs)


def apply_filters(queryset: QuerySet[Resource], filters: Mapping[str, Any]) -> QuerySet[Resource]:
    """Resources of `queryset` matching every filter (any value of each); `filters` in the
    stored form."""
    related = {
        "objectives": "objectives__code__in",
        "principles": "principles__code__in",
        "themes": "themes__code__in",
        "countries": "countries__alpha3__in",
    }
    for key, values in filters.items():
        if key == "reviewed":
            queryset = queryset.filter(peer_reviewed=bool(values))
            continue
        if not values:
            continue
        if key == "kinds":
            queryset = queryset.filter(kind__in=values)
        elif key == "years":
            queryset = queryset.filter(year__in=values)
        elif key == "languages":
            queryset = queryset.filter(
                Q(language__in=values)
                | Q(pk__in=Resource.objects.filter(translations__language__in=values).values("pk"))
            )
        elif key == "regions":
            inside = (
                Q(regions__m49_code__in=values)
                | Q(countries__region__m49_code__in=values)
                | Q(countries__sub_region__m49_code__in=values)
                | Q(countries__intermediate_region__m49_code__in=values)
            )
            queryset = queryset.filter(pk__in=Resource.objects.filter(inside).values("pk"))
        elif key == "objectives" and GENERAL in values:
            codes = [value for value in values if value != GENERAL]
            queryset = queryset.filter(
                Q(is_general=True)
                | Q(pk__in=Resource.objects.filter(objectives__code__in=codes).values("pk"))
            )
        elif key in related:
            queryset = queryset.filter(
                pk__in=Resource.objects.filter(**{related[key]: values}).values("pk")
            )
    return queryset


def describe_filters(filters: Mapping[str, Any]) -> list[str]:
    """What the filters mean, in words, in the active language: "GCM objective 3: ..." """
    labels: list[str] = []
    items = {
        row.code: row
        for row in FrameworkItem.objects.filter(
            code__in=[
                *filters.get("objectives", ()),
                *filters.get("principles", ()),
                *filters.get("themes", ()),
            ]
        )
    }

    def in_order(key: str) -> list[str]:
        return sorted(
            filters.get(key, ()),
            key=lambda code: (items[code].position, code) if code in items else (-1, code),
        )

    for code in in_order("objectives"):
        if code == GENERAL:
            labels.append(_("The GCM in general"))
            continue
        row = items.get(code)
        title = (row.short_title or row.title) if row else ""
        number = row.number if row else code
        labels.append(
            _("GCM objective %(number)s: %(title)s") % {"number": number, "title": title}
            if title
            else _("GCM objective %(number)s") % {"number": number}
        )
    for code in in_order("principles"):
        row = items.get(code)
        labels.append(
            _("Guiding principle: %(title)s")
            % {"title": row.short_title or row.title if row else code}
        )
    for code in in_order("themes"):
        row = items.get(code)
        labels.append(
            _("Thematic area: %(title)s") % {"title": row.short_title or row.title if row else code}
        )
    kinds = dict(ResourceKind.choices)
    labels += [
        _("Kind: %(kind)s") % {"kind": kinds.get(kind, kind)} for kind in filters.get("kinds", ())
    ]
    regions = dict(
        Region.objects.filter(m49_code__in=filters.get("regions", ())).values_list(
            "m49_code", "name"
        )
    )
    labels += [
        _("Region: %(name)s") % {"name": regions.get(code, code)}
        for code in filters.get("regions", ())
    ]
    countries = dict(
        Country.objects.filter(alpha3__in=filters.get("countries", ())).values_list(
            "alpha3", "name"
        )
    )
    labels += [
        _("Country: %(name)s") % {"name": countries.get(code, code)}
        for code in filters.get("countries", ())
    ]
    languages = dict(settings.LANGUAGES)
    labels += [
        _("Language: %(language)s") % {"language": languages.get(code, code)}
        for code in filters.get("languages", ())
    ]
    labels += [_("Year: %(year)s") % {"year": year} for year in filters.get("years", ())]
    if "reviewed" in filters:
        labels.append(_("Peer reviewed") if filters["reviewed"] else _("Not peer reviewed"))
    return labels


# --- Saved searches -----------------------------------------------------------------------------


def _owner(actor: Any) -> Any:
    require(actor, "knowledge.post")
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to save a search."))
    return actor


def _own(actor: Any, saved: SavedSearch) -> None:
    if actor is None:  # the system itself
        return
    if not getattr(actor, "is_authenticated", False) or saved.user_id != actor.pk:
        raise PermissionDenied(_("Only the person who saved this search can change it."))


def _clean_text(value: Any, field: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({field: _("Give this as text.")})
    text = " ".join(CONTROL_CHARACTERS.sub(" ", value).split())
    if len(text) > limit:
        raise ValidationError(
            {field: _("Keep this under %(count)s characters.") % {"count": limit}}
        )
    return text


def _clean_frequency(frequency: Any) -> str:
    if frequency not in DigestFrequency.values:
        raise ValidationError(
            {
                "frequency": _("Choose how often to be e-mailed: %(choices)s.")
                % {"choices": ", ".join(str(label) for label in DigestFrequency.labels)}
            }
        )
    return str(frequency)


def default_name(query: str, filters: Mapping[str, Any]) -> str:
    """A name for a search saved without one: its words, then what its filters mean."""
    parts = [f"“{query}”"] if query else []
    parts += describe_filters(filters)
    name = "; ".join(parts) or _("All new resources")
    return name if len(name) <= MAX_NAME else name[: MAX_NAME - 1] + "…"


def _audit_values(saved: SavedSearch) -> dict[str, Any]:
    # Never the feed token: whoever reads the audit trail must not read the private feed.
    return {
        "name": saved.name,
        "query": saved.query,
        "filters": saved.filters,
        "frequency": saved.frequency,
    }


def saved_searches_for(user: Any) -> QuerySet[SavedSearch]:
    """The person's own saved searches (nobody reads another's)."""
    if not getattr(user, "is_authenticated", False):
        return SavedSearch.objects.none()
    return SavedSearch.objects.filter(user=user).order_by("name", "pk")


def existing_search(user: Any, query: str, filters: Mapping[str, Any]) -> SavedSearch | None:
    """The person's saved search with exactly these words and (stored-form) filters, if any."""
    for saved in saved_searches_for(user).filter(query=query):
        if clean_filters(saved.filters, strict=False) == dict(filters):
            return saved
    return None


@transaction.atomic
def save_search(
    actor: Any,
    *,
    name: str = "",
    query: str = "",
    filters: Mapping[str, Any] | None = None,
    frequency: str = DigestFrequency.DAILY,
) -> SavedSearch:
    """Keep a search for `actor`, with e-mail alerts at `frequency` (immediate, daily, weekly
    or none) and a private feed. Without a name, one is made from the words and filters."""
    user = _owner(actor)
    query = _clean_text(query, "query", MAX_QUERY)
    cleaned = clean_filters(filters, strict=True)
    frequency = _clean_frequency(frequency)
    name = _clean_text(name, "name", MAX_NAME) or default_name(query, cleaned)
    if SavedSearch.objects.filter(user=user).count() >= MAX_SAVED_SEARCHES:
        raise ValidationError(
            _("You have %(count)s saved searches, the most one person can keep: delete one first.")
            % {"count": MAX_SAVED_SEARCHES}
        )
    saved = SavedSearch.objects.create(
        user=user, name=name, query=query, filters=cleaned, frequency=frequency
    )
    audit.record(
        actor,
        AuditAction.CREATE,
        saved,
        changes={key: [None, value] for key, value in _audit_values(saved).items()},
    )
    return saved


@transaction.atomic
def subscribe(
    actor: Any, *, field: str, value: str, frequency: str = DigestFrequency.DAILY
) -> tuple[SavedSearch, bool]:
    """Follow one objective, region, country, kind, theme or guiding principle: a saved search
    with only that filter. Returns (the search, whether it is new); following the same thing
    twice keeps the first."""
    _owner(actor)
    key = FILTER_ALIASES.get(str(field), str(field))
    if key not in SUBSCRIBABLE:
        raise ValidationError({"field": _("This cannot be followed.")})
    filters = clean_filters({key: [value]}, strict=True)
    if not filters:
        raise ValidationError({"filters": _("Choose what to follow.")})
    found = existing_search(actor, "", filters)
    if found is not None:
        return found, False
    return save_search(actor, name="", query="", filters=filters, frequency=frequency), True


@transaction.atomic
def update_search(
    actor: Any,
    saved: SavedSearch,
    *,
    name: str | None = None,
    frequency: str | None = None,
) -> SavedSearch:
    """Rename a saved search or change how often it e-mails."""
    _own(actor, saved)
    current = SavedSearch.objects.select_for_update().get(pk=saved.pk)
    before = _audit_values(current)
    if name is not None:
        current.name = _clean_text(name, "name", MAX_NAME) or current.name
    if frequency is not None:
        current.frequency = _clean_frequency(frequency)
    current.save(update_fields=["name", "frequency", "updated_at"])
    changes = audit.diff(before, _audit_values(current))
    if changes:
        audit.record(actor, AuditAction.UPDATE, current, changes=changes)
    return current


@transaction.atomic
def regenerate_feed_token(actor: Any, saved: SavedSearch) -> SavedSearch:
    """A new private feed address; the old one answers 404 from now on."""
    _own(actor, saved)
    current = SavedSearch.objects.select_for_update().get(pk=saved.pk)
    current.feed_token = new_token()
    current.save(update_fields=["feed_token", "updated_at"])
    audit.record(actor, AuditAction.UPDATE, current, metadata={"feed_token": "regenerated"})
    return current


@transaction.atomic
def delete_search(actor: Any, saved: SavedSearch) -> None:
    """Forget a saved search: no more e-mails, and its feed answers 404."""
    _own(actor, saved)
    audit.record(
        actor,
        AuditAction.DELETE,
        saved,
        changes={key: [value, None] for key, value in _audit_values(saved).items()},
    )
    SavedSearch.objects.filter(pk=saved.pk).delete()


# --- Matches and alerts ---------------------------------------------------------------------------


def search_resources(
    user: Any, query: str, filters: Mapping[str, Any], since: datetime | None = None
) -> QuerySet[Resource]:
    """Published resources `user` may see that match the words and (stored-form) filters,
    published after `since`, newest first."""
    queryset = selectors.resources_for(user).filter(
        status=ResourceStatus.PUBLISHED, published_at__isnull=False
    )
    queryset = apply_filters(queryset, filters)
    query = plain_text(query).strip()[:MAX_QUERY]
    if query and core_search.query_terms(query):
        queryset = core_search.filter_queryset(queryset, query)
    if since is not None:
        queryset = queryset.filter(published_at__gt=since)
    return queryset.prefetch_related("translations").order_by("-published_at", "-pk")


def matching_resources(saved: SavedSearch, since: datetime | None = None) -> QuerySet[Resource]:
    """The published resources matching a saved search (words and filters) that its owner may
    see, published after `since`, newest first."""
    return search_resources(
        saved.user, saved.query, clean_filters(saved.filters, strict=False), since
    )


def _alert(saved: SavedSearch, since: datetime, now: datetime) -> int:
    """Claim the window (since, now] of one saved search and e-mail its new matches; returns
    how many e-mails were queued (0 or 1). Runs inside the caller's transaction."""
    if not claim_window(SavedSearch, saved.pk, "last_alerted_at", saved.last_alerted_at, now):
        # another run took this window
        return 0
    matches = matching_resources(saved, since).filter(published_at__lte=now)
    shown = list(matches[: MAX_ALERT_ITEMS + 1])
    if not shown:
        return 0
    total = len(shown) if len(shown) <= MAX_ALERT_ITEMS else matches.count()
    shown = shown[:MAX_ALERT_ITEMS]
    return notify(
        [saved.user],
        translated_later(
            gettext_noop("New on the Migration Network Hub for “%(name)s”"), name=saved.name[:80]
        ),
        "alert_new_resources.txt",
        {
            "saved": saved,
            "resources": shown,
            "count": total,
            "more": total - len(shown),
            "frequency": saved.frequency,
            "site_url": site_url(),
            "manage_path": _path("knowledge:saved_search_list"),
            "search_path": _path("knowledge:saved_search_detail", pk=saved.pk),
        },
    )


def send_alerts(*, frequency: str, now: datetime | None = None) -> int:
    """E-mail the owner of each saved search of `frequency` the resources published since their
    last alert (or since the search was saved); nothing when there is nothing new. A second run
    sends nothing already sent. Returns how many e-mails were sent. Called by the scheduler
    (daily, weekly) through `tasks_alerts`, and, for "immediate" searches, as a catch-up."""
    if frequency == DigestFrequency.NONE:
        return 0
    if frequency not in ALERT_FREQUENCIES:
        raise ValidationError(
            {
                "frequency": _("Alerts are sent %(choices)s.")
                % {"choices": ", ".join(str(value) for value in ALERT_FREQUENCIES)}
            }
        )
    now = now or timezone.now()
    sent = 0
    searches = (
        SavedSearch.objects.filter(frequency=frequency, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    for saved in searches.iterator(chunk_size=500):
        last = saved.last_alerted_at
        if last is not None and last >= now:
            continue
        with transaction.atomic():
            sent += _alert(saved, last or saved.created_at, now)
    return sent


def _facts(resource: Resource) -> dict[str, set[Any]]:
    """What the filters look at, for one resource, read once."""
    countries = list(
        resource.countries.select_related("region", "sub_region", "intermediate_region")
    )
    regions = {row.m49_code for row in resource.regions.all()}
    for country in countries:
        for region in (country.region, country.sub_region, country.intermediate_region):
            if region is not None:
                regions.add(region.m49_code)
    return {
        "kinds": {resource.kind},
        "objectives": {
            *resource.objectives.values_list("code", flat=True),
            *([GENERAL] if resource.is_general else []),
        },
        "principles": set(resource.principles.values_list("code", flat=True)),
        "themes": set(resource.themes.values_list("code", flat=True)),
        "regions": regions,
        "countries": {country.alpha3 for country in countries},
        "languages": {resource.language, *resource.translations.values_list("language", flat=True)},
        "years": {resource.year} if resource.year else set(),
    }


def _filters_may_match(
    filters: Mapping[str, Any], facts: Mapping[str, set[Any]], reviewed: bool
) -> bool:
    for key, values in filters.items():
        if key == "reviewed":
            if bool(values) != reviewed:
                return False
        elif values and not facts.get(key, set()) & set(values):
            return False
    return True


def send_publish_alerts(resource_id: int, *, now: datetime | None = None) -> int:
    """E-mail the owners of the "immediate" saved searches that a newly published resource
    matches (with anything else new for them since their last alert). Returns how many e-mails
    were sent. Run after the publication commits (see `alert_on_publish`)."""
    resource = (
        Resource.objects.filter(pk=resource_id, status=ResourceStatus.PUBLISHED)
        .exclude(published_at__isnull=True)
        .first()
    )
    if resource is None:
        return 0
    now = now or timezone.now()
    facts = _facts(resource)
    sent = 0
    searches = (
        SavedSearch.objects.filter(frequency=DigestFrequency.IMMEDIATE, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    for saved in searches.iterator(chunk_size=500):
        filters = clean_filters(saved.filters, strict=False)
        if not _filters_may_match(filters, facts, resource.peer_reviewed):
            continue
        last = saved.last_alerted_at
        if last is not None and last >= now:
            continue
        with transaction.atomic():
            sent += _alert(saved, last or saved.created_at, now)
    return sent


def _publish_alerts_after_commit(resource_id: int) -> None:
    from ..tasks_alerts import send_publish_alerts_task

    send_publish_alerts_task.enqueue(resource_id)


def alert_on_publish(resource: Resource) -> None:
    """Call when `resource` is published (peer review's decision, an import): once the
    publishing transaction commits, the "immediate" saved searches it matches are e-mailed (by
    the task backend: at once with the immediate backend, else by the worker). Safe inside the
    publishing transaction: nothing is sent if it rolls back, and a failure to alert is logged,
    never undoing the publication."""
    if resource.status != ResourceStatus.PUBLISHED:
        return
    transaction.on_commit(partial(_publish_alerts_after_commit, resource.pk), robust=True)
