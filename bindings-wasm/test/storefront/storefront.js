// A small storefront back-office page: loads the docket-wasm package as an ES module,
// evaluates the example cases and shows each case's queue, SLA state and approvals.
import { Engine } from '/bindings-wasm/index.js';

const status = document.getElementById('status');
const tbody = document.querySelector('#cases tbody');

function cell(tr, text, cls) {
  const td = document.createElement('td');
  if (cls) {
    const span = document.createElement('span');
    span.className = `sla ${cls}`;
    span.textContent = text;
    td.append(span);
  } else {
    td.textContent = text;
  }
  tr.append(td);
  return td;
}

function approvals(o) {
  const steps = o.approvals?.steps ?? [];
  if (steps.length === 0) return '—';
  return steps.map((s) => (s.done_by ? `${s.role} ✓ ${s.done_by}` : `${s.role} pending`)).join(', ');
}

async function main() {
  const now = new URL(location.href).searchParams.get('now') ?? undefined;
  const policy = await (await fetch('/examples/order-ops.policy.json')).json();
  const text = await (await fetch('/examples/cases.ndjson')).text();
  const cases = text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
  const engine = new Engine(policy);
  const outcomes = engine.evaluate(cases, now);
  for (const o of outcomes) {
    const tr = document.createElement('tr');
    tr.dataset.case = o.id ?? '';
    cell(tr, o.id ?? '(no id)');
    if (o.error) {
      tr.className = 'error';
      const td = cell(tr, `error: ${o.error.code}`);
      td.colSpan = 6;
    } else {
      cell(tr, o.queue ?? '—');
      cell(tr, o.priority ?? '—');
      for (const m of ['response', 'resolution']) {
        const s = o.sla?.[m];
        if (s) cell(tr, s.state, s.state).title = `due ${s.due ?? '—'}`;
        else cell(tr, '—');
      }
      cell(tr, o.band ?? '—');
      cell(tr, approvals(o));
    }
    tbody.append(tr);
  }
  status.textContent = `${outcomes.length} cases evaluated at ${now ?? 'now'} with ${engine.name} ${engine.version}`;
  engine.free();
  document.body.dataset.ready = '1';
}

main().catch((e) => {
  status.textContent = `failed: ${e}`;
  document.body.dataset.error = String(e);
});
