"""Files of Hub resources: PDF and Word (DOCX) only, checked by size and by their first bytes,
and their text extracted for search (pypdf, python-docx). A file that cannot be read (corrupt,
or locked with a password) is refused with a message naming it; nothing is stored."""

from __future__ import annotations

import io
import logging
import zipfile
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from migration_hub.core.files import DOCX, PDF, file_type

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# Search needs the words, not whole books: longer text is cut here.
MAX_TEXT_CHARACTERS = 1_000_000
MAX_PDF_PAGES = 2_000
# A Word file is a zip: a small upload can unpack to gigabytes ("zip bomb"). Real documents
# unpack to a few times their size; these limits leave room for large ones with images.
MAX_DOCX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_DOCX_RATIO = 200
PDF_TYPE = PDF[1]
DOCX_TYPE = DOCX[1]


def max_bytes() -> int:
    """The size limit of one file: setting KNOWLEDGE_FILE_MAX_BYTES, 20 MB by default."""
    return int(getattr(settings, "KNOWLEDGE_FILE_MAX_BYTES", DEFAULT_MAX_BYTES))


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0")


def check_size(upload: Any) -> None:
    limit = max_bytes()
    size = getattr(upload, "size", 0) or 0
    if size > limit:
        raise ValidationError(
            {
                "file": _(
                    "%(name)s is %(size)s MB; files are limited to %(limit)s MB. Upload a "
                    "smaller file, or give a link to it instead."
                )
                % {"name": upload.name, "size": _megabytes(size), "limit": _megabytes(limit)}
            }
        )
    if size == 0:
        raise ValidationError({"file": _("%(name)s is empty.") % {"name": upload.name}})


def check_type(upload: Any) -> str:
    """The real content type (PDF or DOCX) of `upload`, from its first bytes."""
    return file_type(
        upload,
        (PDF, DOCX),
        unknown_message=_("%(name)s is not accepted: upload a PDF or a Word (.docx) file.")
        % {"name": getattr(upload, "name", "")},
    )


def _clean(text: str) -> str:
    # PostgreSQL stores no NUL character; PDFs sometimes carry them.
    text = text.replace("\x00", " ")
    return " ".join(text.split())[:MAX_TEXT_CHARACTERS]


def _unreadable(upload: Any, kind: str) -> ValidationError:
    return ValidationError(
        {
            "file": _(
                "%(name)s could not be read as a %(kind)s file: it may be damaged. Save it "
                "again from the program that made it and upload it again."
            )
            % {"name": upload.name, "kind": kind}
        }
    )


def _locked(upload: Any) -> ValidationError:
    return ValidationError(
        {
            "file": _(
                "%(name)s is protected by a password, so its text cannot be read for search. "
                "Upload a copy without a password."
            )
            % {"name": upload.name}
        }
    )


def _pdf_text(upload: Any) -> str:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise _locked(upload)
        parts = []
        for number, page in enumerate(reader.pages):
            if number >= MAX_PDF_PAGES:
                break
            parts.append(page.extract_text() or "")
    except ValidationError:
        raise
    except (NotImplementedError, DependencyError) as error:
        # An encryption pypdf cannot open without optional extras: as good as a password.
        raise _locked(upload) from error
    except Exception as error:  # any parse error of a damaged file
        # pypdf raises PyPdfError, but a damaged file also ends in ValueError, KeyError,
        # struct.error, RecursionError...: all mean the same to the person uploading.
        logger.info("unreadable PDF upload: %s", type(error).__name__)
        raise _unreadable(upload, "PDF") from error
    return _clean("\n".join(parts))


def _too_large_unpacked(upload: Any) -> ValidationError:
    return ValidationError(
        {
            "file": _(
                "%(name)s unpacks to far more than a Word document does, so it is refused. "
                "Save it again from the program that made it, or upload it as a PDF."
            )
            % {"name": upload.name}
        }
    )


def _check_unpacked_size(upload: Any, data: bytes) -> None:
    """Refuse a zip bomb before python-docx unpacks it into memory."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as error:
        raise _unreadable(upload, "Word") from error
    total = sum(member.file_size for member in members)
    worst = max((member.file_size / max(member.compress_size, 1) for member in members), default=0)
    if total > MAX_DOCX_UNPACKED_BYTES or worst > MAX_DOCX_RATIO:
        logger.info("DOCX upload refused: unpacks to %s bytes (ratio %.0f)", total, worst)
        raise _too_large_unpacked(upload)


def _docx_text(upload: Any) -> str:
    from docx import Document

    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    _check_unpacked_size(upload, data)
    try:
        document = Document(io.BytesIO(data))
        parts = [paragraph.text for paragraph in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                parts.extend(cell.text for cell in row.cells)
    except Exception as error:  # any parse error of a damaged file
        # PackageNotFoundError, zipfile.BadZipFile, lxml's XMLSyntaxError, KeyError...
        logger.info("unreadable DOCX upload: %s", type(error).__name__)
        raise _unreadable(upload, "Word") from error
    return _clean("\n".join(parts))


def extract_text(upload: Any, content_type: str) -> str:
    """The text of a checked upload, for the search index."""
    if content_type == PDF_TYPE:
        return _pdf_text(upload)
    if content_type == DOCX_TYPE:
        return _docx_text(upload)
    return ""


def check_upload(upload: Any) -> tuple[str, str]:
    """(content type, extracted text) of an upload, or ValidationError on "file" naming it."""
    check_size(upload)
    content_type = check_type(upload)
    return content_type, extract_text(upload, content_type)
