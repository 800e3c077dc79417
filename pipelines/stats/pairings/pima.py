"""The Pima County pairings: the medical examiner's records (the Arizona OpenGIS file,
`pcome_humane_borders`) against NamUs's unidentified remains in Pima County, measured against
the examiner's case number the linker never sees, and against MMP's incidents that name the
examiner or the county (docs/linkage.md)."""

from __future__ import annotations

import pandas as pd

from pipelines.sources.base import RawTable
from pipelines.stats.linkage import (LinkInput, NotLinkable, Pairing, Side, age_of, case_key, coordinates_of,
                                     sex_of, with_dates)

UNIDENTIFIED = {"unidentified"}  # the OGIS Name of a person the examiner has not identified


def pcome_input(raw: RawTable) -> LinkInput:
    """The OGIS file's rows of persons still unidentified (Name "Unidentified"): NamUs holds
    only remains unidentified at its export. The Name is read for that test only."""
    cols = raw.frame
    if "Name" not in cols or "Reporting Date" not in cols:
        raise NotLinkable(f"{raw.name}: linkage needs the OGIS format with Name and Reporting Date")
    keep = cols["Name"].str.strip().str.lower().isin(UNIDENTIFIED)
    rows = cols[keep].reset_index(drop=True)
    frame = pd.DataFrame({"unique_id": range(len(rows))})
    frame = with_dates(frame, pd.to_datetime(rows["Reporting Date"].str.strip(), format="%Y-%m-%d",
                                              errors="coerce"))
    frame["sex"] = sex_of(rows["Sex"])
    age = age_of(rows["Age"])
    frame["age_low"], frame["age_high"] = age, age
    frame["county"] = rows["County"].str.strip().str.lower().replace("", None)
    return LinkInput("pcome_humane_borders", frame, rows["ML Number"].str.strip(),
                     case_key(rows["ML Number"]))


def namus_input(raw: RawTable, county: str = "Pima") -> LinkInput:
    """NamUs rows of one county (the examiner's own cases)."""
    cols = raw.frame
    rows = cols[cols["County"].str.strip() == county].reset_index(drop=True)
    frame = pd.DataFrame({"unique_id": range(len(rows))})
    frame = with_dates(frame, pd.to_datetime(rows["DBF"].str.strip(), format="%m/%d/%Y",
                                              errors="coerce"))
    frame["sex"] = sex_of(rows["Biological Sex"])
    frame["age_low"], frame["age_high"] = age_of(rows["Age From"]), age_of(rows["Age To"])
    frame["county"] = rows["County"].str.strip().str.lower().replace("", None)
    return LinkInput("us_namus_unidentified", frame, rows["Case"].str.strip(),
                     case_key(rows["ME/C Case"]))


def pcome_all_input(raw: RawTable) -> LinkInput:
    """Every OGIS record (identified or not) with its date, sex, age and coordinates; the
    Name is not read. No case number to evaluate against."""
    rows = raw.frame.reset_index(drop=True)
    if not {"Reporting Date", "ML Number", "Latitude", "Longitude"} <= set(rows):
        raise NotLinkable(f"{raw.name}: the MMP pairing needs the OGIS format of 2021-2022")
    frame = pd.DataFrame({"unique_id": range(len(rows))})
    frame = with_dates(frame, pd.to_datetime(rows["Reporting Date"].str.strip(), format="%Y-%m-%d",
                                              errors="coerce"))
    frame["sex"] = sex_of(rows["Sex"])
    frame["lat"], frame["lon"] = coordinates_of(rows["Latitude"], rows["Longitude"])
    ids = rows["ML Number"].str.strip()
    return LinkInput("pcome_humane_borders", frame, ids, pd.Series([None] * len(rows), dtype="object"))


PIMA_OME = "pima"  # MMP incidents whose source or place names the Pima County examiner


MMP_COLUMNS = {"Location of Incident", "Coordinates", "Incident Date", "Incident ID",
               "Country of Incident", "Total Number of Dead and Missing"}


def mmp_needs(raw: RawTable, columns: set[str]) -> None:
    """Raise NotLinkable when MMP's file lacks a column a pairing reads (an older format)."""
    missing = sorted(columns - set(raw.frame))
    if missing:
        raise NotLinkable(f"{raw.name}: the MMP pairing needs the columns {missing}")


def mmp_incidents(raw: RawTable, keep: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """(rows kept, link frame, persons each counts) of MMP's incidents under `keep`: the
    incident date, sex where the incident counts one person (female or male by its counts,
    where the file has them) and coordinates from `Coordinates` ("lat, lon")."""
    rows = raw.frame[keep.to_numpy()].reset_index(drop=True)
    frame = pd.DataFrame({"unique_id": range(len(rows))})
    frame = with_dates(frame, pd.to_datetime(rows["Incident Date"].str.strip().str[:10],
                                              format="%Y-%m-%d", errors="coerce"))
    count = lambda c: pd.to_numeric(rows[c].astype("str").str.strip(), errors="coerce")  # noqa: E731
    total = count("Total Number of Dead and Missing")
    one = total == 1
    sex = pd.Series([None] * len(rows), dtype="object")
    if {"Number of Females", "Number of Males"} <= set(rows):
        sex[one & (count("Number of Females") == 1)] = "female"
        sex[one & (count("Number of Males") == 1)] = "male"
    frame["sex"] = sex
    parts = rows["Coordinates"].astype("str").str.split(",", n=1, expand=True).reindex(columns=[0, 1])
    frame["lat"], frame["lon"] = coordinates_of(parts[0], parts[1])
    return rows, frame, total.fillna(1).astype(int)


def mmp_input(rows: pd.DataFrame, frame: pd.DataFrame, persons: pd.Series) -> LinkInput:
    """The link input of MMP's incidents (`mmp_incidents`): ids are the Incident IDs."""
    return LinkInput("mmp", frame, rows["Incident ID"].str.strip(),
                     pd.Series([None] * len(rows), dtype="object"), persons=persons)


def mmp_pima_input(raw: RawTable) -> LinkInput:
    """MMP incidents in the United States whose `Information Source` or `Location of
    Incident` names Pima (the Pima County medical examiner, or the county): both columns
    are read for that selection only."""
    mmp_needs(raw, MMP_COLUMNS | {"Information Source"})
    cols = raw.frame
    text = (cols["Information Source"].fillna("") + " " + cols["Location of Incident"].fillna("")).str.lower()
    keep = text.str.contains(PIMA_OME) & cols["Country of Incident"].str.contains("United States", na=False)
    return mmp_input(*mmp_incidents(raw, keep))


PIMA_AREA = "lower(trim(region)) = 'pima'"
PIMA_PAIRINGS = (
    Pairing(
        name="pima_ome_namus", area="us_az_pima_county",
        left=Side("pcome_humane_borders", "", pcome_input, PIMA_AREA),
        right=Side("us_namus_unidentified", "arizona", namus_input, PIMA_AREA),
        answer_key=True, cross_race=True,
        # NamUs's Pima cases are entered by the medical examiner whose records the OGIS file
        # is (its ME/C Case is the ML Number): a sub-list of one list, not a second capture.
        # NamUs holds only remains still unidentified: an identified person cannot be in it.
        assumptions_failing=("independence", "equal_catchability"),
        not_estimated_because="one_list_entered_from_the_other",
    ),
    Pairing(
        name="pima_ome_mmp", area="us_az_pima_ome_jurisdiction",
        left=Side("pcome_humane_borders", "", pcome_all_input, "TRUE"),
        # The area of MMP's list: the incidents its builder keeps (no county in `deaths`).
        right=Side("mmp", "", mmp_pima_input, None),
        compared=("found_date", "sex", "location"), incidents_right=True,
        # docs/linkage.md: a random sample of 40 of the 1,270 links of the real files, read
        # record against record, all the same death (plus the 11 weakest links, apart).
        review=(40, 40),
        # MMP enters these incidents from the examiner's published records (its source
        # column names the examiner; same dates and coordinates): not a second capture.
        assumptions_failing=("independence",),
        not_estimated_because="one_list_entered_from_the_other",
    ),
)
