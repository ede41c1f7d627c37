// Error classes of the Docket WebAssembly binding (ESM). Keep in step with errors.cjs.

/**
 * Base class of every error this package throws. `code` is a stable name from the error
 * vocabulary shared with the Rust core and the C library (docs/errors.md); `path` says
 * where the fault is (a JSON pointer into the policy, the argument at fault, or `''`).
 * `options` are those of `Error` (`cause`) plus `path`.
 */
export class DocketError extends Error {
  constructor(code, message, options) {
    super(message, options);
    this.name = 'DocketError';
    this.code = code;
    this.path = options?.path ?? '';
  }
}

/**
 * The policy does not compile: `errors` lists every problem with its JSON path. `code` is
 * `invalid_policy`, `invalid_json` (the text is not JSON) or `limit_exceeded` (over
 * `max_policy_bytes`); `path` defaults to the first error's path.
 */
export class PolicyError extends DocketError {
  constructor(message, errors = [], warnings = [], options) {
    super(options?.code ?? 'invalid_policy', message, { ...options, path: options?.path ?? errors[0]?.path ?? '' });
    this.name = 'PolicyError';
    this.errors = errors;
    this.warnings = warnings;
  }
}

/**
 * An argument has the wrong shape (`invalid_argument`: not an array, a bad `now`, a
 * malformed actor or columnar batch) or is over a limit (`limit_exceeded`: more cases
 * than one call takes). `path` names the argument (`cases`, `now`) or the part of a
 * columnar batch (`columns.amount`, `offsets.paused`).
 */
export class ArgumentError extends DocketError {
  constructor(message, options) {
    super(options?.code ?? 'invalid_argument', message, options);
    this.name = 'ArgumentError';
  }
}

// The smallest module that uses a 128-bit SIMD instruction (i8x16.splat, i8x16.popcnt):
// the package's .wasm is built with SIMD, so a runtime that cannot validate this cannot
// load it either, and gets a clear error instead of a CompileError about an opcode.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/** Throws `DocketError('unsupported_runtime')` unless WebAssembly with SIMD is available. */
export function assertRuntime() {
  if (typeof WebAssembly !== 'object' || !WebAssembly.validate(SIMD_PROBE)) {
    throw new DocketError(
      'unsupported_runtime',
      'docket-wasm needs WebAssembly with 128-bit SIMD (Node >= 16.4, Chrome/Edge 91, Firefox 89, Safari 16.4)',
    );
  }
}

/** Called by the wasm module to build the error it throws. */
export function makeError(kind, code, message, details) {
  const { path } = details;
  if (kind === 'policy') return new PolicyError(message, details.errors, details.warnings, { code, path });
  if (kind === 'argument') return new ArgumentError(message, { code, path });
  return new DocketError(code, message, { path });
}
