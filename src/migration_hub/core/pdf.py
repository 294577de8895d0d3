"""PDF documents printed from HTML with WeasyPrint, which fetches nothing."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


class PdfUnavailable(RuntimeError):
    """WeasyPrint cannot load the Pango library it draws text with (a system package)."""


def url_fetcher() -> Any:
    """A WeasyPrint URL fetcher that refuses every URL except a data: URI."""
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # pragma: no cover - WeasyPrint before the URLFetcher class (< 68)
        from weasyprint import default_url_fetcher

        def fetch(url: str, *args: Any, **kwargs: Any) -> Any:
            if not url.lower().startswith("data:"):
                raise ValueError(f"reports fetch nothing: {url}")
            return default_url_fetcher(url, *args, **kwargs)

        return fetch

    class DataOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.lower().startswith("data:"):
                raise ValueError(f"reports fetch nothing: {url}")
            return super().fetch(url, headers)

    return DataOnly(allowed_protocols=["data"], timeout=1)


def weasyprint_html(alternative: str) -> Any:
    """WeasyPrint's HTML class; PdfUnavailable, naming `alternative`, when Pango is missing."""
    try:
        from weasyprint import HTML
    except OSError as error:  # WeasyPrint loads Pango with ctypes when it is imported.
        raise PdfUnavailable(
            _(
                "PDF reports need the Pango library on the server (Debian or Ubuntu: "
                "apt-get install libpango-1.0-0 libpangoft2-1.0-0). %(alternative)s"
            )
            % {"alternative": alternative}
        ) from error
    return HTML
