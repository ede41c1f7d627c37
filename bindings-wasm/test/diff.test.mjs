// diff(oldEngine, newEngine, cases, now): the worked example of docs/policy-changes.md
// (rule R10's refund threshold raised from 1000 to 1500) on the example cases, names
// matched by text, and the argument checks. Expected values are reasoned by hand beside
// them, not copied from program output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, diff, ArgumentError } from 'docket-wasm';
import { policy, policyText, cases, NOW } from './helpers.mjs';

/** The example policy with R10's amount test raised to 1500 and a new version label. */
function r10At1500() {
  const p = structuredClone(policy);
  const r10 = p.routing.rules.find((r) => r.id === 'R10');
  assert.equal(r10.when.amount, '>= 1000');
  r10.when.amount = '>= 1500';
  p.version = '2026.11.3';
  return p;
}

test('raising R10 to 1500 changes C-1001 alone: P1 to P2, S05 to S06', () => {
  const [old, neu] = [new Engine(policyText), new Engine(r10At1500())];
  const d = diff(old, neu, cases, NOW);
  assert.deepEqual([d.old.version, d.new.version, d.now], ['2026.11.2', '2026.11.3', NOW]);
  // C-1001 (1250 EUR) leaves R10 for R11: refund_validation at P2, S06 (eu_ops 2h/16h)
  // instead of S05 (1h/8h). Opened Fri 10:15 CET: the 2h response falls due Fri 13:15
  // CET (1h45m to 12:00, 15m after 13:00), still met at 11:00; 16h of resolution is Mon
  // 14:15 CET, and 12h45m of it at now is 0.797: warning instead of breached. C-1013
  // (2208 EUR) and C-1015 (2600 EUR) stay with R10.
  assert.deepEqual(d.changed, [{
    id: 'C-1001', line: 1, changed: ['priority', 'targets', 'due', 'state'],
    before: {
      queue: 'refund_validation', priority: 'P1',
      sla: {
        response: { calendar: 'eu_ops', target_s: 3600, due: '2026-11-20T10:15:00Z', state: 'met' },
        resolution: { calendar: 'eu_ops', target_s: 28800, due: '2026-11-21T10:15:00Z', state: 'breached' },
      },
      rules: ['R10', 'S05', 'A2', 'A3'],
    },
    after: {
      queue: 'refund_validation', priority: 'P2',
      sla: {
        response: { calendar: 'eu_ops', target_s: 7200, due: '2026-11-20T12:15:00Z', state: 'met' },
        resolution: { calendar: 'eu_ops', target_s: 57600, due: '2026-11-23T13:15:00Z', state: 'warning' },
      },
      rules: ['R11', 'S06', 'A2', 'A3'],
    },
  }]);
  assert.equal(d.summary.cases, 15);
  assert.equal(d.summary.changed, 1);
  assert.deepEqual(d.summary.aspects, {
    error: 0, queue: 0, owner: 0, priority: 1, approvals: 0, targets: 1, due: 1, state: 1, band: 0, issues: 0,
  });
  // refund_validation: four open cases, each with a breached clock before; after, C-1001
  // only at warning.
  assert.deepEqual(d.summary.queues.refund_validation, {
    before: { cases: 4, open: 4, warning: 0, breached: 4, met: 1, missed: 0, attainment: 1 },
    after: { cases: 4, open: 4, warning: 1, breached: 3, met: 1, missed: 0, attainment: 1 },
  });
  assert.deepEqual(d.summary.rules, [
    { rule: 'R10', before: 3, after: 2 }, { rule: 'R11', before: 1, after: 2 },
    { rule: 'S05', before: 2, after: 1 }, { rule: 'S06', before: 4, after: 5 },
  ]);
  assert.ok(d.summary.queue_matrix.every((c) => c.from === c.to), 'no case changes queue');
  old.free();
  neu.free();
});

test('queues declared in another order are the same queues', () => {
  const p = structuredClone(policy);
  p.queues = Object.fromEntries(Object.entries(p.queues).reverse());
  const [old, neu] = [new Engine(policy), new Engine(p)];
  assert.notEqual(old.queues[0], neu.queues[0]);
  const d = diff(old, neu, cases, NOW);
  assert.deepEqual(d.changed, []);
  assert.equal(d.summary.changed, 0);
  // The same engine twice, and cases as JSON text: nothing changes either.
  assert.equal(diff(old, old, cases.map((c) => JSON.stringify(c)), NOW).summary.changed, 0);
  old.free();
  neu.free();
});

test('both engines must be live engines; cases an array; now a time', () => {
  const [old, neu] = [new Engine(policy), new Engine(policy)];
  assert.throws(() => diff(old, {}, cases, NOW), (e) => e instanceof ArgumentError && e.path === 'newEngine');
  assert.throws(() => diff(null, neu, cases, NOW), (e) => e instanceof ArgumentError && e.path === 'oldEngine');
  assert.throws(() => diff(old, neu, {}, NOW), (e) => e instanceof ArgumentError && e.path === 'cases');
  assert.throws(() => diff(old, neu, cases, 'today'), (e) => e instanceof ArgumentError && e.path === 'now');
  // Neither engine can be freed while the comparison reads a case.
  const sneaky = {
    get id() {
      assert.throws(() => neu.free(), (e) => e instanceof ArgumentError && e.path === 'engine');
      return 'C-9';
    },
    kind: 'payment_hold', order_id: 'O-9', opened_at: '2026-11-23T08:00:00Z',
  };
  assert.equal(diff(old, neu, [sneaky], NOW).summary.cases, 1);
  neu.free();
  assert.throws(() => diff(old, neu, cases, NOW), (e) => e instanceof ArgumentError && e.path === 'newEngine');
  // The old engine is still usable.
  assert.equal(old.evaluate([cases[0]], NOW)[0].queue, 'refund_validation');
  old.free();
});
