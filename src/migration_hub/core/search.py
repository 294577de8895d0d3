"""One full-text search interface over SQLite FTS5 and PostgreSQL tsvector.

A model opts in with `register(Model)` and a `search_document()` method returning
`(title, body)`; `register` may also say how to read the object's facets (filter values such as
a kind, objectives or countries), its date for "newest first", and which queryset to rebuild
the index from. Services call `index_object` / `remove_object` in the same transaction as the
write, so the index never disagrees with the data. Text is normalised here (case-folded,
accents stripped, split into words) before either engine sees it, so both engines match the
same words: every query word must match the start of a word in the document.

Reading the index:

- `filter_queryset` / `search_queryset`: `?q=` for a list (a queryset filter).
- `search_hits`: every matching object of a model with its relevance (bm25 on SQLite,
  `ts_rank` on PostgreSQL), facet tokens and date, optionally limited by facet values (AND
  between facets, OR between the values of one facet). Apps count facets and sort from these.
- `suggest`: "did you mean": each query word that starts no indexed word is replaced by the
  nearest indexed word (rapidfuzz), from FTS5's vocabulary table on SQLite and `ts_stat` on
  PostgreSQL (cached until the index changes).
- `highlight`: a text with the query's words in `<mark>`, HTML-escaped otherwise, cut to a
  window around the first match.

Whatever a person types is reduced to words (`query_terms`) before it reaches either engine,
so FTS syntax (quotes, `*`, `NEAR`, `AND`, parentheses, `-`, `:`, `^`) and NUL characters are
plain text here and never raise.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import html
import json
import re
import sys
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connections, models, router
from django.db.models.expressions import RawSQL
from django.utils.dateparse import parse_datetime
from django.utils.safestring import SafeString, mark_safe
from rapidfuzz import process
from rapidfuzz.distance import OSA

from .models import SearchDocument

WORD = re.compile(r"[^\W_]+", re.UNICODE)
MAX_QUERY_TERMS = 16
# Longer input is cut before it is normalised: no one types a 100,000-character query.
MAX_QUERY_CHARACTERS = 2000
# Relative weights of the title and the body in bm25 (the facets column counts for nothing).
TITLE_WEIGHT, BODY_WEIGHT = 5.0, 1.0
FACET_UNSAFE = re.compile(r"[^0-9a-z-]")
FACET_ESCAPE = re.compile(r"\.([0-9a-f]+)\.")
VOCABULARY_CACHE_SECONDS = 3600


class Searchable(Protocol):
    pk: Any

    def search_document(self) -> tuple[str, str]: ...


# What a bulk reader gives for one object: (pk, title, body, facets, date).
Entry = tuple[Any, str, str, Mapping[str, Iterable[Any]], "dt.datetime | dt.date | None"]


@dataclass(frozen=True)
class Registration:
    """How one model is indexed besides its `search_document()`."""

    facets: Callable[[Any], Mapping[str, Iterable[Any]]] | None = None
    dated: Callable[[Any], dt.datetime | dt.date | None] | None = None
    queryset: Callable[[], models.QuerySet] | None = None
    documents: Callable[[list[Any]], Iterable[Entry]] | None = None


_registry: dict[type[models.Model], Registration] = {}


def register(
    model: type[models.Model],
    *,
    facets: Callable[[Any], Mapping[str, Iterable[Any]]] | None = None,
    dated: Callable[[Any], dt.datetime | dt.date | None] | None = None,
    queryset: Callable[[], models.QuerySet] | None = None,
    documents: Callable[[list[Any]], Iterable[Entry]] | None = None,
) -> None:
    """Make a model searchable; it must define `search_document() -> (title, body)`.

    `facets(obj)` returns `{name: values}` to filter and count by; `dated(obj)` the date a
    "newest first" sort uses (default: `updated_at` where the model has it); `queryset()` the
    rows `rebuild` reads. `documents(pks)`, for large models, reads many objects at once
    without building model instances and yields `(pk, title, body, facets, date)` for each,
    exactly what `search_document`, `facets` and `dated` give one object (tested). Registering
    again replaces the options.
    """
    if not callable(getattr(model, "search_document", None)):
        raise TypeError(f"{model.__name__} needs a search_document() method to be searchable")
    _registry[model] = Registration(
        facets=facets, dated=dated, queryset=queryset, documents=documents
    )


def is_registered(model: type[models.Model]) -> bool:
    return model in _registry


def registered_models() -> list[type[models.Model]]:
    return sorted(_registry, key=lambda model: model._meta.label)


def clean_query(query: str | None) -> str:
    """What a person typed, safe to process: no NUL characters (PostgreSQL refuses them in
    text), at most MAX_QUERY_CHARACTERS, outer spaces removed."""
    return (query or "")[:MAX_QUERY_CHARACTERS].replace("\x00", "").strip()


@functools.cache
def _combining_marks() -> dict[int, None]:
    """Every combining character, for `str.translate` to remove (built once, ~0.3 s)."""
    return {code: None for code in range(sys.maxunicode + 1) if unicodedata.combining(chr(code))}


def normalise(text: str) -> str:
    """Lower case, no accents, words separated by one space."""
    text = text or ""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).translate(_combining_marks())
    return " ".join(WORD.findall(text.casefold()))


def query_terms(query: str) -> list[str]:
    return normalise(clean_query(query)).split()[:MAX_QUERY_TERMS]


def _facet_part(text: object) -> str:
    return FACET_UNSAFE.sub(lambda match: f".{ord(match.group()):x}.", str(text).casefold())


def facet_token(name: str, value: object) -> str:
    """`name=value` as one index token: lower case; characters other than a-z, 0-9 and `-`
    written as `.<hex>.`, so the token survives both engines' tokenisers whole."""
    return f"{_facet_part(name)}={_facet_part(value)}"


def split_facet_token(token: str) -> tuple[str, str]:
    """The (name, value) of a facet token, as `facet_token` lower-cased them."""
    name, _, value = token.partition("=")

    def decode(text: str) -> str:
        return FACET_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)

    return decode(name), decode(value)


def _as_datetime(value: dt.datetime | dt.date | None) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time.min, tzinfo=dt.UTC)


def _entry_values(
    title: str, body: str, facets: Mapping[str, Iterable[Any]], dated: Any
) -> dict[str, Any]:
    """The stored form of one object: normalised text, facet tokens in a canonical order."""
    tokens = {
        facet_token(name, value)
        for name, values in facets.items()
        for value in values
        if value is not None and value != ""
    }
    return {
        "title": normalise(title),
        "body": normalise(body),
        "facets": " ".join(sorted(tokens)),
        "dated": _as_datetime(dated),
    }


def _document_values(obj: Searchable) -> dict[str, Any]:
    title, body = obj.search_document()
    options = _registry.get(type(obj), Registration())  # type: ignore[call-overload]
    facets = options.facets(obj) if options.facets is not None else {}
    dated = options.dated(obj) if options.dated is not None else getattr(obj, "updated_at", None)
    return _entry_values(title, body, facets, dated)


def index_object(obj: Searchable) -> None:
    """Add or refresh one object's entry in the index."""
    SearchDocument.objects.update_or_create(
        target_type=ContentType.objects.get_for_model(obj),
        target_id=str(obj.pk),
        defaults=_document_values(obj),
    )
    _changed_index()


def remove_object(obj: Searchable) -> None:
    SearchDocument.objects.filter(
        target_type=ContentType.objects.get_for_model(obj), target_id=str(obj.pk)
    ).delete()
    _changed_index()


def rebuild(
    model: type[models.Model],
    *,
    progress: Callable[[int], None] | None = None,
    batch_size: int = 500,
) -> int:
    """Re-index every row of a model; returns how many were indexed."""
    content_type = ContentType.objects.get_for_model(model)
    SearchDocument.objects.filter(target_type=content_type).delete()
    options = _registry.get(model, Registration())
    queryset = options.queryset() if options.queryset else model._default_manager.all()
    count = 0

    _changed_index()

    def write(batch: list[SearchDocument]) -> None:
        nonlocal count
        SearchDocument.objects.bulk_create(batch)
        count += len(batch)
        if progress:
            progress(len(batch))

    if options.documents is not None:
        pks = list(queryset.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pks), batch_size):
            write(
                [
                    SearchDocument(
                        target_type=content_type,
                        target_id=str(pk),
                        **_entry_values(title, body, facets, dated),
                    )
                    for pk, title, body, facets, dated in options.documents(
                        pks[start : start + batch_size]
                    )
                ]
            )
        return count
    batch: list[SearchDocument] = []
    for obj in queryset.order_by("pk").iterator(chunk_size=batch_size):
        batch.append(
            SearchDocument(
                target_type=content_type,
                target_id=str(obj.pk),
                **_document_values(obj),  # type: ignore[arg-type]
            )
        )
        if len(batch) >= batch_size:
            write(batch)
            batch = []
    if batch:
        write(batch)
    return count


def optimise(using: str | None = None) -> None:
    """Merge the index into its most compact form (after a large rebuild or import): FTS5's
    `optimize` and `ANALYZE` on SQLite (statistics for every table, so that the planner looks
    rows up by id rather than scanning an index of a common value), `VACUUM ANALYZE` of the
    table on PostgreSQL (outside a transaction only)."""
    connection = connections[using or router.db_for_write(SearchDocument)]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "INSERT INTO core_searchdocument_fts(core_searchdocument_fts) VALUES ('optimize')"
            )
            cursor.execute("ANALYZE")
        elif connection.vendor == "postgresql":
            if connection.in_atomic_block:
                cursor.execute("ANALYZE core_searchdocument")
            else:
                cursor.execute("VACUUM ANALYZE core_searchdocument")


# --- Matching ---------------------------------------------------------------------------------


def _fts_expression(terms: Iterable[str], groups: Iterable[list[str]] = ()) -> str:
    """An FTS5 query: every term as a prefix of a word in the title or body, and for each group
    one of its facet tokens. Terms hold only letters and digits (see WORD) and tokens only
    a-z, 0-9, `-`, `.` and `=` (see facet_token), so quoting them is safe."""
    parts = []
    terms = list(terms)
    if terms:
        parts.append("{title body} : (" + " AND ".join(f'"{term}"*' for term in terms) + ")")
    for tokens in groups:
        parts.append("facets : (" + " OR ".join(f'"{token}"' for token in tokens) + ")")
    return " AND ".join(parts)


def _tsquery(terms: Iterable[str]) -> str:
    return " & ".join(f"{term}:*" for term in terms)


def _vendor(using: str) -> str:
    vendor = connections[using].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise NotImplementedError(f"full-text search is not available on {vendor}")
    return vendor


def _match_sql(terms: Iterable[str], vendor: str) -> tuple[str, list[str]]:
    """SQL selecting the matching target ids, for the connection's engine."""
    terms = list(terms)
    if vendor == "postgresql":
        return (
            "SELECT d.target_id FROM core_searchdocument d WHERE d.target_type_id = %s AND "
            "d.search_vector @@ to_tsquery('simple', %s)",
            [_tsquery(terms)],
        )
    return (
        "SELECT d.target_id FROM core_searchdocument d WHERE d.target_type_id = %s AND "
        "d.id IN (SELECT rowid FROM core_searchdocument_fts WHERE core_searchdocument_fts "
        "MATCH %s)",
        [_fts_expression(terms)],
    )


def search_queryset(
    queryset: models.QuerySet, query: str, *, fallback_fields: Iterable[str] = ()
) -> models.QuerySet:
    """`?q=` for any list: the full-text index where the model is registered, else a
    case-insensitive match on any of `fallback_fields`; an empty query changes nothing."""
    query = clean_query(query)
    if not query:
        return queryset
    if is_registered(queryset.model):
        return filter_queryset(queryset, query)
    condition = models.Q()
    for field in fallback_fields:
        condition |= models.Q(**{f"{field}__icontains": query})
    return queryset.filter(condition) if condition else queryset


def filter_queryset(queryset: models.QuerySet, query: str) -> models.QuerySet:
    """Rows of `queryset` whose indexed text matches every word of `query` (as prefixes)."""
    model = queryset.model
    if model not in _registry:
        raise TypeError(f"{model.__name__} is not registered for full-text search")
    terms = query_terms(query)
    if not terms:
        return queryset
    vendor = _vendor(queryset.db)
    sql, params = _match_sql(terms, vendor)
    content_type = ContentType.objects.db_manager(queryset.db).get_for_model(model)
    pk_field = model._meta.pk
    if vendor == "postgresql":
        cast = "bigint" if isinstance(pk_field, models.AutoField | models.IntegerField) else "text"
        sql = sql.replace("SELECT d.target_id", f"SELECT CAST(d.target_id AS {cast})", 1)
    # Parameters are bound; the SQL text holds no user input (terms are passed as params).
    return queryset.filter(pk__in=RawSQL(sql, [content_type.pk, *params]))  # noqa: S611


class Hit(NamedTuple):
    """One matching object: its primary key as text, its relevance (higher is better; 0 when
    the query has no words), its facet tokens separated by spaces, and its date in seconds
    since the epoch (None when it has none)."""

    target_id: str
    score: float
    facets: str
    dated: float | None


def search_hits(
    model: type[models.Model],
    query: str = "",
    *,
    facets: Mapping[str, Iterable[Any]] | None = None,
    using: str | None = None,
) -> list[Hit]:
    """Every indexed object of `model` matching the words of `query` (every word as a prefix,
    in the title or the body) and, for each facet name in `facets` with values, one of them.

    Unordered; no words and no facets returns every indexed object of the model (score 0).
    """
    if model not in _registry:
        raise TypeError(f"{model.__name__} is not registered for full-text search")
    using = using or router.db_for_read(SearchDocument)
    vendor = _vendor(using)
    terms = query_terms(query)
    groups = [
        sorted({facet_token(name, value) for value in values})
        for name, values in (facets or {}).items()
        if values
    ]
    groups = [tokens for tokens in groups if tokens]
    content_type = ContentType.objects.db_manager(using).get_for_model(model)
    if vendor == "sqlite":
        dated = "(julianday(d.dated) - 2440587.5) * 86400.0"
        if terms or groups:
            score = (
                f"-bm25(core_searchdocument_fts, {TITLE_WEIGHT}, {BODY_WEIGHT}, 0.0)"
                if terms
                else "0.0"
            )
            sql = (
                f"SELECT d.target_id, {score}, d.facets, {dated} "  # noqa: S608
                "FROM core_searchdocument_fts "
                "JOIN core_searchdocument d ON d.id = core_searchdocument_fts.rowid "
                "WHERE core_searchdocument_fts MATCH %s AND d.target_type_id = %s"
            )
            params: list[Any] = [_fts_expression(terms, groups), content_type.pk]
        else:
            sql = (
                f"SELECT d.target_id, 0.0, d.facets, {dated} FROM core_searchdocument d "  # noqa: S608
                "WHERE d.target_type_id = %s"
            )
            params = [content_type.pk]
    else:
        conditions = ["d.target_type_id = %s"]
        params = []
        score = "0.0"
        if terms:
            score = "ts_rank(d.search_vector, to_tsquery('simple', %s))"
            params.append(_tsquery(terms))
            conditions.append("d.search_vector @@ to_tsquery('simple', %s)")
        params.append(content_type.pk)
        if terms:
            params.append(_tsquery(terms))
        single = [tokens[0] for tokens in groups if len(tokens) == 1]
        if single:
            conditions.append("string_to_array(d.facets, ' ') @> %s::text[]")
            params.append(single)
        for tokens in groups:
            if len(tokens) > 1:
                conditions.append("string_to_array(d.facets, ' ') && %s::text[]")
                params.append(tokens)
        sql = (
            f"SELECT d.target_id, {score}, d.facets, "  # noqa: S608
            "EXTRACT(EPOCH FROM d.dated)::float8 FROM core_searchdocument d "
            f"WHERE {' AND '.join(conditions)}"
        )
    # The SQL text is built from constants only; every value (terms, tokens, ids) is a parameter.
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return [Hit(*row) for row in cursor.fetchall()]


# --- Faceted search ---------------------------------------------------------------------------
#
# Facet counts need, for each value of each facet, how many matching objects carry it: over
# tens of thousands of matches, reading every matching row's facets costs far too much (about
# 2 microseconds a row on SQLite, before Python counts them). So each process keeps, per model,
# a bitmap of the objects holding each facet token (a Python int, bit n = SearchDocument n),
# like a search engine's column store. A query then costs one full-text lookup of its words
# (the ids of the matching documents) and a few bitmap ANDs and popcounts per facet value.
#
# Freshness: before each use the cache asks the database for the type's latest `updated_at`
# (an index lookup) and re-reads the documents changed since then (minus a minute, for
# transactions that committed late). Deletions are noticed by the row count, checked whenever
# this process wrote to the index and at least every FACET_CACHE_CHECK_SECONDS; the matches of
# a query with words come from the full-text index itself, so a deleted object never matches.
# Everything is re-read every FACET_CACHE_RELOAD_SECONDS as a safety net.

FACET_CACHE_CHECK_SECONDS = 30.0
FACET_CACHE_RELOAD_SECONDS = 600.0
FACET_CACHE_LATE_COMMIT = dt.timedelta(minutes=1)
SMALL_MATCH_COUNT = 2000
_local_generation = 0


def _changed_index() -> None:
    """This process wrote to the index: facet caches check their row count next time."""
    global _local_generation
    _local_generation += 1


class _FacetCache:
    """Facet tokens of every indexed object of one model, as bitmaps."""

    def __init__(self) -> None:
        self.bytes: dict[str, bytearray] = {}
        self.ints: dict[str, int] = {}
        self.by_facet: dict[str, set[str]] = {}
        self.doc_tokens: dict[int, tuple[str, ...]] = {}
        self.target: dict[int, str] = {}
        self.rowid: dict[str, int] = {}
        self.dated: dict[int, float | None] = {}
        self.stamp: Any = None
        self.generation = -1
        self.checked_at = 0.0
        self.loaded_at = 0.0

    def _set(self, token: str, rowid: int, on: bool) -> None:
        array = self.bytes.get(token)
        if array is None:
            if not on:
                return
            array = self.bytes[token] = bytearray()
            self.by_facet.setdefault(token.partition("=")[0], set()).add(token)
        index = rowid >> 3
        if index >= len(array):
            if not on:
                return
            array.extend(bytes(index + 1 - len(array) + 1024))
        if on:
            array[index] |= 1 << (rowid & 7)
        else:
            array[index] &= ~(1 << (rowid & 7)) & 0xFF
        self.ints.pop(token, None)

    def put(self, rowid: int, target_id: str, facets: str, dated: float | None) -> None:
        self.drop(rowid)
        tokens = tuple(sys.intern(token) for token in facets.split())
        for token in (*tokens, ""):  # "" is the set of every object
            self._set(token, rowid, True)
        self.doc_tokens[rowid] = tokens
        self.target[rowid] = target_id
        self.rowid[target_id] = rowid
        self.dated[rowid] = dated

    def drop(self, rowid: int) -> None:
        tokens = self.doc_tokens.pop(rowid, None)
        if tokens is None:
            return
        for token in (*tokens, ""):
            self._set(token, rowid, False)
        self.rowid.pop(self.target.pop(rowid, ""), None)
        self.dated.pop(rowid, None)

    def bits(self, token: str) -> int:
        value = self.ints.get(token)
        if value is None:
            array = self.bytes.get(token)
            value = int.from_bytes(array, "little") if array else 0
            self.ints[token] = value
        return value


_facet_caches: dict[tuple[str, int], _FacetCache] = {}
_facet_lock = threading.Lock()


def _dated_sql(vendor: str) -> str:
    if vendor == "sqlite":
        return "(julianday(dated) - 2440587.5) * 86400.0"
    return "EXTRACT(EPOCH FROM dated)::float8"


def _facet_cache(using: str, content_type_id: int) -> _FacetCache:
    """The model's facet cache, brought up to date (see the comment above)."""
    connection = connections[using]
    vendor = _vendor(using)
    key = (using, content_type_id)
    cache = _facet_caches.get(key)
    now = time.monotonic()
    select = (
        f"SELECT id, target_id, facets, {_dated_sql(vendor)} FROM core_searchdocument "  # noqa: S608
        "WHERE target_type_id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT max(updated_at) FROM core_searchdocument WHERE target_type_id = %s",
            [content_type_id],
        )
        stamp = cursor.fetchone()[0]
        if cache is not None and (
            now - cache.loaded_at > FACET_CACHE_RELOAD_SECONDS
            or (
                stamp != cache.stamp
                and (stamp is None or cache.stamp is None or stamp < cache.stamp)
            )
        ):
            cache = None  # too old, or the latest change went away (deleted, rolled back)
        if cache is not None and (stamp != cache.stamp or cache.generation != _local_generation):
            since = cache.stamp
            if isinstance(since, str):
                since = parse_datetime(since)
            if since is not None:
                since = connection.ops.adapt_datetimefield_value(since - FACET_CACHE_LATE_COMMIT)
                cursor.execute(select + " AND updated_at >= %s", [content_type_id, since])
                changed = cursor.fetchall()
            else:
                changed = []
            if len(changed) > max(1000, len(cache.doc_tokens) // 10):
                cache = None  # a rebuild: read everything again
            else:
                for rowid, target_id, facets, dated in changed:
                    cache.put(rowid, target_id, facets, dated)
                cache.stamp = stamp
        if cache is not None and (
            cache.generation != _local_generation
            or now - cache.checked_at > FACET_CACHE_CHECK_SECONDS
        ):
            cursor.execute(
                "SELECT count(*) FROM core_searchdocument WHERE target_type_id = %s",
                [content_type_id],
            )
            if cursor.fetchone()[0] != len(cache.doc_tokens):
                cache = None  # something was deleted: read everything again
            else:
                cache.generation, cache.checked_at = _local_generation, now
        if cache is None:
            cache = _FacetCache()
            cursor.execute(select, [content_type_id])
            for rowid, target_id, facets, dated in cursor.fetchall():
                cache.put(rowid, target_id, facets, dated)
            cache.stamp = stamp
            cache.generation, cache.checked_at, cache.loaded_at = _local_generation, now, now
            _facet_caches[key] = cache
    return cache


_BIT = [1 << n for n in range(8)]
_NONZERO_BYTE = re.compile(rb"[^\x00]")


def _bitmap(rowids: list[int]) -> int:
    """A bitmap of ascending ids (bit n set for id n)."""
    if not rowids:
        return 0
    array = bytearray((rowids[-1] >> 3) + 1)
    bit = _BIT
    for rowid in rowids:
        array[rowid >> 3] |= bit[rowid & 7]
    return int.from_bytes(array, "little")


def _ids(bitmap: int) -> list[int]:
    """The ids whose bit is set, ascending (scanning only the non-zero bytes)."""
    array = bitmap.to_bytes((bitmap.bit_length() + 7) // 8, "little")
    ids = []
    for match in _NONZERO_BYTE.finditer(array):
        position = match.start()
        byte = array[position]
        base = position << 3
        ids.extend(base + n for n in range(8) if byte >> n & 1)
    return ids


class Match(NamedTuple):
    """One object of a faceted search: its primary key as text, relevance (0 without words or
    when not ranked), date in seconds since the epoch, and whether it carries `mark`."""

    target_id: str
    score: float
    dated: float | None
    marked: bool


@dataclass
class Faceted:
    """The objects matching the words, the scope and every filter, with the facet counts."""

    matches: list[Match]
    counts: dict[str, dict[str, int]]

    @property
    def total(self) -> int:
        return len(self.matches)


def _groups_bits(cache: _FacetCache, groups: Mapping[str, Iterable[Any]]) -> dict[str, int]:
    """Per facet name, the objects carrying any of its values."""
    result = {}
    for name, values in groups.items():
        bits = 0
        for value in values:
            bits |= cache.bits(facet_token(name, value))
        result[name] = bits
    return result


def faceted_search(
    model: type[models.Model],
    query: str = "",
    *,
    filters: Mapping[str, Iterable[Any]] | None = None,
    count: Iterable[str] = (),
    scope: Mapping[str, Iterable[Any]] | None = None,
    also: Iterable[str] = (),
    mark: tuple[str, Any] | None = None,
    rank: bool = True,
    using: str | None = None,
) -> Faceted:
    """Objects of `model` matching every word of `query` (as word prefixes) and every facet
    filter (AND between facets, OR between one facet's values), within `scope` (facet values
    that must hold, e.g. a published status) or among the ids in `also`.

    `counts[name][value]`, for each facet in `count`, is the number of objects there would be
    with the facet's own filter replaced by that value: the words, the scope and the *other*
    facets' filters apply ("multi-select" facets). Relevance is bm25 on SQLite and ts_rank on
    PostgreSQL, computed for the matches only; `rank=False` leaves it at 0.
    """
    if model not in _registry:
        raise TypeError(f"{model.__name__} is not registered for full-text search")
    using = using or router.db_for_read(SearchDocument)
    vendor = _vendor(using)
    content_type = ContentType.objects.db_manager(using).get_for_model(model)
    with _facet_lock:  # one search at a time reads or refreshes the caches of a process
        return _faceted(
            content_type.pk, vendor, using, query, filters, count, scope, also, mark, rank
        )


def _faceted(
    content_type_id: int,
    vendor: str,
    using: str,
    query: str,
    filters: Mapping[str, Iterable[Any]] | None,
    count: Iterable[str],
    scope: Mapping[str, Iterable[Any]] | None,
    also: Iterable[str],
    mark: tuple[str, Any] | None,
    rank: bool,
) -> Faceted:
    cache = _facet_cache(using, content_type_id)
    terms = query_terms(query)
    everything = cache.bits("")
    selected = {name: list(values) for name, values in (filters or {}).items() if values}
    tokens = [
        sorted({facet_token(name, value) for value in values}) for name, values in selected.items()
    ]
    with connections[using].cursor() as cursor:
        if terms:
            # Every object counted matches all filters but at most one: with two filters or
            # more, the full-text index is asked only for those (far fewer than the words
            # alone match, and FTS5 skips through its lists instead of reading them whole).
            either = (
                [[group for group in tokens if group is not left_out] for left_out in tokens]
                if len(tokens) >= 2
                else []
            )
            if vendor == "sqlite":
                expression = _fts_expression(terms)
                if either:
                    expression += (
                        " AND ("
                        + " OR ".join("(" + _fts_expression((), groups) + ")" for groups in either)
                        + ")"
                    )
                cursor.execute(
                    "SELECT rowid FROM core_searchdocument_fts WHERE core_searchdocument_fts "
                    "MATCH %s ORDER BY rowid",
                    [expression],
                )
            else:
                condition, params = "", []
                if either:
                    condition = (
                        " AND ("
                        + " OR ".join(
                            "("
                            + " AND ".join(
                                ["string_to_array(facets, ' ') && %s::text[]"] * len(groups)
                            )
                            + ")"
                            for groups in either
                        )
                        + ")"
                    )
                    params = [group for groups in either for group in groups]
                cursor.execute(
                    "SELECT id FROM core_searchdocument WHERE target_type_id = %s AND "  # noqa: S608
                    f"search_vector @@ to_tsquery('simple', %s){condition} ORDER BY id",
                    [content_type_id, _tsquery(terms), *params],
                )
            words = _bitmap([row[0] for row in cursor.fetchall()]) & everything
        else:
            words = everything
        base = words
        if scope is not None:
            allowed = everything
            for bits in _groups_bits(cache, scope).values():
                allowed &= bits
            for target_id in also:
                rowid = cache.rowid.get(str(target_id))
                if rowid is not None:
                    allowed |= 1 << rowid
            base &= allowed
        groups = _groups_bits(cache, selected)
        found = base
        for bits in groups.values():
            found &= bits
        rowids = _ids(found)
        counts: dict[str, dict[str, int]] = {}
        # Few matches: counting their tokens beats an AND per facet value.
        tallied = (
            Counter(token for rowid in rowids for token in cache.doc_tokens[rowid])
            if len(rowids) <= SMALL_MATCH_COUNT
            else None
        )
        for name in count:
            prefix = _facet_part(name) + "="
            values: dict[str, int] = {}
            if tallied is not None and name not in groups:
                for token, number in tallied.items():
                    if token.startswith(prefix):
                        values[split_facet_token(token)[1]] = number
            else:
                within = base
                for other, bits in groups.items():
                    if other != name:
                        within &= bits
                for token in cache.by_facet.get(_facet_part(name), ()):
                    number = (within & cache.bits(token)).bit_count()
                    if number:
                        values[split_facet_token(token)[1]] = number
            counts[name] = values
        scores: dict[int, float] = {}
        if terms and rank and rowids:
            if vendor == "sqlite":
                cursor.execute(
                    f"SELECT rowid, -bm25(core_searchdocument_fts, {TITLE_WEIGHT}, "  # noqa: S608
                    f"{BODY_WEIGHT}, 0.0) FROM core_searchdocument_fts "
                    "WHERE core_searchdocument_fts MATCH %s "
                    # `+` keeps SQLite from handing the id list to FTS5 (one lookup per id).
                    "AND +rowid IN (SELECT value FROM json_each(%s))",
                    [_fts_expression(terms), json.dumps(rowids)],
                )
            else:
                cursor.execute(
                    "SELECT id, ts_rank(search_vector, to_tsquery('simple', %s)) "
                    "FROM core_searchdocument WHERE id = ANY(%s)",
                    [_tsquery(terms), rowids],
                )
            scores = dict(cursor.fetchall())
    marked = cache.bits(facet_token(*mark)) if mark else 0
    flags = marked.to_bytes((marked.bit_length() + 7) // 8, "little")
    size = len(flags)
    return Faceted(
        matches=[
            Match(
                cache.target[rowid],
                scores.get(rowid, 0.0),
                cache.dated.get(rowid),
                (rowid >> 3) < size and bool(flags[rowid >> 3] >> (rowid & 7) & 1),
            )
            for rowid in rowids
        ],
        counts=counts,
    )


# --- Suggestions ------------------------------------------------------------------------------


def _vocabulary_pg(using: str) -> tuple[list[str], dict[str, int]]:
    """Every indexed word and how many documents hold it, from `ts_stat`; cached until the
    index changes (its row count or latest update moves)."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT count(*), max(updated_at) FROM core_searchdocument")
        generation = cursor.fetchone()
        stamp = generation[1].timestamp() if generation[1] else 0
        key = f"core.search.vocabulary.{using}.{generation[0]}.{stamp}"
        cached = cache.get(key)
        if cached is None:
            cursor.execute(
                "SELECT word, ndoc FROM ts_stat('SELECT search_vector FROM core_searchdocument')"
            )
            counts = dict(cursor.fetchall())
            cached = (sorted(counts), counts)
            cache.set(key, cached, VOCABULARY_CACHE_SECONDS)
    return cached


def _first_letter_range(letter: str) -> tuple[str, str]:
    return letter, chr(ord(letter) + 1)


def _starts_a_word(term: str, using: str, vendor: str) -> bool:
    if vendor == "sqlite":
        with connections[using].cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM core_searchdocument_vocab WHERE term >= %s AND term < %s "
                "AND instr(term, '=') = 0 LIMIT 1",
                [term, term + "\U0010ffff"],
            )
            return cursor.fetchone() is not None
    words, _counts = _vocabulary_pg(using)
    index = bisect.bisect_left(words, term)
    return index < len(words) and words[index].startswith(term)


def _candidates(term: str, using: str, vendor: str) -> dict[str, int]:
    """Indexed words that could be `term` mistyped: those starting with its first or second
    letter (a wrong first letter is rarer), about as long as it."""
    letters = {term[0], term[1]} if len(term) > 1 else {term[0]}
    found: dict[str, int] = {}
    if vendor == "sqlite":
        with connections[using].cursor() as cursor:
            for letter in letters:
                cursor.execute(
                    "SELECT term, doc FROM core_searchdocument_vocab "
                    "WHERE term >= %s AND term < %s",
                    list(_first_letter_range(letter)),
                )
                found.update(cursor.fetchall())
    else:
        words, counts = _vocabulary_pg(using)
        for letter in letters:
            low, high = _first_letter_range(letter)
            for word in words[bisect.bisect_left(words, low) : bisect.bisect_left(words, high)]:
                found[word] = counts[word]
    return {
        word: count
        for word, count in found.items()
        if "=" not in word and abs(len(word) - len(term)) <= 2
    }


def _closest(term: str, using: str, vendor: str) -> str | None:
    """The indexed word nearest to `term`: fewest edits (a transposition counts as one), then
    the most documents; at most one edit for words of up to four letters, two beyond."""
    if len(term) < 3 or term.isdigit():
        return None
    limit = 1 if len(term) <= 4 else 2
    candidates = _candidates(term, using, vendor)
    if not candidates:
        return None
    nearest = process.extract(
        term, list(candidates), scorer=OSA.distance, score_cutoff=limit, limit=20
    )
    if not nearest:
        return None
    best = min(nearest, key=lambda match: (match[1], -candidates[match[0]], match[0]))
    return str(best[0])


def suggest(query: str, *, using: str | None = None) -> str | None:
    """The query with each word that starts no indexed word replaced by the nearest indexed
    word, or None when no word changes."""
    using = using or router.db_for_read(SearchDocument)
    vendor = _vendor(using)
    terms = query_terms(query)
    corrected, changed = [], False
    for term in terms:
        if _starts_a_word(term, using, vendor):
            corrected.append(term)
            continue
        replacement = _closest(term, using, vendor)
        if replacement:
            corrected.append(replacement)
            changed = True
        else:
            corrected.append(term)
    return " ".join(corrected) if changed else None


# --- Highlighting -----------------------------------------------------------------------------


def highlight(text: str, query: str | Iterable[str], *, length: int | None = None) -> SafeString:
    """`text` HTML-escaped, with every word that starts with a word of `query` in `<mark>`.

    With `length`, only a window of about that many characters is kept, starting a little
    before the first match (or at the start), with an ellipsis where text was cut.
    """
    text = text or ""
    terms = query_terms(query) if isinstance(query, str) else list(query)
    matches = []
    if terms:
        prefixes = tuple(terms)
        for word in WORD.finditer(text):
            found = word.group()
            folded = found.casefold() if found.isascii() else normalise(found)
            if folded.startswith(prefixes):
                matches.append((word.start(), word.end()))
    start, end = 0, len(text)
    if length is not None and len(text) > length:
        if matches and matches[0][0] > length // 4:
            start = matches[0][0] - length // 4
            space = text.rfind(" ", 0, start)
            start = space + 1 if space >= 0 and start - space < 20 else start
        end = min(len(text), start + length)
        space = text.find(" ", end)
        end = space if 0 <= space < end + 20 else end
    parts = ["…"] if start > 0 else []
    position = start
    for match_start, match_end in matches:
        if match_end <= start or match_start >= end:
            continue
        match_start, match_end = max(match_start, start), min(match_end, end)
        parts.append(html.escape(text[position:match_start]))
        parts.append(f"<mark>{html.escape(text[match_start:match_end])}</mark>")
        position = match_end
    parts.append(html.escape(text[position:end]))
    if end < len(text):
        parts.append("…")
    return mark_safe("".join(parts))  # noqa: S308  (every piece of text is escaped above)
