//! Instants as signed seconds since 1970-01-01T00:00:00Z, RFC 3339 parsing and formatting,
//! and SLA durations. All arithmetic is exact integer seconds.

pub mod calendar;

use core::fmt;

/// An instant: whole seconds since 1970-01-01T00:00:00Z (UTC).
pub type Instant = i64;

/// Earliest instant a case may carry (1970-01-01T00:00:00Z); earlier stamps are malformed.
pub const EARLIEST_CASE_INSTANT: Instant = 0;
/// Latest instant a case may carry (2099-12-31T23:59:59Z); later stamps are malformed. With
/// calendars kept through 2109, every clock question about such cases is answered from
/// kept intervals, so no case can make evaluation slow.
pub const LATEST_CASE_INSTANT: Instant = 4_102_444_799;

/// Earliest instant representable in RFC 3339 (0001-01-01T00:00:00Z).
pub const MIN_INSTANT: Instant = -62_135_596_800;
/// Latest instant representable in RFC 3339 (9999-12-31T23:59:59Z).
pub const MAX_INSTANT: Instant = 253_402_300_799;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub const fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date `(year, month, day)` of a day count since 1970-01-01.
pub const fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Day of week of a day count since 1970-01-01: 0 = Monday .. 6 = Sunday.
pub const fn weekday_from_days(z: i64) -> u32 {
    // 1970-01-01 was a Thursday (3).
    (z + 3).rem_euclid(7) as u32
}

/// Number of days in a month.
pub const fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 => {
            if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
                29
            } else {
                28
            }
        }
        _ => 0,
    }
}

fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let s = b.get(at..at + n)?;
    let mut v = 0u32;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

/// Parses a calendar date `YYYY-MM-DD` into days since 1970-01-01.
pub fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let y = i64::from(digits(b, 0, 4)?);
    let m = digits(b, 5, 2)?;
    let d = digits(b, 8, 2)?;
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// Parses an RFC 3339 timestamp (`2026-11-20T09:15:00Z`, `...+01:00`, fractional seconds
/// allowed and truncated toward the past). Returns `None` for anything malformed,
/// including a leap second (`23:59:60`): instants count the seconds of UTC days of
/// 86,400 seconds, which have no 61st second to name.
pub fn parse_rfc3339(s: &str) -> Option<Instant> {
    let b = s.as_bytes();
    if b.len() < 20 || b.len() > 64 {
        return None;
    }
    let days = parse_date(s.get(0..10)?)?;
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return None;
    }
    let hh = digits(b, 11, 2)?;
    let mm = digits(b, 14, 2)?;
    let ss = digits(b, 17, 2)?;
    // No leap second (:60): it has no instant of its own, and reading it as another
    // second would change the value without a word.
    if hh > 23 || mm > 59 || ss > 59 {
        return None;
    }
    let mut i = 19;
    let mut frac_nonzero = false;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while let Some(c) = b.get(i) {
            if !c.is_ascii_digit() {
                break;
            }
            if *c != b'0' {
                frac_nonzero = true;
            }
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let offset: i64 = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) if i + 6 == b.len() => {
            if b.get(i + 3) != Some(&b':') {
                return None;
            }
            let oh = digits(b, i + 1, 2)?;
            let om = digits(b, i + 4, 2)?;
            if oh > 23 || om > 59 {
                return None;
            }
            let o = i64::from(oh * 3600 + om * 60);
            if sign == b'-' { -o } else { o }
        }
        _ => return None,
    };
    // Fractions are truncated toward the past: with non-zero fraction the whole second
    // already is the floor, whatever the sign of the instant.
    let _ = frac_nonzero;
    Some(days * 86_400 + i64::from(hh * 3600 + mm * 60 + ss) - offset)
}

/// Formats an instant as RFC 3339 UTC (`2026-11-20T09:15:00Z`) without allocating.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rfc3339(pub Instant);

impl Rfc3339 {
    /// The text, for the years 0 to 9999 (every instant Docket accepts); `None` beyond.
    /// Digit by digit: outcomes carry several instants each, and this is on the path
    /// that renders them.
    pub fn bytes(self) -> Option<[u8; 20]> {
        let days = self.0.div_euclid(86_400);
        let secs = self.0.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        if !(0..=9999).contains(&y) {
            return None;
        }
        let two = |n: i64| [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8];
        let (y, m, d) = (y, i64::from(m), i64::from(d));
        let ([y1, y2], [y3, y4]) = (two(y / 100), two(y % 100));
        let ([m1, m2], [d1, d2]) = (two(m), two(d));
        let ([h1, h2], [i1, i2], [s1, s2]) = (two(secs / 3600), two(secs / 60 % 60), two(secs % 60));
        Some([y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2, b'T', h1, h2, b':', i1, i2, b':', s1, s2, b'Z'])
    }
}

impl fmt::Display for Rfc3339 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(b) = self.bytes() {
            // ASCII digits and separators.
            return f.write_str(core::str::from_utf8(&b).map_err(|_| fmt::Error)?);
        }
        let days = self.0.div_euclid(86_400);
        let secs = self.0.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(f, "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", y, m, d, secs / 3600, secs / 60 % 60, secs % 60)
    }
}

impl serde::Serialize for Rfc3339 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.bytes() {
            Some(b) => s.serialize_str(core::str::from_utf8(&b).unwrap_or_default()),
            None => s.collect_str(self),
        }
    }
}

/// Formats a number of seconds as a duration in the policy syntax (`2h30m`, `45s`, `0m`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Duration(pub i64);

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = self.0;
        if s < 0 {
            f.write_str("-")?;
            s = -s;
        }
        if s == 0 {
            return f.write_str("0m");
        }
        let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
        if h > 0 {
            write!(f, "{h}h")?;
        }
        if m > 0 {
            write!(f, "{m}m")?;
        }
        if sec > 0 {
            write!(f, "{sec}s")?;
        }
        Ok(())
    }
}

/// Largest duration accepted in a policy: 10 years of seconds.
pub const MAX_DURATION_S: i64 = 10 * 366 * 86_400;

/// Parses a duration: one or more `<digits><unit>` parts with units `d`, `h`, `m`, `s`
/// in that order (`90m`, `4h`, `2h30m`, `72h`, `1d12h`, `0m`). A day is 24 hours.
pub fn parse_duration(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.is_empty() {
        return None;
    }
    let mut total: i64 = 0;
    let mut i = 0;
    let mut last_rank = 0u8;
    while i < b.len() {
        let start = i;
        let mut n: i64 = 0;
        while let Some(c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            n = n.checked_mul(10)?.checked_add(i64::from(c - b'0'))?;
            i += 1;
        }
        if i == start || i - start > 12 {
            return None;
        }
        let (rank, unit) = match b.get(i)? {
            b'd' => (1, 86_400),
            b'h' => (2, 3600),
            b'm' => (3, 60),
            b's' => (4, 1),
            _ => return None,
        };
        if rank <= last_rank {
            return None;
        }
        last_rank = rank;
        i += 1;
        total = total.checked_add(n.checked_mul(unit)?)?;
    }
    if total > MAX_DURATION_S { None } else { Some(total) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn civil_round_trip() {
        // 2026-11-23 is a Monday; 1970-01-01 is day 0.
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        let d = days_from_civil(2026, 11, 23);
        assert_eq!(civil_from_days(d), (2026, 11, 23));
        assert_eq!(weekday_from_days(d), 0);
        assert_eq!(weekday_from_days(days_from_civil(2026, 11, 29)), 6);
        for z in [-800_000i64, -1, 0, 59, 60, 11_016, 20_000, 2_900_000] {
            let (y, m, dd) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, dd), z);
        }
    }

    #[test]
    fn rfc3339() {
        // 2026-11-20T09:15:00Z = 1795166100 (`date -u -d 2026-11-20T09:15:00Z +%s`).
        assert_eq!(parse_rfc3339("2026-11-20T09:15:00Z"), Some(1_795_166_100));
        assert_eq!(parse_rfc3339("2026-11-20T10:15:00+01:00"), Some(1_795_166_100));
        assert_eq!(parse_rfc3339("2026-11-20T09:15:00.999Z"), Some(1_795_166_100));
        assert_eq!(parse_rfc3339("1969-12-31T23:59:59.5Z"), Some(-1));
        // The second before the 2016 leap second: 2017-01-01T00:00:00Z = 1483228800 less 1.
        assert_eq!(parse_rfc3339("2016-12-31T23:59:59Z"), Some(1_483_228_799));
        for bad in [
            "2026-11-20",
            "2026-02-30T00:00:00Z",
            "2026-11-20T24:00:00Z",
            "x",
            "2026-11-20T09:15:00",
            "2026-11-20T09:15:00+0100",
            // Leap seconds, real (2016-12-31) or not, at any offset or with a fraction.
            "2016-12-31T23:59:60Z",
            "2016-12-31T23:59:60.5Z",
            "2017-01-01T00:59:60+01:00",
            "2026-11-20T09:15:60Z",
            "2026-11-20T09:15:61Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
        assert_eq!(Rfc3339(1_795_166_100).to_string(), "2026-11-20T09:15:00Z");
        assert_eq!(Rfc3339(-1).to_string(), "1969-12-31T23:59:59Z");
        // The digit-by-digit text is the zero-padded fields of the civil date, at every
        // step of a walk over the accepted range; beyond year 9999 the text has more
        // digits and is written by the general path.
        let mut t = MIN_INSTANT;
        while t <= MAX_INSTANT {
            let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
            let (y, m, d) = civil_from_days(days);
            let want =
                alloc::format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs / 60 % 60, secs % 60);
            assert_eq!(Rfc3339(t).to_string(), want);
            assert_eq!(Rfc3339(t).bytes().map(|b| b.to_vec()), Some(want.into_bytes()));
            t += 7_777_777;
        }
        assert_eq!(Rfc3339(MAX_INSTANT).to_string(), "9999-12-31T23:59:59Z");
        assert_eq!(Rfc3339(MAX_INSTANT + 1).bytes(), None);
        assert_eq!(Rfc3339(MAX_INSTANT + 1).to_string(), "10000-01-01T00:00:00Z");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90m"), Some(5400));
        assert_eq!(parse_duration("2h30m"), Some(9000));
        assert_eq!(parse_duration("72h"), Some(259_200));
        assert_eq!(parse_duration("0m"), Some(0));
        assert_eq!(parse_duration("1d12h"), Some(129_600));
        for bad in ["", "h", "30m2h", "5", "1.5h", "-1h", "4hh", "99999999999999h"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        assert_eq!(Duration(9000).to_string(), "2h30m");
        assert_eq!(Duration(0).to_string(), "0m");
    }
}
