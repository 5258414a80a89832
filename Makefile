# The Download From Cloud component and its wasmtime host.
#   make setup  add the wasm32-wasip2 target
#   make build  build the component (target/wasm32-wasip2/release/...)
#   make test   unit tests natively, the component in wasmtime end to end,
#               then the same .wasm from Python (wasmtime-py) and Node (jco)
#   make run    run the component once against the console simulator
#   make lint   rustfmt and clippy (-D warnings) for both targets
#   make fuzz   the property-based fuzzers, many more cases (FUZZ_CASES)
#   make soak   the fault soak through wasmtime, 10,000 calls (SOAK_CALLS)
#   make bench  one invocation's cost against native Rust, same run (BENCH_CALLS)

CARGO_TARGET_DIR ?= $(CURDIR)/target
export CARGO_TARGET_DIR
COMPONENT := $(CARGO_TARGET_DIR)/wasm32-wasip2/release/sentinelone_download_from_cloud.wasm
export S1_DFC_COMPONENT := $(COMPONENT)

.PHONY: setup build test test-rust test-python test-node run lint fuzz soak bench

FUZZ_CASES ?= 100000
SOAK_CALLS ?= 10000
BENCH_CALLS ?= 2000

setup:
	@rustup target list --installed | grep -qx wasm32-wasip2 || rustup target add wasm32-wasip2

build: setup
	cargo build --release --target wasm32-wasip2 -p sentinelone-download-from-cloud
	@echo "component: $(COMPONENT)"

test: test-rust test-python test-node

test-rust: build
	cargo test --workspace

# A virtual environment of the project's own; nothing is installed system-wide.
test-python: build
	cd hosts/python && { test -x .venv/bin/python || python3 -m venv .venv; }
	cd hosts/python && .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
	cd hosts/python && .venv/bin/python -m pytest -q

test-node: build
	cd hosts/node && npm ci --no-audit --no-fund --loglevel=error && npm test

run: build
	cargo run --quiet -p s1-dfc-host --bin s1-dfc

lint: setup
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy --release --target wasm32-wasip2 -p sentinelone-download-from-cloud -- -D warnings

fuzz:
	PROPTEST_CASES=$(FUZZ_CASES) cargo test --test properties

soak: build
	SOAK_CALLS=$(SOAK_CALLS) cargo test --test soak -- --nocapture

bench: build
	cargo run --quiet -p s1-dfc-host --bin s1-dfc -- bench $(BENCH_CALLS)
