//! Reading the cases of `eval` and `report`: NDJSON line by line, or one JSON array
//! element by element. Every record is held to `max_case_bytes` while it is read (a
//! longer one is skipped to its end without being stored), so memory stays flat for any
//! input, and a record that cannot be read (too long, not UTF-8, not JSON) is only its
//! own case's `error`.
//!
//! Which format: `ndjson` and `array` say it. `auto` reads one JSON array when the first
//! byte that is not whitespace is `[` and that bracket closes exactly at the end of the
//! input (strings and escapes respected, nothing but whitespace after it); anything else
//! is NDJSON, so an NDJSON file whose first line is `[]` stays NDJSON. A regular file is
//! read twice to tell; a pipe that starts with `[` is held in memory up to
//! [`PROBE_BYTES`] to tell, and refused above that (`--input-format` then says it).

use crate::Failure;
use docket_core::{Case, CaseError, Engine, ErrorCode};
use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Read};

/// The most input a pipe that starts with `[` is held in memory for, under
/// `--input-format auto`, to tell one JSON array from NDJSON.
pub const PROBE_BYTES: usize = 64 << 20;

/// How the cases are given.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// A JSON array when the whole input is one (its first `[` closes at its end), else NDJSON.
    Auto,
    /// One case per line.
    Ndjson,
    /// One JSON array of cases.
    Array,
}

/// JSON whitespace.
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Calls `f(number, case)` for every case of `path`, in order: `number` is the line of an
/// NDJSON record, the position (from 1) of an array element. Returns how many.
pub fn for_each_case(
    engine: &Engine,
    path: &str,
    format: InputFormat,
    mut f: impl FnMut(u64, &Case) -> io::Result<()>,
) -> Result<u64, Failure> {
    let mut case = Case::new();
    for_each_record(engine, path, format, |number, record| {
        decode(engine, record, &mut case);
        f(number, &case)
    })
}

/// Decodes one record into `case`, or gives it the error that keeps it from being decoded.
pub fn decode(engine: &Engine, record: Result<&str, CaseError>, case: &mut Case) {
    match record {
        Ok(text) => engine.decode_json(text, case),
        Err(e) => unusable(engine, case, e),
    }
}

/// Calls `f(number, record)` for every record of `path`, in order, without decoding it:
/// `record` is its text, trimmed, or the error that keeps it from being decoded
/// (`too_large`, `bad_json`). `number` is as for [`for_each_case`]. Returns how many.
pub fn for_each_record(
    engine: &Engine,
    path: &str,
    format: InputFormat,
    f: impl FnMut(u64, Result<&str, CaseError>) -> io::Result<()>,
) -> Result<u64, Failure> {
    let mut cases = Cases { engine, f, n: 0, progress: io::stderr().is_terminal() };
    let max_cases = engine.limits().max_cases_per_call;
    let (mut reader, regular) = open(path)?;
    let (first, blank) = skip_blank(&mut reader, path)?;
    let array = match format {
        InputFormat::Ndjson => false,
        InputFormat::Array => true,
        InputFormat::Auto => first == Some(b'['),
    };
    if !array {
        cases.ndjson(reader, blank, path)?;
    } else if regular {
        // One pass over the file tells its shape before anything is written; then it is
        // read again from the start.
        let shape = scan(&mut reader);
        let (mut reader, blank) = reopen(path)?;
        match shape {
            Ok(n) if n > max_cases as u64 => return Err(too_many(path, &n.to_string(), max_cases)),
            Ok(_) => cases.array(reader, path, max_cases)?,
            Err(Shape::Io(e)) => return Err(cannot_read(path, e)),
            Err(Shape::Bad(why)) if format == InputFormat::Array => return Err(not_an_array(path, &why)),
            Err(Shape::Bad(_)) => cases.ndjson(&mut reader, blank, path)?,
        }
    } else if format == InputFormat::Auto {
        let mut probe = Vec::new();
        reader.take(PROBE_BYTES as u64 + 1).read_to_end(&mut probe).map_err(|e| cannot_read(path, e))?;
        if probe.len() > PROBE_BYTES {
            return Err(Failure::new(
                ErrorCode::LimitExceeded,
                format!(
                    "{} starts with `[` and is over {} MiB: whether it is one JSON array or NDJSON cannot be \
                     told without holding it all; say which with --input-format array or --input-format ndjson",
                    name(path),
                    PROBE_BYTES >> 20
                ),
            ));
        }
        match scan(&mut &probe[..]) {
            Ok(n) if n > max_cases as u64 => return Err(too_many(path, &n.to_string(), max_cases)),
            Ok(_) => cases.array(&probe[..], path, max_cases)?,
            Err(_) => cases.ndjson(&probe[..], blank, path)?,
        }
    } else {
        // `--input-format array` from a pipe: streamed; a fault in the array's structure
        // is found where it is, after the outcomes of the elements before it.
        cases.array(reader, path, max_cases)?;
    }
    if cases.progress && cases.n >= 100_000 {
        eprintln!("\r{} cases", cases.n);
    }
    Ok(cases.n)
}

/// The one case of a file (`authorize --case`), its surrounding whitespace dropped: its
/// text, or the error that keeps it from being decoded (`too_large`, `bad_json` when it is
/// not UTF-8). At most `max + 1` bytes of it are held.
pub fn read_case(path: &str, max: usize) -> Result<Result<String, CaseError>, Failure> {
    let (mut r, _) = open(path)?;
    skip_blank(&mut r, path)?;
    let mut bytes = Vec::new();
    r.by_ref().take((max as u64).saturating_add(1)).read_to_end(&mut bytes).map_err(|e| cannot_read(path, e))?;
    loop {
        let rest = r.fill_buf().map_err(|e| cannot_read(path, e))?;
        if rest.is_empty() {
            break;
        }
        if rest.iter().any(|&b| !is_ws(b)) {
            return Ok(Err(CaseError::TooLarge));
        }
        let n = rest.len();
        r.consume(n);
    }
    Ok(text(&bytes, true).map(str::to_owned))
}

/// Reads records and hands each one on.
struct Cases<'a, F> {
    engine: &'a Engine,
    f: F,
    n: u64,
    progress: bool,
}

impl<F: FnMut(u64, Result<&str, CaseError>) -> io::Result<()>> Cases<'_, F> {
    /// Hands one record on.
    fn record(&mut self, number: u64, record: Result<&str, CaseError>) -> Result<(), Failure> {
        (self.f)(number, record).map_err(Failure::output)?;
        self.n += 1;
        if self.progress && self.n.is_multiple_of(100_000) {
            eprint!("\r{} cases", self.n);
        }
        Ok(())
    }

    /// NDJSON: one record a line; blank lines are skipped. `blank` lines were read before.
    fn ndjson(&mut self, mut reader: impl BufRead, blank: u64, path: &str) -> Result<(), Failure> {
        let cap = self.engine.limits().max_case_bytes;
        let (mut line, mut skip) = (Vec::new(), Vec::new());
        let mut number = blank;
        loop {
            let whole = match read_line(&mut reader, &mut line, cap, &mut skip) {
                Ok(Some(whole)) => whole,
                Ok(None) => return Ok(()),
                Err(e) => {
                    return Err(Failure::argument(format!("cannot read {} at line {}: {e}", name(path), number + 1)));
                }
            };
            number += 1;
            let record = text(&line, whole);
            if record == Ok("") {
                continue;
            }
            self.record(number, record)?;
        }
    }

    /// One JSON array, element by element; more than `max_cases` elements is a failure
    /// (after the outcomes of the first `max_cases`).
    fn array(&mut self, reader: impl BufRead, path: &str, max_cases: usize) -> Result<(), Failure> {
        let cap = self.engine.limits().max_case_bytes.saturating_add(1);
        let mut elements = Elements::new(reader);
        let mut element = Vec::new();
        let fault = |s: Shape| match s {
            Shape::Io(e) => cannot_read(path, e),
            Shape::Bad(why) => not_an_array(path, &why),
        };
        elements.start().map_err(fault)?;
        let mut number = 0u64;
        while let Some(whole) = elements.next(&mut element, cap).map_err(fault)? {
            number += 1;
            if number > max_cases as u64 {
                return Err(too_many(path, &format!("more than {max_cases}"), max_cases));
            }
            self.record(number, text(&element, whole))?;
        }
        elements.end().map_err(fault)
    }
}

/// Makes `case` a case that could not be decoded, with error `e`. The core has no public
/// way to clear a case: decoding an empty record clears it (and marks it `bad_json`),
/// then the error is set.
pub fn unusable(engine: &Engine, case: &mut Case, e: CaseError) {
    engine.decode_json("", case);
    case.set_error(e);
}

/// A record's text, trimmed, from its bytes and whether they are all of it.
fn text(bytes: &[u8], whole: bool) -> Result<&str, CaseError> {
    if !whole {
        return Err(CaseError::TooLarge);
    }
    // JSON text is UTF-8 (RFC 8259): a record that is not is not JSON.
    std::str::from_utf8(bytes).map(str::trim).map_err(|_| CaseError::BadJson)
}

/// The input as messages name it.
fn name(path: &str) -> &str {
    if path == "-" { "stdin" } else { path }
}

fn cannot_read(path: &str, e: io::Error) -> Failure {
    Failure::argument(format!("cannot read {}: {e}", name(path)))
}

fn not_an_array(path: &str, why: &str) -> Failure {
    Failure::new(ErrorCode::InvalidJson, format!("{} is not a valid JSON array: {why}", name(path)))
}

fn too_many(path: &str, n: &str, max: usize) -> Failure {
    Failure::new(ErrorCode::LimitExceeded, format!("{} holds {n} cases; the limit is {max} (--max-cases)", name(path)))
}

/// The input, buffered, and whether it is a regular file (which can be read twice).
fn open(path: &str) -> Result<(Box<dyn BufRead>, bool), Failure> {
    if path == "-" {
        return Ok((Box::new(BufReader::with_capacity(1 << 16, io::stdin().lock())), false));
    }
    let file = File::open(path).map_err(|e| cannot_read(path, e))?;
    let regular = file.metadata().map(|m| m.is_file()).unwrap_or(false);
    Ok((Box::new(BufReader::with_capacity(1 << 16, file)), regular))
}

/// A regular file opened again from its start, its leading whitespace skipped.
fn reopen(path: &str) -> Result<(Box<dyn BufRead>, u64), Failure> {
    let (mut reader, _) = open(path)?;
    let (_, blank) = skip_blank(&mut reader, path)?;
    Ok((reader, blank))
}

/// Skips leading whitespace: the first other byte (not consumed), and the lines skipped.
fn skip_blank(reader: &mut dyn BufRead, path: &str) -> Result<(Option<u8>, u64), Failure> {
    let mut lines = 0u64;
    loop {
        let b = reader.fill_buf().map_err(|e| cannot_read(path, e))?;
        let ws = b.iter().take_while(|&&c| is_ws(c)).count();
        lines += b.iter().take(ws).filter(|&&c| c == b'\n').count() as u64;
        let (first, done) = (b.get(ws).copied(), b.is_empty() || ws < b.len());
        reader.consume(ws);
        if done {
            return Ok((first, lines));
        }
    }
}

/// Reads one line into `line` without its `\n`, keeping at most `cap + 1` bytes of it
/// after its leading whitespace. `None` at the end of the input; `Some(false)` when the line,
/// its surrounding whitespace aside, is longer than `cap + 1` bytes: the rest of it is
/// read through `skip` (64 KiB at a time) and dropped, so a line of any length costs
/// `cap + 1` bytes of memory. A line that fits is `Some(true)` (the decoder holds it to
/// `cap` bytes).
fn read_line(r: &mut impl BufRead, line: &mut Vec<u8>, cap: usize, skip: &mut Vec<u8>) -> io::Result<Option<bool>> {
    line.clear();
    // `cap + 1` bytes of the line and its `\n`.
    let keep = cap.saturating_add(2);
    let mut any = false;
    loop {
        let room = keep - line.len();
        let n = r.by_ref().take(room as u64).read_until(b'\n', line)?;
        any |= n > 0;
        if line.last() == Some(&b'\n') {
            line.pop();
            return Ok(Some(true));
        }
        if n == 0 {
            return Ok(any.then_some(true));
        }
        if line.len() < keep {
            continue;
        }
        // `keep` bytes and no end of line yet: leading whitespace does not count.
        let lead = line.iter().take_while(|&&b| is_ws(b)).count();
        if lead > 0 {
            line.drain(..lead);
            continue;
        }
        // The byte beyond `cap + 1` is dropped, and so is the rest of the line.
        let mut more = line.pop().is_some_and(|b| !is_ws(b));
        loop {
            skip.clear();
            let n = r.by_ref().take(1 << 16).read_until(b'\n', skip)?;
            let ended = skip.last() == Some(&b'\n');
            more |= skip.iter().any(|&b| !is_ws(b));
            if n == 0 || ended {
                return Ok(Some(!more));
            }
        }
    }
}

/// Why the input is not one JSON array.
enum Shape {
    Io(io::Error),
    Bad(String),
}

/// Tells whether the input (positioned at its first byte that is not whitespace) is one
/// JSON array to its end, reading it once without keeping it; `Ok(elements)` if it is.
fn scan(reader: impl BufRead) -> Result<u64, Shape> {
    let mut elements = Elements::new(reader);
    let mut none = Vec::new();
    elements.start()?;
    while elements.next(&mut none, 0)?.is_some() {}
    elements.end()?;
    Ok(elements.count)
}

/// The elements of one JSON array, read one at a time. Only the array's structure is
/// checked here (strings, escapes, brackets, commas); each element is decoded on its
/// own, so a malformed element is that case's `bad_json`.
struct Elements<R> {
    r: R,
    closed: bool,
    count: u64,
}

impl<R: BufRead> Elements<R> {
    fn new(r: R) -> Self {
        Elements { r, closed: false, count: 0 }
    }

    fn bad(&self, why: &str) -> Shape {
        Shape::Bad(format!("{why} (after {} element(s))", self.count))
    }

    /// Reads the opening `[`.
    fn start(&mut self) -> Result<(), Shape> {
        match self.skip_ws()? {
            Some(b'[') => {
                self.r.consume(1);
                Ok(())
            }
            Some(_) => Err(Shape::Bad("it does not start with `[`".into())),
            None => Err(Shape::Bad("the input is empty".into())),
        }
    }

    /// After the closing `]`: only whitespace may follow.
    fn end(&mut self) -> Result<(), Shape> {
        match self.skip_ws()? {
            None => Ok(()),
            Some(_) => Err(self.bad("more than whitespace follows the closing `]`")),
        }
    }

    /// Skips whitespace; the next byte, not consumed (`None` at the end of the input).
    fn skip_ws(&mut self) -> Result<Option<u8>, Shape> {
        loop {
            let b = self.r.fill_buf().map_err(Shape::Io)?;
            let ws = b.iter().take_while(|&&c| is_ws(c)).count();
            let next = b.get(ws).copied();
            let empty = b.is_empty();
            self.r.consume(ws);
            if next.is_some() || empty {
                return Ok(next);
            }
        }
    }

    /// The next element into `buf` without its surrounding whitespace, keeping at most
    /// `cap` bytes: `Some(true)` when it fits, `Some(false)` when more than whitespace was
    /// dropped; `None` after the last element.
    fn next(&mut self, buf: &mut Vec<u8>, cap: usize) -> Result<Option<bool>, Shape> {
        buf.clear();
        if self.closed {
            return Ok(None);
        }
        let (mut depth, mut in_str, mut esc, mut started, mut over) = (0u64, false, false, false, false);
        loop {
            let chunk = self.r.fill_buf().map_err(Shape::Io)?;
            if chunk.is_empty() {
                return Err(self.bad("the input ends before the array closes"));
            }
            let mut end = None;
            for (i, &b) in chunk.iter().enumerate() {
                if in_str {
                    if esc {
                        esc = false;
                    } else if b == b'\\' {
                        esc = true;
                    } else if b == b'"' {
                        in_str = false;
                    }
                } else {
                    if !started && is_ws(b) {
                        continue;
                    }
                    match b {
                        b'"' => in_str = true,
                        b'[' | b'{' => depth += 1,
                        b']' | b'}' if depth > 0 => depth -= 1,
                        b']' => {
                            end = Some((i, true));
                            break;
                        }
                        b',' if depth == 0 => {
                            end = Some((i, false));
                            break;
                        }
                        b'}' => return Err(self.bad("a `}` closes nothing")),
                        _ => {}
                    }
                    started = true;
                }
                if buf.len() < cap {
                    buf.push(b);
                } else if !is_ws(b) {
                    over = true;
                }
            }
            let Some((i, closes)) = end else {
                let n = chunk.len();
                self.r.consume(n);
                continue;
            };
            self.r.consume(i + 1);
            self.closed = closes;
            if !started {
                return match (closes, self.count) {
                    (true, 0) => Ok(None),
                    (true, _) => Err(self.bad("a `,` before the closing `]`")),
                    (false, _) => Err(self.bad("an empty element before a `,`")),
                };
            }
            while buf.last().is_some_and(|&b| is_ws(b)) {
                buf.pop();
            }
            self.count += 1;
            return Ok(Some(!over));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], cap: usize) -> Vec<(String, bool)> {
        let mut r = input;
        let (mut line, mut skip, mut out) = (Vec::new(), Vec::new(), Vec::new());
        while let Some(whole) = read_line(&mut r, &mut line, cap, &mut skip).expect("read") {
            out.push((String::from_utf8_lossy(&line).into_owned(), whole));
        }
        out
    }

    #[test]
    fn lines_are_held_to_the_cap_whitespace_aside() {
        let long = format!("{}\n", "x".repeat(100));
        let got = lines(format!("ab\n{long}  cd  \r\n\n{}yz\n", " ".repeat(50)).as_bytes(), 10);
        // Leading whitespace is dropped only where it would count against the cap.
        let x11 = "x".repeat(11);
        let want = [("ab", true), (x11.as_str(), false), ("  cd  \r", true), ("", true), ("  yz", true)];
        let got: Vec<(&str, bool)> = got.iter().map(|(s, w)| (s.as_str(), *w)).collect();
        assert_eq!(got, want);
        // Trailing whitespace beyond the cap is not content; a last line without `\n`.
        let got = lines(format!("{}{}\nlast", "y".repeat(11), " ".repeat(100)).as_bytes(), 10);
        assert_eq!(got, [("y".repeat(11), true), ("last".into(), true)]);
        // One byte over the cap and then content: too long.
        assert_eq!(lines(b"0123456789ab\n", 10), [("0123456789a".into(), false)]);
        assert_eq!(lines(b"", 10), []);
    }

    fn elements(input: &str, cap: usize) -> Result<Vec<(String, bool)>, String> {
        let mut e = Elements::new(input.as_bytes());
        let mut buf = Vec::new();
        let mut out = Vec::new();
        let bad = |s: Shape| match s {
            Shape::Bad(w) => w,
            Shape::Io(e) => e.to_string(),
        };
        e.start().map_err(bad)?;
        while let Some(whole) = e.next(&mut buf, cap).map_err(bad)? {
            out.push((String::from_utf8_lossy(&buf).into_owned(), whole));
        }
        e.end().map_err(bad)?;
        Ok(out)
    }

    #[test]
    fn array_elements_and_structure() {
        let got = elements(r#" [ {"a":"],\"}"} , 5,[1,[2]] , "x,y" ] "#, 100).expect("array");
        let want = [(r#"{"a":"],\"}"}"#, true), ("5", true), ("[1,[2]]", true), (r#""x,y""#, true)];
        assert_eq!(got, want.map(|(s, w)| (s.to_string(), w)));
        assert_eq!(elements("[]", 100), Ok(vec![]));
        assert_eq!(elements(r#"[{"a":1}, 2]"#, 3), Ok(vec![("{\"a".into(), false), ("2".into(), true)]));
        for bad in ["[]\n{}", "[1,]", "[,1]", "[1", "{}", "", "[1}]", "[\"1]"] {
            assert!(elements(bad, 100).is_err(), "{bad}");
        }
        assert_eq!(scan(&b"[1, {\"b\": [2, 3]}, \"]\"]"[..]).ok(), Some(3));
        assert!(scan(&b"[]\n[]"[..]).is_err());
    }
}
