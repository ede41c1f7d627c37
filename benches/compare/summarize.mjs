// Turns results.ndjson (one JSON line per measurement) into markdown tables (results.md,
// the source of BENCHMARKS.md's results): medians with spread, cases per second, and
// ratios within the run.
import { readFileSync } from 'node:fs';
import os from 'node:os';

const lines = readFileSync(process.argv[2], 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
const rows = lines.filter((r) => r.name !== undefined);
const rounds = lines.filter((r) => r.round !== undefined);
const zenRounds = lines.filter((r) => r.zen_round !== undefined);
const by = (prefix) => rows.find((r) => r.name.startsWith(prefix));
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const rate = (ns) => `${(1e9 / ns / 1e6).toFixed(2)} M`;
const cpu = (readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) || [, '?'])[1];
console.log(`Machine: ${os.cpus().length} cores (nproc), ${cpu}; node ${process.version}; ${new Date().toISOString()}\n`);

console.log('| measurement | ns/case (median) | spread (min–max) | cases/s per core |');
console.log('|---|---:|---:|---:|');
for (const r of rows) {
  const unit = r.cases === 1 ? ' (per call, ns)' : '';
  console.log(`| ${r.name}${unit} | ${fmt(r.ns_per_case)} | ${fmt(r.min)}–${fmt(r.max)} | ${r.cases === 1 ? '—' : rate(r.ns_per_case)} |`);
}

const native = by('rust: batch (evaluate_batch)');
const columnar = by('rust: columnar batch');
const json = by('rust: decode JSON + full evaluation');
const jsonText = by('rust: decode JSON + full evaluation + render JSON');
// The native Rust batch path that takes the same input and gives the same output as each
// binding path: columns for the columnar APIs; JSON text to JSON text for the C JSON call
// and the wasm objects (which return outcomes, built from JSON text); JSON text to
// outcomes otherwise.
const same = (name) =>
  /columnar/.test(name) ? columnar : /^c: JSON|objects/.test(name) ? jsonText ?? json : /JSON/.test(name) ? json : native;
console.log('\n**Bindings vs the native Rust batch paths** (full evaluation, same 10,000 cases; ratio = ns/case ÷ the native ns/case, lower is better). "× evaluate_batch": against `Engine::evaluate_batch` on cases decoded beforehand (no input handling at all). "× native, same input": against the native Rust batch path that takes the same input: `Engine::evaluate_columns` on the same columns for the columnar paths, JSON decoding + evaluation for the JSON and object paths — what the boundary itself costs.\n');
console.log('| path | ns/case | × evaluate_batch | × native, same input (which) |');
console.log('|---|---:|---:|---:|');
for (const p of ['rust: batch (evaluate_batch)', 'rust: columnar batch', 'rust: decode JSON + full evaluation', 'rust: render outcomes', 'c: columnar', 'c: JSON', 'wasm: columnar', 'wasm: objects']) {
  for (const r of rows.filter((x) => x.name.startsWith(p))) {
    const base = same(r.name);
    const w = base ? `${(r.ns_per_case / base.ns_per_case).toFixed(2)}× (${base.name.replace(/^rust: /, '').replace(/, full evaluation$/, '')})` : '—';
    console.log(`| ${r.name} | ${fmt(r.ns_per_case)} | ${(r.ns_per_case / native.ns_per_case).toFixed(2)}× | ${w} |`);
  }
}

const docket = by('rust: routing only (docket)');
const route = by('rust: routing only (docket Engine::route)');
console.log('\n**Docket routing vs peers** (same routing table, same cases, answers checked equal; ratio = peer ns/case ÷ Docket native routing ns/case: a full evaluation on the routing-only policy, an outcome per case; and `Engine::route`, the routing decision alone, a `Route` per case)\n');
console.log('| engine | ns/case | Docket (evaluate) is … × faster | Docket (`Engine::route`) is … × faster |');
console.log('|---|---:|---:|---:|');
for (const p of ['rust: routing only (docket)', 'rust: routing only (docket Engine::route)', 'wasm: routing only', 'rust: routing only (zen-engine', 'node: routing only (json-logic-js)', 'node: routing only (json-rules-engine)', 'node: routing only (@gorules/zen-engine)']) {
  const r = by(p);
  const vs = (d) => (d ? `${(r.ns_per_case / d.ns_per_case).toFixed(0)}×` : '—');
  if (r) console.log(`| ${r.name} | ${fmt(r.ns_per_case)} | ${vs(docket)} | ${vs(route)} |`);
}

const one = by('rust: batch + report, 1 thread');
const many = rows.find((r) => /batch \+ report, \d+ threads/.test(r.name));
if (one && many) {
  console.log(`\n**Multi-core**: ${many.name}: ${fmt(many.ns_per_case)} ns/case vs 1 thread ${fmt(one.ns_per_case)} → scaling ${(one.ns_per_case / many.ns_per_case).toFixed(2)}× (${rate(many.ns_per_case)} cases/s in all)`);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const range = (xs, d = 2) => `${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)}`;
if (rounds.length > 0) {
  const c = rounds.map((r) => r.c_columnar / r.native_columnar);
  const w = rounds.map((r) => r.wasm_columnar_into / r.native_columnar);
  const j = rounds.map((r) => r.json_rules_engine / r.route);
  console.log('\n**Interleaved rounds**: each path measured seconds from the one it is compared with. Columnar: native, C, wasm (refilling an earlier result), C, native — native and C the lower of their two averages over 40 calls, wasm its median; ratio to the native columnar ns/case of the same round. Routing: `Engine::route`, json-rules-engine, `Engine::route` — the lower of the two averages over 400 calls; json-rules-engine its median.\n');
  console.log('| round | native columnar | C columnar (×) | wasm columnar, refilling (×) | `Engine::route` | json-rules-engine (× slower) |');
  console.log('|---:|---:|---:|---:|---:|---:|');
  for (const [i, r] of rounds.entries()) {
    console.log(`| ${r.round} | ${fmt(r.native_columnar)} | ${fmt(r.c_columnar)} (${c[i].toFixed(2)}×) | ${fmt(r.wasm_columnar_into)} (${w[i].toFixed(2)}×) | ${fmt(r.route)} | ${fmt(r.json_rules_engine)} (${j[i].toFixed(0)}×) |`);
  }
  console.log(`\nMedians of the rounds: C ${median(c).toFixed(2)}× (${range(c)}), wasm ${median(w).toFixed(2)}× (${range(w)}), json-rules-engine ${median(j).toFixed(0)}× (${range(j, 0)}) \`Engine::route\`.`);
}
if (zenRounds.length > 0) {
  const z = zenRounds.map((r) => r.zen / r.route);
  console.log('\n**Interleaved rounds, ZEN** (in `compare run`: `Engine::route`, ZEN, `Engine::route`; the lower `Engine::route` median; ns/case)\n');
  console.log('| round | `Engine::route` | ZEN, precompiled (× slower) |');
  console.log('|---:|---:|---:|');
  for (const [i, r] of zenRounds.entries()) console.log(`| ${r.zen_round} | ${fmt(r.route)} | ${fmt(r.zen)} (${z[i].toFixed(0)}×) |`);
  console.log(`\nMedian of the rounds: ZEN ${median(z).toFixed(0)}× (${range(z, 0)}) \`Engine::route\`.`);
}
