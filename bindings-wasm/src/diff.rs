//! `diff(oldEngine, newEngine, cases, now)`: every case under the policy in force and a
//! proposed one, compared by the core ([`DiffRun`]) into its JSON document, parsed once.

use crate::{CasesArg, NowArg, WasmEngine, guard, now, parse};
use docket_core::DiffRun;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `Diff`.
    #[wasm_bindgen(typescript_type = "Diff")]
    pub type DiffJs;
}

/// Compares a policy change on a batch of cases: each case (an object or JSON text) is
/// evaluated at `now` under `old_engine` and `new_engine`. Returns `{old, new, now,
/// changed, summary}`: the cases whose decisions differ (queue, owner, priority, approval
/// steps, SLA targets, due, state, band, issues) with their `line` (1-based position in
/// `cases`), the aspects that changed and the values and deciding rules before and
/// after; and a summary (cases changed per aspect, queue from → to, backlog per queue
/// and approval steps per role before and after, the rules whose cases change, cases
/// that newly become unrouted, invalid, unusable or without authority). Names are
/// matched across the two policies by text. `cases` are held to `old_engine`'s limit on
/// cases per call; each case is read by each engine, within its own limits.
#[wasm_bindgen]
pub fn diff(
    old_engine: &WasmEngine,
    new_engine: &WasmEngine,
    cases: CasesArg,
    now: Option<NowArg>,
) -> Result<DiffJs, JsValue> {
    guard(|| {
        let now = now::instant(now.as_ref().map(AsRef::as_ref))?;
        let list = old_engine.cases(cases.as_ref())?;
        let (mut a, mut b) = (old_engine.take(), new_engine.take());
        let mut run = DiffRun::new(&old_engine.engine, &new_engine.engine, now);
        for (i, c) in list.iter().enumerate() {
            old_engine.load(&c, &mut a.case);
            new_engine.load(&c, &mut b.case);
            run.add(&a.case, &b.case, Some(i as u64 + 1));
        }
        old_engine.put(a);
        new_engine.put(b);
        let json = run.finish();
        Ok(parse(&json)?.unchecked_into())
    })
}
