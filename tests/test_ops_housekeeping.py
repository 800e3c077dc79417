"""Retention (current, previous and N more; never one a reader has open, never under another
run's lock) and the notification hook against a loopback receiver."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from pipelines.ops.lock import RunLock
from pipelines.ops.notify import notify, payload
from pipelines.ops.retention import plan_retention, prune
from tests.ops_helpers import Receiver, closed_port_url, serving


def _releases(out, count: int, current: int | None = None) -> list[str]:
    """`count` release folders, oldest first; `current` (index) points at one of them."""
    names = [f"2026010{i}T000000Z-0000000{i}" for i in range(1, count + 1)]
    for name in names:
        (out / "releases" / name / "tables").mkdir(parents=True)
        (out / "releases" / name / "tables" / "deaths.parquet").write_bytes(b"x")
    index = count - 1 if current is None else current
    (out / "current").symlink_to(f"releases/{names[index]}")
    return names


def _left(out) -> list[str]:
    return sorted(p.name for p in (out / "releases").iterdir())


def test_keeps_current_previous_and_n_more(tmp_path):
    names = _releases(tmp_path, 8)
    result = prune(tmp_path, keep=2)
    assert _left(tmp_path) == names[-4:]
    assert result["deleted"] == list(reversed(names[:4]))
    assert result["kept"][0] == names[-1]


def test_never_deletes_current_even_when_old(tmp_path):
    names = _releases(tmp_path, 6, current=0)
    prune(tmp_path, keep=1)
    assert _left(tmp_path) == [names[0], names[-2], names[-1]]


def test_keep_below_zero_deletes_nothing(tmp_path):
    names = _releases(tmp_path, 5)
    assert prune(tmp_path, keep=-1)["deleted"] == []
    assert _left(tmp_path) == names


READER = "import sys; f = open(sys.argv[1], 'rb'); print('open', flush=True); sys.stdin.read()"


def test_never_deletes_a_release_a_reader_has_open(tmp_path):
    names = _releases(tmp_path, 5)
    held = tmp_path / "releases" / names[0] / "tables" / "deaths.parquet"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(held)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "open"
        result = prune(tmp_path, keep=0)
    finally:
        reader.communicate("", timeout=10)
    assert result["in_use"] == {names[0]: [reader.pid]}
    assert _left(tmp_path) == [names[0], names[-2], names[-1]]
    assert prune(tmp_path, keep=0)["deleted"] == [names[0]]  # the reader is gone now


def test_nothing_is_deleted_while_another_run_holds_the_lock(tmp_path):
    names = _releases(tmp_path, 5)
    with RunLock(tmp_path):
        result = prune(tmp_path, keep=0)
    assert result["deleted"] == [] and "holds the lock" in result["skipped"]
    assert _left(tmp_path) == names


def test_plan_without_current_keeps_the_newest(tmp_path):
    names = _releases(tmp_path, 3)
    (tmp_path / "current").unlink()
    assert plan_retention(tmp_path, keep=0) == {"current": None, "keep": 0, "kept": [names[-1]],
                                                "delete": [names[1], names[0]]}


# --------------------------------------------------------------------------- notification

REPORT = {
    "exit_code": 1, "outcome": "published", "summary": "published R2 (1 fresh, 1 stale)",
    "release_id": "R2", "previous_release": "R1", "out_dir": "/srv/out",
    "sources": {"mmp": {"state": "stale", "age_days": 20, "max_age_days": 14,
                        "warnings": ["fetch failed (HTTP 500); using the last good snapshot"]},
                "cbp_deaths": {"state": "fresh", "warnings": []}},
}


def test_webhook_gets_a_json_summary_of_a_run_needing_attention():
    with serving(Receiver()) as receiver:
        result = notify(REPORT, receiver.url)
    assert result == {"sent": True, "host": receiver.url.split("/")[2], "status": 200}
    (body,) = receiver.bodies
    assert body["harmstats"]["exit_code"] == 1 and list(body["harmstats"]["sources"]) == ["mmp"]
    assert "mmp: stale" in body["text"] and "published R2" in body["text"]


def test_no_notification_for_a_clean_run_or_without_a_url(monkeypatch):
    monkeypatch.delenv("HARMSTATS_WEBHOOK_URL", raising=False)
    with serving(Receiver()) as receiver:
        assert notify({**REPORT, "exit_code": 0}, receiver.url)["sent"] is False
        assert notify(REPORT)["sent"] is False
    assert receiver.bodies == []


@pytest.mark.parametrize("problem", ["refused", "slow", "error status"])
def test_a_failing_webhook_is_recorded_never_raised(problem):
    if problem == "refused":
        result = notify(REPORT, closed_port_url("/hook"), timeout=1)
    else:
        receiver = Receiver(status=500) if problem == "error status" else Receiver(delay=2)
        with serving(receiver):
            started = time.monotonic()
            result = notify(REPORT, receiver.url, timeout=0.3)
            assert time.monotonic() - started < 1.5
    assert result["sent"] is False and result["error"]


def test_payload_never_holds_the_webhook_address():
    text = json.dumps(payload(REPORT))
    assert "hook" not in text
