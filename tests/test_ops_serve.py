"""`harmstats serve`: the nightly deployment and its schedule, declared without any server;
a plain refusal (exit 2) when there is no Prefect API to schedule on."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.flows import nightly
from pipelines.ops import serve as serving
from tests.ops_helpers import closed_port_url

runner = CliRunner()


def test_deployment_and_schedule_are_declared(tmp_path):
    from prefect.client.schemas.schedules import CronSchedule

    params = serving.nightly_parameters(tmp_path / "raw", tmp_path / "out", keep=7)
    deployment = serving.build_deployment(nightly, params, cron="30 2 * * *", timezone="Europe/Berlin")
    (schedule,) = deployment.schedules
    assert isinstance(schedule.schedule, CronSchedule) and schedule.active
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("30 2 * * *", "Europe/Berlin")
    assert deployment.name == "nightly" and deployment.flow_name == "harmstats-nightly"
    assert deployment.entrypoint == "pipelines.flows.nightly"
    assert deployment.parameters == {"raw_dir": str((tmp_path / "raw").resolve()),
                                     "out_dir": str((tmp_path / "out").resolve()), "fetch": True,
                                     "sources": None, "snapshot_mode": "latest", "full": False,
                                     "keep": 7, "wait": 1800.0}


def test_default_schedule_is_nightly():
    deployment = serving.build_deployment(nightly, serving.nightly_parameters(Path("raw"), Path("out")))
    assert deployment.schedules[0].schedule.cron == "0 3 * * *"
    assert deployment.schedules[0].schedule.timezone == "UTC"


def test_serve_without_a_prefect_api_says_so_and_exits_2(monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setattr(serving, "api_url", lambda: None)
    result = runner.invoke(app, ["serve"], env={"COLUMNS": "300"})
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "PREFECT_API_URL is not set" in text and "temporary server" in text
    assert "prefect server start" in text and "cron" in text


def test_serve_with_nobody_listening_exits_2(monkeypatch):
    monkeypatch.setenv("PREFECT_API_URL", closed_port_url("/api"))
    result = runner.invoke(app, ["serve"], env={"COLUMNS": "300"})
    assert result.exit_code == 2 and "no Prefect server answers" in " ".join(result.output.split())


@pytest.fixture
def captured(monkeypatch):
    """serve with a healthy API, capturing the deployment instead of serving it."""
    found = []
    monkeypatch.setattr(serving, "api_url", lambda: "http://127.0.0.1:4200/api")
    monkeypatch.setattr(serving, "check_api", lambda url: url)
    monkeypatch.setattr(serving, "serve", found.append)
    return found


def test_cron_comes_from_option_or_environment(captured, tmp_path):
    result = runner.invoke(app, ["serve", "--out", str(tmp_path)], env={"HARMSTATS_CRON": "15 4 * * 1"})
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["serve", "--cron", "0 1 * * *", "--keep", "2"])
    assert result.exit_code == 0, result.output
    assert [d.schedules[0].schedule.cron for d in captured] == ["15 4 * * 1", "0 1 * * *"]
    assert captured[0].parameters["out_dir"] == str(tmp_path.resolve())
    assert captured[1].parameters["keep"] == 2


def test_a_bad_cron_is_refused(captured):
    result = runner.invoke(app, ["serve", "--cron", "every night"])
    assert result.exit_code == 2 and "Bad schedule" in result.output and not captured
