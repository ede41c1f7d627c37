//! `docket`: check a policy, evaluate case files, print backlog reports, authorize actions.

mod html;
mod render;
mod table;

use docket_core::{Actor, Case, Engine, Outcome, OutcomeView, Report};
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::process::ExitCode;

const USAGE: &str = "\
docket — rules and SLA engine for order operations

USAGE:
  docket check POLICY [--json]
      Compile POLICY; print errors and warnings. Exit 0 if it compiles, 1 if not.
  docket eval --policy POLICY --cases CASES [--now RFC3339]
      Evaluate CASES (NDJSON, or a JSON array; `-` reads stdin) and write one outcome
      per line (NDJSON) in input order. --now defaults to the current time.
  docket report --policy POLICY --cases CASES [--now RFC3339] [--format json|table|html]
      Print the batch backlog report.
  docket authorize --policy POLICY --case CASE.json --actor JSON --action NAME
      Print the decision as JSON. Exit 0 if allowed, 1 if denied.

Exit codes: 0 success; 1 policy does not compile (check) or action denied (authorize);
2 unusable arguments, unreadable files or an uncompilable policy.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("docket: {msg}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<ExitCode, String> {
    let Some(cmd) = args.first() else {
        eprintln!("{USAGE}");
        return Ok(ExitCode::from(2));
    };
    let rest = args.get(1..).unwrap_or(&[]);
    match cmd.as_str() {
        "check" => check(rest),
        "eval" => eval(rest),
        "report" => report(rest),
        "authorize" => authorize(rest),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        "--version" | "version" => {
            println!("docket {}", env!("CARGO_PKG_VERSION"));
            Ok(ExitCode::SUCCESS)
        }
        other => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    }
}

/// Parsed `--flag value` options and positional arguments.
struct Opts {
    pairs: Vec<(String, String)>,
    flags: Vec<String>,
    positional: Vec<String>,
}

impl Opts {
    fn parse(args: &[String], with_value: &[&str], switches: &[&str]) -> Result<Opts, String> {
        let mut o = Opts { pairs: Vec::new(), flags: Vec::new(), positional: Vec::new() };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if let Some(name) = a.strip_prefix("--") {
                let (name, inline) = match name.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (name, None),
                };
                if with_value.contains(&name) {
                    let v = match inline {
                        Some(v) => v,
                        None => it.next().cloned().ok_or_else(|| format!("--{name} needs a value"))?,
                    };
                    o.pairs.push((name.to_string(), v));
                } else if switches.contains(&name) {
                    o.flags.push(name.to_string());
                } else {
                    return Err(format!("unknown option --{name}"));
                }
            } else {
                o.positional.push(a.clone());
            }
        }
        Ok(o)
    }
    fn get(&self, k: &str) -> Option<&str> {
        self.pairs.iter().rev().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }
    fn need(&self, k: &str) -> Result<&str, String> {
        self.get(k).ok_or_else(|| format!("missing --{k}"))
    }
    fn flag(&self, k: &str) -> bool {
        self.flags.iter().any(|f| f == k)
    }
}

fn read_to_string(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut s = String::new();
        io::stdin().read_to_string(&mut s).map_err(|e| format!("cannot read stdin: {e}"))?;
        return Ok(s);
    }
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
}

fn load_engine(path: &str) -> Result<Engine, String> {
    let text = read_to_string(path)?;
    Engine::compile(&text).map_err(|e| {
        let mut msg = format!("policy {path} does not compile ({} error(s)):", e.errors.len());
        for d in &e.errors {
            msg.push_str(&format!(
                "\n  error[{}] {}: {}",
                d.code,
                if d.path.is_empty() { "/" } else { &d.path },
                d.message
            ));
        }
        msg
    })
}

fn parse_now(o: &Opts) -> Result<i64, String> {
    match o.get("now") {
        Some(t) => {
            docket_core::time::parse_rfc3339(t).ok_or_else(|| format!("--now `{t}` is not an RFC 3339 timestamp"))
        }
        None => Ok(std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)),
    }
}

fn check(args: &[String]) -> Result<ExitCode, String> {
    let o = Opts::parse(args, &[], &["json"])?;
    let [path] = o.positional.as_slice() else {
        return Err("usage: docket check POLICY [--json]".into());
    };
    let text = read_to_string(path)?;
    let (errors, warnings, engine) = match Engine::compile(&text) {
        Ok(e) => (Vec::new(), e.warnings().to_vec(), Some(e)),
        Err(e) => (e.errors, e.warnings, None),
    };
    if o.flag("json") {
        let diag = |d: &docket_core::Diagnostic| serde_json::json!({"code": d.code.as_str(), "path": d.path, "message": d.message});
        let mut out = serde_json::json!({
            "ok": engine.is_some(),
            "errors": errors.iter().map(diag).collect::<Vec<_>>(),
            "warnings": warnings.iter().map(diag).collect::<Vec<_>>(),
        });
        if let Some(e) = &engine {
            out["policy"] =
                serde_json::json!({"name": e.name(), "version": e.version(), "fingerprint": e.fingerprint()});
        }
        println!("{out}");
    } else {
        for d in &errors {
            println!("error[{}] {}: {}", d.code, if d.path.is_empty() { "/" } else { &d.path }, d.message);
        }
        for d in &warnings {
            println!("warning[{}] {}: {}", d.code, if d.path.is_empty() { "/" } else { &d.path }, d.message);
        }
        match &engine {
            Some(e) => println!(
                "ok: policy {} {} compiles ({} warning(s)); fingerprint {}",
                e.name(),
                e.version(),
                warnings.len(),
                e.fingerprint()
            ),
            None => println!("policy does not compile: {} error(s), {} warning(s)", errors.len(), warnings.len()),
        }
    }
    Ok(if engine.is_some() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Streams the cases of a file: NDJSON line by line (flat memory), or a JSON array.
/// Calls `f(line_number, case)` for each record, in order.
fn for_each_case(engine: &Engine, path: &str, mut f: impl FnMut(u64, &Case) -> io::Result<()>) -> Result<u64, String> {
    let reader: Box<dyn BufRead> = if path == "-" {
        Box::new(BufReader::with_capacity(1 << 16, io::stdin().lock()))
    } else {
        Box::new(BufReader::with_capacity(1 << 16, File::open(path).map_err(|e| format!("cannot read {path}: {e}"))?))
    };
    let mut reader = reader;
    let progress = io::stderr().is_terminal();
    let mut case = Case::new();
    let mut buf = String::new();
    let mut line_no = 0u64;
    let mut n = 0u64;
    // Peek the first non-blank byte to tell a JSON array from NDJSON.
    let first = loop {
        let b = reader.fill_buf().map_err(|e| format!("cannot read {path}: {e}"))?;
        match b.iter().position(|c| !c.is_ascii_whitespace()) {
            Some(i) => break b.get(i).copied(),
            None if b.is_empty() => break None,
            None => {
                let len = b.len();
                line_no += b.iter().filter(|&&c| c == b'\n').count() as u64;
                reader.consume(len);
            }
        }
    };
    let io_err = |e: io::Error| format!("cannot write output: {e}");
    if first == Some(b'[') {
        let mut text = String::new();
        reader.read_to_string(&mut text).map_err(|e| format!("cannot read {path}: {e}"))?;
        let arr: Vec<serde_json::Value> =
            serde_json::from_str(&text).map_err(|e| format!("{path} is not a valid JSON array: {e}"))?;
        if arr.len() > engine.limits().max_cases_per_call {
            return Err(format!(
                "{path} holds {} cases; the limit is {}",
                arr.len(),
                engine.limits().max_cases_per_call
            ));
        }
        for (i, v) in arr.iter().enumerate() {
            let _ = engine.decode(v, &mut case);
            f(i as u64 + 1, &case).map_err(io_err)?;
            n += 1;
        }
        return Ok(n);
    }
    loop {
        buf.clear();
        let read =
            reader.read_line(&mut buf).map_err(|e| format!("cannot read {path} at line {}: {e}", line_no + 1))?;
        if read == 0 {
            break;
        }
        line_no += 1;
        let line = buf.trim();
        if line.is_empty() {
            continue;
        }
        engine.decode_json(line, &mut case);
        f(line_no, &case).map_err(io_err)?;
        n += 1;
        if progress && n.is_multiple_of(100_000) {
            eprint!("\r{n} cases");
        }
    }
    if progress && n >= 100_000 {
        eprintln!("\r{n} cases");
    }
    Ok(n)
}

fn eval(args: &[String]) -> Result<ExitCode, String> {
    let o = Opts::parse(args, &["policy", "cases", "now"], &[])?;
    let engine = load_engine(o.need("policy")?)?;
    let now = parse_now(&o)?;
    let stdout = io::stdout();
    let mut w = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut out = Outcome::new();
    for_each_case(&engine, o.need("cases")?, |line, case| {
        engine.evaluate(case, now, &mut out);
        let view = OutcomeView { engine: &engine, outcome: &out, line: Some(line) };
        serde_json::to_writer(&mut w, &view).map_err(io::Error::other)?;
        w.write_all(b"\n")
    })?;
    w.flush().map_err(|e| format!("cannot write output: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

fn report(args: &[String]) -> Result<ExitCode, String> {
    let o = Opts::parse(args, &["policy", "cases", "now", "format"], &[])?;
    let engine = load_engine(o.need("policy")?)?;
    let now = parse_now(&o)?;
    let format = o.get("format").unwrap_or("json");
    if !matches!(format, "json" | "table" | "html") {
        return Err(format!("unknown --format `{format}` (json, table or html)"));
    }
    let mut rep = Report::new(&engine, now);
    let mut out = Outcome::new();
    for_each_case(&engine, o.need("cases")?, |_, case| {
        engine.evaluate(case, now, &mut out);
        rep.add(&out);
        Ok(())
    })?;
    let text = match format {
        "table" => table::table(&engine, &rep),
        "html" => html::page(&engine, &rep),
        _ => rep.to_json(&engine) + "\n",
    };
    io::stdout().write_all(text.as_bytes()).map_err(|e| format!("cannot write output: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

fn authorize(args: &[String]) -> Result<ExitCode, String> {
    let o = Opts::parse(args, &["policy", "case", "actor", "action"], &[])?;
    let engine = load_engine(o.need("policy")?)?;
    let case_text = read_to_string(o.need("case")?)?;
    let actor: Actor = serde_json::from_str(o.need("actor")?)
        .map_err(|e| format!("--actor is not {{\"id\": ..., \"roles\": [...]}}: {e}"))?;
    let mut case = Case::new();
    engine.decode_json(case_text.trim(), &mut case);
    let d = engine.authorize(&case, &actor, o.need("action")?);
    println!("{}", serde_json::to_string(&d).map_err(|e| e.to_string())?);
    Ok(if d.allowed { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
