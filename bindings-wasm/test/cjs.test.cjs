'use strict';
// The package through its CommonJS condition (require('docket-wasm') -> node.cjs).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { Engine, DocketError, PolicyError, ArgumentError, diff } = require('docket-wasm');

const root = path.join(__dirname, '..', '..');
const policy = JSON.parse(fs.readFileSync(path.join(root, 'examples', 'order-ops.policy.json'), 'utf8'));
const c1001 = fs.readFileSync(path.join(root, 'examples', 'cases.ndjson'), 'utf8')
  .split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((c) => c.id === 'C-1001');

test('require() gives the same engine: C-1001 routes to refund_validation P1, resolution breached', () => {
  const engine = new Engine(policy);
  // cases-and-outcomes.md: 1250.00 EUR refund -> R10 -> P1; 12h45m of an 8h target at now.
  const [o] = engine.evaluate([c1001], '2026-11-23T10:00:00Z');
  assert.equal(o.queue, 'refund_validation');
  assert.equal(o.priority, 'P1');
  assert.equal(o.sla.resolution.state, 'breached');
  assert.equal(o.sla.resolution.elapsed_s, 45900);
  engine.free();
});

test('CommonJS errors are real Error subclasses with code', () => {
  assert.throws(() => new Engine('{}'), (e) => e instanceof PolicyError && e instanceof DocketError
    && e instanceof Error && e.code === 'invalid_policy' && e.errors.length > 0);
  const engine = new Engine(policy);
  assert.throws(() => engine.evaluate({}, 0), (e) => e instanceof ArgumentError && e.code === 'invalid_argument');
  assert.equal(engine.evaluate([c1001], 0).length, 1, 'usable after the throw');
  engine.free();
});

test('CommonJS: options.limits apply, and a freed engine throws a coded ArgumentError', () => {
  const engine = new Engine(policy, { limits: { maxCasesPerCall: 1 } });
  assert.equal(engine.limits.maxCasesPerCall, 1);
  assert.throws(() => engine.evaluate([c1001, c1001], 0),
    (e) => e instanceof ArgumentError && e.code === 'limit_exceeded' && e.path === 'cases');
  engine.free();
  assert.throws(() => engine.evaluate([c1001], 0),
    (e) => e instanceof ArgumentError && e.code === 'invalid_argument' && e.path === 'engine');
  assert.throws(() => engine.queues, (e) => e instanceof ArgumentError && e.path === 'engine');
});

test('require() gives diff too: a policy against itself changes no case', () => {
  const engine = new Engine(policy);
  const d = diff(engine, engine, [c1001], '2026-11-23T10:00:00Z');
  assert.deepEqual([d.summary.cases, d.summary.changed, d.changed.length], [1, 0, 0]);
  assert.throws(() => diff(engine, null, [c1001]), (e) => e instanceof ArgumentError && e.path === 'newEngine');
  engine.free();
});
