"""Any list to CSV, XLSX or JSON, with spreadsheet formulas neutralised."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook

from .choices import ExportFormat

# A cell starting with one of these is run as a formula by spreadsheet programs (CWE-1236).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.JSON: "application/json",
}


@dataclass(frozen=True)
class Column:
    """One exported column: its header and how to read the value from a row."""

    header: str
    value: str | Callable[[Any], Any]

    def read(self, row: Any) -> Any:
        if callable(self.value):
            return self.value(row)
        result: Any = row
        for part in self.value.split("__"):
            result = None if result is None else getattr(result, part)
        return result


def neutralise(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date):
        return value
    return neutralise(str(value))


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterable[Any], columns: list[Column]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so spreadsheet programs read the file as UTF-8
    yield writer.writerow([neutralise(str(column.header)) for column in columns])
    for row in rows:
        yield writer.writerow([_cell(column.read(row)) for column in columns])


def _xlsx_bytes(rows: Iterable[Any], columns: list[Column], title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "export")
    sheet.append([str(column.header) for column in columns])
    for row in rows:
        sheet.append([_cell(column.read(row)) for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _json_bytes(rows: Iterable[Any], columns: list[Column]) -> bytes:
    records = [{str(column.header): column.read(row) for column in columns} for row in rows]
    return json.dumps(records, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1).encode()


def export_response(
    rows: Iterable[Any], columns: list[Column], export_format: str, filename: str
) -> HttpResponse | StreamingHttpResponse:
    """An attachment response with `rows` in the format asked for (csv, xlsx or json)."""
    fmt = ExportFormat(export_format)
    disposition = f'attachment; filename="{filename}.{fmt.value}"'
    if fmt == ExportFormat.CSV:
        response: HttpResponse | StreamingHttpResponse = StreamingHttpResponse(
            _csv_lines(rows, columns), content_type=CONTENT_TYPES[fmt]
        )
    elif fmt == ExportFormat.XLSX:
        response = HttpResponse(
            _xlsx_bytes(rows, columns, filename), content_type=CONTENT_TYPES[fmt]
        )
    else:
        response = HttpResponse(_json_bytes(rows, columns), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = disposition
    return response
