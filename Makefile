# Two commands: `make run` and `make test`. Both set up .venv and build the data if missing.
PORT ?= 8501
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BUILT := data/build/build_report.json
LEAFLET := static/vendor/leaflet/leaflet.js
LEAFLET_VERSION := 1.9.4
MARKERCLUSTER := static/vendor/leaflet.markercluster/leaflet.markercluster.js
MARKERCLUSTER_VERSION := 1.5.3
FFLATE := static/vendor/fflate/index.js
FFLATE_VERSION := 0.8.2
VENDOR := $(LEAFLET) $(MARKERCLUSTER) $(FFLATE)

.PHONY: run test unit lint build install clean serve-replicas

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Leaflet from the npm registry, served by Streamlit at /app/static (no CDN at run time).
$(LEAFLET):
	rm -rf static/vendor/leaflet static/vendor/package
	mkdir -p static/vendor
	cd static/vendor && npm pack --silent leaflet@$(LEAFLET_VERSION) > /dev/null \
		&& tar xzf leaflet-$(LEAFLET_VERSION).tgz && mv package/dist leaflet \
		&& rm -rf package leaflet-$(LEAFLET_VERSION).tgz

# Its clustering plugin (phones at low zoom), the same way; unpacked in a folder of its own.
$(MARKERCLUSTER):
	rm -rf static/vendor/leaflet.markercluster static/vendor/.markercluster
	mkdir -p static/vendor/.markercluster
	cd static/vendor/.markercluster \
		&& npm pack --silent leaflet.markercluster@$(MARKERCLUSTER_VERSION) > /dev/null \
		&& tar xzf leaflet.markercluster-$(MARKERCLUSTER_VERSION).tgz \
		&& mv package/dist ../leaflet.markercluster
	rm -rf static/vendor/.markercluster

# fflate's browser build: inflates the map's records where DecompressionStream is missing
# (Safari before 16.4); fetched by the page only there.
$(FFLATE):
	rm -rf static/vendor/fflate static/vendor/.fflate
	mkdir -p static/vendor/.fflate
	cd static/vendor/.fflate && npm pack --silent fflate@$(FFLATE_VERSION) > /dev/null \
		&& tar xzf fflate-$(FFLATE_VERSION).tgz && mv package/umd ../fflate
	rm -rf static/vendor/.fflate

$(BUILT): $(STAMP) data/sources.json
	$(VENV)/bin/civicmap build

build: $(STAMP)
	$(VENV)/bin/civicmap build

# A build killed midway, or a store that is missing or empty, is rebuilt before serving.
run: $(BUILT) $(VENDOR)
	$(PY) -c 'import store, sys; sys.exit(0 if store.is_built() else 1)' \
		|| $(VENV)/bin/civicmap build
	$(VENV)/bin/streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

# N app processes behind HAProxy on $(PORT), sharing CIVICMAP_DATABASE_URL (PostGIS).
N ?= 2
serve-replicas: $(BUILT) $(VENDOR)
	deploy/serve_replicas.sh $(N) $(PORT)

# Three workers on two cores: the browser tests spend much of their time waiting on the app
# and Chromium (with two workers the cores were about half busy; the SQLite pass took
# 9 m 51 s with three against 13 m 26 s with two, same machine). A test file stays on one
# worker, so its app server is shared; tests/conftest.py hands out the slowest files first.
JOBS ?= 3
test: $(BUILT) $(VENDOR)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -n $(JOBS) --dist loadfile --durations=15

# Unit tests only: no build, no browser (CIVICMAP_BUILD_DIR points nowhere to prove it).
unit: $(STAMP)
	CIVICMAP_BUILD_DIR=$$(mktemp -d)/none $(VENV)/bin/pytest -m unit

lint: $(STAMP)
	$(VENV)/bin/ruff check .

clean:
	rm -rf data/build
