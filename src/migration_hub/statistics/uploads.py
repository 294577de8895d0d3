"""Uploaded files, written to a private temporary file that the importers can open by path."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile

ALLOWED_SUFFIXES = {".csv", ".xlsx", ".xls"}


@contextmanager
def uploaded_to_path(upload: UploadedFile) -> Iterator[Path]:
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        suffix = ".csv"
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
        handle.flush()
        yield Path(handle.name)
