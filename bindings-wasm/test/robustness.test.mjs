// Random values of every JS kind as cases, actors, `now` and columnar batches: the
// module answers with outcomes or typed errors, never a wasm trap, and stays usable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, DocketError } from 'docket-wasm';
import { policy, cases, NOW } from './helpers.mjs';

// Small deterministic PRNG (mulberry32) so a failure replays.
function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['id', 'kind', 'opened_at', 'response_at', 'resolution_at', 'amount', 'currency', 'paused',
  'approvals', 'evidence', 'requested_by', 'fraud_score', 'split_shipment', 'region', 'promised_at', 'zz'];

function value(r, depth = 0) {
  const pick = Math.floor(r() * 14);
  switch (pick) {
    case 0: return null;
    case 1: return undefined;
    case 2: return r() < 0.5;
    case 3: return Math.floor(r() * 2000) - 500;
    case 4: return [NaN, Infinity, -0, 1e308, 0.1][Math.floor(r() * 5)];
    case 5: return ['refund', 'eu', 'EUR', '1250.00', '', 'x'.repeat(5000), '\u{1F600}', 'P1'][Math.floor(r() * 8)];
    case 6: return ['2026-11-23T08:00:00Z', '2026-02-30T00:00:00Z', '9999-12-31T23:59:59Z', '0001-01-01T00:00:00Z'][Math.floor(r() * 4)];
    case 7: return BigInt(Math.floor(r() * 1e6));
    case 8: return depth > 2 ? 1 : Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
    case 9: return depth > 2 ? 1 : obj(r, depth + 1);
    case 10: return new Date(Math.floor(r() * 2e12));
    case 11: return new Uint8Array(3);
    case 12: return { from: '2026-11-23T08:00:00Z', to: value(r, 3) };
    default: return Symbol('s');
  }
}

function obj(r, depth = 0) {
  const o = {};
  for (const k of KEYS) if (r() < 0.5) o[k] = value(r, depth);
  return o;
}

test('random cases never trap the module', () => {
  const engine = new Engine(policy);
  const r = rng(20261123);
  for (let round = 0; round < 200; round++) {
    const batch = Array.from({ length: 5 }, () => (r() < 0.8 ? { ...cases[Math.floor(r() * cases.length)], ...obj(r) } : value(r)));
    let outs;
    try {
      outs = engine.evaluate(batch, NOW);
    } catch (e) {
      assert.fail(`round ${round}: evaluate threw ${e}`);
    }
    assert.equal(outs.length, batch.length);
    for (const o of outs) assert.ok(o.error || o.queue !== undefined, JSON.stringify(o));
    engine.report(batch, NOW);
    try {
      engine.authorize(batch[0], value(r), value(r));
    } catch (e) {
      assert.ok(e instanceof DocketError, `round ${round}: authorize threw ${e}`);
    }
    try {
      engine.evaluate([cases[0]], value(r));
    } catch (e) {
      assert.ok(e instanceof DocketError, `round ${round}: now threw ${e}`);
    }
  }
  // Still decides C-1001 as the spec says.
  assert.equal(engine.evaluate([cases[0]], NOW)[0].sla.resolution.state, 'breached');
  engine.free();
});

test('random columnar batches give results or ArgumentError, never a trap', () => {
  const engine = new Engine(policy);
  const r = rng(7);
  const strings = ['C-1', 'refund', '2026-11-23T08:00:00Z', '[', '[]', '{"a":1}', '12.5', 'eu'];
  for (let round = 0; round < 200; round++) {
    const length = Math.floor(r() * 6);
    const columns = {};
    for (const k of KEYS) {
      if (r() < 0.4) continue;
      const n = length + (r() < 0.05 ? -1 : 0);
      const kind = Math.floor(r() * 3);
      columns[k] = kind === 0
        ? Int32Array.from({ length: Math.max(n, 0) }, () => Math.floor(r() * (strings.length + 2)) - 1 - (r() < 0.02 ? 5 : 0))
        : kind === 1
          ? Float64Array.from({ length: Math.max(n, 0) }, () => [NaN, 1.8e9, -1e13, 1e300, 2.5, 0][Math.floor(r() * 6)])
          : Uint8Array.from({ length: Math.max(n, 0) }, () => Math.floor(r() * 3) * 127);
    }
    try {
      const res = engine.evaluateColumns({ length, strings, columns }, NOW);
      assert.equal(res.length, length);
    } catch (e) {
      assert.ok(e instanceof DocketError && e.code === 'invalid_argument', `round ${round}: ${e}`);
    }
  }
  assert.equal(engine.evaluate([cases[0]], NOW)[0].queue, 'refund_validation');
  engine.free();
});
