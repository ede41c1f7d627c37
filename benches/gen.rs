//! A deterministic generator of realistic cases for the example policy: a mix of kinds,
//! amounts, currencies, tiers and regions, timestamps spread over four weeks, pauses and
//! completions. Fixed seed, no dependencies.

/// A small xorshift generator (deterministic across platforms).
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    /// The next value.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    /// A value in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    /// One element of a slice.
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

const KINDS: &[&str] = &[
    "new_order",
    "payment_hold",
    "fraud_review",
    "allocation_failure",
    "fulfillment_release",
    "shipment_exception",
    "return_authorization",
    "refund",
    "shipping_correction",
    "adjustment",
    "vendor_failure",
    "service_incident",
];

/// `now` for generated workloads: 2026-11-23T10:00:00Z.
pub const NOW: i64 = 1_795_428_000;

fn ts(t: i64) -> String {
    docket_core::time::Rfc3339(t).to_string()
}

/// `n` cases as NDJSON lines, from a fixed seed.
pub fn cases(n: usize, seed: u64) -> Vec<String> {
    let mut r = Rng::new(seed);
    (0..n)
        .map(|i| {
            let kind = *r.pick(KINDS);
            let opened = NOW - r.below(28 * 86_400) as i64;
            let mut s = format!(r#"{{"id":"G-{i}","kind":"{kind}","order_id":"O-{i}","opened_at":"{}""#, ts(opened));
            let region = *r.pick(&["eu", "eu", "eu", "us", "uk"]);
            s += &format!(
                r#","region":"{region}","channel":"{}""#,
                r.pick(&["web", "app", "marketplace", "phone", "store"])
            );
            s += &format!(r#","customer_tier":"{}""#, r.pick(&["standard", "standard", "gold", "platinum"]));
            if matches!(kind, "refund" | "adjustment" | "shipping_correction" | "payment_hold") || r.below(3) == 0 {
                let cents = r.below(400_000) as i64;
                s += &format!(r#","amount":"{}.{:02}""#, cents / 100, cents % 100);
                if r.below(5) == 0 {
                    s += &format!(r#","currency":"{}""#, r.pick(&["USD", "GBP"]));
                }
            }
            if kind == "fraud_review" {
                s += &format!(r#","fraud_score":0.{}"#, r.below(100));
            }
            if kind == "vendor_failure" {
                s += &format!(r#","vendor_failures_90d":{}"#, r.below(6));
            }
            if kind == "service_incident" {
                s += &format!(r#","orders_affected":{}"#, r.below(400));
            }
            if kind == "allocation_failure" {
                s += &format!(r#","split_shipment":{}"#, r.below(2) == 0);
            }
            if r.below(2) == 0 {
                s += &format!(r#","response_at":"{}""#, ts(opened + r.below(6 * 3600) as i64));
            }
            if r.below(4) == 0 {
                s += &format!(r#","resolution_at":"{}""#, ts(opened + r.below(72 * 3600) as i64));
            }
            if r.below(6) == 0 {
                let from = opened + r.below(24 * 3600) as i64;
                let to = if r.below(2) == 0 {
                    format!(r#""{}""#, ts(from + r.below(48 * 3600) as i64))
                } else {
                    "null".into()
                };
                s += &format!(r#","paused":[{{"from":"{}","to":{to}}}]"#, ts(from));
            }
            s += &format!(r#","requested_by":"agent-{}""#, r.below(50));
            if r.below(3) == 0 {
                s += &format!(
                    r#","approvals":[{{"role":"{}","by":"u-{}","at":"{}"}}]"#,
                    r.pick(&["team_lead", "ops_manager", "finance_reviewer"]),
                    r.below(20),
                    ts(opened + 3600)
                );
            }
            if r.below(2) == 0 {
                s += r#","evidence":["refund_receipt","carrier_confirmation"]"#;
            }
            s.push('}');
            s
        })
        .collect()
}

/// The example policy with `sla`, `approvals`, `actions` and `controls` removed: the same
/// routing table (and intake validation), nothing else. "Routing only" benchmarks and the
/// peer comparison (`benches/compare`) compile this.
pub fn routing_only_policy(policy: &str) -> String {
    without_keys(policy, &["sla", "approvals", "actions", "controls"])
}

/// `json` (one object) without the given top-level members. A small scanner (strings and
/// nesting aware) so the benches need no JSON dependency of their own.
pub fn without_keys(json: &str, drop: &[&str]) -> String {
    let body = json.trim();
    let inner = &body[1..body.len() - 1];
    let (mut members, mut start, mut depth, mut in_str, mut esc) = (Vec::new(), 0, 0i32, false, false);
    for (i, ch) in inner.char_indices() {
        if in_str {
            match (esc, ch) {
                (true, _) => esc = false,
                (false, '\\') => esc = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match ch {
            '"' => in_str = true,
            '{' | '[' => depth += 1,
            '}' | ']' => depth -= 1,
            ',' if depth == 0 => {
                members.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    members.push(&inner[start..]);
    let kept: Vec<&str> = members
        .into_iter()
        .filter(|m| {
            let key = m.trim().split(':').next().unwrap_or("").trim().trim_matches('"');
            !drop.contains(&key)
        })
        .collect();
    format!("{{{}}}", kept.join(","))
}

/// Evaluates `cases` on `threads` std threads (contiguous chunks, one report per thread),
/// writing `outs[i]` for `cases[i]`, and returns the merged report (`Report::merge`):
/// the multi-core batch path. The core itself has no threads.
pub fn evaluate_parallel(
    engine: &docket_core::Engine,
    cases: &[docket_core::Case],
    now: i64,
    outs: &mut [docket_core::Outcome],
    threads: usize,
) -> docket_core::Report {
    let threads = threads.max(1);
    let chunk = cases.len().div_ceil(threads).max(1);
    let reports: Vec<docket_core::Report> = std::thread::scope(|s| {
        let handles: Vec<_> = cases
            .chunks(chunk)
            .zip(outs.chunks_mut(chunk))
            .map(|(cs, os)| {
                s.spawn(move || {
                    let mut r = docket_core::Report::new(engine, now);
                    for (c, o) in cs.iter().zip(os.iter_mut()) {
                        engine.evaluate(c, now, o);
                        r.add(o);
                    }
                    r
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("worker")).collect()
    });
    let mut it = reports.into_iter();
    let mut whole = it.next().unwrap_or_else(|| docket_core::Report::new(engine, now));
    for r in it {
        whole.merge(&r);
    }
    whole
}

/// The number of cores to use for multi-core runs (`available_parallelism`).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Cases as typed columns, the way a host holding them in arrays passes them to the
/// columnar batch path (and the C bench to the C API): enums, roles and evidence items as
/// indexes, money as cents (scale 2), timestamps as seconds, ids and actors as text, lists
/// flattened with offsets, absent values in presence bytes. Built from the JSON records;
/// [`TypedColumns::columns`] borrows it as the core's [`docket_core::Column`]s.
#[derive(Default)]
pub struct TypedColumns {
    n: usize,
    text: Vec<(&'static str, Vec<String>, Vec<u8>)>,
    index: Vec<(&'static str, Vec<u32>, Vec<u8>)>,
    int: Vec<(&'static str, Vec<i64>, Vec<u8>)>,
    cents: (Vec<i64>, Vec<u8>),
    score: (Vec<f64>, Vec<u8>),
    split: (Vec<u8>, Vec<u8>),
    pause_off: Vec<usize>,
    pause_from: Vec<i64>,
    pause_to: (Vec<i64>, Vec<u8>),
    appr_off: Vec<usize>,
    appr_role: Vec<u32>,
    appr_by: Vec<String>,
    appr_at: Vec<i64>,
    ev_off: Vec<usize>,
    ev: Vec<u32>,
}

/// Borrowed text of [`TypedColumns`] (the core takes `&[&str]`).
pub struct Texts<'a>(Vec<Vec<&'a str>>, Vec<&'a str>);

impl TypedColumns {
    /// Columns for NDJSON case lines as [`cases`] writes them (panics on other shapes:
    /// benchmark set-up only).
    pub fn from_json(e: &docket_core::Engine, lines: &[String]) -> TypedColumns {
        use serde_json::Value;
        let secs = |v: &Value| v.as_str().and_then(docket_core::time::parse_rfc3339);
        let text_keys = ["id", "order_id", "currency", "requested_by"];
        let index_keys = ["kind", "region", "channel", "customer_tier"];
        let int_keys = ["opened_at", "vendor_failures_90d", "orders_affected", "response_at", "resolution_at"];
        let mut c = TypedColumns {
            text: text_keys.iter().map(|k| (*k, Vec::new(), Vec::new())).collect(),
            index: index_keys.iter().map(|k| (*k, Vec::new(), Vec::new())).collect(),
            int: int_keys.iter().map(|k| (*k, Vec::new(), Vec::new())).collect(),
            ..TypedColumns::default()
        };
        for line in lines {
            let v: Value = serde_json::from_str(line).expect("generated case");
            for (k, vals, present) in &mut c.text {
                let x = v.get(*k).and_then(Value::as_str);
                present.push(u8::from(x.is_some()));
                vals.push(x.unwrap_or("").to_string());
            }
            for (k, vals, present) in &mut c.index {
                let slot = e.slot(k).expect("enum field");
                let x = v.get(*k).and_then(Value::as_str).map(|s| e.symbol(slot, s).expect("enum value"));
                present.push(u8::from(x.is_some()));
                vals.push(x.unwrap_or(0));
            }
            for (k, vals, present) in &mut c.int {
                let x = v.get(*k).and_then(|x| x.as_i64().or_else(|| secs(x)));
                present.push(u8::from(x.is_some()));
                vals.push(x.unwrap_or(0));
            }
            let amount = v.get("amount").and_then(Value::as_str).map(|s| {
                let (w, f) = s.split_once('.').unwrap_or((s, "0"));
                w.parse::<i64>().expect("units") * 100 + format!("{f:0<2}").parse::<i64>().expect("cents")
            });
            c.cents.1.push(u8::from(amount.is_some()));
            c.cents.0.push(amount.unwrap_or(0));
            let score = v.get("fraud_score").and_then(Value::as_f64);
            c.score.1.push(u8::from(score.is_some()));
            c.score.0.push(score.unwrap_or(0.0));
            let split = v.get("split_shipment").and_then(Value::as_bool);
            c.split.1.push(u8::from(split.is_some()));
            c.split.0.push(u8::from(split == Some(true)));
            c.pause_off.push(c.pause_from.len());
            for p in v.get("paused").and_then(Value::as_array).into_iter().flatten() {
                c.pause_from.push(secs(&p["from"]).expect("from"));
                let to = secs(&p["to"]);
                c.pause_to.1.push(u8::from(to.is_some()));
                c.pause_to.0.push(to.unwrap_or(0));
            }
            c.appr_off.push(c.appr_by.len());
            for a in v.get("approvals").and_then(Value::as_array).into_iter().flatten() {
                let role = a["role"].as_str().expect("role");
                c.appr_role.push(e.role(role).expect("role"));
                c.appr_by.push(a["by"].as_str().expect("by").to_string());
                c.appr_at.push(secs(&a["at"]).expect("at"));
            }
            c.ev_off.push(c.ev.len());
            for x in v.get("evidence").and_then(Value::as_array).into_iter().flatten() {
                let x = x.as_str().expect("item");
                c.ev.push(e.evidence_item(x).expect("evidence item"));
            }
            c.n += 1;
        }
        c.pause_off.push(c.pause_from.len());
        c.appr_off.push(c.appr_by.len());
        c.ev_off.push(c.ev.len());
        c
    }

    /// Number of cases.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether there are no cases.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The text columns borrowed as `&str` (keep it alive while the columns are used).
    pub fn texts(&self) -> Texts<'_> {
        Texts(
            self.text.iter().map(|(_, v, _)| v.iter().map(String::as_str).collect()).collect(),
            self.appr_by.iter().map(String::as_str).collect(),
        )
    }

    /// The columns, for [`docket_core::Engine::columns`].
    pub fn columns<'a>(&'a self, e: &docket_core::Engine, texts: &'a Texts<'a>) -> Vec<docket_core::Column<'a>> {
        use docket_core::{Column, ColumnValues as V};
        let t = |name: &str| e.column_target(name).expect("column");
        let mut cols = Vec::new();
        for ((k, _, present), v) in self.text.iter().zip(&texts.0) {
            cols.push(Column::new(t(k), V::Text(v)).present(present));
        }
        for (k, v, present) in &self.index {
            cols.push(Column::new(t(k), V::Index(v)).present(present));
        }
        for (k, v, present) in &self.int {
            cols.push(Column::new(t(k), V::I64(v)).present(present));
        }
        cols.push(Column::new(t("amount"), V::Scaled(&self.cents.0, 2)).present(&self.cents.1));
        cols.push(Column::new(t("fraud_score"), V::F64(&self.score.0)).present(&self.score.1));
        cols.push(Column::new(t("split_shipment"), V::Bool(&self.split.0)).present(&self.split.1));
        cols.push(Column::new(t("paused_from"), V::I64(&self.pause_from)).offsets(&self.pause_off));
        cols.push(
            Column::new(t("paused_to"), V::I64(&self.pause_to.0)).present(&self.pause_to.1).offsets(&self.pause_off),
        );
        cols.push(Column::new(t("approval_role"), V::Index(&self.appr_role)).offsets(&self.appr_off));
        cols.push(Column::new(t("approval_by"), V::Text(&texts.1)).offsets(&self.appr_off));
        cols.push(Column::new(t("approval_at"), V::I64(&self.appr_at)).offsets(&self.appr_off));
        cols.push(Column::new(t("evidence"), V::Index(&self.ev)).offsets(&self.ev_off));
        cols
    }
}
