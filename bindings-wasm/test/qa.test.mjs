// QA in the npm package (tests/conformance/qa.json, docs/reports.md): the `seed` option
// replaces the policy's qa.seed; the QA keys given as typed list columns, as JSON text
// per case and as objects decide alike; the columnar QA outputs carry what the outcomes say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Engine, ArgumentError } from 'docket-wasm';
import { stringTable, scalarColumn } from './helpers.mjs';

const fx = JSON.parse(readFileSync(new URL('../../tests/conformance/qa.json', import.meta.url), 'utf8'));
const seconds = (s) => (s == null ? NaN : Date.parse(s) / 1000);
const sampled = (outcomes) => outcomes.filter((o) => o.qa?.sample).map((o) => o.id);

test('the seed option replaces the policy seed', () => {
  // HMAC-SHA256(seed, id) below 2^63 (rate 0.5) for refunds; Q-5 is high_value (rate 1).
  // "policy-seed": Q-6 (22a6b683...) and Q-7 (34148f1d...); Q-1 (c16e...), Q-2 (83ae...),
  // Q-4 (805d...) are not. "audit-2026": Q-1 (2891...), Q-4 (1354...), Q-7 (7fa7...).
  const own = new Engine(fx.policy);
  assert.deepEqual(sampled(own.evaluate(fx.cases, fx.now)), ['Q-5', 'Q-6', 'Q-7']);
  const seeded = new Engine(fx.policy, { seed: 'audit-2026' });
  assert.deepEqual(sampled(seeded.evaluate(fx.cases, fx.now)), ['Q-1', 'Q-4', 'Q-5', 'Q-7']);
  assert.deepEqual(seeded.strata, ['high_value', 'refunds', 'other']);
  // The same cases whatever the batch: one at a time, in reverse order.
  const one = [...fx.cases].reverse().map((c) => seeded.evaluateCase(c, fx.now)).reverse();
  assert.deepEqual(sampled(one), ['Q-1', 'Q-4', 'Q-5', 'Q-7']);
  for (const bad of [{ seed: 42 }, { seed: {} }]) {
    assert.throws(() => new Engine(fx.policy, bad), (e) => e instanceof ArgumentError && e.path === 'options.seed');
  }
  assert.throws(() => new Engine(fx.policy, { sead: 'x' }), (e) => e instanceof ArgumentError && e.path === 'options.sead');
  own.free();
  seeded.free();
});

/** The batch's QA keys as typed list columns (`typed`) or as JSON text per case. */
function build(list, lists) {
  const { strings, ref } = stringTable();
  const n = list.length;
  const columns = {};
  const qaKeys = new Set(['escalations', 'closed_by', 'approvals', 'evidence']);
  for (const k of new Set(list.flatMap((c) => Object.keys(c)))) {
    if (!qaKeys.has(k)) columns[k] = scalarColumn(k, list.map((c) => c[k]), ref);
  }
  const text = (k) => Int32Array.from(list.map((c) => (c[k] === undefined ? -1 : ref(JSON.stringify(c[k])))));
  columns.approvals = text('approvals');
  columns.evidence = text('evidence');
  if (lists === 'json') {
    columns.escalations = text('escalations');
    columns.closed_by = text('closed_by');
    return { length: n, strings, columns };
  }
  const it = { level: [], at: [], roles: [] };
  const offsets = { escalations: new Uint32Array(n + 1), closed_by: new Uint32Array(n + 1) };
  list.forEach((c, i) => {
    for (const e of c.escalations ?? []) { it.level.push(e.level); it.at.push(seconds(e.at)); }
    for (const r of c.closed_by?.roles ?? []) it.roles.push(ref(r));
    offsets.escalations[i + 1] = it.level.length;
    offsets.closed_by[i + 1] = it.roles.length;
  });
  Object.assign(columns, {
    escalation_level: Float64Array.from(it.level),
    escalation_at: Float64Array.from(it.at),
    closed_by_id: Int32Array.from(list.map((c) => (c.closed_by ? ref(c.closed_by.id) : -1))),
    closed_by_roles: Int32Array.from(it.roles),
  });
  return { length: n, strings, columns, offsets };
}

test('columnar QA outputs match the outcomes, with QA keys typed or as JSON text', () => {
  const e = new Engine(fx.policy, { seed: 'audit-2026' });
  // Every case here that lacks `escalations` has no escalation level due (responded in
  // time, or closed before the first step): carrying an empty list changes nothing.
  const list = fx.cases.filter((c) => c.id !== 'Q-8');
  const outcomes = e.evaluate(list, fx.now);
  const want = outcomes.map((o) => ({
    misrouted: o.qa.misrouted ? 1 : 0,
    late: o.qa.late_escalations.length,
    without: (o.qa.closed_without?.approvals ? 1 : 0) | (o.qa.closed_without?.evidence ? 2 : 0),
    barred: o.qa.closed_by_barred ? 1 : 0,
    stratum: o.qa.sample ? e.strata.indexOf(o.qa.sample.stratum) : -1,
    issues: o.issues.length,
  }));
  // From the fixture's reasoning: Q-1 misrouted and late; Q-4 without both, barred.
  assert.deepEqual(want[0], { misrouted: 1, late: 1, without: 0, barred: 0, stratum: 1, issues: 0 });
  assert.deepEqual(want[3], { misrouted: 0, late: 0, without: 3, barred: 1, stratum: 1, issues: 0 });
  for (const lists of ['typed', 'json']) {
    const col = e.evaluateColumns(build(list, lists), fx.now);
    const got = list.map((_, i) => ({
      misrouted: col.qa_misrouted[i],
      late: col.qa_late_escalations[i],
      without: col.qa_closed_without[i],
      barred: col.qa_closed_by_barred[i],
      stratum: col.qa_stratum[i],
      issues: col.issues[i],
    }));
    assert.deepEqual(got, want, lists);
    assert.deepEqual(col.names.strata, ['high_value', 'refunds', 'other']);
    // Refilled in place.
    const again = e.evaluateColumns(build(list, lists), fx.now, col);
    assert.equal(again, col);
    assert.equal(again.qa_late_escalations[1], 1);
  }
  e.free();
});

test('QA list columns come in groups', () => {
  const e = new Engine(fx.policy);
  const { strings, ref } = stringTable();
  const base = {
    id: Int32Array.from([ref('Q-1')]),
    kind: Int32Array.from([ref('refund')]),
    opened_at: Float64Array.from([seconds('2026-11-23T00:00:00Z')]),
  };
  const offsets = (k) => ({ [k]: Uint32Array.from([0, 1]) });
  const cases = [
    [{ ...base, escalation_level: Float64Array.from([1]) }, offsets('escalations'), 'columns.escalation_level'],
    [{ ...base, closed_by_roles: Int32Array.from([ref('agent')]) }, offsets('closed_by'), 'columns.closed_by_roles'],
    [
      { ...base, escalations: Int32Array.from([ref('[]')]), escalation_level: Float64Array.from([1]), escalation_at: Float64Array.from([0]) },
      offsets('escalations'),
      'columns.escalations',
    ],
  ];
  for (const [columns, off, path] of cases) {
    assert.throws(
      () => e.evaluateColumns({ length: 1, strings, columns, offsets: off }, fx.now),
      (err) => err instanceof ArgumentError && err.path === path,
      path,
    );
  }
  e.free();
});
