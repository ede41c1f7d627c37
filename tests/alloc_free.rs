//! The core's hot path allocates nothing per case once its buffers are warm: decoding a case,
//! evaluating it, and adding it to a report, counted with a counting global allocator.

use docket_core::{Case, Outcome, Report, Route};
use docket_tests::{EXAMPLE_CASES, example_engine, t};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    // Per thread: the tests of this file run in parallel, and each counts only its own.
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

fn allocs() -> u64 {
    ALLOCS.with(Cell::get)
}

fn count() {
    // `try_with`: the slot may be gone while a thread exits.
    let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn no_allocation_per_case_once_warm() {
    let e = example_engine();
    let now = t("2026-11-23T10:00:00Z");
    let lines: Vec<&str> = EXAMPLE_CASES.lines().collect();
    let mut cases: Vec<Case> = lines.iter().map(|_| Case::new()).collect();
    let mut outs = vec![Outcome::new(); lines.len()];
    let mut report = Report::new(&e, now);
    let mut route = Route::new();
    let mut round = |count: bool| {
        let before = allocs();
        for (l, c) in lines.iter().zip(cases.iter_mut()) {
            e.decode_json(l, c);
        }
        e.evaluate_batch(&cases, now, &mut outs);
        for o in &outs {
            report.add(o);
        }
        // Routing alone, into one reused buffer.
        for c in &cases {
            e.route(c, &mut route);
        }
        let n = allocs() - before;
        if count {
            assert_eq!(n, 0, "allocations in a warm round over {} cases", lines.len());
        }
    };
    round(false); // warm-up: buffers grow to their working size
    round(false);
    for _ in 0..3 {
        round(true);
    }
}

#[test]
fn no_allocation_per_case_with_waits_closings_and_later_stamps_once_warm() {
    // Cases that wait on declared and undeclared dependencies (a cause), pause for a
    // reason, close, carry stamps after `now`, or open after it.
    let e = example_engine();
    let now = t("2026-11-23T10:00:00Z");
    let lines = [
        r#"{"id":"W1","kind":"payment_hold","amount":"90","order_id":"O","opened_at":"2026-11-22T08:00:00Z","waiting":[{"from":"2026-11-22T08:10:00Z","to":"2026-11-22T12:00:00Z","on":"finance"},{"from":"2026-11-22T09:00:00Z","on":"platform"},{"from":"2026-11-22T09:30:00Z","to":"2026-11-22T09:40:00Z","on":"legal"}],"paused":[{"from":"2026-11-22T13:00:00Z","to":"2026-11-22T14:00:00Z","reason":"customer"}]}"#,
        r#"{"id":"W2","kind":"refund","amount":"80","order_id":"O","opened_at":"2026-11-20T08:00:00Z","closed_at":"2026-11-21T08:00:00Z","waiting":[{"from":"2026-11-20T09:00:00Z","to":"2026-11-21T09:00:00Z","on":"warehouse"}]}"#,
        r#"{"id":"W3","kind":"refund","amount":"80","order_id":"O","opened_at":"2026-11-23T08:00:00Z","response_at":"2026-11-23T11:00:00Z","closed_at":"2026-11-24T08:00:00Z","paused":[{"from":"2026-11-23T09:00:00Z","to":"2026-11-23T12:00:00Z"}],"waiting":[{"from":"2026-11-23T12:00:00Z","on":"carrier"}]}"#,
        r#"{"id":"W4","kind":"refund","amount":"80","order_id":"O","opened_at":"2026-11-24T08:00:00Z"}"#,
    ];
    let mut cases: Vec<Case> = lines.iter().map(|_| Case::new()).collect();
    let mut outs = vec![Outcome::new(); lines.len()];
    let mut report = Report::new(&e, now);
    let mut round = |count: bool| {
        let before = allocs();
        for (l, c) in lines.iter().zip(cases.iter_mut()) {
            e.decode_json(l, c);
        }
        e.evaluate_batch(&cases, now, &mut outs);
        for o in &outs {
            report.add(o);
        }
        let n = allocs() - before;
        if count {
            assert_eq!(n, 0, "allocations in a warm round");
        }
    };
    round(false);
    round(false);
    for _ in 0..3 {
        round(true);
    }
    // They were evaluated as meant: W1 waited on an undeclared name, W2 is closed, W3 has
    // stamps after now, W4 is not yet open.
    assert!(
        outs[0].waiting_s(0).count() > 0
            && outs[0].waiting_s(0).any(|(d, _)| outs[0].dependency_name(&e, d) == "legal")
    );
    assert!(!outs[1].is_open() && outs[2].is_open() && outs[3].not_yet_open());
    assert_eq!(report.not_yet_open, 5);
}

#[test]
fn no_allocation_per_case_in_the_columnar_path_once_warm() {
    use docket_core::{Column, ColumnValues as V, ColumnWorkspace};
    let e = example_engine();
    let now = t("2026-11-23T10:00:00Z");
    let tgt = |n: &str| e.column_target(n).unwrap_or_else(|| panic!("{n}"));
    // 100 refunds (several blocks), each with a pause, an approval and an evidence item.
    let n = 100;
    let ids: Vec<String> = (0..n).map(|i| format!("C-{i}")).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let kind = e.slot("kind").and_then(|k| e.symbol(k, "refund")).unwrap_or(u32::MAX);
    let kinds = vec![kind; n];
    let opened: Vec<i64> = (0..n as i64).map(|i| t("2026-11-20T09:00:00Z") + 60 * i).collect();
    let orders = vec!["O-1"; n];
    let cents: Vec<i64> = (0..n as i64).map(|i| 1_000 + 37 * i).collect();
    let offsets: Vec<usize> = (0..=n).collect();
    let from: Vec<i64> = opened.iter().map(|o| o + 600).collect();
    let to: Vec<i64> = opened.iter().map(|o| o + 1_200).collect();
    let role = vec!["team_lead"; n];
    let by = vec!["u-7"; n];
    let evidence = vec!["refund_receipt"; n];
    let cols = [
        Column::new(tgt("id"), V::Text(&ids)),
        Column::new(tgt("kind"), V::Index(&kinds)),
        Column::new(tgt("opened_at"), V::I64(&opened)),
        Column::new(tgt("order_id"), V::Text(&orders)),
        Column::new(tgt("amount"), V::Scaled(&cents, 2)),
        Column::new(tgt("paused_from"), V::I64(&from)).offsets(&offsets),
        Column::new(tgt("paused_to"), V::I64(&to)).offsets(&offsets),
        Column::new(tgt("approval_role"), V::Text(&role)).offsets(&offsets),
        Column::new(tgt("approval_by"), V::Text(&by)).offsets(&offsets),
        Column::new(tgt("evidence"), V::Text(&evidence)).offsets(&offsets),
    ];
    let batch = e.columns(n, &cols).unwrap_or_else(|err| panic!("{err}"));
    let mut ws = ColumnWorkspace::new();
    let mut report = Report::new(&e, now);
    let refund_queue = e.queues().position(|q| q == "refund_validation").map(|q| q as u32);
    let mut routed = 0;
    let mut round = |count: bool| {
        let before = allocs();
        e.evaluate_columns(&batch, now, &mut ws, |_, o| {
            report.add(o);
            routed += usize::from(o.queue_index() == refund_queue);
        });
        let got = allocs() - before;
        if count {
            assert_eq!(got, 0, "allocations in a warm columnar round over {n} cases");
        }
    };
    round(false);
    round(false);
    for _ in 0..3 {
        round(true);
    }
    // The cases were really evaluated: every refund of every round went to its queue.
    assert_eq!(routed, 5 * n);
}

#[test]
fn a_report_with_flow_allocates_nothing_per_case_once_it_has_seen_each_cycle_time_bin() {
    // Flow over the example's week in day buckets, through the JSON path and the columnar
    // one: counting a case in its buckets and a cycle time in a (bucket, kind, metric)
    // cell and histogram bin already met allocates nothing; only a new cell or bin grows
    // the report's buffers, so a warm round of the same cases allocates nothing.
    use docket_core::{Bucket, Column, ColumnValues as V, ColumnWorkspace};
    let e = example_engine();
    let now = t("2026-11-23T10:00:00Z");
    let since = t("2026-11-16T00:00:00Z");
    let lines: Vec<&str> = EXAMPLE_CASES.lines().collect();
    let mut cases: Vec<Case> = lines.iter().map(|_| Case::new()).collect();
    let mut outs = vec![Outcome::new(); lines.len()];
    let mut report = Report::new(&e, now).with_flow(&e, since, Bucket::Day).unwrap();
    let tgt = |n: &str| e.column_target(n).unwrap_or_else(|| panic!("{n}"));
    let n = 40;
    let ids: Vec<String> = (0..n).map(|i| format!("K-{i}")).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let kind = e.slot("kind").and_then(|k| e.symbol(k, "refund")).unwrap_or(u32::MAX);
    let kinds = vec![kind; n];
    let opened: Vec<i64> = (0..n as i64).map(|i| t("2026-11-18T09:00:00Z") + 3_600 * i).collect();
    let responded: Vec<i64> = opened.iter().zip(0..).map(|(o, i)| o + 60 * i).collect();
    let orders = vec!["O-1"; n];
    let cents = vec![1_000i64; n];
    let cols = [
        Column::new(tgt("id"), V::Text(&ids)),
        Column::new(tgt("kind"), V::Index(&kinds)),
        Column::new(tgt("opened_at"), V::I64(&opened)),
        Column::new(tgt("response_at"), V::I64(&responded)),
        Column::new(tgt("order_id"), V::Text(&orders)),
        Column::new(tgt("amount"), V::Scaled(&cents, 2)),
    ];
    let batch = e.columns(n, &cols).unwrap_or_else(|err| panic!("{err}"));
    let mut ws = ColumnWorkspace::new();
    let mut round = |count: bool| {
        let before = allocs();
        for (l, c) in lines.iter().zip(cases.iter_mut()) {
            e.decode_json(l, c);
        }
        e.evaluate_batch(&cases, now, &mut outs);
        for o in &outs {
            report.add(o);
        }
        e.evaluate_columns(&batch, now, &mut ws, |_, o| report.add(o));
        let got = allocs() - before;
        if count {
            assert_eq!(got, 0, "allocations in a warm round over {} cases", lines.len() + n);
        }
    };
    round(false);
    round(false);
    for _ in 0..3 {
        round(true);
    }
    // The flow was really counted: every round's 40 columnar refunds, each responded.
    let flow = report.flow.as_ref().unwrap();
    let responses: u64 =
        flow.queues.iter().flat_map(|q| &q.cycles).filter(|c| c.metric == 0).map(|c| c.business.count).sum();
    assert!(responses >= 5 * n as u64, "{responses}");
    assert!(flow.queues.iter().any(|q| q.cycles.len() > 1));
}

#[test]
fn a_report_split_by_dimensions_allocates_nothing_per_case_once_it_has_seen_each_combination() {
    // A combination of values first met allocates its figures; every later case of a
    // combination already met (and every per-metric, approval, escalation and cause
    // count) allocates nothing.
    let e = example_engine();
    let now = t("2026-11-23T10:00:00Z");
    let lines: Vec<&str> = EXAMPLE_CASES.lines().collect();
    let mut cases: Vec<Case> = lines.iter().map(|_| Case::new()).collect();
    let mut outs = vec![Outcome::new(); lines.len()];
    let dims = docket_core::Dimensions::new(&e, &["kind", "channel", "split_shipment"]).unwrap();
    let mut report = Report::with_dimensions(&e, now, dims);
    let mut round = |count: bool| {
        let before = allocs();
        for (l, c) in lines.iter().zip(cases.iter_mut()) {
            e.decode_json(l, c);
        }
        e.evaluate_batch(&cases, now, &mut outs);
        for (c, o) in cases.iter().zip(&outs) {
            report.add_case(&e, c, o);
        }
        let n = allocs() - before;
        if count {
            assert_eq!(n, 0, "allocations in a warm round over {} cases", lines.len());
        }
    };
    round(false);
    round(true);
    round(true);
    assert_eq!(report.cases, 3 * lines.len() as u64);
    assert!(report.queues.iter().any(|q| q.by.len() > 1));
}
