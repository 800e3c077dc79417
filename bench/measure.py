"""The measurements of `make bench`, each in a fresh subprocess (bench/worker.py, or
bench/dask_flow.py): the pipeline and the DuckDB floor per layout and scale, the fixed
overheads (imports, Prefect), an unchanged rerun, the journalist's query, out-of-core
statistics, XLSX parsing, a Dask scale-out; and the machine they ran on.

The peak RSS is that of the whole process tree, sampled from here every 50 ms, or the child's
own kernel high-water mark (VmHWM) when that is higher.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import time
from importlib import metadata
from pathlib import Path

import psutil

from bench import gen
from bench.config import COMPANIONS, DATA, LIBRARIES, PY, REAL_XLSX, ROOT, SCALES
from bench.rss import TreeSampler

RSS_CAP_MB = float(os.environ.get("BENCH_RSS_CAP_MB", 8192))


def measured(args: list[str], env: dict | None = None, timeout: float | None = None) -> dict:
    """Run `python -m bench.worker ...` (or another module) in a fresh process; its last
    stdout line is JSON. Adds the tree's peak RSS, the wall time and the load average."""
    load = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.Popen([PY, "-m", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})
    sampler = TreeSampler(proc.pid, interval=0.05, cap_mb=RSS_CAP_MB)
    sampler.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        peak = sampler.stop()
    wall = time.perf_counter() - started
    lines = [line for line in out.strip().splitlines() if line.startswith("{")]
    if sampler.capped_at is not None:
        stage = [l for l in err.splitlines() if l.startswith("# stage ")]
        return {"error": f"stopped by the benchmark: the process tree passed {RSS_CAP_MB:.0f} MiB "
                         f"(BENCH_RSS_CAP_MB) after {sampler.capped_at:.0f} s"
                         + (f", in stage {stage[-1][8:]}" if stage else ""),
                "peak_rss_mb": round(peak, 1), "wall_s": round(wall, 2), "capped": True}
    if proc.returncode != 0 or not lines:
        tail = "\n".join(err.strip().splitlines()[-15:])
        return {"error": f"exit {proc.returncode}: {tail}", "wall_s": round(wall, 2)}
    result = json.loads(lines[-1])
    result["tree_peak_rss_mb"] = round(peak, 1)
    result["peak_rss_mb"] = round(max(peak, result.get("worker_peak_rss_mb", 0)), 1)
    result["process_wall_s"] = round(wall, 2)
    result["load_avg_1m_before"] = round(load, 2)
    return result


def raw_dir_for(layout: str, scale: str) -> Path:
    """The raw folder a run reads: the scale's folder, or a composite with the companion."""
    base = DATA / "raw" / scale
    companion = COMPANIONS.get(layout)
    if not companion:
        return base
    folder = DATA / "raw" / f"{scale}-{layout}"
    folder.mkdir(parents=True, exist_ok=True)
    for source, target in ((gen.LAYOUTS[layout][0], base / gen.LAYOUTS[layout][0]),
                           (gen.LAYOUTS[companion][0], DATA / "raw" / "10k" / gen.LAYOUTS[companion][0])):
        link = folder / source
        if not link.is_symlink():
            shutil.rmtree(link, ignore_errors=True)
            link.symlink_to(target.resolve(), target_is_directory=True)
    return folder


def generate(layout: str, scale: str) -> float:
    started = time.perf_counter()
    gen.write_snapshot(layout, SCALES[scale], DATA / "raw" / scale)
    companion = COMPANIONS.get(layout)
    if companion:
        gen.write_snapshot(companion, SCALES["10k"], DATA / "raw" / "10k")
    return round(time.perf_counter() - started, 2)


def run_pipeline(layout: str, scale: str, fresh: bool = True, profile: bool = False) -> dict:
    source = gen.LAYOUTS[layout][0]
    out = DATA / "out" / f"{layout}-{scale}"
    if fresh:
        shutil.rmtree(out, ignore_errors=True)
    args = ["bench.worker", "pipeline", "--source", source, "--raw", str(raw_dir_for(layout, scale)),
            "--out", str(out)]
    if COMPANIONS.get(layout):
        args += ["--companion", gen.LAYOUTS[COMPANIONS[layout]][0]]
    if profile:
        args += ["--profile", str(DATA / "profiles" / f"{layout}-{scale}.txt")]
    return measured(args)


def run_floor(layout: str, scale: str) -> dict:
    source = gen.LAYOUTS[layout][0]
    out = DATA / "floor" / f"{layout}-{scale}"
    shutil.rmtree(out, ignore_errors=True)
    return measured(["bench.worker", "floor", "--source", source, "--raw", str(DATA / "raw" / scale),
                     "--out", str(out)])


# --- the extras --------------------------------------------------------------------------------

def prefect_env() -> dict:
    home = DATA / "prefect_home"
    return {"PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1", "PREFECT_LOGGING_LEVEL": "WARNING"}


def prefect_costs() -> dict:
    """Migrate a bench-local PREFECT_HOME once (one-off cost), then measure in a new process:
    the import, an empty flow called twice, and the real flow on the 10k MMP snapshot."""
    env = prefect_env()
    home = Path(env["PREFECT_HOME"])
    result: dict = {}
    if not (home / "prefect.db").is_file():
        home.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        subprocess.run([str(Path(PY).parent / "prefect"), "server", "database", "upgrade", "-y"],
                       cwd=ROOT, env={**os.environ, **env}, capture_output=True, check=False)
        result["migration_one_off_s"] = round(time.perf_counter() - started, 2)
    out = DATA / "out" / "prefect-10k"
    shutil.rmtree(out, ignore_errors=True)
    # Warm-up: the first server start on a fresh DB still writes blocks; measure the second.
    measured(["bench.worker", "prefect"], env=env, timeout=300)
    result.update(measured(["bench.worker", "prefect", "--raw", str(DATA / "raw" / "10k"),
                            "--out", str(out), "--source", "mmp"], env=env, timeout=600))
    return result


def xlsx_parsing() -> dict:
    files = {}
    for source, path in REAL_XLSX.items():
        if path.is_file():
            files[source] = str(path)
    if not files:
        return {"error": "real XLSX files not found under ../shared/data/real"}
    result = measured(["bench.worker", "xlsx", "--files", json.dumps(files)])
    result["note"] = "the real published files (read-only copies in shared/data/real)"
    return result


def linkage_bench(scale: str) -> dict:
    """Two synthetic death lists of the scale's size each, linked (bench/layout_linkage.py)."""
    return measured(["bench.worker", "linkage", "--n", str(SCALES[scale])], timeout=7200)


def journalist_query(catalog: Path) -> dict:
    return measured(["bench.worker", "query", "--catalog", str(catalog), "--repeat", "20"])


def out_of_core(parquet: Path, limit: str) -> dict:
    spill = DATA / "spill"
    shutil.rmtree(spill, ignore_errors=True)
    limited = measured(["bench.worker", "ooc", "--parquet", str(parquet), "--out", str(spill),
                        "--memory-limit", limit])
    unlimited = measured(["bench.worker", "ooc", "--parquet", str(parquet), "--out", str(spill)])
    shutil.rmtree(spill, ignore_errors=True)
    return {"limited": limited, "unlimited": unlimited}


def dask_scale_out(scale: str, layouts: list[str]) -> dict:
    raw = DATA / "raw" / f"{scale}-dask"
    raw.mkdir(parents=True, exist_ok=True)
    for layout in layouts:
        source = gen.LAYOUTS[layout][0]
        link = raw / source
        if not link.is_symlink():
            link.symlink_to((DATA / "raw" / scale / source).resolve(), target_is_directory=True)
    out = DATA / "out" / f"dask-{scale}"
    shutil.rmtree(out, ignore_errors=True)
    sources = ",".join(gen.LAYOUTS[l][0] for l in layouts)
    # Dask workers are other processes: they cannot reach the flow's temporary API server and
    # would each start their own (and time out under load). A long-lived server on loopback,
    # as recommended for nightly runs, is shared by the flow and its workers.
    server, url = start_prefect_server()
    try:
        result = measured(["bench.dask_flow", "--raw", str(raw), "--out", str(out), "--sources", sources],
                          env={**prefect_env(), "PREFECT_API_URL": url}, timeout=3600)
    finally:
        stop(server)
    result["prefect_api"] = "long-lived `prefect server start` on 127.0.0.1 (bench-local PREFECT_HOME)"
    return result


def start_prefect_server(port: int = 4297) -> tuple[subprocess.Popen, str]:
    """`prefect server start` on loopback with the bench's PREFECT_HOME; waits for /api/health."""
    import urllib.request

    env = {**os.environ, **prefect_env()}
    env.pop("PREFECT_API_URL", None)
    log = (DATA / "prefect_server.log").open("w")
    server = subprocess.Popen([str(Path(PY).parent / "prefect"), "server", "start", "--host", "127.0.0.1",
                               "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            with opener.open(f"{url}/health", timeout=2) as reply:
                if reply.status == 200:
                    return server, url
        except OSError:
            time.sleep(0.5)
    stop(server)
    raise RuntimeError("prefect server did not answer /api/health within 120 s")


def stop(proc: subprocess.Popen) -> None:
    """Stop a process this runner started (its own session: the server's uvicorn child too)."""
    if proc.poll() is None:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)


def incremental_available() -> bool:
    return (ROOT / "pipelines" / "ops" / "run.py").is_file()


def unchanged_run(scales: list[str]) -> dict:
    """The nightly run on unchanged raw files, beyond fixed overheads (imports, Prefect).

    With the incremental path (pipelines/ops/run.py `execute`): a first full run through the
    Prefect flow, then the same call again in a new process, timed after its imports. Without
    it: a second identical run of the plain functions into the same output folder."""
    rows = []
    if incremental_available():
        for scale in dict.fromkeys(scales):
            raw, out = DATA / "raw" / scale, DATA / "out" / f"nightly-mmp-{scale}"
            shutil.rmtree(out, ignore_errors=True)
            args = ["bench.worker", "nightly", "--raw", str(raw), "--out", str(out), "--source", "mmp"]
            first = measured(args + ["--prime"], env=prefect_env(), timeout=3600)
            # Code edited between two runs (other work in the same checkout) makes the plan
            # reprocess, correctly; try again until a rerun finds nothing new (3 at most).
            attempts = []
            for _ in range(3):
                again = measured(args, env=prefect_env(), timeout=3600)
                attempts.append({k: again.get(k) for k in ("run_s", "nothing_new", "reasons", "error")})
                if again.get("nothing_new") or "error" in again:
                    break
            rows.append({"rows": SCALES[scale], "first_s": first.get("run_s"), "rerun_s": again.get("run_s"),
                         "plan_s": again.get("plan_s"), "nothing_new": again.get("nothing_new"),
                         "outcome": again.get("outcome"), "rerun_imports_s": again.get("imports_s"),
                         "rerun_peak_rss_mb": again.get("peak_rss_mb"), "attempts": attempts,
                         "error": first.get("error") or again.get("error")})
        note = ("`pipelines.ops.run.execute` (what `harmstats run` and the nightly flow call) with "
                "incremental planning: a first full run (its steps in-process, as a one-off `harmstats run` "
                "takes them without a Prefect server: no Prefect in its seconds), then the same call on unchanged raw files in a new process. The "
                "rerun's seconds exclude imports and include its own planning; it never starts "
                "Prefect. `plan_s` is a separate planning call made first: raw files are hashed only "
                "when their size or modification time changed (OUT/.raw-hashes.json).")
    else:
        for scale in dict.fromkeys(scales):
            first = {}
            again = run_pipeline("mmp", scale, fresh=False)
            rows.append({"rows": SCALES[scale], "first_s": first.get("pipeline_s"),
                         "rerun_s": again.get("pipeline_s"), "error": again.get("error")})
        note = ("No incremental path: a second identical run of the plain functions into the same "
                "output folder, which redoes all the work.")
    return {"note": note, "rows": rows}


def imports() -> dict:
    return measured(["bench.worker", "imports"])


# --- the machine --------------------------------------------------------------------------------

def machine() -> dict:
    """Cores, CPU, memory, OS, Python, the libraries' versions and the load average now."""
    model = ""
    try:
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                     if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    versions = {}
    for lib in LIBRARIES:
        try:
            versions[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            versions[lib] = None
    return {"cores": psutil.cpu_count(), "cpu": model,
            "ram_gib": round(psutil.virtual_memory().total / (1 << 30), 1),
            "os": platform.platform(), "python": platform.python_version(), "libraries": versions,
            "load_avg_at_start": [round(x, 2) for x in os.getloadavg()]}
