from rest_framework import pagination


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """`?limit=&offset=` with `count`, `next`, `previous`, `results` (the NetBox convention)."""

    default_limit = 50
    max_limit = 1000
