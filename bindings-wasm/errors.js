// Error classes of the Docket WebAssembly binding (ESM). Keep in step with errors.cjs.

/** Base class of every error this package throws; `code` is stable. */
export class DocketError extends Error {
  constructor(code, message, options) {
    super(message, options);
    this.name = 'DocketError';
    this.code = code;
  }
}

/** The policy does not compile: `errors` lists every problem with its JSON path. */
export class PolicyError extends DocketError {
  constructor(message, errors = [], warnings = []) {
    super('invalid_policy', message);
    this.name = 'PolicyError';
    this.errors = errors;
    this.warnings = warnings;
  }
}

/** An argument has the wrong shape (not an array, a bad `now`, a malformed actor...). */
export class ArgumentError extends DocketError {
  constructor(message) {
    super('invalid_argument', message);
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
  if (kind === 'policy') return new PolicyError(message, details.errors, details.warnings);
  if (kind === 'argument') return new ArgumentError(message);
  return new DocketError(code, message);
}
