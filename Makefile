# 门诊共济报销计算器 — developer entry points.
#   make run    set up .venv, translations, database, static files and a local secret key,
#               then serve with gunicorn + WhiteNoise on 127.0.0.1:8000, DEBUG off
#   make dev    the same setup, then Django's runserver with DEBUG on
#   make test   the same setup plus Chromium/CJK fonts and PostgreSQL, then the whole pytest suite,
#               then the database-backed tests again on a throwaway PostgreSQL cluster

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_SYS ?= python3
VENV       := .venv
PY         := $(VENV)/bin/python
STAMP      := $(VENV)/.installed
MANAGE     := $(PY) manage.py
KEY_FILE   := .secret_key
# `make run` serves with DEBUG off whatever the shell says, over plain HTTP on loopback (so without
# the TLS defaults: DJANGO_SECURE=0); `make dev` with DEBUG on.
PROD_ENV   := DJANGO_DEBUG=0 DJANGO_SECURE=0

# Root needs no sudo; everyone else does.
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
APT_GET := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get

.PHONY: help run dev test test-postgres load setup venv deps secret-key sysdeps-gettext sysdeps-browser \
	sysdeps-postgres messages compilemessages migrate collectstatic engine bench clean

help:
	@echo "make run    - set up everything, then gunicorn + WhiteNoise on 127.0.0.1:8000 (DEBUG off)"
	@echo "make dev    - set up everything, then runserver 127.0.0.1:8000 with DEBUG on"
	@echo "make test   - set up everything (plus chromium, fonts-noto-cjk, postgresql), run pytest, then test-postgres"
	@echo "make test-postgres - the database-backed tests (-m db) on a throwaway PostgreSQL cluster"
	@echo "make load   - scripts/load.py: gunicorn on loopback under a bounded mixed load"
	@echo "make messages - compilemessages, then list the Chinese texts without English (scripts/check_messages.py)"
	@echo "make engine - compile the engine's hot modules with mypyc (make setup does; optional)"
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
	$(PY) -m pip install --disable-pip-version-check --quiet -e '.[test,build]'
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

sysdeps-postgres:
	@if ! command -v pg_virtualenv >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "Installing Debian packages: postgresql postgresql-common"; \
		$(APT_GET) update && $(APT_GET) install -y postgresql postgresql-common; \
	fi

# --- Django setup ---------------------------------------------------------

# A local secret key, generated once, never committed (.gitignore). DJANGO_SECRET_KEY wins over it.
$(KEY_FILE): | $(PY)
	@umask 077 && $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@.tmp && mv $@.tmp $@
	@echo "Generated a local secret key in $@ (keep it out of version control)."

secret-key: $(KEY_FILE)

compilemessages: $(STAMP) sysdeps-gettext $(KEY_FILE)
	$(MANAGE) compilemessages --ignore=$(VENV) --ignore=staticfiles --ignore=node_modules -v 0

migrate: $(STAMP) $(KEY_FILE)
	$(MANAGE) migrate --noinput -v 0

# Hashed, compressed copies for WhiteNoise (staticfiles/, untracked).
collectstatic: $(STAMP) $(KEY_FILE)
	$(MANAGE) collectstatic --noinput -v 0

setup: $(STAMP) $(KEY_FILE) compilemessages migrate collectstatic engine

# The engine's hot modules compiled with mypyc into build/engine/ (untracked), rebuilt only when
# a rules module changed; loaded only while the build matches the sources (calculator/rules/
# compiled.py). Without a C compiler the pure-Python engine runs: the script says so, exit 0.
engine: $(STAMP)
	$(PY) scripts/build_engine.py

messages: $(STAMP) sysdeps-gettext
	# The catalogs are edited by hand: makemessages --no-obsolete would drop the engine's and
	# the policy data's translations (see the script). Compiled first: the check reads the
	# compiled catalogs, so a translation just added counts.
	$(MANAGE) compilemessages --ignore=$(VENV) --ignore=staticfiles --ignore=node_modules -v 0
	$(VENV)/bin/python scripts/check_messages.py

# --- Entry points ---------------------------------------------------------

run: setup
	$(PROD_ENV) $(VENV)/bin/gunicorn --config gunicorn.conf.py

# The pure-Python engine in development: runserver's reloader restarts on an edit to any .py
# file it imported, which a compiled module is not.
dev: setup
	RULES_ENGINE=python DJANGO_DEBUG=1 $(MANAGE) runserver 127.0.0.1:8000

test: sysdeps-browser sysdeps-postgres setup
	mkdir -p test-output
	$(PY) -m pytest
	$(PG_TESTS)

# The database-backed tests again, on a throwaway PostgreSQL cluster: pg_virtualenv (from
# postgresql-common) creates it on a free local port, exports PGHOST/PGPORT/PGUSER/PGPASSWORD/
# PGDATABASE, runs the command, and removes the cluster. tests/ops/pg_url.py turns those into
# DATABASE_URL.
PG_TESTS := pg_virtualenv -o fsync=off -o full_page_writes=off -o synchronous_commit=off \
	sh -c 'DATABASE_URL="$$($(PY) tests/ops/pg_url.py)" $(PY) -m pytest -m db -p no:cacheprovider -q tests/ops tests/enquiries'

test-postgres: sysdeps-postgres setup
	$(PG_TESTS)

load: setup
	$(PY) scripts/load.py

bench: $(STAMP) engine
	$(PY) scripts/bench.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-output .pytest_cache .hypothesis build
	@echo "(kept $(KEY_FILE): delete it by hand to rotate the local secret key)"
	find locale -name '*.mo' -delete
