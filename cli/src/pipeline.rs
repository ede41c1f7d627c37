//! `docket eval` (and `docket diff`) on every core, in input order, in flat memory.
//!
//! The reading thread cuts the input into batches of records ([`input::for_each_record`]
//! still judges each record: too long, not UTF-8...). Workers, one a core, turn a
//! batch's records into the batch's output ([`Work`]: `eval` decodes, evaluates and
//! renders each); one writing thread writes finished batches in their input order. A fixed set of [`IN_FLIGHT`] batches
//! circulates between the three, so memory stays flat whatever the input's size: the
//! reader waits for a batch the writer has emptied. Records are handed on whole, so a
//! batch is its records' text (at most [`BATCH_BYTES`], or one record when a record is
//! longer) plus their outcomes.

use crate::input::{self, InputFormat};
use crate::{Failure, escape};
use docket_core::{Case, CaseError, Engine, Outcome};
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::{Mutex, mpsc};

/// Bytes of record text that make a batch full.
const BATCH_BYTES: usize = 256 << 10;
/// Records that make a batch full (short records: the outcomes are longer than the text).
const BATCH_RECORDS: usize = 1024;

/// Batches in circulation: each worker's, and as many again queued or being written.
fn in_flight(workers: usize) -> usize {
    2 * workers + 2
}

/// Where a record's text is in its batch's `text`.
type Span = (usize, usize);

/// Records and, once a worker has been at it, their outcomes.
#[derive(Default)]
struct Batch {
    /// Position in the input: batches are written in this order.
    seq: u64,
    /// The records' text, one after another.
    text: Vec<u8>,
    /// Each record: its number (line or array position) and where its text is in
    /// `text`, or why it cannot be decoded.
    records: Vec<(u64, Result<Span, CaseError>)>,
    /// The rendered outcomes, one NDJSON line each.
    out: Vec<u8>,
}

impl Batch {
    fn full(&self) -> bool {
        self.text.len() >= BATCH_BYTES || self.records.len() >= BATCH_RECORDS
    }

    fn clear(&mut self) {
        self.text.clear();
        self.records.clear();
        self.out.clear();
    }
}

/// What a worker does with each record, keeping its buffers (and whatever it adds up)
/// from one record to the next.
pub trait Work: Send {
    /// Appends the output of record `number` (its text, or why it cannot be decoded)
    /// to `out`.
    fn record(&mut self, number: u64, record: Result<&str, CaseError>, out: &mut Vec<u8>);
}

/// `docket eval`'s work: decode, evaluate, render one outcome a line.
struct Eval<'e> {
    engine: &'e Engine,
    now: i64,
    case: Case,
    outcome: Outcome,
    json: Vec<u8>,
}

impl Work for Eval<'_> {
    fn record(&mut self, number: u64, record: Result<&str, CaseError>, out: &mut Vec<u8>) {
        input::decode(self.engine, record, &mut self.case);
        self.engine.evaluate(&self.case, self.now, &mut self.outcome);
        self.json.clear();
        self.engine.write_outcome(&self.outcome, Some(number), &mut self.json);
        self.json.push(b'\n');
        out.extend_from_slice(&escape::json(&self.json));
    }
}

/// Evaluates every case of `path` at `now` and writes one outcome a line to `w`, in
/// input order, on `workers` threads (at least one). The outcomes of the records read
/// before a failure (a broken array, too many cases, output that cannot be written) are
/// written before the failure is returned.
pub fn eval(
    engine: &Engine,
    path: &str,
    format: InputFormat,
    now: i64,
    workers: usize,
    w: &mut (dyn Write + Send),
) -> Result<(), Failure> {
    let workers = (0..workers.max(1))
        .map(|_| Eval { engine, now, case: Case::new(), outcome: Outcome::new(), json: Vec::new() })
        .collect();
    run(engine, path, format, workers, w).map(|_| ())
}

/// Hands every record of `path` to `workers` (one thread each, at least one) and writes
/// their output to `w` in input order; `engine`'s limits judge the records. Returns the
/// workers, with what they added up, once every record is done. The output of the
/// records read before a failure is written before the failure is returned.
pub fn run<W: Work>(
    engine: &Engine,
    path: &str,
    format: InputFormat,
    workers: Vec<W>,
    w: &mut (dyn Write + Send),
) -> Result<Vec<W>, Failure> {
    let n = in_flight(workers.len().max(1));
    // Empty batches go back to the reader through `free`; it holds every batch at most.
    let (free_tx, free_rx) = mpsc::sync_channel::<Batch>(n);
    for _ in 0..n {
        free_tx.send(Batch::default()).map_err(|_| Failure::output("the pipeline stopped"))?;
    }
    let (work_tx, work_rx) = mpsc::sync_channel::<Batch>(n);
    let (done_tx, done_rx) = mpsc::sync_channel::<Batch>(n);
    let work_rx = Mutex::new(work_rx);
    std::thread::scope(|s| {
        let mut handles = Vec::new();
        for mut worker in workers {
            let done_tx = done_tx.clone();
            let work_rx = &work_rx;
            handles.push(s.spawn(move || {
                work(&mut worker, work_rx, &done_tx);
                worker
            }));
        }
        drop(done_tx);
        let writer = s.spawn(move || write(done_rx, &free_tx, w));
        let read = read(engine, path, format, &free_rx, work_tx);
        let written = writer.join().unwrap_or_else(|_| Err(io::Error::other("the writing thread failed")));
        let workers: Option<Vec<W>> = handles.into_iter().map(|h| h.join().ok()).collect();
        // A failure to write stops the reader too (its batches have nowhere to go):
        // report that, not the reader's consequence of it.
        written.map_err(Failure::output)?;
        read?;
        workers.ok_or_else(|| Failure::new(docket_core::ErrorCode::Internal, "a worker thread failed"))
    })
}

/// Cuts the input into batches and sends them to the workers, numbered.
fn read(
    engine: &Engine,
    path: &str,
    format: InputFormat,
    free: &mpsc::Receiver<Batch>,
    work: mpsc::SyncSender<Batch>,
) -> Result<u64, Failure> {
    let stopped = || io::Error::other("the pipeline stopped");
    let mut seq = 0u64;
    let mut batch = free.recv().map_err(|_| Failure::output(stopped()))?;
    let read = input::for_each_record(engine, path, format, |number, record| {
        let record = record.map(|text| {
            let start = batch.text.len();
            batch.text.extend_from_slice(text.as_bytes());
            (start, batch.text.len())
        });
        batch.records.push((number, record));
        if batch.full() {
            let next = free.recv().map_err(|_| stopped())?;
            batch.seq = seq;
            seq += 1;
            // Never blocks: the channel holds every batch there is.
            work.send(std::mem::replace(&mut batch, next)).map_err(|_| stopped())?;
        }
        Ok(())
    });
    // The records read before a failure are evaluated and written too.
    if !batch.records.is_empty() {
        batch.seq = seq;
        let _ = work.send(batch);
    }
    read
}

/// Turns batches into output until there are none.
fn work(worker: &mut impl Work, work: &Mutex<mpsc::Receiver<Batch>>, done: &mpsc::SyncSender<Batch>) {
    loop {
        // The lock is held only while waiting for the next batch.
        let next = match work.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(mut batch) = next else { return };
        let Batch { text, records, out, .. } = &mut batch;
        for &(number, record) in records.iter() {
            let record = record.and_then(|(a, b)| {
                // The reader stored whole UTF-8 records.
                text.get(a..b).and_then(|t| std::str::from_utf8(t).ok()).ok_or(CaseError::BadJson)
            });
            worker.record(number, record, out);
        }
        if done.send(batch).is_err() {
            return;
        }
    }
}

/// Writes finished batches in input order and hands them back to the reader.
fn write(done: mpsc::Receiver<Batch>, free: &mpsc::SyncSender<Batch>, w: &mut (dyn Write + Send)) -> io::Result<()> {
    let mut next = 0u64;
    // Batches finished ahead of their turn; never more than the batches in circulation.
    let mut ahead: BTreeMap<u64, Batch> = BTreeMap::new();
    for batch in done {
        ahead.insert(batch.seq, batch);
        while let Some(mut b) = ahead.remove(&next) {
            w.write_all(&b.out)?;
            next += 1;
            b.clear();
            // The reader may be gone (it has read everything); the batch is then dropped.
            let _ = free.try_send(b);
        }
    }
    w.flush()
}
