"""The contract of a source: each source module declares one `Source` (its `SOURCE`), and the
registry lists them. Fetching, snapshots, processing, statistics and publishing learn all they
need about a source from that object; a source module holds only what differs.

A `Source` has two parts:

- `spec`, a `SourceSpec`: what the source is (title, publisher, landing page, download
  location, licence, cadence), whom it counts (`population`), whether its records are of
  persons and which raw columns hold names, whether it is confidential (its statistics then go
  through disclosure control), which raw columns are free text that may name people, and the titles of products that are not what the source's title
  names. The `sources` table and the page publish from it.
- how its files are read: which files of a snapshot folder are its (`file_patterns`; with
  `one_file_per_snapshot` a folder holding several fails, as one release in two formats would
  be counted twice), the file read inside a zip its publisher ships (`archive_member`), the
  header row of each known format version (`headers`, from `schemas/raw/<id>.py`), the reader
  (`read_raw`: the file as published, as text, checked against its raw schema), an optional
  chunked reader for files larger than memory (`read_raw_chunks`) and the curation
  (`to_curated`: harmonised record-grain rows plus quarantine).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from pipelines.snapshots import Snapshot
from pipelines.sources.base import CuratedPart, RawTable


@dataclass(frozen=True)
class SourceSpec:
    """Metadata of a source, kept in code beside its parser."""

    id: str
    title: str
    publisher: str
    landing_page: str
    licence: str
    stream: str  # deaths | crimes | prosecutions
    cadence: str  # how often the publisher updates, in words
    max_age_days: int | None  # after this many days without a new snapshot a source is overdue
    product: str = "default"  # the product a fetched snapshot belongs to
    download_url: str | None = None
    download_name: str | None = None
    person_level: bool = False  # one person a row: sex, age and status may be crossed
    name_columns: tuple[str, ...] = ()  # raw columns holding personal names: never published
    # Raw free-text columns (descriptions, causes in words) that may name people: never copied
    # into a curated row; their whole values are fingerprinted and searched for like names.
    free_text_columns: tuple[str, ...] = ()
    confidential: bool = False  # non-public person-level data: statistics go through disclosure control
    # Whom a crimes/prosecutions source counts: `migrants` only (an NGO log) or the `general`
    # population of a country (GLOTIP, hate crime, SESNSP). Deaths sources count migrants.
    population: str = "migrants"
    citation: str = ""
    # (product, title, citation) where one product is not what the source's title names
    # (FBI: the CDE incident file is not the "Hate Crime Statistics" report).
    product_titles: tuple[tuple[str, str, str], ...] = ()

    def title_of(self, product: str) -> tuple[str, str]:
        """(title, citation) of one product of the source."""
        for name, title, citation in self.product_titles:
            if name == product:
                return title, citation
        return self.title, self.citation


@dataclass(frozen=True)
class Source:
    """One source: its metadata and how its raw files are read and curated."""

    spec: SourceSpec
    file_patterns: tuple[str, ...]  # the files of a snapshot folder it reads (lower-case globs)
    headers: Mapping[str, Sequence[str]]  # format version -> header row (schemas/raw/<id>.py)
    read_raw: Callable[[Path], RawTable]
    to_curated: Callable[[RawTable, Snapshot], CuratedPart]
    # The raw table in chunks of up to `rows` records (a file larger than memory); None: whole.
    read_raw_chunks: Callable[[Path, int], Iterator[RawTable]] | None = None
    one_file_per_snapshot: bool = False  # a CSV and an XLSX export of one release: keep one
    # The publisher ships (some of) its files as a zip: the pattern of the file read inside it
    # (pipelines/archives.py; the archive itself must match `file_patterns`).
    archive_member: str | None = None

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def product(self) -> str:
        """The product a snapshot dropped in without a sidecar belongs to."""
        return self.spec.product

    def with_spec(self, **changes) -> Source:
        """The same source with some metadata changed (a download address, in tests)."""
        return replace(self, spec=replace(self.spec, **changes))
