#!/usr/bin/env bash
# CI for the WebAssembly binding: build, generate the JS glue with the pinned
# wasm-bindgen CLI, shrink with wasm-opt (npm binaryen), check the committed TypeScript
# declarations against the generated ones, run the Node and headless-Chromium tests,
# print the .wasm size. Ends with `bindings-wasm: N passed, N failed`.
#
# Needs (installed by the top-level .ci/run): the wasm32-unknown-unknown target, the
# wasm-bindgen CLI at exactly the version in Cargo.lock, node >= 20 with npm, and
# Debian's chromium. `DOCKET_UPDATE_TYPES=1 bash bindings-wasm/ci.sh` refreshes the
# committed declarations instead of failing on drift.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$here" || exit 1

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAILED: $*" >&2; }
finish() {
  echo "bindings-wasm: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}
step() { echo; echo "== $* =="; }

# ---- 1. the pinned wasm-bindgen CLI -------------------------------------------------
step "wasm-bindgen version"
lock_v="$(awk '/^name = "wasm-bindgen"$/{getline;gsub(/version = |"/,"");print;exit}' "$root/Cargo.lock")"
pin_v="$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml)"
cli_v="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')"
if [ -n "$lock_v" ] && [ "$lock_v" = "$pin_v" ] && [ "$lock_v" = "$cli_v" ]; then
  ok "wasm-bindgen $cli_v = Cargo.lock = Cargo.toml pin"
else
  bad "wasm-bindgen versions differ: Cargo.lock '$lock_v', Cargo.toml pin '$pin_v', CLI '$cli_v'" \
    "(install: CARGO_PROFILE_DEV_DEBUG=false cargo install --debug wasm-bindgen-cli --version =$lock_v)"
  finish
fi

# ---- 2. build --------------------------------------------------------------------------
# Time zones compiled in: the regex in zones.regex unless CHRONO_TZ_TIMEZONE_FILTER is
# set ('.*' = every zone). Size-oriented release settings apply to this build only.
step "cargo build (wasm32-unknown-unknown)"
export CHRONO_TZ_TIMEZONE_FILTER="${CHRONO_TZ_TIMEZONE_FILTER:-$(tr -d '\n' < zones.regex)}"
echo "time zones: $CHRONO_TZ_TIMEZONE_FILTER"
if CARGO_PROFILE_RELEASE_OPT_LEVEL="${DOCKET_WASM_OPT_LEVEL:-3}" CARGO_PROFILE_RELEASE_LTO=true CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
  CARGO_PROFILE_RELEASE_PANIC=abort \
  cargo build -p docket-wasm --release --target wasm32-unknown-unknown --manifest-path "$root/Cargo.toml"; then
  ok "cargo build"
else
  bad "cargo build"
  finish
fi
target_dir="$(cargo metadata --format-version 1 --no-deps --manifest-path "$root/Cargo.toml" |
  node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).target_directory))')"
raw_wasm="${target_dir:-$root/target}/wasm32-unknown-unknown/release/docket_wasm.wasm"

# ---- 3. JS glue: one .wasm, an ESM glue (web target) and a CommonJS glue (nodejs) -----
step "wasm-bindgen"
tmp="$here/pkg/.gen"
rm -rf "$here/pkg" && mkdir -p "$tmp"
if wasm-bindgen --target web --out-dir "$tmp/web" "$raw_wasm" &&
  wasm-bindgen --target nodejs --out-dir "$tmp/node" "$raw_wasm" &&
  cmp -s "$tmp/web/docket_wasm_bg.wasm" "$tmp/node/docket_wasm_bg.wasm"; then
  cp "$tmp/web/docket_wasm.js" pkg/docket_wasm.js
  cp "$tmp/node/docket_wasm.js" pkg/docket_wasm.cjs
  ok "wasm-bindgen (web + nodejs glue share one .wasm)"
else
  bad "wasm-bindgen (or the web and nodejs targets produced different .wasm files)"
  finish
fi

# ---- 4. npm dependencies (binaryen, playwright-core, typescript) ----------------------
step "npm ci"
if [ -d node_modules/binaryen ] && [ -z "${CI:-}" ]; then
  ok "npm dependencies present"
elif npm ci --no-audit --no-fund --loglevel=error; then
  ok "npm ci"
else
  bad "npm ci"
  finish
fi

# ---- 5. wasm-opt ----------------------------------------------------------------------
wasm_opt_flag="-O${DOCKET_WASM_OPT_LEVEL:-3}"
step "wasm-opt $wasm_opt_flag"
# Functions with one caller are inlined only up to 100 instructions (binaryen's default
# inlines them whatever their size): V8 runs the giant functions that makes about 10%
# slower, and the module is no larger.
if node_modules/.bin/wasm-opt "$wasm_opt_flag" --one-caller-inline-max-function-size 100 \
  --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-reference-types --enable-mutable-globals --enable-multivalue \
  "$tmp/web/docket_wasm_bg.wasm" -o pkg/docket_wasm_bg.wasm; then
  ok "wasm-opt ($(node_modules/.bin/wasm-opt --version))"
else
  bad "wasm-opt"
  finish
fi

# ---- 6. committed TypeScript declarations = generated ones ----------------------------
step "TypeScript declarations drift"
if [ -n "${DOCKET_UPDATE_TYPES:-}" ]; then
  mkdir -p types
  cp "$tmp/node/docket_wasm.d.ts" types/docket_wasm.d.ts
  cp "$tmp/node/docket_wasm.d.ts" types/docket_wasm.d.cts
  sed 's/docket_wasm\.js/docket_wasm.cjs/g' index.d.ts > index.d.cts
  echo "types/docket_wasm.d.ts, types/docket_wasm.d.cts, index.d.cts refreshed"
fi
# types/docket_wasm.d.cts is the same declarations for CommonJS consumers.
if diff -u types/docket_wasm.d.ts "$tmp/node/docket_wasm.d.ts" &&
  diff -u types/docket_wasm.d.cts "$tmp/node/docket_wasm.d.ts" &&
  diff -u index.d.cts <(sed 's/docket_wasm\.js/docket_wasm.cjs/g' index.d.ts); then
  ok "committed declarations match the generated ones"
else
  bad "committed TypeScript declarations drifted from the generated ones" \
    "(regenerate: DOCKET_UPDATE_TYPES=1 bash bindings-wasm/ci.sh, then commit)"
fi
# The web glue declares the same API plus its init functions.
if diff <(sed -n '/^export class Engine/,/^}/p' "$tmp/web/docket_wasm.d.ts") \
  <(sed -n '/^export class Engine/,/^}/p' "$tmp/node/docket_wasm.d.ts") > /dev/null; then
  ok "web and nodejs glue declare the same Engine"
else
  bad "web and nodejs glue declare different Engine classes"
fi
rm -rf "$tmp"

step "tsc (typings are usable from ESM and CommonJS, shapes are not any)"
if node_modules/.bin/tsc -p test/types/tsconfig.json; then
  ok "tsc"
else
  bad "tsc"
fi

# ---- 7. size ------------------------------------------------------------------------
step "size"
raw=$(stat -c %s pkg/docket_wasm_bg.wasm)
gz=$(gzip -9c pkg/docket_wasm_bg.wasm | wc -c)
echo "docket_wasm_bg.wasm: $raw bytes raw, $gz bytes gzipped (gzip -9)"
# The budget: the package with the linter, decision records, clocks v2, diff and reports
# split by fields was 358,583 bytes; QA (the QA keys of a case in every input form,
# `qa` in outcomes, reports and columnar outputs, the HMAC-SHA256 sample) brought it to
# 374,512 bytes and later work to 379,312; the policy compiler's sorts all going through
# one instantiation (core/src/sort.rs) to 372,595: the budget is 365 KB. A larger package fails here.
# (The goal, smaller than 200 KB, is BENCHMARKS.md's.)
if [ "$gz" -lt 373760 ]; then
  ok "size under the 365 KB gzipped budget"
else
  bad "size $gz bytes gzipped is over the 365 KB budget"
fi

rm -rf test-output && mkdir -p test-output

# ---- 8. the packed npm package works from a consumer project (ESM and CommonJS) -------
step "npm pack + install in a consumer project"
consumer="$here/test-output/consumer"
mkdir -p "$consumer"
if tarball="$(npm pack --silent --pack-destination "$here/test-output" 2>/dev/null | tail -1)" &&
  (cd "$consumer" && echo '{"name":"consumer","private":true}' > package.json &&
    npm install --no-audit --no-fund --loglevel=error "$here/test-output/$tarball" &&
    node -e "
      const { Engine, PolicyError } = require('docket-wasm');
      const e = new Engine(require('$root/examples/order-ops.policy.json'));
      const [o] = e.evaluate([{ id: 'C-1', kind: 'refund', amount: '1250.00', order_id: 'O-1', region: 'eu', opened_at: '2026-11-23T08:00:00Z' }], '2026-11-23T09:00:00Z');
      if (o.queue !== 'refund_validation') throw new Error('cjs: ' + JSON.stringify(o));
      try { new Engine('{}'); process.exit(1); } catch (err) { if (!(err instanceof PolicyError)) throw err; }
    " &&
    node --input-type=module -e "
      import { Engine, ArgumentError } from 'docket-wasm';
      import { readFileSync } from 'node:fs';
      const e = new Engine(readFileSync('$root/examples/order-ops.policy.json', 'utf8'));
      const [o] = e.evaluate([{ id: 'C-1', kind: 'refund', amount: '1250.00', order_id: 'O-1', region: 'eu', opened_at: '2026-11-23T08:00:00Z' }], '2026-11-23T09:00:00Z');
      if (o.priority !== 'P1') throw new Error('esm: ' + JSON.stringify(o));
      try { e.evaluate({}); process.exit(1); } catch (err) { if (!(err instanceof ArgumentError)) throw err; }
    "); then
  ok "packed package ($tarball) loads with import and require in a consumer project"
else
  bad "packed package does not work from a consumer project"
fi

# ---- 9. tests (node:test: API, README examples, conformance, headless Chromium) ------
# `npm test` itself (package.json "test": the test/*.test.mjs and test/*.test.cjs files,
# no fixture), so that CI and a developer run the same tests. Its summary is read from
# the TAP (`# pass N`) or spec (`ℹ pass N`) reporter, whichever node picks for a pipe.
step "npm test"
npm test --silent 2>&1 | tee test-output/npm-test.log
test_rc=${PIPESTATUS[0]}
t_pass=$(sed -n 's/^\(# \|ℹ \)pass \([0-9]*\)$/\2/p' test-output/npm-test.log | tail -1)
t_fail=$(sed -n 's/^\(# \|ℹ \)fail \([0-9]*\)$/\2/p' test-output/npm-test.log | tail -1)
passed=$((passed + ${t_pass:-0}))
failed=$((failed + ${t_fail:-0}))
if [ "$test_rc" -ne 0 ] && [ "${t_fail:-0}" -eq 0 ]; then
  bad "npm test exited $test_rc"
fi
if [ "${t_pass:-0}" -eq 0 ]; then
  bad "npm test ran no test"
fi

echo
echo "docket_wasm_bg.wasm: $raw bytes raw, $gz bytes gzipped"
finish
