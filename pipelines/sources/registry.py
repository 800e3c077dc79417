"""The registry of sources: id -> module. Every module in pipelines/sources/ (except the shared
base, readers, formats, curate, person, cases and reports modules) has the same shape:

- `SOURCE`: a `SourceSpec` (title, publisher, landing page, download location, licence, cadence)
- `FILE_PATTERNS`: which files of a snapshot folder the module reads (with
  `ONE_FILE_PER_SNAPSHOT = True`, a folder holding several of them fails: one release in two
  formats would be counted twice)
- `fetch(raw_dir)`: download a new snapshot where the source has a download location
- `read_raw(path)`: the file as published, as text, checked against its raw schema
- `to_curated(raw, snapshot)`: harmonised record-grain rows plus quarantine (a `CuratedPart`)

A convention test checks that every source module is registered here and has that shape.
"""

from __future__ import annotations

from types import ModuleType

from pipelines.sources import (ca_statcan_hate_crime, cbp_deaths, fbi_hate_crime, ice_detention_deaths, mmp,
                               mx_sesnsp, ngo_incidents, pcome_humane_borders, unodc_glotip)

SOURCES: dict[str, ModuleType] = {
    module.SOURCE.id: module
    for module in (mmp, pcome_humane_borders, ice_detention_deaths, cbp_deaths, fbi_hate_crime,
                   ca_statcan_hate_crime, mx_sesnsp, ngo_incidents, unodc_glotip)
}
