//! Any bytes as a case under the example policy: decode, evaluate, render, report and
//! authorize never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static ENGINE: LazyLock<docket_core::Engine> =
    LazyLock::new(|| docket_core::Engine::compile(include_str!("../../examples/order-ops.policy.json")).expect("example"));

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let e = &*ENGINE;
    let mut case = docket_core::Case::new();
    let mut out = docket_core::Outcome::new();
    e.decode_json(text, &mut case);
    for now in [1_795_428_000, i64::MIN, i64::MAX, 0] {
        e.evaluate(&case, now, &mut out);
        let _ = e.outcome_json(&out);
        let mut r = docket_core::Report::new(e, now);
        r.add(&out);
        let _ = r.to_json(e);
    }
    let actor = docket_core::Actor { id: "u-1".into(), roles: vec!["team_lead".into(), "cfo".into()] };
    for action in ["approve", "close", "cancel", "hold", "nope"] {
        for now in [1_795_428_000, i64::MIN, i64::MAX] {
            let _ = e.authorize(&case, &actor, action, now);
        }
    }
});
