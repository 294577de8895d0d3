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
- `faceted_search`: matches, bm25 relevance and multi-select facet counts for a search page,
  answered from a per-process copy of the model's words and facets (see "Faceted search").
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
import math
import re
import sys
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

import numpy as np
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
# what a search engine keeps: a bitmap of the objects holding each facet token (a Python int,
# bit n = SearchDocument n), and an inverted index of the words of the titles and bodies
# (postings in numpy arrays, terms sorted so that the words a prefix starts are one slice). A
# query then costs a few array operations per word (matching and bm25) and a few bitmap ANDs
# and popcounts per facet value, on SQLite and PostgreSQL alike, without a database query for
# the words (asking FTS5 or a GIN index for tens of thousands of ids, then again for their
# scores, was most of a query's time).
#
# Freshness: before each use the cache asks the database for the type's latest `updated_at`
# (an index lookup) and re-reads the documents changed since then (minus a minute, for
# transactions that committed late). Deletions are noticed by the row count, checked whenever
# this process wrote to the index and at least every FACET_CACHE_CHECK_SECONDS. Everything is
# re-read every FACET_CACHE_RELOAD_SECONDS as a safety net, and when the documents changed
# since the last full read outnumber a tenth of them.

FACET_CACHE_CHECK_SECONDS = 30.0
FACET_CACHE_RELOAD_SECONDS = 600.0
FACET_CACHE_LATE_COMMIT = dt.timedelta(minutes=1)
SMALL_MATCH_COUNT = 2000
# bm25's usual constants (FTS5 uses the same).
BM25_K1, BM25_B = 1.2, 0.75
_local_generation = 0


def _changed_index() -> None:
    """This process wrote to the index: facet caches check their row count next time."""
    global _local_generation
    _local_generation += 1


def _word_weights(title: str, body: str) -> tuple[dict[str, float], int]:
    """Each word of a normalised title and body with its weighted count (a title word counts
    TITLE_WEIGHT times), and the number of words."""
    title_words, body_words = title.split(), body.split()
    weights: dict[str, float] = {}
    for word in title_words:
        weights[word] = weights.get(word, 0.0) + TITLE_WEIGHT
    for word in body_words:
        weights[word] = weights.get(word, 0.0) + BODY_WEIGHT
    return weights, len(title_words) + len(body_words)


class _Words:
    """The words of one model's documents as postings: for the terms in sorted order, the
    documents holding each and its weighted count there. Built once from every document;
    documents changed afterwards are kept apart (`changed`) until the next full read."""

    def __init__(self, rowids: list[int], titles: list[str], bodies: list[str]) -> None:
        # Vectorised: every word of every document in one list, then numpy groups the
        # (term, document) pairs; a Python loop per word took 3-4 times as long.
        words: list[str] = []
        counts: list[int] = []  # per document: title words, body words
        for title, body in zip(titles, bodies, strict=True):
            title_words, body_words = title.split(), body.split()
            words += title_words
            words += body_words
            counts += (len(title_words), len(body_words))
        self.terms = sorted(dict.fromkeys(words))
        term_rank = {term: rank for rank, term in enumerate(self.terms)}
        positions = np.fromiter(map(term_rank.__getitem__, words), np.int64, len(words))
        per_part = np.asarray(counts, dtype=np.int64)
        documents = np.asarray(rowids, dtype=np.int64)
        size = int(documents.max()) + 1 if len(rowids) else 0
        part_weights = np.tile(np.asarray([TITLE_WEIGHT, BODY_WEIGHT], np.float32), len(rowids))
        word_rows = np.repeat(np.repeat(documents, 2), per_part)
        word_weights = np.repeat(part_weights, per_part)
        # By term, documents ascending within a term (a stable sort of rows read in id order).
        # A word twice in a document is two postings: `frequencies` adds them up.
        order = np.argsort(positions, kind="stable")
        self.rows = word_rows[order].astype(np.int32)
        self.weights = word_weights[order]
        self.offsets = np.searchsorted(positions[order], np.arange(len(self.terms) + 1))
        self.size = size
        self.lengths = np.zeros(size, dtype=np.float32)
        self.lengths[documents] = per_part.reshape(-1, 2).sum(axis=1) if len(rowids) else 0
        self.total_length = float(self.lengths.sum())
        self.in_postings = np.zeros(size, dtype=bool)
        self.in_postings[documents] = True
        self.outdated = 0  # documents of the postings changed or deleted since
        self.changed: dict[int, dict[str, float]] = {}

    def _grow(self, rowid: int) -> None:
        if rowid < self.size:
            return
        size = max(rowid + 1, self.size * 5 // 4 + 64)
        self.lengths = np.concatenate([self.lengths, np.zeros(size - self.size, np.float32)])
        self.in_postings = np.concatenate([self.in_postings, np.zeros(size - self.size, bool)])
        self.size = size

    def put(self, rowid: int, counted: dict[str, float], length: int) -> None:
        self.drop(rowid)
        self._grow(rowid)
        self.changed[rowid] = counted
        self.lengths[rowid] = length
        self.total_length += length

    def drop(self, rowid: int) -> None:
        if rowid >= self.size:
            return
        if self.in_postings[rowid]:
            self.in_postings[rowid] = False
            self.outdated += 1
        self.changed.pop(rowid, None)
        self.total_length -= float(self.lengths[rowid])
        self.lengths[rowid] = 0

    def frequencies(self, prefix: str) -> np.ndarray:
        """Per document id, the weighted count of the words starting with `prefix` (bm25's
        term frequency of a prefix query, as FTS5 counts it)."""
        low = bisect.bisect_left(self.terms, prefix)
        high = bisect.bisect_left(self.terms, prefix + "\U0010ffff", low)
        start, end = self.offsets[low], self.offsets[high]
        found = np.bincount(
            self.rows[start:end], weights=self.weights[start:end], minlength=self.size
        )[: self.size]
        if self.outdated:
            found[~self.in_postings] = 0.0
        for rowid, counted in self.changed.items():
            found[rowid] = sum(
                weight for term, weight in counted.items() if term.startswith(prefix)
            )
        return found


class _FacetCache:
    """Facet tokens of every indexed object of one model, as bitmaps, and their words."""

    def __init__(self) -> None:
        self.bytes: dict[str, bytearray] = {}
        self.ints: dict[str, int] = {}
        self.by_facet: dict[str, set[str]] = {}
        self.doc_tokens: dict[int, tuple[str, ...]] = {}
        self.target: dict[int, str] = {}
        self.rowid: dict[str, int] = {}
        self.dated: dict[int, float | None] = {}
        self.words: _Words | None = None
        self.stamp: Any = None
        self.generation = -1
        self.checked_at = 0.0
        self.loaded_at = 0.0

    def load(self, rows: Iterable[tuple[int, str, str, str, str, float | None]]) -> None:
        """Every document of the model at once (a full read)."""
        rowids, titles, bodies = [], [], []
        for rowid, target_id, facets, title, body, dated in rows:
            self.put(rowid, target_id, facets, title, body, dated)
            rowids.append(rowid)
            titles.append(title)
            bodies.append(body)
        self.words = _Words(rowids, titles, bodies)

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

    def put(
        self, rowid: int, target_id: str, facets: str, title: str, body: str, dated: float | None
    ) -> None:
        self.drop(rowid)
        tokens = tuple(sys.intern(token) for token in facets.split())
        for token in (*tokens, ""):  # "" is the set of every object
            self._set(token, rowid, True)
        self.doc_tokens[rowid] = tokens
        self.target[rowid] = target_id
        self.rowid[target_id] = rowid
        self.dated[rowid] = dated
        if self.words is not None:
            self.words.put(rowid, *_word_weights(title, body))

    def drop(self, rowid: int) -> None:
        tokens = self.doc_tokens.pop(rowid, None)
        if tokens is None:
            return
        for token in (*tokens, ""):
            self._set(token, rowid, False)
        self.rowid.pop(self.target.pop(rowid, ""), None)
        self.dated.pop(rowid, None)
        if self.words is not None:
            self.words.drop(rowid)

    def bits(self, token: str) -> int:
        value = self.ints.get(token)
        if value is None:
            array = self.bytes.get(token)
            value = int.from_bytes(array, "little") if array else 0
            self.ints[token] = value
        return value

    def match(self, terms: list[str], rank: bool) -> tuple[int, Callable[[list[int]], list]]:
        """The objects holding a word starting with each term (a bitmap), and a function
        giving the bm25 relevance of given ids (zeros with `rank` false)."""
        words = self.words
        if words is None:
            words = self.words = _Words([], [], [])
        frequencies = [words.frequencies(term) for term in terms]
        found = frequencies[0] > 0
        for more in frequencies[1:]:
            found &= more > 0
        bitmap = int.from_bytes(np.packbits(found, bitorder="little").tobytes(), "little")
        documents = max(len(self.doc_tokens), 1)
        average_length = max(words.total_length / documents, 1.0)

        def scores(rowids: list[int]) -> list:
            if not rank or not rowids:
                return [0.0] * len(rowids)
            ids = np.asarray(rowids, dtype=np.int64)
            norm = BM25_K1 * (1 - BM25_B + BM25_B * words.lengths[ids] / average_length)
            total = np.zeros(len(ids))
            for frequency in frequencies:
                holding = int(np.count_nonzero(frequency))
                idf = max(math.log((0.5 + documents - holding) / (0.5 + holding)), 1e-6)
                counted = frequency[ids]
                total += idf * counted * (BM25_K1 + 1) / (counted + norm)
            return total.tolist()

        return bitmap, scores


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
        f"SELECT id, target_id, facets, title, body, {_dated_sql(vendor)} "  # noqa: S608
        "FROM core_searchdocument WHERE target_type_id = %s"
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
            words = cache.words
            apart = len(words.changed) + words.outdated if words is not None else 0
            if len(changed) + apart > max(1000, len(cache.doc_tokens) // 10):
                cache = None  # a rebuild, or many changes: read everything again
            else:
                for row in changed:
                    cache.put(*row)
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
            cursor.execute(select + " ORDER BY id", [content_type_id])
            cache.load(cursor.fetchall())
            cache.stamp = stamp
            cache.generation, cache.checked_at, cache.loaded_at = _local_generation, now, now
            _facet_caches[key] = cache
    return cache


def _ids(bitmap: int) -> list[int]:
    """The ids whose bit is set, ascending."""
    if not bitmap:
        return []
    array = np.frombuffer(bitmap.to_bytes((bitmap.bit_length() + 7) // 8, "little"), np.uint8)
    return np.flatnonzero(np.unpackbits(array, bitorder="little")).tolist()


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
    facets' filters apply ("multi-select" facets). Relevance is bm25 (title words weigh
    TITLE_WEIGHT times a body word), the same on SQLite and PostgreSQL, computed by the
    process's word index for the matches only; `rank=False` leaves it at 0.
    """
    if model not in _registry:
        raise TypeError(f"{model.__name__} is not registered for full-text search")
    using = using or router.db_for_read(SearchDocument)
    _vendor(using)
    content_type = ContentType.objects.db_manager(using).get_for_model(model)
    with _facet_lock:  # one search at a time reads or refreshes the caches of a process
        return _faceted(content_type.pk, using, query, filters, count, scope, also, mark, rank)


def _faceted(
    content_type_id: int,
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
    if terms:
        words, scores = cache.match(terms, rank)
        words &= everything
    else:
        words, scores = everything, None
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
    relevance = scores(rowids) if scores is not None else [0.0] * len(rowids)
    marked = cache.bits(facet_token(*mark)) if mark else 0
    flags = marked.to_bytes((marked.bit_length() + 7) // 8, "little")
    size = len(flags)
    return Faceted(
        matches=[
            Match(
                cache.target[rowid],
                score,
                cache.dated.get(rowid),
                (rowid >> 3) < size and bool(flags[rowid >> 3] >> (rowid & 7) & 1),
            )
            for rowid, score in zip(rowids, relevance, strict=True)
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
