//! `docket`: check a policy, evaluate case files, print backlog reports, authorize actions,
//! test a policy against suites, and compare two policies on a batch of cases.

mod diff;
mod diff_html;
mod escape;
mod flow_view;
mod html;
mod input;
mod pipeline;
mod render;
mod table;
mod test_suite;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use docket_core::{
    Actor, Bucket, Case, CompileError, Diagnostic, Dimensions, Engine, ErrorCode, Limits, Outcome, PolicyCode, Report,
    diagnostics_json,
};
use input::InputFormat;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::process::ExitCode;

const EXIT_CODES: &str = "\
Exit codes: 0 success; 1 policy does not compile, or has warnings under --deny-warnings
(check), action denied (authorize), a test fails (test), or a case changes in a --fail-on
aspect (diff); 2 unusable arguments, unreadable files, suites that cannot be used or an
uncompilable policy.";

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
    /// Compile a policy; print its errors and warnings (exit 0 if it compiles, 1 if not)
    ///
    /// Warnings (each with a stable code and a JSON pointer) point at parts of a policy
    /// that compile but cannot do what they seem to: unreachable_rule, unfillable_step,
    /// unused_queue, limit_without_value.
    #[command(verbatim_doc_comment)]
    Check {
        /// Policy file (JSON); `-` reads stdin.
        #[arg(value_name = "POLICY")]
        policy: String,
        /// Print the result as one JSON object (ok, errors, warnings, policy).
        #[arg(long)]
        json: bool,
        /// Exit 1 when the policy has any warning (as when it does not compile).
        #[arg(long)]
        deny_warnings: bool,
        #[command(flatten)]
        limits: PolicyLimits,
    },
    /// Evaluate cases and write one outcome per line (NDJSON), in input order
    ///
    /// Cases are read one record at a time, each held to --max-case-bytes, so memory
    /// stays flat for any input size. A record that cannot be used (too long, not UTF-8,
    /// not JSON, not an object, no id...) yields an outcome with `error` and its `line`
    /// (its position in a JSON array); the other records are unaffected. Progress goes
    /// to stderr when stderr is a terminal.
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
        /// Split every count of a queue by the values of these enum or bool fields (`kind`
        /// is one), e.g. `--by kind,channel`
        #[arg(long, value_name = "FIELD[,FIELD]", value_delimiter = ',', verbatim_doc_comment)]
        by: Vec<String>,
        /// An earlier report (its JSON) to compare with: per queue the change of open,
        /// breached and at-risk cases and of the oldest open case's age, and a verdict
        /// (growing, contained, shrinking)
        #[arg(long, value_name = "EARLIER.json", verbatim_doc_comment)]
        baseline: Option<String>,
        /// Flow over a period: per queue and bucket the cases received, closed and carried
        /// over, and the cycle times (count, mean, p50, p90, max; business and calendar) of
        /// the metrics completed in it, by kind. The first bucket holds this instant
        /// (RFC 3339), the last holds --now; at most 400 buckets
        #[arg(long, value_name = "RFC3339", verbatim_doc_comment)]
        since: Option<String>,
        /// The flow's buckets, in the policy's `report.timezone` (default UTC): a day from
        /// midnight, or a week from Monday 00:00 [default: day]
        #[arg(long, value_enum, requires = "since", verbatim_doc_comment)]
        bucket: Option<BucketArg>,
    },
    /// Decide whether an actor may take an action on a case (exit 0 allowed, 1 denied)
    ///
    /// Prints the decision record as one line of JSON, ready to append to an audit log:
    /// {"case", "actor", "action", "now", "allowed", "reasons", "fills" (approve), "policy"}.
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
        /// The instant the decision is made as of, RFC 3339; defaults to the current time.
        #[arg(long, value_name = "RFC3339")]
        now: Option<String>,
        #[command(flatten)]
        case_limits: CaseLimits,
        #[command(flatten)]
        policy_limits: PolicyLimits,
    },
    /// Run test suites against a policy (exit 0 all pass, 1 a test fails, 2 unusable input)
    ///
    /// A suite (JSON) holds `now`, cases with the part of their outcome each must get
    /// (matched by subset: other fields are ignored, `null` expects null or absent, an
    /// array matches one of the same length element by element), optional `authorize`
    /// questions with the part of the decision, and optional `report` fields of the
    /// cases' report. A failure prints every field that differs, expected against got.
    /// A suite may pin the policy `fingerprint` it was written for; another one is a
    /// warning. --record prints a suite from today's outcomes instead: of the cases of
    /// --cases FILE, or of the one SUITE given (its expectations written again).
    #[command(verbatim_doc_comment)]
    Test {
        /// Policy file (JSON); `-` reads stdin.
        #[arg(value_name = "POLICY")]
        policy: String,
        /// Suite files (JSON).
        #[arg(value_name = "SUITE")]
        suites: Vec<String>,
        /// Also write the results as JUnit XML to FILE.
        #[arg(long, value_name = "FILE")]
        junit: Option<String>,
        /// After the results, list the rules of each table that no case of the suites fired.
        #[arg(long)]
        coverage: bool,
        /// Print a suite from today's outcomes (of --cases, or of the one SUITE given).
        #[arg(long)]
        record: bool,
        /// With --record: the cases of the new suite (NDJSON or a JSON array; `-` reads stdin).
        #[arg(long, value_name = "CASES")]
        cases: Option<String>,
        /// With --record: the outcome fields each case's `expect` keeps, comma-separated
        /// paths, `*` for every key or element [default: error,queue,owner,priority,
        /// sla.*.state,sla.*.due,band,approvals.remaining,issues.*.code,trace]
        #[arg(long, value_name = "PATHS", verbatim_doc_comment)]
        fields: Option<String>,
        /// With --record --cases: the suite's `now`, RFC 3339; defaults to the current time.
        #[arg(long, value_name = "RFC3339")]
        now: Option<String>,
        /// With --record --cases: how CASES is given (see `docket eval --help`).
        #[arg(long, value_enum, value_name = "FORMAT", default_value_t = InputFormat::Auto)]
        input_format: InputFormat,
        #[command(flatten)]
        case_limits: CaseLimits,
        #[command(flatten)]
        policy_limits: PolicyLimits,
    },
    /// Compare two policies on a batch of cases: the cases whose decisions change, and
    /// the impact of the change
    ///
    /// Every case is evaluated under both policies. Per changed case: which decisions
    /// changed (queue, owner, priority, approvals, SLA targets, due, state, band,
    /// issues) with the deciding rules before and after. Then a summary: queue from → to,
    /// cases changed per decision, breached, at-risk and attainment per queue before and
    /// after, approval steps per role, the rules whose cases change, and the cases that
    /// newly become unrouted, invalid, unusable or without authority. Streams: memory stays
    /// flat for any number of cases. Exit 1 with --fail-on when a case changes in one of
    /// its aspects.
    #[command(verbatim_doc_comment)]
    Diff {
        /// The policy in force (JSON).
        #[arg(long, value_name = "POLICY")]
        old: String,
        /// The policy proposed (JSON).
        #[arg(long, value_name = "POLICY")]
        new: String,
        /// Cases: NDJSON, or one JSON array; `-` reads stdin.
        #[arg(long, value_name = "CASES")]
        cases: String,
        /// Evaluation time, RFC 3339 (2026-11-23T10:00:00Z); defaults to the current time.
        #[arg(long, value_name = "RFC3339")]
        now: Option<String>,
        /// Output: text for a terminal, one JSON document, or a self-contained HTML page.
        #[arg(long, value_enum, default_value_t = diff::DiffFormat::Table)]
        format: diff::DiffFormat,
        /// Exit 1 when any case changes in one of these, comma-separated: error, queue,
        /// owner, priority, approvals, targets, due, state, band, issues; sla (targets,
        /// due, state, band); any
        #[arg(long, value_name = "ASPECTS", verbatim_doc_comment)]
        fail_on: Option<String>,
        /// How CASES is given (see `docket eval --help`).
        #[arg(long, value_enum, value_name = "FORMAT", default_value_t = InputFormat::Auto)]
        input_format: InputFormat,
        /// Most cases in one JSON array (NDJSON is streamed and has no such limit)
        #[arg(long, value_name = "N", default_value_t = Limits::default().max_cases_per_call, help_heading = "Limits")]
        max_cases: usize,
        #[command(flatten)]
        case_limits: CaseLimits,
        #[command(flatten)]
        policy_limits: PolicyLimits,
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
    /// How CASES is given. auto: one JSON array when the first byte that is not
    /// whitespace is `[` and that bracket closes exactly at the end of the input, NDJSON
    /// otherwise (so a first line `[]` does not make NDJSON an array); a file is read
    /// twice to tell, a pipe that starts with `[` is held in memory up to 64 MiB to tell
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = InputFormat::Auto, verbatim_doc_comment)]
    input_format: InputFormat,
    /// Most cases in one JSON array (NDJSON is streamed and has no such limit)
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_cases_per_call, help_heading = "Limits")]
    max_cases: usize,
    #[command(flatten)]
    case_limits: CaseLimits,
    #[command(flatten)]
    policy_limits: PolicyLimits,
}

/// The limits on cases (`eval`, `report`, `authorize`).
#[derive(clap::Args)]
#[command(next_help_heading = "Limits")]
struct CaseLimits {
    /// Largest case record (an NDJSON line, an array element, a case file) in bytes, its
    /// surrounding whitespace aside; a larger one is that case's error `too_large`
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_case_bytes, verbatim_doc_comment)]
    max_case_bytes: usize,
    /// Longest string kept from a case (id, actor, string field) in bytes; a longer id is
    /// the error `id_too_long`, a longer value the issue `bad_type`
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_string_len, verbatim_doc_comment)]
    max_string_len: usize,
    /// Most entries in a case's `paused`, `approvals` or `evidence`; more is the issue
    /// `bad_type` on that key
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_list_len, verbatim_doc_comment)]
    max_list_len: usize,
}

/// The limits on the policy (every command).
#[derive(clap::Args)]
#[command(next_help_heading = "Limits")]
struct PolicyLimits {
    /// Largest policy file in bytes; a larger one does not compile (`limit_exceeded`)
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_policy_bytes)]
    max_policy_bytes: usize,
    /// Most rules in one decision table
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_rules_per_table)]
    max_rules_per_table: usize,
    /// Most windows in one weekday's or one override's list of a calendar
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_windows_per_day)]
    max_windows_per_day: usize,
    /// Most holidays, and most overrides, in one calendar
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_dates_per_calendar)]
    max_dates_per_calendar: usize,
    /// Most calendars in a policy
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_calendars)]
    max_calendars: usize,
    /// Most SLA metrics in a policy
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_metrics)]
    max_metrics: usize,
    /// Most SLA escalation steps
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_escalation_steps)]
    max_escalation_steps: usize,
    /// Most ageing bands
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_bands)]
    max_bands: usize,
    /// Most values of one field: an enum's values, or the strings the tables name
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_values_per_field)]
    max_values_per_field: usize,
    /// Memory a compiled policy may take for calendars, SLA thresholds and table indexes,
    /// in bytes; a policy that would take more does not compile (`limit_exceeded`)
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_memory_bytes, verbatim_doc_comment)]
    max_memory_bytes: usize,
}

impl PolicyLimits {
    /// The limits in force: these, the case limits given, the defaults for the rest.
    fn with(&self, cases: Option<&CaseLimits>, max_cases: Option<usize>) -> Limits {
        let d = Limits::default();
        Limits {
            max_policy_bytes: self.max_policy_bytes,
            max_rules_per_table: self.max_rules_per_table,
            max_windows_per_day: self.max_windows_per_day,
            max_dates_per_calendar: self.max_dates_per_calendar,
            max_calendars: self.max_calendars,
            max_metrics: self.max_metrics,
            max_escalation_steps: self.max_escalation_steps,
            max_bands: self.max_bands,
            max_values_per_field: self.max_values_per_field,
            max_memory_bytes: self.max_memory_bytes,
            max_case_bytes: cases.map_or(d.max_case_bytes, |c| c.max_case_bytes),
            max_string_len: cases.map_or(d.max_string_len, |c| c.max_string_len),
            max_list_len: cases.map_or(d.max_list_len, |c| c.max_list_len),
            max_cases_per_call: max_cases.unwrap_or(d.max_cases_per_call),
        }
    }
}

impl Input {
    fn limits(&self) -> Limits {
        self.policy_limits.with(Some(&self.case_limits), Some(self.max_cases))
    }
}

/// `--bucket`.
#[derive(Clone, Copy, ValueEnum)]
enum BucketArg {
    Day,
    Week,
}

impl BucketArg {
    fn bucket(self) -> Bucket {
        match self {
            BucketArg::Day => Bucket::Day,
            BucketArg::Week => Bucket::Week,
        }
    }
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
        Cmd::Check { policy, json, deny_warnings, limits } => {
            check(&policy, json, deny_warnings, limits.with(None, None))
        }
        Cmd::Eval { input } => eval(&input),
        Cmd::Report { input, format, by, baseline, since, bucket } => {
            let flow = since.map(|s| (s, bucket.map_or(Bucket::Day, BucketArg::bucket)));
            report(&input, format, &by, baseline.as_deref(), flow)
        }
        Cmd::Authorize { policy, case, actor, action, now, case_limits, policy_limits } => {
            let limits = policy_limits.with(Some(&case_limits), None);
            authorize(&policy, &case, (&actor, &action, now.as_deref()), limits)
        }
        Cmd::Test {
            policy,
            suites,
            junit,
            coverage,
            record,
            cases,
            fields,
            now,
            input_format,
            case_limits,
            policy_limits,
        } => load_engine(&policy, policy_limits.with(Some(&case_limits), None)).and_then(|engine| {
            let o = test_suite::Options {
                policy: &policy,
                suites: &suites,
                junit: junit.as_deref(),
                coverage,
                record,
                cases: cases.as_deref(),
                input_format,
                fields: fields.as_deref(),
                now: now.as_deref(),
            };
            test_suite::run(&engine, &o)
        }),
        Cmd::Diff { old, new, cases, now, format, fail_on, input_format, max_cases, case_limits, policy_limits } => {
            let limits = policy_limits.with(Some(&case_limits), Some(max_cases));
            compare(&old, &new, &cases, now.as_deref(), format, fail_on.as_deref(), input_format, limits)
        }
        Cmd::Version => {
            println!("docket {}", version());
            Ok(ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(f) => {
            let message = escape::lines(&f.message);
            match f.code {
                Some(code) => eprintln!("docket: {code}: {message}"),
                None => eprintln!("docket: {message}"),
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
    let text = escape::lines(&text);
    eprint!("docket: {}: {}", ErrorCode::InvalidArgument, text.strip_prefix("error: ").unwrap_or(&text));
    ExitCode::from(2)
}

/// A file (`-`: stdin) read up to `max` bytes: its text, or `None` when it is longer.
fn read_at_most(path: &str, max: usize) -> Result<Option<String>, Failure> {
    let name = if path == "-" { "stdin" } else { path };
    let cannot_read = |e: io::Error| Failure::argument(format!("cannot read {name}: {e}"));
    let mut bytes = Vec::new();
    let limit = (max as u64).saturating_add(1);
    if path == "-" {
        io::stdin().lock().take(limit).read_to_end(&mut bytes)
    } else {
        File::open(path).and_then(|f| f.take(limit).read_to_end(&mut bytes))
    }
    .map_err(cannot_read)?;
    if bytes.len() > max {
        return Ok(None);
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| cannot_read(io::Error::new(io::ErrorKind::InvalidData, "stream did not contain valid UTF-8")))?;
    Ok(Some(text))
}

/// Compiles the policy at `path` under `limits`; a policy file over `max_policy_bytes`
/// is not read further, and gets the error the core gives a policy text over it.
fn compile(path: &str, limits: Limits) -> Result<Result<Engine, CompileError>, Failure> {
    let max = limits.max_policy_bytes;
    let Some(text) = read_at_most(path, max)? else {
        let size = std::fs::metadata(path).ok().filter(|m| path != "-" && m.is_file()).map(|m| m.len());
        let size = size.map_or(format!("more than {max}"), |n| n.to_string());
        let message = format!("the policy is {size} bytes; the limit is {max} (--max-policy-bytes)");
        let errors = vec![Diagnostic { code: PolicyCode::LimitExceeded, path: String::new(), message }];
        return Ok(Err(CompileError { errors, warnings: Vec::new() }));
    };
    Ok(Engine::compile_with_limits(&text, limits))
}

/// Compiles the policy at `path`; a policy that does not compile is a failure whose code
/// is the core's (`invalid_policy`, `invalid_json` or `limit_exceeded`).
fn load_engine(path: &str, limits: Limits) -> Result<Engine, Failure> {
    compile(path, limits)?.map_err(|e| {
        // The core's message, each diagnostic on its own line, escaped for the terminal.
        let mut message = format!("the policy has {} error(s)", e.errors.len());
        for d in &e.errors {
            message.push_str("\n  ");
            message.push_str(&escape::text(&d.to_string()));
        }
        Failure::new(e.code(), message)
    })
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

fn check(path: &str, json: bool, deny_warnings: bool, limits: Limits) -> Result<ExitCode, Failure> {
    let (errors, warnings, engine) = match compile(path, limits)? {
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
        println!("{}", String::from_utf8_lossy(&escape::json(out.as_bytes())));
    } else {
        let path = |d: &Diagnostic| if d.path.is_empty() { "/".into() } else { escape::text(&d.path).into_owned() };
        for d in &errors {
            println!("error[{}] {}: {}", d.code, path(d), escape::text(&d.message));
        }
        for d in &warnings {
            println!("warning[{}] {}: {}", d.code, path(d), escape::text(&d.message));
        }
        match &engine {
            Some(e) => println!(
                "ok: policy {} {} compiles ({} warning(s)); fingerprint {}",
                escape::text(e.name()),
                escape::text(e.version()),
                warnings.len(),
                e.fingerprint()
            ),
            None => println!("policy does not compile: {} error(s), {} warning(s)", errors.len(), warnings.len()),
        }
        if deny_warnings && engine.is_some() && !warnings.is_empty() {
            println!("--deny-warnings: {} warning(s) fail the check", warnings.len());
        }
    }
    let ok = engine.is_some() && (warnings.is_empty() || !deny_warnings);
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn eval(input: &Input) -> Result<ExitCode, Failure> {
    let engine = load_engine(&input.policy, input.limits())?;
    let now = parse_now(input.now.as_deref())?;
    let workers = std::thread::available_parallelism().map_or(1, usize::from);
    let mut w = BufWriter::with_capacity(1 << 16, io::stdout());
    pipeline::eval(&engine, &input.cases, input.input_format, now, workers, &mut w)?;
    Ok(ExitCode::SUCCESS)
}

fn report(
    input: &Input,
    format: Format,
    by: &[String],
    baseline: Option<&str>,
    flow: Option<(String, Bucket)>,
) -> Result<ExitCode, Failure> {
    let engine = load_engine(&input.policy, input.limits())?;
    let now = parse_now(input.now.as_deref())?;
    let baseline: Option<serde_json::Value> = match baseline {
        None => None,
        Some(path) => {
            let text = read_at_most(path, BASELINE_MAX_BYTES)?.ok_or_else(|| {
                Failure::new(ErrorCode::LimitExceeded, format!("--baseline is over {BASELINE_MAX_BYTES} bytes"))
            })?;
            let v = serde_json::from_str(&text)
                .map_err(|e| Failure::new(ErrorCode::InvalidJson, format!("--baseline is not JSON: {e}")))?;
            Some(v)
        }
    };
    let fields: Vec<&str> = by.iter().map(String::as_str).collect();
    let dims = Dimensions::new(&engine, &fields).map_err(|e| Failure::argument(format!("--by: {e}")))?;
    let mut rep = Report::with_dimensions(&engine, now, dims);
    if let Some((since, bucket)) = flow {
        let t = docket_core::time::parse_rfc3339(&since)
            .ok_or_else(|| Failure::argument(format!("--since `{since}` is not an RFC 3339 timestamp")))?;
        rep = rep.with_flow(&engine, t, bucket).map_err(|e| Failure::new(e.code(), format!("--since: {e}")))?;
    }
    let mut out = Outcome::new();
    input::for_each_case(&engine, &input.cases, input.input_format, |_, case| {
        engine.evaluate(case, now, &mut out);
        rep.add_case(&engine, case, &out);
        Ok(())
    })?;
    let json = rep.to_json(&engine);
    let trend = match &baseline {
        None => None,
        Some(b) => {
            let current: serde_json::Value =
                serde_json::from_str(&json).map_err(|e| Failure::new(ErrorCode::Internal, e.to_string()))?;
            Some(docket_core::trend(&current, b).map_err(|e| Failure::argument(format!("--baseline: {e}")))?)
        }
    };
    let text = match format {
        Format::Table => table::table(&engine, &rep, trend.as_ref()),
        Format::Html => html::page(&engine, &rep, trend.as_ref()),
        Format::Json => {
            let json = match &trend {
                None => json,
                // The report's JSON with `trend` added as its last key.
                Some(t) => {
                    let mut v: serde_json::Value =
                        serde_json::from_str(&json).map_err(|e| Failure::new(ErrorCode::Internal, e.to_string()))?;
                    if let Some(m) = v.as_object_mut() {
                        m.insert("trend".into(), t.clone());
                    }
                    v.to_string()
                }
            };
            String::from_utf8_lossy(&escape::json(json.as_bytes())).into_owned() + "\n"
        }
    };
    io::stdout().write_all(text.as_bytes()).map_err(Failure::output)?;
    Ok(ExitCode::SUCCESS)
}

/// The largest `--baseline` report read.
const BASELINE_MAX_BYTES: usize = 256 << 20;

#[allow(clippy::too_many_arguments)]
fn compare(
    old: &str,
    new: &str,
    cases: &str,
    now: Option<&str>,
    format: diff::DiffFormat,
    fail_on: Option<&str>,
    input_format: InputFormat,
    limits: Limits,
) -> Result<ExitCode, Failure> {
    let fail_on = docket_core::Changes::parse(fail_on.unwrap_or("")).map_err(|name| {
        Failure::argument(format!(
            "--fail-on: `{name}` is not one of error, queue, owner, priority, approvals, targets, due, state, band, issues, sla, any"
        ))
    })?;
    let (old, new) = (load_engine(old, limits)?, load_engine(new, limits)?);
    let now = parse_now(now)?;
    let workers = std::thread::available_parallelism().map_or(1, usize::from);
    diff::run(&diff::Diff { old: &old, new: &new, cases, input_format, now, format, fail_on, workers })
}

fn authorize(
    policy: &str,
    case: &str,
    (actor, action, now): (&str, &str, Option<&str>),
    limits: Limits,
) -> Result<ExitCode, Failure> {
    let engine = load_engine(policy, limits)?;
    let now = parse_now(now)?;
    let record = input::read_case(case, limits.max_case_bytes)?;
    let actor: Actor = serde_json::from_str(actor).map_err(|e| {
        // Text that is not JSON at all is `invalid_json`; JSON of the wrong shape is an
        // argument of the wrong shape.
        let code = if e.is_data() { ErrorCode::InvalidArgument } else { ErrorCode::InvalidJson };
        Failure::new(code, format!("--actor is not {{\"id\": ..., \"roles\": [...]}}: {e}"))
    })?;
    let mut case = Case::new();
    match record {
        Ok(text) => engine.decode_json(&text, &mut case),
        Err(e) => input::unusable(&engine, &mut case, e),
    }
    let d = engine.authorize(&case, &actor, action, now);
    let json = serde_json::to_string(&d).map_err(|e| Failure::new(ErrorCode::Internal, e.to_string()))?;
    println!("{}", String::from_utf8_lossy(&escape::json(json.as_bytes())));
    Ok(if d.allowed { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
