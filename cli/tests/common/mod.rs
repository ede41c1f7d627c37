//! What the command-line tests share: the bundled example's files, running `docket`, and
//! temporary input files. (Each test binary uses its own part of it.)
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

pub const POLICY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/order-ops.policy.json");
pub const R10_1500: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/order-ops.r10-1500.policy.json");
pub const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/cases.ndjson");
pub const NOW: &str = "2026-11-23T10:00:00Z";

/// Runs `docket ARGS`, writing `stdin` (from a thread, so a large input cannot block
/// against the output it produces), and returns what it printed and its exit status.
pub fn docket(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_docket"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn docket");
    if let Some(s) = stdin {
        let mut w = child.stdin.take().expect("stdin");
        let s = s.to_string();
        std::thread::spawn(move || w.write_all(s.as_bytes()));
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("wait")
}

/// Writes `text` to a file `name` in this test process's temporary folder; its path.
pub fn tmp(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("docket-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write tmp");
    p.to_string_lossy().into_owned()
}
