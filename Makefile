# Histo: `make run` builds everything and runs Histo with demo data on SQLite; `make test` runs every test.

CARGO_TARGET_DIR ?= $(CURDIR)/target
export CARGO_TARGET_DIR
HISTO_BIND ?= 127.0.0.1:8080
DEMO_DATABASE ?= histo-demo.db
# The Python tools of the deployment checks and the API fuzzing (scripts/setup-python-tools.sh).
HISTO_PYTHON_TOOLS ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/histo/python-tools
export HISTO_PYTHON_TOOLS
# Where `make build` leaves the binary (the Dockerfile copies it from there; tests/deploy checks).
RELEASE_BIN = $(CARGO_TARGET_DIR)/release/histo

.PHONY: build web run test bench bench-read bench-purge bench-attacks bench-instructions bench-web openapi mutants mutants-http

## build: the web app (frontend/dist) and the release `histo` binary, which embeds the app.
build: web
	cargo build --release -p histo -p histo-bench

web:
	scripts/build-web.sh

## run: build, then serve the demo company on SQLite and print the address to open.
run: build
	$(RELEASE_BIN) serve --demo --bind $(HISTO_BIND) --database-url $(DEMO_DATABASE)

## test: formatting and clippy's warnings refused; docker-compose.yml and the Dockerfile checked without
## Docker; unit tests, then the API through
## HTTP on SQLite and PostgreSQL (PostgreSQL is started if it is installed and stopped; the tests fail
## when it does not answer), with the web app built first so that the server serves it; then the debug
## `histo` binary that cargo test has just built serves the PHP client's tests, is fuzzed from its
## OpenAPI document, and drives the web app in headless Chromium.
test: web
	cargo fmt --all --check
	cargo clippy --workspace --exclude histo-frontend --all-targets -- -D warnings
	cargo clippy -p histo-frontend --target wasm32-unknown-unknown -- -D warnings
	scripts/ensure-postgres.sh
	scripts/setup-python-tools.sh
	scripts/setup-php.sh
	$(HISTO_PYTHON_TOOLS)/bin/python -m pytest -q -p no:cacheprovider tests/deploy
	cargo test --workspace --exclude histo-frontend
	scripts/test-php.sh $(CARGO_TARGET_DIR)/debug/histo
	scripts/fuzz-api.sh $(CARGO_TARGET_DIR)/debug/histo sqlite
	scripts/fuzz-api.sh $(CARGO_TARGET_DIR)/debug/histo postgres
	scripts/setup-browser.sh
	HISTO_BIN=$(CARGO_TARGET_DIR)/debug/histo node --test tests/browser/

## bench: recording speed through HTTP on both databases, beside raw inserts.
bench:
	cargo run --release -p histo-bench -- ingest

## bench-read: read latencies on 10 million events, both databases (loading takes minutes).
bench-read:
	cargo run --release -p histo-bench -- read

## bench-purge: recording before and during a purge of a million entries, both databases.
bench-purge:
	cargo run --release -p histo-bench -- purge

## bench-attacks: the attacks of docs/security.md against the release `histo`, with its memory.
bench-attacks:
	cargo build --release -p histo -p histo-bench
	$(CARGO_TARGET_DIR)/release/histo-bench attacks

## bench-instructions: instructions per recorded event on SQLite, counted by callgrind (needs valgrind).
bench-instructions:
	cargo run --release -p histo-bench -- instructions

## bench-web: the web app's speed in Chromium on a 10-million-event database (made once, then kept).
bench-web:
	scripts/bench-web.sh

## openapi: regenerate the committed OpenAPI document after changing the API.
openapi:
	cargo run --quiet --bin histo -- openapi > openapi/openapi.json

## mutants: mutation testing — small changes to the domain's rules and to the server's guards
## (throttle, tokens, webhooks) that their unit tests must notice; about an hour (docs/testing.md).
mutants:
	scripts/setup-mutants.sh
	mkdir -p $(CARGO_TARGET_DIR)/mutants
	cargo mutants --package histo-domain --no-shuffle --profile mutants --output $(CARGO_TARGET_DIR)/mutants/domain
	cargo mutants --package histo-server --no-shuffle --profile mutants --output $(CARGO_TARGET_DIR)/mutants/server \
		--file crates/server/src/throttle.rs --file crates/server/src/auth.rs --file crates/server/src/auth/remembered.rs \
		--file crates/server/src/alerts/webhook.rs

## mutants-http: the store's and the routes' mutants, judged by the HTTP tests that state their rules
## (several hours for all; name some: make mutants-http FILES=crates/store/src/sites.rs; docs/testing.md).
mutants-http: web
	scripts/mutants-http.sh $(FILES)
