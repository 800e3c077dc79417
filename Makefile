# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Prefect state stays inside the project; no telemetry, no network.
export PREFECT_HOME := $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := false

.PHONY: run test samples clean bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/harmstats run --snapshot all

# The whole suite on TEST_WORKERS processes (pytest-xdist; CI has 2 cores), whole files per
# process so module fixtures are built once, handed out in the order tests/conftest.py gives
# (xdist would otherwise hand out the files with the most tests first); TEST_WORKERS=0: one.
TEST_WORKERS ?= 2
test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

# Benchmark (issue 7): BENCH_SCALE=small (10k) | default (10k and 1M) | large (10k and 10M).
# Writes bench/results.json and docs/benchmarks.md; generated data goes to bench/data/.
BENCH_SCALE ?= default
BENCH_LAYOUTS ?= mmp,ngo_incidents,unodc_glotip,ice_detention_deaths,fbi_incidents
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench.run --scale $(BENCH_SCALE) --layouts $(BENCH_LAYOUTS)

samples: $(STAMP)
	$(BIN)/python -m pipelines.samples

clean:
	rm -rf data/curated/releases data/curated/current data/curated/harmstats.duckdb .prefect
