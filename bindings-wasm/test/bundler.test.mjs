// The package works in a bundler: esbuild bundles an application that imports
// `docket-wasm` by name (browser conditions, ES module output with top-level await); the
// bundle, with the .wasm copied beside it, runs in headless Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { repoRoot, pkgRoot, CHROMIUM, CHROMIUM_FLAGS, freePort, waitForPort } from './helpers.mjs';



test('an esbuild bundle importing docket-wasm by name runs in the browser', {
  skip: existsSync(CHROMIUM) ? false : `no chromium at ${CHROMIUM}`,
  timeout: 120_000,
}, async () => {
  const dir = join(pkgRoot, 'test-output', 'bundle');
  mkdirSync(join(dir, 'pkg'), { recursive: true });
  const result = await build({
    entryPoints: [join(pkgRoot, 'test', 'bundler', 'entry.js')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: join(dir, 'bundle.js'),
    alias: { 'docket-wasm': pkgRoot },
    logLevel: 'silent',
  });
  assert.deepEqual(result.errors, []);
  copyFileSync(join(pkgRoot, 'pkg', 'docket_wasm_bg.wasm'), join(dir, 'pkg', 'docket_wasm_bg.wasm'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><body><script type="module" src="bundle.js"></script></body>\n');
  const port = await freePort();
  const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1'], { cwd: repoRoot, stdio: 'ignore' });
  let browser;
  try {
    await waitForPort(port, 10_000);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    const page = await browser.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`http://127.0.0.1:${port}/bindings-wasm/test-output/bundle/index.html`);
    await page.waitForFunction(() => document.body.dataset.result, null, { timeout: 30_000 });
    const r = JSON.parse(await page.evaluate(() => document.body.dataset.result));
    assert.deepEqual(problems, []);
    // The spec's C-1001: refund_validation, resolution breached; 15 cases in, 15 outcomes out;
    // format version 2 is a PolicyError with code invalid_policy, also through the bundle;
    // the browser entry guards a freed engine as the Node entries do.
    assert.deepEqual(r, { first: { id: 'C-1001', queue: 'refund_validation', resolution: 'breached' }, count: 15,
      policyError: 'invalid_policy', freed: 'invalid_argument engine' });
  } finally {
    await browser?.close();
    server.kill();
  }
});
