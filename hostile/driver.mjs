// The npm package's side of scripts/hostile: a thin command over the package built in
// bindings-wasm/pkg (loaded through bindings-wasm/node.mjs, the package's Node entry
// point) that prints what the package returns, so that the script judges its answers as
// it judges the command line's and the C library's.
//
//   node driver.mjs compile POLICY [LIMIT=N ...]          "ok", or the error (below)
//   node driver.mjs eval POLICY CASES NOW [LIMIT=N ...]   one outcome per line (JSON)
//   node driver.mjs report POLICY CASES NOW               the report (JSON)
//   node driver.mjs deep-policy N                         a policy object nested N deep
//   node driver.mjs circular POLICY                       a policy object inside itself
//   node driver.mjs surrogate POLICY                      lone surrogates: actor id, case
//   node driver.mjs use-after-free POLICY                 calls after engine.free()
//   node driver.mjs proto POLICY CASES NOW                own `__proto__` keys (below)
//
// A thrown error prints "error CODE PATH CLASS" and, on the next line, its `errors` (a
// policy's diagnostics) as JSON. CASES ending in `.json` is one JSON array, parsed here
// into objects (case objects are measured against maxCaseBytes as they are read);
// otherwise NDJSON, each line given as JSON text (decoded as UTF-8). LIMIT is a field
// of the core's Limits in snake case (max_string_len=8), given as `options.limits`.
// On exit it prints the size of the module's memory on stderr (`wasm-memory-mb: 2.1`).
import { readFileSync } from 'node:fs';
import { Engine } from '../bindings-wasm/node.mjs';
// node.mjs has instantiated the module; initSync() returns that instance's exports.
import { initSync } from '../bindings-wasm/pkg/docket_wasm.js';

// The module's linear memory only grows: its size at exit is the most the package held.
process.on('exit', () => {
  console.error(`wasm-memory-mb: ${(initSync().memory.buffer.byteLength / 1e6).toFixed(1)}`);
});

const [mode, ...args] = process.argv.slice(2);

function limits(list) {
  const l = {};
  for (const a of list) {
    const [k, v] = a.split('=');
    l[k.replace(/_([a-z])/g, (_, c) => c.toUpperCase())] = Number(v);
  }
  return { limits: l };
}

function printError(e) {
  if (typeof e?.code !== 'string') throw e; // not a coded error: let it fail the item
  console.log(`error ${e.code} ${e.path === '' ? '-' : e.path} ${e.constructor.name}`);
  console.log(JSON.stringify(e.errors ?? []));
}

function attempt(f) {
  try {
    f();
  } catch (e) {
    printError(e);
  }
}

function readCases(file) {
  const bytes = readFileSync(file);
  if (file.endsWith('.json')) return JSON.parse(bytes.toString('utf8'));
  const lines = [];
  let start = 0;
  const decoder = new TextDecoder('utf-8');
  while (start < bytes.length) {
    let end = bytes.indexOf(10, start);
    if (end < 0) end = bytes.length;
    if (end > start) lines.push(decoder.decode(bytes.subarray(start, end)));
    start = end + 1;
  }
  return lines;
}

const policyText = (file) => readFileSync(file, 'utf8');

switch (mode) {
  case 'compile':
    attempt(() => {
      new Engine(policyText(args[0]), limits(args.slice(1))).free();
      console.log('ok');
    });
    break;
  case 'eval':
  case 'report':
    attempt(() => {
      const engine = new Engine(policyText(args[0]), limits(args.slice(3)));
      const cases = readCases(args[1]);
      if (mode === 'eval') {
        for (const o of engine.evaluate(cases, args[2])) console.log(JSON.stringify(o));
      } else {
        console.log(JSON.stringify(engine.report(cases, args[2])));
      }
    });
    break;
  case 'deep-policy':
    attempt(() => {
      let deep = [];
      for (let i = 1; i < Number(args[0]); i++) deep = [deep];
      new Engine({ docket: 1, deep });
      console.log('ok');
    });
    break;
  case 'circular':
    attempt(() => {
      const policy = JSON.parse(policyText(args[0]));
      policy.routing.rules[2].when.loop = policy.routing;
      new Engine(policy);
      console.log('ok');
    });
    break;
  case 'surrogate': {
    // A lone surrogate in an actor id is an ArgumentError (printed first); in a case (a
    // value, as an object and as JSON text) it is that case's bad_json.
    const engine = new Engine(policyText(args[0]));
    const c = { id: 'C-\uD800', kind: 'refund', amount: '120.00', order_id: 'O-1', opened_at: '2026-11-23T08:00:00Z' };
    const good = { ...c, id: 'C-1' };
    attempt(() => {
      engine.authorize(good, { id: 'u-\uDC00', roles: ['team_lead'] }, 'close');
      console.log('ok');
    });
    const outs = engine.evaluate([c, JSON.stringify(c), good], '2026-11-23T10:00:00Z');
    console.log(JSON.stringify(outs.map((o) => o.error?.code ?? 'ok')));
    break;
  }
  case 'use-after-free': {
    const engine = new Engine(policyText(args[0]));
    engine.free();
    engine.free(); // a second free() is a no-op
    attempt(() => engine.evaluate([], '2026-11-23T10:00:00Z'));
    attempt(() => engine.name);
    break;
  }
  case 'proto': {
    // The policy names a queue, a band and a metric `__proto__`: each must be an own key
    // of the outputs (never the object's prototype).
    const engine = new Engine(policyText(args[0]));
    const cases = readCases(args[1]);
    const own = (o, k) => o !== null && typeof o === 'object' && Object.hasOwn(o, k) && Object.getPrototypeOf(o) === Object.prototype;
    const outs = engine.evaluate(cases, args[2]);
    const report = engine.report(cases, args[2]);
    const routed = outs.filter((o) => o.queue === '__proto__');
    const cols = engine.evaluateColumns(
      { length: 1, strings: ['C-1', 'refund'], columns: { id: Int32Array.of(0), kind: Int32Array.of(1), opened_at: Float64Array.of(1795420800) } },
      args[2],
    );
    console.log(JSON.stringify({
      routed: routed.length,
      outcome_sla: routed.length > 0 && routed.every((o) => own(o.sla, '__proto__') && typeof o.sla['__proto__'].state === 'string'),
      outcome_band: routed.some((o) => o.band === '__proto__'),
      report_queue: own(report.queues, '__proto__') && report.queues['__proto__'].cases === routed.length,
      report_band: own(report.queues['__proto__']?.bands, '__proto__'),
      columns_sla: own(cols.sla, '__proto__') && cols.sla['__proto__'].state instanceof Int8Array,
    }));
    break;
  }
  default:
    console.error('usage: node hostile/driver.mjs MODE ... (see its header)');
    process.exit(2);
}
