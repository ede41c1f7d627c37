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
