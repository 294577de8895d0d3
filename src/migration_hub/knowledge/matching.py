"""Ranking by overlap, shared by "find experts", reviewer suggestions and the Connection Hub:
each shared objective, theme, language or place adds to a score, and each adds a reason the
person can read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Match:
    """One candidate (an expert, an offer, a reviewer) with its score and why it matched."""

    item: Any
    score: float
    reasons: list[str] = field(default_factory=list)


def shared(wanted: Iterable[Any], offered: Iterable[Any]) -> list[Any]:
    """What appears in both, in the order of `wanted`."""
    offered_set = set(offered)
    return [value for value in wanted if value in offered_set]


def ranked(matches: Iterable[Match], limit: int | None = None) -> list[Match]:
    """Best first; ties keep a stable order by the candidate's string form."""
    result = sorted(
        (match for match in matches if match.score > 0),
        key=lambda match: (-match.score, str(match.item)),
    )
    return result[:limit] if limit else result
