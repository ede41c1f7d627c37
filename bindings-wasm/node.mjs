// Entry point for Node (ESM): loads the .wasm synchronously, no top-level await.
import { readFileSync } from 'node:fs';
import { initSync, Engine, __setErrorFactory } from './pkg/docket_wasm.js';
import { makeError, assertRuntime, guardEngine } from './errors.js';

assertRuntime();
initSync({ module: readFileSync(new URL('./pkg/docket_wasm_bg.wasm', import.meta.url)) });
__setErrorFactory(makeError);
guardEngine(Engine);

export { Engine };
export { DocketError, PolicyError, ArgumentError } from './errors.js';
