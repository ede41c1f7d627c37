// The columnar form gives the same decisions as the object form, row by row, and
// handles tens of thousands of cases in one call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from 'docket-wasm';
import { policy, cases, NOW, stringTable, scalarColumn } from './helpers.mjs';


/** Builds a ColumnarCases batch from case objects (timestamps as epoch seconds). */
export function toColumns(list) {
  const { strings, ref } = stringTable();
  const columns = {};
  for (const k of new Set(list.flatMap((c) => Object.keys(c)))) {
    columns[k] = scalarColumn(k, list.map((c) => c[k]), ref);
  }
  return { length: list.length, strings, columns };
}

function compare(engine, objs, col) {
  const { names } = col;
  const name = (table, i) => (i < 0 ? undefined : table[i]);
  for (let i = 0; i < objs.length; i++) {
    const o = objs[i];
    const at = `row ${i} (${o.id})`;
    if (o.error) {
      assert.equal(name(names.errors, col.error[i]), o.error.code, at);
      continue;
    }
    assert.equal(col.error[i], -1, at);
    assert.equal(name(names.queues, col.queue[i]), o.queue ?? undefined, at);
    assert.equal(name(names.priorities, col.priority[i]), o.priority ?? undefined, at);
    assert.equal(name(names.bands, col.band[i]), o.band, at);
    assert.equal(col.issues[i], o.issues.length, at);
    assert.equal(col.steps[i], o.approvals?.steps.length ?? 0, at);
    assert.equal(col.remaining[i], o.approvals?.remaining.length ?? 0, at);
    for (const m of engine.metrics) {
      const mo = o.sla?.[m];
      const c = col.sla[m];
      assert.equal(name(names.states, c.state[i]), mo?.state, `${at} ${m}`);
      if (!mo) continue;
      assert.equal(c.elapsed[i], mo.elapsed_s, `${at} ${m}`);
      assert.equal(c.target[i], mo.target_s, `${at} ${m}`);
      assert.equal(Number.isNaN(c.due[i]) ? null : new Date(c.due[i] * 1000).toISOString().replace('.000', ''), mo.due, `${at} ${m}`);
      assert.equal(c.level[i], mo.escalation ? mo.escalation.level : -1, `${at} ${m}`);
    }
  }
}

test('columnar results equal the object results for every example case', () => {
  const engine = new Engine(policy);
  const objs = engine.evaluate(cases, NOW);
  const batch = toColumns(cases);
  // Timestamps really went in as numbers, lists as JSON text.
  assert.ok(batch.columns.opened_at instanceof Float64Array);
  assert.ok(batch.columns.approvals instanceof Int32Array);
  const col = engine.evaluateColumns(batch, NOW);
  assert.equal(col.length, cases.length);
  assert.ok(col.queue instanceof Int32Array && col.sla.resolution.due instanceof Float64Array);
  assert.deepEqual(col.names.queues, engine.queues);
  assert.deepEqual(col.names.states, ['met', 'missed', 'ok', 'warning', 'breached', 'paused']);
  // C-1001 straight from the spec: refund_validation, P1, resolution breached at level 2.
  const i = cases.findIndex((c) => c.id === 'C-1001');
  assert.equal(col.names.queues[col.queue[i]], 'refund_validation');
  assert.equal(col.names.priorities[col.priority[i]], 'P1');
  assert.equal(col.names.states[col.sla.resolution.state[i]], 'breached');
  assert.equal(col.sla.resolution.elapsed[i], 45900);
  assert.equal(col.sla.resolution.due[i], Date.parse('2026-11-21T10:15:00Z') / 1000);
  assert.equal(col.sla.resolution.level[i], 2);
  compare(engine, objs, col);
  engine.free();
});

test('absent markers, bad strings and string timestamps in columns', () => {
  const engine = new Engine(policy);
  const batch = {
    length: 3,
    strings: ['C-1', 'refund', '2026-11-23T08:00:00Z', '99.00', 'O-1', '{not json'],
    columns: {
      id: Int32Array.of(0, 0, -1),
      kind: Int32Array.of(1, 1, 1),
      opened_at: Int32Array.of(2, 2, 2),
      amount: Int32Array.of(3, -1, 3),
      order_id: Int32Array.of(4, 4, 4),
      evidence: Int32Array.of(-1, 5, -1),
      split_shipment: Uint8Array.of(255, 1, 0),
    },
  };
  const col = engine.evaluateColumns(batch, NOW);
  // Row 0: refund of 99.00 with an order id -> R11 (refund below 1000) -> P2 in refund_validation.
  assert.equal(col.error[0], -1);
  assert.equal(col.names.queues[col.queue[0]], 'refund_validation');
  // Row 1: the evidence list is not JSON -> the row is unusable, the batch goes on.
  assert.notEqual(col.error[1], -1);
  // Row 2: no id.
  assert.equal(col.names.errors[col.error[2]], 'missing_id');
  engine.free();
});

/** The same string table packed as UTF-8 bytes and offsets. */
function pack(strings) {
  const parts = strings.map((s) => new TextEncoder().encode(s));
  const offsets = new Uint32Array(parts.length + 1);
  parts.forEach((b, i) => (offsets[i + 1] = offsets[i] + b.length));
  const bytes = new Uint8Array(offsets[parts.length]);
  parts.forEach((b, i) => bytes.set(b, offsets[i]));
  return { bytes, offsets };
}

test('packed strings give the same results as a string array, and bad packing is refused', () => {
  const engine = new Engine(policy);
  // Non-ASCII text too: a multi-byte id and requester.
  const list = cases.map((c, i) => (i === 0 ? { ...c, id: 'C-ünï-✓', requested_by: 'agent-ß' } : c));
  const batch = toColumns(list);
  const objs = engine.evaluate(list, NOW);
  const packed = { ...batch, strings: pack(batch.strings) };
  compare(engine, objs, engine.evaluateColumns(packed, NOW));
  const bad = (strings, re) =>
    assert.throws(() => engine.evaluateColumns({ ...batch, strings }, NOW), (e) => e.name === 'ArgumentError' && re.test(e.message));
  const { bytes, offsets } = packed.strings;
  // 0xff is never UTF-8.
  bad({ bytes: Uint8Array.of(...bytes, 0xff), offsets }, /not valid UTF-8 at byte/);
  // An offset inside the two bytes of "ü" (the id is the first string: "C-" then "ü").
  const split = Uint32Array.from(offsets);
  split[1] = 3;
  bad({ bytes, offsets: split }, /offsets\[1\]` = 3 is not a UTF-8 boundary/);
  bad({ bytes, offsets: Uint32Array.of(1, 2) }, /must start at 0/);
  bad({ bytes, offsets: Uint32Array.of(0, 5, 2) }, /offsets\[2\]` = 2/);
  bad({ bytes: [1, 2], offsets }, /must be an array of strings or/);
  engine.free();
});

test('money as scaled whole numbers (`scales`) decides like decimal text', () => {
  const engine = new Engine(policy);
  // The example cases whose amount is absent or decimal text with at most two places
  // (all but the one whose amount is not a number): in cents, exactly.
  const usable = cases.filter((c) => c.amount == null || /^\d+(\.\d{1,2})?$/.test(c.amount));
  assert.equal(usable.length, cases.length - 1);
  const cents = (a) => {
    const [units, frac = ''] = a.split('.');
    return Number(units) * 100 + Number(frac.padEnd(2, '0'));
  };
  const batch = toColumns(usable);
  batch.columns.amount = Float64Array.from(usable, (c) => (c.amount == null ? NaN : cents(c.amount)));
  // "1250.00" is 125000 hundredths; "2600" is 260000.
  assert.ok(batch.columns.amount.includes(125000) && batch.columns.amount.includes(260000));
  compare(engine, engine.evaluate(usable, NOW), engine.evaluateColumns({ ...batch, scales: { amount: 2 } }, NOW));
  // Scale 0: whole units. 1250 at scale 0 equals "1250.00".
  const one = [{ ...usable.find((c) => c.amount === '1250.00'), amount: '1250' }];
  const whole = toColumns(one);
  whole.columns.amount = Float64Array.of(1250);
  compare(engine, engine.evaluate(one, NOW), engine.evaluateColumns({ ...whole, scales: { amount: 0 } }, NOW));
  // Refused, naming what is wrong: a fraction, a scale out of range, a key that is not
  // money, a money column not given as numbers, a scale for a column the batch lacks.
  const refused = [
    [{ ...batch, columns: { ...batch.columns, amount: Float64Array.from(batch.columns.amount, (x, i) => (i === 0 ? 1.5 : x)) }, scales: { amount: 2 } },
      /column `amount` row 0: 1.5 is not a whole number of 10\^-2 units/],
    [{ ...batch, scales: { amount: 19 } }, /`scales.amount` must be a whole number from 0 to 18/],
    [{ ...batch, scales: { amount: 1.5 } }, /`scales.amount` must be a whole number from 0 to 18/],
    [{ ...batch, scales: { fraud_score: 2 } }, /`scales.fraud_score`: `fraud_score` is not a money field/],
    [{ ...toColumns(usable), scales: { amount: 2 } }, /`scales.amount`: column `amount` must be a Float64Array/],
    [{ ...toColumns(usable.map(({ amount, ...c }) => c)), scales: { amount: 2 } }, /`scales.amount`: the batch has no money column `amount`/],
    [{ ...batch, scales: 2 }, /`scales` must be an object/],
  ];
  for (const [b, re] of refused) {
    assert.throws(() => engine.evaluateColumns(b, NOW), (e) => e.name === 'ArgumentError' && re.test(e.message), String(re));
  }
});

test('an earlier result is refilled in place with `into`', () => {
  const engine = new Engine(policy);
  // Two bad cases with different errors, one at each end: `names.errors` (codes in order
  // of first appearance) of the reversed batch lists them in the other order.
  const bad = [{ id: 'X-1', kind: 'refund' }, { id: 'X-2', opened_at: '2026-11-23T08:00:00Z' }];
  const list = [bad[0], ...cases, bad[1]];
  const reversed = [...list].reverse();
  const first = engine.evaluateColumns(toColumns(reversed), NOW);
  assert.deepEqual(first.names.errors, ['missing_kind', 'missing_opened_at']);
  const [queue, due] = [first.queue, first.sla.resolution.due];
  const again = engine.evaluateColumns(toColumns(list), NOW, first);
  // The same object and the same arrays, every row rewritten with the second batch's
  // outcomes (rows that were errors in the first batch included).
  assert.equal(again, first);
  assert.equal(first.queue, queue);
  assert.equal(first.sla.resolution.due, due);
  assert.deepEqual(first.names.errors, ['missing_opened_at', 'missing_kind']);
  compare(engine, engine.evaluate(list, NOW), first);
  // `null` or `undefined`: new arrays, as without the argument.
  const fresh = engine.evaluateColumns(toColumns(list), NOW, null);
  assert.notEqual(fresh, first);
  assert.deepEqual(Array.from(fresh.queue), Array.from(first.queue));
  // A result that does not fit is refused before anything is written.
  const before = Array.from(first.queue);
  const refused = (into, re) =>
    assert.throws(() => engine.evaluateColumns(toColumns(reversed), NOW, into), (e) => e.name === 'ArgumentError' && re.test(e.message));
  refused(engine.evaluateColumns(toColumns(cases), NOW), /`into` must be an earlier evaluateColumns result with `length` 17/);
  refused({ ...first, queue: new Float64Array(list.length) }, /`into\.queue` is not an array of 17 entries/);
  refused({ ...first, band: new Int32Array(3) }, /`into\.band` is not an array of 17 entries/);
  refused({ ...first, sla: { ...first.sla, response: {} } }, /`into\.sla\.response\.state`/);
  refused({ ...first, names: undefined }, /`into\.names` is missing/);
  refused('results', /`into` must be an earlier evaluateColumns result/);
  assert.deepEqual(Array.from(first.queue), before);
  engine.free();
});

test('50,000 cases in one columnar call', (t) => {
  const engine = new Engine(policy);
  const n = 50_000;
  const many = Array.from({ length: n }, (_, i) => ({ ...cases[i % cases.length], id: `B-${i}` }));
  const batch = toColumns(many);
  let t0 = performance.now();
  const col = engine.evaluateColumns(batch, NOW);
  const colMs = performance.now() - t0;
  t0 = performance.now();
  const objs = engine.evaluate(many, NOW);
  const objMs = performance.now() - t0;
  t.diagnostic(`columnar: ${colMs.toFixed(0)} ms for ${n} cases; objects: ${objMs.toFixed(0)} ms`);
  assert.equal(col.length, n);
  assert.equal(col.queue.length, n);
  compare(engine, objs.slice(0, 2 * cases.length), {
    ...col,
  });
  // Every repetition of a case is decided the same way.
  for (let i = 0; i < n; i++) assert.equal(col.queue[i], col.queue[i % cases.length]);
  engine.free();
});
