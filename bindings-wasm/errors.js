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

/** Called by the wasm module to build the error it throws. */
export function makeError(kind, code, message, details) {
  if (kind === 'policy') return new PolicyError(message, details.errors, details.warnings);
  if (kind === 'argument') return new ArgumentError(message);
  return new DocketError(code, message);
}
