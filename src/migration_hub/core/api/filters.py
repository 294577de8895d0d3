from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from rest_framework.filters import BaseFilterBackend
from rest_framework.request import Request

from .. import search


class FullTextSearchFilter(BaseFilterBackend):
    """`?q=` on every list: the full-text index where the model is indexed, else
    case-insensitive matching on the view's `search_fields`."""

    param = "q"

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        query = request.query_params.get(self.param, "").strip()
        if not query:
            return queryset
        if search.is_registered(queryset.model):
            return search.filter_queryset(queryset, query)
        fields = getattr(view, "search_fields", [])
        if not fields:
            return queryset
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": query})
        return queryset.filter(condition)

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
