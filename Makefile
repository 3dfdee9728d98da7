# OpsTeam: `make demo` and `make test` each do their own set-up on a fresh machine.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
ASSETS := node_modules/.installed-stamp
PYTEST_ARGS ?=

.PHONY: setup demo test lint bench messages collectstatic sbom pins clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

$(ASSETS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

setup: $(STAMP) $(ASSETS)

demo: setup
	OPSTEAM_DEBUG=1 $(PY) manage.py migrate --noinput
	OPSTEAM_DEBUG=1 $(PY) manage.py load_demo
	OPSTEAM_DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

BENCH_STAMP := $(VENV)/.bench-installed-stamp
$(BENCH_STAMP): pyproject.toml | $(STAMP)
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	@touch $@

bench: setup $(BENCH_STAMP)
	$(PY) -m bench $(BENCH_ARGS)

# Refresh the translation catalogues after changing user-facing strings (needs GNU gettext).
messages: setup
	cd opsteam && OPSTEAM_DEBUG=1 ../$(PY) ../manage.py makemessages -l zh_Hans -l en --no-obsolete --no-location
	cd opsteam && OPSTEAM_DEBUG=1 ../$(PY) ../manage.py compilemessages

# Software bill of materials (CycloneDX) of the installed environment.
sbom: setup
	$(VENV)/bin/cyclonedx-py environment --of JSON --output-reproducible -o sbom.cdx.json $(PY)

# Every pin must be the newest patch release of its series (checked against the index).
pins: setup
	$(PY) scripts/check_pins.py

collectstatic: setup
	$(PY) manage.py collectstatic --noinput

clean:
	rm -rf $(VENV) node_modules staticfiles
