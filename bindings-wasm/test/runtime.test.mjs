// The package's .wasm is built with 128-bit SIMD (.cargo/config.toml). Every entry point
// checks the runtime for it before compiling the module, so a runtime without SIMD gets
// a DocketError with a stable code instead of a CompileError about an unknown opcode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { assertRuntime } from '../errors.js';
import { DocketError } from 'docket-wasm';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const require = createRequire(import.meta.url);

// Runs `f` with WebAssembly.validate answering false, as on a runtime without SIMD.
async function withoutSimd(f) {
  const validate = WebAssembly.validate;
  WebAssembly.validate = () => false;
  try {
    return await f();
  } finally {
    WebAssembly.validate = validate;
  }
}

const refused = (e) => e instanceof Error && e.name === 'DocketError' && e.code === 'unsupported_runtime'
  && /SIMD/.test(e.message);

test('the shipped .wasm declares SIMD (wasm-opt reads its target features)', () => {
  const features = execFileSync(here('../node_modules/.bin/wasm-opt'),
    [here('../pkg/docket_wasm_bg.wasm'), '--print-features'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  assert.match(features, /^--enable-simd$/m);
});

test('this Node has SIMD: the runtime check passes', () => {
  assert.doesNotThrow(() => assertRuntime());
});

test('without SIMD the check throws unsupported_runtime (ESM and CommonJS errors)', async () => {
  await withoutSimd(() => {
    assert.throws(() => assertRuntime(), (e) => refused(e) && e instanceof DocketError);
    assert.throws(() => require('../errors.cjs').assertRuntime(), refused);
  });
});

test('without SIMD every entry point refuses to load, with the clear error', async () => {
  await withoutSimd(async () => {
    // A fresh instance of each module (query string / emptied require cache).
    await assert.rejects(import(`../node.mjs?nosimd=${Date.now()}`), refused);
    await assert.rejects(import(`../index.js?nosimd=${Date.now()}`), refused);
    const entry = require.resolve('../node.cjs');
    const glue = require.resolve('../pkg/docket_wasm.cjs');
    delete require.cache[entry];
    delete require.cache[glue];
    assert.throws(() => require('../node.cjs'), refused);
    assert.equal(require.cache[glue], undefined, 'the glue (which compiles the .wasm) was not loaded');
  });
});
