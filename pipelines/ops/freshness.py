"""How old each source's newest snapshot is, against the maximum age its update cadence allows.

Age = today - the date the newest snapshot was retrieved (its sidecar's `retrieved`), or the
date in its name when it has none. A source whose age exceeds its `max_age_days` is overdue;
`max_age_days = None` (discontinued lists) means never. Only checked on `--fetch` runs.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

from pipelines import snapshots
from pipelines.sources.source import Source


def snapshot_date(snap: snapshots.Snapshot) -> date | None:
    """When the snapshot was taken: retrieved, else the date in its name, else its period end."""
    retrieved = snap.meta.get("retrieved")
    if retrieved:
        try:
            return date.fromisoformat(str(retrieved)[:10])
        except ValueError:
            pass
    return snapshots._date_from_name(snap.name) or snap.period_end_date()


def today_utc() -> date:
    return datetime.now(timezone.utc).date()


def assess(raw_dir: Path, source: Source, today: date | None = None) -> dict:
    """{newest_snapshot, snapshot_date, age_days, max_age_days, overdue} of one source."""
    today = today or today_utc()
    max_age_days = source.spec.max_age_days
    found = snapshots.discover(raw_dir, source)
    if not found:
        return {"newest_snapshot": None, "snapshot_date": None, "age_days": None,
                "max_age_days": max_age_days, "overdue": False}
    newest = max(found, key=lambda s: (snapshot_date(s) or date.min, s.sort_key))
    taken = snapshot_date(newest)
    age = (today - taken).days if taken else None
    return {"newest_snapshot": newest.name, "snapshot_date": taken.isoformat() if taken else None,
            "age_days": age, "max_age_days": max_age_days,
            "overdue": bool(max_age_days is not None and age is not None and age > max_age_days)}
