'use strict';
// Error classes of the Docket WebAssembly binding (CommonJS). Keep in step with errors.js.

class DocketError extends Error {
  constructor(code, message, options) {
    super(message, options);
    this.name = 'DocketError';
    this.code = code;
  }
}

class PolicyError extends DocketError {
  constructor(message, errors = [], warnings = []) {
    super('invalid_policy', message);
    this.name = 'PolicyError';
    this.errors = errors;
    this.warnings = warnings;
  }
}

class ArgumentError extends DocketError {
  constructor(message) {
    super('invalid_argument', message);
    this.name = 'ArgumentError';
  }
}

function makeError(kind, code, message, details) {
  if (kind === 'policy') return new PolicyError(message, details.errors, details.warnings);
  if (kind === 'argument') return new ArgumentError(message);
  return new DocketError(code, message);
}

module.exports = { DocketError, PolicyError, ArgumentError, makeError };
