// Bundled by esbuild (test/bundler.test.mjs) exactly as an application would: the package
// is imported by name, and the bundle loads the .wasm next to it at run time.
import { Engine, PolicyError, ArgumentError } from 'docket-wasm';

const policy = await (await fetch('/examples/order-ops.policy.json')).json();
const lines = (await (await fetch('/examples/cases.ndjson')).text()).trim().split('\n');
const engine = new Engine(policy);
const outcomes = engine.evaluate(lines.map((l) => JSON.parse(l)), '2026-11-23T10:00:00Z');
let policyError = null;
try {
  new Engine({ docket: 2 });
} catch (e) {
  policyError = e instanceof PolicyError ? e.code : String(e);
}
// The browser entry guards the engine too: a freed engine is a coded ArgumentError.
engine.free();
let freed = null;
try {
  engine.evaluate([], '2026-11-23T10:00:00Z');
} catch (e) {
  freed = e instanceof ArgumentError ? `${e.code} ${e.path}` : String(e);
}
document.body.dataset.result = JSON.stringify({
  first: { id: outcomes[0].id, queue: outcomes[0].queue, resolution: outcomes[0].sla?.resolution?.state },
  count: outcomes.length,
  policyError,
  freed,
});
