// Throughput of the WebAssembly binding in Node on the shared benchmark workload
// (benches/compare/run.sh): the columnar API (`evaluateColumns`, typed arrays in and out,
// new ones per call or an earlier result's refilled; lists as typed list columns with
// offsets, and as JSON text per case) and the object API
// (`evaluate` on an array of plain objects), 10,000 cases per call.
// Every answer is checked against Docket's native answers (expected.tsv) before timing.
//
// Usage: node bindings-wasm/bench/bench.mjs POLICY.json DIR   (DIR from `compare gen`)
//        DOCKET_BENCH_ONLY=TEXT node ...   times only the measurements whose name has TEXT
// Prints one JSON line per measurement: ns per case, median / min / max of the samples.
import { readFileSync } from 'node:fs';
import { Engine } from '../node.mjs';

const [policyPath, dir] = process.argv.slice(2);
if (!policyPath || !dir) {
  console.error('usage: node bench.mjs POLICY.json DIR');
  process.exit(2);
}
const NOW_S = 1795428000; // 2026-11-23T10:00:00Z
const NOW = NOW_S * 1000;
const read = (f) => readFileSync(`${dir}/${f}`, 'utf8');
const cases = read('cases.ndjson').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const n = cases.length;
const expected = read('expected.tsv').split('\n').filter(Boolean).map((l) => l.split('\t'));

// DOCKET_BENCH_ONLY=TEXT: after the answer checks, time only the measurements whose name
// contains TEXT (run.sh's interleaved rounds time the refilling path alone).
const only = process.env.DOCKET_BENCH_ONLY;
// DOCKET_BENCH_SAMPLES=N: N samples a measurement instead of its default (for a profiler).
const samplesWanted = Number(process.env.DOCKET_BENCH_SAMPLES) || 0;

export function measure(name, cases, samples, f) {
  if (only && !name.includes(only)) return;
  samples = samplesWanted || samples;
  let t = process.hrtime.bigint();
  f();
  const once = Math.max(Number(process.hrtime.bigint() - t) / 1e9, 1e-9);
  const reps = Math.max(1, Math.ceil(0.02 / once));
  const ns = [];
  for (let s = 0; s < samples; s++) {
    t = process.hrtime.bigint();
    for (let r = 0; r < reps; r++) f();
    ns.push(Number(process.hrtime.bigint() - t) / (reps * cases));
  }
  ns.sort((a, b) => a - b);
  console.log(JSON.stringify({ name, ns_per_case: ns[samples >> 1], min: ns[0], max: ns[samples - 1], samples, cases, reps }));
}

// ---- the columnar batches: one typed array per key, strings in one table ---------------
const TIMES = ['opened_at', 'response_at', 'resolution_at'];
const NUMBERS = ['fraud_score', 'vendor_failures_90d', 'orders_affected'];
const BOOLS = ['split_shipment'];
const STRINGS = ['id', 'kind', 'order_id', 'region', 'channel', 'customer_tier', 'currency', 'requested_by'];
// Money in cents (`scales: { amount: 2 }`), as the C bench and the native harness pass it.
const CENTS = ['amount'];
const cents = (a) => {
  const [units, frac = ''] = String(a).split('.');
  return Number(units) * 100 + Number(frac.padEnd(2, '0'));
};
const LISTS = ['paused', 'approvals', 'evidence'];
const seconds = (s) => (s == null ? NaN : Date.parse(s) / 1000);

/**
 * Builds `{ length, strings, columns, offsets? }` from the cases. `listsAsJson`: the
 * lists as JSON text in the string table (one cell per case); otherwise as typed list
 * columns (`paused_from`/`paused_to`, `approval_role`/`approval_by`/`approval_at`,
 * `evidence` items: roles, approvers and items as string-table indexes) with offsets.
 */
function columnar(listsAsJson) {
  const strings = [];
  const index = new Map();
  const intern = (s) => {
    let i = index.get(s);
    if (i === undefined) index.set(s, (i = strings.push(s) - 1));
    return i;
  };
  const columns = {};
  for (const k of STRINGS) columns[k] = new Int32Array(n).fill(-1);
  for (const k of [...TIMES, ...NUMBERS, ...CENTS]) columns[k] = new Float64Array(n).fill(NaN);
  for (const k of BOOLS) columns[k] = new Uint8Array(n).fill(255);
  if (listsAsJson) for (const k of LISTS) columns[k] = new Int32Array(n).fill(-1);
  const items = { from: [], to: [], role: [], by: [], at: [], evidence: [] };
  const offsets = { paused: new Uint32Array(n + 1), approvals: new Uint32Array(n + 1), evidence: new Uint32Array(n + 1) };
  cases.forEach((c, i) => {
    for (const k of STRINGS) if (c[k] != null) columns[k][i] = intern(String(c[k]));
    for (const k of TIMES) if (c[k] != null) columns[k][i] = seconds(c[k]);
    for (const k of NUMBERS) if (c[k] != null) columns[k][i] = c[k];
    for (const k of CENTS) if (c[k] != null) columns[k][i] = cents(c[k]);
    for (const k of BOOLS) if (c[k] != null) columns[k][i] = c[k] ? 1 : 0;
    if (listsAsJson) {
      for (const k of LISTS) if (c[k] != null) columns[k][i] = intern(JSON.stringify(c[k]));
      return;
    }
    for (const p of c.paused ?? []) {
      items.from.push(seconds(p.from));
      items.to.push(seconds(p.to));
    }
    for (const a of c.approvals ?? []) {
      items.role.push(intern(a.role));
      items.by.push(intern(a.by));
      items.at.push(seconds(a.at));
    }
    for (const e of c.evidence ?? []) items.evidence.push(intern(e));
    offsets.paused[i + 1] = items.from.length;
    offsets.approvals[i + 1] = items.role.length;
    offsets.evidence[i + 1] = items.evidence.length;
  });
  const scales = Object.fromEntries(CENTS.map((k) => [k, 2]));
  if (listsAsJson) return { length: n, strings, columns, scales };
  Object.assign(columns, {
    paused_from: Float64Array.from(items.from),
    paused_to: Float64Array.from(items.to),
    approval_role: Int32Array.from(items.role),
    approval_by: Int32Array.from(items.by),
    approval_at: Float64Array.from(items.at),
    evidence: Int32Array.from(items.evidence),
  });
  return { length: n, strings, columns, offsets, scales };
}
// A string table packed: every string's UTF-8 in one buffer plus offsets (one copy into
// wasm memory instead of one conversion per string).
const pack = (list) => {
  const enc = new TextEncoder();
  const parts = list.map((x) => enc.encode(x));
  const offsets = new Uint32Array(parts.length + 1);
  parts.forEach((b, i) => (offsets[i + 1] = offsets[i] + b.length));
  const bytes = new Uint8Array(offsets[parts.length]);
  parts.forEach((b, i) => bytes.set(b, offsets[i]));
  return { bytes, offsets };
};
// Typed list columns (the main form) with a string array and packed; lists as JSON text, packed.
// The string-array and routing-only measurements use the typed list columns too.
const batch = columnar(false);
const packed = { ...batch, strings: pack(batch.strings) };
const jsonBatch = columnar(true);
const jsonPacked = { ...jsonBatch, strings: pack(jsonBatch.strings) };

const engine = new Engine(readFileSync(policyPath, 'utf8'));

// ---- check every answer first --------------------------------------------------------
const due = (x) => (Number.isNaN(x) ? '' : String(x));
const dueOf = (s) => (s == null ? '' : String(Date.parse(s) / 1000));
/** Checks a columnar result against expected.tsv; exits on any difference. */
function checkColumns(name, cols) {
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const e = expected[i];
    const r = cols.sla.response;
    const z = cols.sla.resolution;
    const got = [cols.names.queues[cols.queue[i]], cols.names.priorities[cols.priority[i]],
      r.state[i] < 0 ? '' : cols.names.states[r.state[i]], due(r.due[i]),
      z.state[i] < 0 ? '' : cols.names.states[z.state[i]], due(z.due[i]), String(cols.remaining[i])];
    if (got.join('\t') !== e.join('\t') && bad++ < 5) console.error(`${name} mismatch at ${i}: ${got} vs ${e}`);
  }
  if (bad) {
    console.error(`FAIL: ${name} disagrees on ${bad} of ${n} cases`);
    process.exit(1);
  }
}
checkColumns('wasm columnar (typed lists, packed strings)', engine.evaluateColumns(packed, NOW));
checkColumns('wasm columnar (typed lists, string array)', engine.evaluateColumns(batch, NOW));
// Refilling an earlier result's arrays (`into`, as the C bench writes into arrays it
// allocated once): the same answers, in the same object.
const into = engine.evaluateColumns(jsonPacked, NOW);
if (engine.evaluateColumns(packed, NOW, into) !== into) {
  console.error('FAIL: evaluateColumns(batch, now, into) did not return `into`');
  process.exit(1);
}
checkColumns('wasm columnar (typed lists, packed strings, into an earlier result)', into);
checkColumns('wasm columnar (lists as JSON text, packed strings)', engine.evaluateColumns(jsonPacked, NOW));
const objs = engine.evaluate(cases, NOW);
let badObjs = 0;
for (let i = 0; i < n; i++) {
  const e = expected[i];
  const o = objs[i];
  const gotO = [o.queue, o.priority, o.sla?.response?.state ?? '', dueOf(o.sla?.response?.due),
    o.sla?.resolution?.state ?? '', dueOf(o.sla?.resolution?.due), String(o.approvals?.remaining?.length ?? 0)];
  if (gotO.join('\t') !== e.join('\t') && badObjs++ < 5) console.error(`wasm object mismatch at ${i}: ${gotO} vs ${e}`);
}
if (badObjs) {
  console.error(`FAIL: wasm objects disagree on ${badObjs} of ${n} cases`);
  process.exit(1);
}
console.error(`wasm bench: columnar (typed lists and JSON-text lists) and object answers equal Docket's native ones on all ${n} cases`);

// Routing only, columnar, on the routing-only policy (same table): checked too.
const routing = new Engine(read('routing.policy.json'));
const routed = read('routing.tsv').split('\n').filter(Boolean);
const rc = routing.evaluateColumns(packed, NOW);
let badRouting = 0;
for (let i = 0; i < n; i++) {
  if (`${rc.names.queues[rc.queue[i]]}\t${rc.names.priorities[rc.priority[i]]}` !== routed[i]) badRouting++;
}
if (badRouting) {
  console.error(`FAIL: wasm routing-only disagrees on ${badRouting} of ${n} cases`);
  process.exit(1);
}

measure('wasm: columnar (evaluateColumns, packed strings)', n, 15, () => engine.evaluateColumns(packed, NOW));
measure('wasm: columnar (evaluateColumns into an earlier result, packed strings)', n, 15, () =>
  engine.evaluateColumns(packed, NOW, into));
measure('wasm: columnar (evaluateColumns, packed strings, lists as JSON text)', n, 15, () =>
  engine.evaluateColumns(jsonPacked, NOW));
measure('wasm: columnar (evaluateColumns, string array)', n, 15, () => engine.evaluateColumns(batch, NOW));
measure('wasm: objects (evaluate)', n, 15, () => engine.evaluate(cases, NOW));
measure('wasm: routing only, columnar (packed strings)', n, 15, () => routing.evaluateColumns(packed, NOW));
engine.free();
routing.free();
