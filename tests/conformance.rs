//! Runs every fixture of `tests/conformance/` through the Rust API (batch evaluation,
//! report, authorize; compilation for the failures of `errors.json`) and compares field
//! by field (see tests/conformance/README.md).

use docket_core::{Actor, Case, CompileError, Engine, Outcome, Report};
use docket_tests::t;
use serde_json::Value;

/// Subset match; returns the JSON pointer of the first mismatch.
pub fn matches(expected: &Value, actual: Option<&Value>, path: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Null, None | Some(Value::Null)) => Ok(()),
        (Value::Object(e), Some(Value::Object(a))) => {
            for (k, v) in e {
                matches(v, a.get(k), &format!("{path}/{k}"))?;
            }
            Ok(())
        }
        (Value::Array(e), Some(Value::Array(a))) if e.len() == a.len() => {
            for (i, (x, y)) in e.iter().zip(a).enumerate() {
                matches(x, Some(y), &format!("{path}/{i}"))?;
            }
            Ok(())
        }
        (Value::Number(e), Some(Value::Number(a))) if e.as_f64() == a.as_f64() => Ok(()),
        (e, Some(a)) if e == a => Ok(()),
        (e, a) => Err(format!("{path}: expected {e}, got {}", a.map_or("(absent)".into(), |a| a.to_string()))),
    }
}

/// The failure's code, path and first diagnostic code, compared with `expect`.
fn failure_mismatch(e: &CompileError, expect: &Value) -> Option<String> {
    let actual = serde_json::json!({
        "code": e.code().as_str(),
        "path": e.path(),
        "first_diagnostic": e.errors.first().map(|d| d.code.as_str()),
    });
    let mut want = expect.clone();
    if want.get("first_diagnostic").is_none() {
        want["first_diagnostic"] = actual["first_diagnostic"].clone();
    }
    (want != actual).then(|| format!("expected {want}, got {actual} ({e})"))
}

/// A fixture of failures: every policy through `Engine::compile` (text) and, for a
/// `policy` object, `Engine::compile_value` too.
fn run_failures(name: &str, fx: &Value) -> Vec<String> {
    let mut failures = Vec::new();
    for (i, f) in fx["failures"].as_array().expect("failures").iter().enumerate() {
        let why = f["why"].as_str().unwrap_or("");
        let mut attempts = Vec::new();
        match (f.get("policy_text"), f.get("policy")) {
            (Some(Value::String(text)), None) => attempts.push(("compile", Engine::compile(text))),
            (None, Some(policy)) => {
                attempts.push(("compile", Engine::compile(&policy.to_string())));
                attempts.push(("compile_value", Engine::compile_value(policy)));
            }
            _ => panic!("{name} failure #{i}: give exactly one of policy_text (a string) and policy"),
        }
        for (entry, result) in attempts {
            let m = match result {
                Ok(_) => Some("compiled".to_string()),
                Err(e) => failure_mismatch(&e, &f["expect"]),
            };
            if let Some(m) = m {
                failures.push(format!("{name} failure #{i} via Engine::{entry} ({why}): {m}"));
            }
        }
    }
    failures
}

fn run(path: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("fixture");
    let fx: Value = serde_json::from_str(&text).expect("fixture json");
    if fx.get("failures").is_some() {
        return run_failures(&path.file_name().expect("file name").to_string_lossy(), &fx);
    }
    let engine = Engine::compile_value(&fx["policy"]).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let now = t(fx["now"].as_str().expect("now"));
    let raw = fx["cases"].as_array().expect("cases");
    let cases: Vec<Case> = raw
        .iter()
        .map(|c| {
            let mut case = Case::new();
            engine.decode_json(&c.to_string(), &mut case);
            case
        })
        .collect();
    let mut outs = vec![Outcome::new(); cases.len()];
    engine.evaluate_batch(&cases, now, &mut outs);
    let by_id = |id: &str| raw.iter().position(|c| c["id"] == id).unwrap_or_else(|| panic!("no case {id}"));
    let mut failures = Vec::new();
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    for e in fx["expect"].as_array().into_iter().flatten() {
        let id = e["case"].as_str().expect("case id");
        let actual: Value = serde_json::from_str(&engine.outcome_json(&outs[by_id(id)])).expect("outcome json");
        if let Err(m) = matches(&e["outcome"], Some(&actual), "") {
            failures.push(format!("{name} case {id} ({}): {m}", e["why"].as_str().unwrap_or("")));
        }
    }
    if let Some(r) = fx.get("report") {
        // `by`: the fields the report splits its queues by (optional).
        let by: Vec<&str> = r["by"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        let dims = docket_core::Dimensions::new(&engine, &by).expect("report.by");
        let mut report = Report::with_dimensions(&engine, now, dims);
        // `flow`: `{since, bucket}` (optional).
        if let Some(f) = r.get("flow") {
            let bucket = f["bucket"].as_str().and_then(docket_core::Bucket::parse).expect("report.flow.bucket");
            report =
                report.with_flow(&engine, t(f["since"].as_str().expect("report.flow.since")), bucket).expect("flow");
        }
        for (c, o) in cases.iter().zip(&outs) {
            report.add_case(&engine, c, o);
        }
        let actual: Value = serde_json::from_str(&report.to_json(&engine)).expect("report json");
        if let Err(m) = matches(&r["expect"], Some(&actual), "") {
            failures.push(format!("{name} report ({}): {m}", r["why"].as_str().unwrap_or("")));
        }
    }
    if let Some(w) = fx.get("warnings") {
        let actual = serde_json::to_value(engine.warnings()).expect("warnings json");
        if let Err(m) = matches(&w["expect"], Some(&actual), "") {
            failures.push(format!("{name} warnings ({}): {m}", w["why"].as_str().unwrap_or("")));
        }
    }
    for a in fx["authorize"].as_array().into_iter().flatten() {
        let id = a["case"].as_str().expect("case id");
        let actor: Actor = serde_json::from_value(a["actor"].clone()).expect("actor");
        // An entry's own `now`, else the fixture's.
        let at = a.get("now").and_then(Value::as_str).map_or(now, t);
        let d = engine.authorize(&cases[by_id(id)], &actor, a["action"].as_str().expect("action"), at);
        let actual = serde_json::to_value(&d).expect("decision json");
        if let Err(m) = matches(&a["expect"], Some(&actual), "") {
            failures.push(format!("{name} authorize {id} {} ({}): {m}", a["action"], a["why"].as_str().unwrap_or("")));
        }
    }
    failures
}

#[test]
fn every_fixture_passes_through_the_rust_api() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("conformance");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures dir")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 4, "fixtures missing");
    assert!(files.iter().any(|f| f.ends_with("errors.json")), "errors.json missing");
    let failures: Vec<String> = files.iter().flat_map(|f| run(f)).collect();
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn subset_matching_can_fail() {
    let a = serde_json::json!({"x": 1, "y": [1, 2], "z": null});
    assert!(matches(&serde_json::json!({"x": 1}), Some(&a), "").is_ok());
    assert!(matches(&serde_json::json!({"x": 2}), Some(&a), "").is_err());
    assert!(matches(&serde_json::json!({"y": [1]}), Some(&a), "").is_err());
    assert!(matches(&serde_json::json!({"w": null, "z": null}), Some(&a), "").is_ok());
    assert!(matches(&serde_json::json!({"w": 0}), Some(&a), "").is_err());
}
