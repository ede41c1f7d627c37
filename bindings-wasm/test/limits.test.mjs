// The engine's limits from JavaScript (`new Engine(policy, { limits })`): the defaults
// are the core's, every limit can be set, and each one is hit on every path a value can
// take (JSON text, objects, columns).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, PolicyError, ArgumentError, DocketError } from 'docket-wasm';
import { policy, policyText, cases, NOW, stringTable, scalarColumn, thrown } from './helpers.mjs';

// docket_core::Limits::default().
const DEFAULTS = {
  maxPolicyBytes: 4 << 20,
  maxStringLen: 4096,
  maxListLen: 1000,
  maxCaseBytes: 1 << 20,
  maxCasesPerCall: 1_000_000,
  maxRulesPerTable: 10_000,
  maxWindowsPerDay: 48,
  maxDatesPerCalendar: 20_000,
  maxCalendars: 1000,
  maxMetrics: 64,
  maxEscalationSteps: 64,
  maxBands: 64,
  maxValuesPerField: 100_000,
  maxMemoryBytes: 256 * 1024 * 1024,
};

const c1001 = cases.find((c) => c.id === 'C-1001');

function argError(e, code, path) {
  assert.ok(e instanceof ArgumentError && e instanceof DocketError, String(e));
  assert.deepEqual({ code: e.code, path: e.path }, { code, path }, e.message);
}

function policyLimit(e, path) {
  assert.ok(e instanceof PolicyError, String(e));
  assert.equal(e.code, 'limit_exceeded', e.message);
  assert.equal(e.path, path);
  assert.equal(e.errors[0].code, 'limit_exceeded');
  assert.equal(e.errors[0].path, path);
}

/** Cases as a columnar batch (lists as JSON text). */
function toColumns(list) {
  const { strings, ref } = stringTable();
  const keys = [...new Set(list.flatMap((c) => Object.keys(c)))];
  const columns = Object.fromEntries(keys.map((k) => [k, scalarColumn(k, list.map((c) => c[k]), ref)]));
  return { length: list.length, strings, columns };
}

test('the limits are the core defaults unless given; engine.limits reads them back', () => {
  const e = new Engine(policy);
  assert.deepEqual(e.limits, DEFAULTS);
  e.free();
  for (const options of [undefined, null, {}, { limits: undefined }, { limits: null }, { limits: {} },
    { limits: { maxListLen: undefined } }]) {
    const d = new Engine(policy, options);
    assert.deepEqual(d.limits, DEFAULTS, JSON.stringify(options));
    d.free();
  }
  // Every limit set, each to its own value, all large enough for the example (the memory
  // budget too: its calendars take a few MiB).
  const all = Object.fromEntries(Object.keys(DEFAULTS).map((k, i) => [k, 100_000_000 + i]));
  const f = new Engine(policyText, { limits: all });
  assert.deepEqual(f.limits, all);
  f.free();
  const g = new Engine(policy, { limits: { maxCaseBytes: 5000, maxListLen: 0 } });
  assert.deepEqual(g.limits, { ...DEFAULTS, maxCaseBytes: 5000, maxListLen: 0 });
  g.free();
});

test('malformed options are ArgumentErrors naming the option', () => {
  argError(thrown(() => new Engine(policy, 5)), 'invalid_argument', 'options');
  argError(thrown(() => new Engine(policy, [])), 'invalid_argument', 'options');
  argError(thrown(() => new Engine(policy, { limit: {} })), 'invalid_argument', 'options.limit');
  argError(thrown(() => new Engine(policy, { limits: 3 })), 'invalid_argument', 'options.limits');
  const typo = thrown(() => new Engine(policy, { limits: { maxCaseByte: 1 } }));
  argError(typo, 'invalid_argument', 'options.limits.maxCaseByte');
  assert.match(typo.message, /is not a limit; the limits are maxPolicyBytes, .*maxCaseBytes/);
  argError(thrown(() => new Engine(policy, { limits: { 'max case bytes': 1 } })), 'invalid_argument',
    'options.limits["max case bytes"]');
  for (const bad of [-1, 1.5, NaN, Infinity, '10', 2 ** 53, 10n, null, {}]) {
    argError(thrown(() => new Engine(policy, { limits: { maxCaseBytes: bad } })), 'invalid_argument',
      'options.limits.maxCaseBytes');
  }
});

test('maxPolicyBytes: policy text and policy objects (measured as their JSON text)', () => {
  const n = Buffer.byteLength(policyText);
  policyLimit(thrown(() => new Engine(policyText, { limits: { maxPolicyBytes: n - 1 } })), '');
  new Engine(policyText, { limits: { maxPolicyBytes: n } }).free();
  // An object is measured as its JSON text (no indentation, well under the file's size).
  const compact = Buffer.byteLength(JSON.stringify(policy));
  assert.ok(compact < n - 1000);
  policyLimit(thrown(() => new Engine(policy, { limits: { maxPolicyBytes: compact - 1 } })), '');
  new Engine(policy, { limits: { maxPolicyBytes: compact } }).free();
  // The default applies to objects too: one long string is enough.
  const big = { ...policy, description: 'x'.repeat(DEFAULTS.maxPolicyBytes) };
  const e = thrown(() => new Engine(big));
  policyLimit(e, '');
  assert.match(e.message, /over 4194304 bytes as JSON text/);
});

test('maxRulesPerTable, maxWindowsPerDay, maxDatesPerCalendar: a diagnostic at its JSON pointer', () => {
  // The routing table has 14 rules; eu_ops has two Friday windows and three holidays.
  assert.equal(policy.routing.rules.length, 14);
  for (const p of [policy, policyText]) {
    policyLimit(thrown(() => new Engine(p, { limits: { maxRulesPerTable: 13 } })), '/routing/rules');
    policyLimit(thrown(() => new Engine(p, { limits: { maxWindowsPerDay: 1 } })), '/calendars/eu_ops/week/fri');
    policyLimit(thrown(() => new Engine(p, { limits: { maxDatesPerCalendar: 2 } })), '/calendars/eu_ops/holidays');
    new Engine(p, { limits: { maxRulesPerTable: 14, maxWindowsPerDay: 2, maxDatesPerCalendar: 3 } }).free();
  }
});

test('maxStringLen: an id over it is id_too_long, as an object, as JSON text and in a column', () => {
  // C-1001's longest strings are `requested_by` agent-17 and `opened_at` (not a string
  // kept), so 8 bytes keep everything but a longer id.
  const engine = new Engine(policy, { limits: { maxStringLen: 8 } });
  const long = { ...c1001, id: 'C-1001-XY' }; // 9 bytes
  const fits = { ...c1001, id: 'C-1001' };
  const [a, b, c] = engine.evaluate([long, JSON.stringify(long), fits], NOW);
  assert.equal(a.error.code, 'id_too_long');
  assert.equal(b.error.code, 'id_too_long');
  assert.equal(c.queue, 'refund_validation');
  const col = engine.evaluateColumns(toColumns([long, fits]), NOW);
  assert.deepEqual([...col.error].map((i) => col.names.errors[i] ?? null), ['id_too_long', null]);
  // A requested_by over the limit is a bad_type issue.
  const [r] = engine.evaluate([{ ...fits, requested_by: 'agent-1700' }], NOW);
  assert.ok(r.issues.some((i) => i.code === 'bad_type' && i.field === 'requested_by'), JSON.stringify(r.issues));
  engine.free();
});

test('maxListLen: a longer evidence list is a bad_type issue, as an object and as typed list columns', () => {
  const engine = new Engine(policy, { limits: { maxListLen: 1 } });
  const two = { ...c1001, evidence: ['refund_receipt', 'rma_number'] };
  const one = { ...c1001, evidence: ['refund_receipt'] };
  const [a, b] = engine.evaluate([two, one], NOW);
  assert.ok(a.issues.some((i) => i.code === 'bad_type' && i.field === 'evidence'), JSON.stringify(a.issues));
  assert.deepEqual(b.issues, []);
  // The same as typed list columns: case 0 owns items 0 and 1, case 1 item 2.
  const batch = toColumns([one, one]);
  const base = batch.strings.length;
  batch.strings.push('refund_receipt', 'rma_number');
  batch.columns.evidence = Int32Array.of(base, base + 1, base);
  batch.offsets = { evidence: Uint32Array.of(0, 2, 3) };
  const col = engine.evaluateColumns(batch, NOW);
  assert.deepEqual([...col.issues], [1, 0]);
  engine.free();
});

test('maxCaseBytes: a case over it is too_large (object, JSON text, list text in a column); the rest of the batch is decided', () => {
  const json = JSON.stringify(c1001);
  // The object is measured as its JSON text: C-1001 fits a limit of exactly its size.
  const engine = new Engine(policy, { limits: { maxCaseBytes: json.length } });
  const note = 'x'.repeat(64);
  const big = { ...c1001, note };
  const nested = { ...c1001, extra: { deeper: [{ note }] } }; // a key the policy does not use
  const outs = engine.evaluate([big, JSON.stringify(big), nested, c1001, json], NOW);
  assert.deepEqual(outs.map((o) => o.error?.code ?? o.queue),
    ['too_large', 'too_large', 'too_large', 'refund_validation', 'refund_validation']);
  assert.equal(outs[3].sla.resolution.state, 'breached');
  // Surrounding whitespace is not part of the record: C-1001's text padded far past the
  // limit still fits it (the padding is judged before the text is copied into wasm).
  const padded = `${'\n'.repeat(5000)}${json}${' \t'.repeat(5000)}`;
  assert.equal(engine.evaluateCase(padded, NOW).queue, 'refund_validation');
  assert.equal(engine.evaluateCase(`${padded}x`, NOW).error.code, 'too_large');
  // Not a measure of anything else: half the limit is too small for C-1001 itself.
  const small = new Engine(policy, { limits: { maxCaseBytes: Math.floor(json.length / 2) } });
  assert.deepEqual(small.evaluate([c1001, json], NOW).map((o) => o.error?.code), ['too_large', 'too_large']);
  assert.equal(small.report([c1001], NOW).errors, 1);
  // A list given as JSON text in a column is one record's text.
  const tiny = new Engine(policy, { limits: { maxCaseBytes: 40 } });
  const batch = toColumns([{ ...c1001, approvals: undefined }, c1001]);
  const col = tiny.evaluateColumns(batch, NOW);
  assert.equal(col.names.errors[col.error[1]], 'too_large');
  assert.equal(col.error[0], -1);
  for (const e of [engine, small, tiny]) e.free();
});

test('maxCasesPerCall: evaluate, report and a columnar length over it are limit_exceeded', () => {
  const engine = new Engine(policy, { limits: { maxCasesPerCall: 2 } });
  assert.equal(engine.evaluate([c1001, c1001], NOW).length, 2);
  argError(thrown(() => engine.evaluate([c1001, c1001, c1001], NOW)), 'limit_exceeded', 'cases');
  argError(thrown(() => engine.report([c1001, c1001, c1001], NOW)), 'limit_exceeded', 'cases');
  const batch = toColumns([c1001, c1001, c1001]);
  argError(thrown(() => engine.evaluateColumns(batch, NOW)), 'limit_exceeded', 'length');
  assert.equal(engine.evaluateColumns({ ...batch, length: 2 }, NOW).length, 2);
  engine.free();
});

test('maxCalendars, maxMetrics, maxEscalationSteps, maxBands, maxValuesPerField, maxMemoryBytes: a diagnostic at its list', () => {
  // The example declares 4 calendars, 2 metrics, 3 escalation steps, 4 bands and 12
  // values of `kind` (its largest enum); one less than each is the diagnostic at that
  // list, the count itself compiles. eu_ops, the first calendar, precomputes far more
  // than 1,000 bytes of working intervals.
  assert.equal(Object.keys(policy.calendars).length, 4);
  assert.equal(policy.sla.escalation.length, 3);
  assert.equal(policy.fields.kind.values.length, 12);
  const cases = [
    ['maxCalendars', 4, '/calendars'],
    ['maxMetrics', 2, '/sla/metrics'],
    ['maxEscalationSteps', 3, '/sla/escalation'],
    ['maxBands', 4, '/sla/bands/limits'],
    ['maxValuesPerField', 12, '/fields/kind/values'],
  ];
  for (const [name, n, path] of cases) {
    policyLimit(thrown(() => new Engine(policy, { limits: { [name]: n - 1 } })), path);
    new Engine(policy, { limits: { [name]: n } }).free();
  }
  policyLimit(thrown(() => new Engine(policy, { limits: { maxMemoryBytes: 1000 } })), '/calendars/eu_ops');
});
