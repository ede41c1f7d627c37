'use strict';
// Entry point for Node (CommonJS).
const errors = require('./errors.cjs');

errors.assertRuntime(); // before the glue, which compiles the .wasm when required
const glue = require('./pkg/docket_wasm.cjs');

glue.__setErrorFactory(errors.makeError);
errors.guardEngine(glue.Engine);
const diff = errors.guardDiff(glue.Engine, glue.diff);

module.exports = {
  Engine: glue.Engine,
  diff,
  DocketError: errors.DocketError,
  PolicyError: errors.PolicyError,
  ArgumentError: errors.ArgumentError,
};
