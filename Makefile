# Deep Neural Networks, runnable: the README's contract.
#   make setup    create .venv, install requirements + this project + Graphviz
#   make test     lint + unit tests + every notebook under nbval + the course site in chromium (quick profile)
#   make run      execute every notebook headless into build/executed/ (NB=02 for one)
#   make book     render build/executed/ into the course site, build/book/html/ (no execution)
#   make report   build results/README.md from results/full/*.json
#   make bench    the machine's matmul peak and each workload's share of it (results/<profile>/bench.json)
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# hide pip's noise about absent local indexes; with pipefail a failing pip still fails the step
PIP_QUIET := 2>&1 | { grep -vE "is ignored: it is neither a file nor a directory" || true; }
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONUNBUFFERED := 1
NB ?=

.PHONY: help setup test lint unit nbtest booktest run book report bench clean-notebooks links check-links clean

help:
	@sed -n '2,8p' Makefile

setup:
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@set -o pipefail; $(PY) -m pip install -q --upgrade pip $(PIP_QUIET)
	@set -o pipefail; $(PY) -m pip install -q -r requirements.txt $(PIP_QUIET)
	@set -o pipefail; $(PY) -m pip install -q --no-deps -e . $(PIP_QUIET)
	@$(PY) -c "import utils, tensorflow as tf, keras; print('installed: tensorflow', tf.__version__, '/ keras', keras.__version__)"
	@bash scripts/install_graphviz.sh
	@bash scripts/install_book_deps.sh
	@mkdir -p data

test: lint unit nbtest booktest

lint:
	$(PY) -m ruff check utils scripts tests notebooks
	$(PY) -m ruff format --check utils scripts tests notebooks

unit:
	MPLBACKEND=Agg DNN_PROFILE=quick $(PY) -m pytest -q tests --ignore=tests/browser

nbtest:
	DNN_PROFILE=quick $(PY) -m pytest -q -p no:cacheprovider --nbval-lax --nbval-current-env \
		--nbval-cell-timeout=900 notebooks

# the course site, from quick-profile executions kept apart from build/executed, checked in chromium
booktest:
	DNN_PROFILE=quick $(PY) scripts/run_notebooks.py --out build/quick/executed
	$(PY) scripts/build_book.py --executed build/quick/executed --out build/quick/book
	DNN_BOOK_HTML=build/quick/book/html DNN_EXECUTED=build/quick/executed $(PY) -m pytest -q -p no:cacheprovider tests/browser

run:
	DNN_PROFILE=$(or $(DNN_PROFILE),quick) $(PY) scripts/run_notebooks.py $(NB)

book:
	$(PY) scripts/build_book.py

report:
	$(PY) scripts/make_report.py

bench:
	$(PY) scripts/bench.py

clean-notebooks:
	$(PY) scripts/clean_notebooks.py notebooks/*.ipynb

links:
	$(PY) scripts/sync_links.py

check-links:
	$(PY) scripts/sync_links.py --check

clean:
	rm -rf build results/quick .pytest_cache
