"""The routes to Europe: three incident lists of deaths on the way to Europe, linked pair by pair
within their common years (docs/linkage.md, "Routes to Europe"):

- UNITED for Intercultural Action's List (`united_list`, 1993 to May 2018, date found);
- The Migrants' Files (`migrants_files`, events 2000 to June 2016, incident date);
- IOM's Missing Migrants Project (`mmp`, 2014-), its incidents in the Mediterranean or in
  Europe, or on the Atlantic route to the Canary Islands.

All three count incidents (one row, several dead and missing), so a link joins one incident to
one incident, the best pair for both (`unambiguous`); the persons of a link are the smaller of
its two counts. Compared: the date, the persons counted, the country of the incident (UNITED
and MMP) and the coordinates (The Migrants' Files and MMP). No name, description or source
column is read: UNITED's "name, gender, age" and "cause of death", the Files' `name`,
`description` and `source_url` stay where they are.
"""

from __future__ import annotations

import pandas as pd

from pipelines.harmonize.countries import map_countries
from pipelines.harmonize.numbers import parse_counts
from pipelines.harmonize.unmapped import UnmappedLog
from pipelines.sources.base import RawTable
from pipelines.sources.curate import content_ids
from pipelines.stats.linkage import (LinkInput, NotLinkable, Pairing, Side, Trio, coordinates_of,
                                     with_dates)

# MMP's incidents on the routes to Europe: its two regions there, and the one route to Europe
# whose incidents it files under Western or Northern Africa.
MMP_REGIONS = ("Mediterranean", "Europe")
MMP_ROUTES = ("Western Africa / Atlantic route to the Canary Islands",)
UNKNOWN_COUNTRY = "UNKNOWN"
# The prior comes from the pairs of the same day that count the same persons (no sex here).
PRIOR_ON = ("found_date", "dead_and_missing")
# m of the date levels (same day, 1 day apart, 3 days, 30 days, further), set, not estimated:
# unsupervised EM gave a month apart the weight of the same day and linked none of UNITED's
# entries to The Migrants' Files. The values follow where each candidate of another list with
# the same count (3 or more persons) lies, nearest first (docs/linkage.md: the distributions).
# UNITED and MMP mostly agree on the day; the Files' copy of UNITED is mostly a day early.
DATE_M_UNITED_MMP = (0.7, 0.1, 0.08, 0.08, 0.04)
DATE_M_FILES_MMP = (0.5, 0.2, 0.12, 0.12, 0.06)
DATE_M_UNITED_FILES = (0.15, 0.6, 0.08, 0.1, 0.07)
# m of the count levels (the same, near, other), set too: EM over the pairs of the same day
# gave a different count almost the weight of the same one. Lists revise counts (bodies
# found later, the missing by survivors' word), so a different count stays possible.
COUNT_M = (0.6, 0.25, 0.15)
# The country of the incident (same, different: MMP files a death at sea under a coastal
# state that UNITED may not name) and the coordinates (25, 100, 500 km, further: the Files
# geocode a place name where MMP has the position of the rescue). EM is not run at all here:
# every m is set, every u estimated from a seeded random sample of pairs.
COUNTRY_M = (0.85, 0.15)
# The match probability a link needs: higher than the Pima pairings' 0.1, which an answer key
# backs; here the weakest pairs above 0.1 are a day and a place apart with different counts.
THRESHOLD = 0.5
# UNITED against the Files: the probabilities sit lower (the same day is not the best level
# there), and the pairs a day apart counting the same persons, the Files' copy of UNITED's
# entries, score 0.45; 0.3 keeps them and the same day, and leaves out 3 days apart.
THRESHOLD_UNITED_FILES = 0.3
PLACE_M = (0.5, 0.25, 0.17, 0.08)


def _frame(dates: pd.Series) -> pd.DataFrame:
    frame = pd.DataFrame({"unique_id": range(len(dates))})
    return with_dates(frame, dates.reset_index(drop=True))


def _country(names: pd.Series, column: str) -> pd.Series:
    """ISO3 of the country of the incident as written, null where unknown (at sea, "unknown")."""
    codes = map_countries(names.reset_index(drop=True), UnmappedLog(), column).astype("object")
    return codes.where(codes != UNKNOWN_COUNTRY, None)


def _no_case_numbers(n: int) -> pd.Series:
    return pd.Series([None] * n, dtype="object")


def united_input(raw: RawTable) -> LinkInput:
    """Every entry of The List: the date found (dd/mm/yy; a month or a year alone leaves the
    date null, so the entry is never paired), the persons it counts and the country of the
    incident. Record ids are the content hashes `deaths` gives it."""
    cols = raw.frame
    needed = {"found dead", "number", "country of incident"}
    if not needed <= set(cols):
        raise NotLinkable(f"{raw.name}: the Europe pairings need the columns {sorted(needed - set(cols))}")
    dates = pd.to_datetime(cols["found dead"].str.strip(), format="%d/%m/%y", errors="coerce")
    frame = _frame(dates)
    frame["dead_and_missing"] = parse_counts(cols["number"])[0].reset_index(drop=True).astype("Float64")
    frame["country"] = _country(cols["country of incident"], "country of incident")
    return LinkInput("united_list", frame, content_ids(cols).reset_index(drop=True),
                     _no_case_numbers(len(cols)),
                     persons=frame["dead_and_missing"].fillna(1).astype(int))


def migrants_files_input(raw: RawTable) -> LinkInput:
    """Every event of The Migrants' Files: its date (the day of the ISO timestamp), the persons
    it counts (its total, else dead + missing) and its coordinates. Record ids as `deaths`
    gives them: the Event_id, else a content hash of the row."""
    cols = raw.frame
    needed = {"Event_id", "date", "latitude", "longitude", "dead", "missing", "dead_and_missing"}
    if not needed <= set(cols):
        raise NotLinkable(f"{raw.name}: the Europe pairings need the columns {sorted(needed - set(cols))}")
    dates = pd.to_datetime(cols["date"].str.strip().str[:10], format="%Y-%m-%d", errors="coerce")
    frame = _frame(dates)
    total = parse_counts(cols["dead_and_missing"])[0]
    dead, missing = (parse_counts(cols[c])[0] for c in ("dead", "missing"))
    parts = (dead.fillna(0) + missing.fillna(0)).where(dead.notna() | missing.notna())
    frame["dead_and_missing"] = total.fillna(parts).reset_index(drop=True).astype("Float64")
    frame["lat"], frame["lon"] = coordinates_of(cols["latitude"].reset_index(drop=True),
                                                cols["longitude"].reset_index(drop=True))
    ids = cols["Event_id"].str.strip()
    blank = ids == ""
    if blank.any():
        ids = ids.mask(blank, content_ids(cols[blank]))
    return LinkInput("migrants_files", frame, ids.reset_index(drop=True), _no_case_numbers(len(cols)),
                     persons=frame["dead_and_missing"].fillna(1).astype(int))


def mmp_europe_input(raw: RawTable) -> LinkInput:
    """MMP's incidents on the routes to Europe (MMP_REGIONS, MMP_ROUTES): the incident date, the
    persons dead and missing, the country of the incident and the coordinates ("lat, lon")."""
    cols = raw.frame
    needed = {"Incident ID", "Incident Date", "Region of Incident", "Migration Route",
              "Country of Incident", "Coordinates", "Total Number of Dead and Missing"}
    if not needed <= set(cols):
        raise NotLinkable(f"{raw.name}: the Europe pairings need the columns {sorted(needed - set(cols))}")
    keep = (cols["Region of Incident"].str.strip().isin(MMP_REGIONS)
            | cols["Migration Route"].str.strip().isin(MMP_ROUTES))
    rows = cols[keep].reset_index(drop=True)
    frame = _frame(pd.to_datetime(rows["Incident Date"].str.strip().str[:10], format="%Y-%m-%d",
                                  errors="coerce"))
    frame["dead_and_missing"] = pd.to_numeric(rows["Total Number of Dead and Missing"].str.strip(),
                                              errors="coerce").astype("Float64")
    frame["country"] = _country(rows["Country of Incident"], "Country of Incident")
    parts = rows["Coordinates"].astype("str").str.split(",", n=1, expand=True).reindex(columns=[0, 1])
    frame["lat"], frame["lon"] = coordinates_of(parts[0], parts[1])
    return LinkInput("mmp", frame, rows["Incident ID"].str.strip(), _no_case_numbers(len(rows)),
                     persons=frame["dead_and_missing"].fillna(1).astype(int))


# Clerical reviews (agreed, reviewed) of a seeded random sample of 40 links of the real files
# each (docs/linkage.md, "Routes to Europe": the review). They hold for these snapshots.
REVIEW_UNITED_MMP = (39, 40)
REVIEW_FILES_MMP = (35, 40)
REVIEW_UNITED_FILES = (35, 40)

EUROPE_AREA = "europe_routes"
EVERY_RECORD = "TRUE"  # UNITED and the Files list only deaths on the way to Europe or in it
EUROPE_PAIRINGS = (
    Pairing(
        name="europe_united_mmp", area=EUROPE_AREA,
        left=Side("united_list", "refugeesandmigrants", united_input, EVERY_RECORD),
        # The area of MMP's list: the incidents its builder keeps (no route test in `deaths`).
        right=Side("mmp", "", mmp_europe_input, None),
        compared=("event_date", "dead_and_missing", "country"), incidents_both=True, threshold=THRESHOLD,
        prior_on=PRIOR_ON, em_on=(),
        m_set=(("event_date", DATE_M_UNITED_MMP), ("dead_and_missing", COUNT_M), ("country", COUNTRY_M)),
        review=REVIEW_UNITED_MMP,
        # UNITED cites IOM as a source of 205 of its 593 dated entries of 2015-2017 (175 of 274 in
        # 2017): partly entered from MMP's own sources. And both count incidents.
        assumptions_failing=("independence", "equal_catchability"),
        not_estimated_because="persons_caught_by_incident",
    ),
    Pairing(
        name="europe_migrants_files_mmp", area=EUROPE_AREA,
        left=Side("migrants_files", "", migrants_files_input, EVERY_RECORD),
        right=Side("mmp", "", mmp_europe_input, None),
        compared=("event_date", "dead_and_missing", "place"), incidents_both=True, threshold=THRESHOLD,
        prior_on=PRIOR_ON, prior_recall=0.5, em_on=(),
        m_set=(("event_date", DATE_M_FILES_MMP), ("dead_and_missing", COUNT_M), ("place", PLACE_M)),
        review=REVIEW_FILES_MMP,
        # The Files cite IOM for 1 of their 195 events of 2015: no copy is known, but both
        # count incidents, and a shipwreck of hundreds is in every list.
        assumptions_failing=("equal_catchability",),
        not_estimated_because="persons_caught_by_incident",
    ),
    Pairing(
        name="europe_united_migrants_files", area=EUROPE_AREA,
        left=Side("united_list", "refugeesandmigrants", united_input, EVERY_RECORD),
        right=Side("migrants_files", "", migrants_files_input, EVERY_RECORD),
        compared=("event_date", "dead_and_missing"), incidents_both=True, threshold=THRESHOLD_UNITED_FILES,
        # The same day finds few of the true pairs here (the Files' dates are a day early).
        prior_on=PRIOR_ON, prior_recall=0.15, em_on=(),
        m_set=(("event_date", DATE_M_UNITED_FILES), ("dead_and_missing", COUNT_M)),
        review=REVIEW_UNITED_FILES,
        # The Files' `dataset` column names UNITED as the list 1,898 of their events (2000-2012)
        # were taken from; 688 of them link to UNITED's entries: a copy, not a second capture.
        assumptions_failing=("independence", "equal_catchability"),
        not_estimated_because="one_list_entered_from_the_other",
    ),
)

# The three lists together (deaths_estimates, method loglinear): 2015 is the one year all three
# cover whole. Not estimated: the incidents of 2015 give 573 with independent lists and 6,059
# with every two-list interaction (docs/linkage.md), and persons come by the boatload.
EUROPE_TRIOS = (
    Trio(name="europe_three_lists", area=EUROPE_AREA,
         sources=("united_list", "migrants_files", "mmp"),
         pairings=("europe_united_migrants_files", "europe_united_mmp", "europe_migrants_files_mmp"),
         assumptions_failing=("independence", "equal_catchability"),
         not_estimated_because="persons_caught_by_incident"),
)
