//! Business calendars: weekly working windows in an IANA time zone, with holidays and
//! per-date overrides, compiled into merged UTC working intervals.
//!
//! The arithmetic follows `time-semantics.md`:
//!
//! - each local date D gets the windows of its override if any, else none if it is a
//!   holiday, else those of its weekday;
//! - a window `HH:MM-HH:MM` starts on D and ends on D, or on D+1 when its end is at or
//!   before its start; `24:00` is the midnight ending D;
//! - local → UTC uses the "compatible" disambiguation (RFC 5545, Temporal, jiff): a
//!   repeated local time takes its earlier instant, a skipped one is moved forward by the
//!   length of the gap; a window whose resolved start is not before its end is dropped;
//! - a holiday that is not overridden removes all working time inside its local date
//!   `[D 00:00, D+1 00:00)`, including the tail of the previous night's window;
//! - overlapping or touching windows merge; `24x7` is all time.
//!
//! # Performance
//!
//! The working intervals of a horizon (by default 1970-01-01 up to, not including,
//! 2110-01-01, UTC: every instant a case may carry plus the 10-year search; see
//! [`DEFAULT_HORIZON`]) are computed a chunk of [`CHUNK_DAYS_KEPT`] days at a time, the
//! first time a query reaches the chunk, and kept, with prefix sums of their lengths and
//! a per-day index: compiling a calendar computes none, and a host pays only for the
//! years its cases touch. A chunk is built once, whichever thread gets there first
//! (a race-free cell; a losing thread drops its copy), and is immutable after.
//! [`Calendar::business_between`] is then an index lookup and
//! [`Calendar::add_business`] one binary search; both allocate nothing for instants
//! inside the horizon once their chunks are built. The parts of a query outside the horizon are computed
//! exactly by generating the same windows on the fly (slower, and allocating scratch
//! space), bounded by [`SEARCH_LIMIT_S`] for `add_business`. No time-zone lookup happens
//! on the query path inside the horizon.
//!
//! Working time exists only between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z (the
//! instants accepted anywhere, see [`crate::time::MIN_INSTANT`]); outside that range a
//! calendar other than a plain `24x7` has none.

use super::{Instant, MAX_INSTANT, MIN_INSTANT, days_from_civil, weekday_from_days};
use alloc::string::String;
use alloc::vec::Vec;
use chrono::{DateTime, LocalResult, Offset, TimeZone};
use chrono_tz::Tz;
use once_cell::race::OnceBox;

/// `add_business` gives up when the due instant would lie more than this many seconds
/// after the start: ten years of 365 days plus 3 days (the leap days ten years can hold).
pub const SEARCH_LIMIT_S: i64 = 10 * 365 * 86_400 + 3 * 86_400;

/// The default precomputation horizon `[from_day, to_day)` in days since 1970-01-01:
/// 1970-01-01T00:00Z up to (not including) 2110-01-01T00:00Z, covering every instant a case
/// may carry ([`crate::time::LATEST_CASE_INSTANT`]) plus the 10-year search. Compiling it
/// takes a few milliseconds per calendar (release build) and stores about 28 bytes per
/// working interval (about 1.3 MB for a week with split Fridays and Saturday mornings).
pub const DEFAULT_HORIZON: (i64, i64) = (days_from_civil(1970, 1, 1), days_from_civil(2110, 1, 1));

const DAY: i64 = 86_400;
/// Weekday keys, index 0 = Monday (as `weekday_from_days`).
pub(crate) const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
/// First instant with working time (0001-01-01T00:00:00Z).
const WORLD_START: Instant = MIN_INSTANT;
/// End (exclusive) of the instants with working time (10000-01-01T00:00:00Z).
const WORLD_END: Instant = MAX_INSTANT + 1;
/// Local dates generated around a UTC range so that every window (and holiday) that can
/// touch it is seen: a window of date D lies within [D 00:00 - 16h, D+2 00:00 + 16h] UTC.
const DATE_MARGIN: i64 = 3;
/// Days of UTC time generated at once outside the horizon.
const CHUNK_DAYS: i64 = 56;
/// Bound on the offset magnitude (seconds) used when probing around a gap.
const MAX_OFFSET_S: i64 = 16 * 3600;
/// Days of the horizon in one chunk of kept intervals (52 weeks: chunks start on the same
/// weekday). A chunk's intervals are clipped to it; an interval across two chunks is kept
/// as two pieces that touch, which every query adds up or merges as one.
pub const CHUNK_DAYS_KEPT: i64 = 364;
/// Bytes of scratch space per window while a chunk is generated (raw windows, their
/// merged copy, the chunk's result, holiday ranges).
const SCRATCH_BYTES_PER_WINDOW: usize = 64;

/// One window of a date, in minutes after local midnight. `end <= start` means the window
/// ends on the next date (an overnight window); `end == 1440` is `24:00`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Window {
    pub(crate) start: u16,
    pub(crate) end: u16,
}

impl Window {
    /// Local seconds after the window's own date's midnight: (start, end).
    fn local_secs(self) -> (i64, i64) {
        let s = i64::from(self.start) * 60;
        let e = i64::from(self.end) * 60;
        (s, if self.end <= self.start { e + DAY } else { e })
    }
}

/// A compiled business calendar: Send + Sync, cheap to query; its kept intervals are
/// built a chunk at a time on first use (the answers never depend on which are built).
pub struct Calendar {
    tz_name: String,
    tz: Tz,
    /// Plain `24x7` without holidays or overrides: all time is working time.
    always: bool,
    /// Windows of each weekday (0 = Monday), sorted by start.
    week: [Vec<Window>; 7],
    /// No weekday has any window.
    week_empty: bool,
    /// Holidays that are not overridden, sorted, deduplicated (days since 1970-01-01).
    holidays: Vec<i64>,
    /// Overrides sorted by day.
    overrides: Vec<(i64, Vec<Window>)>,
    /// Days of the overrides that have at least one window, sorted.
    busy_overrides: Vec<i64>,
    /// The UTC range `[h_start, h_end)` whose intervals are kept, a chunk at a time.
    h_start: Instant,
    h_end: Instant,
    /// The chunks of the horizon: chunk `c` covers `[h_start + c * CHUNK_DAYS_KEPT days,
    /// ...)`, up to `h_end`; each built on first use.
    chunks: Vec<OnceBox<Chunk>>,
}

impl Clone for Calendar {
    /// A copy with the chunks built so far (the others are built on first use, as here).
    fn clone(&self) -> Calendar {
        let chunks = self
            .chunks
            .iter()
            .map(|cell| match cell.get() {
                Some(c) => OnceBox::with_value(alloc::boxed::Box::new(c.clone())),
                None => OnceBox::new(),
            })
            .collect();
        Calendar {
            tz_name: self.tz_name.clone(),
            tz: self.tz,
            always: self.always,
            week: self.week.clone(),
            week_empty: self.week_empty,
            holidays: self.holidays.clone(),
            overrides: self.overrides.clone(),
            busy_overrides: self.busy_overrides.clone(),
            h_start: self.h_start,
            h_end: self.h_end,
            chunks,
        }
    }
}

impl core::fmt::Debug for Calendar {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Calendar")
            .field("timezone", &self.tz_name)
            .field("always", &self.always)
            .field("week", &self.week)
            .field("holidays", &self.holidays)
            .field("overrides", &self.overrides)
            .field("horizon", &(self.h_start, self.h_end))
            .field("chunks_built", &self.chunks.iter().filter(|c| c.get().is_some()).count())
            .finish()
    }
}

/// The kept working intervals of one chunk of the horizon.
#[derive(Clone, Debug, Default)]
struct Chunk {
    /// Merged working intervals inside the chunk, sorted, disjoint, not touching.
    iv: Vec<(Instant, Instant)>,
    /// `cum[i]` = total length of `iv[..i]`; `cum.len() == iv.len() + 1`.
    cum: Vec<i64>,
    /// `day_first[d]` = index of the first interval ending after UTC day `d` of the chunk
    /// starts: turns `cum_at` into an index lookup plus a scan of one day's intervals.
    day_first: Vec<u32>,
}

impl Chunk {
    /// The chunk's working time.
    fn total(&self) -> i64 {
        self.cum.last().copied().unwrap_or(0)
    }

    /// `(business time inside [chunk start, x), k)` where `k` is the number of intervals
    /// starting before `x`; `day` is `x`'s UTC day counted from the chunk's start.
    #[inline(always)]
    fn cum_and_index(&self, day: usize, x: Instant) -> (i64, usize) {
        // Intervals before `day_first[d]` end by the start of x's day, so all start before x;
        // count the few of that day that also start before x.
        let k = match self.day_first.get(day) {
            Some(&k0) => {
                // Whether `x` is past a window's start depends on the instant: the first
                // two steps (most days have one or two windows) are counted without a
                // branch the CPU could mispredict; a loop takes the rare rest.
                let mut k = k0 as usize;
                k += usize::from(self.iv.get(k).is_some_and(|&(s, _)| s < x));
                k += usize::from(self.iv.get(k).is_some_and(|&(s, _)| s < x));
                while self.iv.get(k).is_some_and(|&(s, _)| s < x) {
                    k += 1;
                }
                k
            }
            None => self.iv.partition_point(|&(s, _)| s < x),
        };
        let c = match k.checked_sub(1) {
            None => 0,
            Some(j) => match (self.iv.get(j), self.cum.get(j)) {
                (Some(&(s, e)), Some(&c)) => c + (x.min(e) - s),
                _ => 0,
            },
        };
        (c, k)
    }

    /// The first index `i >= from` with `cum[i] >= target`, found by galloping forward from
    /// `from` (targets usually lie a few intervals ahead) and then a binary search.
    fn first_cum_at_least(&self, from: usize, target: i64) -> usize {
        let n = self.cum.len();
        // Targets mostly lie within the next few intervals: a binary search of a fixed
        // window (its steps do not depend on the data, so the CPU predicts them all).
        let near = from.min(n);
        if let Some(w) = self.cum.get(near..near.saturating_add(NEAR))
            && w.last().is_some_and(|&c| c >= target)
        {
            return near + w.partition_point(|&c| c < target);
        }
        let (mut lo, mut step) = (from.min(n), 1usize);
        let mut hi = lo;
        while hi < n && self.cum.get(hi).is_some_and(|&c| c < target) {
            lo = hi + 1;
            hi = hi.saturating_add(step).min(n);
            step = step.saturating_mul(2);
        }
        let hi = hi.min(n);
        lo + self.cum.get(lo..hi).map_or(0, |w| w.partition_point(|&c| c < target))
    }
}

/// The window [`Calendar::first_cum_at_least`] searches first.
const NEAR: usize = 16;

/// An instant with its place in one calendar's horizon ([`Calendar::origin`]).
#[derive(Clone, Copy, Debug)]
pub struct Origin {
    at: Instant,
    /// Where `at` lies inside the horizon ([`Calendar::place`]).
    place: Option<Place>,
    /// The calendar it belongs to (any other calendar ignores `place`).
    of: usize,
}

/// An instant's place in the kept intervals: its chunk, the business time from the
/// chunk's start to it, and the number of the chunk's intervals that start before it.
#[derive(Clone, Copy, Debug)]
struct Place {
    chunk: usize,
    cum: i64,
    k: usize,
}

impl Origin {
    /// No precomputed place: every span finds its own.
    pub const NONE: Origin = Origin { at: Instant::MIN, place: None, of: 0 };
}

/// The UTC offset (seconds, local - UTC) of `tz` at UTC instant `utc`.
pub(crate) fn offset_at(tz: &Tz, utc: Instant) -> i64 {
    DateTime::from_timestamp(utc, 0)
        .map(|d| i64::from(tz.offset_from_utc_datetime(&d.naive_utc()).fix().local_minus_utc()))
        .unwrap_or(0)
}

/// Resolves local wall-clock seconds (`days * 86400 + seconds of day`, as if UTC) to a UTC
/// instant with the "compatible" disambiguation.
pub(crate) fn resolve(tz: &Tz, local: i64) -> Instant {
    let Some(naive) = DateTime::from_timestamp(local, 0).map(|d| d.naive_utc()) else {
        return local;
    };
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => t.timestamp(),
        LocalResult::Ambiguous(x, y) => x.timestamp().min(y.timestamp()),
        LocalResult::None => {
            // In a gap that starts at UTC instant T where the offset goes from o1 to o2 > o1:
            // T + o1 <= local < T + o2. The instant local + 16h is after T, so it carries o2;
            // local - o2 - 1 is before T (and at most a gap length before), so it carries o1.
            // The compatible result is local - o1 (moved forward by the gap length).
            let o2 = offset_at(tz, local.saturating_add(MAX_OFFSET_S));
            let o1 = offset_at(tz, local.saturating_sub(o2).saturating_sub(1));
            local.saturating_sub(o1)
        }
    }
}

/// Appends `(s, e)` to sorted `out`, merging with the last interval when they touch.
fn push_merge(out: &mut Vec<(Instant, Instant)>, s: Instant, e: Instant) {
    if s >= e {
        return;
    }
    match out.last_mut() {
        Some(last) if s <= last.1 => last.1 = last.1.max(e),
        _ => out.push((s, e)),
    }
}

/// Sorts and merges intervals in place.
fn sort_merge(v: &mut Vec<(Instant, Instant)>) {
    v.sort_unstable();
    let mut merged: Vec<(Instant, Instant)> = Vec::with_capacity(v.len());
    for &(s, e) in v.iter() {
        push_merge(&mut merged, s, e);
    }
    *v = merged;
}

/// The UTC days `[from_day, to_day)` clamped to the years with working time.
fn clamp_days(from_day: i64, to_day: i64) -> (i64, i64) {
    let lo_day = WORLD_START.div_euclid(DAY);
    let hi_day = WORLD_END.div_euclid(DAY);
    let from = from_day.clamp(lo_day, hi_day);
    (from, to_day.clamp(from, hi_day))
}

/// An upper bound on the merged working intervals of `days` UTC days (and on the windows
/// generated for any `days` of them): the windows of every local date that can touch
/// them (a week of dates holds each weekday's windows once), each override's windows, and
/// one more interval per holiday (a holiday can split one interval in two).
fn interval_bound(week: &[Vec<Window>; 7], holidays: usize, override_windows: usize, days: i64) -> usize {
    let per_week: usize = week.iter().map(Vec::len).sum();
    let weeks = usize::try_from((days.max(0) + 2 * DATE_MARGIN) / 7 + 1).unwrap_or(usize::MAX);
    per_week.saturating_mul(weeks).saturating_add(override_windows).saturating_add(holidays)
}

impl Calendar {
    /// Upper bounds on the bytes a calendar of these windows, holidays and overrides
    /// keeps with the working intervals of `horizon` precomputed, and on the scratch space
    /// precomputing them needs besides (freed when done): `(kept, scratch)`, counted
    /// before anything is allocated, in time linear in the windows, holidays and overrides.
    pub(crate) fn estimated_bytes(
        (week, all_week): (&[Vec<Window>; 7], bool),
        holidays: &[i64],
        overrides: &[(i64, Vec<Window>)],
        (from_day, to_day): (i64, i64),
    ) -> (usize, usize) {
        let override_windows: usize = overrides.iter().map(|o| o.1.len()).sum();
        let own = core::mem::size_of::<Calendar>()
            + 2 * core::mem::size_of_val(holidays)
            + core::mem::size_of_val(overrides)
            + override_windows * core::mem::size_of::<Window>();
        if all_week && holidays.is_empty() && overrides.is_empty() {
            return (own, 0);
        }
        let (from, to) = clamp_days(from_day, to_day);
        let days = to - from;
        let chunks = usize::try_from((days + CHUNK_DAYS_KEPT - 1).div_euclid(CHUNK_DAYS_KEPT)).unwrap_or(usize::MAX);
        // An interval across a chunk's end is kept as two pieces: one more a chunk.
        let intervals = interval_bound(week, holidays.len(), override_windows, days).saturating_add(chunks);
        let chunk = interval_bound(week, holidays.len(), override_windows, CHUNK_DAYS_KEPT).min(intervals);
        let per_interval = core::mem::size_of::<(Instant, Instant)>() + core::mem::size_of::<i64>();
        let per_day = core::mem::size_of::<u32>();
        let per_chunk = core::mem::size_of::<OnceBox<Chunk>>()
            + core::mem::size_of::<Chunk>()
            + core::mem::size_of::<i64>()
            + core::mem::size_of::<u32>();
        let days = usize::try_from(days).unwrap_or(usize::MAX);
        let kept = own
            .saturating_add(intervals.saturating_mul(per_interval))
            .saturating_add(days.saturating_mul(per_day))
            .saturating_add(chunks.saturating_mul(per_chunk));
        (kept, chunk.saturating_mul(SCRATCH_BYTES_PER_WINDOW))
    }

    /// A calendar of the given weekly windows (`week[0]` is Monday's; `all_week`: it is
    /// `24x7`), holidays and overrides (days since 1970-01-01), with the working
    /// intervals of the UTC days `[from_day, to_day)` precomputed.
    pub(crate) fn new(
        (tz, tz_name): (Tz, String),
        (week, all_week): ([Vec<Window>; 7], bool),
        mut holidays: Vec<i64>,
        mut overrides: Vec<(i64, Vec<Window>)>,
        (from_day, to_day): (i64, i64),
    ) -> Calendar {
        crate::sort::sort_by_key(&mut overrides, |o| o.0);
        overrides.dedup_by_key(|o| o.0);
        crate::sort::sort_by(&mut holidays, i64::cmp);
        holidays.dedup();
        holidays.retain(|h| overrides.binary_search_by_key(h, |o| o.0).is_err());
        let busy_overrides: Vec<i64> = overrides.iter().filter(|o| !o.1.is_empty()).map(|o| o.0).collect();
        let week_empty = week.iter().all(Vec::is_empty);
        let always = all_week && holidays.is_empty() && overrides.is_empty();

        let mut cal = Calendar {
            tz_name,
            tz,
            always,
            week,
            week_empty,
            holidays,
            overrides,
            busy_overrides,
            h_start: 0,
            h_end: 0,
            chunks: Vec::new(),
        };
        if !always {
            let (from, to) = clamp_days(from_day, to_day);
            cal.h_start = from * DAY;
            cal.h_end = to * DAY;
            let n = (to - from + CHUNK_DAYS_KEPT - 1).div_euclid(CHUNK_DAYS_KEPT);
            cal.chunks = (0..n).map(|_| OnceBox::new()).collect();
        }
        cal
    }

    /// The first instant of chunk `c`.
    fn chunk_start(&self, c: usize) -> Instant {
        self.h_start.saturating_add((c as i64).saturating_mul(CHUNK_DAYS_KEPT * DAY))
    }

    /// Chunk `c`, built now if no query has reached it before.
    #[inline(always)]
    fn chunk(&self, c: usize) -> Option<&Chunk> {
        let cell = self.chunks.get(c)?;
        match cell.get() {
            Some(chunk) => Some(chunk),
            None => Some(self.build_into(cell, c)),
        }
    }

    /// Builds chunk `c` into its cell (unless another thread got there first).
    #[cold]
    #[inline(never)]
    fn build_into<'a>(&self, cell: &'a OnceBox<Chunk>, c: usize) -> &'a Chunk {
        cell.get_or_init(|| alloc::boxed::Box::new(self.build_chunk(c)))
    }

    /// The working intervals of chunk `c` (clipped to it), their prefix sums and the
    /// per-day index.
    fn build_chunk(&self, c: usize) -> Chunk {
        let start = self.chunk_start(c);
        let end = self.chunk_start(c + 1).min(self.h_end);
        let mut scratch = Vec::new();
        self.generate(start, end, &mut scratch);
        let iv: Vec<(Instant, Instant)> = scratch.as_slice().into();
        let mut cum = Vec::with_capacity(iv.len() + 1);
        let mut acc = 0i64;
        cum.push(0);
        for &(s, e) in &iv {
            acc = acc.saturating_add(e - s);
            cum.push(acc);
        }
        let days = usize::try_from((end - start).div_euclid(DAY)).unwrap_or(0);
        let mut day_first = Vec::with_capacity(days);
        let mut k = 0usize;
        for d in 0..days as i64 {
            let day_start = start + d * DAY;
            while iv.get(k).is_some_and(|&(_, e)| e <= day_start) {
                k += 1;
            }
            day_first.push(u32::try_from(k).unwrap_or(u32::MAX));
        }
        Chunk { iv, cum, day_first }
    }

    /// The place of `x`, an instant of the horizon `[h_start, h_end)`.
    #[inline(always)]
    fn place_at(&self, x: Instant) -> Option<Place> {
        // Unsigned divisions by constants: a multiply and a shift each.
        let day = u64::try_from(x - self.h_start).ok()? / DAY as u64;
        let c = day / CHUNK_DAYS_KEPT as u64;
        let (chunk, day) = (c as usize, (day - c * CHUNK_DAYS_KEPT as u64) as usize);
        let (cum, k) = self.chunk(chunk)?.cum_and_index(day, x);
        Some(Place { chunk, cum, k })
    }

    /// The time zone name.
    pub fn timezone(&self) -> &str {
        &self.tz_name
    }

    /// `true` for a `"24x7"` week without holidays or overrides (all time is working time).
    /// A `"24x7"` week with holidays or overrides is compiled like `00:00-24:00` every day.
    pub fn is_always(&self) -> bool {
        self.always
    }

    /// The precomputed UTC range `[start, end)` (empty for an always-working calendar).
    pub fn horizon(&self) -> (Instant, Instant) {
        (self.h_start, self.h_end)
    }

    /// Business (working) seconds inside `[a, b)`; 0 when `b <= a`.
    ///
    /// Inside the horizon: two binary searches, no allocation.
    pub fn business_between(&self, a: Instant, b: Instant) -> i64 {
        self.business_between_from(&Origin::NONE, a, b)
    }

    /// The place of `a` in the precomputed horizon, for several spans starting at `a`
    /// ([`Calendar::business_between_from`], [`Calendar::add_business_from`]): found once
    /// instead of once per span.
    pub fn origin(&self, a: Instant) -> Origin {
        let place = if !self.always && self.h_start <= a && a < self.h_end { self.place_at(a) } else { None };
        Origin { at: a, place, of: self.id() }
    }

    /// This calendar's address, which tells its origins from another calendar's.
    fn id(&self) -> usize {
        core::ptr::from_ref(self) as usize
    }

    /// The place of `x` (inside the horizon), from `o` when `x` is its instant.
    #[inline]
    fn place(&self, o: &Origin, x: Instant) -> Option<Place> {
        match o.place {
            Some(p) if o.at == x && o.of == self.id() => Some(p),
            _ => self.place_at(x),
        }
    }

    /// Business time inside `[from, hi)`, `from` the place of an instant of the horizon
    /// before `hi`, and `hi` at most the horizon's end: across the chunks between, whole.
    #[inline(always)]
    fn business_from_place(&self, from: Place, hi: Instant) -> i64 {
        if hi < self.h_end {
            return match self.place_at(hi) {
                Some(p) if p.chunk == from.chunk => p.cum - from.cum,
                Some(p) => self.business_across(from, p.chunk, p.cum),
                None => 0,
            };
        }
        let last = self.chunks.len().saturating_sub(1);
        self.business_across(from, last, self.chunk(last).map_or(0, Chunk::total))
    }

    /// Business time from `from` to the point `cum_hi` into chunk `last` (`last` at or
    /// after `from`'s chunk), adding up the whole chunks between.
    #[cold]
    #[inline(never)]
    fn business_across(&self, from: Place, last: usize, cum_hi: i64) -> i64 {
        if last == from.chunk {
            return cum_hi - from.cum;
        }
        let mut total = self.chunk(from.chunk).map_or(0, Chunk::total) - from.cum;
        for c in from.chunk + 1..last {
            total += self.chunk(c).map_or(0, Chunk::total);
        }
        total + cum_hi
    }

    /// [`Calendar::business_between`], with `o` used when it is an origin of this calendar
    /// at `a` (any other origin is ignored: same result).
    pub fn business_between_from(&self, o: &Origin, a: Instant, b: Instant) -> i64 {
        if b <= a {
            return 0;
        }
        if self.always {
            return b.saturating_sub(a);
        }
        let (a, b) = (a.max(WORLD_START), b.min(WORLD_END));
        if b <= a {
            return 0;
        }
        let mut total = 0i64;
        if a < self.h_start {
            total += self.sum_outside(a, b.min(self.h_start));
        }
        let (lo, hi) = (a.max(self.h_start), b.min(self.h_end));
        if lo < hi
            && let Some(p) = self.place(o, lo)
        {
            total += self.business_from_place(p, hi);
        }
        if b > self.h_end {
            total += self.sum_outside(a.max(self.h_end), b);
        }
        total
    }

    /// The earliest instant `d >= a` such that `business_between(a, d) == t` (`t >= 0`).
    ///
    /// `t == 0` returns `Some(a)`. If the target is reached exactly at the end of a working
    /// window, the result is that end (not the next window's start). Returns `None` when
    /// `t < 0` or when `d` would lie more than [`SEARCH_LIMIT_S`] after `a`.
    ///
    /// Inside the horizon: two binary searches, no allocation.
    pub fn add_business(&self, a: Instant, t: i64) -> Option<Instant> {
        self.add_business_from(&Origin::NONE, a, t)
    }

    /// [`Calendar::add_business`], with `o` used when it is an origin of this calendar at
    /// `a` (any other origin is ignored: same result).
    pub fn add_business_from(&self, o: &Origin, a: Instant, t: i64) -> Option<Instant> {
        if t < 0 {
            return None;
        }
        if t == 0 {
            return Some(a);
        }
        if self.always {
            return if t > SEARCH_LIMIT_S { None } else { a.checked_add(t) };
        }
        let limit = a.saturating_add(SEARCH_LIMIT_S).min(WORLD_END);
        let mut cur = a.max(WORLD_START);
        let mut remaining = t;
        if cur >= limit {
            return None;
        }
        if cur < self.h_start {
            let to = self.h_start.min(limit);
            match self.find_outside(cur, to, remaining) {
                Ok(x) => return Some(x),
                Err(r) => remaining = r,
            }
            cur = to;
        }
        if cur < self.h_end && cur < limit {
            let mut p = self.place(o, cur)?;
            let mut target = p.cum.saturating_add(remaining);
            loop {
                let chunk = self.chunk(p.chunk)?;
                let total = chunk.total();
                if target <= total {
                    // First i with cum[i] >= target; target > cum at cur >= 0 = cum[0], so
                    // i >= 1. cum[k-1] <= cum at cur < target: the search starts at k - 1.
                    let i = chunk.first_cum_at_least(p.k.saturating_sub(1), target);
                    let k = i.checked_sub(1)?;
                    let (s, _) = *chunk.iv.get(k)?;
                    let x = s + (target - *chunk.cum.get(k)?);
                    return if x <= limit { Some(x) } else { None };
                }
                target -= total;
                let next = p.chunk + 1;
                if next >= self.chunks.len() {
                    break;
                }
                // Whatever is found from here lies after the next chunk's start.
                if self.chunk_start(next) >= limit {
                    return None;
                }
                p = Place { chunk: next, cum: 0, k: 0 };
            }
            remaining = target;
            cur = self.h_end;
        }
        if cur < limit {
            return self.find_outside(cur, limit, remaining).ok();
        }
        None
    }

    /// The working intervals (half-open UTC `[start, end)`) that intersect `[a, b)`,
    /// clipped to `[a, b)`, merged, in order, written into `out` (cleared first).
    pub fn intervals(&self, a: Instant, b: Instant, out: &mut Vec<(Instant, Instant)>) {
        out.clear();
        if b <= a {
            return;
        }
        if self.always {
            out.push((a, b));
            return;
        }
        let (a, b) = (a.max(WORLD_START), b.min(WORLD_END));
        if b <= a {
            return;
        }
        let mut scratch = Vec::new();
        if a < self.h_start {
            self.generate(a, b.min(self.h_start), &mut scratch);
            for &(s, e) in &scratch {
                push_merge(out, s, e);
            }
        }
        let (lo, hi) = (a.max(self.h_start), b.min(self.h_end));
        if lo < hi {
            let first = usize::try_from((lo - self.h_start).div_euclid(CHUNK_DAYS_KEPT * DAY)).unwrap_or(0);
            for c in first..self.chunks.len() {
                if self.chunk_start(c) >= hi {
                    break;
                }
                let Some(chunk) = self.chunk(c) else { break };
                let k0 = chunk.iv.partition_point(|&(_, e)| e <= lo);
                for &(s, e) in chunk.iv.get(k0..).unwrap_or_default() {
                    if s >= hi {
                        break;
                    }
                    push_merge(out, s.max(lo), e.min(hi));
                }
            }
        }
        if b > self.h_end {
            self.generate(a.max(self.h_end), b, &mut scratch);
            for &(s, e) in &scratch {
                push_merge(out, s, e);
            }
        }
    }

    /// The next instant `>= from` before which there is surely no working time, when the
    /// weekly windows are empty: a few days before the next override with windows (or
    /// `None` when there is none).
    fn skip_empty(&self, from: Instant) -> Option<Instant> {
        let day = from.div_euclid(DAY) - DATE_MARGIN;
        let i = self.busy_overrides.partition_point(|&o| o < day);
        let next = *self.busy_overrides.get(i)?;
        Some(from.max((next - DATE_MARGIN) * DAY))
    }

    /// Business time inside `[a, b)` computed on the fly (for ranges outside the horizon).
    fn sum_outside(&self, a: Instant, b: Instant) -> i64 {
        let mut total = 0i64;
        let mut buf = Vec::new();
        let mut cur = a;
        while cur < b {
            if self.week_empty {
                match self.skip_empty(cur) {
                    Some(x) => cur = x,
                    None => break,
                }
                if cur >= b {
                    break;
                }
            }
            let end = cur.saturating_add(CHUNK_DAYS * DAY).min(b);
            self.generate(cur, end, &mut buf);
            for &(s, e) in &buf {
                total += e - s;
            }
            cur = end;
        }
        total
    }

    /// Walks the working time of `[from, to)` (outside the horizon) until `remaining`
    /// seconds are consumed: `Ok(instant)` where that happens, else `Err(what is left)`.
    fn find_outside(&self, from: Instant, to: Instant, mut remaining: i64) -> Result<Instant, i64> {
        debug_assert!(remaining > 0);
        let mut buf = Vec::new();
        let mut cur = from;
        while cur < to {
            if self.week_empty {
                match self.skip_empty(cur) {
                    Some(x) => cur = x,
                    None => break,
                }
                if cur >= to {
                    break;
                }
            }
            let end = cur.saturating_add(CHUNK_DAYS * DAY).min(to);
            self.generate(cur, end, &mut buf);
            for &(s, e) in &buf {
                let len = e - s;
                if len >= remaining {
                    return Ok(s + remaining);
                }
                remaining -= len;
            }
            cur = end;
        }
        Err(remaining)
    }

    /// The windows of local date `day`.
    fn windows_of(&self, day: i64) -> &[Window] {
        if let Ok(i) = self.overrides.binary_search_by_key(&day, |o| o.0) {
            return self.overrides.get(i).map_or(&[], |o| o.1.as_slice());
        }
        if self.holidays.binary_search(&day).is_ok() {
            return &[];
        }
        let wd = weekday_from_days(day) as usize;
        self.week.get(wd).map_or(&[], Vec::as_slice)
    }

    /// Exact merged working intervals inside `[a, b)` (clipped), written into `out`.
    fn generate(&self, a: Instant, b: Instant, out: &mut Vec<(Instant, Instant)>) {
        out.clear();
        if b <= a {
            return;
        }
        let d0 = a.div_euclid(DAY) - DATE_MARGIN;
        let d1 = (b - 1).div_euclid(DAY) + DATE_MARGIN;
        let mut raw: Vec<(Instant, Instant)> = Vec::new();
        for day in d0..=d1 {
            let base = day * DAY;
            for w in self.windows_of(day) {
                let (ls, le) = w.local_secs();
                let s = resolve(&self.tz, base + ls);
                let e = resolve(&self.tz, base + le);
                if s < e && e > a && s < b {
                    raw.push((s, e));
                }
            }
        }
        sort_merge(&mut raw);
        // Holiday ranges touching [a, b).
        let h0 = self.holidays.partition_point(|&h| h < d0);
        let h1 = self.holidays.partition_point(|&h| h <= d1);
        let mut holes: Vec<(Instant, Instant)> = self
            .holidays
            .get(h0..h1)
            .unwrap_or_default()
            .iter()
            .map(|&h| (resolve(&self.tz, h * DAY), resolve(&self.tz, (h + 1) * DAY)))
            .filter(|&(s, e)| s < e)
            .collect();
        sort_merge(&mut holes);
        // Subtract holes and clip to [a, b).
        let mut hi = 0usize;
        for &(s0, e0) in &raw {
            let mut s = s0.max(a);
            let e = e0.min(b);
            while s < e {
                // Skip holes ending at or before s.
                while holes.get(hi).is_some_and(|&(_, he)| he <= s) {
                    hi += 1;
                }
                match holes.get(hi) {
                    Some(&(hs, he)) if hs < e => {
                        push_merge(out, s, hs.min(e));
                        s = he;
                    }
                    _ => {
                        push_merge(out, s, e);
                        s = e;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(start: u16, end: u16) -> Window {
        Window { start, end }
    }

    #[test]
    fn chunks_concatenate_into_the_intervals_of_the_whole_horizon() {
        // "24x7" with one holiday compiles as 00:00-24:00 every day less 2026-12-25 (UTC):
        // exactly two intervals, each crossing dozens of the 364-day chunks the horizon is
        // kept in. Unmerged chunk ends would show as more intervals.
        let utc: Tz = "UTC".parse().unwrap();
        let day = days_from_civil(2026, 12, 25);
        let all: [Vec<Window>; 7] = core::array::from_fn(|_| alloc::vec![w(0, 1440)]);
        let c = Calendar::new((utc, "UTC".into()), (all, true), alloc::vec![day], Vec::new(), DEFAULT_HORIZON);
        // Nothing is built before a query needs it.
        assert!(c.chunks.iter().all(|ch| ch.get().is_none()));
        let (h0, h1) = c.horizon();
        let mut out = Vec::new();
        c.intervals(h0, h1, &mut out);
        assert_eq!(out, [(h0, day * DAY), ((day + 1) * DAY, h1)]);
        assert_eq!(c.business_between(h0, h1), h1 - h0 - DAY);
        // From inside one chunk to inside another, and a due date found chunks later.
        let (a, b) = (h0 + 100 * DAY + 3600, h0 + 1000 * DAY + 7200);
        assert_eq!(c.business_between(a, b), b - a);
        assert_eq!(c.add_business(a, b - a), Some(b));
        // Across the holiday: its day is skipped.
        let before = day * DAY - 3600;
        assert_eq!(c.add_business(before, 2 * 3600), Some((day + 1) * DAY + 3600));
        assert!(c.chunks.iter().all(|ch| ch.get().is_some()));
    }

    #[test]
    fn the_estimate_bounds_what_precomputing_takes() {
        // Overnight and DST-crossing windows, split days, holidays and overrides: the
        // intervals reserved (the bound the estimate counts) hold every interval, so the
        // list is never reallocated, and the estimate covers the three arrays kept.
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let mut week: [Vec<Window>; 7] = Default::default();
        week[0] = alloc::vec![w(480, 720), w(780, 1080)];
        week[4] = alloc::vec![w(1320, 360)];
        week[5] = alloc::vec![w(0, 1440)];
        let holidays =
            alloc::vec![days_from_civil(2026, 12, 25), days_from_civil(2027, 1, 1), days_from_civil(2027, 1, 1)];
        let overrides =
            alloc::vec![(days_from_civil(2026, 12, 24), alloc::vec![w(60, 120), w(600, 660), w(1200, 1260)])];
        let (bytes, scratch) = Calendar::estimated_bytes((&week, false), &holidays, &overrides, DEFAULT_HORIZON);
        // Scratch: the windows of one chunk, 64 bytes each: four a week over the 53
        // weeks of 364 days and their margin, the override's three, one per holiday
        // (three listed).
        let weeks = 53; // (364 days + 6 of margin) / 7, and one more
        assert_eq!(scratch, (4 * weeks + 3 + 3) * 64);
        let c = Calendar::new((berlin, "Europe/Berlin".into()), (week, false), holidays, overrides, DEFAULT_HORIZON);
        // Every chunk built (a query across the whole horizon), then what they keep.
        let (h0, h1) = c.horizon();
        assert!(c.business_between(h0, h1) > 0);
        let n = c.chunks.len();
        let built: Vec<&Chunk> = c.chunks.iter().filter_map(|ch| ch.get()).collect();
        assert_eq!(built.len(), n);
        let intervals: usize = built.iter().map(|ch| ch.iv.len()).sum();
        let bound = interval_bound(&c.week, c.holidays.len(), 3, DEFAULT_HORIZON.1 - DEFAULT_HORIZON.0) + n;
        assert!(intervals <= bound, "{intervals} intervals, bound {bound}");
        let kept: usize = built
            .iter()
            .map(|ch| ch.iv.capacity() * 16 + ch.cum.capacity() * 8 + ch.day_first.capacity() * 4)
            .sum::<usize>()
            + n * (core::mem::size_of::<OnceBox<Chunk>>() + core::mem::size_of::<Chunk>());
        assert!(kept <= bytes, "kept {kept} > estimate {bytes}");
        // The estimate is an upper bound, not a wild one: within 25% of what is kept.
        assert!(bytes < kept + kept / 4, "estimate {bytes} for {kept} kept");
    }

    #[test]
    fn gap_and_fold_resolution() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        // 2026-03-29 02:30 local does not exist (02:00 CET -> 03:00 CEST): compatible gives
        // 03:30 CEST = 01:30Z.
        let day = days_from_civil(2026, 3, 29);
        assert_eq!(resolve(&tz, day * DAY + 2 * 3600 + 1800), day * DAY + 3600 + 1800);
        // 2026-10-25 02:30 local occurs twice; the earlier is 02:30 CEST = 00:30Z.
        let day = days_from_civil(2026, 10, 25);
        assert_eq!(resolve(&tz, day * DAY + 2 * 3600 + 1800), day * DAY + 1800);
    }
}
