#!/usr/bin/env bash
# CI for the C binding. Assumes cbindgen 0.29.4, gcc, valgrind and pkg-config are
# installed (see .ci/run). Ends with "bindings-c: N passed, N failed"; exits non-zero
# on any failure.
#
#   bindings-c/ci.sh                  run everything
#   bindings-c/ci.sh --update-header  regenerate include/docket.h and exit
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CBINDGEN_VERSION="0.29.4"
HEADER="bindings-c/include/docket.h"
REL="$ROOT/target/release"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
POLICY="examples/order-ops.policy.json"
CASES="examples/cases.ndjson"

generate_header() {
  cbindgen --quiet --config bindings-c/cbindgen.toml --crate docket-c --output "$1" bindings-c
}

if [[ "${1:-}" == "--update-header" ]]; then
  generate_header "$HEADER"
  exit $?
fi

passed=0
failed=0
step() { # step NAME COMMAND...
  local name="$1"
  shift
  echo "--- $name"
  if "$@"; then
    passed=$((passed + 1))
    echo "ok: $name"
  else
    failed=$((failed + 1))
    echo "FAILED: $name"
  fi
}

check_cbindgen() {
  local v
  v="$(cbindgen --version 2>/dev/null)"
  [[ "$v" == "cbindgen $CBINDGEN_VERSION" ]] || { echo "need cbindgen $CBINDGEN_VERSION, found: ${v:-none}"; return 1; }
}

header_up_to_date() {
  generate_header "$TMP/docket.h" || return 1
  diff -u "$HEADER" "$TMP/docket.h" || {
    echo "$HEADER is stale: run bindings-c/ci.sh --update-header and commit it"
    return 1
  }
}

CFLAGS=(-std=c11 -Wall -Wextra -Werror -g -Ibindings-c/include -Ibindings-c/tests)
ASAN=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
STATIC=("$REL/libdocket.a" -lpthread -ldl -lm)
SHARED=(-L"$REL" -ldocket -Wl,-rpath,"$REL")

build_tests() {
  for t in test_api test_threads test_conformance; do
    gcc "${CFLAGS[@]}" "${ASAN[@]}" -pthread "bindings-c/tests/$t.c" "${STATIC[@]}" -o "$TMP/$t.asan" || return 1
    gcc "${CFLAGS[@]}" -O1 -pthread "bindings-c/tests/$t.c" "${SHARED[@]}" -o "$TMP/$t.shared" || return 1
  done
}

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
VALGRIND=(env RUST_BACKTRACE=0 valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect)

# The conformance fixtures, if this checkout has them.
CONFORMANCE=()
if [[ -d tests/conformance ]]; then
  CONFORMANCE=(tests/conformance/*.json)
fi

# oms.c built the way README.md tells a C developer: install to a prefix, use pkg-config.
build_example() {
  local prefix="$TMP/prefix"
  install -d "$prefix/lib/pkgconfig" "$prefix/include" &&
    install -m 644 "$REL/libdocket.a" "$prefix/lib/" &&
    install -m 755 "$REL/libdocket.so" "$prefix/lib/" &&
    install -m 644 "$HEADER" "$prefix/include/" &&
    sed "s|^prefix=.*|prefix=$prefix|" bindings-c/docket.pc >"$prefix/lib/pkgconfig/docket.pc" || return 1
  export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
  # Shared library:
  cc -std=c11 -Wall -Wextra -Werror -O2 -o "$TMP/oms" bindings-c/examples/oms.c \
    $(pkg-config --cflags --libs docket) -Wl,-rpath,"$prefix/lib" || return 1
  # Static library:
  cc -std=c11 -Wall -Wextra -Werror -O2 -o "$TMP/oms-static" bindings-c/examples/oms.c \
    $(pkg-config --cflags docket) "$prefix/lib/libdocket.a" $(pkg-config --libs-only-l --static docket | sed 's/-ldocket//') || return 1
  "$TMP/oms" "$POLICY" "$CASES" 1795428000 4 >"$TMP/oms.out" || return 1
  "$TMP/oms-static" "$POLICY" "$CASES" 1795428000 4 | cmp -s - "$TMP/oms.out" || return 1
  cat "$TMP/oms.out"
  # 15 example cases in chunks of 4 lines: 4 chunks; refund_validation holds 4 cases.
  grep -q '^15 cases in 4 chunk(s): 1 unusable, 2 invalid' "$TMP/oms.out" &&
    grep -Eq '^refund_validation +finance_ops +4 +4 ' "$TMP/oms.out"
}

step "cargo build -p docket-c --release" cargo build -p docket-c --release --quiet
step "cbindgen is $CBINDGEN_VERSION" check_cbindgen
step "committed header matches cbindgen output" header_up_to_date
step "compile C tests (gcc, ASan+UBSan/static and plain/shared)" build_tests
step "test_api (ASan+UBSan, libdocket.a)" "$TMP/test_api.asan" "$POLICY" "$CASES"
step "test_threads (ASan+UBSan, libdocket.a)" "$TMP/test_threads.asan" "$POLICY"
step "test_api (valgrind, libdocket.so)" "${VALGRIND[@]}" "$TMP/test_api.shared" "$POLICY" "$CASES"
step "test_threads (valgrind, libdocket.so)" "${VALGRIND[@]}" "$TMP/test_threads.shared" "$POLICY"
if ((${#CONFORMANCE[@]})); then
  step "test_conformance (ASan+UBSan, libdocket.a)" "$TMP/test_conformance.asan" "${CONFORMANCE[@]}"
  step "test_conformance (valgrind, libdocket.so)" "${VALGRIND[@]}" "$TMP/test_conformance.shared" "${CONFORMANCE[@]}"
else
  echo "--- tests/conformance/ not found: conformance fixtures skipped"
fi
step "examples/oms.c via README install + pkg-config" build_example

echo "bindings-c: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
