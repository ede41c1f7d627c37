// Entry point for Node (ESM): loads the .wasm synchronously, no top-level await.
import { readFileSync } from 'node:fs';
import { initSync, Engine, diff as rawDiff, __setErrorFactory } from './pkg/docket_wasm.js';
import { makeError, assertRuntime, guardEngine, guardDiff } from './errors.js';

assertRuntime();
initSync({ module: readFileSync(new URL('./pkg/docket_wasm_bg.wasm', import.meta.url)) });
__setErrorFactory(makeError);
guardEngine(Engine);
const diff = guardDiff(Engine, rawDiff);

export { Engine, diff };
export { DocketError, PolicyError, ArgumentError } from './errors.js';
