// The shared conformance fixtures (tests/conformance/*.json, format in its README) run
// through the JS API: evaluate (one batch), report, check (the compile warnings) and
// authorize, subset-matched; the
// failures of errors.json through the Engine constructor, comparing the thrown error's
// code, path and first diagnostic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { Engine, PolicyError } from 'docket-wasm';

const dir = new URL('../../tests/conformance/', import.meta.url);

/** Subset matching as tests/conformance/README.md defines it; returns a mismatch or null. */
export function mismatch(expected, actual, path = '') {
  if (expected === null) return actual === null || actual === undefined ? null : `${path}: expected null, got ${JSON.stringify(actual)}`;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      return `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
    }
    for (let i = 0; i < expected.length; i++) {
      const m = mismatch(expected[i], actual[i], `${path}/${i}`);
      if (m) return m;
    }
    return null;
  }
  if (typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      return `${path}: expected an object, got ${JSON.stringify(actual)}`;
    }
    for (const [k, v] of Object.entries(expected)) {
      const m = mismatch(v, actual[k], `${path}/${k}`);
      if (m) return m;
    }
    return null;
  }
  if (typeof expected === 'number') {
    return typeof actual === 'number' && actual === expected ? null : `${path}: expected ${expected}, got ${JSON.stringify(actual)}`;
  }
  return expected === actual ? null : `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}

const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];

test('the conformance folder exists and holds fixtures', () => {
  assert.ok(files.length > 0, 'tests/conformance/*.json not found');
});

test('the failures fixture exists', () => {
  assert.ok(files.includes('errors.json'), 'tests/conformance/errors.json not found');
});

/** The error `new Engine(policy)` throws, or null if it compiles. */
function compileError(policy) {
  try {
    new Engine(policy).free();
    return null;
  } catch (e) {
    return e;
  }
}

/** A fixture of failures: `policy_text` as a string, `policy` as an object and as its text. */
async function runFailures(t, fx) {
  for (const [i, f] of fx.failures.entries()) {
    const hasText = Object.hasOwn(f, 'policy_text');
    assert.ok(hasText !== Object.hasOwn(f, 'policy'), `failure #${i}: give exactly one of policy_text and policy`);
    const inputs = hasText ? [['text', f.policy_text]] : [['object', f.policy], ['text', JSON.stringify(f.policy)]];
    for (const [form, policy] of inputs) {
      await t.test(`failure #${i} (policy as ${form}): ${f.why}`, () => {
        const e = compileError(policy);
        assert.ok(e !== null, `compiled\nwhy: ${f.why}`);
        assert.ok(e instanceof PolicyError, `not a PolicyError: ${e}\nwhy: ${f.why}`);
        const actual = { code: e.code, path: e.path };
        const expected = { code: f.expect.code, path: f.expect.path };
        if (Object.hasOwn(f.expect, 'first_diagnostic')) {
          actual.first_diagnostic = e.errors[0]?.code ?? null;
          expected.first_diagnostic = f.expect.first_diagnostic;
        }
        assert.deepEqual(actual, expected, `${e.message}\nwhy: ${f.why}`);
      });
    }
  }
}

for (const file of files) {
  const fx = JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
  if (fx.failures) {
    test(`conformance ${file}: ${fx.name}`, (t) => runFailures(t, fx));
    continue;
  }
  test(`conformance ${file}: ${fx.name}`, async (t) => {
    const engine = new Engine(fx.policy);
    const outcomes = engine.evaluate(fx.cases, fx.now);
    assert.equal(outcomes.length, fx.cases.length);
    const byId = new Map(outcomes.map((o) => [o.id, o]));
    for (const [i, e] of (fx.expect ?? []).entries()) {
      await t.test(`${e.case} #${i}: ${e.why ?? ''}`, () => {
        assert.ok(byId.has(e.case), `no outcome for ${e.case}`);
        const m = mismatch(e.outcome, byId.get(e.case));
        assert.equal(m, null, `${e.case}${m}\nwhy: ${e.why}`);
      });
    }
    if (fx.report) {
      await t.test(`report: ${fx.report.why ?? ''}`, () => {
        const m = mismatch(fx.report.expect, engine.report(fx.cases, fx.now, fx.report.by, fx.report.flow));
        assert.equal(m, null, `report${m}\nwhy: ${fx.report.why}`);
      });
    }
    if (fx.warnings) {
      await t.test(`warnings: ${fx.warnings.why ?? ''}`, () => {
        const m = mismatch(fx.warnings.expect, engine.check());
        assert.equal(m, null, `warnings${m}\nwhy: ${fx.warnings.why}`);
      });
    }
    for (const [i, a] of (fx.authorize ?? []).entries()) {
      await t.test(`authorize #${i} ${a.case} ${a.action}: ${a.why ?? ''}`, () => {
        const c = fx.cases.find((x) => x.id === a.case);
        assert.ok(c, `no case ${a.case}`);
        // An entry's own `now`, else the fixture's.
        const m = mismatch(a.expect, engine.authorize(c, a.actor, a.action, a.now ?? fx.now));
        assert.equal(m, null, `authorize${m}\nwhy: ${a.why}`);
      });
    }
    engine.free();
  });
}
