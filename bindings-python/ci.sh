#!/usr/bin/env bash
# CI for the Python package. Assumes python3 with pip, maturin, pyarrow, pytest, pandas,
# polars, pyspark and a Java runtime (see .ci/run). Ends with
# "bindings-python: N passed, N failed"; exits non-zero on any failure.
#
# The crate is outside the Cargo workspace (PyO3 and Arrow would lengthen every
# workspace build), so its rustfmt and clippy run here. The wheel is built once, in
# release, by `pip install ./bindings-python` (maturin, the committed Cargo.lock).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MANIFEST=bindings-python/Cargo.toml

passed=0
failed=0
step() { # step NAME COMMAND...
  local name="$1"
  shift
  echo "--- $name"
  local t0=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    echo "ok: $name ($((SECONDS - t0)) s)"
  else
    failed=$((failed + 1))
    echo "FAILED: $name ($((SECONDS - t0)) s)"
  fi
}

step "rustfmt (bindings-python)" cargo fmt --manifest-path "$MANIFEST" -- --check
step "clippy (bindings-python)" cargo clippy --manifest-path "$MANIFEST" --all-targets --locked --quiet -- -D warnings
step "pip install ./bindings-python (maturin, release wheel, abi3)" \
  python3 -m pip install --quiet --no-build-isolation --force-reinstall --no-deps ./bindings-python
step "release docket, gen_cases, native_paths (the Spark oracle and the bench)" \
  cargo build --release --locked --quiet -p docket-cli -p docket-benches --example gen_cases --example native_paths
step "pytest bindings-python/tests" python3 -m pytest -q -p no:cacheprovider -W ignore::FutureWarning bindings-python/tests
step "bench.py runs once (1,000 cases, 2 rounds)" python3 bindings-python/bench.py --cases 1000 --passes 2

echo "bindings-python: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
