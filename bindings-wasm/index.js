// Entry point for browsers (<script type="module">) and bundlers: loads the .wasm
// next to this file (top-level await), then exports the synchronous API.
import init, { Engine, diff as rawDiff, __setErrorFactory } from './pkg/docket_wasm.js';
import { makeError, assertRuntime, guardEngine, guardDiff } from './errors.js';

assertRuntime();
await init({ module_or_path: new URL('./pkg/docket_wasm_bg.wasm', import.meta.url) });
__setErrorFactory(makeError);
guardEngine(Engine);
const diff = guardDiff(Engine, rawDiff);

export { Engine, diff };
export { DocketError, PolicyError, ArgumentError } from './errors.js';
