//! Reading iCalendar text (RFC 5545) as other calendars publish it: lines unfolded (§3.1),
//! content lines split into name, parameters (quoted or not) and value (§3.1.1), components
//! nested by BEGIN/END, TEXT unescaped (§3.3.11), and the VEVENT properties an import needs
//! turned into typed values. Anything structurally wrong is an error naming its line.
//!
//! The parser itself is under 400 lines; the rest of the file is its tests.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// A calendar that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

fn error(line: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        line,
        message: message.into(),
    }
}

/// One content line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    /// Upper case.
    pub name: String,
    /// Names upper case, values unquoted.
    pub params: Vec<(String, String)>,
    pub value: String,
    pub line: usize,
}

impl Property {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A component and what it holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Component {
    pub name: String,
    pub properties: Vec<Property>,
    pub children: Vec<Component>,
}

impl Component {
    pub fn first(&self, name: &str) -> Option<&Property> {
        self.properties.iter().find(|p| p.name == name)
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Property> + 'a {
        self.properties.iter().filter(move |p| p.name == name)
    }
}

/// Physical lines joined back into content lines, with the number of the line each began on.
fn unfold(text: &str) -> Vec<(usize, String)> {
    let mut lines: Vec<(usize, String)> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match (raw.chars().next(), lines.last_mut()) {
            (Some(' ' | '\t'), Some((_, last))) => last.push_str(&raw[1..]),
            _ if raw.trim().is_empty() => {}
            _ => lines.push((i + 1, raw.to_string())),
        }
    }
    lines
}

/// Splits `NAME;P=V;Q="x;y":value`.
fn content_line(number: usize, line: &str) -> Result<Property, ParseError> {
    let mut in_quotes = false;
    let mut colon = None;
    for (i, c) in line.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            ':' if !in_quotes => {
                colon = Some(i);
                break;
            }
            _ => {}
        }
    }
    let Some(colon) = colon else {
        return Err(error(number, "a content line needs `NAME:value`"));
    };
    let (head, value) = (&line[..colon], &line[colon + 1..]);
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut in_quotes = false;
    for c in head.chars() {
        match c {
            '"' => in_quotes = !in_quotes,
            ';' if !in_quotes => parts.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    parts.push(current);
    let mut parts = parts.into_iter();
    let name = parts.next().unwrap_or_default().trim().to_ascii_uppercase();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(error(number, format!("`{name}` is not a property name")));
    }
    let mut params = Vec::new();
    for part in parts {
        let Some((n, v)) = part.split_once('=') else {
            return Err(error(
                number,
                format!("parameter `{part}` is not NAME=value"),
            ));
        };
        params.push((n.trim().to_ascii_uppercase(), v.to_string()));
    }
    Ok(Property {
        name,
        params,
        value: value.to_string(),
        line: number,
    })
}

/// Reads a whole VCALENDAR.
pub fn parse(text: &str) -> Result<Component, ParseError> {
    let text = text.trim_start_matches('\u{feff}');
    let lines = unfold(text);
    match lines.first() {
        Some((_, first)) if first.trim().eq_ignore_ascii_case("BEGIN:VCALENDAR") => {}
        Some((n, _)) => {
            return Err(error(
                *n,
                "not an iCalendar file (BEGIN:VCALENDAR expected)",
            ));
        }
        None => return Err(error(1, "empty")),
    }
    let mut stack: Vec<Component> = Vec::new();
    let mut done: Option<Component> = None;
    for (number, line) in &lines {
        if done.is_some() {
            return Err(error(*number, "content after END:VCALENDAR"));
        }
        let property = content_line(*number, line)?;
        match property.name.as_str() {
            "BEGIN" => {
                if stack.len() >= 8 {
                    return Err(error(*number, "components nested too deeply"));
                }
                stack.push(Component {
                    name: property.value.trim().to_ascii_uppercase(),
                    ..Default::default()
                });
            }
            "END" => {
                let name = property.value.trim().to_ascii_uppercase();
                let Some(component) = stack.pop() else {
                    return Err(error(*number, format!("END:{name} without BEGIN")));
                };
                if component.name != name {
                    return Err(error(
                        *number,
                        format!("END:{name} closes BEGIN:{}", component.name),
                    ));
                }
                match stack.last_mut() {
                    Some(parent) => parent.children.push(component),
                    None => done = Some(component),
                }
            }
            _ => match stack.last_mut() {
                Some(component) => component.properties.push(property),
                None => return Err(error(*number, "a property outside any component")),
            },
        }
    }
    match (done, stack.last()) {
        (Some(calendar), None) => Ok(calendar),
        (_, Some(open)) => Err(error(
            lines.last().map_or(1, |l| l.0),
            format!("BEGIN:{} is never closed", open.name),
        )),
        (None, None) => Err(error(1, "no calendar")),
    }
}

/// Undoes TEXT escaping.
pub fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// Splits a TEXT list on unescaped commas.
pub fn text_list(value: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut escaped = false;
    for c in value.chars() {
        if escaped {
            current.push('\\');
            current.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == ',' {
            items.push(unescape(&std::mem::take(&mut current)));
        } else {
            current.push(c);
        }
    }
    items.push(unescape(&current));
    items
        .into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// A DATE or DATE-TIME as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// `…Z`.
    Utc(DateTime<Utc>),
    /// Local wall time in a zone (`TZID=`), or floating (the calendar's reader's zone).
    Local(NaiveDateTime, Option<Tz>),
    /// A whole day.
    Date(NaiveDate),
}

impl When {
    /// The instant, reading floating times and days in `zone`.
    pub fn instant(self, zone: Tz) -> DateTime<Utc> {
        use piazza_shared::time::local_to_utc;
        match self {
            When::Utc(t) => t,
            When::Local(wall, tz) => local_to_utc(wall, tz.unwrap_or(zone)),
            When::Date(day) => piazza_shared::time::start_of_day(day, zone),
        }
    }

    /// The zone a series starting here is expanded in (RFC 5545: UTC starts stay in UTC).
    pub fn zone(self, fallback: Tz) -> Tz {
        match self {
            When::Utc(_) => chrono_tz::UTC,
            When::Local(_, tz) => tz.unwrap_or(fallback),
            When::Date(_) => fallback,
        }
    }
}

/// A zone named by a TZID: an IANA name (also behind a path prefix, as some producers write
/// it), or one of the Windows names Outlook and Exchange publish.
pub fn zone_named(tzid: &str) -> Option<Tz> {
    let tzid = tzid.trim().trim_matches('"');
    if let Ok(zone) = tzid.parse::<Tz>() {
        return Some(zone);
    }
    let segments: Vec<&str> = tzid.split('/').collect();
    for start in 1..segments.len() {
        if let Ok(zone) = segments[start..].join("/").parse::<Tz>() {
            return Some(zone);
        }
    }
    let windows = match tzid {
        "W. Europe Standard Time" => "Europe/Berlin",
        "Central Europe Standard Time" => "Europe/Budapest",
        "Central European Standard Time" => "Europe/Warsaw",
        "Romance Standard Time" => "Europe/Paris",
        "GMT Standard Time" => "Europe/London",
        "UTC" | "Coordinated Universal Time" => "UTC",
        _ => return None,
    };
    windows.parse().ok()
}

fn one_value(value: &str, tz: Option<Tz>, is_date: bool, line: usize) -> Result<When, ParseError> {
    let value = value.trim();
    if is_date || value.len() == 8 {
        return NaiveDate::parse_from_str(value, "%Y%m%d")
            .map(When::Date)
            .map_err(|_| error(line, format!("`{value}` is not a DATE (YYYYMMDD)")));
    }
    let bad = || {
        error(
            line,
            format!("`{value}` is not a DATE-TIME (YYYYMMDDTHHMMSS[Z])"),
        )
    };
    if let Some(utc) = value.strip_suffix('Z') {
        let wall = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").map_err(|_| bad())?;
        return Ok(When::Utc(Utc.from_utc_datetime(&wall)));
    }
    let wall = NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S").map_err(|_| bad())?;
    Ok(When::Local(wall, tz))
}

/// The DATE or DATE-TIME values of a property (EXDATE may list several).
pub fn times(property: &Property) -> Result<Vec<When>, ParseError> {
    let tz = match property.param("TZID") {
        Some(name) => Some(
            zone_named(name)
                .ok_or_else(|| error(property.line, format!("unknown time zone `{name}`")))?,
        ),
        None => None,
    };
    let is_date = property
        .param("VALUE")
        .is_some_and(|v| v.eq_ignore_ascii_case("DATE"));
    property
        .value
        .split(',')
        .filter(|v| !v.trim().is_empty())
        .map(|v| one_value(v, tz, is_date, property.line))
        .collect()
}

/// The one time of a property.
pub fn time(property: &Property) -> Result<When, ParseError> {
    times(property)?
        .into_iter()
        .next()
        .ok_or_else(|| error(property.line, format!("{} has no value", property.name)))
}

/// An RFC 5545 DURATION such as `PT1H30M`, `P1D` or `P2W`.
pub fn duration(property: &Property) -> Result<Duration, ParseError> {
    let value = property.value.trim();
    let bad = || error(property.line, format!("`{value}` is not a DURATION"));
    let (negative, rest) = match value.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, value.strip_prefix('+').unwrap_or(value)),
    };
    let rest = rest.strip_prefix('P').ok_or_else(bad)?;
    let mut total = Duration::zero();
    let mut number = String::new();
    let mut in_time = false;
    for c in rest.chars() {
        match c {
            '0'..='9' => number.push(c),
            'T' => in_time = true,
            unit => {
                let n: i64 = number.parse().map_err(|_| bad())?;
                number.clear();
                total += match (unit, in_time) {
                    ('W', false) => Duration::weeks(n),
                    ('D', false) => Duration::days(n),
                    ('H', true) => Duration::hours(n),
                    ('M', true) => Duration::minutes(n),
                    ('S', true) => Duration::seconds(n),
                    _ => return Err(bad()),
                };
            }
        }
    }
    if !number.is_empty() {
        return Err(bad());
    }
    Ok(if negative { -total } else { total })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Rome\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:a@museo\r\nSUMMARY:Visita guidata\\, con merenda\r\nDESCRIPTION:Riga uno\\nRiga\r\n  due\r\nDTSTART;TZID=\"Europe/Rome\":20270302T180000\r\nDURATION:PT1H30M\r\nEXDATE;TZID=Europe/Rome:20270309T180000,20270316T180000\r\nCATEGORIES:Musica,Teatro\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    #[test]
    fn a_calendar_is_unfolded_and_its_values_read() {
        let calendar = parse(SAMPLE).unwrap();
        let event = &calendar.children[1];
        assert_eq!(event.name, "VEVENT");
        assert_eq!(
            unescape(&event.first("SUMMARY").unwrap().value),
            "Visita guidata, con merenda"
        );
        assert_eq!(
            unescape(&event.first("DESCRIPTION").unwrap().value),
            "Riga uno\nRiga due"
        );
        let start = time(event.first("DTSTART").unwrap()).unwrap();
        assert_eq!(
            start.instant(chrono_tz::UTC).to_rfc3339(),
            "2027-03-02T17:00:00+00:00"
        );
        assert_eq!(times(event.first("EXDATE").unwrap()).unwrap().len(), 2);
        assert_eq!(
            duration(event.first("DURATION").unwrap()).unwrap(),
            Duration::minutes(90)
        );
        assert_eq!(
            text_list(&event.first("CATEGORIES").unwrap().value),
            ["Musica", "Teatro"]
        );
    }

    #[test]
    fn broken_calendars_name_the_line() {
        assert_eq!(parse("<html>").unwrap_err().line, 1);
        let unclosed = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\n";
        assert!(
            parse(unclosed)
                .unwrap_err()
                .message
                .contains("never closed")
        );
        let crossed = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nEND:VCALENDAR\n";
        assert_eq!(parse(crossed).unwrap_err().line, 3);
        assert!(parse("BEGIN:VCALENDAR\nnonsense\nEND:VCALENDAR").is_err());
    }

    #[test]
    fn zones_are_found_by_iana_path_and_windows_names() {
        assert_eq!(zone_named("Europe/Rome"), Some(chrono_tz::Europe::Rome));
        assert_eq!(
            zone_named("/mozilla.org/20050126_1/Europe/Rome"),
            Some(chrono_tz::Europe::Rome)
        );
        assert_eq!(
            zone_named("W. Europe Standard Time"),
            Some(chrono_tz::Europe::Berlin)
        );
        assert_eq!(zone_named("Mars/Olympus"), None);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::import::source;
    use chrono::NaiveDate;
    use proptest::prelude::*;

    /// Content lines as calendars write them, well or badly formed: names, parameters (quoted
    /// ones too) and values of the kinds the importer reads.
    fn line() -> impl Strategy<Value = String> {
        let name = prop::sample::select(vec![
            "UID",
            "SUMMARY",
            "DESCRIPTION",
            "LOCATION",
            "CATEGORIES",
            "STATUS",
            "DTSTART",
            "DTEND",
            "DURATION",
            "RRULE",
            "EXDATE",
            "RECURRENCE-ID",
            "X-WR-TIMEZONE",
            "BEGIN",
            "END",
        ]);
        let param = prop_oneof![
            Just(String::new()),
            Just(";VALUE=DATE".to_string()),
            Just(";TZID=Europe/Rome".to_string()),
            Just(";TZID=\"W. Europe Standard Time\"".to_string()),
            "\\PC{0,8}".prop_map(|p| format!(";TZID={p}")),
        ];
        let value = prop_oneof![
            Just("VEVENT".to_string()),
            Just("VCALENDAR".to_string()),
            (1900i32..2200, 0u32..14, 0u32..33, 0u32..25, 0u32..61)
                .prop_map(|(y, m, d, h, n)| { format!("{y:04}{m:02}{d:02}T{h:02}{n:02}00") }),
            (1900i32..2200, 0u32..14, 0u32..33).prop_map(|(y, m, d)| format!("{y:04}{m:02}{d:02}")),
            "(-)?P([0-9]{1,4}[WDHMS]){0,3}(T[0-9]{1,3}[HMS])?",
            "FREQ=(DAILY|WEEKLY|MONTHLY|YEARLY);(COUNT=[0-9]{1,4}|INTERVAL=[0-9]{1,3}|BYDAY=[A-Z0-9,-]{0,8})",
            "\\PC{0,30}",
        ];
        (name, param, value).prop_map(|(n, p, v)| format!("{n}{p}:{v}"))
    }

    fn calendar() -> impl Strategy<Value = String> {
        (prop::collection::vec(line(), 0..30), prop::bool::ANY).prop_map(|(lines, folded)| {
            let mut text = String::from("BEGIN:VCALENDAR\r\n");
            for line in lines {
                if folded && line.len() > 10 && line.is_char_boundary(10) {
                    // Folded as RFC 5545 §3.1 allows: a line break and a space.
                    text.push_str(&format!("{}\r\n {}\r\n", &line[..10], &line[10..]));
                } else {
                    text.push_str(&line);
                    text.push_str("\r\n");
                }
            }
            text.push_str("END:VCALENDAR\r\n");
            text
        })
    }

    /// Reads a calendar as an import does: parse, events by UID, occurrences within a season.
    fn import(text: &str) {
        let Ok(calendar) = parse(text) else { return };
        let (sources, _) = source::sources(&calendar);
        let first = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap_or_default();
        let last = NaiveDate::from_ymd_opt(2027, 12, 31).unwrap_or_default();
        for s in &sources {
            let _ = source::categories(s);
            let _ = source::plan(s, chrono_tz::Europe::Rome, first, last, 500);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn any_text_is_read_or_refused_without_panicking(text in "\\PC{0,400}") {
            import(&text);
            import(&format!("BEGIN:VCALENDAR\n{text}\nEND:VCALENDAR"));
        }

        #[test]
        fn any_calendar_shaped_text_is_imported_or_refused_without_panicking(text in calendar()) {
            import(&text);
        }

        /// A text Piazza's own calendar writer escapes reads back as it was (less the control
        /// characters TEXT may not hold, which the writer drops).
        #[test]
        fn escaped_text_reads_back(text in "\\PC{0,60}") {
            let written = piazza_shared::ics::escape(&text);
            let calendar = parse(&format!(
                "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:{written}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
            ));
            prop_assert!(calendar.is_ok(), "{written:?}: {calendar:?}");
            let calendar = calendar.unwrap_or_default();
            let summary = calendar.children[0].first("SUMMARY").map(|p| unescape(&p.value));
            let expected: String = text
                .replace("\r\n", "\n")
                .replace('\r', "\n")
                .chars()
                .filter(|c| !c.is_control() || matches!(c, '\t' | '\n'))
                .collect();
            prop_assert_eq!(summary, Some(expected));
        }
    }
}
