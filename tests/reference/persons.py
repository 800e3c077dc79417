"""Person-level death lists (one person a row): the publisher's yearly count and yearly count
by sex, computed with pandas from the raw CSV, as expected cells of deaths_stats."""

from __future__ import annotations

import functools

import pandas as pd

from tests.reference.published import Published, assert_yearly, require_snapshot


@functools.cache
def read_csv(path: str) -> pd.DataFrame:
    """Every cell as text ("" for blank)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def check_yearly(published: Published, source: str, snapshot: str, years: pd.Series,
                 year_basis: str, what: str) -> None:
    """deaths_stats grand total per year = the number of rows of that year."""
    require_snapshot(published, "deaths_stats", source, snapshot)
    expected = years.value_counts().rename_axis("year").reset_index(name="exp_value")
    assert expected["exp_value"].sum() == len(years)
    assert_yearly(published.stats("deaths_stats", source), snapshot, expected, what,
                  unit="persons", year_basis=year_basis)


def check_yearly_by_sex(published: Published, source: str, snapshot: str, years: pd.Series,
                        sexes: pd.Series, year_basis: str, what: str) -> None:
    """deaths_stats cells (year, sex) = the rows of that year and sex; no other sex or year."""
    require_snapshot(published, "deaths_stats", source, snapshot)
    assert sexes.notna().all(), sexes[sexes.isna()]
    stats = published.stats("deaths_stats", source)
    frame = pd.DataFrame({"year": years, "sex": sexes})
    for sex, rows in frame.groupby("sex"):
        expected = rows["year"].value_counts().rename_axis("year").reset_index(name="exp_value")
        assert_yearly(stats, snapshot, expected, f"{what}, sex {sex}", unit="persons",
                      year_basis=year_basis, sex=sex)
    published_sexes = set(stats.loc[(stats["snapshot"] == snapshot) & (stats["age_group"] == "all")
                                    & (stats["status"] == "all") & (stats["nationality"] == "all")
                                    & (stats["country_iso3"] == "all") & (stats["cause"] == "all")
                                    & (stats["criminal"] == "all") & (stats["scope"] == "all"),
                                    "sex"])
    assert published_sexes - {"all"} == set(frame["sex"]), published_sexes
