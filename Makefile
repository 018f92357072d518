# Two commands for a newcomer: `make demo` (install, build a synthetic city, run the pipeline,
# publish it and serve the portal on localhost)
# and `make test` (the whole test suite). `make check` runs the linters and type checker.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
PEOPLE ?= 20000
SEED ?= 42
DATA ?= data
CITY := $(DATA)/city

.PHONY: demo test check install clean-data bench

$(BIN)/kinlink: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(BIN)/kinlink

install: $(BIN)/kinlink

demo: install
	$(BIN)/kinlink synth --people $(PEOPLE) --seed $(SEED) --out $(CITY) --force
	KINLINK_DATA_DIR=$(DATA) $(BIN)/kinlink ingest $(CITY)/feeds
	KINLINK_DATA_DIR=$(DATA) $(BIN)/kinlink quarantine summary
	KINLINK_DATA_DIR=$(DATA) $(BIN)/kinlink link
	KINLINK_DATA_DIR=$(DATA) $(BIN)/kinlink linkage evaluate --truth $(CITY)/truth
	KINLINK_DATA_DIR=$(DATA) $(BIN)/kinlink families build
	KINLINK_DATA_DIR=$(DATA) $(BIN)/kinlink families evaluate --truth $(CITY)/truth
	KINLINK_DATA_DIR=$(DATA) $(BIN)/kinlink outcomes assess
	KINLINK_DATA_DIR=$(DATA) $(BIN)/kinlink outcomes evaluate --truth $(CITY)/truth
	for r in quarterly_progress results_claims early_help_data_collection national_impact_study; do \
		KINLINK_DATA_DIR=$(DATA) $(BIN)/kinlink returns build $$r || exit 1; done
	KINLINK_DATA_DIR=$(DATA) $(BIN)/kinlink publish
	KINLINK_DATA_DIR=$(DATA) $(BIN)/kinlink portal demo-users
	KINLINK_DATA_DIR=$(DATA) $(BIN)/python -m kinlink.portal runserver 127.0.0.1:8000

test: install
	$(BIN)/python -m pytest -q -n 2

check: install
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

bench: install
	$(BIN)/python -m benchmarks.pipeline --people 20000 --people 500000

clean-data:
	rm -rf $(DATA)
