// Shared fixtures for the node:test suites: the repository's example policy and cases.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createServer, connect } from 'node:net';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const pkgRoot = fileURLToPath(new URL('../', import.meta.url));
export const policyText = readFileSync(new URL('../../examples/order-ops.policy.json', import.meta.url), 'utf8');
export const policy = JSON.parse(policyText);
export const cases = readFileSync(new URL('../../examples/cases.ndjson', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l));
export const NOW = '2026-11-23T10:00:00Z';
export const byId = (outcomes) => Object.fromEntries(outcomes.map((o) => [o.id, o]));

/** Flags for Debian's chromium in this sandbox (see TOOLING.md). */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Waits until something listens on 127.0.0.1:port. */
export async function waitForPort(port, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const up = await new Promise((resolve) => {
      const c = connect(port, '127.0.0.1', () => { c.end(); resolve(true); });
      c.once('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`http.server did not listen on ${port}`);
}

/** A string table for columnar batches: `ref(s)` interns `s` and returns its index. */
export function stringTable() {
  const strings = [];
  const index = new Map();
  const ref = (s) => {
    if (!index.has(s)) { index.set(s, strings.length); strings.push(s); }
    return index.get(s);
  };
  return { strings, ref };
}

const LIST_KEYS = new Set(['paused', 'waiting', 'approvals', 'evidence']);

/**
 * The typed array of key `k` of case objects (`vals`, one per case): lists as JSON text,
 * timestamps (`*_at`) as epoch seconds, numbers as a Float64Array (NaN = absent), bools as
 * a Uint8Array (255 = absent), anything else as string indexes (-1 = absent).
 */
export function scalarColumn(k, vals, ref) {
  const sample = vals.find((v) => v != null);
  if (LIST_KEYS.has(k)) return Int32Array.from(vals, (v) => (v == null ? -1 : ref(JSON.stringify(v))));
  if (k.endsWith('_at') && vals.every((v) => v == null || !Number.isNaN(Date.parse(v)))) {
    return Float64Array.from(vals, (v) => (v == null ? NaN : Date.parse(v) / 1000));
  }
  if (typeof sample === 'number') return Float64Array.from(vals, (v) => (typeof v === 'number' ? v : NaN));
  if (typeof sample === 'boolean') return Uint8Array.from(vals, (v) => (v === true ? 1 : v === false ? 0 : 255));
  return Int32Array.from(vals, (v) => (typeof v === 'string' ? ref(v) : -1));
}

/** Runs `f`, which must throw, and returns what it threw. */
export function thrown(f) {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}
