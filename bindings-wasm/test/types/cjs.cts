// Type-level test: the typings from a CommonJS consumer.
import docket = require('docket-wasm');
const engine = new docket.Engine('{"docket":1}');
const outs: docket.Outcome[] = engine.evaluate([], 0);
const err: docket.DocketError = new docket.PolicyError('x', [], []);
const limit: docket.ArgumentError = new docket.ArgumentError('x', { code: 'limit_exceeded', path: 'cases' });
const code: docket.ErrorCode = limit.code;
const path: string = err.path;
const limited = new docket.Engine('{"docket":1}', { limits: { maxListLen: 10 } });
const lists: number = limited.limits.maxListLen;
void [outs, err, code, path, lists];
