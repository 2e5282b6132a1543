//! Durations ("1h30m") and points in time ("+2h", "2010-06-21T18:30") as scenarios write them.

use std::fmt;

use chrono::NaiveDateTime;
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// The longest duration or offset the format takes: 100 years (365-day years), in seconds. Every
/// time in a scenario, an order file or a live line is below it, so times always fit the signed
/// seconds the engine and the records count in (an offset of "+18446744073709551615s" is refused,
/// never wrapped to a negative time).
pub const MAX_SECS: u64 = 100 * 365 * 86_400;

/// Why a duration or a time cannot be read; each message quotes the text and shows how to write it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("an empty duration; write e.g. \"30m\", \"1h30m\", \"2d\"")]
    Empty,
    #[error("\"{0}\" is negative; durations are zero or more")]
    Negative(String),
    #[error("\"{text}\" is not a duration: unit '{unit}' unknown; use d, h, m, s as in \"1h30m\"")]
    UnknownUnit { text: String, unit: char },
    #[error("\"{text}\" is not a duration: a number must come before '{unit}'")]
    NoNumber { text: String, unit: char },
    #[error("\"{0}\" is too long: at most 100 years (\"36500d\")")]
    TooLong(String),
    #[error("\"{text}\" is not a duration: the number {number} has no unit (d, h, m or s)")]
    NoUnit { text: String, number: String },
    #[error("\"{0}\" is not a date-time; write e.g. \"2010-06-21T18:30\"")]
    NotDateTime(String),
    #[error("\"{0}\" is not a time; write an offset from the start (\"+2h30m\") or a date-time (\"2010-06-21T18:30\")")]
    NotTime(String),
    /// A signed shift in time (the `uncertain` section) that is not a duration.
    #[error("{0} (a shift in time is written \"-2h\", \"+30m\", \"45m\")")]
    Shift(Box<TimeError>),
}

/// A non-negative duration, written as a sum of parts: "90s", "15m", "1h30m", "3d", "0s"; at most
/// [`MAX_SECS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Dur(pub u64);

impl Dur {
    pub fn secs(self) -> u64 {
        self.0
    }

    /// Parse "1h30m" style text. Units: d, h, m, s.
    pub fn parse(text: &str) -> Result<Dur, TimeError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(TimeError::Empty);
        }
        let mut total: u64 = 0;
        let mut num = String::new();
        for ch in t.chars() {
            if ch.is_ascii_digit() {
                num.push(ch);
            } else {
                let unit = match ch {
                    'd' => 86_400,
                    'h' => 3_600,
                    'm' => 60,
                    's' => 1,
                    '-' => return Err(TimeError::Negative(t.into())),
                    _ => return Err(TimeError::UnknownUnit { text: t.into(), unit: ch }),
                };
                if num.is_empty() {
                    return Err(TimeError::NoNumber { text: t.into(), unit: ch });
                }
                let n: u64 = num.parse().map_err(|_| TimeError::TooLong(t.into()))?;
                total = n
                    .checked_mul(unit)
                    .and_then(|v| total.checked_add(v))
                    .filter(|v| *v <= MAX_SECS)
                    .ok_or_else(|| TimeError::TooLong(t.into()))?;
                num.clear();
            }
        }
        if !num.is_empty() {
            return Err(TimeError::NoUnit { text: t.into(), number: num });
        }
        Ok(Dur(total))
    }
}

impl fmt::Display for Dur {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_secs(self.0 as i64, f)
    }
}

fn fmt_secs(secs: i64, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let mut s = secs.unsigned_abs();
    if secs < 0 {
        write!(f, "-")?;
    }
    if s == 0 {
        return write!(f, "0s");
    }
    for (unit, name) in [(86_400, 'd'), (3_600, 'h'), (60, 'm'), (1, 's')] {
        if s >= unit {
            write!(f, "{}{}", s / unit, name)?;
            s %= unit;
        }
    }
    Ok(())
}

/// Formats seconds as "1h30m" (used in messages and journals).
pub fn human_secs(secs: i64) -> String {
    struct H(i64);
    impl fmt::Display for H {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            fmt_secs(self.0, f)
        }
    }
    H(secs).to_string()
}

impl Serialize for Dur {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Dur::parse(&text).map_err(de::Error::custom)
    }
}

/// Reads a number that must be finite (not NaN, not infinite, not beyond ±1.8e308), for
/// `#[serde(deserialize_with = "finite")]`: such a value is refused where it is read, so it never
/// reaches the records (JSON writes a non-finite number as `null`, which no reader takes back).
pub fn finite<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let v = f64::deserialize(d)?;
    if v.is_finite() { Ok(v) } else { Err(de::Error::custom(format!("a finite number is needed here, found {v}"))) }
}

/// A point in scenario time: relative to the start ("+2h30m") or a calendar time
/// ("2010-06-21T18:30" or with seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeSpec {
    Offset(u64),
    Calendar(NaiveDateTime),
}

/// Parses an ISO 8601 local date-time with or without seconds.
pub fn parse_datetime(text: &str) -> Result<NaiveDateTime, TimeError> {
    let t = text.trim();
    NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M"))
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M"))
        .map_err(|_| TimeError::NotDateTime(t.into()))
}

impl TimeSpec {
    pub fn parse(text: &str) -> Result<TimeSpec, TimeError> {
        let t = text.trim();
        if let Some(rest) = t.strip_prefix('+') {
            return Dur::parse(rest).map(|d| TimeSpec::Offset(d.0));
        }
        parse_datetime(t).map(TimeSpec::Calendar).map_err(|_| TimeError::NotTime(t.into()))
    }

    /// Seconds after `start` (negative if before it).
    pub fn offset_from(&self, start: NaiveDateTime) -> i64 {
        match self {
            TimeSpec::Offset(s) => *s as i64,
            TimeSpec::Calendar(dt) => (*dt - start).num_seconds(),
        }
    }
}

impl fmt::Display for TimeSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeSpec::Offset(s) => {
                write!(f, "+")?;
                fmt_secs(*s as i64, f)
            }
            TimeSpec::Calendar(dt) => write!(f, "{}", dt.format("%Y-%m-%dT%H:%M:%S")),
        }
    }
}

impl Serialize for TimeSpec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TimeSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        TimeSpec::parse(&text).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_and_print() {
        assert_eq!(Dur::parse("1h30m").unwrap(), Dur(5400));
        assert_eq!(Dur::parse("2d").unwrap(), Dur(172_800));
        assert_eq!(Dur::parse("0s").unwrap(), Dur(0));
        assert_eq!(Dur(5400).to_string(), "1h30m");
        assert_eq!(Dur(90).to_string(), "1m30s");
        assert!(Dur::parse("10").unwrap_err().to_string().contains("no unit"));
        assert!(Dur::parse("3w").unwrap_err().to_string().contains("unit 'w'"));
        assert!(Dur::parse("-5m").unwrap_err().to_string().contains("negative"));
    }

    #[test]
    fn times_beyond_a_hundred_years_are_refused_not_wrapped() {
        assert_eq!(Dur::parse("36500d").unwrap().secs(), MAX_SECS);
        assert!(Dur::parse("36500d1s").unwrap_err().to_string().contains("too long"));
        for t in ["+18446744073709551615s", "+9223372036854775808s", "+999999999999h", "+99999999999999999999999d"] {
            let e = TimeSpec::parse(t).unwrap_err().to_string();
            assert!(e.contains("too long"), "{t}: {e}");
        }
        // what is read is always printed back as itself (never "+-1s")
        let t = TimeSpec::parse("+36500d").unwrap();
        assert_eq!(TimeSpec::parse(&t.to_string()).unwrap(), t);
        assert!(t.offset_from(parse_datetime("2010-06-21T12:00").unwrap()) > 0);
    }

    #[test]
    fn finite_numbers_only() {
        #[derive(serde::Deserialize)]
        struct X(#[serde(deserialize_with = "finite")] f64);
        for bad in ["X(NaN)", "X(inf)", "X(-inf)", "X(1e309)"] {
            let e = crate::scenario::ron_options().from_str::<X>(bad).err().unwrap_or_else(|| panic!("{bad} read"));
            assert!(e.code.to_string().contains("finite"), "{bad}: {e}");
        }
        assert_eq!(crate::scenario::ron_options().from_str::<X>("X(2.5)").unwrap().0, 2.5);
        assert!(serde_json::from_str::<X>("1e309").is_err());
    }

    #[test]
    fn times_parse_relative_and_calendar() {
        let start = parse_datetime("2010-06-21T12:00").unwrap();
        assert_eq!(TimeSpec::parse("+6h30m").unwrap().offset_from(start), 23_400);
        assert_eq!(TimeSpec::parse("2010-06-21T18:30").unwrap().offset_from(start), 23_400);
        assert_eq!(TimeSpec::parse("2010-06-21T11:00:00").unwrap().offset_from(start), -3600);
        assert!(TimeSpec::parse("tomorrow").is_err());
    }
}
