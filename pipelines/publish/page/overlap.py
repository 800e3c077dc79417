"""The overlap section: per area, the death lists counted there, how much they overlap, the
persons in either list as a range, the race the examiner estimated for linked records, and
the capture-recapture estimate or why there is none (tables `deaths_overlap`,
`deaths_linked_race`, `deaths_estimates`), as plain values for `templates/page/overlap.html`."""

from __future__ import annotations

import pandas as pd

from pipelines.publish.page.figures import Figure, captions
from pipelines.publish.page.words import label_of
from pipelines.publish.templating import share, thousands

AREA_NAMES = {"us_az_pima_county": "Pima County, Arizona (US-Mexico border)",
              "us_az_pima_ome_jurisdiction": "Deaths examined by the Pima County medical examiner "
                                             "(southern Arizona)",
              "us_border_counties_outside_pima_ome": "US border counties outside the Pima County "
                                                     "examiner's (California, Yuma, New Mexico, "
                                                     "Texas)",
              "europe_routes": "Routes to Europe (deaths on the way to Europe or in it)"}
ASSUMPTION_WORDS = {"closed_population": "closed population", "independence": "independent lists",
                    "equal_catchability": "equal catchability", "perfect_linkage": "perfect linkage"}
REASON_WORDS = {
    "one_list_entered_from_the_other": "one list is entered from the other's records: it is a "
                                       "sub-list, not a second capture",
    "lists_entered_from_the_same_records": "both lists are entered from the same examiners' "
                                           "and agencies' records: not independent captures",
    "no_person_in_both_lists": "no person was linked in both lists",
    "no_list_linked": "no list was linked",
    "persons_caught_by_incident": "the lists count incidents of one to hundreds of persons, so "
                                  "persons are not caught one by one",
}


def _range(low, high) -> str:
    return thousands(low) if low == high else f"{thousands(low)}-{thousands(high)}"


def _estimate(r) -> dict:
    """An estimate row in words."""
    failing = [ASSUMPTION_WORDS.get(a, a) for a in str(r.assumptions_failing or "").split(";") if a]
    out = {"method": "Chapman (two lists)" if r.method == "chapman" else "log-linear model",
           "failing": ", ".join(failing) or "none known", "estimated": r.status == "estimated"}
    if out["estimated"]:
        out["text"] = (f"{thousands(round(r.estimate))} (95 % interval "
                       f"{thousands(round(r.ci_low))}-{thousands(round(r.ci_high))})")
    else:
        out["text"] = "no estimate: " + REASON_WORDS.get(r.reason, str(r.reason))
    return out


def overlap_section(overlap: pd.DataFrame, race: pd.DataFrame, estimates: pd.DataFrame) -> dict:
    """The section's data: per area and pair of lists, the period's counts and estimate, the
    race crossing and the rows per year; or, when nothing was linked, the figure saying so."""
    areas = []
    for (area, sources), rows in overlap.groupby(["area", "sources"], sort=True):
        rows = rows.sort_values("year")
        first = rows.iloc[0]
        est = estimates[(estimates["area"] == area) & (estimates["sources"] == sources)]
        mine = race[(race["area"] == area) & (race["sources"] == sources)]
        linked_all = mine.loc[mine["race_ethnicity"] == "all", "persons"]
        race_rows = [{"label": label_of(r.race_ethnicity), "persons": thousands(r.persons)}
                     for r in mine.itertuples()
                     if r.race_ethnicity not in ("all", "unknown") and r.persons > 0]
        no_estimate = int(mine.loc[mine["race_ethnicity"] == "unknown", "persons"].sum())
        estimated_race = int(mine.loc[~mine["race_ethnicity"].isin(["all", "unknown"]), "persons"].sum())
        period = est.iloc[0] if len(est) else None
        areas.append({
            "name": AREA_NAMES.get(area, area), "sources": sources,
            "left": first.source_l, "right": first.source_r,
            "snapshot_l": first.snapshot_l, "snapshot_r": first.snapshot_r,
            "years": f"{int(rows['year'].min())}-{int(rows['year'].max())}",
            "partial": [int(y) for y in rows.loc[rows["partial_year"], "year"]],
            "precision": None if pd.isna(first.link_precision) else share(float(first.link_precision)),
            "recall": None if pd.isna(first.link_recall) else share(float(first.link_recall)),
            "period": None if period is None else {
                "persons_l": thousands(period.persons_l), "persons_r": thousands(period.persons_r),
                "linked": thousands(period.linked),
                "years": (str(int(period.first_year)) if period.first_year == period.last_year
                          else f"{int(period.first_year)}-{int(period.last_year)}"),
                "union": _range(int(period.union_min), int(period.union_max))},
            "estimate": None if period is None else _estimate(period),
            "race": {"rows": race_rows, "linked": thousands(int(linked_all.iloc[0])) if len(linked_all) else "0",
                     "estimated": thousands(estimated_race), "unknown": thousands(no_estimate),
                     "in_area": thousands(int(mine["persons_in_area"].iloc[0])) if len(mine) else "0",
                     "years": (f"{int(mine['first_year'].iloc[0])}-{int(mine['last_year'].iloc[0])}"
                               if len(mine) else ""),
                     "source": mine["source"].iloc[0] if len(mine) else "",
                     "race_source": mine["race_source"].iloc[0] if len(mine) else ""},
            "years_rows": [{"year": int(r.year), "partial": bool(r.partial_year),
                            "persons_l": thousands(r.persons_l), "persons_r": thousands(r.persons_r),
                            "linked": thousands(r.linked), "union": _range(int(r.union_min), int(r.union_max))}
                           for r in rows.itertuples()],
        })
    return {"areas": areas, "trios": _trios(estimates),
            "empty": Figure("overlap-empty", captions().overlap_empty(), None)}


def _trios(estimates: pd.DataFrame) -> list[dict]:
    """The rows of three lists of `deaths_estimates`: each list's persons, those in at least
    two, the range of those in any, and the estimate or why there is none."""
    if estimates.empty or "lists" not in estimates:
        return []
    rows = estimates[estimates["lists"] == 3].sort_values(["area", "sources"])
    return [{"name": AREA_NAMES.get(r.area, r.area),
             "years": (str(int(r.first_year)) if r.first_year == r.last_year
                       else f"{int(r.first_year)}-{int(r.last_year)}"),
             "lists": [{"source": source, "persons": thousands(n)}
                       for source, n in zip(r.sources.split("+"), (r.persons_l, r.persons_r, r.persons_3))],
             "linked": thousands(r.linked), "union": _range(int(r.union_min), int(r.union_max)),
             "estimate": _estimate(r)} for r in rows.itertuples()]
