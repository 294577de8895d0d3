"""Open publishers' files safely: real type checked, ZIP bombs refused, text decoded strictly."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from .errors import ImportRejected, RowProblem

MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

csv.field_size_limit(1024 * 1024)


def reject(path: Path, message: str, where: str = "") -> ImportRejected:
    return ImportRejected(path.name, [RowProblem(where, message)])


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_zip(path: Path, max_uncompressed: int) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            if "[Content_Types].xml" not in names:
                raise reject(
                    path, "this ZIP file is not an Excel workbook (no [Content_Types].xml)"
                )
            total = 0
            for member in members:
                total += member.file_size
                ratio = member.file_size / max(member.compress_size, 1)
                if ratio > MAX_COMPRESSION_RATIO and member.file_size > 10 * 1024 * 1024:
                    raise reject(
                        path,
                        f"refused: {member.filename} expands {ratio:.0f} times "
                        f"({member.file_size:,} bytes); the file looks like a ZIP bomb",
                    )
            if total > max_uncompressed:
                raise reject(
                    path,
                    f"refused: the workbook expands to {total:,} bytes, more than the "
                    f"{max_uncompressed:,} allowed",
                )
    except zipfile.BadZipFile as error:
        raise reject(path, f"the workbook is damaged ({error})") from error


def open_workbook(path: Path, max_uncompressed: int = MAX_UNCOMPRESSED_BYTES) -> CalamineWorkbook:
    """An .xlsx or .xls workbook, after checking that it really is one and is not a ZIP bomb."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(ZIP_MAGIC):
        _check_zip(path, max_uncompressed)
    elif head != OLE_MAGIC:
        raise reject(
            path,
            "this is not an Excel workbook (.xlsx or .xls); "
            "export the sheet as a workbook or import it as CSV",
        )
    try:
        return CalamineWorkbook.from_path(str(path))
    except (CalamineError, ValueError, OSError) as error:
        raise reject(path, f"the workbook cannot be read ({error})") from error


def sheet_rows(workbook: CalamineWorkbook, name: str, path: Path) -> list[list[Any]]:
    try:
        return workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError) as error:
        raise reject(
            path, f"the sheet cannot be read, the workbook is damaged ({error})", where=name
        ) from error


def read_text(path: Path, encoding: str = "utf-8") -> str:
    """The whole file as text; a byte that is not valid in `encoding` is reported with its line."""
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise reject(path, "this is a binary file, not CSV text")
    try:
        return data.decode("utf-8-sig" if encoding.lower() in ("utf-8", "utf8") else encoding)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise reject(
            path,
            f"byte 0x{data[error.start]:02x} is not valid {encoding}; save the file as UTF-8 "
            "or pass --encoding (for example --encoding cp1252)",
            where=f"line {line}",
        ) from error
    except LookupError as error:
        raise reject(path, f"unknown encoding {encoding!r}") from error


def csv_rows(path: Path, encoding: str = "utf-8") -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) for each CSV record."""
    text = read_text(path, encoding)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as error:
        raise reject(path, f"not valid CSV ({error})", where=f"line {reader.line_num}") from error
