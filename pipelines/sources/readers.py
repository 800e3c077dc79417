"""Read published files as text, exactly as published: every cell a string, blank as "".

Typing happens later, column by column, so that a bad cell becomes a quarantined row with
its file, row and column named, not a crash or a silent NaN.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum

from pipelines import archives, snapshots
from pipelines.archives import ArchiveMember
from pipelines.settings import active
from pipelines.sources.base import RawFormatError, RawTable

_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<?xml")

# What the readers below read: a file on disk, or a file inside a zip the publisher ships
# (read as a stream from the archive; tables read from it name the archive as their file).
Readable = Path | ArchiveMember


def readable(path: Path, member_pattern: str | None) -> Readable:
    """`path` itself, or, for a zip where the source declares the file it ships inside one
    (`Source.archive_member`), that file, checked against the sidecar beside the archive
    (`archives.verified_member`)."""
    if member_pattern is None or not archives.is_archive(path):
        return path
    try:
        return archives.verified_member(path, member_pattern, snapshots.sidecar_meta(path.parent))
    except archives.ArchiveError as exc:
        raise RawFormatError(path, str(exc)) from exc


def file_of(source: Readable) -> Path:
    """The raw file on disk a readable comes from (the archive, for a member)."""
    return source.archive if isinstance(source, ArchiveMember) else source


@contextmanager
def open_binary(source: Readable) -> Iterator[BinaryIO]:
    """A readable as a binary stream (a member decompressed while read)."""
    if isinstance(source, ArchiveMember):
        with source.open() as stream:
            yield stream
    else:
        with source.open("rb") as handle:
            yield handle


def sniff_problem(path: Readable) -> str | None:
    """A reason the file is not data at all (empty, an HTML error page) or is refused unread
    (larger than HARMSTATS_MAX_RAW_BYTES), or None."""
    size, most = file_of(path).stat().st_size, active().max_raw_bytes
    if size > most:
        return (f"the file is {size:,} bytes, more than the {most:,} a raw file may have "
                "(HARMSTATS_MAX_RAW_BYTES): refused unread")
    with open_binary(path) as handle:
        head = handle.read(2048)
    if not head.strip():
        return "the file is empty"
    lowered = head.lstrip(b"\xef\xbb\xbf \r\n\t").lower()
    if lowered.startswith(_HTML_MARKERS):
        return "the file is an HTML page (an error or login page?), not data"
    return None


def decode_text(path: Readable, encodings: tuple[str, ...], delimiter: str = ",") -> tuple[str, str]:
    """File contents and the first encoding in `encodings` that decodes them; a CSV file on
    disk with a field longer than HARMSTATS_MAX_FIELD_BYTES is refused before it is read
    whole (a member of an archive is bounded by the archive's unpacked-size limit)."""
    if not isinstance(path, ArchiveMember):
        check_field_lengths(path, delimiter)
    with open_binary(path) as handle:
        return decode_bytes(path, handle.read(), encodings)


_SCAN_BYTES = 1 << 22


def check_field_lengths(path: Path, delimiter: str = ",") -> None:
    """Refuse (RawFormatError, naming the record) a CSV file with a field longer than
    HARMSTATS_MAX_FIELD_BYTES, reading it a few megabytes at a time: an endless field (a file
    of NUL bytes, a quote never closed) would otherwise be read whole, and parsed, before
    failing. Fields end at `delimiter` or a line end outside double quotes; lengths are in
    bytes, quotes included."""
    most = active().max_field_bytes
    if path.stat().st_size <= most:
        return
    separator = ord(delimiter)
    quoted, run, record = 0, 0, 1  # inside quotes?, bytes since the last field end, CSV record
    with path.open("rb") as handle:
        while chunk := handle.read(_SCAN_BYTES):
            data = np.frombuffer(chunk, dtype=np.uint8)
            # A quote toggles (\"\" twice); the count wraps at 256, its parity does not.
            inside = (np.cumsum(data == 34, dtype=np.uint8) + np.uint8(quoted)) & 1
            ends = (data == separator) | (data == 10) | (data == 13)
            at = np.flatnonzero(ends & (inside == 0))
            starts = np.concatenate(([-1 - run], at))
            gaps = np.diff(np.concatenate((starts, [len(data)])))  - 1
            longest = int(np.argmax(gaps))
            if gaps[longest] > most:
                record += int(np.count_nonzero(data[at[:longest]] == 10))
                raise RawFormatError(path, f"a field is longer than the {most:,} bytes a field "
                                     "may have (HARMSTATS_MAX_FIELD_BYTES): refused", row=record)
            record += int(np.count_nonzero(data[at] == 10))
            run = int(gaps[-1])
            quoted = int(inside[-1])


def read_header(path: Readable, encodings: tuple[str, ...] = ("utf-8-sig",)) -> list[str]:
    """The first CSV record of a file: enough to detect which format version it is."""
    problem = sniff_problem(path)
    if problem:
        raise RawFormatError(path, problem)
    with open_binary(path) as handle:
        head = handle.read(1 << 16)
    cut = head.rfind(b"\n")
    if cut < 0 or len(head) < (1 << 16):  # short file, or a header longer than the head: read all
        text, _ = decode_text(path, encodings)
    else:  # only whole lines, so no multi-byte character is split
        text, _ = decode_bytes(path, head[:cut + 1], encodings)
    return next(csv.reader(io.StringIO(text)), [])


def read_first_line(path: Path) -> str:
    """The first line of a UTF-8 text file (BOM dropped), read without reading the file."""
    with path.open("rb") as handle:
        head = handle.readline(1 << 20)
    return head.decode("utf-8-sig").rstrip("\r\n")


def decode_bytes(path: Readable, data: bytes, encodings: tuple[str, ...]) -> tuple[str, str]:
    """`data` (read from `path`) decoded with the first of `encodings` that fits, and which."""
    for encoding in encodings:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise RawFormatError(path, f"cannot be decoded as any of {', '.join(encodings)}")


def read_csv_exact(path: Readable, format_version: str, encodings: tuple[str, ...]) -> RawTable:
    """The careful path: decode with the first encoding that fits, parse with pandas, and
    find the records shorter than the header (pandas pads them silently)."""
    text, _ = decode_text(path, encodings)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                            na_filter=False, skip_blank_lines=True)
    except pd.errors.ParserError as exc:
        raise RawFormatError(path, f"malformed CSV: {exc}") from exc
    frame.columns = [str(c) for c in frame.columns]
    return RawTable(path=file_of(path), frame=frame, format_version=format_version,
                    raw_rows=np.arange(2, len(frame) + 2, dtype=np.int64),
                    short_rows=short_records(text, len(frame.columns), len(frame)))


def arrow_csv_options(header: list[str], delimiter: str = ",", empty_lines_are_records: bool = False):
    """Arrow CSV options that keep every cell as published text ("" where blank). With
    `empty_lines_are_records`, an empty line is a record (Arrow then refuses it as too short,
    so such a file goes to the exact path instead of being renumbered)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    return (pacsv.ReadOptions(block_size=1 << 24),
            pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                               ignore_empty_lines=not empty_lines_are_records),
            pacsv.ConvertOptions(column_types={c: pa.string() for c in header},
                                 strings_can_be_null=False, quoted_strings_can_be_null=False))


def arrow_readable(header: list[str], encodings: tuple[str, ...]) -> bool:
    """Whether Arrow reads this file as pandas would: UTF-8, and a header with no blank or
    repeated names (pandas renames those)."""
    return (encodings[0].replace("_", "-").lower() in ("utf-8", "utf-8-sig", "utf8")
            and all(h != "" for h in header) and len(set(header)) == len(header))


class RereadWhole(Exception):
    """Arrow refused a record after earlier chunks of the file were handed on: the file must
    be read again whole, by the exact path (which names or quarantines the bad record)."""


def iter_csv_text(path: Readable, format_version: str, encodings: tuple[str, ...], rows: int,
                  delimiter: str = ",", empty_lines_are_records: bool = False,
                  exact: Callable[[], RawTable] | None = None) -> Iterator[RawTable]:
    """A CSV file with a header row, every cell as text, in chunks of `rows` records (one
    chunk with `rows=sys.maxsize`), so a file larger than memory can be processed.

    `raw_rows` counts CSV records with the header as row 1, which is the row a person sees
    when the file is opened in a spreadsheet (quoted line breaks do not add rows there), and
    continue across chunks. A well-formed UTF-8 file is read by Arrow's columnar reader;
    anything it refuses (a record with too few or too many fields, another encoding, a header
    pandas would rename) is read by the exact path, which names the problem or quarantines the
    short records: a file refused from the start comes whole from `exact` (default:
    `read_csv_exact`); one refused later raises `RereadWhole`. A file inside a zip is read
    as a stream from the archive, never unpacked."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    problem = sniff_problem(path)
    if problem:
        raise RawFormatError(path, problem)
    exact = exact or (lambda: read_csv_exact(path, format_version, encodings))
    start, handed_on = 0, False
    try:
        with _arrow_input(path) as handle:
            header = pacsv.open_csv(handle, parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True)).schema.names
        if not arrow_readable(header, encodings):
            yield exact()
            return
        read, parse, convert = arrow_csv_options(header, delimiter, empty_lines_are_records)
        with _arrow_input(path) as handle:
            reader = pacsv.open_csv(handle, read_options=read, parse_options=parse,
                                    convert_options=convert)
            pending = pa.Table.from_batches([], schema=reader.schema)
            most, seen = active().max_field_bytes, 0
            for batch in reader:
                check_batch_fields(file_of(path), batch, seen, most)
                seen += batch.num_rows
                pending = pa.concat_tables([pending, pa.Table.from_batches([batch])])
                while pending.num_rows >= rows:  # slices share the batch's memory
                    chunk = _chunk(file_of(path), format_version, pending.slice(0, rows), start)
                    start, pending, handed_on = start + rows, pending.slice(rows), True
                    yield chunk
            if pending.num_rows or not handed_on:
                yield _chunk(file_of(path), format_version, pending, start)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        if handed_on:
            raise RereadWhole(str(exc)) from exc
        yield exact()


def check_batch_fields(path: Path, batch, before: int, most: int) -> None:
    """Refuse (RawFormatError naming the row and column) a batch of text columns holding a
    field longer than `most` bytes; `before`: records of the file before the batch."""
    import pyarrow.compute as pc

    for name, column in zip(batch.schema.names, batch.columns):
        lengths = pc.binary_length(column)
        longest = pc.max(lengths).as_py()
        if longest is not None and longest > most:
            row = before + int(pc.index(pc.greater(lengths, most), True).as_py()) + 2
            raise RawFormatError(path, f"a field is longer than the {most:,} bytes a field may "
                                 "have (HARMSTATS_MAX_FIELD_BYTES): refused", row=row, column=name)


@contextmanager
def _arrow_input(path: Readable):
    """What Arrow's reader opens: a file on disk by its path (Arrow's own I/O, no GIL), a
    member of an archive as the decompressing stream."""
    if isinstance(path, ArchiveMember):
        with path.open() as stream:
            yield stream
    else:
        yield path


def _chunk(path: Path, format_version: str, table, start: int) -> RawTable:
    frame = table.to_pandas()
    return RawTable(path=path, frame=frame, format_version=format_version,
                    raw_rows=np.arange(start + 2, start + len(frame) + 2, dtype=np.int64))


def short_records(text: str, width: int, rows: int) -> np.ndarray | None:
    """Mask of data records with fewer fields than the header (pandas pads them silently).
    A file cut short usually ends in one. Blank lines are skipped, as pandas skips them."""
    counts = [len(r) for r in csv.reader(io.StringIO(text)) if r]
    if len(counts) - 1 != rows:
        return None  # pandas and csv disagree on record boundaries: leave it to the parser
    return np.asarray(counts[1:], dtype=np.int64) < width


def cell_text(value) -> str:
    """A spreadsheet cell as the text a person would read in it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def read_xlsx_rows(path: Path) -> list[list]:
    """All rows of the first worksheet as lists of raw cell values (an empty cell is "";
    numbers come as floats, dates as dates: `cell_text` shows them as a person reads them),
    the first list being the sheet's row 1 and the first value its column A.

    Read by calamine (python-calamine, a Rust reader): a few times faster than openpyxl, which
    stays for writing. Calamine reads the cells the sheet holds, not the size it declares
    (UNODC's GLOTIP 2025 workbook declares "A1")."""
    problem = sniff_problem(path) or archive_problem(path)
    if problem:
        raise RawFormatError(path, problem)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except CalamineError as exc:  # not a zip, no workbook part, an encrypted file...
        raise RawFormatError(path, f"not a readable XLSX workbook ({exc})") from exc
    try:
        sheets = [i for i, m in enumerate(workbook.sheets_metadata) if m.typ == SheetTypeEnum.WorkSheet]
        if not sheets:
            raise RawFormatError(path, "the workbook has no worksheet")
        return workbook.get_sheet_by_index(sheets[0]).to_python(skip_empty_area=False)
    except CalamineError as exc:
        raise RawFormatError(path, f"not a readable XLSX workbook ({exc})") from exc
    finally:
        workbook.close()


def archive_problem(path: Path) -> str | None:
    """A reason to refuse a zip archive (an XLSX workbook is one) before unpacking it: its
    members unpack to more than HARMSTATS_MAX_WORKBOOK_BYTES, by the sizes its directory
    declares (a member is never unpacked past its declared size). None otherwise, and for
    a file that is not a zip (its reader says what is wrong)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError):
        return None
    total, most = sum(m.file_size for m in members), active().max_workbook_bytes
    if total <= most:
        return None
    largest = max(members, key=lambda m: m.file_size)
    return (f"the archive unpacks to {total:,} bytes ({largest.filename}: {largest.file_size:,}), more "
            f"than the {most:,} a workbook or archive may unpack to "
            "(HARMSTATS_MAX_WORKBOOK_BYTES): refused unread")


def xlsx_table(path: Path, rows: list[list], header_index: int, format_version: str) -> RawTable:
    """Rows of a worksheet below the header at `header_index` (0-based) as a text table."""
    header = [cell_text(c) for c in rows[header_index]]
    while header and header[-1] == "":
        header.pop()
    width = len(header)
    body, numbers = [], []
    for offset, row in enumerate(rows[header_index + 1:], start=header_index + 2):
        cells = [cell_text(c) for c in row[:width]] + [""] * max(0, width - len(row))
        if any(cells):
            body.append(cells)
            numbers.append(offset)
    frame = pd.DataFrame(body, columns=header, dtype="str") if body else pd.DataFrame(
        {c: pd.Series(dtype="str") for c in header})
    return RawTable(path=path, frame=frame, format_version=format_version,
                    raw_rows=np.asarray(numbers, dtype=np.int64))
