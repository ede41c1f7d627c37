// Peer engines in Node on Docket's routing table (the example policy's, hit "first") and
// the same 10,000 generated cases (benches/compare/run.sh): json-rules-engine, JsonLogic
// (json-logic-js) and GoRules ZEN's Node binding. The tables are translated from the
// policy's routing rules; money tests compare the EUR-converted amount in facts.ndjson.
// Every engine's answers are checked against Docket's (routing.tsv) before timing: any
// mismatch fails the run.
//
// Usage: node peers.mjs DIR   (DIR from `compare gen`)
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const dir = process.argv[2];
const read = (f) => readFileSync(`${dir}/${f}`, 'utf8');
const facts = read('facts.ndjson').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const want = read('routing.tsv').split('\n').filter(Boolean);
const n = facts.length;
const rules = JSON.parse(read('routing.policy.json')).routing.rules;

// DOCKET_BENCH_ONLY=TEXT: after the answer checks, time only the engines whose row name
// contains TEXT (run.sh's interleaved rounds).
const only = process.env.DOCKET_BENCH_ONLY;

function report(name, ns, samples, reps) {
  ns.sort((a, b) => a - b);
  console.log(JSON.stringify({ name, ns_per_case: ns[samples >> 1], min: ns[0], max: ns[samples - 1], samples, cases: n, reps }));
}
async function measureAsync(name, samples, f) {
  if (only && !name.includes(only)) return;
  let t = process.hrtime.bigint();
  await f();
  const once = Math.max(Number(process.hrtime.bigint() - t) / 1e9, 1e-9);
  const reps = Math.max(1, Math.ceil(0.02 / once));
  const ns = [];
  for (let s = 0; s < samples; s++) {
    t = process.hrtime.bigint();
    for (let r = 0; r < reps; r++) await f();
    ns.push(Number(process.hrtime.bigint() - t) / (reps * n));
  }
  report(name, ns, samples, reps);
}
function measure(name, samples, f) {
  if (only && !name.includes(only)) return;
  let t = process.hrtime.bigint();
  f();
  const once = Math.max(Number(process.hrtime.bigint() - t) / 1e9, 1e-9);
  const reps = Math.max(1, Math.ceil(0.02 / once));
  const ns = [];
  for (let s = 0; s < samples; s++) {
    t = process.hrtime.bigint();
    for (let r = 0; r < reps; r++) f();
    ns.push(Number(process.hrtime.bigint() - t) / (reps * n));
  }
  report(name, ns, samples, reps);
}
function check(name, got) {
  let bad = 0;
  for (let i = 0; i < n; i++) {
    if (got[i] !== want[i]) {
      if (bad < 5) console.error(`${name} mismatch at case ${i}: ${JSON.stringify(got[i])} vs docket ${JSON.stringify(want[i])}; facts ${JSON.stringify(facts[i])}`);
      bad++;
    }
  }
  if (bad) {
    console.error(`FAIL: ${name} disagrees with Docket on ${bad} of ${n} cases`);
    process.exit(1);
  }
  console.error(`${name}: all ${n} routing answers equal Docket's`);
}
// A Docket test ("v", ["v","w"], ">= 0.8", true) as parts: [op, value].
function parse(test) {
  if (Array.isArray(test)) return ['in', test];
  if (typeof test === 'string') {
    const m = /^(>=|<=|>|<|!=)\s*(.+)$/.exec(test);
    if (m) return [m[1], Number(m[2])];
    return ['==', test];
  }
  return ['==', test];
}
const answer = (r) => `${r.then.queue}\t${r.then.priority}`;

// ---- JsonLogic: one "if" chain, first rule that holds ---------------------------------
{
  const jsonLogic = require('json-logic-js');
  const chain = [];
  for (const r of rules) {
    const conds = Object.entries(r.when).map(([f, t]) => {
      const [op, v] = parse(t);
      return op === 'in' ? { in: [{ var: f }, v] } : op === '==' ? { '===': [{ var: f }, v] } : { [op]: [{ var: f }, v] };
    });
    chain.push(conds.length ? { and: conds } : true, answer(r));
  }
  chain.push('\t');
  const logic = { if: chain };
  const got = facts.map((f) => jsonLogic.apply(logic, f));
  check('json-logic-js', got);
  measure('node: routing only (json-logic-js)', 9, () => {
    for (let i = 0; i < n; i++) jsonLogic.apply(logic, facts[i]);
  });
}

// ---- json-rules-engine: one rule per row, descending priority, stop at the first hit ---
{
  const { Engine } = require('json-rules-engine');
  const ops = { '==': 'equal', '!=': 'notEqual', '>=': 'greaterThanInclusive', '>': 'greaterThan', '<=': 'lessThanInclusive', '<': 'lessThan', in: 'in' };
  const engine = new Engine([], { allowUndefinedFacts: true });
  rules.forEach((r, i) => {
    const all = Object.entries(r.when).map(([f, t]) => {
      const [op, v] = parse(t);
      return op === 'in' ? { fact: f, operator: 'in', value: v } : { fact: f, operator: ops[op], value: v };
    });
    engine.addRule({
      name: r.id,
      priority: rules.length - i,
      conditions: { all },
      event: { type: 'route', params: { answer: answer(r) } },
    });
  });
  engine.on('success', () => engine.stop()); // hit policy "first": later priorities are skipped
  const route = async (f) => {
    const { events } = await engine.run(f);
    return events.length ? events[0].params.answer : '\t';
  };
  const got = [];
  for (const f of facts) got.push(await route(f));
  check('json-rules-engine', got);
  await measureAsync('node: routing only (json-rules-engine)', 5, async () => {
    for (let i = 0; i < n; i++) await route(facts[i]);
  });
}

// ---- ZEN's Node binding (@gorules/zen-engine), precompiled decision --------------------
{
  let zen;
  try {
    zen = require('@gorules/zen-engine');
  } catch (e) {
    console.error(`@gorules/zen-engine unavailable: ${e.message}`);
  }
  if (zen) {
    const engine = new zen.ZenEngine();
    const decision = engine.createDecision(JSON.parse(read('routing.jdm.json')));
    const route = async (f) => {
      const { result } = await decision.evaluate(f);
      return `${result.queue ?? ''}\t${result.priority ?? ''}`;
    };
    const got = [];
    for (const f of facts) got.push(await route(f));
    check('@gorules/zen-engine (Node)', got);
    await measureAsync('node: routing only (@gorules/zen-engine)', 5, async () => {
      for (let i = 0; i < n; i++) await route(facts[i]);
    });
    engine.dispose();
  }
}
