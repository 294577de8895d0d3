"""What an uploaded file really is, told by its first bytes ("magic bytes"), not by its name.

Shared by every upload: review attachments and Hub resource files. A file whose name promises
one type while its content is another is refused with a message naming the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# (first bytes, content type, the file name endings that promise that content)
Signature = tuple[bytes, str, tuple[str, ...]]

PDF: Signature = (b"%PDF-", "application/pdf", (".pdf",))
ZIP: Signature = (
    b"PK\x03\x04",
    "application/zip",
    (".docx", ".xlsx", ".pptx", ".odt", ".ods"),
)
PNG: Signature = (b"\x89PNG\r\n\x1a\n", "image/png", (".png",))
JPEG: Signature = (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg"))
# Word documents are zip archives; the name ending says which kind of archive is promised.
DOCX: Signature = (
    b"PK\x03\x04",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
)

FILE_SIGNATURES: tuple[Signature, ...] = (PDF, ZIP, PNG, JPEG)
HEAD_BYTES = 8


def read_head(upload: Any, size: int = HEAD_BYTES) -> bytes:
    """The first `size` bytes of an upload, leaving it rewound."""
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head or b""


def file_type(
    upload: Any,
    signatures: Sequence[Signature] = FILE_SIGNATURES,
    *,
    field: str = "file",
    unknown_message: str = "",
) -> str:
    """The content type of `upload` among `signatures`.

    Raises ValidationError on `field` when the name's ending is not among the signatures
    (`unknown_message`), or when the content does not start as the ending promises (a message
    naming the file).
    """
    name = (getattr(upload, "name", "") or "").lower()
    head = read_head(upload)
    for signature, content_type, extensions in signatures:
        if name.endswith(extensions):
            if head.startswith(signature):
                return content_type
            raise ValidationError(
                {
                    field: _("%(name)s is not a real %(kind)s file.")
                    % {"name": upload.name, "kind": name.rsplit(".", 1)[-1].upper()}
                }
            )
    raise ValidationError({field: unknown_message or _("This type of file is not accepted.")})
