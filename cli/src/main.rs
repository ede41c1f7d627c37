//! `docket`: check a policy, evaluate case files, print backlog reports, authorize actions.

mod html;
mod render;
mod table;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use docket_core::{Actor, Case, Engine, ErrorCode, Outcome, OutcomeView, Report, diagnostics_json};
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::process::ExitCode;

const EXIT_CODES: &str = "\
Exit codes: 0 success; 1 policy does not compile (check) or action denied (authorize);
2 unusable arguments, unreadable files or an uncompilable policy.";

/// Rules and SLA engine for order operations.
#[derive(Parser)]
#[command(name = "docket", after_help = EXIT_CODES, arg_required_else_help = true)]
// The last of a repeated option wins, as it always has (`--now A --now B` means B).
#[command(args_override_self = true)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Compile a policy; print its errors and warnings (exit 0 if it compiles, 1 if not).
    Check {
        /// Policy file (JSON); `-` reads stdin.
        #[arg(value_name = "POLICY")]
        policy: String,
        /// Print the result as one JSON object (ok, errors, warnings, policy).
        #[arg(long)]
        json: bool,
    },
    /// Evaluate cases and write one outcome per line (NDJSON), in input order
    ///
    /// NDJSON input is streamed line by line, so memory stays flat for any file size;
    /// a malformed line yields an outcome with `error` and its `line`, and the other
    /// lines are unaffected. Progress goes to stderr when stderr is a terminal.
    #[command(verbatim_doc_comment)]
    Eval {
        #[command(flatten)]
        input: Input,
    },
    /// Print the backlog report of a batch of cases (JSON, a text table or HTML)
    ///
    /// Per queue: cases, open cases by ageing band, SLA states, attainment and the oldest
    /// open case; then the backlog controls that fire.
    #[command(verbatim_doc_comment)]
    Report {
        #[command(flatten)]
        input: Input,
        /// Output format: JSON, a text table for a terminal, or one self-contained HTML page.
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
    },
    /// Decide whether an actor may take an action on a case (exit 0 allowed, 1 denied)
    ///
    /// Prints the decision as JSON: {"allowed": ..., "reasons": [...]}.
    #[command(verbatim_doc_comment)]
    Authorize {
        /// Policy file (JSON); `-` reads stdin.
        #[arg(long, value_name = "POLICY")]
        policy: String,
        /// Case file: one JSON object; `-` reads stdin.
        #[arg(long, value_name = "CASE.json")]
        case: String,
        /// The actor as JSON: {"id": "u-9", "roles": ["team_lead"]}.
        #[arg(long, value_name = "JSON")]
        actor: String,
        /// Action name as the policy declares it (hold, cancel, close, approve, ...).
        #[arg(long, value_name = "NAME")]
        action: String,
    },
    /// Print the version (same as --version).
    #[command(hide = true)]
    Version,
}

/// Options shared by `eval` and `report`.
#[derive(clap::Args)]
struct Input {
    /// Policy file (JSON); `-` reads stdin.
    #[arg(long, value_name = "POLICY")]
    policy: String,
    /// Cases: NDJSON, or one JSON array; `-` reads stdin.
    #[arg(long, value_name = "CASES")]
    cases: String,
    /// Evaluation time, RFC 3339 (2026-11-23T10:00:00Z); defaults to the current time.
    #[arg(long, value_name = "RFC3339")]
    now: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Json,
    Table,
    Html,
}

/// Why a command could not do what it was asked; printed as `docket: CODE: message`.
struct Failure {
    /// `None` only where no code of the vocabulary applies (output that cannot be written).
    code: Option<ErrorCode>,
    message: String,
}

impl Failure {
    fn new(code: ErrorCode, message: impl Into<String>) -> Failure {
        Failure { code: Some(code), message: message.into() }
    }
    fn argument(message: impl Into<String>) -> Failure {
        Failure::new(ErrorCode::InvalidArgument, message)
    }
    fn output(e: impl std::fmt::Display) -> Failure {
        Failure { code: None, message: format!("cannot write output: {e}") }
    }
}

fn version() -> String {
    format!("{} (policy format {})", env!("CARGO_PKG_VERSION"), docket_core::FORMAT_VERSION)
}

fn main() -> ExitCode {
    // The version names the policy format too, which is not a literal, so it is set at run
    // time; the command is built once per process, hence the leak.
    let mut cmd = Cli::command().version(&*version().leak());
    let cli = match cmd.try_get_matches_from_mut(std::env::args_os()).and_then(|m| Cli::from_arg_matches(&m)) {
        Ok(cli) => cli,
        Err(e) => return usage_error(e.format(&mut cmd)),
    };
    let result = match cli.command {
        Cmd::Check { policy, json } => check(&policy, json),
        Cmd::Eval { input } => eval(&input),
        Cmd::Report { input, format } => report(&input, format),
        Cmd::Authorize { policy, case, actor, action } => authorize(&policy, &case, &actor, &action),
        Cmd::Version => {
            println!("docket {}", version());
            Ok(ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(f) => {
            match f.code {
                Some(code) => eprintln!("docket: {code}: {}", f.message),
                None => eprintln!("docket: {}", f.message),
            }
            ExitCode::from(2)
        }
    }
}

/// Help and version go to stdout with exit 0 (help to stderr with exit 2 when no command
/// was given), as clap prints them; a real usage error is printed in the project's
/// vocabulary, `docket: invalid_argument: ...`, and exits 2.
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        e.exit();
    }
    let text = e.to_string();
    eprint!("docket: {}: {}", ErrorCode::InvalidArgument, text.strip_prefix("error: ").unwrap_or(&text));
    ExitCode::from(2)
}

fn read_to_string(path: &str) -> Result<String, Failure> {
    if path == "-" {
        let mut s = String::new();
        io::stdin().read_to_string(&mut s).map_err(|e| Failure::argument(format!("cannot read stdin: {e}")))?;
        return Ok(s);
    }
    std::fs::read_to_string(path).map_err(|e| Failure::argument(format!("cannot read {path}: {e}")))
}

/// Compiles the policy at `path`; a policy that does not compile is a failure whose code
/// is the core's (`invalid_policy`, `invalid_json` or `limit_exceeded`).
fn load_engine(path: &str) -> Result<Engine, Failure> {
    let text = read_to_string(path)?;
    Engine::compile(&text).map_err(|e| Failure::new(e.code(), e.to_string()))
}

/// `--now` as Unix seconds; the current time when it is not given.
fn parse_now(now: Option<&str>) -> Result<i64, Failure> {
    match now {
        Some(t) => docket_core::time::parse_rfc3339(t)
            .ok_or_else(|| Failure::argument(format!("--now `{t}` is not an RFC 3339 timestamp"))),
        None => Ok(std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)),
    }
}

fn check(path: &str, json: bool) -> Result<ExitCode, Failure> {
    let text = read_to_string(path)?;
    let (errors, warnings, engine) = match Engine::compile(&text) {
        Ok(e) => (Vec::new(), e.warnings().to_vec(), Some(e)),
        Err(e) => (e.errors, e.warnings, None),
    };
    if json {
        // Diagnostics are serialized by the core, the same text every binding reports.
        let mut out = format!(
            r#"{{"ok":{},"errors":{},"warnings":{}"#,
            engine.is_some(),
            diagnostics_json(&errors),
            diagnostics_json(&warnings)
        );
        if let Some(e) = &engine {
            let policy = serde_json::json!({"name": e.name(), "version": e.version(), "fingerprint": e.fingerprint()});
            out.push_str(r#","policy":"#);
            out.push_str(&policy.to_string());
        }
        out.push('}');
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
fn for_each_case(engine: &Engine, path: &str, mut f: impl FnMut(u64, &Case) -> io::Result<()>) -> Result<u64, Failure> {
    let cannot_read = |e: io::Error| Failure::argument(format!("cannot read {path}: {e}"));
    let reader: Box<dyn BufRead> = if path == "-" {
        Box::new(BufReader::with_capacity(1 << 16, io::stdin().lock()))
    } else {
        Box::new(BufReader::with_capacity(1 << 16, File::open(path).map_err(cannot_read)?))
    };
    let mut reader = reader;
    let progress = io::stderr().is_terminal();
    let mut case = Case::new();
    let mut buf = String::new();
    let mut line_no = 0u64;
    let mut n = 0u64;
    // Peek the first non-blank byte to tell a JSON array from NDJSON.
    let first = loop {
        let b = reader.fill_buf().map_err(cannot_read)?;
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
    let io_err = Failure::output;
    if first == Some(b'[') {
        let mut text = String::new();
        reader.read_to_string(&mut text).map_err(cannot_read)?;
        let arr: Vec<serde_json::Value> = serde_json::from_str(&text)
            .map_err(|e| Failure::new(ErrorCode::InvalidJson, format!("{path} is not a valid JSON array: {e}")))?;
        if arr.len() > engine.limits().max_cases_per_call {
            return Err(Failure::new(
                ErrorCode::LimitExceeded,
                format!("{path} holds {} cases; the limit is {}", arr.len(), engine.limits().max_cases_per_call),
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
        let read = reader
            .read_line(&mut buf)
            .map_err(|e| Failure::argument(format!("cannot read {path} at line {}: {e}", line_no + 1)))?;
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

fn eval(input: &Input) -> Result<ExitCode, Failure> {
    let engine = load_engine(&input.policy)?;
    let now = parse_now(input.now.as_deref())?;
    let stdout = io::stdout();
    let mut w = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut out = Outcome::new();
    for_each_case(&engine, &input.cases, |line, case| {
        engine.evaluate(case, now, &mut out);
        let view = OutcomeView { engine: &engine, outcome: &out, line: Some(line) };
        serde_json::to_writer(&mut w, &view).map_err(io::Error::other)?;
        w.write_all(b"\n")
    })?;
    w.flush().map_err(Failure::output)?;
    Ok(ExitCode::SUCCESS)
}

fn report(input: &Input, format: Format) -> Result<ExitCode, Failure> {
    let engine = load_engine(&input.policy)?;
    let now = parse_now(input.now.as_deref())?;
    let mut rep = Report::new(&engine, now);
    let mut out = Outcome::new();
    for_each_case(&engine, &input.cases, |_, case| {
        engine.evaluate(case, now, &mut out);
        rep.add(&out);
        Ok(())
    })?;
    let text = match format {
        Format::Table => table::table(&engine, &rep),
        Format::Html => html::page(&engine, &rep),
        Format::Json => rep.to_json(&engine) + "\n",
    };
    io::stdout().write_all(text.as_bytes()).map_err(Failure::output)?;
    Ok(ExitCode::SUCCESS)
}

fn authorize(policy: &str, case: &str, actor: &str, action: &str) -> Result<ExitCode, Failure> {
    let engine = load_engine(policy)?;
    let case_text = read_to_string(case)?;
    let actor: Actor = serde_json::from_str(actor).map_err(|e| {
        // Text that is not JSON at all is `invalid_json`; JSON of the wrong shape is an
        // argument of the wrong shape.
        let code = if e.is_data() { ErrorCode::InvalidArgument } else { ErrorCode::InvalidJson };
        Failure::new(code, format!("--actor is not {{\"id\": ..., \"roles\": [...]}}: {e}"))
    })?;
    let mut case = Case::new();
    engine.decode_json(case_text.trim(), &mut case);
    let d = engine.authorize(&case, &actor, action);
    println!("{}", serde_json::to_string(&d).map_err(|e| Failure::new(ErrorCode::Internal, e.to_string()))?);
    Ok(if d.allowed { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
