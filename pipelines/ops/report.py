"""The run report: what each source did, and the exit code a scheduler acts on.

Per source, `state` is the one-word verdict an operator reads first:

- `fresh`: processed this run (new or changed input, or changed code/definitions), all files ok
- `unchanged`: nothing it is built from changed; its rows were taken from the current release
- `stale`: the fetch failed; the last good snapshot was used (`age_days` says how old it is)
- `overdue`: the newest snapshot is older than the source's `max_age_days` (its update
  cadence allows); only checked on `--fetch` runs
- `failed`: a file of it could not be read and nothing older could stand in (or its fetch
  failed and there is no snapshot at all)
- `carried_forward`: it could not be read; its rows from the previous release were kept
- `anomalous`: processed and published, but a new snapshot of it looks wrong against its own
  files or the previous snapshot (quarantine share, repeated ids, flag share, yearly totals:
  `pipelines.stats.anomalies`); what is published is not changed by the warning
- `no_snapshot`: nothing on disk for it

`status` keeps the processing result (ok / partly_failed / failed / no_snapshot).

Exit codes: 0 published (or nothing new: the current release stays), 1 published with
warnings (failed, carried-forward, stale, overdue or anomalous sources, or a file whose sha256
is not the one its sidecar declares), 2 nothing published (a blocking
check failed; the previous release stays current), 3 another run holds the lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from pipelines import snapshots
from pipelines.ops import freshness
from pipelines.sources.registry import SOURCES

EXIT_OK, EXIT_WARNINGS, EXIT_BLOCKED, EXIT_LOCKED = 0, 1, 2, 3
EXIT_CODES = {
    EXIT_OK: "published (or nothing new since the current release)",
    EXIT_WARNINGS: "published with warnings: a source failed, was carried forward, is stale "
                   "(its fetch failed) or overdue, or a new snapshot looks anomalous, or a raw file "
                   "differs from its sidecar",
    EXIT_BLOCKED: "nothing published: a blocking check failed; the previous release stays current",
    EXIT_LOCKED: "another run holds the lock; nothing done",
}
STATES = ("fresh", "unchanged", "anomalous", "stale", "overdue", "failed", "carried_forward",
          "no_snapshot")
WARNING_STATES = {"failed", "carried_forward", "stale", "overdue", "anomalous"}
# Keys set before a source is processed (fetch, age); kept when its outcome is recorded.
_KEPT_KEYS = ("fetch", "age_days", "max_age_days", "snapshot_date", "newest_snapshot", "overdue",
              "reason")


def source_state(info: dict) -> str:
    """The one-word verdict of a source entry of the report."""
    status = info.get("status")
    fetch_failed = (info.get("fetch") or {}).get("outcome") == "failed"
    if status == "no_snapshot":
        return "failed" if fetch_failed else "no_snapshot"
    if status in ("failed", "partly_failed"):
        return "carried_forward" if info.get("carried_forward") else "failed"
    if info.get("overdue"):
        return "overdue"
    if fetch_failed:
        return "stale"
    if info.get("anomalies"):
        return "anomalous"
    if info.get("processed") is False:
        return "unchanged"
    return "fresh"


def source_warnings(source_id: str, info: dict) -> list[str]:
    """Plain-words warnings of one source."""
    found = []
    fetch = info.get("fetch") or {}
    age = info.get("age_days")
    aged = f"{age} days old" if age is not None else "of unknown age"
    if fetch.get("outcome") == "failed" and info.get("status") == "no_snapshot":
        found.append(f"fetch failed ({fetch.get('error', '')[:300]}); no earlier snapshot to use")
    elif fetch.get("outcome") == "failed":
        found.append(f"fetch failed ({fetch.get('error', '')[:300]}); using the last good snapshot "
                     f"{info.get('newest_snapshot')}, {aged}")
    if info.get("overdue"):
        found.append(f"overdue: newest snapshot {info.get('newest_snapshot')} is {aged}, more than "
                     f"the {info.get('max_age_days')} days its cadence allows "
                     f"({SOURCES[source_id].spec.cadence if source_id in SOURCES else '?'})")
    for f in info.get("files") or []:
        if f.get("status") == "failed":
            found.append(f"{f.get('snapshot')}/{f.get('file')}: "
                         f"{(f.get('error') or 'failed').splitlines()[0][:300]}")
        found += f.get("warnings") or []
    if info.get("error"):
        found.append(info["error"].splitlines()[0][:300])
    if info.get("carried_forward"):
        found.append("its rows from the previous release were carried forward")
    found += [a["text"] for a in info.get("anomalies") or []]
    if info.get("status") in ("failed", "partly_failed") and not info.get("carried_forward") \
            and not any(f.get("status") == "failed" for f in info.get("files") or []) \
            and not info.get("error"):
        found.append("processing failed")
    return found


@dataclass
class RunReport:
    """Collects per-source outcomes during a run; serialisable to JSON."""

    raw_dir: str
    out_dir: str
    snapshot_mode: str
    sources: dict[str, dict] = field(default_factory=dict)
    unknown_folders: list[str] = field(default_factory=list)
    release: str | None = None
    blocked_by: str | None = None
    fetch: bool = False
    is_published: bool = False
    previous_release: str | None = None
    outcome: str | None = None  # published | unchanged | blocked | nothing | locked
    blocked_headline: str = "a blocking check failed"
    extra: dict = field(default_factory=dict)

    def note_raw_folders(self, raw_dir: Path, chosen: list[str]) -> None:
        """Remember folders in the raw dir that no source module reads."""
        if raw_dir.is_dir():
            self.unknown_folders = sorted(p.name for p in raw_dir.iterdir()
                                          if p.is_dir() and not p.name.startswith(".")
                                          and p.name not in SOURCES)
        for source_id in chosen:
            self.sources.setdefault(source_id, {"status": "pending"})

    def _set(self, source_id: str, entry: dict) -> None:
        old = self.sources.get(source_id, {})
        self.sources[source_id] = {**entry, **{k: old[k] for k in _KEPT_KEYS if k in old}}

    def fetched(self, source_id: str, result: dict, age: dict | None = None) -> None:
        """Record a fetch result (outcome new / not_modified / identical / no_download_url /
        failed) and, on --fetch runs, the age of the newest snapshot."""
        self.fetch = True
        entry = self.sources.setdefault(source_id, {"status": "pending"})
        entry["fetch"] = {k: v for k, v in result.items() if k != "source"}
        if age:
            entry.update({k: age[k] for k in ("newest_snapshot", "snapshot_date", "age_days",
                                               "max_age_days", "overdue")})

    def record_fetches(self, raw_dir: Path, results: dict[str, dict], today=None) -> None:
        """Fetch results of every source, with the age of its newest snapshot (taken from
        `result["age"]` when the caller assessed it already)."""
        for source_id, result in results.items():
            age = result.get("age") or freshness.assess(
                raw_dir, SOURCES[source_id], today)
            self.fetched(source_id, {k: v for k, v in result.items() if k != "age"}, age)

    def no_snapshot(self, source_id: str) -> None:
        self._set(source_id, {"status": "no_snapshot"})

    def source_failed(self, source_id: str, message: str) -> None:
        self._set(source_id, {"status": "failed", "error": message, "processed": True})

    def add_summary(self, summary: dict) -> None:
        files = summary["files"]
        failed = [f for f in files if f["status"] != "ok"]
        self._set(summary["source"], {
            "status": "failed" if failed and len(failed) == len(files) else
                      "partly_failed" if failed else "ok",
            "processed": True,
            "seconds": summary.get("seconds"),
            "snapshots": summary["snapshots_selected"],
            "files": [{k: v for k, v in f.items() if k != "parts"}
                      for f in files],
            "ignored_files": summary["ignored_files"],
            "rows_read": sum(f["rows_read"] or 0 for f in files),
            "rows_accepted": sum(f["rows_accepted"] or 0 for f in files),
            "rows_quarantined": sum(f["rows_quarantined"] or 0 for f in files),
            "rows_flagged": sum(f["rows_flagged"] or 0 for f in files),
        })

    def unchanged(self, source_id: str, accounting: dict, release: str) -> None:
        """A source not reprocessed: its rows come from `release` unchanged."""
        self._set(source_id, {"status": "ok", "processed": False, "reused_from": release,
                              **accounting})

    def reason(self, source_id: str, why: str) -> None:
        self.sources.setdefault(source_id, {"status": "pending"})["reason"] = why

    def published(self, release: str, carried_forward: list[str],
                  anomalies: list[dict] | None = None) -> None:
        """A release was published; `anomalies`: warnings on its new snapshots."""
        self.release = release
        self.is_published = True
        self.outcome = "published"
        for source_id in carried_forward:
            self.sources.setdefault(source_id, {})["carried_forward"] = True
        for anomaly in anomalies or ():
            self.sources.setdefault(anomaly["source"], {}).setdefault("anomalies", []).append(anomaly)

    def nothing_new(self, release: Path) -> None:
        """No source changed: nothing published, the current release stays."""
        self.release = str(release)
        self.is_published = False
        self.outcome = "unchanged"

    def blocked(self, error: BaseException) -> None:
        """A blocking check failed: nothing was published; say what broke, briefly."""
        self.outcome = "blocked"
        self.blocked_headline = getattr(error, "headline", self.blocked_headline)
        failure_cases = getattr(error, "failure_cases", None)
        if failure_cases is not None:
            summary = failure_cases.groupby(["schema_context", "column", "check"], dropna=False).size()
            text = "; ".join(f"{col} {check}: {n} case(s)" for (_, col, check), n in summary.head(10).items())
            self.blocked_by = f"schema validation failed: {text}"
        else:
            self.blocked_by = str(error)[:2000]

    @staticmethod
    def any_sample(raw_dir: Path, summaries: list[dict], reused: list[str] | None = None,
                   snapshot_mode: str = "latest") -> bool:
        """True when any processed (or reused) snapshot is generated sample data."""
        if any(s.is_sample for summary in summaries
               for s in snapshots.discover(raw_dir, SOURCES[summary["source"]])
               if s.name in summary["snapshots_selected"]):
            return True
        return any(s.is_sample for source_id in reused or ()
                   for s in snapshots.select(snapshots.discover(raw_dir, SOURCES[source_id]), snapshot_mode))

    def source_entries(self) -> dict[str, dict]:
        """Every source entry with its state and warnings first."""
        return {sid: {"state": source_state(info), "warnings": source_warnings(sid, info), **info}
                for sid, info in sorted(self.sources.items())}

    def manifest_info(self) -> dict:
        """The part of the report the release manifest keeps (per-source accounting)."""
        return {"snapshot_mode": self.snapshot_mode, "sources": self.source_entries(),
                "unknown_folders": self.unknown_folders}

    @property
    def exit_code(self) -> int:
        if self.outcome == "locked":
            return EXIT_LOCKED
        if self.blocked_by:
            return EXIT_BLOCKED
        for sid, info in self.sources.items():
            if source_state(info) in WARNING_STATES or info.get("status") == "partly_failed" \
                    or any(f.get("warnings") for f in info.get("files") or []):
                return EXIT_WARNINGS
        return EXIT_OK

    def summary(self) -> str:
        """One line in plain words."""
        entries = self.source_entries()
        counts: dict[str, int] = {}
        for info in entries.values():
            counts[info["state"]] = counts.get(info["state"], 0) + 1
        tally = ", ".join(f"{n} {state}" for state, n in sorted(counts.items(), key=lambda i: STATES.index(i[0])
                                                                 if i[0] in STATES else 99))
        release_id = Path(self.release).name if self.release else None
        attention = sorted(s for s, i in entries.items() if i["state"] in WARNING_STATES)
        named = ", ".join(f"{s} ({entries[s]['state']})" for s in attention)
        tail = f"; needs attention: {named}" if attention else ""
        if self.outcome == "locked":
            return self.extra.get("lock", {}).get("message", "another run holds the lock; nothing done")
        if self.blocked_by:
            kept = f"release {self.previous_release} stays current" if self.previous_release \
                else "no release yet"
            what = "the run failed" if self.outcome == "error" else self.blocked_headline
            return f"nothing published: {what} ({self.blocked_by[:300]}); {kept}"
        if self.outcome == "unchanged":
            return f"unchanged: nothing new since release {release_id} ({tally}){tail}"
        if self.is_published:
            return f"published {release_id} ({tally}){tail}"
        return f"nothing published: no snapshot on disk for any chosen source ({tally})"

    def to_dict(self) -> dict:
        return {"summary": self.summary(), "outcome": self.outcome or (
                    "published" if self.is_published else "nothing"),
                "exit_code": self.exit_code, "published": self.is_published,
                "release": self.release,
                "release_id": Path(self.release).name if self.release else None,
                "previous_release": self.previous_release, "blocked_by": self.blocked_by,
                "raw_dir": self.raw_dir, "out_dir": self.out_dir,
                "snapshot_mode": self.snapshot_mode, "fetch": self.fetch,
                "sources": self.source_entries(), "unknown_folders": self.unknown_folders,
                **self.extra}


# ---------------------------------------------------------------------------------- terminal

_STATE_STYLE = {"fresh": "green", "unchanged": "cyan", "anomalous": "yellow", "stale": "yellow",
                "overdue": "yellow",
                "failed": "red", "carried_forward": "yellow", "no_snapshot": "dim"}


def _n(value) -> str:
    return "" if value is None or value == "" else f"{value:,}" if isinstance(value, int) else str(value)


def render(report: dict, console: Console) -> None:
    """The run report as a table and a few plain lines."""
    fetched = report.get("fetch")
    columns = ["source", "state"] + (["fetch", "age (days)"] if fetched else []) + [
        "snapshots", "rows read", "accepted", "quarantined", "flagged", "seconds"]
    view = Table(title="harmstats run")
    for column in columns:
        # Source names and states are never cut short, even on a narrow or non-terminal
        # console (rich truncates to 80 columns when stdout is not a tty).
        if column in ("source", "state"):
            values = list(report["sources"]) if column == "source" else [
                i.get("state", "") for i in report["sources"].values()]
            view.add_column(column, no_wrap=True, min_width=max([len(column)] + [len(v) for v in values]))
        else:
            view.add_column(column)
    for source_id, info in sorted(report["sources"].items()):
        state = info.get("state", "")
        row = [source_id, f"[{_STATE_STYLE.get(state, 'white')}]{state}[/]"]
        if fetched:
            age = info.get("age_days")
            limit = info.get("max_age_days")
            row += [(info.get("fetch") or {}).get("outcome", ""),
                    "" if age is None else f"{age} / {limit if limit is not None else 'never'}"]
        seconds = info.get("seconds")
        row += [str(len(info.get("snapshots") or [])),
                *(_n(info.get(k)) for k in ("rows_read", "rows_accepted", "rows_quarantined",
                                            "rows_flagged")),
                "" if seconds is None else f"{seconds:.1f}"]
        view.add_row(*row)
    # Not a terminal (a log file, cron's mail): as wide as the table needs, nothing cut short
    # (rich would fit it into 80 columns).
    width = console.width
    if not console.is_terminal:
        console.width = max(width, Measurement.get(console, console.options.update(width=1000),
                                                   view).maximum)
    try:
        console.print(view)
    finally:
        console.width = width
    for source_id, info in sorted(report["sources"].items()):
        style = "red" if info.get("state") == "failed" else "yellow"
        for warning in info.get("warnings") or []:
            console.print(f"[{style}]{source_id}[/]: {warning}", highlight=False)
        if info.get("reason") and info.get("state") == "fresh":
            console.print(f"[dim]{source_id} processed: {info['reason']}[/]", highlight=False)
    if report.get("unknown_folders"):
        console.print(f"Folders no source module reads (skipped): {', '.join(report['unknown_folders'])}")
    changes = report.get("changes") or {}
    if changes.get("tables"):
        parts = [f"{t} +{c.get('added', 0):,} -{c.get('removed', 0):,} ~{c.get('changed', 0):,}"
                 if "added" in c else f"{t} {c['old_rows']:,} -> {c['new_rows']:,} rows"
                 for t, c in changes["tables"].items()]
        console.print(f"Changes since {changes.get('from')}: " + "; ".join(parts), highlight=False)
    elif changes.get("from") and not changes.get("error"):
        console.print(f"No table rows changed since {changes['from']}.", highlight=False)
    elif changes.get("error"):
        console.print(f"[dim]Changes since the previous release not computed: {changes['error']}[/]")
    retention = report.get("retention") or {}
    if retention.get("deleted"):
        console.print(f"Deleted old releases (keeping {retention.get('keep')} more than current and "
                      f"previous): {', '.join(retention['deleted'])}", highlight=False)
    if retention.get("in_use"):
        console.print(f"Kept, open by a reader: {', '.join(retention['in_use'])}", highlight=False)
    notification = report.get("notification") or {}
    if notification.get("error"):
        console.print(f"[yellow]Notification failed[/]: {notification['error']}", highlight=False)
    line = report.get("summary", "")
    if report.get("published") and str(report.get("release_id", "")).endswith("-SAMPLE"):
        line += "  [bold yellow]SAMPLE DATA: not real statistics[/]"
    seconds = report.get("seconds")
    console.print(line[:1].upper() + line[1:] + (f" in {seconds:.{2 if seconds < 10 else 0}f} s" if seconds is not None else "")
                  + f" (exit {report.get('exit_code')})", highlight=False)
