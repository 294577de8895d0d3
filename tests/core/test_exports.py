import csv
import io
import json

import pytest
from openpyxl import load_workbook

from migration_hub.core.exports import Column, export_response, neutralise


@pytest.mark.parametrize("dangerous", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\r=x"])
def test_formula_prefixes_are_neutralised(dangerous: str) -> None:
    assert neutralise(dangerous) == "'" + dangerous


def test_plain_values_are_left_alone() -> None:
    assert neutralise("Kenya") == "Kenya"
    assert neutralise(-5) == -5


class Row:
    def __init__(self, name: str, count: int) -> None:
        self.name = name
        self.count = count


ROWS = [Row('=HYPERLINK("http://evil")', 3), Row("Ministère", -1)]
COLUMNS = [Column("Name", "name"), Column("Count", "count")]


def test_csv_export_neutralises_cells_and_keeps_unicode() -> None:
    response = export_response(ROWS, COLUMNS, "csv", "things")
    assert response["Content-Disposition"] == 'attachment; filename="things.csv"'
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["Name", "Count"], ['\'=HYPERLINK("http://evil")', "3"], ["Ministère", "-1"]]


def test_xlsx_export_neutralises_cells_and_keeps_numbers() -> None:
    response = export_response(ROWS, COLUMNS, "xlsx", "things")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values == [["Name", "Count"], ['\'=HYPERLINK("http://evil")', 3], ["Ministère", -1]]


def test_json_export_keeps_values_as_they_are() -> None:
    response = export_response(ROWS, COLUMNS, "json", "things")
    assert json.loads(response.content) == [
        {"Name": '=HYPERLINK("http://evil")', "Count": 3},
        {"Name": "Ministère", "Count": -1},
    ]


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError):
        export_response(ROWS, COLUMNS, "pdf", "things")
