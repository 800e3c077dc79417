"""The US-Mexico border pairings of `nmd_border_deaths` (docs/linkage.md):

- its Pima County rows (the medical examiner's own records, copied again) against the OGIS
  file `pcome_humane_borders`: the same records on both sides with no shared id, so the
  linker is measured by the fields it does not compare (age, county, cause). A measurement
  pairing: nmd's Pima rows are not in its statistics, so it adds no overlap row.
- its other sub-sources (county examiners, sheriffs, the El Paso sector's database) against
  MMP's US incidents in the same border counties (maps/nmd_border_counties.csv).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache

import pandas as pd

from pipelines.harmonize.categories import MAPS
from pipelines.harmonize.dates import parse_dates
from pipelines.harmonize.labels import normalise_label
from pipelines.sources.base import RawTable
from pipelines.sources.curate import content_ids
from pipelines.sources.nmd_border_deaths import DATE_FORMATS, coordinates, pima_rows
from pipelines.stats.linkage import LinkInput, NotLinkable, Pairing, Side, with_dates
from pipelines.stats.pairings.pima import MMP_COLUMNS, mmp_incidents, mmp_input, mmp_needs, pcome_all_input

NMD_SEX = {"m": "male", "male": "male", "f": "female", "female": "female"}
NMD_COLUMNS = {"Source", "Date", "Gender", "Latitude", "Longitude", "County"}
US_STATES = ("California", "Arizona", "New Mexico", "Texas")
# "..., Brooks County, Texas": the words before "County" at the end of a part of the place.
COUNTY_IN_PLACE = re.compile(r"([^,/()]+?)\s+county\s*(?:,|/|\(|$)", re.IGNORECASE)
# Blocking within county and year (the date's year, and moved by half a year: see linkage.py).
COUNTY_BLOCKING = ("county_year", "county_half_shifted_year")


def plain(text: str) -> str:
    """A county name as a key: normalised label without accents ("Doña Ana" = "dona ana")."""
    decomposed = unicodedata.normalize("NFKD", normalise_label(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def nmd_area_counties() -> dict[tuple[str, str], tuple[str, str]]:
    """(Source, County) of nmd_border_deaths, as keys -> (state, county) in the area, from
    maps/nmd_border_counties.csv."""
    with (MAPS / "nmd_border_counties.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if not r["source"].startswith("#")]
    return {(plain(r["source"]), plain(r["county"])): (r["area_state"], r["area_county"]) for r in rows}


def area_keys() -> set[str]:
    """The area's counties as `state|county` keys."""
    return {f"{plain(s)}|{plain(c)}" for s, c in nmd_area_counties().values()}


def _nmd_frame(raw: RawTable) -> pd.DataFrame:
    if not NMD_COLUMNS <= set(raw.frame):
        raise NotLinkable(f"{raw.name}: linkage needs the columns {sorted(NMD_COLUMNS - set(raw.frame))}")
    return raw.frame


def _nmd_input(raw: RawTable, rows: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    """(frame of the compared columns, record ids as in `deaths`: content ids of the whole
    file) of the rows `rows` selects."""
    cols = _nmd_frame(raw)
    ids = content_ids(cols)[rows.to_numpy()].reset_index(drop=True)
    coords = coordinates(raw)[rows.to_numpy()].reset_index(drop=True)
    picked = cols[rows.to_numpy()].reset_index(drop=True)
    frame = pd.DataFrame({"unique_id": range(len(picked))})
    dates, _ = parse_dates(picked["Date"], DATE_FORMATS)
    frame = with_dates(frame, pd.Series(dates, index=frame.index).dt.normalize())
    frame["sex"] = picked["Gender"].map(normalise_label).map(NMD_SEX)
    frame["lat"], frame["lon"] = coords["latitude"].astype("Float64"), coords["longitude"].astype("Float64")
    return frame, ids


def nmd_pima_input(raw: RawTable) -> LinkInput:
    """nmd's Pima County examiner rows with date, sex and coordinates: age, county and cause
    are not compared (they measure the links: docs/linkage.md)."""
    frame, ids = _nmd_input(raw, pima_rows(raw))
    return LinkInput("nmd_border_deaths", frame, ids, pd.Series([None] * len(frame), dtype="object"))


def nmd_counties(raw: RawTable) -> pd.Series:
    """`state|county` of each nmd row in the area (maps/nmd_border_counties.csv), else null."""
    cols = _nmd_frame(raw)
    table = nmd_area_counties()
    keys = zip(cols["Source"].map(plain), cols["County"].fillna("").map(plain))
    found = [table.get(key) for key in keys]
    return pd.Series([f"{plain(f[0])}|{plain(f[1])}" if f else None for f in found],
                     index=cols.index, dtype="object")


def with_county_blocks(frame: pd.DataFrame, county: pd.Series) -> pd.DataFrame:
    """The blocking columns: county with the year found, and with the shifted year."""
    county = county.reset_index(drop=True)
    for column, year in (("county_year", "found_year"), ("county_half_shifted_year", "found_half_shifted_year")):
        frame[column] = (county + "|" + frame[year].astype("str")).where(county.notna() & frame[year].notna(), None)
    return frame


def nmd_area_input(raw: RawTable) -> LinkInput:
    """nmd's rows of the other sub-sources in the area's counties: date, sex, coordinates,
    blocked by county and year."""
    county = nmd_counties(raw)
    rows = county.notna() & ~pima_rows(raw)
    frame, ids = _nmd_input(raw, rows)
    frame = with_county_blocks(frame, county[rows])
    return LinkInput("nmd_border_deaths", frame, ids, pd.Series([None] * len(frame), dtype="object"))


def mmp_county(place: pd.Series) -> pd.Series:
    """`state|county` named by MMP's Location of Incident ("..., Brooks County, Texas, USA":
    the last "<name> County" and the border state named), null where it names none."""
    def one(text: str) -> str | None:
        counties = COUNTY_IN_PLACE.findall(text)
        states = [s for s in US_STATES if s.lower() in text.lower()]
        if not counties or len(states) != 1:
            return None
        return f"{plain(states[0])}|{plain(counties[-1])}"
    return place.fillna("").astype("str").map(one)


def area_county(key: object) -> str | None:
    """The area's `state|county` a place's county key is, or None; a county name with words
    before it ("Desert Location In Webb") is read by its last words."""
    if not isinstance(key, str):
        return None
    state, name = key.split("|", 1)
    for area in area_keys():
        area_state, area_name = area.split("|", 1)
        if state == area_state and (name == area_name or name.endswith(" " + area_name)):
            return area
    return None


def mmp_area_input(raw: RawTable) -> LinkInput:
    """MMP incidents in the United States whose Location of Incident names a county of the
    area (the place is read for that only): date, sex where the incident counts one person,
    coordinates; blocked by county and year."""
    mmp_needs(raw, MMP_COLUMNS)
    cols = raw.frame
    county = mmp_county(cols["Location of Incident"]).map(area_county)
    keep = county.notna() & cols["Country of Incident"].str.contains("United States", na=False)
    rows, frame, persons = mmp_incidents(raw, keep)
    return mmp_input(rows, with_county_blocks(frame, county[keep]), persons)


# m of the location levels (within 10 m, 100 m, 5 km, further), set: trained by EM, "within
# 100 m" weighed more than "the same point" (companions found a few metres apart then link
# crosswise). The same examiner's coordinates are copied as written: most true pairs are at
# the same point.
LOCATION_M = (0.9, 0.01, 0.06, 0.03)

BORDER_PAIRINGS = (
    Pairing(
        name="pima_ome_nmd", area="us_az_pima_ome_jurisdiction",
        left=Side("pcome_humane_borders", "", pcome_all_input, "TRUE"),
        right=Side("nmd_border_deaths", "", nmd_pima_input, None),
        compared=("found_date", "sex", "location"), m_set=(("location", LOCATION_M),),
        # EM on the pairs found the same day at the same point: it trains sex only.
        em_on=(("found_date", "lat", "lon"),),
        # docs/linkage.md: a seeded random sample of 40 of the 3,760 links of the real files
        # read record against record (age, county and cause, which the linker does not
        # compare, and the rest): all 40 the same record (and the 6 weakest links, apart).
        review=(40, 40),
        # nmd's Pima rows are the examiner's records the OGIS file publishes: not in nmd's
        # statistics, so no overlap row and no estimate (the links measure the linker).
        overlap=False,
        assumptions_failing=("independence",),
        not_estimated_because="one_list_entered_from_the_other",
    ),
    Pairing(
        name="border_nmd_mmp", area="us_border_counties_outside_pima_ome",
        left=Side("nmd_border_deaths", "", nmd_area_input, None),
        right=Side("mmp", "", mmp_area_input, None),
        compared=("found_date", "sex", "location"), blocking=COUNTY_BLOCKING,
        incidents_right=True,
        # docs/linkage.md: a seeded random sample of 40 of the 1,085 links of the real files,
        # read record against record: 32 agreed (27 at the same or a near place, 5 without
        # coordinates on one side but with a consistent cause of death), 6 not contradicted
        # but with nothing the linker did not see, 2 uncertain; only the 32 count.
        review=(32, 40),
        # Of the 1,057 MMP incidents linked, 310 cite New Mexico's medical investigator
        # "cross-checked with No Mas Muertes" (the other list) and 302 the county examiner,
        # coroner, sheriff or county whose records No More Deaths compiled; 315 cite the
        # Border Patrol, whose recovered bodies go to the same examiners; 130 news or NGOs.
        # Not independent captures (docs/linkage.md).
        assumptions_failing=("independence",),
        not_estimated_because="lists_entered_from_the_same_records",
    ),
)
