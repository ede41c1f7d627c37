#!/usr/bin/env bash
# One run, every timing of BENCHMARKS.md's results table: native Rust paths and ZEN (Rust
# crate), the C binding (columnar and JSON), the wasm binding in Node (columnar and
# objects), and the Node peers (json-logic-js, json-rules-engine, @gorules/zen-engine),
# all on the same 10,000 generated cases (seed 42) and checked against Docket's answers
# before timing.
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

# The ratios closest to their goals come from harnesses that run seconds to minutes
# apart above, while the host's speed drifts. So they are measured again in interleaved
# rounds, each path seconds from the one it is compared with:
# - native columnar, C columnar, wasm columnar (refilling), C, native: C within 1.1x and
#   wasm within 2x of the native columnar batch. Native and C are each the lower of their
#   two figures (an average over 40 calls); wasm is its harness's median;
# - `Engine::route`, json-rules-engine, `Engine::route`: routing 1,000x json-rules-engine.
#   The lower of the two `Engine::route` averages (400 calls); json-rules-engine's median.
# (`compare run` above did the same for ZEN: its `zen_round` lines.)
echo "== interleaved rounds: columnar paths; Engine::route and json-rules-engine ==" >&2
ns_of() { sed -n 's/^[a-z]*: \([0-9.]*\) ns\/case$/\1/p'; }
native_ns() { "$here/target/release/compare" profile "$work" columnar 40 2>&1 >/dev/null | ns_of; }
route_ns() { "$here/target/release/compare" profile "$work" route 400 2>&1 >/dev/null | ns_of; }
c_ns() { DOCKET_BENCH_PROFILE=columnar DOCKET_BENCH_CALLS=40 "$work/c-bench" "$policy" "$work" 2>&1 >/dev/null | ns_of; }
median_of() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s.trim().split("\n").pop()).ns_per_case))'; }
lower() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "") print ""; else print (a < b ? a : b) }'; }
for round in 1 2 3 4 5; do
  native="$(native_ns)"
  c="$(c_ns)"
  wasm="$(DOCKET_BENCH_ONLY='into an earlier result' node "$root/bindings-wasm/bench/bench.mjs" "$policy" "$work" 2>/dev/null | median_of)"
  c="$(lower "$c" "$(c_ns)")"
  native="$(lower "$native" "$(native_ns)")"
  route="$(route_ns)"
  jre="$(DOCKET_BENCH_ONLY='json-rules-engine' node "$here/peers.mjs" "$work" 2>/dev/null | median_of)"
  route="$(lower "$route" "$(route_ns)")"
  if [ -z "$native" ] || [ -z "$c" ] || [ -z "$wasm" ] || [ -z "$route" ] || [ -z "$jre" ]; then
    echo "interleaved round $round: a measurement printed no figure (native '$native', C '$c', wasm '$wasm', route '$route', json-rules-engine '$jre')" >&2
    exit 1
  fi
  echo "{\"round\":$round,\"native_columnar\":$native,\"c_columnar\":$c,\"wasm_columnar_into\":$wasm,\"route\":$route,\"json_rules_engine\":$jre}"
done | tee -a "$out"

node "$here/summarize.mjs" "$out" | tee "$work/results.md"
