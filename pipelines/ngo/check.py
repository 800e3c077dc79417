"""`harmstats ngo check FILE`: a plain-language, row-by-row report on a submitted NGO incident
log, in the language of its headers, for the organisation that sent it: how many rows can be
used, and for every row set aside, each problem with the column it is in. The file is read and
checked exactly as a run reads it (`pipelines.sources.ngo_incidents`); nothing is written.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pipelines.snapshots import Snapshot
from pipelines.sources import ngo_incidents as ngo
from pipelines.sources.base import RawFormatError


def submission_report(path: Path, period_end: date | None = None) -> str:
    """A plain-language, row-by-row report on a submitted file, in the language of its headers
    (dates after `period_end`, default today, are reported too)."""
    path = Path(path)
    try:
        raw = ngo.read_raw(path)
    except ngo.SubmissionError as exc:
        language = "es" if exc.language == "es" else "en"
        return "\n".join([ngo.message(language, "title", file=path.name), "", exc.plain, ""])
    except RawFormatError as exc:
        problem = str(exc).split(": ", 1)[-1]
        return ngo.message("both", "cannot_read", problem=problem) + "\n"
    language = ngo.language_of(raw)
    snap = Snapshot(source=ngo.SOURCE.id, name="submission-check", folder=path.parent, kind="full",
                    product=ngo.SOURCE.product, period_start=None,
                    period_end=(period_end or date.today()).isoformat())
    part = ngo.to_curated(raw, snap)
    lines = [ngo.message(language, "title", file=path.name), "",
             ngo.message(language, "summary", read=part.rows_read, accepted=part.rows_accepted,
                     bad=part.rows_quarantined),
             ngo.message(language, "counts", victims=len(part.tables["crimes"]),
                     cases=len(part.tables["prosecutions"])), ""]
    if part.quarantine.empty:
        lines.append(ngo.message(language, "ok"))
    order = {h: i for i, h in enumerate(ngo.HEADERS[raw.format_version])}
    q = part.quarantine.assign(_order=part.quarantine["column"].map(order))
    left, right = ngo.QUOTES[language]
    for row, problems in q.sort_values(["raw_row", "_order"], kind="stable").groupby("raw_row", sort=True):
        lines.append(ngo.message(language, "row", row=int(row)))
        for p in problems.itertuples():
            lines.append(f"  - {left}{p.column}{right}: {p.reason}")
    return "\n".join(lines) + "\n"
