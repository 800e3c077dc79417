"""Workbooks read by calamine (`readers.read_xlsx_rows`): every cell as the text a spreadsheet
shows, rows numbered as the sheet numbers them, the first worksheet whatever comes before it,
and a file that is no workbook refused with its name."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import numpy as np
import openpyxl
import pytest

from pipelines.sources.base import RawFormatError
from pipelines.sources.readers import cell_text, read_xlsx_rows, xlsx_table


def _book(path, cells: dict[str, object], chartsheet_first: bool = False):
    book = openpyxl.Workbook()
    if chartsheet_first:
        book.create_chartsheet("Chart", 0)
    sheet = book["Sheet"]
    for ref, value in cells.items():
        sheet[ref] = value
    book.save(path)
    return path


def test_cells_read_as_a_person_reads_them(tmp_path):
    path = _book(tmp_path / "b.xlsx", {
        "A1": "year", "B1": "count", "C1": "date", "D1": "when", "E1": "flag", "F1": "share",
        "A2": 2014, "B2": 1.0, "C2": dt.datetime(2020, 1, 2), "D2": dt.datetime(2020, 1, 2, 3, 4, 5),
        "E2": True, "F2": 0.25, "A3": " Libya ", "B3": "8,913", "C3": "<5"})
    rows = [[cell_text(c) for c in row] for row in read_xlsx_rows(path)]
    assert rows == [["year", "count", "date", "when", "flag", "share"],
                    ["2014", "1", "2020-01-02", "2020-01-02T03:04:05", "True", "0.25"],
                    [" Libya ", "8,913", "<5", "", "", ""]]


def test_rows_keep_the_sheets_numbers(tmp_path):
    """A table placed lower and further right than A1 (title rows, blank rows between): rows
    and columns count from A1, as the sheet shows them."""
    path = _book(tmp_path / "b.xlsx", {"B1": "Title", "C4": "a", "D4": "b", "C5": "x", "D5": 1,
                                       "C7": "y", "D7": 2.5})
    rows = read_xlsx_rows(path)
    assert [cell_text(c) for c in rows[3]] == ["", "", "a", "b"]
    raw = xlsx_table(path, [row[2:] for row in rows], 3, "v1")
    assert list(raw.frame.columns) == ["a", "b"]
    assert raw.frame.values.tolist() == [["x", "1"], ["y", "2.5"]]
    assert np.array_equal(raw.raw_rows, [5, 7])


def test_the_first_worksheet_is_read_not_a_chartsheet(tmp_path):
    path = _book(tmp_path / "b.xlsx", {"A1": "h", "A2": "v"}, chartsheet_first=True)
    with zipfile.ZipFile(path) as book:
        order = re.findall(r'<sheet name="(\w+)"', book.read("xl/workbook.xml").decode())
    assert order == ["Chart", "Sheet"]
    assert [cell_text(c) for row in read_xlsx_rows(path) for c in row] == ["h", "v"]


@pytest.mark.parametrize("content", [b"PK\x03\x04 not really a zip", b"plain, text\n1, 2\n"])
def test_a_file_that_is_no_workbook_is_refused_by_name(tmp_path, content):
    path = tmp_path / "data.xlsx"
    path.write_bytes(content)
    with pytest.raises(RawFormatError, match="data.xlsx.*not a readable XLSX workbook"):
        read_xlsx_rows(path)
