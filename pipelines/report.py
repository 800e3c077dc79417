"""The run report: what each source did, what was skipped, and the exit code a scheduler acts on."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipelines import snapshots
from pipelines.registry import SOURCES

EXIT_OK, EXIT_WARNINGS, EXIT_BLOCKED = 0, 1, 2


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

    def note_raw_folders(self, raw_dir: Path, chosen: list[str]) -> None:
        """Remember folders in the raw dir that no source module reads."""
        if raw_dir.is_dir():
            self.unknown_folders = sorted(p.name for p in raw_dir.iterdir()
                                          if p.is_dir() and not p.name.startswith(".")
                                          and p.name not in SOURCES)
        for source_id in chosen:
            self.sources.setdefault(source_id, {"status": "pending"})

    def fetched(self, source_id: str, folder: str) -> None:
        self.sources[source_id]["fetched"] = folder

    def fetch_failed(self, source_id: str, message: str) -> None:
        self.sources[source_id]["fetch_error"] = message

    def no_snapshot(self, source_id: str) -> None:
        self.sources[source_id] = {"status": "no_snapshot"}

    def source_failed(self, source_id: str, message: str) -> None:
        self.sources[source_id] = {"status": "failed", "error": message}

    def add_summary(self, summary: dict) -> None:
        files = summary["files"]
        failed = [f for f in files if f["status"] != "ok"]
        self.sources[summary["source"]] = {
            "status": "failed" if failed and len(failed) == len(files) else
                      "partly_failed" if failed else "ok",
            "snapshots": summary["snapshots_selected"],
            "files": [{k: v for k, v in f.items() if k != "parts"}
                      for f in files],
            "ignored_files": summary["ignored_files"],
            "rows_read": sum(f["rows_read"] or 0 for f in files),
            "rows_accepted": sum(f["rows_accepted"] or 0 for f in files),
            "rows_quarantined": sum(f["rows_quarantined"] or 0 for f in files),
            "rows_flagged": sum(f["rows_flagged"] or 0 for f in files),
        }

    def published(self, release: str, carried_forward: list[str]) -> None:
        self.release = release
        for source_id in carried_forward:
            self.sources.setdefault(source_id, {})["carried_forward"] = True

    def blocked(self, error: BaseException) -> None:
        """A blocking check failed: nothing was published; say what broke, briefly."""
        failure_cases = getattr(error, "failure_cases", None)
        if failure_cases is not None:
            summary = failure_cases.groupby(["schema_context", "column", "check"], dropna=False).size()
            text = "; ".join(f"{col} {check}: {n} case(s)" for (_, col, check), n in summary.head(10).items())
            self.blocked_by = f"schema validation failed: {text}"
        else:
            self.blocked_by = str(error)[:2000]

    @staticmethod
    def any_sample(raw_dir: Path, summaries: list[dict]) -> bool:
        """True when any processed snapshot is generated sample data."""
        return any(s.is_sample for summary in summaries
                   for s in snapshots.discover(raw_dir, summary["source"])
                   if s.name in summary["snapshots_selected"])

    def manifest_info(self) -> dict:
        """The part of the report the release manifest keeps (per-source accounting)."""
        return {"snapshot_mode": self.snapshot_mode, "sources": self.sources,
                "unknown_folders": self.unknown_folders}

    @property
    def exit_code(self) -> int:
        if self.blocked_by:
            return EXIT_BLOCKED
        bad = {"failed", "partly_failed"}
        if any(s.get("status") in bad or s.get("fetch_error") for s in self.sources.values()):
            return EXIT_WARNINGS
        return EXIT_OK

    def to_dict(self) -> dict:
        return {"raw_dir": self.raw_dir, "out_dir": self.out_dir,
                "snapshot_mode": self.snapshot_mode, "release": self.release,
                "exit_code": self.exit_code, "blocked_by": self.blocked_by, "sources": self.sources,
                "unknown_folders": self.unknown_folders}
