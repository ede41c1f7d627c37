'use strict';
// Error classes of the Docket WebAssembly binding (CommonJS). Keep in step with errors.js.

class DocketError extends Error {
  constructor(code, message, options) {
    super(message, options);
    this.name = 'DocketError';
    this.code = code;
    this.path = options?.path ?? '';
  }
}

class PolicyError extends DocketError {
  constructor(message, errors = [], warnings = [], options) {
    super(options?.code ?? 'invalid_policy', message, { ...options, path: options?.path ?? errors[0]?.path ?? '' });
    this.name = 'PolicyError';
    this.errors = errors;
    this.warnings = warnings;
  }
}

class ArgumentError extends DocketError {
  constructor(message, options) {
    super(options?.code ?? 'invalid_argument', message, options);
    this.name = 'ArgumentError';
  }
}

const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

function assertRuntime() {
  if (typeof WebAssembly !== 'object' || !WebAssembly.validate(SIMD_PROBE)) {
    throw new DocketError(
      'unsupported_runtime',
      'docket-wasm needs WebAssembly with 128-bit SIMD (Node >= 16.4, Chrome/Edge 91, Firefox 89, Safari 16.4)',
    );
  }
}

function makeError(kind, code, message, details) {
  const { path } = details;
  if (kind === 'policy') return new PolicyError(message, details.errors, details.warnings, { code, path });
  if (kind === 'argument') return new ArgumentError(message, { code, path });
  return new DocketError(code, message, { path });
}

module.exports = { DocketError, PolicyError, ArgumentError, makeError, assertRuntime };
