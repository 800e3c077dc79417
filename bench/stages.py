"""Exclusive time per pipeline stage, by wrapping the pipeline's own functions at their
boundaries (nothing in pipelines/ is changed; the wrappers live only in the benchmark process).

A stage's time excludes the stages nested in it: `harmonise` is `to_curated` less the curated
validation it calls, `parse` is `read_raw` less the raw-schema check, and so on. The peak RSS
(VmHWM) is read at every boundary, so the stage that raised the process's peak is known.
"""

from __future__ import annotations

import functools
import sys
import threading
import time
from collections import defaultdict
from types import SimpleNamespace

from bench.rss import high_water_mb

# Stage names in pipeline order (as printed); anything else is added after.
ORDER = ["parse", "raw_validation", "harmonise", "curated_validation", "work_parts",
         "read_parts", "assemble_records", "table_validation", "stats_load", "stats",
         "blocking_checks", "coverage", "build_tables_other", "release_parquet", "gx_checkpoint",
         "catalog", "disclosure", "extracts_page", "manifest"]


class StageTimer:
    """Exclusive seconds per stage, each thread with its own stack of stages (the catalog
    and chunk harmonisation run in threads: their stages overlap the main thread's, so the
    stage seconds can add up to more than the wall time)."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.peak_stage: str | None = None
        self.peak_mb = high_water_mb()
        self.local = threading.local()
        self.lock = threading.Lock()

    @property
    def stack(self) -> list[str]:
        if not hasattr(self.local, "stack"):
            self.local.stack, self.local.mark = [], time.perf_counter()
        return self.local.stack

    def _charge(self, now: float) -> None:
        stack = self.stack
        if stack:
            with self.lock:
                self.totals[stack[-1]] += now - self.local.mark
        self.local.mark = now

    def _check_peak(self) -> None:
        hwm = high_water_mb()
        if hwm > self.peak_mb + 1 and self.stack:
            self.peak_mb, self.peak_stage = hwm, self.stack[-1]

    def enter(self, stage: str) -> None:
        if stage not in self.calls:
            print(f"# stage {stage}", file=sys.stderr, flush=True)
        self._check_peak()
        self._charge(time.perf_counter())
        self.stack.append(stage)
        with self.lock:
            self.calls[stage] += 1

    def exit(self) -> None:
        self._check_peak()
        self._charge(time.perf_counter())
        self.stack.pop()

    def wrap(self, func, stage):
        """`func` timed as `stage` (a name, or a callable of the current stack giving one)."""
        @functools.wraps(func)
        def timed(*args, **kwargs):
            self.enter(stage(self.stack) if callable(stage) else stage)
            try:
                return func(*args, **kwargs)
            finally:
                self.exit()
        timed.__wrapped_stage__ = True
        return timed

    def wrap_iter(self, func, stage: str):
        """A generator function whose every step (the work between two items) is `stage`."""
        @functools.wraps(func)
        def timed(*args, **kwargs):
            items = iter(func(*args, **kwargs))
            while True:
                self.enter(stage)
                try:
                    item = next(items)
                except StopIteration:
                    return
                finally:
                    self.exit()
                yield item
        timed.__wrapped_stage__ = True
        return timed

    def patch(self, owner, name: str, stage) -> None:
        func = getattr(owner, name)
        if getattr(func, "__wrapped_stage__", False):
            return
        setattr(owner, name, self.wrap(func, stage))

    def ordered(self) -> dict[str, float]:
        names = [n for n in ORDER if n in self.totals] + sorted(set(self.totals) - set(ORDER))
        return {n: round(self.totals[n], 4) for n in names}


def instrument(source_ids) -> StageTimer:
    """Wrap the pipeline's stage functions; returns the timer collecting their times."""
    import dataclasses
    import importlib

    import pandera.api.dataframe.model as model
    import pyarrow.parquet as pq

    from pipelines.publish import release
    from pipelines.sources import formats, process
    from pipelines.sources.registry import SOURCES
    from pipelines.stats import tables

    timer = StageTimer()

    def validation(stack):
        return "curated_validation" if "harmonise" in stack else "table_validation"

    for source_id in source_ids:
        source = SOURCES[source_id]
        if not getattr(source.read_raw, "__wrapped_stage__", False):
            # The pipeline calls the registered Source's reader and curation: wrap those.
            SOURCES[source_id] = dataclasses.replace(
                source, read_raw=timer.wrap(source.read_raw, "parse"),
                to_curated=timer.wrap(source.to_curated, "harmonise"))
        module = importlib.import_module(f"pipelines.sources.{source_id}")
        if hasattr(module, "validate_raw"):  # imported by name into the module
            timer.patch(module, "validate_raw", "raw_validation")
    timer.patch(formats, "validate_raw", "raw_validation")
    # DataFrameModel.validate is a classmethod: wrap the underlying function once. Chunks
    # are validated against schemas (DataFrameSchema.validate) directly.
    original = model.DataFrameModel.__dict__["validate"].__func__
    if not getattr(original, "__wrapped_stage__", False):
        model.DataFrameModel.validate = classmethod(timer.wrap(original, validation))
    import pandera.api.pandas.container as container
    timer.patch(container.DataFrameSchema, "validate", validation)
    if not getattr(process.raw_chunks, "__wrapped_stage__", False):  # files read in chunks
        process.raw_chunks = timer.wrap_iter(process.raw_chunks, "parse")
    timer.patch(process, "process_source", "work_parts")
    timer.patch(tables, "build_tables", "build_tables_other")
    timer.patch(tables, "read_parts", "read_parts")
    timer.patch(tables, "store_records", "assemble_records")
    timer.patch(tables, "deaths_stats_of", "stats_load")
    timer.patch(tables, "deaths_stats", "stats")
    timer.patch(tables, "case_stats_of", "stats")
    timer.patch(tables, "check_deaths", "blocking_checks")
    timer.patch(tables, "check_cases", "blocking_checks")
    timer.patch(tables, "check_unique_records", "blocking_checks")
    timer.patch(tables, "check_no_names", "blocking_checks")
    timer.patch(tables, "coverage_table", "coverage")
    timer.patch(release, "write_release", "manifest")
    timer.patch(release, "frame_to_arrow", "release_parquet")
    timer.patch(release, "sha256_file", "release_parquet")
    release.pq = SimpleNamespace(write_table=timer.wrap(pq.write_table, "release_parquet"))
    timer.patch(release, "run_expectations", "gx_checkpoint")
    timer.patch(release, "build_catalog", "catalog")
    timer.patch(release, "make_current", "catalog")
    for name in ("write_extracts", "write_page"):  # the public tier, where the release has it
        if hasattr(release, name):
            timer.patch(release, name, "extracts_page")
    if hasattr(release, "public_tables"):  # disclosure control of the public tables
        timer.patch(release, "public_tables", "disclosure")
    return timer
