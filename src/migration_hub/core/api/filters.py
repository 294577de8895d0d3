from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.filters import BaseFilterBackend
from rest_framework.request import Request

from .. import search


class FullTextSearchFilter(BaseFilterBackend):
    """`?q=` on every list: the full-text index where the model is indexed, else
    case-insensitive matching on the view's `search_fields`."""

    param = "q"

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        return search.search_queryset(
            queryset,
            request.query_params.get(self.param, ""),
            fallback_fields=getattr(view, "search_fields", ()),
        )

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.param,
                "required": False,
                "in": "query",
                "description": "Full-text search: every word must match the start of a word.",
                "schema": {"type": "string"},
            }
        ]
