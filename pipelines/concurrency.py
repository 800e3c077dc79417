"""Work spread over threads (Arrow's parsing and compute kernels, DuckDB, Parquet writing and
much of numpy and pandas release the GIL, so on two cores a second thread does real work), and
whether another process is still alive (the run lock and a release's staging folders name
the process that made them)."""

from __future__ import annotations

import contextvars
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor


def in_threads(work: Callable, tasks: Iterable, workers: int) -> Iterator:
    """`work(task)` for each task, up to `workers` at once, results in task order. The next
    task is taken only when a thread is free, so at most `workers` tasks are held, plus the
    one the iterable is making. Each thread sees the caller's context (the run's settings,
    `settings.activated`)."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending = deque()
        for task in tasks:
            pending.append(pool.submit(contextvars.copy_context().run, work, task))
            del task  # the thread holds it; a paused generator must not
            if len(pending) >= workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def pid_alive(pid: int) -> bool:
    """True while a process with this id exists (a lock or staging folder may be its)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
