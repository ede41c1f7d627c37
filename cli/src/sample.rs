//! `docket sample`: the cases of a batch that the policy's QA sample draws, with their
//! stratum and inclusion probability, in input order, in flat memory (the `eval`
//! pipeline, one worker a core).

use crate::input::{self, InputFormat};
use crate::pipeline::{self, Work};
use crate::{Failure, escape};
use docket_core::{Case, CaseError, Engine, Outcome};
use std::io::Write;

/// One worker: decodes and evaluates each record, and writes a line for each sampled
/// case (and for each record that cannot be used).
struct Sample<'e> {
    engine: &'e Engine,
    now: i64,
    json: bool,
    case: Case,
    outcome: Outcome,
}

impl Work for Sample<'_> {
    fn record(&mut self, number: u64, record: Result<&str, CaseError>, out: &mut Vec<u8>) {
        input::decode(self.engine, record, &mut self.case);
        self.engine.evaluate(&self.case, self.now, &mut self.outcome);
        let o = &self.outcome;
        if let Some(e) = o.error() {
            let line = if self.json {
                let v = serde_json::json!({"id": o.id(), "line": number, "error": {"code": e.code(), "message": e.message()}});
                format!("{v}\n")
            } else {
                format!("# line {number}: {}: {}\n", e.code(), e.message())
            };
            out.extend_from_slice(&escape::json(line.as_bytes()));
            return;
        }
        let Some(s) = o.sampled_stratum() else { return };
        let (id, stratum) = (o.id().unwrap_or(""), self.engine.strata().nth(s as usize).unwrap_or(""));
        let rate = self.engine.stratum_rate(s).unwrap_or("0");
        if self.json {
            // The probability as the policy's decimal, digit for digit.
            let text = |s: &str| serde_json::Value::from(s).to_string();
            let line = format!(
                "{{\"id\":{},\"stratum\":{},\"probability\":{rate},\"line\":{number}}}\n",
                text(id),
                text(stratum)
            );
            out.extend_from_slice(&escape::json(line.as_bytes()));
        } else {
            let _ = writeln!(out, "{}\t{}\t{rate}", escape::text(id), escape::text(stratum));
        }
    }
}

/// Writes the sampled cases of `path` at `now` to `w`: one line each, `id`, stratum and
/// probability (tab-separated, or one JSON object a line with `json`).
pub fn run(
    engine: &Engine,
    path: &str,
    format: InputFormat,
    now: i64,
    json: bool,
    w: &mut (dyn Write + Send),
) -> Result<(), Failure> {
    if !engine.samples() {
        return Err(Failure::argument("the policy has no `qa.sample` table: it draws no QA sample"));
    }
    let workers = std::thread::available_parallelism().map_or(1, usize::from).max(1);
    let workers =
        (0..workers).map(|_| Sample { engine, now, json, case: Case::new(), outcome: Outcome::new() }).collect();
    pipeline::run(engine, path, format, workers, w).map(|_| ())
}
