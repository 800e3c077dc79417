"""One run at a time: a second run waits or refuses (exit 3); a killed run's lock is recovered."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.config import PROJECT_ROOT
from pipelines.ops.lock import LockHeld, RunLock, holder
from pipelines.ops.run import execute


def test_second_lock_refuses_naming_the_holder(tmp_path):
    with RunLock(tmp_path, command="harmstats run"):
        assert holder(tmp_path)["pid"] == os.getpid()
        with pytest.raises(LockHeld) as refused:
            RunLock(tmp_path, wait=0).acquire()
        assert refused.value.holder["pid"] == os.getpid()
        assert f"pid {os.getpid()}" in str(refused.value) and "not starting" in str(refused.value)
    assert holder(tmp_path) is None
    with RunLock(tmp_path) as again:  # released cleanly: nothing to recover
        assert again.recovered is None


def test_second_run_waits_for_the_first(tmp_path):
    first = RunLock(tmp_path).acquire()
    threading.Timer(0.4, first.release).start()
    started = time.monotonic()
    with RunLock(tmp_path, wait=10, poll=0.05) as second:
        assert 0.3 < time.monotonic() - started < 5
        assert second.waited > 0.3


def test_waiting_gives_up_after_the_wait(tmp_path):
    with RunLock(tmp_path):
        started = time.monotonic()
        with pytest.raises(LockHeld, match="after waiting"):
            RunLock(tmp_path, wait=0.3, poll=0.05).acquire()
        assert time.monotonic() - started < 2


HOLD = textwrap.dedent("""
    import sys, time
    from pipelines.ops.lock import RunLock
    lock = RunLock(sys.argv[1], command="harmstats run --fetch").acquire()
    print("locked", flush=True)
    time.sleep(60)
""")


def test_lock_of_a_killed_run_is_recovered(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)], cwd=PROJECT_ROOT,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "locked"
        with pytest.raises(LockHeld) as refused:
            RunLock(tmp_path).acquire()
        assert refused.value.holder["pid"] == child.pid
        assert refused.value.holder["command"] == "harmstats run --fetch"
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=10) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
        child.stdout.close()
    with RunLock(tmp_path) as lock:  # the kernel dropped the flock with the process
        assert lock.recovered["pid"] == child.pid and lock.recovered["alive"] is False
        assert holder(tmp_path)["pid"] == os.getpid()


def test_execute_refuses_with_exit_3_while_another_run_holds_the_lock(tmp_path):
    out = tmp_path / "out"
    with RunLock(out):
        report = execute(tmp_path / "raw", out, wait=0)
    assert report["exit_code"] == 3 and report["outcome"] == "locked"
    assert "another harmstats run holds the lock" in report["summary"]
    assert report["lock"]["holder"]["pid"] == os.getpid()
    assert not (out / "last_run.json").exists()  # the holder's report is not overwritten
    assert len(list((out / "reports").glob("run-*-locked.json"))) == 1


def test_cli_run_exits_3_and_says_how_to_wait(tmp_path):
    out = tmp_path / "out"
    with RunLock(out):
        result = CliRunner().invoke(app, ["run", "--out", str(out), "--raw-dir", str(tmp_path)])
    assert result.exit_code == 3, result.output
    assert "holds the lock" in result.output and "--wait" in result.output


def test_run_help_lists_the_exit_codes():
    result = CliRunner().invoke(app, ["run", "--help"], env={"COLUMNS": "200"})
    text = " ".join(result.output.split())
    for fragment in ("0 published", "1 published with warnings", "2 nothing published",
                     "3 another run holds the lock", "--wait", "--keep", "--full"):
        assert fragment in text, fragment


def test_a_run_cleans_what_a_killed_run_left_and_reports_it(tmp_path):
    out, raw = tmp_path / "out", tmp_path / "raw"
    (out / ".work-abc123" / "mmp").mkdir(parents=True)
    (raw / "mmp").mkdir(parents=True)
    report = execute(raw, out)  # no snapshot anywhere: nothing to process, Prefect not started
    assert report["exit_code"] == 0 and report["outcome"] == "nothing"
    assert {i["state"] for i in report["sources"].values()} == {"no_snapshot"}
    assert ".work-abc123" in report["lock"]["leftovers_removed"]
    assert not (out / ".work-abc123").exists()


def test_a_crash_is_exit_2_and_says_the_run_failed(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("snapshot.json: not valid JSON")

    monkeypatch.setattr("pipelines.ops.incremental.plan", broken)
    report = execute(tmp_path / "raw", tmp_path / "out")
    assert report["exit_code"] == 2 and report["outcome"] == "error"
    assert report["summary"] == ("nothing published: the run failed (ValueError: snapshot.json: "
                                 "not valid JSON); no release yet")
    assert (tmp_path / "out" / "last_run.json").is_file()
