"""Downloadable fund reports: the portfolio dashboard, the financial statement (sources and
uses) and donor reports, as XLSX (openpyxl) and PDF (WeasyPrint)."""

from __future__ import annotations

from typing import Any

DOCUMENTS = ("portfolio", "statement", "donor")
FORMATS = ("xlsx", "pdf")


def render(document: str, fmt: str, *, fund: Any, donor: Any = None) -> tuple[bytes, str, str]:
    """(content, content type, file name) of `document` for `fund` in `fmt`."""
    raise NotImplementedError
