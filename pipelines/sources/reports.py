"""Report-style and damaged CSV files: read record by record with the csv module, which,
unlike pandas, keeps going where a file ends inside a quoted field; report tables with title
blocks, year columns and footnotes; quarantine of records whose field count is wrong."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.sources.base import Curation, RawTable


def csv_records(text: str, keep_blank: bool = False) -> list[tuple[int, int, list[str]]]:
    """Every CSV record as (first line, last line, fields), read with the csv module, which,
    unlike pandas, keeps going where a file ends inside a quoted field. Blank records (no
    field with text) are left out unless `keep_blank`."""
    lines = io.StringIO(text)
    reader = csv.reader(lines)
    out, last = [], 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        first, last = last + 1, reader.line_num
        if keep_blank or any(f.strip() for f in fields):
            out.append((first, last, fields))
    return out


_FOOTNOTE = re.compile(r"(?<=[^\d\s])\s*\d{1,2}(?:\s+\d{1,2})*$")


def strip_footnote(label: str) -> str:
    """A report label without the footnote numbers glued to its end ("Multiple-Bias
    Incidents3" -> "Multiple-Bias Incidents", "Other similar factor 6" -> "Other similar
    factor"). A label that is only a number is left alone."""
    label = " ".join(str(label).split())
    return _FOOTNOTE.sub("", label).strip() or label


def padded_table(path: Path, version: str, records: list) -> RawTable:
    """A CSV product with a header row: every record padded or cut to the header's width; the
    published field counts and lines are kept in `frame.attrs` for the quarantine reasons."""
    header = [c.strip() for c in records[0][2]]
    width = len(header)
    body = records[1:]
    rows = [(fields + [""] * width)[:width] for _, _, fields in body]
    frame = (pd.DataFrame(rows, columns=header, dtype="str") if rows
             else pd.DataFrame({c: pd.Series(dtype="str") for c in header}))
    frame.attrs["fields"] = np.asarray([len(f) for _, _, f in body], dtype=np.int64)
    frame.attrs["lines"] = np.asarray([(a, b) for a, b, _ in body], dtype=np.int64).reshape(-1, 2)
    frame.attrs["width"] = width
    return RawTable(path=path, frame=frame, format_version=version,
                    raw_rows=np.arange(2, len(frame) + 2, dtype=np.int64))


def report_table(records: list, header_at: int, label_column: str,
                 is_note) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """The body of a report-style CSV below its header record: (text frame with the label
    column and one column per year, the line of each body row, the years). Records for which
    `is_note(label, cells)` holds (footnotes, legends) are not table rows."""
    header = [c.strip() for c in records[header_at][2]]
    years = [c for c in header[1:] if c]
    width = 1 + len(years)
    rows, lines, fields = [], [], []
    for first, last, cells in records[header_at + 1:]:
        cells = [c.strip() for c in cells]
        padded = (cells + [""] * width)[:width]
        if is_note(padded[0], padded[1:]):
            continue
        rows.append(padded)
        lines.append((first, last))
        fields.append(len(cells) - sum(1 for c in cells[width:] if c == ""))
    columns = [label_column, *years]
    frame = (pd.DataFrame(rows, columns=columns, dtype="str") if rows
             else pd.DataFrame({c: pd.Series(dtype="str") for c in columns}))
    frame.attrs["fields"] = np.asarray(fields, dtype=np.int64)
    frame.attrs["lines"] = np.asarray(lines, dtype=np.int64).reshape(-1, 2)
    frame.attrs["width"] = width
    return frame, np.asarray([a for a, _ in lines], dtype=np.int64), years


def malformed_records(curation: Curation, raw: RawTable, column: str) -> np.ndarray:
    """Quarantine every record whose field count differs from the header's, each with a
    reason naming the file and line; returns the mask of records cut short."""
    fields, lines, width = raw.frame.attrs["fields"], raw.frame.attrs["lines"], raw.frame.attrs["width"]
    short = fields < width
    last_short = bool(len(fields)) and bool(short[-1])
    for i in np.flatnonzero(fields != width):
        first, last = lines[i]
        where = f"line {first}" if first == last else f"lines {first}-{last}"
        if fields[i] < width and i == len(fields) - 1:
            what = (f"the file ends mid-record: the last record has {fields[i]} of {width} "
                    f"fields (the file is cut short); the {len(fields) - int((fields != width).sum())} "
                    "complete records were read")
        elif fields[i] < width:
            what = f"the record has {fields[i]} of {width} fields (malformed or cut short)"
        else:
            what = f"the record has {fields[i]} fields, more than the header's {width} (malformed)"
        mask = np.zeros(len(fields), dtype=bool)
        mask[i] = True
        curation.reject(mask, column, "complete_record", f"{raw.name}, {where}: {what}")
    return short if last_short else np.zeros(len(fields), dtype=bool)
