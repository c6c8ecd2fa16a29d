//! Business hours: `--business-hours "Mon-Fri 08:00-17:00 Asia/Jakarta"`. When the team is
//! closed, a customer who starts waiting is told when it opens again, in the team's own time
//! zone ("Monday at 08:00 WIB").

use app::domain::Reopening;
use jiff::civil::Time;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan, Zoned};

/// The form the flag takes, shown when it cannot be read.
pub const EXPECTED: &str = "expected e.g. \"Mon-Fri 08:00-17:00 Asia/Jakarta\" or \
     \"Mon-Fri 08:00-17:00, Sat 09:00-12:00 Europe/Berlin\": days (Mon … Sun, or a range \
     like Mon-Fri), opening and closing time (24-hour HH:MM, closing after opening), \
     then an IANA time zone";

/// When the team answers: days and hours in one time zone.
#[derive(Debug, Clone)]
pub struct BusinessHours {
    spans: Vec<Span>,
    zone: TimeZone,
    text: String,
}

/// One opening: these weekdays, from `open` until `close`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    days: [bool; 7],
    open: Time,
    close: Time,
}

/// The days of the week, Monday first; a day is written as its first three letters or more.
const DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

fn day(raw: &str) -> Result<usize, String> {
    let lower = raw.to_ascii_lowercase();
    DAYS.iter()
        .position(|name| lower.len() >= 3 && name.starts_with(&lower))
        .ok_or_else(|| format!("`{raw}` is not a day"))
}

fn time(raw: &str) -> Result<Time, String> {
    let (h, m) = raw
        .split_once(':')
        .ok_or_else(|| format!("`{raw}` is not a time"))?;
    let (h, m): (i8, i8) = (
        h.parse().map_err(|_| format!("`{raw}` is not a time"))?,
        m.parse().map_err(|_| format!("`{raw}` is not a time"))?,
    );
    if h == 24 && m == 0 {
        return Ok(Time::MAX);
    }
    Time::new(h, m, 0, 0).map_err(|_| format!("`{raw}` is not a time"))
}

fn span(days: &str, hours: &str) -> Result<Span, String> {
    let mut set = [false; 7];
    match days.split_once('-') {
        Some((from, to)) => {
            let (from, to) = (day(from)?, day(to)?);
            let mut d = from;
            loop {
                set[d] = true;
                if d == to {
                    break;
                }
                d = (d + 1) % 7;
            }
        }
        None => set[day(days)?] = true,
    }
    let (open, close) = hours
        .split_once('-')
        .ok_or_else(|| format!("`{hours}` is not an opening and closing time"))?;
    let (open, close) = (time(open)?, time(close)?);
    if close <= open {
        return Err(format!("`{hours}` closes before it opens"));
    }
    Ok(Span {
        days: set,
        open,
        close,
    })
}

impl BusinessHours {
    /// Reads the flag's value; the error names what is wrong and shows the expected form.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let fail = |why: String| format!("{why}; {EXPECTED}");
        let trimmed = raw.trim();
        let (schedule, zone) = trimmed
            .rsplit_once(' ')
            .ok_or_else(|| fail("no time zone".into()))?;
        let zone = TimeZone::get(zone).map_err(|_| fail(format!("`{zone}` is not a time zone")))?;
        let spans = schedule
            .split(',')
            .map(|part| {
                let mut words = part.split_whitespace();
                match (words.next(), words.next(), words.next()) {
                    (Some(days), Some(hours), None) => span(days, hours),
                    _ => Err(format!("`{}` is not days and hours", part.trim())),
                }
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(fail)?;
        Ok(Self {
            spans,
            zone,
            text: trimmed.to_owned(),
        })
    }

    /// True when the team is open at `at`.
    pub fn is_open(&self, at: Timestamp) -> bool {
        let local = at.to_zoned(self.zone.clone());
        let weekday = local.weekday().to_monday_zero_offset() as usize;
        let now = local.time();
        self.spans
            .iter()
            .any(|s| s.days[weekday] && s.open <= now && now < s.close)
    }

    /// When the team next opens after `at` (now, if it is open).
    pub fn next_open(&self, at: Timestamp) -> Zoned {
        let local = at.to_zoned(self.zone.clone());
        let today = local.date();
        let mut best: Option<Zoned> = None;
        for ahead in 0..=7 {
            let Ok(date) = today.checked_add(ahead.days()) else {
                continue;
            };
            let weekday = date.weekday().to_monday_zero_offset() as usize;
            for s in self.spans.iter().filter(|s| s.days[weekday]) {
                let Ok(opening) = date.to_datetime(s.open).to_zoned(self.zone.clone()) else {
                    continue;
                };
                let closing = date.to_datetime(s.close).to_zoned(self.zone.clone());
                let open_now = opening <= local && closing.is_ok_and(|c| local < c);
                let candidate = if open_now { local.clone() } else { opening };
                if candidate >= local && best.as_ref().is_none_or(|b| candidate < *b) {
                    best = Some(candidate);
                }
            }
            if best.is_some() {
                break;
            }
        }
        best.unwrap_or(local)
    }

    /// When the team is back, for the customer to read in their language ("today at 08:00
    /// WIB", "besok pukul 08.00 WIB").
    pub fn back_at(&self, at: Timestamp) -> Reopening {
        let local = at.to_zoned(self.zone.clone());
        let next = self.next_open(at);
        let in_days = (next.date() - local.date()).get_days();
        Reopening {
            in_days: u16::try_from(in_days).unwrap_or(u16::MAX),
            weekday: next.weekday().to_monday_zero_offset() as u8,
            hour: next.hour() as u8,
            minute: next.minute() as u8,
            zone: self
                .zone
                .to_offset_info(next.timestamp())
                .abbreviation()
                .to_owned(),
        }
    }
}

impl std::fmt::Display for BusinessHours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// The flag's value parser: a malformed value stops the server at start.
pub fn parse_flag(raw: &str) -> Result<BusinessHours, String> {
    BusinessHours::parse(raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::Locale;

    fn jakarta() -> BusinessHours {
        BusinessHours::parse("Mon-Fri 08:00-17:00 Asia/Jakarta").unwrap()
    }

    /// A moment given in Jakarta's local time (UTC+7).
    fn wib(stamp: &str) -> Timestamp {
        format!("{stamp}+07:00[Asia/Jakarta]")
            .parse::<Zoned>()
            .unwrap()
            .timestamp()
    }

    #[test]
    fn open_from_the_first_minute_until_the_last() {
        let hours = jakarta();
        // 2026-11-23 is a Monday.
        assert!(!hours.is_open(wib("2026-11-23T07:59:59")));
        assert!(hours.is_open(wib("2026-11-23T08:00:00")));
        assert!(hours.is_open(wib("2026-11-23T16:59:59")));
        assert!(!hours.is_open(wib("2026-11-23T17:00:00")));
        assert!(hours.is_open(wib("2026-11-27T12:00:00")), "Friday");
        assert!(!hours.is_open(wib("2026-11-28T12:00:00")), "Saturday");
    }

    #[test]
    fn closed_customers_are_told_when_the_team_is_back() {
        let hours = jakarta();
        assert_eq!(
            hours.back_at(wib("2026-11-27T17:00:00")).phrase(Locale::en),
            "Monday at 08:00 WIB"
        );
        assert_eq!(
            hours.back_at(wib("2026-11-28T23:00:00")).phrase(Locale::en),
            "Monday at 08:00 WIB"
        );
        assert_eq!(
            hours.back_at(wib("2026-11-24T06:30:00")).phrase(Locale::en),
            "today at 08:00 WIB"
        );
        assert_eq!(
            hours.back_at(wib("2026-11-24T18:00:00")).phrase(Locale::en),
            "tomorrow at 08:00 WIB"
        );
    }

    #[test]
    fn several_spans_and_day_ranges_that_wrap() {
        let hours =
            BusinessHours::parse("Mon-Fri 08:00-17:00, Sat 09:00-12:00 Asia/Jakarta").unwrap();
        assert!(hours.is_open(wib("2026-11-28T09:30:00")));
        assert!(!hours.is_open(wib("2026-11-28T12:00:00")));
        let weekend = BusinessHours::parse("Sat-Sun 10:00-14:00 UTC").unwrap();
        assert!(weekend.is_open("2026-11-29T11:00:00Z".parse().unwrap()));
        assert!(!weekend.is_open("2026-11-30T11:00:00Z".parse().unwrap()));
    }

    #[test]
    fn malformed_hours_name_the_problem_and_show_the_form() {
        for bad in [
            "",
            "Mon-Fri 08:00-17:00",
            "Mon-Fri 08:00-17:00 Mars/Olympus",
            "Mon-Fry 08:00-17:00 UTC",
            "Mon-Fri 17:00-08:00 UTC",
            "Mon-Fri 8-5 UTC",
            "Mon-Fri 08:00-25:00 UTC",
        ] {
            let err = BusinessHours::parse(bad).unwrap_err();
            assert!(err.contains("expected e.g."), "{bad}: {err}");
        }
        assert!(BusinessHours::parse("Mon-Fri 08:00-17:00 Mars/Olympus")
            .unwrap_err()
            .contains("`Mars/Olympus` is not a time zone"));
    }
}
