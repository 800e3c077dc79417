"""bench/results.json: read it, merge a run into it by (layout, scale), and the ratios of the
pipeline to the DuckDB floor."""

from __future__ import annotations

import json
from pathlib import Path

from bench import gen
from bench.config import COMPANIONS, LAYOUTS, SCALES

def load_results(path: Path) -> dict:
    """The results merged so far (none: an empty list of runs)."""
    if path.is_file():
        try:
            return json.loads(path.read_text())
        except json.JSONDecodeError:
            pass
    return {"runs": []}


def merge_run(results: dict, entry: dict) -> None:
    results["runs"] = [r for r in results["runs"]
                       if (r["layout"], r["scale"]) != (entry["layout"], entry["scale"])] + [entry]
    order = {s: i for i, s in enumerate(SCALES)}
    results["runs"].sort(key=lambda r: (LAYOUTS.index(r["layout"]) if r["layout"] in LAYOUTS else 99,
                                        order.get(r["scale"], 99)))


def compute_ratios(results: dict) -> None:
    base = {r["layout"]: r for r in results["runs"] if r["scale"] == "10k" and r.get("pipeline_s") is not None}
    for r in results["runs"]:
        b = base.get(r["layout"])
        if r["scale"] == "10k" or not b or r.get("pipeline_s") is None or r.get("floor_s") is None:
            r["ratio"] = None
            continue
        dp, df = r["pipeline_s"] - b["pipeline_s"], r["floor_s"] - b["floor_s"]
        r["ratio"] = round(dp / df, 2) if df > 0 else None
        r["pipeline_growth_s"], r["floor_growth_s"] = round(dp, 3), round(df, 3)
        # The same ratio in CPU seconds: less sensitive to other jobs on the machine.
        keys = ("pipeline_cpu_s", "floor_cpu_s")
        if all(r.get(k) is not None and b.get(k) is not None for k in keys):
            dc, dfc = r["pipeline_cpu_s"] - b["pipeline_cpu_s"], r["floor_cpu_s"] - b["floor_cpu_s"]
            r["cpu_ratio"] = round(dc / dfc, 2) if dfc > 0 else None
        else:
            r["cpu_ratio"] = None


def run_entry(layout: str, scale: str, pipe: dict, floor: dict, gen_s: float) -> dict:
    entry = {"layout": layout, "source": gen.LAYOUTS[layout][0], "scale": scale,
             "rows": SCALES[scale], "generate_s": gen_s, "companions": COMPANIONS.get(layout)}
    if "error" in pipe:
        entry["pipeline_error"] = pipe["error"]
        entry.update({"pipeline_s": None, "ratio": None, "stages": {}})
        if pipe.get("capped"):
            entry["peak_rss_mb"] = pipe["peak_rss_mb"]  # at least this much: the run was stopped
    else:
        entry.update({
            "pipeline_s": pipe["pipeline_s"], "rows_per_s": round(SCALES[scale] / pipe["pipeline_s"]),
            "pipeline_cpu_s": pipe.get("pipeline_cpu_s"),
            "peak_rss_mb": pipe["peak_rss_mb"], "peak_stage": pipe.get("peak_stage"),
            "imports_s": pipe["imports_s"], "process_wall_s": pipe["process_wall_s"],
            "rows_accepted": pipe["rows_accepted"], "rows_quarantined": pipe["rows_quarantined"],
            "process_source_s": pipe["process_source_s"], "build_tables_s": pipe["build_tables_s"],
            "write_release_s": pipe["write_release_s"], "stages": pipe["stages"],
            "table_rows": pipe["table_rows"], "load_avg_1m": pipe["load_avg_1m_before"],
            "release": pipe["release"]})
    if "error" in floor:
        entry["floor_error"], entry["floor_s"] = floor["error"], None
    else:
        entry.update({"floor_s": floor["floor_s"], "floor_cpu_s": floor.get("floor_cpu_s"),
                      "floor_peak_rss_mb": floor["peak_rss_mb"],
                      "floor_stages": floor["stages"]})
    return entry
