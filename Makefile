# Deep Neural Networks, runnable: the README's contract.
#   make setup    .venv (newest TensorFlow) and .venv-oldest (Colab's stack), Graphviz, chromium
#   make test     lint, unit tests, every notebook on both stacks (at the same time), 16-bit
#                 precision, the Colab cell, the device check and the course site in chromium
#                 (quick profile); prints each step's time
#   make run      execute every notebook headless into build/executed/ (NB=02 for one)
#   make executed run in the full profile and refresh the executed copies, executed/ (NB=05 for one)
#   make book     render the executed copies (executed/) into the course site, build/book/html/
#                 (no execution; EXECUTED=build/executed for another folder)
#   make report   build results/README.md from results/full/*.json
#   make bench    the machine's matmul peak and each workload's share of it (results/<profile>/bench.json)
#   make device-check   bench + notebook 02 + as much of the full profile as fits in 8 minutes
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# the oldest stack we support, Colab's (constraints/oldest.txt); the notebooks run in it too
VENV_OLDEST ?= .venv-oldest
PY_OLDEST := $(VENV_OLDEST)/bin/python
NBVAL := -m pytest -q -p no:cacheprovider --nbval-lax --nbval-current-env --nbval-cell-timeout=900
# hide pip's noise about absent local indexes; with pipefail a failing pip still fails the step
PIP_QUIET := 2>&1 | { grep -vE "is ignored: it is neither a file nor a directory" || true; }
# setuptools' ten-line note that an editable install finds `utils` through a path finder
NO_EDITABLE_NOTE := | awk '/BuildBackendWarning: Editable installation/{skip=1} !skip{print} /with strategy, WheelFile/{skip=0}'
# INSTALL(venv, what): uv installs the packages (in parallel: about three times faster than pip
# for TensorFlow's stack); should uv fail (a network it cannot use), pip does it instead
INSTALL = { $(1)/bin/uv pip install -q --python $(1)/bin/python $(2) \
	|| { echo "uv failed; installing with pip instead"; $(1)/bin/python -m pip install -q $(2) $(PIP_QUIET); }; }
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONUNBUFFERED := 1
NB ?=

.PHONY: help setup setup-newest setup-oldest test lint unit nbtest nbtest-oldest nbtest-bfloat16 nbtest-bfloat16-a nbtest-bfloat16-b unit-oldest oldest-checks colabtest device-check-quick booktest booktest-quick booktest-executed run executed executed-prose check-executed book report bench device-check clean-notebooks links check-links clean

help:
	@sed -n '2,12p' Makefile

setup: setup-newest setup-oldest

setup-newest:
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@set -o pipefail; $(PY) -m pip install -q --upgrade pip uv $(PIP_QUIET)
	@set -o pipefail; $(call INSTALL,$(VENV),-r requirements.txt)
	@set -o pipefail; $(PY) -m pip install -q --no-deps -e . $(PIP_QUIET) $(NO_EDITABLE_NOTE)
	@$(PY) -c "import utils, tensorflow as tf, keras; print('installed: tensorflow', tf.__version__, '/ keras', keras.__version__)"
	@bash scripts/install_graphviz.sh
	@bash scripts/install_book_deps.sh
	@mkdir -p data

# Colab's stack, without this project installed (the notebooks find `utils` by PYTHONPATH, and
# the Colab-cell test installs it into a fresh environment that sees this one's packages)
setup-oldest:
	@test -x $(PY_OLDEST) || $(PYTHON) -m venv $(VENV_OLDEST)
	@set -o pipefail; $(PY_OLDEST) -m pip install -q --upgrade pip uv $(PIP_QUIET)
	@set -o pipefail; $(call INSTALL,$(VENV_OLDEST),-r requirements.txt -c constraints/oldest.txt)
	@$(PY_OLDEST) -m pip uninstall -q -y dnn-runnable 2>/dev/null || true
	@PYTHONPATH=$(CURDIR) $(PY_OLDEST) -c "import utils, tensorflow as tf, keras; print('oldest stack: tensorflow', tf.__version__, '/ keras', keras.__version__)"

# each step's wall time is printed at the end; A,B+C,D runs two lanes at the same time (A then B
# beside C then D), since much of a quick run is one core waiting on Python: the two stacks'
# notebook runs share the cores, and the bfloat16 pass is split between the lanes to even them
TEST_STEPS := lint \
	unit,nbtest,booktest-quick,nbtest-bfloat16-b+colabtest,unit-oldest,booktest-executed,nbtest-oldest,device-check-quick,nbtest-bfloat16-a
test:
	@MAKE="$(MAKE)" bash scripts/timed_steps.sh $(TEST_STEPS)

lint:
	$(PY) -m ruff check conftest.py utils scripts tests notebooks book
	$(PY) -m ruff format --check conftest.py utils scripts tests notebooks book

unit:
	MPLBACKEND=Agg DNN_PROFILE=quick $(PY) -m pytest -q tests --ignore=tests/browser --ignore=tests/colab

# every notebook on the newest stack, float32, the CPU's branches, with the exercises' worked
# solutions; the executed notebooks are kept (conftest.py) for the course site (booktest)
QUICK_EXECUTED := build/quick/executed
nbtest:
	rm -rf $(QUICK_EXECUTED)
	DNN_PROFILE=quick DNN_DEVICE=cpu DNN_EXECUTED_OUT=$(QUICK_EXECUTED) $(PY) $(NBVAL) notebooks

# every notebook on Colab's stack as a Colab GPU runs it by default: the GPU's branches, float32
# (mixed_float16, the GPU's 16-bit policy, is emulated on a CPU and far too slow for every
# notebook: device-check-quick runs 02 and 04 under it)
# (the exercises' worked solutions run once, in nbtest: here they are left out)
# Its own data and results folders, since it runs beside nbtest.
nbtest-oldest:
	PYTHONPATH=$(CURDIR) DNN_PROFILE=quick DNN_DEVICE=gpu DNN_SOLUTIONS=0 \
		DNN_DATA_DIR=build/oldest/data DNN_RESULTS_DIR=build/oldest/results \
		$(PY_OLDEST) scripts/run_notebooks.py --out build/oldest/executed

# every notebook as a CPU with bfloat16 instructions runs it under DNN_MIXED_PRECISION=1: the CPU's
# branches in mixed_bfloat16 (without the worked solutions, which nbtest runs); its own results.
# `make test` runs it in two halves, one in each lane (BF16_NB: which notebooks; all by default)
BF16_NB ?=
nbtest-bfloat16:
	DNN_PROFILE=quick DNN_DEVICE=cpu DNN_MIXED_PRECISION=bfloat16 DNN_SOLUTIONS=0 \
		DNN_RESULTS_DIR=build/bfloat16/results \
		$(PY) scripts/run_notebooks.py --out build/bfloat16/executed $(BF16_NB)
nbtest-bfloat16-a:
	@$(MAKE) --no-print-directory nbtest-bfloat16 BF16_NB="00 01 02 03 04 05"
nbtest-bfloat16-b:
	@$(MAKE) --no-print-directory nbtest-bfloat16 BF16_NB="06 07 08 09 10"

# the unit tests of what must behave the same on Colab's stack: bad data (HDF5 walks, results
# locks, size limits), the VGG16 checks, the text loader and notebook 09's workers
unit-oldest:
	PYTHONPATH=$(CURDIR) MPLBACKEND=Agg DNN_PROFILE=quick $(PY_OLDEST) -m pytest -q -p no:cacheprovider \
		tests/test_bad_data_third.py tests/test_vgg.py tests/test_text.py tests/test_workers.py

# Colab's stack beside the unit tests: the Colab cell, then the unit tests above
oldest-checks: colabtest unit-oldest

# the notebooks' first cell in a fresh environment that has Colab's stack and not this project
colabtest:
	DNN_COLAB_STACK=$$($(PY_OLDEST) -c "import sysconfig; print(sysconfig.get_paths()['purelib'])") \
		$(PY) -m pytest -q -p no:cacheprovider tests/colab

# the device check in the quick profile: the bench, and the GPU's branches of 02 and 04 under
# mixed_float16, each run to its end (no time budget: a slow machine passes too)
device-check-quick:
	DNN_PROFILE=quick DNN_MIXED_PRECISION=1 $(PY) scripts/device_check.py

# the course site, built from the notebooks nbtest executed (no second execution), checked in
# chromium; run alone, it runs nbtest first. Then the site from the executed copies (executed/,
# no execution either), checked the same way.
booktest: booktest-quick booktest-executed

booktest-quick:
	@test -d $(QUICK_EXECUTED) || $(MAKE) --no-print-directory nbtest
	$(PY) scripts/build_book.py --executed $(QUICK_EXECUTED) --out build/quick/book
	DNN_BOOK_HTML=build/quick/book/html DNN_EXECUTED=$(QUICK_EXECUTED) $(PY) -m pytest -q -p no:cacheprovider tests/browser

# the site as `make book` builds it, from the executed copies (no execution)
booktest-executed:
	$(PY) scripts/build_book.py --out build/book
	DNN_BOOK_HTML=build/book/html $(PY) -m pytest -q -p no:cacheprovider tests/browser/test_site.py

run:
	DNN_PROFILE=$(or $(DNN_PROFILE),quick) $(PY) scripts/run_notebooks.py $(NB)

# the executed copies: every notebook (NB=05: one) in the full profile, recording results/full/ and
# writing executed/NN_*.ipynb, then the links to them (README's table, the notebooks' first cell)
executed:
	DNN_PROFILE=full $(PY) scripts/run_notebooks.py --executed-copy $(NB); status=$$?; \
		$(PY) scripts/sync_links.py && exit $$status

# the copies whose code is current get their notebook's markdown (a prose edit needs no rerun)
executed-prose:
	$(PY) scripts/executed_copies.py --sync-prose

# which executed copies are current, stale (their notebook changed since their run) or missing
check-executed:
	$(PY) scripts/executed_copies.py --check

EXECUTED ?= executed
book:
	$(PY) scripts/build_book.py --executed $(EXECUTED)

report:
	$(PY) scripts/make_report.py

bench:
	$(PY) scripts/bench.py

# on a GPU machine: DNN_DATA_DIR=... make device-check (results/gpu/, build/device/executed/)
device-check:
	$(PY) scripts/device_check.py --budget 480

clean-notebooks:
	$(PY) scripts/clean_notebooks.py notebooks/*.ipynb

links:
	$(PY) scripts/sync_links.py

check-links:
	$(PY) scripts/sync_links.py --check

clean:
	rm -rf build results/quick results/*/quick .pytest_cache
