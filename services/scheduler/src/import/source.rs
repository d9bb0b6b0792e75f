//! What an imported calendar says: one [`Source`] per UID (the master VEVENT and its
//! RECURRENCE-ID overrides), and the occurrences it makes within a season — the RRULE expanded in
//! the event's zone, EXDATEs skipped, overrides moving or cancelling single occurrences.

use super::parse::{self, Component, ParseError, When};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use piazza_shared::{
    contracts::{Category, Language},
    recurrence::{Exclusion, Series},
};
use std::collections::BTreeMap;

/// One occurrence moved or cancelled by a VEVENT with RECURRENCE-ID.
#[derive(Debug, Clone)]
pub struct Override {
    pub recurrence_id: When,
    pub start: When,
    pub end: Option<When>,
    pub duration: Option<Duration>,
    pub cancelled: bool,
}

/// An event of the imported calendar.
#[derive(Debug, Clone)]
pub struct Source {
    pub uid: String,
    pub summary: String,
    pub description: String,
    pub location: Option<String>,
    pub categories: Vec<String>,
    pub cancelled: bool,
    pub start: When,
    pub end: Option<When>,
    pub duration: Option<Duration>,
    pub rule: Option<String>,
    pub exdates: Vec<When>,
    pub overrides: Vec<Override>,
}

/// One occurrence an imported event has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Planned {
    /// Where the rule put it: how it is matched from one fetch to the next (the Unix epoch for
    /// the one occurrence of an event without a rule).
    pub recurrence_id: DateTime<Utc>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub cancelled: bool,
}

fn text(event: &Component, name: &str) -> Option<String> {
    event
        .first(name)
        .map(|p| parse::unescape(&p.value).trim().to_string())
        .filter(|t| !t.is_empty())
}

fn shorten(text: String, max: usize) -> String {
    if text.chars().count() <= max {
        text
    } else {
        text.chars().take(max).collect()
    }
}

/// The VEVENTs of a calendar by UID. A VEVENT that cannot be read is left out and described in
/// the second list.
pub fn sources(calendar: &Component) -> (Vec<Source>, Vec<String>) {
    let mut masters: BTreeMap<String, Source> = BTreeMap::new();
    let mut overrides: Vec<(String, Override)> = Vec::new();
    let mut skipped = Vec::new();
    for event in calendar.children.iter().filter(|c| c.name == "VEVENT") {
        let Some(uid) = text(event, "UID") else {
            skipped.push("a VEVENT without UID".to_string());
            continue;
        };
        match read(event, &uid) {
            Ok(Read::Master(source)) => {
                masters.insert(uid, source);
            }
            Ok(Read::Override(o)) => overrides.push((uid, o)),
            Err(e) => skipped.push(format!("{uid}: {e}")),
        }
    }
    for (uid, o) in overrides {
        match masters.get_mut(&uid) {
            Some(master) => master.overrides.push(o),
            None => skipped.push(format!("{uid}: an override without its series")),
        }
    }
    (masters.into_values().collect(), skipped)
}

enum Read {
    Master(Source),
    Override(Override),
}

fn read(event: &Component, uid: &str) -> Result<Read, ParseError> {
    let start = event
        .first("DTSTART")
        .ok_or_else(|| ParseError {
            line: 0,
            message: "no DTSTART".into(),
        })
        .and_then(parse::time)?;
    let end = event.first("DTEND").map(parse::time).transpose()?;
    let duration = event.first("DURATION").map(parse::duration).transpose()?;
    let cancelled = text(event, "STATUS").is_some_and(|s| s.eq_ignore_ascii_case("CANCELLED"));
    if let Some(id) = event.first("RECURRENCE-ID") {
        return Ok(Read::Override(Override {
            recurrence_id: parse::time(id)?,
            start,
            end,
            duration,
            cancelled,
        }));
    }
    let mut exdates = Vec::new();
    for property in event.all("EXDATE") {
        exdates.extend(parse::times(property)?);
    }
    Ok(Read::Master(Source {
        uid: shorten(uid.to_string(), 500),
        summary: shorten(
            text(event, "SUMMARY").unwrap_or_else(|| "(senza titolo)".into()),
            200,
        ),
        description: shorten(text(event, "DESCRIPTION").unwrap_or_default(), 10_000),
        location: text(event, "LOCATION").map(|l| shorten(l, 500)),
        categories: event
            .all("CATEGORIES")
            .flat_map(|p| parse::text_list(&p.value))
            .collect(),
        cancelled,
        start,
        end,
        duration,
        rule: event.first("RRULE").map(|p| p.value.trim().to_string()),
        exdates,
        overrides: Vec::new(),
    }))
}

/// Our categories among the calendar's (by name or Italian or English label).
pub fn categories(source: &Source) -> Vec<Category> {
    let mut found: Vec<Category> = source
        .categories
        .iter()
        .filter_map(|text| {
            let text = text.trim().to_lowercase();
            Category::parse(&text).or_else(|| {
                Category::ALL.into_iter().find(|c| {
                    [Language::It, Language::En]
                        .iter()
                        .any(|l| c.label(*l).to_lowercase() == text)
                })
            })
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

/// When an occurrence starting at `start` ends: DTEND, else DURATION, else a day for a date
/// and an hour for a time (RFC 5545 would make it an instant, which a calendar cannot show).
fn end_of(start: When, end: Option<When>, duration: Option<Duration>, zone: Tz) -> DateTime<Utc> {
    let begins = start.instant(zone);
    let ends = match (end, duration) {
        (Some(end), _) => end.instant(zone),
        (None, Some(d)) => begins + d,
        (None, None) => match start {
            When::Date(day) => When::Date(day.succ_opt().unwrap_or(day)).instant(zone),
            _ => begins + Duration::hours(1),
        },
    };
    if ends > begins {
        ends
    } else {
        begins + Duration::hours(1)
    }
}

/// The zone the event is planned in.
pub fn zone_of(source: &Source, fallback: Tz) -> Tz {
    source.start.zone(fallback)
}

/// The occurrences of `source` whose local day falls in `[first, last]`.
pub fn plan(
    source: &Source,
    fallback: Tz,
    first: chrono::NaiveDate,
    last: chrono::NaiveDate,
    max: u32,
) -> Result<Vec<Planned>, String> {
    let zone = zone_of(source, fallback);
    let starts_at = source.start.instant(fallback);
    let ends_at = end_of(source.start, source.end, source.duration, fallback);
    let exclusions: Vec<Exclusion> = source
        .exdates
        .iter()
        .map(|when| match when {
            When::Date(day) => Exclusion::Day(*day),
            other => Exclusion::Wall(other.instant(fallback).with_timezone(&zone).naive_local()),
        })
        .collect();
    let instances = Series {
        rule: source.rule.as_deref(),
        starts_at,
        ends_at,
        zone,
        exclusions: &exclusions,
        last_day: Some(last),
        max,
    }
    .expand()
    .map_err(|e| e.to_string())?;
    // A single event's one occurrence is the same occurrence wherever it moves.
    let single = source.rule.is_none() && source.overrides.is_empty();
    let mut planned: Vec<Planned> = instances
        .into_iter()
        .map(|i| Planned {
            recurrence_id: if single {
                DateTime::UNIX_EPOCH
            } else {
                i.starts_at
            },
            starts_at: i.starts_at,
            ends_at: i.ends_at,
            cancelled: source.cancelled,
        })
        .collect();
    for o in &source.overrides {
        let id = o.recurrence_id.instant(fallback);
        let start = o.start.instant(fallback);
        let end = end_of(
            o.start,
            o.end,
            o.duration.or(Some(ends_at - starts_at)),
            fallback,
        );
        match planned.iter_mut().find(|p| p.recurrence_id == id) {
            Some(p) => {
                p.starts_at = start;
                p.ends_at = end;
                p.cancelled = o.cancelled || source.cancelled;
            }
            None if !o.cancelled => planned.push(Planned {
                recurrence_id: id,
                starts_at: start,
                ends_at: end,
                cancelled: source.cancelled,
            }),
            None => {}
        }
    }
    planned.retain(|p| {
        let day = p.starts_at.with_timezone(&zone).date_naive();
        day >= first && day <= last
    });
    planned.sort_by_key(|p| (p.starts_at, p.recurrence_id));
    Ok(planned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use chrono_tz::Europe::Rome;

    const FEED: &str = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:w@biblioteca\nSUMMARY:Lettura ad alta voce\nCATEGORIES:Letteratura,Bambini\nDTSTART;TZID=Europe/Rome:20270302T180000\nDTEND;TZID=Europe/Rome:20270302T190000\nRRULE:FREQ=WEEKLY;COUNT=6\nEXDATE;TZID=Europe/Rome:20270309T180000\nEND:VEVENT\nBEGIN:VEVENT\nUID:w@biblioteca\nRECURRENCE-ID;TZID=Europe/Rome:20270316T180000\nDTSTART;TZID=Europe/Rome:20270317T170000\nDTEND;TZID=Europe/Rome:20270317T180000\nEND:VEVENT\nBEGIN:VEVENT\nUID:w@biblioteca\nRECURRENCE-ID;TZID=Europe/Rome:20270323T180000\nDTSTART;TZID=Europe/Rome:20270323T180000\nSTATUS:CANCELLED\nEND:VEVENT\nEND:VCALENDAR\n";

    #[test]
    fn a_series_with_exceptions_and_overrides_plans_its_occurrences() {
        let calendar = parse::parse(FEED).unwrap();
        let (sources, skipped) = sources(&calendar);
        assert!(skipped.is_empty(), "{skipped:?}");
        assert_eq!(categories(&sources[0]), [Category::Literature]);
        let planned = plan(
            &sources[0],
            Rome,
            NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2027, 3, 31).unwrap(),
            100,
        )
        .unwrap();
        let local: Vec<String> = planned
            .iter()
            .map(|p| {
                format!(
                    "{}{}",
                    p.starts_at.with_timezone(&Rome).format("%d %H:%M"),
                    if p.cancelled { " x" } else { "" }
                )
            })
            .collect();
        // 9 March excluded, 16 moved to the 17th at 17:00, 23 cancelled, 6 April outside.
        assert_eq!(local, ["02 18:00", "17 17:00", "23 18:00 x", "30 18:00"]);
    }
}

/// What Piazza's own calendar writer ([`piazza_shared::ics`]) writes, the importer reads back:
/// every event by its UID with its text, categories, times and status.
#[cfg(test)]
mod round_trip {
    use super::*;
    use piazza_shared::ics::{Calendar, Event, Status};
    use proptest::prelude::*;

    /// Text as the importer keeps it: line breaks as `\n`, without the control characters TEXT
    /// may not hold (the writer drops them), trimmed.
    fn as_read(text: &str) -> String {
        text.replace("\r\n", "\n")
            .replace('\r', "\n")
            .chars()
            .filter(|c| !c.is_control() || matches!(c, '\t' | '\n'))
            .collect::<String>()
            .trim()
            .to_string()
    }

    fn event() -> impl Strategy<Value = Event> {
        (
            (
                "[a-z0-9@.-]{1,30}",
                0u32..1000,
                0i64..4_000_000_000,
                1i64..500_000,
            ),
            (
                "\\PC{1,80}",
                "\\PC{0,200}",
                proptest::option::of("\\PC{1,40}"),
            ),
            prop::collection::vec("[a-zà-ù ]{1,12}", 0..4),
            prop::bool::ANY,
        )
            .prop_map(
                |(
                    (uid, sequence, start, length),
                    (summary, description, location),
                    categories,
                    cancelled,
                )| {
                    let starts_at = DateTime::UNIX_EPOCH + Duration::seconds(start);
                    Event {
                        uid,
                        sequence,
                        stamp: starts_at,
                        starts_at,
                        ends_at: starts_at + Duration::seconds(length),
                        summary,
                        description,
                        location,
                        categories,
                        status: if cancelled {
                            Status::Cancelled
                        } else {
                            Status::Confirmed
                        },
                        url: None,
                    }
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn a_written_calendar_is_read_back(events in prop::collection::vec(event(), 1..6)) {
            let mut calendar = Calendar::new("Piazza");
            // One event per UID: a second with the same UID would be an override of the first.
            let mut unique: BTreeMap<String, Event> = BTreeMap::new();
            for event in events {
                unique.entry(event.uid.clone()).or_insert(event);
            }
            for event in unique.values() {
                calendar.event(event);
            }
            let text = calendar.finish();
            let parsed = parse::parse(&text);
            prop_assert!(parsed.is_ok(), "{text}: {parsed:?}");
            let (sources, skipped) = sources(&parsed.unwrap_or_default());
            prop_assert!(skipped.is_empty(), "{skipped:?}");
            prop_assert_eq!(sources.len(), unique.len());
            for source in &sources {
                let written = &unique[&source.uid];
                let summary = Some(as_read(&written.summary))
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| "(senza titolo)".into());
                prop_assert_eq!(&source.summary, &summary);
                prop_assert_eq!(&source.description, &as_read(&written.description));
                let location = written.location.as_deref().map(as_read).filter(|l| !l.is_empty());
                prop_assert_eq!(source.location.clone().filter(|l| !l.is_empty()), location);
                let categories: Vec<String> =
                    written.categories.iter().map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect();
                prop_assert_eq!(&source.categories, &categories);
                prop_assert_eq!(source.start.instant(chrono_tz::UTC), written.starts_at);
                prop_assert_eq!(source.end.map(|e| e.instant(chrono_tz::UTC)), Some(written.ends_at));
                prop_assert_eq!(source.cancelled, written.status == Status::Cancelled);
            }
        }
    }
}
