//! Replays every input kept in `fuzz/regressions/<target>/` (inputs that once crashed a fuzz
//! target, kept after the fix) and the fuzz seeds, through the same code paths as the fuzz
//! targets, in ordinary `cargo test`. `scripts/fuzz` copies every crash it finds there.

use docket::{
    docket_authorize_json, docket_buffer_free, docket_engine_free, docket_engine_new, docket_error_free,
    docket_evaluate_json, docket_report_json, docket_result,
};
use docket_core::{Actor, Case, Engine, Outcome, Report};
use std::path::Path;
use std::ptr::null_mut;

fn inputs(dir: &str) -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("fuzz");
    let mut out = Vec::new();
    for sub in ["regressions", "seeds"] {
        let Ok(rd) = std::fs::read_dir(root.join(sub).join(dir)) else { continue };
        for e in rd.flatten() {
            if let Ok(b) = std::fs::read(e.path()) {
                out.push((e.path().display().to_string(), b));
            }
        }
    }
    out
}

#[test]
fn policy_compile_inputs() {
    let all = inputs("policy_compile");
    assert!(!all.is_empty(), "no fuzz seeds found");
    for (name, data) in all {
        let Ok(text) = std::str::from_utf8(&data) else { continue };
        if let Ok(engine) = Engine::compile(text) {
            let (mut case, mut out) = (Case::new(), Outcome::new());
            for line in docket_tests::EXAMPLE_CASES.lines() {
                engine.decode_json(line, &mut case);
                engine.evaluate(&case, 1_795_428_000, &mut out);
                assert!(!engine.outcome_json(&out).is_empty(), "{name}");
            }
        }
    }
}

#[test]
fn case_eval_inputs() {
    let e = docket_tests::example_engine();
    let all = inputs("case_eval");
    assert!(!all.is_empty(), "no fuzz seeds found");
    for (name, data) in all {
        let Ok(text) = std::str::from_utf8(&data) else { continue };
        let (mut case, mut out) = (Case::new(), Outcome::new());
        e.decode_json(text, &mut case);
        for now in [1_795_428_000, i64::MIN, i64::MAX, 0] {
            e.evaluate(&case, now, &mut out);
            assert!(!e.outcome_json(&out).is_empty(), "{name}");
            let mut r = Report::new(&e, now);
            r.add(&out);
            let _ = r.to_json(&e);
        }
        let actor = Actor { id: "u-1".into(), roles: vec!["team_lead".into(), "cfo".into()] };
        for action in ["approve", "close", "cancel", "hold", "nope"] {
            for now in [1_795_428_000, i64::MIN, i64::MAX] {
                let _ = e.authorize(&case, &actor, action, now);
            }
        }
    }
}

#[test]
fn c_json_inputs() {
    // As the `c_json` target: any bytes through the C JSON entry points (evaluate, report,
    // authorize with the bytes up to the first NUL as the case). A panic caught at the
    // boundary (`DOCKET_RESULT_INTERNAL`) fails here, though the fuzzer cannot see it.
    let all = inputs("c_json");
    assert!(!all.is_empty(), "no fuzz seeds found");
    let p = docket_tests::EXAMPLE_POLICY;
    let (mut e, mut err) = (null_mut(), null_mut());
    let r = unsafe { docket_engine_new(p.as_ptr().cast(), p.len(), &mut e, &mut err) };
    assert_eq!(r, docket_result::Ok, "example policy compiles");
    for (name, data) in all {
        let (ptr, n) = (data.as_ptr().cast(), data.len());
        for f in [docket_evaluate_json, docket_report_json] {
            let (mut out, mut err) = (null_mut(), null_mut());
            let r = unsafe { f(e, ptr, n, 1_795_428_000, &mut out, &mut err) };
            assert_ne!(r, docket_result::Internal, "{name}");
            unsafe {
                docket_buffer_free(out);
                docket_error_free(err);
            }
        }
        let split = data.iter().position(|&b| b == 0).unwrap_or(n);
        let actor = br#"{"id":"u-9","roles":["team_lead"]}"#;
        let action = b"close";
        let (mut out, mut err) = (null_mut(), null_mut());
        let r = unsafe {
            docket_authorize_json(
                e,
                ptr,
                split,
                actor.as_ptr().cast(),
                actor.len(),
                action.as_ptr().cast(),
                action.len(),
                1_795_428_000,
                &mut out,
                &mut err,
            )
        };
        assert_ne!(r, docket_result::Internal, "{name}");
        unsafe {
            docket_buffer_free(out);
            docket_error_free(err);
        }
    }
    unsafe { docket_engine_free(e) };
}
