"""The public tier of a release: what statistics built from confidential person-level data (the
NGO incident log) may show, before extracts, the page, the public Data Docs and `export` see
them. Method, parameters and what a user must know: docs/disclosure_control.md.

Per confidential source (every other source passes through unchanged):

1. **Batch updates.** Its public figures are refreshed only when at least `k` of its records
   were added, removed or changed since the version last published; otherwise the previous
   release's public rows of that source (statistics, `sources`, `coverage`) are published again
   unchanged, so a victim added to the log shows in no public file until `k` records have
   changed (differencing two releases never isolates one record).
2. **Global recoding and the full grid** (`grid.py`): nationalities and countries held by
   fewer than `k` records become `OTHER`; every declared category is published in every
   block, zeros included.
3. **Suppression** (`disclosure.protect`): counts from 0 to HARMSTATS_SDC_MAX are withheld
   (zeros too, so that a withheld cell says nothing about whether anyone is in it), plus
   complementary cells until the attack LP over the published margins, and over this and
   the previous public version linked cell by cell, leaves every withheld cell an interval
   of at least +- protection.
4. Row counts, coverage totals and known shares of the source are withheld (null) in the
   public `sources` and `coverage`; its `source_inconsistencies` rows are not published.

The catalog keeps the exact tables, the suppression report and the basis of the public version
(`public_basis_*`: its rows with the true values it hid, and a fingerprint of the records it was
built from), which the next release reads to decide and to link.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pandas as pd

from pipelines.publish.disclosure import (confidential_sources, empty_report, protect, stream_spec,
                                          suppression_summary, with_hidden_values)
from pipelines.publish.grid import RECODED_DIMENSIONS, full_grid
from pipelines.publish.layout import EXTRACT_DIR, MANIFEST, PRIVATE_COLUMNS, public_extracts
from pipelines.settings import active
from pipelines.stats.checks import BlockingCheckError
from pipelines.stored import BatchView, Chain, table_frames
from schemas.tables import TABLES

PROTECTED_STREAMS = ("crimes", "prosecutions")
COUNT_COLUMNS = ("bytes", "rows_read", "rows_accepted", "rows_quarantined", "rows_flagged")
# Per public metadata table: the columns withheld (null) for a confidential source.
WITHHELD = {"sources": COUNT_COLUMNS, "coverage": ("known_share", "total")}
# Public metadata tables whose rows of a confidential source are not published at all: they
# state exact totals.
DROPPED = ("source_inconsistencies",)
BASIS_RECORDS = "public_basis_records"
METHOD = ("batch updates (at least k changed records) + global recoding of rare nationalities "
          "and countries into OTHER + full grid of declared categories, zeros included + cell "
          "suppression of counts 0..max with complementary suppression checked by linear "
          "programming against the published margins and the previous public version")


@dataclass(frozen=True)
class DisclosureSettings:
    """Disclosure control parameters (docs/disclosure_control.md)."""

    threshold: tuple[int, int] = (0, 4)  # counts withheld (primary); zero always included
    protection: int = 2  # an attacker's interval must reach the value +- this
    k: int = 10  # batch size and recoding threshold

    def as_dict(self) -> dict:
        return {"threshold": list(self.threshold), "protection": self.protection, "k": self.k,
                "recoded_dimensions": list(RECODED_DIMENSIONS)}


def settings() -> DisclosureSettings:
    """The run's HARMSTATS_SDC_MAX (counts 0..MAX are withheld), HARMSTATS_SDC_PROTECTION and
    HARMSTATS_SDC_K (batch size and recoding threshold): `pipelines.settings`."""
    chosen = active()
    return DisclosureSettings((0, chosen.sdc_max), chosen.sdc_protection, chosen.sdc_k)


# --- what the previous release published --------------------------------------------------------

@dataclass
class Basis:
    """The public version of one confidential source in the previous release."""

    settings: dict
    records: Counter  # (stream, fingerprint) -> records
    stats: dict[str, pd.DataFrame]  # stream -> published rows with `hidden_value`
    public: dict[str, pd.DataFrame]  # public table -> the rows it published
    report: pd.DataFrame


def _read(path: Path, source: str) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    return pd.read_parquet(path, filters=[("source", "=", source)])


def read_basis(previous: Path | None, source: str) -> Basis | None:
    """The previous release's public version of `source`, or None (first release, an older
    layout, or a release without the source)."""
    if previous is None:
        return None
    try:
        manifest = json.loads((previous / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    control = manifest.get("disclosure_control")
    records = _read(previous / "tables" / f"{BASIS_RECORDS}.parquet", source)
    if not isinstance(control, dict) or records is None or not len(records):
        return None
    stats = {}
    for stream in PROTECTED_STREAMS:
        frame = _read(previous / "tables" / f"public_basis_{stream}_stats.parquet", source)
        if frame is not None and len(frame):
            stats[stream] = frame
    public = {}
    for name in ("sources", "coverage", *(f"{s}_stats" for s in PROTECTED_STREAMS)):
        frame = _read(public_extracts(previous) / f"{name}.parquet", source)
        public[name] = frame if frame is not None else pd.DataFrame()
    report = _read(previous / "tables" / "suppression_report.parquet", source)
    return Basis(control.get("settings", {}),
                 Counter({(r.stream, r.fingerprint): int(r.records) for r in records.itertuples()}),
                 stats, public, report if report is not None else empty_report())


def _legacy_previous(previous: Path | None, stream: str, source: str) -> pd.DataFrame | None:
    """A release of the older layout (extracts beside the catalog): its public table of the
    stream with the true values it hid, for the cross-release link of the first batch."""
    if previous is None:
        return None
    public = previous / EXTRACT_DIR / f"{stream}_stats.parquet"
    exact = previous / "tables" / f"{stream}_stats.parquet"
    if not (public.is_file() and exact.is_file()):
        return None
    mine = [("source", "=", source)]
    return with_hidden_values(pd.read_parquet(public, filters=mine), pd.read_parquet(exact, filters=mine),
                              stream)


# --- what changed since ---------------------------------------------------------------------------

def record_fingerprints(tables: dict, source: str) -> Counter:
    """(stream, fingerprint) -> records of the source's latest snapshot: a hash of what the
    statistics read of a record (year, fixed columns, dimensions, value)."""
    out: Counter = Counter()
    for stream in PROTECTED_STREAMS:
        data = tables.get(stream)
        if data is None:
            continue
        fixed, dims = stream_spec(stream)
        present = set(data.columns)
        wanted = [c for c in (*fixed, *dims, "value") if c not in ("source", "snapshot") and c in present]
        read = ["source", *(["is_latest"] if "is_latest" in present else []), *wanted]
        for frame in table_frames(data, columns=read):  # a stored record table: a few columns
            if "is_latest" in frame:
                frame = frame[frame["is_latest"].fillna(False).astype(bool)]
            frame = frame[frame["source"] == source]
            if frame.empty:
                continue
            hashes = pd.util.hash_pandas_object(frame[wanted].astype(str), index=False)
            out.update((stream, str(h)) for h in hashes)
    return out


def changed_records(now: Counter, before: Counter) -> int:
    """Records added, removed or changed, in the stream where most changed (a victim is a
    record of crimes and, once reported, of prosecutions too: one person, counted once); a
    changed record counts once (it is one removal and one addition)."""
    most = 0
    for stream in {s for s, _ in now} | {s for s, _ in before}:
        mine = Counter({key: n for key, n in now.items() if key[0] == stream})
        theirs = Counter({key: n for key, n in before.items() if key[0] == stream})
        most = max(most, sum((mine - theirs).values()), sum((theirs - mine).values()))
    return most


# --- the tier -------------------------------------------------------------------------------------

@dataclass
class Decision:
    source: str
    updated: bool
    reason: str
    changed: int | None  # records changed since the public version (None: no basis)
    snapshot: str | None = None  # the snapshot the public figures come from


@dataclass
class PublicTier:
    """What the public tier publishes instead of the catalog's tables, and what the catalog
    keeps of it."""

    tables: dict = field(default_factory=dict)  # public versions of tables (views of stored ones)
    catalog: dict[str, pd.DataFrame] = field(default_factory=dict)  # catalog-only tables
    summary: pd.DataFrame = field(default_factory=pd.DataFrame)
    decisions: list[Decision] = field(default_factory=list)
    settings: DisclosureSettings = field(default_factory=DisclosureSettings)

    def summary_records(self) -> dict:
        """For the catalog manifest: settings, per source the decision, per table the cells."""
        summary = self.summary
        return {"settings": self.settings.as_dict(),
                "sources": [d.__dict__ for d in self.decisions],
                "tables": summary.astype(object).where(summary.notna(), None).to_dict("records")
                if len(summary) else []}

    def public_note(self) -> dict:
        """For the public manifest: the method and its parameters, no count of any kind."""
        return {"method": METHOD, "parameters": self.settings.as_dict(),
                "confidential_sources": [{"source": d.source, "snapshot": d.snapshot}
                                         for d in self.decisions],
                "documentation": "docs/disclosure_control.md"}


def sources_in(stats) -> set[str]:
    """The sources a statistics table holds, read a column at a time from a stored table."""
    return {s for frame in table_frames(stats, columns=["source"]) for s in frame["source"].dropna().unique()}


def confidential_latest(stats, confidential: set[str]) -> pd.DataFrame:
    """The latest rows of confidential sources: all that disclosure control reads."""
    parts = [frame[frame["is_latest"] & frame["source"].isin(confidential)] for frame in table_frames(stats)]
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)


def others_latest(frame: pd.DataFrame, confidential: frozenset[str]) -> pd.DataFrame:
    """The latest rows of (a frame of) a statistics table but those of confidential sources."""
    keep = frame["is_latest"].fillna(False).astype(bool) & ~frame["source"].isin(confidential)
    out = frame[keep]
    return out if "suppressed" in out else out.assign(suppressed=False)


def _like(frame: pd.DataFrame, model: pd.DataFrame) -> pd.DataFrame:
    """`frame` with the columns and types of `model` (a republished public frame lacks the
    catalog-only columns)."""
    out = frame.reindex(columns=model.columns)
    for col in model.columns:
        try:
            out[col] = out[col].astype(model[col].dtype)
        except (TypeError, ValueError):
            pass
    return out


def _protected_stream(rows: pd.DataFrame, stream: str, source: str, basis: Basis | None,
                      previous: Path | None, st: DisclosureSettings) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(published rows, suppression report, basis rows with hidden values) of one source's
    latest statistics of a stream: recoded, gridded, suppressed."""
    shaped = pd.concat([full_grid(part, stream, st.k) for _, part in rows.groupby("snapshot", sort=True)],
                       ignore_index=True)
    before = basis.stats.get(stream) if basis is not None else _legacy_previous(previous, stream, source)
    published, report = protect(shaped, stream, {source}, previous=before, threshold=st.threshold,
                                protection=st.protection)
    return published, report, with_hidden_values(published, shaped, stream)


def public_tables(tables: dict, previous_release: Path | None) -> PublicTier:
    """The public tier of `tables` (see the module's docstring). A protected statistics table
    comes back as the other sources' latest rows (a view, read frame by frame: a stored table
    is never held whole) followed by the confidential sources' published rows.
    Raises BlockingCheckError when a withheld cell could still be narrowed below its
    protection interval (nothing is published then)."""
    confidential = confidential_sources()
    present = set()
    for name in (*(f"{s}_stats" for s in PROTECTED_STREAMS), "sources"):
        data = tables.get(name)
        if data is not None and not data.empty:
            present |= (sources_in(data) if name != "sources" else set(data["source"])) & confidential
    st = settings()
    tier = PublicTier(settings=st)
    if not present:
        return tier
    reports, bases, records = [], {s: [] for s in PROTECTED_STREAMS}, []
    published: dict[str, list[pd.DataFrame]] = {s: [] for s in PROTECTED_STREAMS}
    republished: dict[str, Basis] = {}
    for source in sorted(present):
        basis = read_basis(previous_release, source)
        now = record_fingerprints(tables, source)
        changed = None if basis is None else changed_records(now, basis.records)
        if basis is not None and changed < st.k and basis.settings == st.as_dict() \
                and _same_columns(basis, tables):
            republished[source] = basis
            snapshot = _basis_snapshot(basis)
            tier.decisions.append(Decision(source, False, f"fewer than k={st.k} records changed",
                                           changed, snapshot))
            records += [{"source": source, "stream": s, "fingerprint": f, "records": n}
                        for (s, f), n in basis.records.items()]
            reports.append(basis.report)
            for stream in PROTECTED_STREAMS:
                if stream in basis.stats:
                    bases[stream].append(basis.stats[stream])
                rows = basis.public.get(f"{stream}_stats")
                if rows is not None and len(rows):
                    published[stream].append(rows)
            continue
        reason = ("first public version" if basis is None else
                  f"{changed} records changed (k={st.k})" if changed >= st.k else
                  "settings changed" if basis.settings != st.as_dict() else "public columns changed")
        records += [{"source": source, "stream": s, "fingerprint": f, "records": n} for (s, f), n in now.items()]
        snapshots = set()
        for stream in PROTECTED_STREAMS:
            stats = tables.get(f"{stream}_stats")
            if stats is None or stats.empty:
                continue
            rows = confidential_latest(stats, {source})
            if rows.empty:
                continue
            snapshots |= set(rows["snapshot"])
            out, report, basis_rows = _protected_stream(rows, stream, source, basis, previous_release, st)
            published[stream].append(out)
            reports.append(report)
            bases[stream].append(basis_rows)
        tier.decisions.append(Decision(source, True, reason, changed, ",".join(sorted(snapshots)) or None))
    report = pd.concat([r for r in reports if len(r)], ignore_index=True) if any(len(r) for r in reports) \
        else empty_report()
    summaries = []
    for stream in PROTECTED_STREAMS:
        name = f"{stream}_stats"
        stats = tables.get(name)
        if stats is None:
            continue
        mine = [p for p in published[stream] if len(p)]
        if not mine:
            continue
        rows = pd.concat([_like(p, _model(stats)) for p in mine], ignore_index=True)
        tier.tables[name] = Chain((BatchView(stats, partial(others_latest, confidential=frozenset(present))),
                                   rows))
        summaries.append(suppression_summary(rows, report, stream))
        if bases[stream]:
            tier.catalog[f"public_basis_{name}"] = pd.concat(
                [_like(b, bases[stream][0]) for b in bases[stream]], ignore_index=True)
    tier.summary = pd.concat(summaries, ignore_index=True) if summaries else pd.DataFrame()
    if len(tier.summary) and int(tier.summary["unprotected"].sum()) > 0:
        raise BlockingCheckError(
            f"disclosure control: {int(tier.summary['unprotected'].sum())} withheld cell(s) could be "
            "narrowed below their protection interval; nothing published")
    for name in (*WITHHELD, *DROPPED):
        frame = tables.get(name)
        if frame is None or not len(frame):
            continue
        tier.tables[name] = _public_metadata(name, frame, present, republished)
    tier.catalog["suppression_report"] = report
    tier.catalog[BASIS_RECORDS] = pd.DataFrame(records, columns=["source", "stream", "fingerprint", "records"])
    return tier


def _same_columns(basis: Basis, tables: dict) -> bool:
    """Whether the previous public rows have every column the public tables have now (a new
    key column, say, means they cannot be published again as they are)."""
    for name, old in basis.public.items():
        data = tables.get(name)
        if data is None or old.empty:
            continue
        wanted = set(TABLES[name].to_schema().columns) - set(PRIVATE_COLUMNS.get(name, ()))
        if not wanted <= set(old.columns):
            return False
    return True


def _model(stats) -> pd.DataFrame:
    """An empty frame with the columns and types of a statistics table."""
    frame = next(iter(table_frames(stats)))
    frame = frame.iloc[0:0]
    return frame if "suppressed" in frame else frame.assign(suppressed=pd.Series(dtype=bool))


def _basis_snapshot(basis: Basis) -> str | None:
    snaps = set()
    for frame in basis.stats.values():
        snaps |= set(frame["snapshot"].dropna())
    return ",".join(sorted(snaps)) or None


def _public_metadata(name: str, frame: pd.DataFrame, confidential: set[str],
                     republished: dict[str, Basis]) -> pd.DataFrame:
    """A metadata table as published: rows of confidential sources with their counts withheld
    (or, for a source whose public version is republished, the rows published then), rows of
    DROPPED tables left out for them."""
    mine = frame["source"].isin(confidential)
    if name in DROPPED:
        return frame[~mine].reset_index(drop=True)
    columns = [c for c in WITHHELD[name] if c in frame]
    out = frame.astype({c: "object" for c in columns})
    out.loc[mine, columns] = None
    parts = [out[~out["source"].isin(republished)]]
    for source, basis in republished.items():
        old = basis.public.get(name)
        if old is not None and len(old):
            parts.append(_like(old, out))
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
