'use strict';
// Error classes of the Docket WebAssembly binding (CommonJS). Keep in step with errors.js.

class DocketError extends Error {
  constructor(code, message, options) {
    super(message, options);
    this.name = 'DocketError';
    this.code = code;
    this.path = options?.path ?? '';
  }
}

class PolicyError extends DocketError {
  constructor(message, errors = [], warnings = [], options) {
    super(options?.code ?? 'invalid_policy', message, { ...options, path: options?.path ?? errors[0]?.path ?? '' });
    this.name = 'PolicyError';
    this.errors = errors;
    this.warnings = warnings;
  }
}

class ArgumentError extends DocketError {
  constructor(message, options) {
    super(options?.code ?? 'invalid_argument', message, options);
    this.name = 'ArgumentError';
  }
}

const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

function assertRuntime() {
  if (typeof WebAssembly !== 'object' || !WebAssembly.validate(SIMD_PROBE)) {
    throw new DocketError(
      'unsupported_runtime',
      'docket-wasm needs WebAssembly with 128-bit SIMD (Node >= 16.4, Chrome/Edge 91, Firefox 89, Safari 16.4)',
    );
  }
}

const RUNNING = Symbol.for('docket-wasm.running');

function guardEngine(Engine) {
  const proto = Engine.prototype;
  const mark = Symbol.for('docket-wasm.guarded');
  if (Object.hasOwn(proto, mark)) return Engine; // one glue module loaded by two entry points
  Object.defineProperty(proto, mark, { value: true });
  const running = new WeakMap(); // engine -> calls in progress
  Object.defineProperty(proto, RUNNING, { value: running });
  const freed = () => new ArgumentError('the engine was freed (engine.free()); create a new Engine', { path: 'engine' });
  const isEngine = (e) => e !== null && typeof e === 'object' && typeof e.__wbg_ptr === 'number';
  const guarded = (f) =>
    function (...args) {
      if (!isEngine(this) || this.__wbg_ptr === 0) throw freed();
      running.set(this, (running.get(this) ?? 0) + 1);
      try {
        return f.apply(this, args);
      } finally {
        const n = running.get(this) - 1;
        if (n > 0) running.set(this, n);
        else running.delete(this);
      }
    };
  const free = proto.free;
  const dispose = typeof Symbol.dispose === 'symbol' ? Symbol.dispose : undefined;
  for (const key of Reflect.ownKeys(proto)) {
    if (key === 'constructor' || key === 'free' || key === '__destroy_into_raw' || key === dispose) continue;
    const d = Object.getOwnPropertyDescriptor(proto, key);
    if (typeof d.value === 'function') d.value = guarded(d.value);
    if (d.get) d.get = guarded(d.get);
    Object.defineProperty(proto, key, d);
  }
  const guardedFree = function free_() {
    if (!isEngine(this)) throw freed();
    if (this.__wbg_ptr === 0) return;
    if (running.has(this)) {
      throw new ArgumentError('the engine cannot be freed while one of its own calls runs', { path: 'engine' });
    }
    free.call(this);
  };
  Object.defineProperty(guardedFree, 'name', { value: 'free' });
  Object.defineProperty(proto, 'free', { ...Object.getOwnPropertyDescriptor(proto, 'free'), value: guardedFree });
  if (dispose && proto[dispose] === free) {
    Object.defineProperty(proto, dispose, { ...Object.getOwnPropertyDescriptor(proto, dispose), value: guardedFree });
  }
  return Engine;
}

function guardDiff(Engine, diff) {
  const running = Engine.prototype[RUNNING];
  const live = (e, path) => {
    if (!(e instanceof Engine) || e.__wbg_ptr === 0) {
      throw new ArgumentError(`\`${path}\` must be an Engine that is not freed`, { path });
    }
  };
  const guarded = function diff_(oldEngine, newEngine, cases, now) {
    live(oldEngine, 'oldEngine');
    live(newEngine, 'newEngine');
    const engines = [oldEngine, newEngine];
    for (const e of engines) running.set(e, (running.get(e) ?? 0) + 1);
    try {
      return diff(oldEngine, newEngine, cases, now);
    } finally {
      for (const e of engines) {
        const n = running.get(e) - 1;
        if (n > 0) running.set(e, n);
        else running.delete(e);
      }
    }
  };
  Object.defineProperty(guarded, 'name', { value: 'diff' });
  return guarded;
}

function makeError(kind, code, message, details) {
  const { path } = details;
  if (kind === 'policy') return new PolicyError(message, details.errors, details.warnings, { code, path });
  if (kind === 'argument') return new ArgumentError(message, { code, path });
  return new DocketError(code, message, { path });
}

module.exports = { DocketError, PolicyError, ArgumentError, makeError, assertRuntime, guardEngine, guardDiff };
