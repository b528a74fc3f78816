# Two commands on a fresh machine: `make demo` and `make test`. Everything else is installed from the lock.
PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .uv/bin/uv
VENV := .venv
GEORISK_HOME ?= $(CURDIR)/georisk_home
DBT_SOURCES := $(shell find dbt/models dbt/macros dbt/tests -type f 2>/dev/null) dbt/dbt_project.yml dbt/profiles.yml

export GEORISK_HOME
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)

.PHONY: setup demo test ui bench bench-scale lint clean train

setup: $(VENV)/.synced dbt/target/manifest.json

# uv itself lives in its own small venv, so that `uv sync` never removes it from the project's.
$(UV):
	@echo "== installing uv $(UV_VERSION) into .uv"
	@$(PYTHON) -m venv .uv
	@.uv/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	@echo "== installing the locked dependencies into $(VENV)"
	@$(UV) sync --frozen --compile-bytecode --python $(PYTHON) --quiet
	@$(VENV)/bin/python -m compileall -q -j 2 core ingestion indicators outputs orchestration georisk >/dev/null
	@touch $@

# Dagster reads the dbt manifest when its definitions load; build it whenever the dbt project changes.
dbt/target/manifest.json: $(VENV)/.synced $(DBT_SOURCES)
	@echo "== parsing the dbt project"
	@$(VENV)/bin/python -c "from georisk.runner import ensure_dbt_manifest; ensure_dbt_manifest(force=True)"
	@touch $@

demo: setup
	@$(VENV)/bin/georisk demo

test: setup
	@$(VENV)/bin/pytest -q

ui: setup
	@mkdir -p $(GEORISK_HOME)/dagster
	@$(VENV)/bin/python -c "from georisk.runner import prepare_dagster_home; from core.settings import home; prepare_dagster_home(home())"
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH DAGSTER_HOME=$(GEORISK_HOME)/dagster $(VENV)/bin/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

# The learned extraction stages, from the annotated corpus in training/corpus (deterministic: same data, same
# artefact); writes indicators/model/extraction_model.zip with its manifest (data hash, thresholds, CV figures).
train: $(VENV)/.synced
	@$(VENV)/bin/python -m indicators.train

# Every benchmark of issue 12 into one results file, bench_results/results.json, and its table in
# docs/benchmarks.md: extraction throughput on one core (against the floor and a spaCy PhraseMatcher reference),
# then bench-scale. BENCH_MB sets the extraction corpus (default 200 MB).
bench: setup
	@$(UV) sync --frozen --compile-bytecode --group bench --quiet
	@$(VENV)/bin/python -m bench.run
	@$(MAKE) --no-print-directory bench-scale

# How cost grows with volume and with history: the whole path at 10,000 and 100,000 documents (and at a million
# with BENCH_1M=1, which alone takes well over half an hour), runs over history, then the results file.
bench-scale: setup
	@mkdir -p bench_results
	@$(VENV)/bin/python -m bench.scale 10000 --days 30 --json bench_results/scale_10k.json
	@$(VENV)/bin/python -m bench.scale 100000 --days 30 --json bench_results/scale_100k.json
	@if [ "$(BENCH_1M)" = 1 ]; then \
		$(VENV)/bin/python -m bench.scale 1000000 --days 30 --json bench_results/scale_1m.json; fi
	@$(VENV)/bin/python -m bench.history --json bench_results/history.json
	@$(VENV)/bin/python -m bench.multiprocess --json bench_results/multiprocess.json
	@$(VENV)/bin/python -m bench.results

lint: setup
	@$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) .uv dbt/target dbt/logs .pytest_cache
