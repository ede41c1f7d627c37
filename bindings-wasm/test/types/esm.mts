// Type-level test: the published typings from an ESM consumer. `tsc` fails if a shape
// is `any` where it must not be (the @ts-expect-error lines must be errors).
import { Engine, PolicyError, ArgumentError, DocketError, diff } from 'docket-wasm';
import type { Outcome, Report, Decision, Policy, Case, ColumnarOutcomes, Diagnostic, SlaState, ErrorCode, ReasonCode, Diff, Aspect } from 'docket-wasm';

declare const policy: Policy;
const engine = new Engine(policy);
const c: Case = { id: 'C-1', kind: 'refund', opened_at: '2026-11-23T08:00:00Z', amount: '10.00' };
const outs: Outcome[] = engine.evaluate([c, JSON.stringify(c)], new Date());
const state: SlaState | undefined = outs[0]?.sla?.['resolution']?.state;
const r: Report = engine.report([c], '2026-11-23T10:00:00Z');
const n: number = r.queues['refund_validation']?.open ?? 0;
// The flow: per queue and bucket, counts and cycle times; the bucket is "day" or "week".
const fr: Report = engine.report([c], '2026-11-23T10:00:00Z', null, { since: new Date(), bucket: 'week' });
const p90: number | undefined = fr.flow?.queues['refund_validation']?.buckets[0]?.cycle_times[0]?.business.p90_s;
// @ts-expect-error a bucket is "day" or "week"
engine.report([c], '2026-11-23T10:00:00Z', null, { since: 0, bucket: 'month' });
void p90;
const d: Decision = engine.authorize(c, { id: 'u-1', roles: ['team_lead'] }, 'approve', '2026-11-23T10:00:00Z');
const allowed: boolean = d.allowed;
// A decision record: the step an approval fills, the reasons by code, the policy.
const step: string | undefined = d.fills?.role;
const recordAs: string | undefined = d.fills?.as;
const firstCode: ReasonCode | undefined = d.reasons[0]?.code;
// @ts-expect-error a reason's code is one of ReasonCode, not any string
const notACode: 'refused' | undefined = d.reasons[0]?.code;
const fingerprint: string = d.policy.fingerprint;
// @ts-expect-error `now` is an RFC 3339 string, not a number
const nowNumber: number = d.now;
// @ts-expect-error an issue's reason is one of the approval_ignored reasons
const reason: 'late' = outs[0]?.issues?.[0]?.reason;
void [step, recordAs, firstCode, notACode, fingerprint, nowNumber, reason];
const w: Diagnostic[] = engine.check();
const col: ColumnarOutcomes = engine.evaluateColumns({ length: 0, strings: [], columns: {} }, 0);
const q: Int32Array = col.queue;
try { new Engine('{}'); } catch (e) {
  if (e instanceof PolicyError) { const p: string = e.errors[0]?.path ?? ''; void p; }
  if (e instanceof ArgumentError || e instanceof DocketError) { const code: string = e.code; void code; }
}
// Every error has `code` from the shared vocabulary and a `path`.
try { engine.evaluate([c]); } catch (e) {
  if (e instanceof DocketError) {
    const where: string = e.path;
    const code: ErrorCode = e.code;
    // @ts-expect-error `code` is one of the vocabulary's names, not any string
    const other: 'no_such_code' = e.code;
    void [where, code, other];
  }
  if (e instanceof PolicyError) { const pc: 'invalid_json' | 'invalid_policy' | 'limit_exceeded' = e.code; void pc; }
  if (e instanceof ArgumentError) { const ac: 'invalid_argument' | 'limit_exceeded' = e.code; void ac; }
}
const tooMany = new ArgumentError('too many', { code: 'limit_exceeded', path: 'cases' });
// @ts-expect-error an ArgumentError is never invalid_policy
new ArgumentError('x', { code: 'invalid_policy' });
const notJson = new PolicyError('x', [], [], { code: 'invalid_json', path: '' });
const internal = new DocketError('internal', 'x', { path: '', cause: tooMany });
void [notJson, internal];
// @ts-expect-error an outcome's queue is a string, not a number
const wrong: number = outs[0].queue;
// @ts-expect-error `now` is a Date, a string or a number
engine.evaluate([c], { when: 'now' });
// @ts-expect-error a policy needs `docket`, `name`, `currency`, `queues`, `routing`
new Engine({ name: 'x' });
// A policy change's impact: typed down to each changed aspect.
const change: Diff = diff(engine, engine, [c], '2026-11-23T10:00:00Z');
const aspect: Aspect | undefined = change.changed[0]?.changed[0];
const moved: number = change.summary.aspects.queue;
const breachedAfter: number | undefined = change.summary.queues['refund_validation']?.after?.breached;
// @ts-expect-error an aspect is one of the names, not any string
const notAnAspect: Aspect = 'colour';
void [state, n, allowed, w, q, wrong, aspect, moved, breachedAfter, notAnAspect];
engine.free();
