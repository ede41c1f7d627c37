//! The core's hot path allocates nothing per case once its buffers are warm: decoding a case,
//! evaluating it, and adding it to a report, counted with a counting global allocator.

use docket_core::{Case, Outcome, Report};
use docket_tests::{EXAMPLE_CASES, example_engine, t};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

struct Counting;
static ALLOCS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
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
    let mut round = |count: bool| {
        let before = ALLOCS.load(Ordering::Relaxed);
        for (l, c) in lines.iter().zip(cases.iter_mut()) {
            e.decode_json(l, c);
        }
        e.evaluate_batch(&cases, now, &mut outs);
        for o in &outs {
            report.add(o);
        }
        let n = ALLOCS.load(Ordering::Relaxed) - before;
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
