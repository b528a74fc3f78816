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

# Extraction throughput against the floor and a spaCy PhraseMatcher reference; writes bench_results/.
bench: setup
	@$(UV) sync --frozen --compile-bytecode --group bench --quiet
	@$(VENV)/bin/python -m bench.run

# How cost grows with volume and with history (issue 12; docs/benchmarks.md): about 15 minutes on 2 cores.
bench-scale: setup
	@mkdir -p bench_results
	@$(VENV)/bin/python -m bench.history --json bench_results/history.json
	@$(VENV)/bin/python -m bench.scale 100000 --days 30 --json bench_results/scale_100k.json

lint: setup
	@$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) .uv dbt/target dbt/logs .pytest_cache
