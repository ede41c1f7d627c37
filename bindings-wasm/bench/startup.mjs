// Cold start of the WebAssembly binding in Node: what a process (or a page) pays before its
// first evaluation. Each sample is a fresh Node process that imports the package (reads,
// compiles and instantiates the .wasm), compiles a policy, and evaluates one case; the
// process reports the milliseconds of each step, measured inside it from just before the
// import. Module loading of Node itself is not counted.
//
// Usage: node bindings-wasm/bench/startup.mjs [POLICY.json] [SAMPLES]
//        (default: examples/order-ops.policy.json, 20 processes)
// Prints one JSON line a step: median / min / max over the processes, in milliseconds.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const policy = process.argv[2] ?? fileURLToPath(new URL('../../examples/order-ops.policy.json', import.meta.url));
const samples = Number(process.argv[3]) || 20;

// The child: times its own steps with the monotonic clock and prints them as JSON.
const child = `
const t0 = performance.now();
const { Engine } = await import(${JSON.stringify(`${here}../node.mjs`)});
const t1 = performance.now();
const text = (await import('node:fs')).readFileSync(${JSON.stringify(policy)}, 'utf8');
const t2 = performance.now();
const engine = new Engine(text);
const t3 = performance.now();
const [out] = engine.evaluate([{ id: 'C-1', kind: 'refund', amount: '10', order_id: 'O', opened_at: '2026-11-23T08:00:00Z' }], '2026-11-23T10:00:00Z');
const t4 = performance.now();
if (!out || out.id !== 'C-1') throw new Error('no outcome');
console.log(JSON.stringify({ instantiate: t1 - t0, compile: t3 - t2, first_evaluation: t4 - t3, total: t1 - t0 + (t4 - t2) }));
`;

const runs = [];
for (let i = 0; i < samples; i++) {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', child], { encoding: 'utf8' });
  runs.push(JSON.parse(out));
}
for (const step of ['instantiate', 'compile', 'first_evaluation', 'total']) {
  const v = runs.map((r) => r[step]).sort((a, b) => a - b);
  const ms = (x) => Math.round(x * 1000) / 1000;
  console.log(
    JSON.stringify({
      name: `wasm cold start: ${step}`,
      unit: 'ms',
      median: ms(v[v.length >> 1]),
      min: ms(v[0]),
      max: ms(v[v.length - 1]),
      processes: samples,
    }),
  );
}
