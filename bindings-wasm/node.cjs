'use strict';
// Entry point for Node (CommonJS).
const glue = require('./pkg/docket_wasm.cjs');
const errors = require('./errors.cjs');

glue.__setErrorFactory(errors.makeError);

module.exports = {
  Engine: glue.Engine,
  DocketError: errors.DocketError,
  PolicyError: errors.PolicyError,
  ArgumentError: errors.ArgumentError,
};
