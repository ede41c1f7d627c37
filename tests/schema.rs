//! The committed JSON Schema (`docs/policy.schema.json`) is what the Rust model generates,
//! and the bundled example policy validates against it. Regenerate with
//! `DOCKET_BLESS=1 cargo test -p docket-tests --test schema`.

use docket_tests::EXAMPLE_POLICY;

const SCHEMA_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/policy.schema.json");

#[test]
fn committed_schema_matches_the_model() {
    let generated = docket_core::schema::policy_schema_json() + "\n";
    if std::env::var_os("DOCKET_BLESS").is_some() {
        std::fs::write(SCHEMA_PATH, &generated).expect("write schema");
    }
    let committed = std::fs::read_to_string(SCHEMA_PATH).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/policy.schema.json drifted from the model; regenerate with DOCKET_BLESS=1 cargo test -p docket-tests --test schema"
    );
}

fn validate(instance: &serde_json::Value) -> Result<(), String> {
    let schema: serde_json::Value =
        serde_json::from_str(&docket_core::schema::policy_schema_json()).expect("schema json");
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.add_resource("mem:///policy.schema.json", schema).map_err(|e| e.to_string())?;
    let idx = compiler.compile("mem:///policy.schema.json", &mut schemas).map_err(|e| e.to_string())?;
    schemas.validate(instance, idx).map_err(|e| format!("{e:#}"))
}

#[test]
fn example_policy_validates_against_the_schema() {
    let policy: serde_json::Value = serde_json::from_str(EXAMPLE_POLICY).expect("example json");
    validate(&policy).expect("example policy is valid");
}

#[test]
fn schema_rejects_what_the_compiler_rejects() {
    let mut policy: serde_json::Value = serde_json::from_str(EXAMPLE_POLICY).expect("example json");
    // An unknown top-level key, a bad hit policy and a malformed window.
    for (ptr, v) in [("/colour", serde_json::json!("red")), ("/routing/hit", serde_json::json!("best"))] {
        let mut p = policy.clone();
        if ptr == "/colour" {
            p["colour"] = v;
        } else {
            p["routing"]["hit"] = v;
        }
        assert!(validate(&p).is_err(), "schema accepted {ptr}");
        assert!(docket_core::Engine::compile_value(&p).is_err(), "compiler accepted {ptr}");
    }
    policy["calendars"]["eu_ops"]["week"]["mon"] = serde_json::json!(["8-17"]);
    assert!(validate(&policy).is_err());
}

#[test]
fn schema_takes_dependencies_ladders_per_rule_and_controls_by_cause() {
    let mut policy: serde_json::Value = serde_json::from_str(EXAMPLE_POLICY).expect("example json");
    // The example has `dependencies` and a target rule with its own `warn_at` and ladder.
    assert!(policy["dependencies"].is_array() && policy["sla"]["targets"]["rules"][0]["then"]["escalation"].is_array());
    policy["controls"] = serde_json::json!([
        {"id": "BC9", "when": {"breached_by_cause": {"own": ">= 5", "warehouse": ">= 1"}}, "then": {"alert": "x"}}]);
    validate(&policy).expect("controls by cause are valid");
    assert!(docket_core::Engine::compile_value(&policy).is_ok());
    // A dependency that is not a string, and a ladder step without `to`: both refuse it.
    for (ptr, v) in [
        ("/dependencies", serde_json::json!([1])),
        ("/sla/targets/rules/0/then/escalation", serde_json::json!([{"at": 1.0}])),
    ] {
        let mut p = policy.clone();
        *p.pointer_mut(ptr).expect("pointer") = v;
        assert!(validate(&p).is_err(), "schema accepted {ptr}");
        assert!(docket_core::Engine::compile_value(&p).is_err(), "compiler accepted {ptr}");
    }
}
