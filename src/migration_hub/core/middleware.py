from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _


class RequestBodyLimitMiddleware:
    """Answer 413 to a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE before anything reads it.

    Django alone would raise RequestDataTooBig (a 400) once a view reads the body; a client
    needs to know the body was too large, not malformed. File uploads (multipart) have their own,
    larger limit (MAX_UPLOAD_BYTES); apps check what they accept within it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw_length = request.META.get("CONTENT_LENGTH") or "0"
        is_upload = request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data")
        try:
            length = int(raw_length)
        except ValueError:
            return JsonResponse({"detail": _("Content-Length is not a number.")}, status=400)
        if is_upload:
            limit = settings.MAX_UPLOAD_BYTES
        if limit is not None and length > limit:
            return JsonResponse(
                {
                    "detail": _("The request body is %(size)s bytes; the limit is %(limit)s bytes.")
                    % {"size": length, "limit": limit}
                },
                status=413,
            )
        return self.get_response(request)


class RejectNulCharactersMiddleware:
    """Answer 400 to a URL holding a NUL character (%00).

    PostgreSQL refuses NUL in text, so a lookup such as /api/registry/organizations/%00/ would
    otherwise fail as a server error; form and serializer fields already reject NUL themselves.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            return JsonResponse({"detail": _("The address contains a NUL character.")}, status=400)
        return self.get_response(request)
