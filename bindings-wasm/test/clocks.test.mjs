// SLA clocks v2 in the npm package (docs/time-semantics.md): evaluation as of `now`,
// closing, waiting on dependencies and the cause of a miss, the next instant anything
// changes; in objects and in columns, which agree row by row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from 'docket-wasm';
import { policy, NOW, byId, stringTable, scalarColumn } from './helpers.mjs';

const s = (iso) => Date.parse(iso) / 1000;
const iso = (x) => (Number.isNaN(x) ? null : new Date(x * 1000).toISOString().replace('.000', ''));

// Payment holds route by R03 to payment_hold_review; S02 gives them `always`, response 1h,
// resolution 8h (policy-wide warn_at 0.75); bands fresh under 4h (calendar age).
const hold = (id, opened, extra = {}) => ({ id, kind: 'payment_hold', order_id: 'O', opened_at: opened, ...extra });
const CASES = [
  // Responded after 2h30m of a 1h target: missed by 1h30m; two hours waiting on the
  // warehouse explain it. The resolution runs, same two hours waited.
  hold('W0', '2026-11-23T07:00:00Z', {
    response_at: '2026-11-23T09:30:00Z',
    waiting: [{ from: '2026-11-23T07:00:00Z', to: '2026-11-23T09:00:00Z', on: 'warehouse' }],
  }),
  // Opened after now.
  hold('W1', '2026-11-23T11:00:00Z'),
  // Closed after two hours without a stamp: response missed at the closing (own),
  // resolution met; not open.
  hold('W2', '2026-11-23T07:00:00Z', { closed_at: '2026-11-23T09:00:00Z' }),
  // Waiting on an undeclared name since its opening, paused for finance since 09:50.
  hold('W3', '2026-11-23T07:00:00Z', {
    waiting: [{ from: '2026-11-23T07:00:00Z', on: 'legal' }],
    paused: [{ from: '2026-11-23T09:50:00Z', reason: 'finance' }],
  }),
  // A response stamped after now has not happened: the clock runs.
  hold('W4', '2026-11-23T09:30:00Z', { response_at: '2026-11-23T11:00:00Z' }),
];

test('objects: not yet open, closing, waiting, cause, next change', () => {
  const engine = new Engine(policy);
  assert.deepEqual(engine.dependencies, ['warehouse', 'finance', 'carrier', 'customer', 'platform']);
  const o = byId(engine.evaluate(CASES, NOW));
  assert.equal(o.W0.sla.response.state, 'missed');
  assert.equal(o.W0.sla.response.cause, 'warehouse');
  assert.deepEqual(o.W0.sla.response.waiting_s, { warehouse: 7200 });
  assert.deepEqual(o.W0.sla.resolution.waiting_s, { warehouse: 7200 });
  assert.equal(o.W0.sla.resolution.cause, undefined);
  // Band `fresh` until 4h of age (11:00Z); the resolution warns at 6h (13:00Z).
  assert.equal(o.W0.next_change_at, '2026-11-23T11:00:00Z');
  assert.deepEqual(Object.keys(o.W1), ['id', 'not_yet_open', 'policy']);
  assert.equal(o.W1.not_yet_open, true);
  assert.equal(o.W2.sla.response.cause, 'own');
  assert.equal(o.W2.sla.response.completed_at, '2026-11-23T09:00:00Z');
  assert.equal(o.W2.sla.resolution.state, 'met');
  assert.equal(o.W2.band, undefined);
  assert.equal(o.W2.next_change_at, undefined);
  // 2h50m running (the last 10 minutes paused), breached by 1h50m, all of it waiting on
  // `legal`: the cause, and an unknown_dependency issue.
  assert.equal(o.W3.sla.response.state, 'breached');
  assert.equal(o.W3.sla.response.cause, 'legal');
  assert.deepEqual(o.W3.issues.map((i) => [i.code, i.field]), [['unknown_dependency', 'waiting/0']]);
  // 30 minutes of a 1h target: ok, warning at 45 minutes (10:15Z); issue after_now.
  assert.equal(o.W4.sla.response.state, 'ok');
  assert.equal(o.W4.next_change_at, '2026-11-23T10:15:00Z');
  assert.deepEqual(o.W4.issues.map((i) => [i.code, i.field]), [['after_now', 'response_at']]);
  const r = engine.report(CASES, NOW);
  assert.equal(r.not_yet_open, 1);
  const q = r.queues.payment_hold_review;
  assert.equal(q.missed_by_cause.warehouse, 1);
  assert.equal(q.missed_by_cause.own, 1);
  // W3's response is breached by `legal`; its resolution (2h50m of 8h) is not breached.
  assert.equal(q.breached_by_cause.legal, 1);
  assert.equal(q.waiting_s.warehouse, 14400);
});

/** The cases as columns, with waits and pauses as typed list columns. */
function columns(list) {
  const { strings, ref } = stringTable();
  const cols = {};
  for (const k of ['id', 'kind', 'order_id', 'opened_at', 'response_at', 'closed_at']) {
    cols[k] = scalarColumn(k, list.map((c) => c[k]), ref);
  }
  const waits = list.map((c) => c.waiting ?? []);
  const pauses = list.map((c) => c.paused ?? []);
  const offsets = (lists) => Uint32Array.from([0, ...lists.map((l) => l.length)].map((_, i, a) => a.slice(0, i + 1).reduce((x, y) => x + y, 0)));
  const time = (v) => (v == null ? NaN : s(v));
  cols.waiting_from = Float64Array.from(waits.flat(), (w) => s(w.from));
  cols.waiting_to = Float64Array.from(waits.flat(), (w) => time(w.to));
  cols.waiting_on = Int32Array.from(waits.flat(), (w) => ref(w.on));
  cols.paused_from = Float64Array.from(pauses.flat(), (p) => s(p.from));
  cols.paused_to = Float64Array.from(pauses.flat(), (p) => time(p.to));
  cols.paused_reason = Int32Array.from(pauses.flat(), (p) => (p.reason ? ref(p.reason) : -1));
  return { length: list.length, strings, columns: cols, offsets: { waiting: offsets(waits), paused: offsets(pauses) } };
}

test('columns carry closed_at, waits and pause reasons in; not_yet_open, next_change_at, cause, waiting out', () => {
  const engine = new Engine(policy);
  const objs = engine.evaluate(CASES, NOW);
  const col = engine.evaluateColumns(columns(CASES), NOW);
  const { names } = col;
  assert.deepEqual(names.dependencies, engine.dependencies);
  const deps = names.dependencies.length;
  for (let i = 0; i < CASES.length; i++) {
    const o = objs[i];
    const at = `row ${i} (${o.id})`;
    assert.equal(col.not_yet_open[i], o.not_yet_open ? 1 : 0, at);
    assert.equal(iso(col.next_change_at[i]), o.next_change_at ?? null, at);
    for (const m of engine.metrics) {
      const mo = o.sla?.[m];
      const c = col.sla[m];
      assert.equal(c.cause[i] < 0 ? undefined : names.causes[c.cause[i]], mo?.cause, `${at} ${m}`);
      for (let d = 0; d < deps; d++) {
        assert.equal(c.waiting[i * deps + d], mo?.waiting_s?.[names.dependencies[d]] ?? 0, `${at} ${m} ${d}`);
      }
    }
  }
  // The undeclared name joins `names.causes` after `own` and the declared ones.
  assert.deepEqual(names.causes, ['own', ...engine.dependencies, 'legal']);
  // A refill in place gives the same arrays.
  const again = engine.evaluateColumns(columns(CASES), NOW, col);
  assert.equal(again, col);
  assert.equal(iso(col.next_change_at[0]), '2026-11-23T11:00:00Z');
  assert.equal(col.sla.response.waiting[0 * deps + 0], 7200);
});

test('a waiting list column needs its dependency column', () => {
  const engine = new Engine(policy);
  const batch = columns(CASES);
  delete batch.columns.waiting_on;
  assert.throws(() => engine.evaluateColumns(batch, NOW), (e) => e.code === 'invalid_argument' && /waiting_on/.test(e.message));
});
