"""The letter scorecard (`letter_scorecard`, pipelines/publish/scorecard.py; rules in
docs/letter_scorecard.md): hand-written cases for each rule, and, on the sample and the real
release, every row checked against the public statistics and `coverage` by an independent
derivation here (pandas over the extracts; the scorecard code is never the oracle)."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from pipelines.config import PROJECT_ROOT
from pipelines.publish.layout import public_extracts
from pipelines.publish.scorecard import letter_scorecard
from tests.sample_release import sample_release

MAPS = PROJECT_ROOT / "pipelines" / "harmonize" / "maps"
COUNTRIES = ("USA", "MEX", "CAN")
DIMS = {"deaths_stats": ("sex", "gender_identity", "age_group", "nationality", "race_ethnicity",
                         "country_iso3", "cause", "criminal", "scope", "status"),
        "crimes_stats": ("sex", "gender_identity", "age_group", "nationality", "race_ethnicity",
                         "country_iso3", "crime_type", "sgbv", "bias_motivation", "perpetrator"),
        "prosecutions_stats": ("sex", "gender_identity", "age_group", "nationality",
                               "race_ethnicity", "country_iso3", "offence", "sgbv")}
LINES = {("deaths", "criminal"): ("criminal", "criminal"),
         ("deaths", "non_criminal"): ("criminal", "non_criminal"),
         ("crimes", "sgbv"): ("sgbv", "yes"), ("crimes", "all"): ("sgbv", "all"),
         ("prosecutions", "sgbv"): ("sgbv", "yes"), ("prosecutions", "all"): ("sgbv", "all")}
NOT_KNOWN = {"unknown", "not_recorded", "UNKNOWN", "NOT_RECORDED"}
GROUP = ["source", "snapshot", "year", "year_basis", "partial_year", "unit", "subject",
         "population", "stage", "breakdown"]


def _codes(name: str) -> dict[str, str]:
    with (MAPS / name).open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if not next(iter(r.values())).startswith("#")]
    return {r["code"]: r.get("letter_dimension", "") for r in rows}


def test_every_bias_code_says_which_letter_dimension_it_speaks_to():
    motivations = set(_codes("bias_motivations.csv"))
    mapped = _codes("bias_letter_dimensions.csv")
    assert motivations - set(mapped) == set(), "add these codes to maps/bias_letter_dimensions.csv"
    assert set(mapped.values()) <= {"race_ethnicity", "sex", "nationality", "none", "unknown"}


# --- the rules, on hand-written tables ------------------------------------------------------------

def _crime(source, year, population="general", partial=False, subject="victim", breakdown="b",
           sex="all", bias="all", value=0, country="MEX", sgbv="all", value_min=None, value_max=None,
           snapshot="s1"):
    row = {d: "all" for d in DIMS["crimes_stats"]}
    row.update(source=source, snapshot=snapshot, is_latest=True, year=year, year_basis="incident",
               partial_year=partial, unit="persons", subject=subject, population=population,
               breakdown=breakdown, country_iso3=country, sex=sex, bias_motivation=bias, sgbv=sgbv,
               value=value, value_min=value if value_min is None else value_min,
               value_max=value if value_max is None else value_max, suppressed=False,
               source_suppressed=False)
    return row


def _coverage(*rows):
    return pd.DataFrame([{"source": s, "snapshot": "s1", "is_latest": True, "stream": "crimes",
                          "unit": "persons", "subject": sub, "dimension": d, "recorded": rec,
                          "known_share": None, "total": 0} for s, sub, d, rec in rows])


def _card(crimes, coverage) -> pd.DataFrame:
    frame = pd.DataFrame(crimes).astype({"value": "Int64", "value_min": "Int64", "value_max": "Int64"})
    card = letter_scorecard({"crimes_stats": frame, "coverage": coverage})
    return card.set_index(["country_iso3", "stream", "line", "dimension", "rank"], drop=False)


def _status(card: pd.DataFrame, *key: str) -> str:
    """The status of a country, stream, line and dimension without a figure (one row)."""
    rows = card[(card[["country_iso3", "stream", "line", "dimension"]] == list(key)).all(axis=1)]
    assert len(rows) == 1 and rows["rank"].isna().all(), rows
    return rows["status"].iloc[0]


def test_migrants_beat_general_population_and_full_years_beat_partial_ones():
    crimes = [
        _crime("general_src", 2022, sex="female", value=70), _crime("general_src", 2022, sex="male", value=30),
        _crime("migrant_log", 2019, "migrants", sex="female", value=3),
        _crime("migrant_log", 2019, "migrants", sex="unknown", value=1),
        _crime("migrant_log", 2020, "migrants", partial=True, sex="female", value=9),
    ]
    card = _card(crimes, _coverage(("general_src", "victim", "sex", "yes"),
                                   ("migrant_log", "victim", "sex", "partly")))
    row = card.loc[("MEX", "crimes", "all", "sex", 1)]
    assert (row.status, row.source, row.year, row.value, row.known_share) == (
        "recorded", "migrant_log", 2019, 4, 0.75)
    assert not row.partial_year and row.categories == "female 3"
    second = card.loc[("MEX", "crimes", "all", "sex", 2)]
    assert (second.status, second.source, second.year, second.value) == ("also_recorded", "general_src",
                                                                         2022, 100)
    assert (card["source"] == "general_src").sum() == 1  # one row per source
    assert _status(card, "MEX", "crimes", "all", "nationality") == "not_recorded"
    assert _status(card, "USA", "crimes", "all", "sex") == "no_statistics"
    assert _status(card, "MEX", "deaths", "criminal", "sex") == "no_statistics"


def test_a_latest_year_under_half_its_recent_median_is_named_thin_and_still_published():
    # Yearly totals 100, 80, 90 then 30: under half the median (90) of 2013-2015.
    totals = {2013: 100, 2014: 80, 2015: 90, 2016: 30}
    crimes = [_crime("lagging", year, sex=sex, value=total // 2)
              for year, total in totals.items() for sex in ("female", "male")]
    crimes += [_crime("steady", year, sex="female", value=v)
               for year, v in ((2014, 10), (2015, 12), (2016, 6))]  # 6 is half of 12, not under
    card = _card(crimes, _coverage(("lagging", "victim", "sex", "yes"),
                                   ("steady", "victim", "sex", "yes")))
    rows = card[card["dimension"] == "sex"].set_index("source")
    assert rows.loc["lagging", "year"] == 2016 and rows.loc["lagging", "value"] == 30
    assert ("A thin year: 30 against a median of 90 a year in 2013-2015 in this source"
            in rows.loc["lagging", "note"])
    assert rows.loc["steady", "year"] == 2016 and "thin" not in rows.loc["steady", "note"]


def test_general_population_only_takes_the_latest_full_year_and_ranges_stay_ranges():
    crimes = [
        _crime("a", 2021, sex="female", value=50), _crime("a", 2021, sex="male", value=50),
        _crime("b", 2022, sex="female", value=10),
        _crime("b", 2022, sex="male", value=None, value_min=0, value_max=4),
        _crime("b", 2023, partial=True, sex="female", value=5),
        _crime("c", 2023, sex="female", value=8),  # coverage: c does not record sex
    ]
    card = _card(crimes, _coverage(("a", "victim", "sex", "yes"), ("b", "victim", "sex", "yes"),
                                   ("c", "victim", "sex", "no")))
    row = card.loc[("MEX", "crimes", "all", "sex", 1)]
    assert (row.status, row.source, row.year) == ("general_population_only", "b", 2022)
    assert pd.isna(row.value) and (row.value_min, row.value_max) == (10, 14)
    assert row.known_share == 0.71  # 10 / 14, in whole percents
    assert row.categories == "female 10; male 0-4"
    assert "General population: counts everyone in MEX" in row.note


def test_a_figure_whose_known_counts_are_all_withheld_comes_last():
    crimes = [
        _crime("ngo_log", 2023, "migrants", sex="female", value=None, value_min=None, value_max=None),
        _crime("ngo_log", 2023, "migrants", sex="unknown", value=12),
        _crime("general_src", 2021, sex="female", value=7),
    ]
    card = _card(crimes, _coverage(("ngo_log", "victim", "sex", "yes"),
                                   ("general_src", "victim", "sex", "yes")))
    first, second = card.loc[("MEX", "crimes", "all", "sex", 1)], card.loc[("MEX", "crimes", "all", "sex", 2)]
    assert (first.source, first.status, second.source, second.status) == (
        "general_src", "general_population_only", "ngo_log", "also_recorded")
    assert (second.value_min, pd.isna(second.value_max), second.categories) == (12, True, "female withheld")
    assert "withheld" in second.note


def test_a_bias_motivation_is_labelled_as_the_group_targeted_never_the_victims_race():
    crimes = [
        _crime("hate", 2021, subject="incident", bias="anti_black", value=40, country="CAN"),
        _crime("hate", 2021, subject="incident", bias="anti_jewish", value=50, country="CAN"),
        _crime("hate", 2021, subject="incident", bias="unknown", value=10, country="CAN"),
    ]
    card = _card(crimes, _coverage(("hate", "incident", "race_ethnicity", "no")))
    row = card.loc[("CAN", "crimes", "all", "race_ethnicity", 1)]
    assert (row.status, row.population, row.measured_by) == ("general_population_only", "general",
                                                             "bias_motivation")
    assert row.describes == "offender's bias motivation (the group targeted)"
    assert (row.value, row.known_share, row.categories) == (100, 0.9, "anti_black 40")
    assert "never says the victim's own race" in row.note
    # anti_jewish speaks to no dimension of the letter: no sex or nationality figure from it.
    assert _status(card, "CAN", "crimes", "all", "sex") == "not_recorded"
    assert _status(card, "CAN", "crimes", "all", "nationality") == "not_recorded"


# --- every row against the tables of a release ----------------------------------------------------

def _extract(release: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(public_extracts(release) / f"{name}.parquet")


def _candidates(stats: pd.DataFrame, table: str, coverage: pd.DataFrame, stream: str, line_col: str,
                dim: str, bias_map: dict[str, str]) -> pd.DataFrame:
    """Independently: every cell group with a known value of `dim` (or a bias motivation
    speaking to it), one row per group with its sums."""
    out = []
    for measure in [dim] + (["bias_motivation"] if table == "crimes_stats" else []):
        others = [d for d in DIMS[table] if d not in (measure, line_col, "country_iso3")]
        cells = stats[(stats[others] == "all").all(axis=1) & (stats[measure] != "all")].copy()
        if measure == dim:
            cov = coverage[(coverage["stream"] == stream) & (coverage["dimension"] == dim)
                           & coverage["recorded"].isin(["yes", "partly"])]
            ok = set(zip(cov["source"], cov["snapshot"], cov["unit"], cov["subject"].fillna("-")))
            keep = [k in ok for k in zip(cells["source"], cells["snapshot"], cells["unit"],
                                         cells["subject"].fillna("-"))]
            cells = cells[pd.Series(keep, index=cells.index, dtype=bool)]
            cells["known"] = ~cells[measure].isin(NOT_KNOWN)
            cells["listed"] = cells["known"]
        else:
            speaks = cells["bias_motivation"].map(bias_map).fillna("unknown")
            cells["known"], cells["listed"] = speaks != "unknown", speaks == dim
        if cells.empty:
            continue
        cells["measure"] = measure
        cells["low"] = cells["value"].astype("Float64").fillna(cells["value_min"].astype("Float64")).fillna(0)
        for key, g in cells.groupby(GROUP + ["measure"], dropna=False):
            listed = g[g["listed"]]
            if listed.empty or (listed["value"].fillna(1) == 0).all():
                continue
            out.append(dict(zip(GROUP + ["measure"], key), low=float(g["low"].sum()),
                            exact=bool(g["value"].notna().all()),
                            known_low=float(g.loc[g["known"], "low"].sum())))
    return pd.DataFrame(out)


def _about(row) -> int:
    if row["measure"] == "bias_motivation":
        return 2
    return {"victim": 0, "incident": 1, "offender": 3}.get(row["subject"], 0)


def check_release(release: Path) -> int:
    """Assert every scorecard row of a release's public tier against its tables; returns how
    many rows carry a figure (rank 1 or not)."""
    card = _extract(release, "letter_scorecard")
    coverage = _extract(release, "coverage")
    bias_map = _codes("bias_letter_dimensions.csv")
    firsts = card[card["rank"].fillna(1) == 1]
    assert len(firsts) == len(COUNTRIES) * len(LINES) * 3
    assert not firsts.duplicated(["country_iso3", "stream", "line", "dimension"]).any()
    assert not card.duplicated(["country_iso3", "stream", "line", "dimension", "source"]).any()
    figures = 0
    for table in DIMS:
        stream = table.removesuffix("_stats")
        stats = _extract(release, table)
        stats = stats[stats["country_iso3"].isin(COUNTRIES)]
        for col in GROUP:
            if col not in stats:
                stats[col] = None
        stats["population"] = stats["population"].fillna("migrants")
        for (s, line), (line_col, line_value) in LINES.items():
            if s != stream:
                continue
            for country in COUNTRIES:
                mine = stats[(stats["country_iso3"] == country) & (stats[line_col] == line_value)]
                for dim in ("sex", "race_ethnicity", "nationality"):
                    rows = card[(card["country_iso3"] == country) & (card["stream"] == stream)
                                & (card["line"] == line) & (card["dimension"] == dim)].sort_values("rank")
                    where = (country, stream, line, dim)
                    if mine.empty:
                        assert rows["status"].tolist() == ["no_statistics"], where
                        continue
                    cands = _candidates(mine, table, coverage, stream, line_col, dim, bias_map)
                    if cands.empty:
                        assert rows["status"].tolist() == ["not_recorded"], where
                        assert rows["source"].isna().all() and rows["value_min"].isna().all(), where
                        continue
                    figures += len(rows)
                    # One row per source with a figure, ranked 1..n.
                    assert rows["rank"].tolist() == list(range(1, len(rows) + 1)), where
                    assert sorted(rows["source"]) == sorted(cands["source"].unique()), where
                    migrants = ((cands["population"] == "migrants") & (cands["known_low"] > 0)).any() or (
                        (cands["known_low"] == 0).all() and (cands["population"] == "migrants").any())
                    assert rows["status"].tolist() == [
                        "recorded" if migrants else "general_population_only"] + ["also_recorded"] * (len(rows) - 1), where
                    order = []
                    for _, row in rows.iterrows():
                        m = _check_figure(row, cands[cands["source"] == row["source"]], where)
                        order.append((m["known_low"] == 0, row["population"] != "migrants", _about(m),
                                      bool(row["partial_year"]), -int(row["year"])))
                    assert order == sorted(order), (where, order)
    return figures


def _check_figure(row: pd.Series, cands: pd.DataFrame, where) -> pd.Series:
    """One source's figure against its candidate groups: the group it names, its sums, and
    rules 1-4 within the source. Returns the group."""
    def same(column: str) -> pd.Series:
        return cands[column].astype(object).fillna("-") == (row[column] if pd.notna(row[column]) else "-")

    match = cands[same("snapshot") & (cands["year"] == row["year"]) & (cands["measure"] == row["measured_by"])
                  & same("unit") & same("breakdown") & same("stage") & same("subject") & same("year_basis")]
    assert len(match) == 1, (where, row.to_dict())
    m = match.iloc[0]
    assert row["value_min"] == m["low"], where
    assert (pd.notna(row["value"]) and row["value"] == m["low"]) == m["exact"], where
    if m["exact"] and m["low"]:
        assert row["known_share"] == pytest.approx(m["known_low"] / m["low"], abs=0.005), where
    # Rules 1-4: migrants first, nothing describing a closer subject, no later full year.
    assert row["population"] == ("migrants" if (cands["population"] == "migrants").any() else "general")
    pool = cands[cands["population"] == row["population"]]
    ranks = pool.apply(_about, axis=1)
    assert (ranks >= _about(m)).all(), where
    full = pool[(ranks == _about(m)) & ~pool["partial_year"].fillna(False).astype(bool)]
    if not bool(row["partial_year"]):
        assert row["year"] == full["year"].max(), where
    else:
        assert full.empty, where
    if row["measured_by"] == "bias_motivation":
        assert "offender" in row["describes"] and "never" in row["note"], where
    return m


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    return sample_release(tmp_path_factory)


def test_scorecard_of_the_sample_release_follows_its_tables(sample):
    assert check_release(sample) > 0
    page = (sample / "public" / "index.html").read_text(encoding="utf-8")
    assert 'id="scorecard"' in page and "not recorded by any source" in page


def test_scorecard_of_the_real_release_follows_its_tables(real_release):
    release = real_release.out / "current"
    assert check_release(release) > 0
    card = _extract(release, "letter_scorecard")
    # Canada's hate crime by race reaches the scorecard through the bias motivation, labelled.
    can = card[(card["country_iso3"] == "CAN") & (card["stream"] == "crimes") & (card["line"] == "all")
               & (card["dimension"] == "race_ethnicity") & (card["rank"] == 1)].iloc[0]
    assert (can["status"], can["measured_by"]) == ("general_population_only", "bias_motivation")


def _render_section(scorecard: pd.DataFrame) -> str:
    from pipelines.publish.page.figures import MESSAGES
    from pipelines.publish.page.scorecard import scorecard_section
    from pipelines.publish.page.write import FILE_LABELS
    from pipelines.publish.templating import html_templates
    return html_templates().get_template("page/scorecard.html").render(
        data=scorecard_section(scorecard), messages=MESSAGES, file_labels=FILE_LABELS)


def test_page_section_escapes_the_table_and_marks_general_and_bias_figures():
    """A cell prints its figure, says 'general population only' and 'the offender's motive'
    where so, lists the other source, and escapes whatever the table holds."""
    base = {"country_iso3": "CAN", "stream": "crimes", "line": "all", "dimension": "race_ethnicity",
            "snapshot": "2024-09-22", "year_basis": "occurred", "partial_year": False,
            "population": "general", "stage": None, "breakdown": "all", "subject": "incident",
            "unit": "incidents", "value_min": None, "value_max": None, "sources_checked": ""}
    rows = pd.DataFrame([
        {**base, "rank": 1, "status": "general_population_only", "source": "src_a", "year": 2023,
         "measured_by": "bias_motivation", "describes": "offender's bias motivation",
         "value": 365.0, "known_share": 1.0, "categories": "anti_black 46 <script>x</script>",
         "note": 'say "<b>"'},
        {**base, "rank": 2, "status": "also_recorded", "source": "src_b", "year": 2021,
         "measured_by": "bias_motivation", "describes": "offender's bias motivation",
         "value": None, "value_min": 3000.0, "value_max": 3400.0, "known_share": 0.96,
         "categories": "race_ethnicity_any 1,723", "note": ""},
    ])
    html = _render_section(rows)
    assert "<h3>Canada</h3>" in html
    assert "365 incidents (src_a, 2023, 100% known)" in html
    assert "general population only" in html and "the offender's motive, not the victim" in html
    assert "3,000-3,400 incidents (src_b, 2021, 96% known)" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'title="say &#34;&lt;b&gt;&#34;"' in html


def test_page_section_of_an_empty_table_says_there_is_no_data():
    html = _render_section(pd.DataFrame(columns=["country_iso3", "stream", "line", "dimension", "rank"]))
    assert 'id="scorecard-empty"' in html and "No data in this release" in html and "<table" not in html
