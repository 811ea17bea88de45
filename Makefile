# The HJ book: two commands on a fresh machine.
#   make book   build the HTML book into _build/html (creates .venv, installs, executes every chapter)
#   make test   hjlib's tests + nbval over every chapter + strict book build + browser check
# and, for learners:
#   make lab    JupyterLab on the book (.md chapters open as notebooks)
PY          ?= python3
VENV        ?= .venv
BIN         := $(VENV)/bin
CONSTRAINTS := requirements/constraints.txt
STAMP       := $(VENV)/.installed
LABSTAMP    := $(VENV)/.installed-lab
JB_FLAGS    := -n -W --keep-going
# ipywidgets' static HTML manager (npm), matching ipywidgets 8.1: no CDN when reading the book
HTML_MANAGER := 1.0.15
WIDGET_JS    := _vendor/ipywidgets/embed.js
PYTEST_WORKERS ?= 2

.PHONY: book book-force test test-unit-and-notebooks test-build test-html test-lab lab student setup clean distclean constraints help

help:
	@sed -n '1,8p' Makefile

$(STAMP): pyproject.toml $(CONSTRAINTS)
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip>=24"
	$(BIN)/python -m pip install -q -c $(CONSTRAINTS) -e ".[book,test]"
	touch $@

$(WIDGET_JS):
	rm -rf build/npm && mkdir -p build/npm _vendor/ipywidgets
	cd build/npm && npm pack -q --silent @jupyter-widgets/html-manager@$(HTML_MANAGER) >/dev/null
	tar -xzf build/npm/jupyter-widgets-html-manager-$(HTML_MANAGER).tgz -C build/npm
	cp build/npm/package/dist/embed.js build/npm/package/dist/*.woff* build/npm/package/dist/*.ttf \
	   build/npm/package/dist/*.eot build/npm/package/dist/*.svg _vendor/ipywidgets/

setup: $(STAMP) $(WIDGET_JS)

book: setup
	$(BIN)/jupyter-book build --all $(JB_FLAGS) . || { echo "Book build failed: see the log above and _build/html/reports/"; exit 1; }
	@$(BIN)/python tools/report_build.py
	@echo "The book is at file://$(CURDIR)/_build/html/index.html"

book-force: setup
	mkdir -p build
	sed 's/^\( *execute_notebooks *:\).*/\1 force/' _config.yml > build/_config.force.yml
	$(BIN)/jupyter-book build --all $(JB_FLAGS) --config build/_config.force.yml .

# The test command (CI runs it through .ci/run). Stops at the first failing stage.
test: setup test-unit-and-notebooks test-build test-html

test-unit-and-notebooks: setup
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile -m "not html and not lab and not late" tests book

test-build: setup
	$(BIN)/jupyter-book build --all $(JB_FLAGS) .
	@$(BIN)/python tools/report_build.py

# the browser checks, and the chapters that read the ledger records the build just wrote
test-html: setup
	HJBOOK_REQUIRE_BROWSER=1 $(BIN)/python -m pytest -p no:xdist -m "html or late" tests book

test-lab: $(LABSTAMP)
	$(BIN)/python -m pytest -p no:xdist -m lab tests/test_lab.py

$(LABSTAMP): $(STAMP)
	$(BIN)/python -m pip install -q -c $(CONSTRAINTS) -e ".[lab]"
	touch $@

lab: $(LABSTAMP)
	$(BIN)/python tools/lab_settings.py $(VENV)
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root,) --notebook-dir=. book/00_preface/lse_in_one_page.md

student: book
	$(BIN)/python tools/student_edition.py

clean:
	rm -rf _build build
distclean: clean
	rm -rf $(VENV) _vendor *.egg-info

constraints: $(STAMP) $(LABSTAMP)
	$(BIN)/python tools/freeze_constraints.py > $(CONSTRAINTS)
	$(BIN)/python tools/sync_environment.py
