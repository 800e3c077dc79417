"""Consecutive releases of the sample NGO incident log, as an attacker would diff them: the
sample log (900 victims), then the same log plus one victim (the issue's Nepali girl), then
plus k victims. Each release is built by the pipeline's own functions (no Prefect), from
the NGO source only, into one OUT folder, so each is protected against the one before it."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

from pipelines.config import DEFAULT_RAW_DIR

NGO = "ngo_incidents"
BASE_SNAPSHOT = "SAMPLE-2025-12-31"
HEADER_VICTIM = {  # the victim, in the English template's words
    "Incident ID": "INC-90001", "Victim number": "1", "Incident date": "2025-11-20",
    "Country of incident": "MEX", "State or municipality (not published)": "Tapachula, Chiapas",
    "Crime type": "rape", "Perpetrator type": "common criminal", "Victim sex": "female",
    "Gender identity": "woman", "Age (years or band)": "16", "Nationality": "Nepal",
    "Indigenous (self-identified)": "no", "Afro-descendant (self-identified)": "no",
    "Reported to authorities": "yes", "Case stage reached": "charged",
}
NEPALI = {"nationality": "NPL", "sex": "female", "age_group": "child", "crime_type": "rape",
          "perpetrator": "common_criminal", "stage": "prosecuted", "year": 2025}


def _base_rows() -> tuple[list[str], list[dict]]:
    folder = DEFAULT_RAW_DIR / NGO / BASE_SNAPSHOT
    with open(folder / "incident_log_2021_2025.csv", encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames), list(reader)


def extra_victims(k: int) -> list[dict]:
    """The Nepali victim and k - 1 others: copies of sample victims of 2025 (their own
    attributes, a new incident id), so the batch looks like the log."""
    _, rows = _base_rows()
    recent = [r for r in rows if r["Incident date"].startswith("2025")]
    out = [dict(HEADER_VICTIM)]
    for i in range(k - 1):
        row = dict(recent[(7 * i) % len(recent)])
        row["Incident ID"], row["Victim number"] = f"INC-9{i + 2:04d}", "1"
        out.append(row)
    return out


def raw_dir(base: Path, name: str, added: list[dict]) -> Path:
    """A raw folder holding the NGO sample snapshot and, when `added`, a newer snapshot of the
    same log with those victims appended (its sidecar hashes recomputed)."""
    root = base / name
    source = root / NGO
    source.mkdir(parents=True)
    shutil.copytree(DEFAULT_RAW_DIR / NGO / BASE_SNAPSHOT, source / BASE_SNAPSHOT)
    if added:
        header, rows = _base_rows()
        snap = source / "SAMPLE-2026-01-31"
        snap.mkdir()
        path = snap / "incident_log_2021_2026.csv"
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=header)
            writer.writeheader()
            writer.writerows(rows + added)
        meta = json.loads((source / BASE_SNAPSHOT / "snapshot.json").read_text(encoding="utf-8"))
        meta["snapshot"] = snap.name
        meta["period"] = {"start": "2021-01-01", "end": "2026-01-31"}
        meta["files"] = {path.name: {"sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                                     "bytes": path.stat().st_size}}
        (snap / "snapshot.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return root


def release(raw: Path, out: Path, work: Path) -> Path:
    """One release of the NGO source from `raw` into `out` (after any release already there),
    with its page (the attacks read every public file but Data Docs, which the test run's
    settings leave out)."""
    from pipelines.publish.release import current_release, write_release
    from pipelines.settings import Settings, activated
    from pipelines.sources.process import process_source
    from pipelines.stats.tables import build_tables

    summaries = [process_source(NGO, raw, "latest", work)]
    tables = build_tables(raw, summaries, previous=current_release(out))
    with activated(Settings.from_env().with_flags(page=True)):
        return write_release(tables, out, {}, sample=True)


def release_series(base: Path) -> dict[str, Path]:
    """The three consecutive releases (built once per session): `before` (900 victims),
    `one` (+ the Nepali victim), `k` (+ k victims, the Nepali one among them)."""
    from pipelines.publish.public import settings

    marker = base / "releases.json"
    if marker.is_file():
        return {k: Path(v) for k, v in json.loads(marker.read_text(encoding="utf-8")).items()}
    k = settings().k
    out = base / "out"
    made = {}
    for name, added in (("before", []), ("one", extra_victims(1)), ("k", extra_victims(k))):
        made[name] = release(raw_dir(base, f"raw-{name}", added), out, base / f"work-{name}")
    marker.write_text(json.dumps({k: str(v) for k, v in made.items()}), encoding="utf-8")
    return made
