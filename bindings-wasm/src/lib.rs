//! # docket-wasm
//!
//! The WebAssembly binding of Docket: a thin layer that converts JS values at its edge
//! and calls `docket-core`; it decides nothing itself. The npm package built from it
//! (see `README.md` and `ci.sh`) exposes one class, `Engine`:
//!
//! - `new Engine(policy)` compiles a policy object or JSON string, or throws a
//!   `PolicyError` with every diagnostic and its JSON path;
//! - `evaluate(cases, now?)`, `evaluateCase(case, now?)`, `report(cases, now?)`,
//!   `authorize(case, actor, action)`, `check()`;
//! - `evaluateColumns(batch, now?)`, the columnar fast path (module `columnar`, README "Columnar batches").
//!
//! Case objects go through `serde-wasm-bindgen` straight into the core's decoder and
//! outcomes straight back into JS objects: no JSON text on the way. Nothing panics: a
//! bad case gives an outcome with `error`, a malformed argument throws an
//! `ArgumentError`, and the engine stays usable after any throw.

#![deny(missing_docs)]

mod columnar;
mod error;
mod now;

use core::cell::Cell;
use docket_core::{Actor, Case, ColumnWorkspace, Engine as CoreEngine, Outcome, OutcomeView, Report, ReportView};
use error::Failure;
use js_sys::Array;
use serde::Serialize;
use wasm_bindgen::prelude::*;

pub use error::set_error_factory;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = include_str!("types.d.ts");

#[wasm_bindgen]
extern "C" {
    /// `Policy | string`.
    #[wasm_bindgen(typescript_type = "Policy | string")]
    pub type PolicyArg;
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

/// Serializer settings: maps become plain objects, `None` becomes `null`.
const SER: serde_wasm_bindgen::Serializer = serde_wasm_bindgen::Serializer::json_compatible();

fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, Failure> {
    v.serialize(&SER).map_err(|e| Failure::Internal(format!("cannot build the result: {e}")))
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
    /// Compiles a policy (an object or JSON text). Throws a `PolicyError` whose `errors`
    /// lists every problem with its JSON path (`code` `invalid_policy`; `invalid_json`
    /// for text that is not JSON, `limit_exceeded` for text over the size limit), or an
    /// `ArgumentError` when `policy` is neither an object nor a string.
    #[wasm_bindgen(constructor)]
    pub fn new(policy: PolicyArg) -> Result<WasmEngine, JsValue> {
        guard(|| WasmEngine::compile(policy.as_ref()))
    }

    /// Evaluates every case at `now`; one outcome per case, in input order. A case that
    /// is unusable (not an object, no `id`, `kind` or `opened_at`) gets an outcome with
    /// `error`; the rest of the batch is unaffected.
    pub fn evaluate(&self, cases: CasesArg, now: Option<NowArg>) -> Result<OutcomesJs, JsValue> {
        guard(|| {
            let now = now::instant(now.as_ref().map(AsRef::as_ref))?;
            let list = self.cases(cases.as_ref())?;
            let out = Array::new_with_length(list.length());
            let mut b = self.take();
            for (i, c) in list.iter().enumerate() {
                self.load(&c, &mut b.case);
                self.engine.evaluate(&b.case, now, &mut b.out);
                out.set(i as u32, to_js(&OutcomeView { engine: &self.engine, outcome: &b.out, line: None })?);
            }
            self.put(b);
            Ok(out.unchecked_into())
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
    /// SLA attainment, breaches, oldest case, and the backlog controls that fire.
    pub fn report(&self, cases: CasesArg, now: Option<NowArg>) -> Result<ReportJs, JsValue> {
        guard(|| {
            let now = now::instant(now.as_ref().map(AsRef::as_ref))?;
            let list = self.cases(cases.as_ref())?;
            let mut report = Report::new(&self.engine, now);
            let mut b = self.take();
            for c in list.iter() {
                self.load(&c, &mut b.case);
                self.engine.evaluate(&b.case, now, &mut b.out);
                report.add(&b.out);
            }
            self.put(b);
            Ok(to_js(&ReportView { engine: &self.engine, report: &report })?.unchecked_into())
        })
    }

    /// May `actor` perform `action` on `case`? Every reason that applies, in the spec's
    /// order. Throws an `ArgumentError` for a malformed actor or a non-string action.
    pub fn authorize(&self, case: CaseArg, actor: ActorArg, action: ActionArg) -> Result<DecisionJs, JsValue> {
        guard(|| {
            let action = JsValue::from(action)
                .as_string()
                .ok_or_else(|| Failure::argument("action", "`action` must be a string such as \"approve\""))?;
            let actor: Actor = serde_wasm_bindgen::from_value(actor.into()).map_err(|e| {
                Failure::argument("actor", format!("`actor` must be {{ id: string, roles?: string[] }}: {e}"))
            })?;
            let mut b = self.take();
            self.load(case.as_ref(), &mut b.case);
            let decision = self.engine.authorize(&b.case, &actor, &action);
            self.put(b);
            Ok(to_js(&decision)?.unchecked_into())
        })
    }

    /// The compile warnings (e.g. `masked_rule`, `unused`), each `{code, path, message}`.
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
}

impl WasmEngine {
    fn compile(policy: &JsValue) -> Result<WasmEngine, Failure> {
        let compiled = if let Some(text) = policy.as_string() {
            CoreEngine::compile(&text)
        } else if policy.is_object() && !policy.is_function() {
            let value: serde_json::Value = serde_wasm_bindgen::from_value(policy.clone())
                .map_err(|e| Failure::argument("policy", format!("the policy object is not JSON-compatible: {e}")))?;
            CoreEngine::compile_value(&value)
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

    /// Decodes one case into `case`; a failure marks the case unusable.
    fn load(&self, value: &JsValue, case: &mut Case) {
        if let Some(text) = value.as_string() {
            self.engine.decode_json(&text, case);
        } else if is_record(value) {
            // An error leaves the case marked unusable (`not_an_object`); its outcome says so.
            let _ = self.engine.decode(serde_wasm_bindgen::Deserializer::from(value.clone()), case);
        } else {
            // Arrays, other iterables, functions and scalars are not case records.
            self.engine.decode_json("null", case);
        }
    }
}

/// Whether `v` can be read as a record: an object that is not a function, an array or
/// another iterable (a `Map` is fine). serde-wasm-bindgen reads any iterable as
/// `[key, value]` pairs and would throw on other shapes.
fn is_record(v: &JsValue) -> bool {
    v.is_object()
        && !v.is_function()
        && !Array::is_array(v)
        && (v.is_instance_of::<js_sys::Map>() || !js_sys::Reflect::has(v, &js_sys::Symbol::iterator()).unwrap_or(true))
}

fn strings<'a>(names: impl Iterator<Item = &'a str>) -> Array {
    names.map(JsValue::from_str).collect()
}
