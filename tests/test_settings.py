"""The settings: one object, read from the environment where a run starts, checked, documented
in docs/settings.md, and the only code that reads the environment (issue 15, item 4)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.concurrency import in_threads
from pipelines.config import PROJECT_ROOT
from pipelines.settings import (ELSEWHERE, RETIRED, Settings, SettingsError, activated, active,
                                markdown)

PACKAGE = PROJECT_ROOT / "pipelines"
VARIABLES = {spec.metadata["env"] for spec in fields(Settings)}

# A value other than the default for each kind of setting, and one its parser refuses.
OTHER = {"whole number": ("7", 7), "number": ("0.25", 0.25), "text": ("x y", "x y"),
         "whole number of bytes": ("1_000", 1000), "yes/no": ("No", False)}
BAD = {"whole number": "seven", "number": "a lot", "whole number of bytes": "1MB", "yes/no": "maybe"}


def _sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "gx_assets" not in p.parts)


def test_docs_settings_is_generated_from_the_code():
    written = (PROJECT_ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert written == markdown(), "docs/settings.md is stale: python -m pipelines.settings > docs/settings.md"
    for name in VARIABLES | set(RETIRED) | set(ELSEWHERE):
        assert f"`{name}`" in written


def test_no_code_but_the_settings_reads_or_writes_the_environment():
    """os.environ, os.getenv, os.putenv anywhere in pipelines/ but pipelines/settings.py fails."""
    found = []
    for path in _sources():
        if path == PACKAGE / "settings.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = node.attr if isinstance(node, ast.Attribute) else \
                node.id if isinstance(node, ast.Name) else \
                ",".join(a.name for a in node.names) if isinstance(node, ast.ImportFrom) else ""
            if any(word in name.split(",") for word in ("environ", "getenv", "putenv", "environb")):
                found.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}")
    assert not found, f"the environment read outside pipelines/settings.py: {found}"


def _named(paths) -> dict[str, list[str]]:
    """HARMSTATS_* names in these files -> the files naming them."""
    named = {}
    for path in paths:
        for name in re.findall(r"\bHARMSTATS_[A-Z0-9_]*[A-Z0-9]\b", path.read_text(encoding="utf-8")):
            named.setdefault(name, []).append(str(path.relative_to(PROJECT_ROOT)))
    return named


def test_every_harmstats_variable_named_anywhere_is_documented():
    """A HARMSTATS_* name in pipelines/ (a message, a docstring) that Settings does not read
    is a variable nobody reads, or one read behind the settings' back; one in the README, docs,
    deploy/, notebooks, scripts or tests must be a setting or listed as read elsewhere."""
    known = VARIABLES | set(RETIRED)
    inside = _named(p for p in _sources() if p != PACKAGE / "settings.py")
    assert not {n: f for n, f in inside.items() if n not in known}
    outside = [PROJECT_ROOT / "README.md", PROJECT_ROOT / "Makefile", *PROJECT_ROOT.glob("docs/*.md"),
               *PROJECT_ROOT.glob("deploy/*"), *PROJECT_ROOT.glob("notebooks/*.ipynb"),
               *PROJECT_ROOT.glob("scripts/*"), *PROJECT_ROOT.glob("tests/**/*.py")]
    found = _named(p for p in outside if p.is_file())
    assert not {n: f for n, f in found.items() if n not in known | set(ELSEWHERE)}
    assert set(ELSEWHERE) <= set(found)  # no stale entry


def test_each_variable_sets_its_field_and_a_bad_value_is_named():
    defaults = Settings()
    for spec in fields(Settings):
        env, kind = spec.metadata["env"], spec.metadata["kind"]
        if kind == "folders":
            chosen = Settings.from_env({env: "/a:/b"})
            assert getattr(chosen, spec.name) == (Path("/a").resolve(), Path("/b").resolve())
            continue
        text, value = OTHER[kind]
        if spec.name == "duckdb_memory":
            text, value = "2GB", "2GB"
        if spec.name == "prefect":
            text, value = "always", "always"
        chosen = Settings.from_env({env: f" {text} "})
        assert getattr(chosen, spec.name) == value != getattr(defaults, spec.name), env
        assert Settings.from_env({env: ""}) == defaults  # empty is unset
        if kind in BAD:
            with pytest.raises(SettingsError, match=f"^{env}='{BAD[kind]}' is not a {kind}$"):
                Settings.from_env({env: BAD[kind]})


def test_values_out_of_range_are_refused_naming_variable_and_flag():
    with pytest.raises(SettingsError, match=r"^HARMSTATS_CHUNK_WORKERS=0: must be at least 1$"):
        Settings.from_env({"HARMSTATS_CHUNK_WORKERS": "0"})
    with pytest.raises(SettingsError, match=r"^HARMSTATS_KEEP_RELEASES \(or --keep\)=-2"):
        Settings().with_flags(keep_releases=-2)
    with pytest.raises(SettingsError, match="HARMSTATS_DUCKDB_MEMORY='lots'"):
        Settings.from_env({"HARMSTATS_DUCKDB_MEMORY": "lots"})
    with pytest.raises(SettingsError, match=r"^HARMSTATS_PREFECT='never': must be one of auto, always$"):
        Settings.from_env({"HARMSTATS_PREFECT": "never"})
    with pytest.raises(SettingsError, match="HARMSTATS_SDC_MIN is no longer a setting"):
        Settings.from_env({"HARMSTATS_SDC_MIN": "1"})
    assert Settings.from_env({"HARMSTATS_SDC_MIN": "0"}) == Settings()
    assert Settings().with_flags(keep_releases=None, cron="5 4 * * *").cron == "5 4 * * *"


def test_active_is_the_runs_settings_in_its_threads_else_the_environment(monkeypatch):
    monkeypatch.setenv("HARMSTATS_CHUNK_ROWS", "123")
    assert active().chunk_rows == 123
    run = Settings(chunk_rows=9)
    with activated(run):
        monkeypatch.setenv("HARMSTATS_CHUNK_ROWS", "456")  # read once: a change mid-run is not seen
        assert active() is run
        assert list(in_threads(lambda _: active().chunk_rows, range(4), 2)) == [9] * 4
    assert active().chunk_rows == 456


def test_importing_the_package_leaves_the_environment_alone():
    code = ("import os; before = dict(os.environ); import pipelines, pipelines.settings, "
            "pipelines.cli, pipelines.ops.run; changed = sorted(set(os.environ.items()) ^ "
            "set(before.items())); print(changed)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=PROJECT_ROOT, env={"PATH": "/usr/bin:/bin"}).stdout
    # pandera (imported by the sources) sets two variables of its own when imported
    changed = [name for name, _ in eval(out)]  # noqa: S307 - our own printed list
    assert set(changed) <= {"PYARROW_IGNORE_TIMEZONE", "SPARK_LOCAL_IP"}, changed
    assert not any(name.startswith(("PREFECT_", "GX_", "DO_NOT_TRACK")) for name in changed)


def test_a_bad_setting_stops_any_command_with_exit_2(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["sources", "--raw-dir", str(tmp_path), "--out", str(tmp_path)],
                           env={"HARMSTATS_SDC_K": "ten"})
    assert result.exit_code == 2
    assert "HARMSTATS_SDC_K='ten' is not a whole number" in result.output
    result = runner.invoke(app, ["run", "--keep", "-3", "--raw-dir", str(tmp_path), "--out",
                                 str(tmp_path / "out")])
    assert result.exit_code == 2 and "HARMSTATS_KEEP_RELEASES (or --keep)=-3" in result.output
    assert not (tmp_path / "out").exists()
