//! `calendars`: business calendars by name. Parses each calendar's time zone, weekly
//! windows, holidays and overrides; [`Calendar`] keeps its working intervals (built a
//! chunk at a time on first use).

use super::diagnostics::{Diags, PolicyCode, child, index};
use super::json::{array, map, object, required, string, wrong_type};
use super::limits::{Budget, Limits};
use crate::time::calendar::{Calendar, DEFAULT_HORIZON, WEEKDAYS, Window};
use crate::time::parse_date;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use chrono_tz::Tz;
use serde_json::{Map, Value};

/// Every calendar of the policy that compiles, by name, in policy order. Each takes its
/// estimated memory (every chunk of its working intervals, built or not) from `budget`.
pub(super) fn calendars(
    top: &Map<String, Value>,
    d: &mut Diags,
    limits: &Limits,
    budget: &mut Budget,
) -> Vec<(String, Calendar)> {
    let mut calendars = Vec::new();
    if let Some(cm) = top.get("calendars").and_then(|c| map(c, "/calendars", d)) {
        if cm.len() > limits.max_calendars {
            d.error(
                PolicyCode::LimitExceeded,
                "/calendars",
                format!("{} calendars exceed the limit of {}", cm.len(), limits.max_calendars),
            );
            return calendars;
        }
        for (cname, spec) in cm {
            if let Some(c) = compile(spec, &child("/calendars", cname), d, DEFAULT_HORIZON, limits, budget) {
                calendars.push((cname.clone(), c));
            }
        }
    }
    calendars
}

impl Calendar {
    /// Compiles the calendar JSON value found at JSON pointer `path` (e.g.
    /// `"/calendars/eu_ops"`), with the [`DEFAULT_HORIZON`].
    ///
    /// Reports every problem into `d`: `unknown_key` (keys other than `timezone`, `week`,
    /// `holidays`, `overrides`, or an unknown weekday key), `missing_key` (`timezone` or
    /// `week`), `wrong_type`, `unknown_timezone`, `bad_window` (a malformed or zero-length
    /// window, or a `week` string other than `"24x7"`) and `bad_date` (a malformed or
    /// nonexistent date in `holidays` or as an `overrides` key). Each error's path points at
    /// the offending element, e.g. `/calendars/eu_ops/week/fri/1`.
    ///
    /// Returns `None` if any error was found for this calendar.
    pub fn compile(v: &Value, path: &str, d: &mut Diags) -> Option<Calendar> {
        Self::compile_with_horizon(v, path, d, DEFAULT_HORIZON.0, DEFAULT_HORIZON.1)
    }

    /// Same as [`Calendar::compile`] with an explicit horizon `[from_day, to_day)` in days
    /// since 1970-01-01: the working intervals of the UTC range `[from_day 00:00Z, to_day
    /// 00:00Z)` are kept, a chunk at a time as queries reach them (days clamped to years
    /// 0001..=9999; empty when `to_day <= from_day`). Results never depend on the horizon,
    /// only speed and memory do (memory grows linearly with the part of it used).
    /// The default [`Limits`] apply, including `max_memory_bytes`.
    pub fn compile_with_horizon(v: &Value, path: &str, d: &mut Diags, from_day: i64, to_day: i64) -> Option<Calendar> {
        let limits = Limits::default();
        compile(v, path, d, (from_day, to_day), &limits, &mut Budget::new(&limits))
    }

    /// Same as [`Calendar::compile`] with the host's limits on windows, dates and memory
    /// (a calendar whose kept intervals could take more than `max_memory_bytes`
    /// is the error `limit_exceeded` at `path`).
    pub fn compile_with_limits(v: &Value, path: &str, d: &mut Diags, limits: &Limits) -> Option<Calendar> {
        compile(v, path, d, DEFAULT_HORIZON, limits, &mut Budget::new(limits))
    }
}

fn compile(
    v: &Value,
    path: &str,
    d: &mut Diags,
    horizon: (i64, i64),
    limits: &Limits,
    budget: &mut Budget,
) -> Option<Calendar> {
    let (max_windows, max_dates) = (limits.max_windows_per_day, limits.max_dates_per_calendar);
    let errors_before = d.error_count();
    let m = object(v, path, &["timezone", "week", "holidays", "overrides"], d)?;
    let tz = timezone(m, path, d);
    let week = week(m, path, d, max_windows);
    let holidays = holidays(m, path, d, max_dates);
    let overrides = overrides(m, path, d, max_windows, max_dates);
    if d.error_count() > errors_before {
        return None;
    }
    // The intervals stay; the scratch space must fit too, but is freed when they are done.
    let (kept, scratch) = Calendar::estimated_bytes((&week.0, week.1), &holidays, &overrides, horizon);
    if !budget.take(kept.saturating_add(scratch), path, "this calendar's working intervals", d) {
        return None;
    }
    budget.give_back(scratch);
    Some(Calendar::new(tz?, week, holidays, overrides, horizon))
}

/// `report.timezone`: the zone of a report's flow buckets (absent: UTC), an IANA zone
/// known to this build, like a calendar's.
pub(super) fn report_timezone(top: &Map<String, Value>, d: &mut Diags) -> Option<(Tz, String)> {
    let m = object(top.get("report")?, "/report", &["timezone"], d)?;
    m.get("timezone")?;
    timezone(m, "/report", d)
}

/// `timezone`: an IANA zone known to this build, and its name.
fn timezone(m: &Map<String, Value>, path: &str, d: &mut Diags) -> Option<(Tz, String)> {
    let tv = required(m, "timezone", path, d)?;
    let tpath = child(path, "timezone");
    let name = string(tv, &tpath, d)?;
    match name.parse::<Tz>() {
        Ok(z) => Some((z, String::from(name))),
        Err(_) => {
            d.error(
                PolicyCode::UnknownTimezone,
                &tpath,
                format!("`{name}` is not an IANA time zone known to this build"),
            );
            None
        }
    }
}

/// `week`: the windows of each weekday (Monday first), and whether it is `24x7`.
fn week(m: &Map<String, Value>, path: &str, d: &mut Diags, max_windows: usize) -> ([Vec<Window>; 7], bool) {
    let mut week: [Vec<Window>; 7] = Default::default();
    let mut all_week = false;
    if let Some(wv) = required(m, "week", path, d) {
        let wpath = child(path, "week");
        match wv {
            Value::String(s) if s == "24x7" => all_week = true,
            Value::String(s) => d.error(
                PolicyCode::BadWindow,
                &wpath,
                format!("`week` must be an object of weekday windows or \"24x7\", found \"{s}\""),
            ),
            Value::Object(days) => {
                for (k, dv) in days {
                    let dpath = child(&wpath, k);
                    match WEEKDAYS.iter().position(|w| *w == k.as_str()) {
                        Some(i) => {
                            if let (Some(list), Some(slot)) = (windows(dv, &dpath, d, max_windows), week.get_mut(i)) {
                                *slot = list;
                            }
                        }
                        None => d.error(
                            PolicyCode::UnknownKey,
                            &dpath,
                            format!("unknown weekday `{k}` (expected one of: {})", WEEKDAYS.join(", ")),
                        ),
                    }
                }
            }
            other => wrong_type(&wpath, "an object or \"24x7\"", other, d),
        }
    }
    if all_week {
        for slot in week.iter_mut() {
            *slot = alloc::vec![Window { start: 0, end: 1440 }];
        }
    }
    (week, all_week)
}

/// `holidays`: days since 1970-01-01.
fn holidays(m: &Map<String, Value>, path: &str, d: &mut Diags, max_dates: usize) -> Vec<i64> {
    let mut holidays: Vec<i64> = Vec::new();
    let Some(hv) = m.get("holidays") else { return holidays };
    let hpath = child(path, "holidays");
    let Some(items) = array(hv, &hpath, d) else { return holidays };
    if items.len() > max_dates {
        d.error(PolicyCode::LimitExceeded, &hpath, format!("{} holidays exceed the limit of {max_dates}", items.len()));
    }
    for (i, item) in items.iter().enumerate().take(max_dates) {
        let ipath = index(&hpath, i);
        if let Some(s) = string(item, &ipath, d) {
            match parse_date(s) {
                Some(day) => holidays.push(day),
                None => d.error(PolicyCode::BadDate, &ipath, format!("`{s}` is not an existing date YYYY-MM-DD")),
            }
        }
    }
    holidays
}

/// `overrides`: the windows of particular dates, by day since 1970-01-01.
fn overrides(
    m: &Map<String, Value>,
    path: &str,
    d: &mut Diags,
    max_windows: usize,
    max_dates: usize,
) -> Vec<(i64, Vec<Window>)> {
    let mut overrides: Vec<(i64, Vec<Window>)> = Vec::new();
    let Some(ov) = m.get("overrides") else { return overrides };
    let opath = child(path, "overrides");
    match ov {
        Value::Object(entries) => {
            if entries.len() > max_dates {
                d.error(
                    PolicyCode::LimitExceeded,
                    &opath,
                    format!("{} overrides exceed the limit of {max_dates}", entries.len()),
                );
            }
            for (k, wv) in entries.iter().take(max_dates) {
                let kpath = child(&opath, k);
                let day = parse_date(k);
                if day.is_none() {
                    d.error(PolicyCode::BadDate, &kpath, format!("`{k}` is not an existing date YYYY-MM-DD"));
                }
                let list = windows(wv, &kpath, d, max_windows);
                if let (Some(day), Some(list)) = (day, list) {
                    overrides.push((day, list));
                }
            }
        }
        other => wrong_type(&opath, "an object", other, d),
    }
    overrides
}

/// Parses an array of window strings at `path`; `None` if anything was wrong (reported).
fn windows(v: &Value, path: &str, d: &mut Diags, max: usize) -> Option<Vec<Window>> {
    let items = array(v, path, d)?;
    if items.len() > max {
        d.error(PolicyCode::LimitExceeded, path, format!("{} windows exceed the limit of {max} per day", items.len()));
        return None;
    }
    let mut ok = true;
    let mut list = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let ipath = index(path, i);
        match string(item, &ipath, d) {
            Some(s) => match parse_window(s) {
                Ok(w) => list.push(w),
                Err(why) => {
                    d.error(PolicyCode::BadWindow, &ipath, format!("bad window `{s}`: {why}"));
                    ok = false;
                }
            },
            None => ok = false,
        }
    }
    crate::sort::sort_by_key(&mut list, |w| (w.start, w.end));
    ok.then_some(list)
}

/// Parses `HH:MM-HH:MM` (exactly; `24:00` only as an end; zero length rejected).
fn parse_window(s: &str) -> Result<Window, &'static str> {
    let b = s.as_bytes();
    if b.len() != 11 || b.get(5) != Some(&b'-') {
        return Err("expected `HH:MM-HH:MM`");
    }
    let start = parse_hhmm(b.get(0..5).unwrap_or_default())?;
    let end = parse_hhmm(b.get(6..11).unwrap_or_default())?;
    if start == 1440 {
        return Err("a window cannot start at 24:00");
    }
    if start == end {
        return Err("a window cannot have zero length");
    }
    Ok(Window { start, end })
}

/// Parses `HH:MM` into minutes after midnight (0..=1440).
fn parse_hhmm(b: &[u8]) -> Result<u16, &'static str> {
    let fmt = "expected `HH:MM-HH:MM`";
    if b.len() != 5 || b.get(2) != Some(&b':') {
        return Err(fmt);
    }
    let mut d = [0u16; 4];
    for (slot, &i) in d.iter_mut().zip([0usize, 1, 3, 4].iter()) {
        match b.get(i) {
            Some(c) if c.is_ascii_digit() => *slot = u16::from(c - b'0'),
            _ => return Err(fmt),
        }
    }
    let (h, m) = (d[0] * 10 + d[1], d[2] * 10 + d[3]);
    if m > 59 {
        return Err("minutes above 59");
    }
    if h > 24 || (h == 24 && m != 0) {
        return Err("time after 24:00");
    }
    Ok(h * 60 + m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_parsing() {
        assert_eq!(parse_window("08:00-18:00"), Ok(Window { start: 480, end: 1080 }));
        assert_eq!(parse_window("00:00-24:00"), Ok(Window { start: 0, end: 1440 }));
        assert_eq!(parse_window("22:00-06:00"), Ok(Window { start: 1320, end: 360 }));
        for bad in [
            "8-17",
            "08:00-08:00",
            "25:00-26:00",
            "24:00-06:00",
            "08:60-09:00",
            "24:30-01:00",
            "08:00-24:01",
            "08:00_09:00",
            "0a:00-09:00",
            "08:00-09:000",
            "",
        ] {
            assert!(parse_window(bad).is_err(), "{bad}");
        }
    }
}
