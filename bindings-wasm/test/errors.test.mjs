// The error vocabulary (docs/errors.md) as JavaScript sees it: every thrown error has the
// shared `code` and a `path` saying where the fault is; a policy error's `errors` are the
// core's diagnostics and its `path` is the first one's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, DocketError, PolicyError, ArgumentError } from 'docket-wasm';
import { policy, policyText, cases, NOW, thrown } from './helpers.mjs';

// The core's default limits (docket_core::Limits::default()), which `new Engine` uses.
const MAX_POLICY_BYTES = 4 << 20;
const MAX_CASES_PER_CALL = 1_000_000;

/** Asserts `e` is an `ArgumentError` with `code` and `path`. */
function argError(e, code, path) {
  assert.ok(e instanceof ArgumentError && e instanceof DocketError, String(e));
  assert.equal(e.name, 'ArgumentError');
  assert.deepEqual({ code: e.code, path: e.path }, { code, path }, e.message);
}

test('policy text that is not JSON: PolicyError, code invalid_json, path ""', () => {
  const e = thrown(() => new Engine('{"docket": 1,'));
  assert.ok(e instanceof PolicyError && e instanceof DocketError);
  assert.equal(e.code, 'invalid_json');
  assert.equal(e.path, '');
  assert.deepEqual(e.errors.map((d) => [d.code, d.path]), [['invalid_json', '']]);
  assert.deepEqual(e.warnings, []);
});

test('policy text over max_policy_bytes: PolicyError, code limit_exceeded, path ""', () => {
  const padded = policyText.replace(/^\{/, `{"description": "${'x'.repeat(MAX_POLICY_BYTES)}",`);
  assert.ok(padded.length > MAX_POLICY_BYTES);
  const e = thrown(() => new Engine(padded));
  assert.ok(e instanceof PolicyError);
  assert.equal(e.code, 'limit_exceeded');
  assert.equal(e.path, '');
  assert.equal(e.errors[0].code, 'limit_exceeded');
  // The same policy under the limit compiles.
  new Engine(policyText).free();
});

test("a policy error's path is its first diagnostic's path; diagnostics are {code, path, message}", () => {
  const broken = structuredClone(policy);
  broken.routing.rules[0].then.queue = 'no_such_queue';
  broken.calendars.eu_ops.timezone = 'Mars/Olympus_Mons';
  const e = thrown(() => new Engine(broken));
  assert.ok(e instanceof PolicyError);
  assert.equal(e.code, 'invalid_policy');
  assert.ok(e.errors.length >= 2, JSON.stringify(e.errors));
  assert.notEqual(e.errors[0].path, '');
  assert.equal(e.path, e.errors[0].path);
  for (const d of [...e.errors, ...e.warnings]) {
    assert.deepEqual(Object.keys(d), ['code', 'path', 'message']);
    assert.ok(Object.values(d).every((v) => typeof v === 'string'), JSON.stringify(d));
  }
  // The same policy as JSON text: the same diagnostics, the same path.
  const again = thrown(() => new Engine(JSON.stringify(broken)));
  assert.deepEqual(again.errors, e.errors);
  assert.equal(again.path, e.path);
});

test('check() gives warnings in the same {code, path, message} form', () => {
  const engine = new Engine(policy);
  assert.deepEqual(engine.check(), [], 'the example policy has none');
  engine.free();
  // A queue no routing rule names: unused_queue at its pointer, the message the core
  // writes for every binding.
  const spare = structuredClone(policy);
  spare.queues.spare = { owner: 'nobody' };
  const e = new Engine(spare);
  assert.deepEqual(e.check(), [{
    code: 'unused_queue', path: '/queues/spare',
    message: 'no routing rule or default sends a case to `spare`, and it is not invalid_queue',
  }]);
  e.free();
});

test('more cases than max_cases_per_call: ArgumentError, code limit_exceeded, path "cases" (evaluate, report)', () => {
  const engine = new Engine(policy);
  // A sparse array: the count is refused before any case is read.
  const tooMany = new Array(MAX_CASES_PER_CALL + 1);
  argError(thrown(() => engine.evaluate(tooMany, NOW)), 'limit_exceeded', 'cases');
  argError(thrown(() => engine.report(tooMany, NOW)), 'limit_exceeded', 'cases');
  assert.match(thrown(() => engine.evaluate(tooMany, NOW)).message, /1000001 cases in one call; the limit is 1000000/);
  assert.equal(engine.evaluate(cases.slice(0, 1), NOW).length, 1, 'usable after the throw');
  engine.free();
});

test('a columnar batch over max_cases_per_call: ArgumentError, code limit_exceeded, path "length"', () => {
  const engine = new Engine(policy);
  const e = thrown(() => engine.evaluateColumns({ length: MAX_CASES_PER_CALL + 1, strings: [], columns: {} }, NOW));
  argError(e, 'limit_exceeded', 'length');
  // Not a whole number of cases: a malformed argument, not a limit.
  argError(thrown(() => engine.evaluateColumns({ length: 1.5, strings: [], columns: {} }, NOW)), 'invalid_argument', 'length');
  argError(thrown(() => engine.evaluateColumns({ length: -1, strings: [], columns: {} }, NOW)), 'invalid_argument', 'length');
  engine.free();
});

test('other argument errors name the argument', () => {
  const engine = new Engine(policy);
  const [c] = cases;
  argError(thrown(() => new Engine(42)), 'invalid_argument', 'policy');
  argError(thrown(() => engine.evaluate(c, NOW)), 'invalid_argument', 'cases');
  argError(thrown(() => engine.report({}, NOW)), 'invalid_argument', 'cases');
  argError(thrown(() => engine.evaluate([c], 'yesterday')), 'invalid_argument', 'now');
  argError(thrown(() => engine.evaluateCase(c, Infinity)), 'invalid_argument', 'now');
  argError(thrown(() => engine.authorize(c, { roles: [] }, 'approve')), 'invalid_argument', 'actor');
  argError(thrown(() => engine.authorize(c, { id: 'u-1' }, 7)), 'invalid_argument', 'action');
  argError(thrown(() => engine.evaluateColumns(null, NOW)), 'invalid_argument', 'batch');
  engine.free();
});

test('columnar shape errors: code invalid_argument, path naming the part of the batch', () => {
  const engine = new Engine(policy);
  const strings = ['C-1', 'refund'];
  const ok = { length: 1, strings, columns: { id: Int32Array.of(0), kind: Int32Array.of(1) } };
  assert.equal(engine.evaluateColumns(ok, NOW).length, 1);
  const refused = [
    // A column shorter than `length`.
    [{ ...ok, length: 2 }, 'columns.id', /column `id` has 1 entries; `length` is 2/],
    // A string index outside `strings`.
    [{ ...ok, columns: { ...ok.columns, kind: Int32Array.of(7) } }, 'columns.kind', /string index 7 is outside/],
    // An array type no column takes; a key that is not an identifier is quoted.
    [{ ...ok, columns: { ...ok.columns, region: [1] } }, 'columns.region', /column `region` must be/],
    [{ ...ok, columns: { ...ok.columns, 'odd key': 'x' } }, 'columns["odd key"]', /column `odd key` must be/],
    // Offsets of a typed list group: the group's member of `offsets`.
    [{ ...ok, columns: { ...ok.columns, paused_from: new Float64Array(0), paused_to: new Float64Array(0) },
      offsets: { paused: Uint32Array.of(0) } }, 'offsets.paused', /`offsets.paused` has 1 entries; it needs `length` \+ 1 = 2/],
    [{ ...ok, columns: { ...ok.columns, paused_from: new Float64Array(0) } }, 'offsets.paused',
      /column `paused_from` is a list column: its items need `offsets.paused`/],
    [{ ...ok, columns: { ...ok.columns, paused_to: new Float64Array(0) }, offsets: { paused: Uint32Array.of(0, 0) } },
      'columns.paused_to', /list column `paused_to` needs the `paused_from` column too/],
    // The string table, and money scales.
    [{ ...ok, strings: ['C-1', 5] }, 'strings[1]', /`strings\[1\]` is not a string/],
    [{ ...ok, scales: { amount: 2 } }, 'scales.amount', /the batch has no money column `amount`/],
    [{ ...ok, columns: 7 }, 'columns', /`columns` must be an object/],
  ];
  for (const [batch, path, re] of refused) {
    const e = thrown(() => engine.evaluateColumns(batch, NOW));
    argError(e, 'invalid_argument', path);
    assert.match(e.message, re);
  }
  // `into` that does not fit: its own argument.
  const res = engine.evaluateColumns(ok, NOW);
  argError(thrown(() => engine.evaluateColumns({ ...ok, length: 0, columns: {} }, NOW, res)), 'invalid_argument', 'into');
  const { queue, ...noQueue } = res;
  void queue;
  argError(thrown(() => engine.evaluateColumns(ok, NOW, noQueue)), 'invalid_argument', 'into.queue');
  engine.free();
});

test('error classes take a code and a path; defaults keep the old meaning', () => {
  const p = new PolicyError('m', [{ code: 'unknown_queue', path: '/queues', message: 'x' }]);
  assert.deepEqual([p.code, p.path, p.name], ['invalid_policy', '/queues', 'PolicyError']);
  const j = new PolicyError('m', [], [], { code: 'invalid_json', path: '' });
  assert.deepEqual([j.code, j.path], ['invalid_json', '']);
  const a = new ArgumentError('m');
  assert.deepEqual([a.code, a.path, a.name], ['invalid_argument', '', 'ArgumentError']);
  const cause = new Error('why');
  const l = new ArgumentError('m', { code: 'limit_exceeded', path: 'cases', cause });
  assert.deepEqual([l.code, l.path, l.cause], ['limit_exceeded', 'cases', cause]);
  const d = new DocketError('internal', 'm');
  assert.deepEqual([d.code, d.path, d.name], ['internal', '', 'DocketError']);
  assert.ok(!('cause' in a) && !('cause' in p), 'no cause unless given');
});
