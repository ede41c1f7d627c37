//! # docket-wasm
//!
//! The WebAssembly binding of Docket: a thin layer that converts JS values at its edge
//! and calls `docket-core`; it decides nothing itself. The npm package built from it
//! (see `README.md` and `ci.sh`) exposes one class, `Engine`:
//!
//! - `new Engine(policy, options?)` compiles a policy object or JSON string, with the
//!   default limits or those of `options.limits`, or throws a `PolicyError` with every
//!   diagnostic and its JSON path;
//! - `evaluate(cases, now?)`, `evaluateCase(case, now?)`, `report(cases, now?)`,
//!   `authorize(case, actor, action, now?)`, `check()`;
//! - `evaluateColumns(batch, now?)`, the columnar fast path (module `columnar`, README "Columnar batches");
//!
//! and one function, `diff(oldEngine, newEngine, cases, now?)`, which compares a policy
//! change on a batch of cases (module `diff`).
//!
//! Policy, case and actor objects are read by the module `read` straight into the core
//! (no JSON text on the way), within the engine's limits: nesting, size, and strings that
//! must be valid Unicode. Outcomes, reports and decisions go back as the core's JSON,
//! parsed by `JSON.parse`, so every key the policy names (even `__proto__`) is an own
//! property. Nothing panics: a bad case gives an outcome with `error`, a malformed
//! argument throws an `ArgumentError`, and the engine stays usable after any throw.

#![deny(missing_docs)]

mod columnar;
mod diff;
mod error;
mod now;
mod options;
mod read;

use core::cell::Cell;
use docket_core::{Actor, Case, CaseError, ColumnWorkspace, Engine as CoreEngine, Outcome, OutcomeView, Report};
use error::Failure;
use js_sys::{Array, JSON, JsString};
use read::{Fault, Reader};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

pub use diff::diff;
pub use error::set_error_factory;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = include_str!("types.d.ts");

#[wasm_bindgen]
extern "C" {
    /// `Policy | string`.
    #[wasm_bindgen(typescript_type = "Policy | string")]
    pub type PolicyArg;
    /// `EngineOptions`.
    #[wasm_bindgen(typescript_type = "EngineOptions")]
    pub type OptionsArg;
    /// `Required<EngineLimits>`.
    #[wasm_bindgen(typescript_type = "Required<EngineLimits>")]
    pub type LimitsJs;
    /// `ReadonlyArray<CaseInput>`.
    #[wasm_bindgen(typescript_type = "ReadonlyArray<CaseInput>")]
    pub type CasesArg;
    /// `CaseInput`.
    #[wasm_bindgen(typescript_type = "CaseInput")]
    pub type CaseArg;
    /// `Actor`.
    #[wasm_bindgen(typescript_type = "Actor")]
    pub type ActorArg;
    /// `string`.
    #[wasm_bindgen(typescript_type = "string")]
    pub type ActionArg;
    /// `Now`.
    #[wasm_bindgen(typescript_type = "Now")]
    pub type NowArg;
    /// `ColumnarCases`.
    #[wasm_bindgen(typescript_type = "ColumnarCases")]
    pub type ColumnarArg;
    /// `Outcome`.
    #[wasm_bindgen(typescript_type = "Outcome")]
    pub type OutcomeJs;
    /// `Outcome[]`.
    #[wasm_bindgen(typescript_type = "Outcome[]")]
    pub type OutcomesJs;
    /// `ReadonlyArray<string>`.
    #[wasm_bindgen(typescript_type = "ReadonlyArray<string>")]
    pub type FieldsArg;
    /// `ReportFlowOptions`.
    #[wasm_bindgen(typescript_type = "ReportFlowOptions")]
    pub type FlowArg;
    /// `Report`.
    #[wasm_bindgen(typescript_type = "Report")]
    pub type ReportJs;
    /// `Decision`.
    #[wasm_bindgen(typescript_type = "Decision")]
    pub type DecisionJs;
    /// `Diagnostic[]`.
    #[wasm_bindgen(typescript_type = "Diagnostic[]")]
    pub type DiagnosticsJs;
    /// `string[]`.
    #[wasm_bindgen(typescript_type = "string[]")]
    pub type StringsJs;
    /// `ColumnarOutcomes`.
    #[wasm_bindgen(typescript_type = "ColumnarOutcomes")]
    pub type ColumnarOutcomesJs;
}

#[wasm_bindgen]
extern "C" {
    /// `Reflect.apply`, with JS exceptions caught (see [`guard`]).
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = apply)]
    fn reflect_apply(f: &mut dyn FnMut(), this: &JsValue, args: &Array) -> Result<JsValue, JsValue>;
}

/// Runs `f` inside a JS `try`: the one place where host code runs during a call is
/// while a case, actor, `now` or batch is read (getters, proxies, overridden methods),
/// and an exception thrown there must not unwind through the exported method, which
/// would leave wasm-bindgen's borrow of the engine held forever (`free()` would then
/// throw). With the guard such an exception ends the closure only; the method returns
/// it as its own error and releases the engine normally. A call that fails this way
/// leaves the buffers it took behind; the next call starts from fresh ones.
fn guard<T>(f: impl FnOnce() -> Result<T, Failure>) -> Result<T, JsValue> {
    let mut f = Some(f);
    let mut result: Option<Result<T, Failure>> = None;
    let thrown = reflect_apply(
        &mut || {
            if let Some(f) = f.take() {
                result = Some(f());
            }
        },
        &JsValue::UNDEFINED,
        &Array::new(),
    );
    match (result, thrown) {
        (Some(r), _) => r.map_err(JsValue::from),
        (None, Err(host)) => Err(host),
        (None, Ok(_)) => Err(Failure::Internal("the guarded call did not run".into()).into()),
    }
}

/// A result as JS: the core's JSON text, parsed by `JSON.parse`, which makes every key an
/// own data property (a queue, band or metric named `__proto__` included, which an
/// assignment would take for the prototype).
fn parse(json: &str) -> Result<JsValue, Failure> {
    JSON::parse(json).map_err(|_| Failure::Internal("cannot build the result".into()))
}

fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, Failure> {
    let json = serde_json::to_string(v).map_err(|e| Failure::Internal(format!("cannot build the result: {e}")))?;
    parse(&json)
}

/// A compiled policy with reusable decoding and evaluation buffers.
///
/// The object owns wasm memory: call `free()` when done, or let the garbage collector
/// release it (the glue registers every engine with a `FinalizationRegistry`).
#[wasm_bindgen(js_name = Engine)]
pub struct WasmEngine {
    engine: CoreEngine,
    /// Reusable buffers, taken out for the duration of a call and put back after it.
    /// Methods take `&self` and hold no Rust borrow across the JS code that reads a
    /// case (a host getter or proxy may throw, and a JS exception unwinds wasm frames
    /// without running destructors): after such a throw the engine simply starts
    /// from fresh buffers, and calls from inside such code are fine too.
    bufs: Cell<Option<Box<Bufs>>>,
}

/// Decoding and evaluation buffers.
#[derive(Default)]
struct Bufs {
    case: Case,
    out: Outcome,
    /// The columnar path's block of cases and outcome.
    columns: ColumnWorkspace,
}

#[wasm_bindgen(js_class = Engine)]
impl WasmEngine {
    /// Compiles a policy (an object or JSON text), with the default limits or those of
    /// `options.limits`. Throws a `PolicyError` whose `errors` lists every problem with
    /// its JSON path (`code` `invalid_policy`; `invalid_json` for text that is not JSON,
    /// `limit_exceeded` for a policy over a limit: its size, an object nested deeper than
    /// 127 levels, too many rules, windows or dates), or an `ArgumentError` when `policy`
    /// is neither an object nor a string, is circular, holds a string that is not valid
    /// Unicode or a value JSON cannot hold, or `options` are malformed.
    #[wasm_bindgen(constructor)]
    pub fn new(policy: PolicyArg, options: Option<OptionsArg>) -> Result<WasmEngine, JsValue> {
        guard(|| {
            let limits = options::limits(options.as_ref().map(AsRef::as_ref))?;
            WasmEngine::compile(policy.as_ref(), limits)
        })
    }

    /// Evaluates every case at `now`; one outcome per case, in input order. A case that
    /// is unusable (not an object, no `id`, `kind` or `opened_at`, text that is not JSON,
    /// over a limit) gets an outcome with `error` and its `line`, its 1-based position in
    /// `cases` (as in NDJSON); the rest of the batch is unaffected.
    pub fn evaluate(&self, cases: CasesArg, now: Option<NowArg>) -> Result<OutcomesJs, JsValue> {
        guard(|| {
            let now = now::instant(now.as_ref().map(AsRef::as_ref))?;
            let list = self.cases(cases.as_ref())?;
            // One JSON array of every outcome, parsed once.
            let mut json = Vec::with_capacity(1024);
            json.push(b'[');
            let mut b = self.take();
            for (i, c) in list.iter().enumerate() {
                self.load(&c, &mut b.case);
                self.engine.evaluate(&b.case, now, &mut b.out);
                if i > 0 {
                    json.push(b',');
                }
                self.engine.write_outcome(&b.out, Some(i as u64 + 1), &mut json);
            }
            self.put(b);
            json.push(b']');
            let json = String::from_utf8(json).map_err(|_| Failure::Internal("cannot build the result".into()))?;
            Ok(parse(&json)?.unchecked_into())
        })
    }

    /// Evaluates one case (an object or JSON text) at `now`.
    #[wasm_bindgen(js_name = evaluateCase)]
    pub fn evaluate_case(&self, case: CaseArg, now: Option<NowArg>) -> Result<OutcomeJs, JsValue> {
        guard(|| {
            let now = now::instant(now.as_ref().map(AsRef::as_ref))?;
            let mut b = self.take();
            self.load(case.as_ref(), &mut b.case);
            self.engine.evaluate(&b.case, now, &mut b.out);
            let res = to_js(&OutcomeView { engine: &self.engine, outcome: &b.out, line: None })?;
            self.put(b);
            Ok(res.unchecked_into())
        })
    }

    /// The backlog report of a batch evaluated at `now`: per queue, open volume by band,
    /// SLA attainment, breaches, oldest case, and the backlog controls that fire;
    /// `by` (field names) splits every count of a queue by the values of those fields;
    /// `flow` (`{since, bucket}`) adds the flow per day or week from `since` to `now`.
    pub fn report(
        &self,
        cases: CasesArg,
        now: Option<NowArg>,
        by: Option<FieldsArg>,
        flow: Option<FlowArg>,
    ) -> Result<ReportJs, JsValue> {
        guard(|| {
            let now = now::instant(now.as_ref().map(AsRef::as_ref))?;
            let dims = options::report_dimensions(&self.engine, by.as_ref().map(AsRef::as_ref))?;
            let mut report = Report::with_dimensions(&self.engine, now, dims);
            if let Some((since, bucket)) = options::report_flow(flow.as_ref().map(AsRef::as_ref))? {
                report = report.with_flow(&self.engine, since, bucket).map_err(|e| Failure::Argument {
                    code: e.code(),
                    path: "flow.since".into(),
                    message: e.to_string(),
                })?;
            }
            let list = self.cases(cases.as_ref())?;
            let mut b = self.take();
            for c in list.iter() {
                self.load(&c, &mut b.case);
                self.engine.evaluate(&b.case, now, &mut b.out);
                report.add_case(&self.engine, &b.case, &b.out);
            }
            self.put(b);
            Ok(parse(&report.to_json(&self.engine))?.unchecked_into())
        })
    }

    /// May `actor` perform `action` on `case` at `now` (default: the current time)? The
    /// decision record: case, actor, action, now, allowed, every reason that applies in
    /// the documented order, the step an allowed `approve` fills, the policy. Throws an
    /// `ArgumentError` for a malformed actor, a non-string action or a bad `now`.
    pub fn authorize(
        &self,
        case: CaseArg,
        actor: ActorArg,
        action: ActionArg,
        now: Option<NowArg>,
    ) -> Result<DecisionJs, JsValue> {
        guard(|| {
            let now = now::instant(now.as_ref().map(AsRef::as_ref))?;
            let action: JsValue = action.into();
            let action = action
                .as_string()
                .ok_or_else(|| Failure::argument("action", "`action` must be a string such as \"approve\""))
                .and_then(|s| match read::faithful(&s, &action) {
                    true => Ok(s),
                    false => {
                        Err(Failure::argument("action", "`action` is not valid Unicode (a lone UTF-16 surrogate)"))
                    }
                })?;
            let actor = read_actor(actor.into())?;
            let mut b = self.take();
            self.load(case.as_ref(), &mut b.case);
            let decision = self.engine.authorize(&b.case, &actor, &action, now);
            self.put(b);
            Ok(to_js(&decision)?.unchecked_into())
        })
    }

    /// The compile warnings (`unreachable_rule`, `unfillable_step`, `unused_queue`,
    /// `limit_without_value`), each `{code, path, message}`: the same list as
    /// `docket check` and the C library's `DOCKET_POLICY_INFO_WARNINGS`.
    pub fn check(&self) -> DiagnosticsJs {
        error::diagnostics(self.engine.warnings()).unchecked_into()
    }

    /// Columnar evaluation for large batches: typed arrays and a string table in, typed
    /// arrays out (see the README, "Columnar batches"). With `into`, an earlier result of
    /// this engine for a batch of the same `length`, its arrays are refilled in place and
    /// it is returned (no new arrays per call).
    #[wasm_bindgen(js_name = evaluateColumns)]
    pub fn evaluate_columns(
        &self,
        batch: ColumnarArg,
        now: Option<NowArg>,
        into: Option<ColumnarOutcomesJs>,
    ) -> Result<ColumnarOutcomesJs, JsValue> {
        guard(|| {
            let now = now::instant(now.as_ref().map(AsRef::as_ref))?;
            let batch = columnar::Batch::read(&self.engine, batch.as_ref())?;
            let mut b = self.take();
            let into = into.as_ref().map(AsRef::as_ref).filter(|v: &&JsValue| !v.is_undefined() && !v.is_null());
            let res = columnar::evaluate(&self.engine, &batch, now, &mut b.columns, into);
            self.put(b);
            Ok(res?.unchecked_into())
        })
    }

    /// The policy's `name`.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.engine.name().into()
    }

    /// The policy's `version` label.
    #[wasm_bindgen(getter)]
    pub fn version(&self) -> String {
        self.engine.version().into()
    }

    /// `sha256:` + hex of the policy's canonical form.
    #[wasm_bindgen(getter)]
    pub fn fingerprint(&self) -> String {
        self.engine.fingerprint().into()
    }

    /// Queue names in policy order (the columnar `queue` indexes refer to it).
    #[wasm_bindgen(getter)]
    pub fn queues(&self) -> StringsJs {
        strings(self.engine.queues()).unchecked_into()
    }

    /// Priority values routing can output (the columnar `priority` indexes refer to it).
    #[wasm_bindgen(getter)]
    pub fn priorities(&self) -> StringsJs {
        strings(self.engine.priorities().iter().map(String::as_str)).unchecked_into()
    }

    /// Ageing band names in policy order.
    #[wasm_bindgen(getter)]
    pub fn bands(&self) -> StringsJs {
        strings(self.engine.bands()).unchecked_into()
    }

    /// SLA metric names in policy order.
    #[wasm_bindgen(getter)]
    pub fn metrics(&self) -> StringsJs {
        strings(self.engine.metrics()).unchecked_into()
    }

    /// The dependencies cases may wait on, in policy order (the columnar `waiting`
    /// arrays' inner dimension).
    #[wasm_bindgen(getter)]
    pub fn dependencies(&self) -> StringsJs {
        strings(self.engine.dependencies()).unchecked_into()
    }

    /// The limits in force: the defaults, or those given to the constructor.
    #[wasm_bindgen(getter)]
    pub fn limits(&self) -> LimitsJs {
        options::limits_js(self.engine.limits()).unchecked_into()
    }
}

impl WasmEngine {
    fn compile(policy: &JsValue, limits: docket_core::Limits) -> Result<WasmEngine, Failure> {
        let compiled = if let Some(text) = policy.as_string() {
            if !read::faithful(&text, policy) {
                return Err(Failure::argument(
                    "policy",
                    "the policy text is not valid Unicode: it holds a lone UTF-16 surrogate",
                ));
            }
            CoreEngine::compile_with_limits(&text, limits)
        } else if policy.is_object() && !policy.is_function() {
            CoreEngine::compile_value_with_limits(&read_policy(policy, &limits)?, limits)
        } else {
            return Err(Failure::argument("policy", "the policy must be an object or a JSON string"));
        };
        let engine = compiled.map_err(Failure::Policy)?;
        Ok(WasmEngine { engine, bufs: Cell::new(Some(Box::default())) })
    }

    fn cases(&self, cases: &JsValue) -> Result<Array, Failure> {
        if !Array::is_array(cases) {
            return Err(Failure::argument("cases", "`cases` must be an array of case objects or JSON strings"));
        }
        let list: Array = cases.clone().unchecked_into();
        let max = self.engine.limits().max_cases_per_call;
        if list.length() as usize > max {
            return Err(Failure::limit("cases", format!("{} cases in one call; the limit is {max}", list.length())));
        }
        Ok(list)
    }

    fn take(&self) -> Box<Bufs> {
        self.bufs.take().unwrap_or_default()
    }

    fn put(&self, b: Box<Bufs>) {
        self.bufs.set(Some(b));
    }

    /// Decodes one case into `case`; a failure marks the case unusable. JSON text is
    /// decoded as the core decodes it; an object is read within the engine's limits
    /// ([`read`]): over `max_case_bytes` or nested deeper than 127 levels (a circular
    /// object too) it is `too_large`, and a string that is not valid Unicode makes it
    /// `bad_json`, as the same case as JSON text would be.
    fn load(&self, value: &JsValue, case: &mut Case) {
        if let Some(js) = value.dyn_ref::<JsString>() {
            let max = self.engine.limits().max_case_bytes;
            // Judged before the text is copied into the module's memory: a string of more
            // UTF-16 units than `max_case_bytes`, its surrounding JSON whitespace aside,
            // has more UTF-8 bytes than that too.
            let sliced;
            let value = if js.length() as usize > max {
                let (lo, hi) = trimmed(js);
                if (hi - lo) as usize > max {
                    self.engine.decode_json("", case);
                    case.set_error(CaseError::TooLarge);
                    return;
                }
                sliced = JsValue::from(js.slice(lo, hi));
                &sliced
            } else {
                value
            };
            let text = value.as_string().unwrap_or_default();
            if read::faithful(&text, value) {
                self.engine.decode_json(&text, case);
            } else {
                self.engine.decode_json("", case);
                case.set_error(CaseError::BadJson);
            }
        } else if is_record(value) {
            let reader = Reader::new(self.engine.limits().max_case_bytes, false);
            // An error leaves the case marked unusable (`not_an_object`); its outcome says so.
            let _ = self.engine.decode(reader.de(value.clone()), case);
            match reader.fault() {
                Some(Fault::TooDeep | Fault::TooLarge | Fault::Circular) => case.set_error(CaseError::TooLarge),
                Some(Fault::NotUnicode) => case.set_error(CaseError::BadJson),
                None => {}
            }
        } else {
            // Arrays, other iterables, functions and scalars are not case records.
            self.engine.decode_json("null", case);
        }
    }
}

/// A policy object as JSON, read within `max_policy_bytes` (measured as its JSON text)
/// and [`read::MAX_DEPTH`]. Over either is a `PolicyError` `limit_exceeded` (as a policy
/// text over the size limit is); a circular object, a string that is not valid Unicode
/// or a value JSON cannot hold is an `ArgumentError` naming where it is
/// (`policy.queues.q.self`).
fn read_policy(policy: &JsValue, limits: &docket_core::Limits) -> Result<serde_json::Value, Failure> {
    let reader = Reader::new(limits.max_policy_bytes, true);
    let err = match serde_json::Value::deserialize(reader.de(policy.clone())) {
        Ok(v) => return Ok(v),
        Err(e) => e,
    };
    let at = reader.failed_at();
    let max = limits.max_policy_bytes;
    let limit = |path: String, message: String| {
        Failure::Policy(docket_core::CompileError {
            errors: vec![docket_core::Diagnostic { code: docket_core::PolicyCode::LimitExceeded, path, message }],
            warnings: Vec::new(),
        })
    };
    Err(match reader.fault() {
        Some(Fault::TooLarge) => {
            limit(String::new(), format!("the policy object is over {max} bytes as JSON text (max_policy_bytes)"))
        }
        Some(Fault::TooDeep) => {
            limit(read::pointer(&at), format!("the policy object nests deeper than {} levels", read::MAX_DEPTH))
        }
        Some(Fault::Circular) => {
            let where_ = read::accessor("policy", &at);
            Failure::argument(
                &where_,
                format!("the policy object is circular: `{where_}` holds an object that holds it"),
            )
        }
        Some(Fault::NotUnicode) => {
            let where_ = read::accessor("policy", &at);
            Failure::argument(&where_, format!("`{where_}` is not valid Unicode: it holds a lone UTF-16 surrogate"))
        }
        None => {
            let where_ = read::accessor("policy", &at);
            Failure::argument(&where_, format!("the policy object is not JSON-compatible at `{where_}`: {err}"))
        }
    })
}

/// The `actor` argument: `{ id: string, roles?: string[] }`, its strings valid Unicode
/// (a lone surrogate would otherwise make two different ids equal).
fn read_actor(actor: JsValue) -> Result<Actor, Failure> {
    let reader = Reader::new(usize::MAX, true);
    let err = match Actor::deserialize(reader.de(actor)) {
        Ok(a) => return Ok(a),
        Err(e) => e,
    };
    let where_ = read::accessor("actor", &reader.failed_at());
    Err(match reader.fault() {
        Some(Fault::NotUnicode) => {
            Failure::argument(&where_, format!("`{where_}` is not valid Unicode: it holds a lone UTF-16 surrogate"))
        }
        Some(Fault::TooDeep | Fault::TooLarge | Fault::Circular) | None => {
            Failure::argument(&where_, format!("`actor` must be {{ id: string, roles?: string[] }}: {err}"))
        }
    })
}

/// Whether `v` can be read as a record: an object that is not a function, an array or
/// another iterable (a `Map` is fine). The reader ([`read`]), as serde-wasm-bindgen,
/// reads any iterable as `[key, value]` pairs and would fail on other shapes.
/// The range of `s` without its leading and trailing JSON whitespace, in UTF-16 units.
fn trimmed(s: &JsString) -> (u32, u32) {
    let ws = |i: u32| matches!(s.char_code_at(i) as u32, 0x20 | 0x09 | 0x0A | 0x0D);
    let (mut lo, mut hi) = (0, s.length());
    while lo < hi && ws(lo) {
        lo += 1;
    }
    while hi > lo && ws(hi - 1) {
        hi -= 1;
    }
    (lo, hi)
}

fn is_record(v: &JsValue) -> bool {
    v.is_object()
        && !v.is_function()
        && !Array::is_array(v)
        && (v.is_instance_of::<js_sys::Map>() || !js_sys::Reflect::has(v, &js_sys::Symbol::iterator()).unwrap_or(true))
}

fn strings<'a>(names: impl Iterator<Item = &'a str>) -> Array {
    names.map(JsValue::from_str).collect()
}
