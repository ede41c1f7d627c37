// Type-level test: typed list columns and their offsets in a columnar batch.
import { Engine } from 'docket-wasm';
import type { ColumnarCases, ColumnarOffsets, Policy } from 'docket-wasm';

declare const policy: Policy;
const engine = new Engine(policy);
const offsets: ColumnarOffsets = { paused: Uint32Array.of(0, 1), approvals: Uint32Array.of(0, 0) };
const batch: ColumnarCases = {
  length: 1,
  strings: ['C-1', 'refund', 'ops_manager', 'u-7'],
  columns: {
    id: Int32Array.of(0),
    kind: Int32Array.of(1),
    opened_at: Float64Array.of(1_795_420_800),
    paused_from: Float64Array.of(1_795_424_400),
    paused_to: Float64Array.of(NaN),
    approval_role: new Int32Array(0),
    approval_by: new Int32Array(0),
  },
  offsets,
};
const remaining: Uint32Array = engine.evaluateColumns(batch, 0).remaining;
// @ts-expect-error offsets are Uint32Arrays
const wrong: ColumnarOffsets = { paused: [0, 1] };
// @ts-expect-error only the three list groups have offsets
const unknown: ColumnarOffsets = { pauses: Uint32Array.of(0) };
void [remaining, wrong, unknown];
engine.free();
