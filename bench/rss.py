"""Peak resident memory of a process tree, and of the current process by stage.

- `TreeSampler(pid)`: a thread that sums the RSS of a process and all its descendants every
  `interval` seconds (psutil) and keeps the peak. The runner samples each benchmark
  subprocess from outside, so Python start-up, imports and any child processes (Prefect's
  temporary server, Dask workers) are counted.
- `high_water_mb()`: the kernel's own peak RSS of this process (VmHWM), exact, read at stage
  boundaries so that the stage which set the peak is known even when a sampler thread could
  not run (a C call holding the GIL).
"""

from __future__ import annotations

import resource
import threading
import time

import psutil


def high_water_mb() -> float:
    """Peak RSS of this process so far (VmHWM), in MiB."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def tree_rss_mb(pid: int) -> float:
    """Current RSS of `pid` plus all its descendants, in MiB (0 when it is gone)."""
    try:
        root = psutil.Process(pid)
        procs = [root] + root.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total / (1 << 20)


class TreeSampler(threading.Thread):
    """Samples the RSS of a process tree until stopped; `peak_mb` is the largest sum seen."""

    def __init__(self, pid: int, interval: float = 0.02, cap_mb: float | None = None):
        super().__init__(daemon=True)
        self.pid, self.interval, self.cap_mb = pid, interval, cap_mb
        self.peak_mb = 0.0
        self.samples = 0
        self.capped_at: float | None = None  # seconds after start when the cap was hit
        self._t0 = time.perf_counter()
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak_mb = max(self.peak_mb, tree_rss_mb(self.pid))
            self.samples += 1
            if self.cap_mb and self.peak_mb > self.cap_mb and self.capped_at is None:
                # Protect the machine (shared with other work): stop the measured tree.
                self.capped_at = time.perf_counter() - self._t0
                kill_tree(self.pid)
            time.sleep(self.interval)

    def stop(self) -> float:
        self._stop_event.set()
        self.join(timeout=5)
        return self.peak_mb


def kill_tree(pid: int) -> None:
    """SIGKILL a process this benchmark started and all its descendants."""
    try:
        root = psutil.Process(pid)
        procs = root.children(recursive=True) + [root]
    except psutil.NoSuchProcess:
        return
    for proc in procs:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
