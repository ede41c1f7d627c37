// Shared fixtures for the node:test suites: the repository's example policy and cases.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

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
