#!/usr/bin/env bash
# One run, every figure in BENCHMARKS.md: native Rust paths and ZEN (Rust crate), the C
# binding (columnar and JSON), the wasm binding in Node (columnar and objects), and the
# Node peers (json-logic-js, json-rules-engine, @gorules/zen-engine), all on the same
# 10,000 generated cases (seed 42) and checked against Docket's answers before timing.
# Prints a markdown table (also written to benches/compare/work/results.md) and keeps
# the raw JSON lines in benches/compare/work/results.ndjson.
#
# Needs: cargo, gcc, node >= 20 with npm. The first run builds ZEN (slow: minutes).
# Don't run it next to a big build: the figures are ratios within this one run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$here/work"
mkdir -p "$work"
cd "$here"

echo "== build (compare harness, C library, wasm package) ==" >&2
CARGO_TARGET_DIR="$here/target" cargo build --release --quiet --manifest-path "$here/Cargo.toml"
cargo build -p docket-c --release --quiet --manifest-path "$root/Cargo.toml"
target_dir="$(cargo metadata --format-version 1 --no-deps --manifest-path "$root/Cargo.toml" |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
gcc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -I"$root/bindings-c/include" -o "$work/c-bench" \
  "$root/bindings-c/bench/bench.c" "$target_dir/release/libdocket.a" -lpthread -ldl -lm
if [ ! -f "$root/bindings-wasm/pkg/docket_wasm_bg.wasm" ]; then
  echo "bindings-wasm/pkg missing: build it with bash bindings-wasm/ci.sh" >&2
  exit 1
fi
[ -d node_modules ] || npm install --no-audit --no-fund --silent

echo "== workload ==" >&2
"$here/target/release/compare" gen "$work"

policy="$root/examples/order-ops.policy.json"
out="$work/results.ndjson"
{
  echo "== rust (docket native, zen-engine crate) ==" >&2
  "$here/target/release/compare" run "$work"
  echo "== C binding ==" >&2
  "$work/c-bench" "$policy" "$work"
  echo "== wasm binding (node) ==" >&2
  node "$root/bindings-wasm/bench/bench.mjs" "$policy" "$work"
  echo "== node peers ==" >&2
  node "$here/peers.mjs" "$work"
} | tee "$out"

node "$here/summarize.mjs" "$out" | tee "$work/results.md"
