"""One full-text search interface over SQLite FTS5 and PostgreSQL tsvector.

A model opts in with `register(Model)` and a `search_document()` method returning
`(title, body)`. Services call `index_object` / `remove_object` in the same transaction as the
write, so the index never disagrees with the data. Text is normalised here (case-folded,
accents stripped, split into words) before either engine sees it, so both engines match the
same words: every query word must match the start of a word in the document.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models.expressions import RawSQL

from .models import SearchDocument

WORD = re.compile(r"[^\W_]+", re.UNICODE)
MAX_QUERY_TERMS = 16

_registry: set[type[models.Model]] = set()


class Searchable(Protocol):
    pk: Any

    def search_document(self) -> tuple[str, str]: ...


def register(model: type[models.Model]) -> None:
    """Make a model searchable; it must define `search_document() -> (title, body)`."""
    if not callable(getattr(model, "search_document", None)):
        raise TypeError(f"{model.__name__} needs a search_document() method to be searchable")
    _registry.add(model)


def is_registered(model: type[models.Model]) -> bool:
    return model in _registry


def registered_models() -> list[type[models.Model]]:
    return sorted(_registry, key=lambda model: model._meta.label)


def normalise(text: str) -> str:
    """Lower case, no accents, words separated by one space."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(WORD.findall(stripped.casefold()))


def query_terms(query: str) -> list[str]:
    return normalise(query).split()[:MAX_QUERY_TERMS]


def _document_values(obj: Searchable) -> tuple[str, str]:
    title, body = obj.search_document()
    return normalise(title), normalise(body)


def index_object(obj: Searchable) -> None:
    """Add or refresh one object's entry in the index."""
    title, body = _document_values(obj)
    SearchDocument.objects.update_or_create(
        target_type=ContentType.objects.get_for_model(obj),
        target_id=str(obj.pk),
        defaults={"title": title, "body": body},
    )


def remove_object(obj: Searchable) -> None:
    SearchDocument.objects.filter(
        target_type=ContentType.objects.get_for_model(obj), target_id=str(obj.pk)
    ).delete()


def rebuild(
    model: type[models.Model],
    *,
    progress: Callable[[int], None] | None = None,
    batch_size: int = 500,
) -> int:
    """Re-index every row of a model; returns how many were indexed."""
    content_type = ContentType.objects.get_for_model(model)
    SearchDocument.objects.filter(target_type=content_type).delete()
    count = 0
    batch: list[SearchDocument] = []
    for obj in model._default_manager.order_by("pk").iterator(chunk_size=batch_size):
        title, body = _document_values(obj)  # type: ignore[arg-type]
        batch.append(
            SearchDocument(target_type=content_type, target_id=str(obj.pk), title=title, body=body)
        )
        if len(batch) >= batch_size:
            SearchDocument.objects.bulk_create(batch)
            count += len(batch)
            if progress:
                progress(len(batch))
            batch = []
    if batch:
        SearchDocument.objects.bulk_create(batch)
        count += len(batch)
        if progress:
            progress(len(batch))
    return count


def _match_sql(terms: Iterable[str]) -> tuple[str, list[str]]:
    """SQL selecting the matching target ids, for the connection's engine."""
    terms = list(terms)
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"{term}:*" for term in terms)
        return (
            "SELECT d.target_id FROM core_searchdocument d WHERE d.target_type_id = %s AND "
            "to_tsvector('simple', d.title || ' ' || d.body) @@ to_tsquery('simple', %s)",
            [tsquery],
        )
    if connection.vendor == "sqlite":
        # Terms hold only letters and digits (see WORD), so quoting them is safe.
        fts_query = " AND ".join(f'"{term}"*' for term in terms)
        return (
            "SELECT d.target_id FROM core_searchdocument d WHERE d.target_type_id = %s AND "
            "d.id IN (SELECT rowid FROM core_searchdocument_fts WHERE core_searchdocument_fts "
            "MATCH %s)",
            [fts_query],
        )
    raise NotImplementedError(f"full-text search is not available on {connection.vendor}")


def search_queryset(
    queryset: models.QuerySet, query: str, *, fallback_fields: Iterable[str] = ()
) -> models.QuerySet:
    """`?q=` for any list: the full-text index where the model is registered, else a
    case-insensitive match on any of `fallback_fields`; an empty query changes nothing."""
    # PostgreSQL refuses NUL characters in text; no one searches for them.
    query = (query or "").replace("\x00", "").strip()
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
    sql, params = _match_sql(terms)
    content_type = ContentType.objects.get_for_model(model)
    pk_field = model._meta.pk
    if connection.vendor == "postgresql":
        cast = "bigint" if isinstance(pk_field, models.AutoField | models.IntegerField) else "text"
        sql = sql.replace("SELECT d.target_id", f"SELECT CAST(d.target_id AS {cast})", 1)
    # Parameters are bound; the SQL text holds no user input (terms are passed as params).
    return queryset.filter(pk__in=RawSQL(sql, [content_type.pk, *params]))  # noqa: S611
