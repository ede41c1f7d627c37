//! Any bytes as a policy: compile reports errors, never panics or hangs; a policy that
//! compiles evaluates the example cases without failing.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(engine) = docket_core::Engine::compile(text) {
        let mut case = docket_core::Case::new();
        let mut out = docket_core::Outcome::new();
        for line in include_str!("../../examples/cases.ndjson").lines() {
            engine.decode_json(line, &mut case);
            engine.evaluate(&case, 1_795_428_000, &mut out);
            let _ = engine.outcome_json(&out);
        }
    }
});
