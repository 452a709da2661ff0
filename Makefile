# mira-storage: `make demo` runs the pipeline on bundled demo data, `make test` runs the tests.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

MIRA_DATA ?= $(CURDIR)/mira_data
export MIRA_DATA
export DAGSTER_HOME := $(MIRA_DATA)/dagster_home
DEMO_START ?= 2026-11-01
DEMO_DAYS ?= 3
DEMO_SEED ?= 7
DEMO_KEY := $(MIRA_DATA)/demo-vault.key
# The demo snapshots a small git repository with commits on the demo days (made by `mira demo-data`) and this
# repository, unless MIRA_CODEBASES is set.
DEMO_CODEBASE := $(MIRA_DATA)/demo_codebase
demo ui: export MIRA_CODEBASES ?= [{"name": "demo-codebase", "path": "$(DEMO_CODEBASE)"}, {"name": "mira-storage", "path": "$(CURDIR)"}]

# The partition range starts at the first day there is data for; on the demo, its first day.
DEMO_PARTITION_START = export MIRA_PARTITION_START="$${MIRA_PARTITION_START:-$(DEMO_START)}";

# Use the configured key; without one, make (once) and use a demo key, loudly.
define WITH_KEY
if [ -z "$${MIRA_VAULT_KEY:-}$${MIRA_VAULT_KEY_FILE:-}" ]; then \
  if [ ! -f "$(DEMO_KEY)" ]; then \
    mkdir -p "$(MIRA_DATA)"; $(BIN)/mira keygen --out "$(DEMO_KEY)" >/dev/null; \
    echo "!!! No vault key configured (MIRA_VAULT_KEY / MIRA_VAULT_KEY_FILE)."; \
    echo "!!! Created a DEMO key at $(DEMO_KEY). Keep it, or nothing in this vault can be read again."; \
    echo "!!! Do not use a demo key for real data."; \
  else echo "!!! Using the DEMO vault key at $(DEMO_KEY) (no MIRA_VAULT_KEY / MIRA_VAULT_KEY_FILE set)."; fi; \
  export MIRA_VAULT_KEY_FILE="$(DEMO_KEY)"; \
fi;
endef

.PHONY: install instance demo ui test bench clean-demo

$(BIN)/mira: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[test,ops]'
	touch $@

install: $(BIN)/mira

# The Dagster home: config/dagster.yaml (+ PROFILES of config/profiles, e.g. PROFILES=postgres), set up once.
PROFILES ?=
instance: install
	@$(BIN)/mira instance init $(foreach p,$(PROFILES),--profile $(p))

demo: install instance
	@$(WITH_KEY) $(DEMO_PARTITION_START) \
	if [ ! -d "$(MIRA_DATA)/landing" ]; then \
	  $(BIN)/mira demo-data --out "$(MIRA_DATA)/landing" --start $(DEMO_START) --days $(DEMO_DAYS) --seed $(DEMO_SEED) \
	    --codebase "$(DEMO_CODEBASE)"; \
	else echo "Reusing demo landing data in $(MIRA_DATA)/landing"; \
	  $(BIN)/mira demo-codebase --out "$(DEMO_CODEBASE)" --start $(DEMO_START) --days $(DEMO_DAYS); fi; \
	$(BIN)/mira materialize --start $(DEMO_START) --days $(DEMO_DAYS); \
	echo; echo "Done. Results under $(MIRA_DATA):"; \
	echo "  vault (encrypted):  $(MIRA_DATA)/databases/lightning_vidmem"; \
	echo "  ChromaDB:           $(MIRA_DATA)/databases/chromadb"; \
	echo "  manifests:          $(MIRA_DATA)/manifests"; \
	echo "  quarantine:         $(MIRA_DATA)/quarantine"; \
	echo "  codebases:          $${MIRA_CODEBASES}"; \
	echo "Try:  $(BIN)/mira search \"where does learning happen\"   (public insights are memories too)"; \
	echo "      $(BIN)/mira search --collection htm_patterns --like mem-$(subst -,,$(DEMO_START))-routine5-stretching -n 8   (the HTM learns the daily routine: importance rises as surprise falls)"; \
	echo "      $(BIN)/mira consciousness similar -n 3 --state '{\"level\": 0.7, \"emotional_resonance\": 0.6, \"spark_intensity\": 0.5, \"memory_coherence\": 0.6, \"evolution_stage\": \"advanced\"}'"; \
	echo "Open the Dagster UI with: make ui   (then http://127.0.0.1:3000)"

ui: install instance
	@$(WITH_KEY) $(DEMO_PARTITION_START) $(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

test: install
	$(BIN)/python -m pytest -q

bench: install
	@for b in tests/benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b; done

clean-demo:
	rm -rf "$(MIRA_DATA)"
