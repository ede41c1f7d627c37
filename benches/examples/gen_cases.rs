//! Prints the benchmark workload as NDJSON: `gen_cases N [SEED]` writes N cases of
//! `docket_benches::cases` (seed 42 unless given), for timing the command line on files
//! of any size (`scripts/diff-speed`).

use std::io::{BufWriter, Write};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(42);
    let mut out = BufWriter::new(std::io::stdout().lock());
    // In chunks, so a large N does not hold every case at once; ids stay unique.
    let chunk = 10_000;
    let mut done = 0;
    while done < n {
        let m = chunk.min(n - done);
        for line in docket_benches::cases(m, seed.wrapping_add(done as u64)) {
            let line = line.replacen("\"id\":\"G-", &format!("\"id\":\"G{done}-"), 1);
            if writeln!(out, "{line}").is_err() {
                return;
            }
        }
        done += m;
    }
}
