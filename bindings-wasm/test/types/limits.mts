// Type-level test: the constructor's options and the limits read back are typed.
import { Engine } from 'docket-wasm';
import type { EngineLimits, EngineOptions, Policy } from 'docket-wasm';

declare const policy: Policy;
const options: EngineOptions = { limits: { maxCaseBytes: 64 * 1024, maxCasesPerCall: 50_000 } };
const engine = new Engine(policy, options);
new Engine('{"docket":1}', { limits: {} });
new Engine(policy, null);
const limits: Required<EngineLimits> = engine.limits;
const caseBytes: number = limits.maxCaseBytes;
// @ts-expect-error a limit is a number
new Engine(policy, { limits: { maxCaseBytes: '1 MiB' } });
// @ts-expect-error no such limit
new Engine(policy, { limits: { maxCaseByte: 1 } });
// @ts-expect-error no such option
new Engine(policy, { limit: {} });
// @ts-expect-error the limits read back are read-only
engine.limits = limits;
void caseBytes;
engine.free();
