// Values no JSON text can carry, from JavaScript: strings that are not valid Unicode
// (lone UTF-16 surrogates), circular and very deep objects, keys named `__proto__`, and
// calls on a freed engine. Each is a coded DocketError or a case's own error, never a
// replaced character, a lost key or a wasm trap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, PolicyError, ArgumentError, DocketError } from 'docket-wasm';
import { policy, policyText, cases, NOW, thrown } from './helpers.mjs';

const c1001 = cases.find((c) => c.id === 'C-1001');
const LONE = '\uD800'; // a high surrogate with no low one after it
const LONE_LOW = '\uDC01';
const REPLACEMENT = '\uFFFD'; // a real U+FFFD: valid Unicode

function argError(e, code, path) {
  assert.ok(e instanceof ArgumentError && e instanceof DocketError, String(e));
  assert.deepEqual({ code: e.code, path: e.path }, { code, path }, e.message);
}

test('a bad record is only its own error, with its line (its position in the batch); later records are decided', () => {
  const engine = new Engine(policy, { limits: { maxCaseBytes: 1000 } });
  const text = JSON.stringify(c1001);
  const batch = [
    text,
    text.replace('agent-17', 'agent-\u0000'), // a raw NUL inside a JSON string: not JSON
    '{"id": "C-2",', // cut short
    42, // not an object
    [c1001], // not an object either
    JSON.stringify({ ...c1001, note: 'x'.repeat(1000) }), // over maxCaseBytes
    { ...c1001, note: 'x'.repeat(1000) }, // the same as an object
    c1001,
  ];
  const outs = engine.evaluate(batch, NOW);
  assert.deepEqual(outs.map((o) => [o.error?.code ?? o.queue, o.line]), [
    ['refund_validation', undefined],
    ['bad_json', 2],
    ['bad_json', 3],
    ['not_an_object', 4],
    ['not_an_object', 5],
    ['too_large', 6],
    ['too_large', 7],
    ['refund_validation', undefined],
  ]);
  assert.equal(outs[7].sla.resolution.state, 'breached');
  const report = engine.report(batch, NOW);
  assert.deepEqual([report.cases, report.errors], [8, 6]);
  // One case on its own has no position.
  assert.equal(engine.evaluateCase(42, NOW).line, undefined);
  engine.free();
});

test('a case holding a lone surrogate is that case\'s bad_json; a real U+FFFD is text like any other', () => {
  const engine = new Engine(policy);
  const outs = engine.evaluate([
    { ...c1001, requested_by: `agent-${LONE}` },
    { ...c1001, id: `C-${LONE_LOW}1` },
    { ...c1001, [`note${LONE}`]: 1 }, // even in a key the policy does not use
    { ...c1001, approvals: [{ role: 'ops_manager', by: `u-${LONE}`, at: '2026-11-20T11:00:00Z' }] },
    JSON.stringify(c1001).replace('agent-17', `agent-${LONE}`), // JSON text
    { ...c1001, requested_by: `agent-${REPLACEMENT}` },
    c1001,
  ], NOW);
  assert.deepEqual(outs.map((o) => o.error?.code ?? o.queue), ['bad_json', 'bad_json', 'bad_json', 'bad_json',
    'bad_json', 'refund_validation', 'refund_validation']);
  assert.deepEqual(outs[5].approvals.barred, [`agent-${REPLACEMENT}`, 'u-7']);
  const report = engine.report([{ ...c1001, requested_by: LONE }, c1001], NOW);
  assert.equal(report.errors, 1);
  engine.free();
});

test('two actor ids that differ only in lone surrogates are never taken for one (no false separation_of_duties)', () => {
  const engine = new Engine(policy);
  // The requester `agent-\uD800` and the actor `agent-\uD801` are different people; as
  // U+FFFD both would read `agent-\uFFFD` and the actor would be barred as the requester.
  // Neither is read so: the actor is refused, and the case is unusable.
  const requested = { ...c1001, requested_by: `agent-${'\uD800'}`, approvals: [] };
  argError(thrown(() => engine.authorize(requested, { id: `agent-${'\uD801'}`, roles: ['ops_manager'] }, 'cancel')),
    'invalid_argument', 'actor.id');
  const d = engine.authorize(requested, { id: 'u-9', roles: ['ops_manager'] }, 'cancel');
  assert.equal(d.allowed, false);
  assert.ok(!d.reasons.some((r) => r.code === 'separation_of_duties'), JSON.stringify(d));
  assert.equal(engine.evaluateCase(requested, NOW).error.code, 'bad_json');
  // The actor: an ArgumentError naming the string at fault.
  const sound = { ...c1001, approvals: [] };
  argError(thrown(() => engine.authorize(sound, { id: `u-${LONE}`, roles: ['ops_manager'] }, 'cancel')),
    'invalid_argument', 'actor.id');
  argError(thrown(() => engine.authorize(sound, { id: 'u-9', roles: ['team_lead', `ops_${LONE_LOW}`] }, 'cancel')),
    'invalid_argument', 'actor.roles[1]');
  argError(thrown(() => engine.authorize(sound, { id: 'u-9', roles: [] }, `cancel${LONE}`)), 'invalid_argument', 'action');
  // A real U+FFFD is an ordinary id: agent-17 requested C-1001, agent-\uFFFD did not.
  const ok = engine.authorize(sound, { id: `agent-${REPLACEMENT}`, roles: ['ops_manager'] }, 'cancel');
  assert.equal(ok.allowed, true, JSON.stringify(ok));
  engine.free();
});

test('a lone surrogate in a policy or a columnar string table is an ArgumentError naming it', () => {
  const broken = structuredClone(policy);
  broken.queues.refund_validation.owner = `finance${LONE}`;
  argError(thrown(() => new Engine(broken)), 'invalid_argument', 'policy.queues.refund_validation.owner');
  const key = JSON.parse(policyText);
  key.roles[`x${LONE}`] = {};
  argError(thrown(() => new Engine(key)), 'invalid_argument', 'policy.roles');
  argError(thrown(() => new Engine(policyText.replace('"finance_ops"', `"finance${LONE}"`))), 'invalid_argument', 'policy');
  // A real U+FFFD compiles.
  const fine = structuredClone(policy);
  fine.queues.refund_validation.owner = `finance${REPLACEMENT}`;
  new Engine(fine).free();

  const engine = new Engine(policy);
  const batch = { length: 1, strings: ['C-1', 'refund', `x${LONE}`], columns: { id: Int32Array.of(0), kind: Int32Array.of(1) } };
  argError(thrown(() => engine.evaluateColumns(batch, NOW)), 'invalid_argument', 'strings[2]');
  batch.strings[2] = `x${REPLACEMENT}`;
  assert.equal(engine.evaluateColumns(batch, NOW).length, 1);
  engine.free();
});

test('a circular policy object is an ArgumentError at the path that closes the circle; shared objects are fine', () => {
  const top = structuredClone(policy);
  top.self = top;
  argError(thrown(() => new Engine(top)), 'invalid_argument', 'policy.self');
  const nested = structuredClone(policy);
  nested.routing.rules[2].when.loop = nested.routing;
  const e = thrown(() => new Engine(nested));
  argError(e, 'invalid_argument', 'policy.routing.rules[2].when.loop');
  assert.match(e.message, /circular/);
  const list = structuredClone(policy);
  list.controls.push(list.controls);
  argError(thrown(() => new Engine(list)), 'invalid_argument', `policy.controls[${list.controls.length - 1}]`);
  // The same object twice, not inside itself: no cycle.
  const shared = structuredClone(policy);
  const week = shared.calendars.us_ops.week;
  shared.calendars.us_ops2 = { timezone: 'America/New_York', week };
  new Engine(shared).free();
  // Values JSON cannot hold are refused where they are.
  argError(thrown(() => new Engine({ ...policy, name: Symbol('x') })), 'invalid_argument', 'policy.name');
});

test('a policy object nested deeper than 127 levels (as its JSON text may) is a PolicyError limit_exceeded, whatever its depth', () => {
  const deep = (n, leaf = 1) => {
    let v = leaf;
    for (let i = 0; i < n; i++) v = { a: v };
    return v;
  };
  const e = thrown(() => new Engine({ ...policy, description: deep(100_000) }));
  assert.ok(e instanceof PolicyError, String(e));
  assert.equal(e.code, 'limit_exceeded');
  assert.equal(e.path, `/description${'/a'.repeat(126)}`);
  assert.match(e.message, /deeper than 127 levels/);
  let arr = [];
  for (let i = 0; i < 100_000; i++) arr = [arr];
  const a = thrown(() => new Engine({ ...policy, description: arr }));
  assert.ok(a instanceof PolicyError && a.code === 'limit_exceeded', String(a));
  // 127 levels in all (the policy and 126 objects in `description`) are read, as from
  // JSON text; one more is refused, as JSON text is (there `invalid_json`).
  new Engine({ ...policy, description: deep(126) }).free();
  new Engine(JSON.stringify({ ...policy, description: deep(126) })).free();
  const over = thrown(() => new Engine({ ...policy, description: deep(127) }));
  assert.equal(over.code, 'limit_exceeded', over.message);
  assert.equal(thrown(() => new Engine(JSON.stringify({ ...policy, description: deep(127) }))).code, 'invalid_json');
  // The module is intact.
  const engine = new Engine(policy);
  assert.equal(engine.evaluate([c1001], NOW)[0].queue, 'refund_validation');
  engine.free();
});

test('circular and very deep case objects are too_large; the rest of the batch is decided', () => {
  const engine = new Engine(policy);
  const loop = { ...c1001 };
  loop.extra = { back: loop };
  const listLoop = { ...c1001, approvals: [] };
  listLoop.approvals.push(listLoop.approvals);
  let deep = {};
  for (let i = 0; i < 100_000; i++) deep = { a: deep };
  const outs = engine.evaluate([loop, listLoop, { ...c1001, extra: deep }, c1001], NOW);
  assert.deepEqual(outs.map((o) => o.error?.code ?? o.queue), ['too_large', 'too_large', 'too_large', 'refund_validation']);
  assert.equal(engine.evaluateCase(loop, NOW).error.code, 'too_large');
  engine.free();
});

test('a queue, band or metric named __proto__ is an own key of every output', () => {
  const text = JSON.stringify({
    docket: 1, name: 'proto', version: '1', currency: 'EUR',
    fields: { kind: { type: 'enum', values: ['refund', 'other'] } },
    queues: { other: { owner: 'ops' } },
    routing: { hit: 'first', rules: [
      { id: 'R1', when: { kind: 'refund' }, then: { queue: 'PROTO', priority: 'P1' } },
      { id: 'R2', when: {}, then: { queue: 'other', priority: 'P2' } },
    ] },
    calendars: { always: { timezone: 'UTC', week: '24x7' } },
    sla: {
      metrics: ['PROTO', 'resolution'],
      bands: { clock: 'calendar', limits: [{ name: 'PROTO', under: '4h' }, { name: 'old' }] },
      targets: { hit: 'first', rules: [{ id: 'S1', when: {}, then: { calendar: 'always', PROTO: '1h', resolution: '8h' } }] },
    },
  }).replaceAll('PROTO', '__proto__').replace('"queues":{', '"queues":{"__proto__":{"owner":"ops"},');
  const asObject = JSON.parse(text);
  assert.ok(Object.hasOwn(asObject.queues, '__proto__'));
  for (const p of [text, asObject]) {
    const engine = new Engine(p);
    assert.deepEqual(engine.queues, ['__proto__', 'other']);
    assert.deepEqual(engine.metrics, ['__proto__', 'resolution']);
    const c = { id: 'C-1', kind: 'refund', opened_at: '2026-11-23T08:00:00Z' };
    const [o] = engine.evaluate([c], NOW);
    assert.equal(o.queue, '__proto__');
    assert.equal(o.band, '__proto__'); // 2h old, under 4h
    assert.deepEqual(Object.keys(o.sla), ['__proto__', 'resolution']);
    assert.equal(Object.getPrototypeOf(o.sla), Object.prototype);
    assert.equal(o.sla.__proto__.target_s, 3600);
    assert.equal(o.sla.__proto__.state, 'breached');
    assert.deepEqual(engine.evaluateCase(c, NOW), o);
    const r = engine.report([c, { ...c, id: 'C-2', kind: 'other' }], NOW);
    assert.deepEqual(Object.keys(r.queues), ['__proto__', 'other']);
    assert.equal(Object.getPrototypeOf(r.queues), Object.prototype);
    assert.equal(r.queues.__proto__.open, 1);
    assert.ok(Object.hasOwn(r.queues.__proto__.bands, '__proto__'), JSON.stringify(r.queues.__proto__));
    assert.equal(r.queues.__proto__.bands.__proto__, 1);
    // The columnar result: `sla.__proto__` holds the metric's arrays, and `into` refills them.
    const batch = { length: 1, strings: ['C-1', 'refund'], columns: {
      id: Int32Array.of(0), kind: Int32Array.of(1), opened_at: Float64Array.of(Date.parse(c.opened_at) / 1000) } };
    const col = engine.evaluateColumns(batch, NOW);
    assert.deepEqual(Object.keys(col.sla), ['__proto__', 'resolution']);
    assert.ok(col.sla.__proto__.target instanceof Float64Array);
    assert.equal(col.sla.__proto__.target[0], 3600);
    assert.equal(col.names.queues[col.queue[0]], '__proto__');
    const target = col.sla.__proto__.target;
    target[0] = 0;
    assert.equal(engine.evaluateColumns(batch, NOW, col), col);
    assert.equal(target[0], 3600);
    engine.free();
  }
});

test('a freed engine throws an ArgumentError (code invalid_argument, path engine) from every method and getter', () => {
  const engine = new Engine(policy);
  engine.free();
  const calls = {
    evaluate: () => engine.evaluate([c1001], NOW),
    evaluateCase: () => engine.evaluateCase(c1001, NOW),
    report: () => engine.report([c1001], NOW),
    authorize: () => engine.authorize(c1001, { id: 'u-1' }, 'approve'),
    check: () => engine.check(),
    evaluateColumns: () => engine.evaluateColumns({ length: 0, strings: [], columns: {} }, NOW),
    name: () => engine.name,
    version: () => engine.version,
    fingerprint: () => engine.fingerprint,
    queues: () => engine.queues,
    priorities: () => engine.priorities,
    bands: () => engine.bands,
    metrics: () => engine.metrics,
    limits: () => engine.limits,
  };
  for (const [name, call] of Object.entries(calls)) {
    const e = thrown(call);
    argError(e, 'invalid_argument', 'engine');
    assert.match(e.message, /freed/, name);
  }
  // Freeing again is a no-op, as is disposing.
  engine.free();
  engine[Symbol.dispose]?.();
  // A `this` that is no engine is refused the same way.
  argError(thrown(() => Engine.prototype.evaluate.call({}, [c1001], NOW)), 'invalid_argument', 'engine');
  argError(thrown(() => Engine.prototype.free.call({ __wbg_ptr: 'x' })), 'invalid_argument', 'engine');
  // The module is fine.
  const again = new Engine(policy);
  assert.equal(again.evaluate([c1001], NOW)[0].queue, 'refund_validation');
  again.free();
});

test('free() from inside one of the engine\'s own calls is refused; the engine stays usable and frees after', () => {
  const engine = new Engine(policy);
  let inner;
  const sneaky = { ...c1001, get id() { inner = thrown(() => engine.free()); return 'C-1001'; } };
  const [o] = engine.evaluate([sneaky], NOW);
  assert.equal(o.queue, 'refund_validation');
  argError(inner, 'invalid_argument', 'engine');
  assert.match(inner.message, /while one of its own calls runs/);
  assert.equal(engine.evaluate([c1001], NOW)[0].queue, 'refund_validation');
  engine.free();
  argError(thrown(() => engine.evaluate([c1001], NOW)), 'invalid_argument', 'engine');
});
