"""Bare views: the same JSON as the API, built by hand with `.values()` and `JsonResponse`.

No authentication, permission, throttling, filtering or serializer: what these do not do is
what a benchmark against them measures.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from migration_hub.core.models import Country

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
COUNTRY_FIELDS = ("alpha2", "alpha3", "m49_code", "name", "official_name")
REGION_FIELDS = ("region", "sub_region", "intermediate_region")
# DRF's JSONRenderer writes compact UTF-8; match it byte for byte.
JSON_PARAMS = {"ensure_ascii": False, "separators": (",", ":")}


def _non_negative(raw: str | None, default: int) -> int:
    try:
        value = int(raw or "")
    except ValueError:
        return default
    return value if value >= 0 else default


def _page_link(base: str, limit: int, offset: int) -> str:
    # Same query layout as DRF's replace_query_param/remove_query_param (sorted keys).
    return f"{base}?limit={limit}" if offset <= 0 else f"{base}?limit={limit}&offset={offset}"


@require_GET
def bare_countries(request: HttpRequest) -> JsonResponse:
    limit = _non_negative(request.GET.get("limit"), DEFAULT_LIMIT) or DEFAULT_LIMIT
    limit = min(limit, MAX_LIMIT)
    offset = _non_negative(request.GET.get("offset"), 0)
    countries = Country.objects.all()
    count = countries.count()
    region_columns = [f"{field}__m49_code" for field in REGION_FIELDS]
    rows = countries.values(*COUNTRY_FIELDS, *region_columns)[offset : offset + limit]
    results = [
        {
            **{field: row[field] for field in COUNTRY_FIELDS},
            **{
                field: row[column]
                for field, column in zip(REGION_FIELDS, region_columns, strict=True)
            },
        }
        for row in rows
    ]
    base = request.build_absolute_uri(request.path)
    return JsonResponse(
        {
            "count": count,
            "next": _page_link(base, limit, offset + limit) if offset + limit < count else None,
            "previous": _page_link(base, limit, offset - limit) if offset > 0 else None,
            "results": results,
        },
        json_dumps_params=JSON_PARAMS,
    )
