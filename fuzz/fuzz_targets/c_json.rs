//! Any bytes through the C JSON entry points (evaluate, report, authorize): an error code
//! or a buffer, never a crash or a leak.
#![no_main]
use libfuzzer_sys::fuzz_target;
// Link the C binding so its exported symbols resolve.
extern crate docket;
use std::ffi::{c_char, c_void};
use std::sync::LazyLock;

// The C ABI of libdocket (bindings-c/include/docket.h), linked from the docket-c rlib.
#[allow(non_camel_case_types)]
type docket_result = i32;
unsafe extern "C" {
    fn docket_engine_new(policy: *const c_char, len: usize, out: *mut *mut c_void, err: *mut *mut c_void) -> docket_result;
    fn docket_evaluate_json(e: *const c_void, cases: *const c_char, len: usize, now: i64, out: *mut *mut c_void, err: *mut *mut c_void) -> docket_result;
    fn docket_report_json(e: *const c_void, cases: *const c_char, len: usize, now: i64, out: *mut *mut c_void, err: *mut *mut c_void) -> docket_result;
    #[allow(clippy::too_many_arguments)]
    fn docket_authorize_json(e: *const c_void, case: *const c_char, case_len: usize, actor: *const c_char, actor_len: usize, action: *const c_char, action_len: usize, now: i64, out: *mut *mut c_void, err: *mut *mut c_void) -> docket_result;
    fn docket_buffer_free(b: *mut c_void);
    fn docket_error_free(e: *mut c_void);
}

struct Engine(*mut c_void);
unsafe impl Send for Engine {}
unsafe impl Sync for Engine {}

static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    let p = include_str!("../../examples/order-ops.policy.json");
    let (mut e, mut err) = (std::ptr::null_mut(), std::ptr::null_mut());
    let r = unsafe { docket_engine_new(p.as_ptr().cast(), p.len(), &mut e, &mut err) };
    assert_eq!(r, 0, "example policy compiles");
    Engine(e)
});

fn done(out: *mut c_void, err: *mut c_void) {
    unsafe {
        docket_buffer_free(out);
        docket_error_free(err);
    }
}

fuzz_target!(|data: &[u8]| {
    let e = ENGINE.0 as *const c_void;
    let (p, n) = (data.as_ptr().cast::<c_char>(), data.len());
    for f in [docket_evaluate_json, docket_report_json] {
        let (mut out, mut err) = (std::ptr::null_mut(), std::ptr::null_mut());
        let r = unsafe { f(e, p, n, 1_795_428_000, &mut out, &mut err) };
        assert!(r >= 0);
        done(out, err);
    }
    let split = data.iter().position(|&b| b == 0).unwrap_or(n);
    let actor = br#"{"id":"u-9","roles":["team_lead"]}"#;
    let (mut out, mut err) = (std::ptr::null_mut(), std::ptr::null_mut());
    let action = b"close";
    unsafe {
        docket_authorize_json(e, p, split, actor.as_ptr().cast(), actor.len(), action.as_ptr().cast(), action.len(), 1_795_428_000, &mut out, &mut err);
    }
    done(out, err);
});
