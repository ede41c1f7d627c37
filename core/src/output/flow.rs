//! Flow over a period (`docket report --since T --bucket day|week`): per queue and bucket
//! the cases received, closed and carried over, and the cycle times of the metrics
//! completed in each bucket by kind and metric. Every figure is a count, a sum, a maximum
//! or a [`Histogram`], so the flow of merged reports is that of the whole batch.

use crate::engine::Engine;
use crate::error::ErrorCode;
use crate::output::histogram::Histogram;
use crate::output::outcome::Outcome;
use crate::output::report::Report;
use crate::time::calendar::{offset_at, resolve};
use crate::time::{Instant, Rfc3339, weekday_from_days};
use alloc::vec;
use alloc::vec::Vec;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// Most buckets a report's flow may have.
pub const MAX_FLOW_BUCKETS: usize = 400;

/// The length of a flow bucket, in the policy's `report.timezone`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bucket {
    /// From local midnight to the next.
    Day,
    /// From Monday 00:00 local to the next.
    Week,
}

impl Bucket {
    /// `day` or `week`.
    pub fn parse(s: &str) -> Option<Bucket> {
        match s {
            "day" => Some(Bucket::Day),
            "week" => Some(Bucket::Week),
            _ => None,
        }
    }

    /// The name: `day` or `week`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Bucket::Day => "day",
            Bucket::Week => "week",
        }
    }
}

/// Why a report cannot have the flow asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowError {
    /// `since` is after the report's `now`.
    SinceAfterNow,
    /// From `since` to `now` there are more than [`MAX_FLOW_BUCKETS`] buckets.
    TooManyBuckets,
}

impl FlowError {
    /// `invalid_argument` or `limit_exceeded`.
    pub const fn code(self) -> ErrorCode {
        match self {
            FlowError::SinceAfterNow => ErrorCode::InvalidArgument,
            FlowError::TooManyBuckets => ErrorCode::LimitExceeded,
        }
    }
}

impl core::fmt::Display for FlowError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            FlowError::SinceAfterNow => f.write_str("`since` is after `now`"),
            FlowError::TooManyBuckets => {
                write!(f, "from `since` to `now` there are more than {MAX_FLOW_BUCKETS} buckets")
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for FlowError {}

/// Cycle times in seconds: how many, their sum and maximum exactly, their percentiles
/// from a [`Histogram`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cycles {
    /// Values counted.
    pub count: u64,
    /// Their sum.
    pub sum: u128,
    /// The largest.
    pub max: u64,
    /// Their histogram.
    pub histogram: Histogram,
}

impl Cycles {
    fn add(&mut self, v: u64) {
        self.count += 1;
        self.sum += u128::from(v);
        self.max = self.max.max(v);
        self.histogram.add(v);
    }

    fn merge(&mut self, o: &Cycles) {
        self.count += o.count;
        self.sum += o.sum;
        self.max = self.max.max(o.max);
        self.histogram.merge(&o.histogram);
    }

    /// The mean, rounded to the nearest second (half a second up); `None` when empty.
    pub fn mean(&self) -> Option<u64> {
        let n = u128::from(self.count);
        (n > 0).then(|| u64::try_from((2 * self.sum + n) / (2 * n)).unwrap_or(u64::MAX))
    }

    /// The nearest-rank percentile `p` (1 to 100) from the histogram: within 1/128 of the
    /// exact one (see [`Histogram`]).
    pub fn percentile(&self, p: u64) -> Option<u64> {
        self.histogram.quantile(p, 100, self.max)
    }
}

/// The cycle times of one queue's metrics of one kind completed in one bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CycleCell {
    /// The bucket (index).
    pub bucket: u32,
    /// The cases' kind: a symbol of the `kind` field (`None`: a value it does not name).
    pub kind: Option<u32>,
    /// The metric (policy order).
    pub metric: u32,
    /// Business seconds from `opened_at` to completion, less pauses (the metric's `elapsed_s`).
    pub business: Cycles,
    /// Seconds from `opened_at` to completion.
    pub calendar: Cycles,
}

impl CycleCell {
    fn key(&self) -> (u32, Option<u32>, u32) {
        (self.bucket, self.kind, self.metric)
    }
}

/// The flow of one queue.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueueFlow {
    /// Cases open at the start of the first bucket.
    pub open_at_start: u64,
    /// Cases opened in each bucket.
    pub received: Vec<u64>,
    /// Cases closed in each bucket (see [`Outcome::closed_at`]).
    pub closed: Vec<u64>,
    /// Cycle times by bucket, kind and metric (in that order), for those with any.
    pub cycles: Vec<CycleCell>,
}

impl QueueFlow {
    /// Cases open at the end of each bucket: those open at the start, plus those received,
    /// less those closed, up to its end.
    pub fn carried_over(&self) -> impl Iterator<Item = u64> + '_ {
        self.received.iter().zip(&self.closed).scan(self.open_at_start, |open, (r, c)| {
            *open = open.saturating_add(*r).saturating_sub(*c);
            Some(*open)
        })
    }

    fn cell(&mut self, key: (u32, Option<u32>, u32)) -> Option<&mut CycleCell> {
        let i = match self.cycles.binary_search_by(|c| c.key().cmp(&key)) {
            Ok(i) => i,
            Err(i) => {
                let (bucket, kind, metric) = key;
                let empty = Cycles::default();
                let cell = CycleCell { bucket, kind, metric, business: empty.clone(), calendar: empty };
                self.cycles.insert(i, cell);
                i
            }
        };
        self.cycles.get_mut(i)
    }
}

/// Flow over a period: the buckets and each queue's figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    /// The instant asked for: the first bucket is the one that holds it.
    pub since: Instant,
    /// Day or week.
    pub bucket: Bucket,
    /// The start of each bucket, then the end of the last (which holds the report's `now`).
    pub edges: Vec<Instant>,
    /// Per queue (policy order).
    pub queues: Vec<QueueFlow>,
}

impl Flow {
    /// The buckets from the one holding `since` to the one holding `now`, in the zone of
    /// `engine`'s `report.timezone`, with empty figures for each of its queues.
    pub fn new(engine: &Engine, now: Instant, since: Instant, bucket: Bucket) -> Result<Flow, FlowError> {
        if since > now {
            return Err(FlowError::SinceAfterNow);
        }
        let tz = engine.clocks.report_tz.as_ref().map(|(tz, _)| tz);
        let offset = tz.map_or(0, |tz| offset_at(tz, since));
        let mut day = since.saturating_add(offset).div_euclid(86_400);
        let step = match bucket {
            Bucket::Day => 1,
            Bucket::Week => {
                day -= i64::from(weekday_from_days(day));
                7
            }
        };
        let mut edges = Vec::new();
        loop {
            let local = day.saturating_mul(86_400);
            let edge = tz.map_or(local, |tz| resolve(tz, local));
            edges.push(edge);
            if edge > now {
                break;
            }
            if edges.len() > MAX_FLOW_BUCKETS {
                return Err(FlowError::TooManyBuckets);
            }
            day += step;
        }
        let mut flow = Flow { since, bucket, edges, queues: Vec::new() };
        flow.queues = vec![flow.empty_queue(); engine.routing.queues.len()];
        Ok(flow)
    }

    fn empty_queue(&self) -> QueueFlow {
        let n = self.buckets();
        QueueFlow { received: vec![0; n], closed: vec![0; n], ..QueueFlow::default() }
    }

    /// The same period with empty figures.
    pub fn emptied(&self) -> Flow {
        Flow { queues: vec![self.empty_queue(); self.queues.len()], edges: self.edges.clone(), ..*self }
    }

    /// How many buckets.
    pub fn buckets(&self) -> usize {
        self.edges.len().saturating_sub(1)
    }

    /// Whether `other` covers the same buckets (reports that may merge).
    pub fn same_period(&self, other: &Flow) -> bool {
        self.bucket == other.bucket && self.edges == other.edges
    }

    /// Adds the outcome of a case routed to a queue.
    pub(crate) fn add(&mut self, o: &Outcome) {
        let Flow { edges, queues, .. } = self;
        let Some(q) = o.queue.and_then(|q| queues.get_mut(q as usize)) else { return };
        let start = edges.first().copied().unwrap_or(Instant::MAX);
        if o.opened_at < start && o.closed_at.is_none_or(|c| c >= start) {
            q.open_at_start += 1;
        }
        if let Some(n) = bucket_of(edges, o.opened_at).and_then(|b| q.received.get_mut(b)) {
            *n += 1;
        }
        if let Some(n) = o.closed_at.and_then(|c| bucket_of(edges, c)).and_then(|b| q.closed.get_mut(b)) {
            *n += 1;
        }
        for (k, m) in o.sla.iter().enumerate() {
            let Some(m) = m.filter(|m| m.state.completed()) else { continue };
            let Some((c, b)) = m.completed_at.and_then(|c| Some((c, bucket_of(edges, c)?))) else { continue };
            if let Some(cell) = q.cell((b as u32, o.kind, k as u32)) {
                cell.business.add(m.elapsed_s.max(0) as u64);
                cell.calendar.add(c.saturating_sub(o.opened_at).max(0) as u64);
            }
        }
    }

    /// Adds the figures of another part of the same batch (the same period).
    pub(crate) fn merge(&mut self, other: &Flow) {
        for (a, b) in self.queues.iter_mut().zip(&other.queues) {
            a.open_at_start += b.open_at_start;
            for (x, y) in a.received.iter_mut().zip(&b.received) {
                *x += y;
            }
            for (x, y) in a.closed.iter_mut().zip(&b.closed) {
                *x += y;
            }
            for c in &b.cycles {
                if let Some(cell) = a.cell(c.key()) {
                    cell.business.merge(&c.business);
                    cell.calendar.merge(&c.calendar);
                }
            }
        }
    }
}

impl Report {
    /// This report with flow over the period from the bucket holding `since` to the one
    /// holding its `now` (see docs/reports.md, "Flow"); add cases after.
    pub fn with_flow(mut self, engine: &Engine, since: Instant, bucket: Bucket) -> Result<Report, FlowError> {
        self.flow = Some(Flow::new(engine, self.now, since, bucket)?);
        Ok(self)
    }

    /// An empty report like this one: the same `now`, dimensions and flow period.
    pub fn like(&self, engine: &Engine) -> Report {
        let mut r = Report::with_dimensions(engine, self.now, self.dimensions.clone());
        r.flow = self.flow.as_ref().map(Flow::emptied);
        r
    }
}

/// The bucket of `edges` that holds instant `t`, if any.
fn bucket_of(edges: &[Instant], t: Instant) -> Option<usize> {
    let (first, end) = (*edges.first()?, *edges.last()?);
    (t >= first && t < end).then(|| edges.partition_point(|&e| e <= t).saturating_sub(1))
}

/// Merges the flow of another report into `into` (which takes it when it has none).
pub(crate) fn merge(into: &mut Option<Flow>, other: &Option<Flow>) {
    match (into.as_mut(), other) {
        (Some(a), Some(b)) => a.merge(b),
        (None, Some(b)) => *into = Some(b.clone()),
        _ => {}
    }
}

/// The flow of a report, serializable: period, then per queue with cases, each bucket.
pub(crate) struct FlowView<'a>(pub &'a Engine, pub &'a Report, pub &'a Flow);

impl Serialize for FlowView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (e, r, f) = (self.0, self.1, self.2);
        struct Queues<'a>(&'a Engine, &'a Report, &'a Flow);
        impl Serialize for Queues<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(None)?;
                for ((q, qr), qf) in self.0.routing.queues.iter().zip(&self.1.queues).zip(&self.2.queues) {
                    if qr.cases > 0 {
                        m.serialize_entry(&q.name, &QueueView(self.0, self.2, qf))?;
                    }
                }
                m.end()
            }
        }
        struct QueueView<'a>(&'a Engine, &'a Flow, &'a QueueFlow);
        impl Serialize for QueueView<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("open_at_start", &self.2.open_at_start)?;
                m.serialize_entry("buckets", &Buckets(self.0, self.1, self.2))?;
                m.end()
            }
        }
        struct Buckets<'a>(&'a Engine, &'a Flow, &'a QueueFlow);
        impl Serialize for Buckets<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let (e, f, q) = (self.0, self.1, self.2);
                let mut seq = s.serialize_seq(Some(f.buckets()))?;
                let rows = f.edges.iter().zip(&q.received).zip(&q.closed).zip(q.carried_over());
                for (b, (((start, received), closed), carried)) in rows.enumerate() {
                    seq.serialize_element(&BucketView {
                        e,
                        q,
                        b: b as u32,
                        start: *start,
                        received: *received,
                        closed: *closed,
                        carried,
                    })?;
                }
                seq.end()
            }
        }
        struct BucketView<'a> {
            e: &'a Engine,
            q: &'a QueueFlow,
            b: u32,
            start: Instant,
            received: u64,
            closed: u64,
            carried: u64,
        }
        impl Serialize for BucketView<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(5))?;
                m.serialize_entry("start", &Rfc3339(self.start))?;
                m.serialize_entry("received", &self.received)?;
                m.serialize_entry("closed", &self.closed)?;
                m.serialize_entry("carried_over", &self.carried)?;
                m.serialize_entry("cycle_times", &CellsView(self.e, self.q, self.b))?;
                m.end()
            }
        }
        struct CellsView<'a>(&'a Engine, &'a QueueFlow, u32);
        impl Serialize for CellsView<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let e = self.0;
                let kinds = e.kinds();
                let mut seq = s.serialize_seq(None)?;
                for c in self.1.cycles.iter().filter(|c| c.bucket == self.2) {
                    seq.serialize_element(&CellView(
                        c.kind.and_then(|k| kinds.get(k as usize)).map(|k| k.as_str()),
                        e.clocks.metrics.get(c.metric as usize).map_or("", |m| m.as_str()),
                        c,
                    ))?;
                }
                seq.end()
            }
        }
        struct CellView<'a>(Option<&'a str>, &'a str, &'a CycleCell);
        impl Serialize for CellView<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(5))?;
                m.serialize_entry("kind", &self.0)?;
                m.serialize_entry("metric", self.1)?;
                m.serialize_entry("count", &self.2.business.count)?;
                m.serialize_entry("business", &CyclesView(&self.2.business))?;
                m.serialize_entry("calendar", &CyclesView(&self.2.calendar))?;
                m.end()
            }
        }
        struct CyclesView<'a>(&'a Cycles);
        impl Serialize for CyclesView<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let c = self.0;
                let mut m = s.serialize_map(Some(4))?;
                m.serialize_entry("mean_s", &c.mean())?;
                m.serialize_entry("p50_s", &c.percentile(50))?;
                m.serialize_entry("p90_s", &c.percentile(90))?;
                m.serialize_entry("max_s", &c.max)?;
                m.end()
            }
        }
        let mut m = s.serialize_map(Some(7))?;
        m.serialize_entry("since", &Rfc3339(f.since))?;
        m.serialize_entry("bucket", f.bucket.as_str())?;
        m.serialize_entry("timezone", e.report_timezone())?;
        m.serialize_entry("start", &Rfc3339(f.edges.first().copied().unwrap_or(f.since)))?;
        m.serialize_entry("end", &Rfc3339(f.edges.last().copied().unwrap_or(f.since)))?;
        m.serialize_entry("queues", &Queues(e, r, f))?;
        m.end()
    }
}
