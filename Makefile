# 门诊共济报销计算器 — developer entry points.
#   make run    set up .venv, translations and database, then serve on 127.0.0.1:8000
#   make test   the same setup plus Chromium/CJK fonts, then the whole pytest suite

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_SYS ?= python3
VENV       := .venv
PY         := $(VENV)/bin/python
STAMP      := $(VENV)/.installed
MANAGE     := $(PY) manage.py

# Root needs no sudo; everyone else does.
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
APT_GET := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get

.PHONY: help run test setup venv deps sysdeps-gettext sysdeps-browser messages compilemessages migrate bench clean

help:
	@echo "make run    - set up everything, then runserver 127.0.0.1:8000"
	@echo "make test   - set up everything (plus chromium, fonts-noto-cjk), then run pytest"
	@echo "make messages - makemessages -l zh_Hans -l en, then compilemessages"
	@echo "make bench  - run scripts/bench.py"
	@echo "make clean  - remove .venv, db.sqlite3, compiled .mo files, test output"

# --- Python environment ---------------------------------------------------

# Debian's own python3 needs the python3-venv package for `-m venv`; install it if missing.
$(PY):
	@$(PYTHON_SYS) -m venv $(VENV) 2>/dev/null || { \
		rm -rf $(VENV); \
		echo "Installing Debian package: python3-venv"; \
		$(APT_GET) update && $(APT_GET) install -y python3-venv && $(PYTHON_SYS) -m venv $(VENV); }

# Reinstall only when pyproject.toml changes; a second run is a no-op.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --disable-pip-version-check --quiet --upgrade pip
	$(PY) -m pip install --disable-pip-version-check --quiet -e '.[test]'
	touch $@

venv: $(PY)
deps: $(STAMP)

# --- System packages (Debian), installed only when missing ----------------

sysdeps-gettext:
	@if ! command -v msgfmt >/dev/null 2>&1; then \
		echo "Installing Debian package: gettext"; \
		$(APT_GET) update && $(APT_GET) install -y gettext; \
	fi

sysdeps-browser:
	@missing=""; \
	for pkg in chromium fonts-noto-cjk; do \
		dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		$(APT_GET) update && $(APT_GET) install -y $$missing; \
	fi

# --- Django setup ---------------------------------------------------------

compilemessages: $(STAMP) sysdeps-gettext
	$(MANAGE) compilemessages --ignore=$(VENV) --ignore=staticfiles --ignore=node_modules -v 0

migrate: $(STAMP)
	$(MANAGE) migrate --noinput -v 0

setup: $(STAMP) compilemessages migrate

messages: $(STAMP) sysdeps-gettext
	$(MANAGE) makemessages -l zh_Hans -l en --no-obsolete \
		--ignore=$(VENV) --ignore=staticfiles --ignore=test-output --ignore=tests --ignore=node_modules
	$(MANAGE) compilemessages --ignore=$(VENV) --ignore=staticfiles --ignore=node_modules -v 0

# --- Entry points ---------------------------------------------------------

run: setup
	$(MANAGE) runserver 127.0.0.1:8000

test: sysdeps-browser setup
	mkdir -p test-output
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) scripts/bench.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-output .pytest_cache .hypothesis
	find locale -name '*.mo' -delete
