"""Every setting harmstats reads from the environment, in one place: `Settings`, one frozen
object with each variable's name, type, default, check and meaning. docs/settings.md is
generated from it (`python -m pipelines.settings > docs/settings.md`; tests/test_settings.py
fails when the two differ or when code elsewhere reads the environment).

A run reads the environment once, where it starts (`harmstats` commands, `ops.run.execute`),
applies its command-line flags on top (`with_flags`) and hands the object down. Library code
deep under a source's reader cannot take it as a parameter without changing every reader's
signature; it asks `active()`, which is the run's object while `activated(settings)` holds
(a run, a task, a worker thread started by `concurrency.in_threads`) and, called outside a run
(a test, a notebook), the environment as it is at that moment.

Importing this module changes nothing. `prepare_third_parties()` writes the defaults Prefect
and Great Expectations read when they are imported; it is called where a run starts.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path

from pipelines.config import AnomalyThresholds


class SettingsError(ValueError):
    """A setting whose value cannot be used; the message names the variable (and the flag)."""


# --- how a value is read from its variable's text ----------------------------------------------

def _whole(text: str) -> int:
    return int(text)


def _number(text: str) -> float:
    return float(text)


def _bytes(text: str) -> int:
    """A whole number of bytes; `_` may group digits (1_048_576)."""
    digits = text.replace("_", "")
    if not digits.isdigit():
        raise ValueError
    return int(digits)


def _text(text: str) -> str:
    return text


def _optional(text: str) -> str | None:
    return text or None


_YES = ("1", "yes", "true", "on")
_NO = ("0", "no", "false", "off")


def _yes_no(text: str) -> bool:
    """1 / yes / true / on, or 0 / no / false / off (any case)."""
    word = text.lower()
    if word not in _YES + _NO:
        raise ValueError
    return word in _YES


def _paths(text: str) -> tuple[Path, ...]:
    """Folders separated by the path separator (`:`), resolved."""
    return tuple(Path(p.strip()).resolve() for p in text.split(os.pathsep) if p.strip())


KINDS = {_whole: "whole number", _number: "number", _bytes: "whole number of bytes",
         _text: "text", _optional: "text", _yes_no: "yes/no", _paths: "folders"}


# --- checks: why a value cannot be used, or None ------------------------------------------------

def _at_least(low: float) -> Callable[[object], str | None]:
    return lambda value: None if value >= low else f"must be at least {low}"


def _one_of(*choices: str) -> Callable[[object], str | None]:
    return lambda value: None if value in choices else "must be one of " + ", ".join(choices)


_DUCKDB_SIZE = re.compile(r"^\d+(\.\d+)?\s*([KMGT]i?B|B)?$", re.IGNORECASE)


def _memory(value: str) -> str | None:
    return None if _DUCKDB_SIZE.match(value) else "must be a size such as 1GB, 512MB or 2GiB"


def setting(env: str, default, doc: str, parse: Callable[[str], object], *,
            check: Callable[[object], str | None] | None = None, flag: str | None = None):
    """A field of `Settings`: read from `env` by `parse`, refused when `check` says why,
    overridden by the command-line `flag` when it is given."""
    return field(default=default, metadata={"env": env, "doc": doc, "parse": parse, "check": check,
                                            "flag": flag, "kind": KINDS[parse]})


@dataclass(frozen=True)
class Settings:
    """What an operator can set (docs/settings.md). Build it with `from_env`, then
    `with_flags`; the constructor checks every value."""

    # --- a run and its schedule
    keep_releases: int = setting(
        "HARMSTATS_KEEP_RELEASES", 5, "Old releases kept besides the current and the previous "
        "one (-1: delete none).", _whole, check=_at_least(-1), flag="run/serve --keep")
    dask_address: str | None = setting(
        "HARMSTATS_DASK_ADDRESS", None, "Process the sources on this Dask scheduler "
        "(tcp://host:8786; needs the [dask] extra); unset: in this process.", _optional,
        flag="run --dask")
    webhook_url: str | None = setting(
        "HARMSTATS_WEBHOOK_URL", None, "Where a run that needs attention (exit 1-3) posts its "
        "summary as JSON; unset: no notification.", _optional)
    cron: str = setting(
        "HARMSTATS_CRON", "0 3 * * *", "When `harmstats serve` runs the nightly flow (cron "
        "syntax).", _text, flag="serve --cron")
    timezone: str = setting(
        "HARMSTATS_TIMEZONE", "UTC", "Time zone of that cron schedule.", _text,
        flag="serve --timezone")
    fetch_timeout: float = setting(
        "HARMSTATS_FETCH_TIMEOUT", 60.0, "Seconds a download may go without progress before "
        "it is retried (a source may set its own).", _number, check=_at_least(0.001))
    fetch_retries: int = setting(
        "HARMSTATS_FETCH_RETRIES", 3, "Retries of a failed download (waits 2 s, doubling).",
        _whole, check=_at_least(0))
    # --- what a raw file may make the pipeline read (a larger file is refused, named)
    max_raw_bytes: int = setting(
        "HARMSTATS_MAX_RAW_BYTES", 16 << 30, "Largest raw file read, in bytes (the largest "
        "real one: an 11 MB CSV).", _bytes, check=_at_least(1))
    max_workbook_bytes: int = setting(
        "HARMSTATS_MAX_WORKBOOK_BYTES", 256 << 20, "Largest unpacked size of a workbook (XLSX) "
        "or zip archive, in bytes, by the sizes its directory declares (GLOTIP 2025: 27 MB).",
        _bytes, check=_at_least(1))
    max_field_bytes: int = setting(
        "HARMSTATS_MAX_FIELD_BYTES", 1 << 20, "Longest field of a CSV file, in bytes (an "
        "endless field is refused before the file is read whole).", _bytes, check=_at_least(1))
    raw_link_roots: tuple[Path, ...] = setting(
        "HARMSTATS_RAW_LINK_ROOTS", (), "Folders outside the raw folder that a snapshot folder "
        "or raw file may be a symbolic link into, separated by `:`; unset: a link leading out "
        "of the raw folder is refused unread.", _paths)
    # --- memory and threads
    chunk_rows: int = setting(
        "HARMSTATS_CHUNK_ROWS", 250_000, "Records per chunk when a source reads a file in "
        "chunks: bounds the memory of the largest files.", _whole, check=_at_least(1))
    chunk_workers: int = setting(
        "HARMSTATS_CHUNK_WORKERS", 2, "Chunks harmonised at once, each in its own thread.",
        _whole, check=_at_least(1))
    stats_workers: int = setting(
        "HARMSTATS_STATS_WORKERS", 2, "Pieces of statistics built at once, and batches "
        "reconciled at once, each in its own thread.", _whole, check=_at_least(1))
    reconcile_rows: int = setting(
        "HARMSTATS_RECONCILE_ROWS", 250_000, "Cells of an aggregate source reconciled at "
        "once (its records summed by cell; whole years are never split).", _whole, check=_at_least(1))
    duckdb_memory: str = setting(
        "HARMSTATS_DUCKDB_MEMORY", "1GB", "DuckDB's memory limit (its own default is 80% of "
        "RAM); larger work spills to disk.", _text, check=_memory)
    # --- disclosure control of the public tier (docs/disclosure_control.md)
    sdc_max: int = setting(
        "HARMSTATS_SDC_MAX", 4, "Counts from 0 to this are withheld from the public tier.",
        _whole, check=_at_least(1))
    sdc_protection: int = setting(
        "HARMSTATS_SDC_PROTECTION", 2, "An attacker's interval for a withheld count must reach "
        "its value plus or minus this.", _whole, check=_at_least(1))
    sdc_k: int = setting(
        "HARMSTATS_SDC_K", 10, "Batch size of the secondary suppression, and threshold below "
        "which a dimension's rare values are recoded.", _whole, check=_at_least(1))
    # --- anomaly warnings on a new snapshot (exit 1 and a notification; nothing unpublished)
    anomaly_quarantine_share: float = setting(
        "HARMSTATS_ANOMALY_QUARANTINE_SHARE", 0.01, "Share of a file's rows set aside in "
        "quarantine above which a run warns.", _number, check=_at_least(0))
    anomaly_flag_share_jump: float = setting(
        "HARMSTATS_ANOMALY_FLAG_SHARE_JUMP", 0.05, "Rise of the share of flagged rows over the "
        "previous snapshot (0.05 = 5 points) above which a run warns.", _number,
        check=_at_least(0))
    anomaly_repeated_id_share: float = setting(
        "HARMSTATS_ANOMALY_REPEATED_ID_SHARE", 0.0, "Share of rows repeating a publisher id "
        "above which a run warns (0: any).", _number, check=_at_least(0))
    anomaly_yearly_total_share: float = setting(
        "HARMSTATS_ANOMALY_YEARLY_TOTAL_SHARE", 0.10, "A yearly grand total moving by more than "
        "this share of the previous snapshot's ...", _number, check=_at_least(0))
    anomaly_yearly_total_min: int = setting(
        "HARMSTATS_ANOMALY_YEARLY_TOTAL_MIN", 10, "... and by at least this many, for years "
        "both snapshots cover fully, makes a run warn.", _whole, check=_at_least(0))
    # --- what a release writes besides its tables, extracts and manifests
    data_docs: bool = setting(
        "HARMSTATS_DATA_DOCS", True, "Write Great Expectations' Data Docs (HTML pages) into "
        "both tiers of a release. `0`: the tables are validated all the same (a failure still "
        "blocks the release, the manifests record every result) but no pages are written: "
        "for test runs that never read them.", _yes_no)
    page: bool = setting(
        "HARMSTATS_PAGE", True, "Write the release page (`public/index.html`) and its charts "
        "(`public/charts/`). `0`: neither (the public manifest's `page` is null): for test "
        "runs that never read them.", _yes_no)
    # --- Prefect
    prefect: str = setting(
        "HARMSTATS_PREFECT", "auto", "`auto`: a run goes through the Prefect flow when "
        "PREFECT_API_URL is set, inside a Prefect flow run (the nightly deployment) or with a "
        "Dask scheduler, else the same steps run without Prefect; `always`: through the flow "
        "every time (starting Prefect's temporary server when PREFECT_API_URL is unset).",
        _text, check=_one_of("auto", "always"))
    prefect_api_url: str | None = setting(
        "PREFECT_API_URL", None, "A long-lived Prefect server, which `harmstats serve` needs "
        "(else the active Prefect profile's); set, `harmstats run` records its runs there.",
        _optional)

    def __post_init__(self) -> None:
        for spec in fields(self):
            check = spec.metadata["check"]
            problem = check(getattr(self, spec.name)) if check else None
            if problem:
                flag = spec.metadata["flag"]
                named = spec.metadata["env"] + (f" (or {flag.split()[-1]})" if flag else "")
                raise SettingsError(f"{named}={getattr(self, spec.name)!r}: {problem}")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """The defaults, overridden by the variables set (an empty one counts as unset)."""
        env = os.environ if env is None else env
        for name, why in RETIRED.items():
            if env.get(name, "").strip() not in ("", "0"):
                raise SettingsError(f"{name} is no longer a setting: {why}")
        values = {}
        for spec in fields(cls):
            name = spec.metadata["env"]
            text = env.get(name, "").strip()
            if not text:
                continue
            try:
                values[spec.name] = spec.metadata["parse"](text)
            except ValueError:
                raise SettingsError(f"{name}={text!r} is not a {spec.metadata['kind']}") from None
        return cls(**values)

    def with_flags(self, **flags) -> "Settings":
        """These settings with the command-line flags that were given (None: not given)."""
        return replace(self, **{k: v for k, v in flags.items() if v is not None})

    @property
    def anomaly_thresholds(self) -> AnomalyThresholds:
        """The thresholds of the anomaly warnings."""
        return AnomalyThresholds(
            quarantine_share=self.anomaly_quarantine_share,
            flag_share_jump=self.anomaly_flag_share_jump,
            repeated_id_share=self.anomaly_repeated_id_share,
            yearly_total_share=self.anomaly_yearly_total_share,
            yearly_total_min=self.anomaly_yearly_total_min)


# Variables that were settings once: set to anything but 0, they are refused with the reason.
RETIRED = {
    "HARMSTATS_SDC_MIN": "zeros are always withheld with the small counts (a published zero "
                         "beside a withheld cell tells them apart)",
}

# Variables read outside the package, named here so the documentation lists them too.
ELSEWHERE = {
    "HARMSTATS_CATALOG": "notebooks/letter_questions.ipynb: the catalog the notebook reads "
                         "(default data/curated/harmstats.duckdb).",
    "HARMSTATS_RAW": "deploy/ (the env file, cron line and systemd unit): the raw folder given "
                     "to `--raw-dir`.",
    "HARMSTATS_OUT": "deploy/: the output folder given to `--out`.",
    "HARMSTATS_REFERENCE_OUT": "tests/real_release.py: a real release already built, used "
                               "instead of building one.",
    "HARMSTATS_REFERENCE_RAW": "tests/real_release.py: the real files (default "
                               "../shared/data/real).",
}


# --- the settings of the run in progress ----------------------------------------------------------

_ACTIVE: ContextVar[Settings | None] = ContextVar("harmstats_settings", default=None)


def active() -> Settings:
    """The settings of the run in progress (`activated`), else those of the environment now."""
    return _ACTIVE.get() or Settings.from_env()


@contextmanager
def activated(settings: Settings) -> Iterator[Settings]:
    """Make `settings` what `active()` returns in this thread (and the threads it starts
    through `concurrency.in_threads`) until the block ends."""
    token = _ACTIVE.set(settings)
    try:
        yield settings
    finally:
        _ACTIVE.reset(token)


# --- third parties' own variables -------------------------------------------------------------------

# Read by Prefect and Great Expectations when they are imported: project-local quiet state, no
# telemetry (its writes race the temporary server's sqlite and it tries to reach the internet),
# no "missing flow" noise, and a temporary server given 90 s to start on a loaded 2-core box
# (Prefect's default, 20 s, was exceeded). An operator's own value always wins.
THIRD_PARTY_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
}


def prepare_third_parties(quiet_logs: bool = False) -> None:
    """Set THIRD_PARTY_DEFAULTS (and, with `quiet_logs`, Prefect's log level WARNING, for a
    command whose output is its own report) where the operator has not: call it before
    Prefect or Great Expectations is imported. The only place harmstats writes the environment."""
    defaults = {**THIRD_PARTY_DEFAULTS, **({"PREFECT_LOGGING_LEVEL": "WARNING"} if quiet_logs else {})}
    for name, value in defaults.items():
        os.environ.setdefault(name, value)


# --- docs/settings.md ---------------------------------------------------------------------------------

def _shown(value) -> str:
    if value is None or value == ():
        return "unset"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1 << 20:
        return f"{value:_}"
    return str(value)


def markdown() -> str:
    """docs/settings.md: every setting, generated from `Settings`."""
    lines = [
        "# Settings",
        "",
        "Generated from `pipelines/settings.py` (`python -m pipelines.settings > docs/settings.md`);",
        "`tests/test_settings.py` fails when this file and the code differ, and when code under",
        "`pipelines/` reads an environment variable anywhere but there.",
        "",
        "Each setting is an environment variable, read once when a command starts; the flag, where",
        "there is one, overrides it for that command. A value that cannot be used stops the",
        "command before it does anything (exit 2), with a message naming the variable. An empty",
        "variable counts as unset.",
        "",
        "| Variable | Flag | Type | Default | Meaning |",
        "|---|---|---|---|---|",
    ]
    for spec in fields(Settings):
        meta = spec.metadata
        default = spec.default if spec.default is not MISSING else None
        flag = f"`{meta['flag']}`" if meta["flag"] else ""
        lines.append(f"| `{meta['env']}` | {flag} | {meta['kind']} | `{_shown(default)}` | {meta['doc']} |")
    lines += ["", "Retired (refused when set to anything but 0, with the reason):", ""]
    lines += [f"- `{name}`: {why}." for name, why in RETIRED.items()]
    lines += ["", "Read outside the package (not settings of a run):", ""]
    lines += [f"- `{name}`: {where}" for name, where in ELSEWHERE.items()]
    lines += ["", "Set where a run starts when the operator has not (for Prefect and Great "
              "Expectations, which read them when imported):", ""]
    lines += [f"- `{name}={value}`" for name, value in THIRD_PARTY_DEFAULTS.items()]
    lines += ["- `PREFECT_LOGGING_LEVEL=WARNING` (`harmstats run` only: its output is its report)"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
