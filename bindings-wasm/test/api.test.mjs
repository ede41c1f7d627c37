// The synchronous API through the package's own exports map (Node ESM condition).
// Expected values are reasoned from the spec and the example policy, not copied from
// program output; the reasoning is beside each assertion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Engine, DocketError, PolicyError, ArgumentError } from 'docket-wasm';
import { policy, policyText, cases, NOW, byId } from './helpers.mjs';

const c1001 = cases.find((c) => c.id === 'C-1001');

test('C-1001 matches the spec example outcome', () => {
  const engine = new Engine(policy);
  const [o] = engine.evaluate([c1001], NOW);
  // cases-and-outcomes.md, "An outcome": 1250.00 EUR refund -> R10 -> P1; S05 (eu_ops, 1h/8h).
  assert.equal(o.id, 'C-1001');
  assert.equal(o.queue, 'refund_validation');
  assert.equal(o.owner, 'finance_ops');
  assert.equal(o.priority, 'P1');
  // Opened Fri 10:15 CET, responded 11:00 CET: 45 min of a 1h target, due 11:15 CET.
  assert.deepEqual(o.sla.response, {
    state: 'met', calendar: 'eu_ops', target_s: 3600, due: '2026-11-20T10:15:00Z',
    elapsed_s: 2700, remaining_s: 900, consumed: 0.75, completed_at: '2026-11-20T10:00:00Z', waiting_s: {},
  });
  // Fri 10:15-12:00 + 13:00-17:00 (5h45m), Sat 09:00-13:00 (4h), Mon 08:00-11:00 (3h) = 45900 s.
  // The 8h target is reached Sat 11:15 CET = 10:15Z; 200% (16h) Mon 14:15 CET = 13:15Z.
  assert.deepEqual(o.sla.resolution, {
    state: 'breached', calendar: 'eu_ops', target_s: 28800, due: '2026-11-21T10:15:00Z',
    elapsed_s: 45900, remaining_s: -17100, consumed: 1.59375,
    escalation: { level: 2, next_level: 3, next_to: 'client_sponsor', next_at: '2026-11-23T13:15:00Z' },
    // It waited on nothing: the breach is the queue's own.
    waiting_s: {}, cause: 'own',
  });
  // Calendar age 72h45m >= 72h -> critical, the last band; step 3 is passed one working
  // second after it is reached.
  assert.equal(o.band, 'critical');
  assert.equal(o.next_change_at, '2026-11-23T13:15:01Z');
  // A2 by_limit -> ops_manager (smallest limit >= 1250), A3 adds finance_reviewer; u-7 filled the first.
  assert.deepEqual(o.approvals, {
    steps: [{ role: 'ops_manager', rule: 'A2', done_by: 'u-7' }, { role: 'finance_reviewer', rule: 'A3' }],
    remaining: ['finance_reviewer'],
    barred: ['agent-17', 'u-7'],
  });
  assert.deepEqual(o.issues, []);
  assert.deepEqual(o.trace, ['R10', 'S05', 'A2', 'A3']);
  assert.equal(o.policy.name, 'acme-order-ops');
  assert.equal(o.policy.version, '2026.11.2');
  assert.match(o.policy.fingerprint, /^sha256:[0-9a-f]{64}$/);
  assert.equal(Object.getPrototypeOf(o), Object.prototype, 'outcomes are plain objects');
  engine.free();
});

test('policy as an object and as JSON text compile to the same engine', () => {
  const a = new Engine(policy);
  const b = new Engine(JSON.stringify(policy));
  // Same document, same fingerprint, also for the file's own text, which writes `1.0`
  // where JavaScript holds 1: the canonical form compares numbers by value.
  assert.equal(a.fingerprint, b.fingerprint);
  assert.equal(new Engine(policyText).fingerprint, a.fingerprint);
  assert.equal(new Engine(policyText).name, a.name);
  assert.equal(a.name, 'acme-order-ops');
  assert.equal(a.version, '2026.11.2');
  assert.deepEqual(a.metrics, ['response', 'resolution']);
  assert.deepEqual(a.bands, ['fresh', 'aging', 'stale', 'critical']);
  assert.equal(a.queues.length, Object.keys(policy.queues).length);
  assert.ok(a.queues.includes('data_quality_review'));
  assert.deepEqual(a.check(), [], 'the example policy compiles without warnings');
  a.free();
  b.free();
});

test('every example case yields one outcome, in order; the case without kind has error', () => {
  const engine = new Engine(policy);
  const outs = engine.evaluate(cases, NOW);
  assert.equal(outs.length, cases.length);
  assert.deepEqual(outs.map((o) => o.id), cases.map((c) => c.id));
  const o = byId(outs);
  // C-1012 has no `kind`: unusable, nothing else decided.
  assert.equal(o['C-1012'].error.code, 'missing_kind');
  assert.equal(o['C-1012'].queue, undefined);
  // C-1009: incident, 340 orders -> incident_command P1; S01 on `always`: response 7 min of
  // 15 (met); resolution 06:05Z -> 10:00Z = 235 of 240 min >= 75% -> warning.
  assert.equal(o['C-1009'].queue, 'incident_command');
  assert.equal(o['C-1009'].sla.response.state, 'met');
  assert.equal(o['C-1009'].sla.resolution.state, 'warning');
  assert.equal(o['C-1009'].sla.resolution.elapsed_s, 235 * 60);
  assert.deepEqual(o['C-1009'].approvals.remaining, ['leadership']);
  // C-1006: P2 on eu_ops (2h/16h); resolved Fri 17:00 CET after Thu 11:00-18:00 (7h) and
  // Fri 08:00-12:00, 13:00-17:00 (8h) = 15h <= 16h -> met; response 20 min -> met.
  assert.equal(o['C-1006'].sla.resolution.state, 'met');
  assert.equal(o['C-1006'].sla.resolution.elapsed_s, 15 * 3600);
  assert.equal(o['C-1006'].sla.response.state, 'met');
  assert.equal(o['C-1006'].band, undefined, 'no band once every metric is completed');
  // C-1002: P2 (2h/16h), opened Mon 08:00 CET, now 11:00 CET: 3h elapsed -> response breached.
  assert.equal(o['C-1002'].sla.response.state, 'breached');
  assert.equal(o['C-1002'].sla.resolution.state, 'ok');
  assert.deepEqual(o['C-1002'].approvals.barred, ['agent-3']);
  engine.free();
});

test('now accepts a Date, an RFC 3339 string and epoch milliseconds alike', () => {
  const engine = new Engine(policy);
  const ms = Date.parse(NOW);
  const a = engine.evaluateCase(c1001, NOW);
  const b = engine.evaluateCase(c1001, new Date(ms));
  const c = engine.evaluateCase(c1001, ms);
  // Sub-second parts are truncated toward the past: +999 ms is the same second.
  const d = engine.evaluateCase(c1001, ms + 999);
  assert.deepEqual(b, a);
  assert.deepEqual(c, a);
  assert.deepEqual(d, a);
  // One second earlier changes elapsed time by one second (Mon 10:59:59 CET is working time).
  const e = engine.evaluateCase(c1001, ms - 1);
  assert.equal(e.sla.resolution.elapsed_s, a.sla.resolution.elapsed_s - 1);
  // Omitted (or null): the host's current time, between two readings of the clock.
  const t0 = engine.evaluateCase(c1001, Date.now());
  const f = engine.evaluateCase(c1001);
  const g = engine.evaluateCase(c1001, null);
  const t1 = engine.evaluateCase(c1001, Date.now());
  for (const x of [f, g]) {
    assert.ok(x.sla.resolution.elapsed_s >= t0.sla.resolution.elapsed_s);
    assert.ok(x.sla.resolution.elapsed_s <= t1.sla.resolution.elapsed_s);
  }
  engine.free();
});

test('a case given as JSON text decodes like the object', () => {
  const engine = new Engine(policy);
  assert.deepEqual(engine.evaluate([JSON.stringify(c1001)], NOW), engine.evaluate([c1001], NOW));
  engine.free();
});

test('report: counts, bands and controls of the example batch', () => {
  const engine = new Engine(policy);
  const r = engine.report(cases, NOW);
  assert.equal(r.now, NOW);
  assert.equal(r.cases, cases.length);
  assert.equal(r.errors, 1, 'C-1012 (no kind)');
  // C-1010 (no order_id) and C-1011 (amount not a number) go to the invalid queue.
  assert.equal(r.invalid, 2);
  assert.equal(r.queues.data_quality_review.cases, 2);
  // refund_validation holds C-1001, C-1002, C-1013, C-1015.
  const rv = r.queues.refund_validation;
  assert.equal(rv.cases, 4);
  assert.equal(rv.open, 4);
  assert.equal(rv.oldest_open.id, 'C-1001');
  assert.ok(Array.isArray(r.controls));
  assert.equal(r.policy.name, 'acme-order-ops');
  engine.free();
});

test('authorize: decision records for approve, with the step an approval fills', () => {
  const engine = new Engine(policy);
  // C-1001 at NOW: A2 resolves 1250.00 to ops_manager (filled by u-7 at 2026-11-20T11:00),
  // A3 adds finance_reviewer (open). A team_lead (limit 250) ranks below finance_reviewer
  // and the example fills "same_or_higher" only upward: no open step it may fill.
  const d = engine.authorize(c1001, { id: 'u-9', roles: ['team_lead'] }, 'approve', NOW);
  assert.equal(d.allowed, false);
  assert.deepEqual(d.reasons.map((r) => r.code), ['no_open_step']);
  // A finance_reviewer, not the requester, no prior approval: fills the open A3 step.
  // The answer is a decision record: case, actor, action, now, the policy.
  const ok = engine.authorize(c1001, { id: 'u-3', roles: ['finance_reviewer'] }, 'approve', NOW);
  assert.deepEqual(ok, {
    case: 'C-1001', actor: 'u-3', action: 'approve', now: NOW, allowed: true, reasons: [],
    fills: { role: 'finance_reviewer', rule: 'A3', as: 'finance_reviewer' },
    policy: { name: 'acme-order-ops', version: '2026.11.2', fingerprint: engine.fingerprint },
  });
  // `now` as a Date, RFC 3339 text or epoch milliseconds: the same decision.
  const at = Date.parse(NOW);
  for (const now of [new Date(at), at, at + 999]) {
    assert.deepEqual(engine.authorize(c1001, { id: 'u-3', roles: ['finance_reviewer'] }, 'approve', now), ok);
  }
  // As of 2026-11-20T10:30:00Z, before u-7's approval, an ops_manager fills A2's step.
  const early = engine.authorize(c1001, { id: 'u-6', roles: ['ops_manager'] }, 'approve', '2026-11-20T10:30:00Z');
  assert.deepEqual(early.fills, { role: 'ops_manager', rule: 'A2', as: 'ops_manager' });
  // The requester may not approve: separation of duties.
  const sod = engine.authorize(c1001, { id: 'agent-17', roles: ['finance_reviewer'] }, 'approve', NOW);
  assert.deepEqual(sod.reasons.map((r) => r.code), ['separation_of_duties']);
  // close requires every step filled: A3's is open.
  const close = engine.authorize(c1001, { id: 'u-9', roles: ['team_lead'] }, 'close', NOW);
  assert.deepEqual(close.reasons, [{ code: 'approvals_pending',
    detail: '`close` requires every approval step filled; open: finance_reviewer', roles: ['finance_reviewer'] }]);
  // Unknown action: the only reason.
  const unk = engine.authorize(c1001, { id: 'u-3', roles: ['cfo'] }, 'teleport', NOW);
  assert.deepEqual(unk.reasons.map((r) => r.code), ['unknown_action']);
  // A `now` that is no instant is an ArgumentError naming it.
  assert.throws(() => engine.authorize(c1001, { id: 'u-3', roles: ['cfo'] }, 'approve', 'noon'),
    (e) => e instanceof ArgumentError && e.path === 'now');
  engine.free();
});

test('a policy with errors throws a PolicyError listing every problem with its JSON path', () => {
  const broken = structuredClone(policy);
  broken.routing.rules[0].then.queue = 'no_such_queue';
  broken.calendars.eu_ops.timezone = 'Mars/Olympus_Mons';
  delete broken.name;
  let err;
  try {
    new Engine(broken);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof PolicyError);
  assert.ok(err instanceof DocketError);
  assert.ok(err instanceof Error);
  assert.equal(err.name, 'PolicyError');
  assert.equal(err.code, 'invalid_policy');
  assert.ok(err.errors.length >= 3, JSON.stringify(err.errors));
  const codes = err.errors.map((e) => `${e.code} ${e.path}`);
  assert.ok(codes.includes('unknown_queue /routing/rules/0/then/queue'), codes.join('\n'));
  assert.ok(codes.includes('unknown_timezone /calendars/eu_ops/timezone'), codes.join('\n'));
  assert.ok(err.errors.some((e) => e.code === 'missing_key'), codes.join('\n'));
  for (const e of err.errors) assert.equal(typeof e.message, 'string');
  assert.ok(Array.isArray(err.warnings));
  assert.match(err.message, /error\(s\)/);
  assert.ok(err.stack.includes('PolicyError'));
});

test('invalid JSON text is a PolicyError with code invalid_json at the root', () => {
  assert.throws(() => new Engine('{"docket": 1,'), (e) => {
    assert.ok(e instanceof PolicyError);
    assert.equal(e.errors[0].code, 'invalid_json');
    assert.equal(e.errors[0].path, '');
    return true;
  });
});

test('malformed arguments throw ArgumentError; the module and the engine stay usable', () => {
  const engine = new Engine(policy);
  const before = engine.evaluate([c1001], NOW);
  const isArg = (e) => e instanceof ArgumentError && e instanceof DocketError && e.code === 'invalid_argument';
  assert.throws(() => new Engine(42), isArg);
  assert.throws(() => new Engine(null), isArg);
  assert.throws(() => new Engine({ docket: Symbol('v') }), (e) => e instanceof DocketError);
  assert.throws(() => engine.evaluate(c1001, NOW), isArg, 'not an array');
  assert.throws(() => engine.evaluate('[]', NOW), isArg);
  assert.throws(() => engine.evaluate([c1001], 'yesterday'), isArg);
  assert.throws(() => engine.evaluate([c1001], new Date('nope')), isArg);
  assert.throws(() => engine.evaluate([c1001], Infinity), isArg);
  assert.throws(() => engine.evaluate([c1001], {}), isArg);
  assert.throws(() => engine.report({}, NOW), isArg);
  assert.throws(() => engine.authorize(c1001, { roles: ['cfo'] }, 'approve'), isArg, 'actor without id');
  assert.throws(() => engine.authorize(c1001, 'u-1', 'approve'), isArg);
  assert.throws(() => engine.authorize(c1001, { id: 'u-1', roles: [] }, 7), isArg);
  assert.throws(() => engine.evaluateColumns({ length: 2, strings: [], columns: { id: new Int32Array(1) } }), isArg);
  assert.throws(() => engine.evaluateColumns({ length: 1, strings: [], columns: { id: new Int32Array([5]) } }), isArg);
  assert.throws(() => engine.evaluateColumns({ length: 1, strings: [], columns: { id: [1] } }), isArg);
  assert.throws(() => engine.evaluateColumns(null), isArg);
  // After every throw the same engine answers exactly as before, and new engines compile.
  assert.deepEqual(engine.evaluate([c1001], NOW), before);
  const again = new Engine(policy);
  assert.deepEqual(again.evaluate([c1001], NOW), before);
  again.free();
  engine.free();
});

test('bad cases yield outcomes with error, never a throw', () => {
  const engine = new Engine(policy);
  const weird = [
    null, 7, 'not json', '[1,2]', [undefined, { id: 'A' }], { id: 'X-1' }, { id: '', kind: 'refund', opened_at: NOW },
    { id: 'X-2', kind: 'refund', opened_at: 'last tuesday' }, { id: 'X-3', kind: 5, opened_at: NOW },
    { id: 'X-4', kind: 'refund', opened_at: NOW, amount: { nested: [1, 2, { deep: true }] }, paused: 'x' },
    { id: 'X-5', kind: 'refund', opened_at: NOW, approvals: [null, 3, { role: 9 }], evidence: [1] },
    { id: 'X-6', kind: 'refund', opened_at: NOW, amount: 10n },
    c1001,
  ];
  const outs = engine.evaluate(weird, NOW);
  assert.equal(outs.length, weird.length);
  for (const o of outs.slice(0, 5)) assert.equal(typeof o.error?.code, 'string', JSON.stringify(o));
  assert.equal(outs[5].error.code, 'missing_kind');
  assert.equal(outs[6].error.code, 'bad_id');
  assert.equal(outs[7].error.code, 'bad_opened_at');
  assert.equal(outs[8].error.code, 'bad_kind');
  // Wrong types in a usable case are issues, not errors.
  assert.equal(outs[9].error, undefined);
  assert.ok(outs[9].issues.length > 0);
  assert.equal(outs[12].queue, 'refund_validation');
  engine.free();
});

test('host code that throws while a case is read: its error propagates, the engine stays usable', () => {
  const engine = new Engine(policy);
  const before = engine.evaluate([c1001], NOW);
  const boom = new Error('getter failed');
  const hostile = { id: 'H-1', kind: 'refund', get opened_at() { throw boom; } };
  assert.throws(() => engine.evaluate([hostile], NOW), (e) => e === boom);
  const proxy = new Proxy({}, { ownKeys() { throw new RangeError('trap'); } });
  assert.throws(() => engine.evaluate([proxy], NOW), RangeError);
  assert.throws(() => engine.report([proxy], NOW), RangeError);
  const sneaky = new Date(0);
  sneaky.getTime = () => { throw boom; };
  assert.throws(() => engine.evaluate([c1001], sneaky), (e) => e === boom);
  const batch = { length: 1, strings: [], get columns() { throw boom; } };
  assert.throws(() => engine.evaluateColumns(batch, NOW), (e) => e instanceof ArgumentError && /columns/.test(e.message));
  assert.throws(() => new Engine({ get docket() { throw boom; } }), (e) => e === boom);
  assert.throws(() => engine.authorize(c1001, { get id() { throw boom; } }, 'approve'), (e) => e === boom);
  // The same engine decides as before.
  assert.deepEqual(engine.evaluate([c1001], NOW), before);
  // Re-entrant use from a getter works too (each call has its own buffers).
  let inner;
  const reentrant = { ...c1001, get id() { inner = engine.evaluate([c1001], NOW); return 'C-1001'; } };
  assert.deepEqual(engine.evaluate([reentrant], NOW), before);
  assert.deepEqual(inner, before);
  // Nothing stays borrowed: the engine frees normally.
  engine.free();
  assert.throws(() => engine.evaluate([c1001], NOW));
});

test('free() releases the engine; a freed engine throws instead of crashing', () => {
  const engine = new Engine(policy);
  engine.free();
  assert.throws(() => engine.evaluate([c1001], NOW), Error);
  // The module is still fine.
  const e2 = new Engine(policy);
  assert.equal(e2.evaluate([c1001], NOW)[0].queue, 'refund_validation');
  e2.free();
});

test('the glue registers engines with a FinalizationRegistry (safety net without free())', () => {
  const glue = readFileSync(new URL('../pkg/docket_wasm.js', import.meta.url), 'utf8');
  assert.match(glue, /new FinalizationRegistry\(/);
  assert.match(glue, /EngineFinalization\.register\(this/);
  // Many engines left to the GC do not break anything.
  for (let i = 0; i < 20; i++) new Engine(policy).evaluate([c1001], NOW);
  if (global.gc) global.gc();
});

test('report gives the flow per day or week from since, and refuses a bad period', () => {
  const engine = new Engine(policy);
  // Days (UTC: the example sets no report.timezone) from 2026-11-20 00:00Z, the day of
  // since, to the day of now. refund_validation received C-1001 and C-1013 on 11-20 and
  // C-1015 and C-1002 on 11-23 and closed none: its 4 open cases carried over.
  const r = engine.report(cases, NOW, null, { since: '2026-11-20T10:00:00Z' });
  assert.equal(r.flow.bucket, 'day');
  assert.equal(r.flow.timezone, 'UTC');
  assert.equal(r.flow.start, '2026-11-20T00:00:00Z');
  assert.equal(r.flow.end, '2026-11-24T00:00:00Z');
  const q = r.flow.queues.refund_validation;
  assert.deepEqual(q.buckets.map((b) => [b.start.slice(0, 10), b.received, b.closed, b.carried_over]), [
    ['2026-11-20', 2, 0, 2], ['2026-11-21', 0, 0, 2], ['2026-11-22', 0, 0, 2], ['2026-11-23', 2, 0, 4],
  ]);
  // C-1001's response, 09:15Z to 10:00Z (2700 s, all of it in eu_ops hours).
  assert.deepEqual(q.buckets[0].cycle_times, [{
    kind: 'refund', metric: 'response', count: 1,
    business: { mean_s: 2700, p50_s: 2700, p90_s: 2700, max_s: 2700 },
    calendar: { mean_s: 2700, p50_s: 2700, p90_s: 2700, max_s: 2700 },
  }]);
  // Weeks from Monday 00:00: since (Friday 11-20) in the week of 11-16, now (Monday 11-23
  // 10:00) in the next.
  const w = engine.report(cases, NOW, undefined, { since: new Date('2026-11-20T10:00:00Z'), bucket: 'week' });
  assert.equal(w.flow.start, '2026-11-16T00:00:00Z');
  assert.equal(w.flow.end, '2026-11-30T00:00:00Z');
  assert.deepEqual(w.flow.queues.refund_validation.buckets.map((b) => [b.received, b.closed, b.carried_over]), [[2, 0, 2], [2, 0, 4]]);
  assert.equal(engine.report(cases, NOW).flow, undefined);
  const isArg = (code, path, re) => (e) => e instanceof ArgumentError && e.code === code && e.path === path && re.test(e.message);
  assert.throws(() => engine.report(cases, NOW, null, { since: '2026-11-24T00:00:00Z' }), isArg('invalid_argument', 'flow.since', /after `now`/));
  // 400 days before now is the 401st day.
  assert.throws(() => engine.report(cases, NOW, null, { since: '2025-10-19T10:00:00Z' }), isArg('limit_exceeded', 'flow.since', /400 buckets/));
  assert.throws(() => engine.report(cases, NOW, null, { since: 'soon' }), isArg('invalid_argument', 'flow.since', /`flow.since` must be/));
  assert.throws(() => engine.report(cases, NOW, null, { since: NOW, bucket: 'month' }), isArg('invalid_argument', 'flow.bucket', /"day" or "week"/));
  assert.throws(() => engine.report(cases, NOW, null, {}), isArg('invalid_argument', 'flow.since', /required/));
  assert.throws(() => engine.report(cases, NOW, null, 'day'), isArg('invalid_argument', 'flow', /object/));
});

test('report splits queues by fields, and refuses fields that cannot split one', () => {
  const engine = new Engine(policy);
  const r = engine.report(cases, NOW, ['kind', 'channel']);
  assert.deepEqual(r.by, ['kind', 'channel']);
  // refund_validation holds C-1001 (refund, web), C-1002 (shipping_correction, app),
  // C-1013 (refund, no channel) and C-1015 (adjustment, no channel).
  const values = r.queues.refund_validation.by.map((b) => JSON.stringify(b.values)).sort();
  assert.deepEqual(values, [
    '{"kind":"adjustment","channel":null}',
    '{"kind":"refund","channel":"web"}',
    '{"kind":"refund","channel":null}',
    '{"kind":"shipping_correction","channel":"app"}',
  ]);
  const sum = r.queues.refund_validation.by.reduce((n, b) => n + b.cases, 0);
  assert.equal(sum, r.queues.refund_validation.cases);
  // Without `by` the report has no split.
  assert.equal(engine.report(cases, NOW).queues.refund_validation.by, undefined);
  const isArg = (path, re) => (e) => e instanceof ArgumentError && e.code === 'invalid_argument' && e.path === path && re.test(e.message);
  assert.throws(() => engine.report(cases, NOW, ['amount']), isArg('by', /`amount` is a money field/));
  assert.throws(() => engine.report(cases, NOW, 'kind'), isArg('by', /array of field names/));
  assert.throws(() => engine.report(cases, NOW, [1]), isArg('by', /array of field names/));
});
