"""The registry: every source the pipeline reads, one line each.

Each source module declares one `Source` (`pipelines/sources/source.py`) as its `SOURCE`; the
rest of the pipeline finds sources here and hands the `Source` (or its `spec`) to what needs it.
`tests/test_conventions.py` checks that every source module is listed and has the pieces a
source needs (README, "How to add a source").
"""

from __future__ import annotations

# One name a line, so that adding a source is one line here and one in SOURCES.
from pipelines.sources import (
    ca_statcan_hate_crime,
    ca_toronto_hate_crime,
    cbp_deaths,
    cbp_deaths_tables,
    fbi_hate_crime,
    ice_detention_deaths,
    migrants_files,
    mmp,
    mx_sesnsp,
    mx_sesnsp_federal,
    mx_sesnsp_victimas,
    ngo_incidents,
    nmd_border_deaths,
    pcome_humane_borders,
    united_before2000,
    united_list,
    unodc_glotip,
    us_htpd_prosecutions,
    us_namus_unidentified,
    usbp_sector_deaths,
)
from pipelines.sources.source import Source

SOURCES: dict[str, Source] = {source.id: source for source in (
    mmp.SOURCE,
    pcome_humane_borders.SOURCE,
    ice_detention_deaths.SOURCE,
    cbp_deaths.SOURCE,
    fbi_hate_crime.SOURCE,
    ca_statcan_hate_crime.SOURCE,
    ca_toronto_hate_crime.SOURCE,
    mx_sesnsp.SOURCE,
    mx_sesnsp_victimas.SOURCE,
    mx_sesnsp_federal.SOURCE,
    ngo_incidents.SOURCE,
    unodc_glotip.SOURCE,
    us_htpd_prosecutions.SOURCE,
    us_namus_unidentified.SOURCE,
    nmd_border_deaths.SOURCE,
    usbp_sector_deaths.SOURCE,
    cbp_deaths_tables.SOURCE,
    united_list.SOURCE,
    united_before2000.SOURCE,
    migrants_files.SOURCE,
)}
