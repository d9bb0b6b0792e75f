//! Writing iCalendar (RFC 5545, <https://www.rfc-editor.org/rfc/rfc5545>): calendars of events
//! with times in UTC, text escaped (§3.3.11), lines folded at 75 octets without splitting a
//! character (§3.1) and ended by CRLF. Any service that offers a calendar or attaches an `.ics`
//! writes it with this.

use chrono::{DateTime, Utc};
use std::fmt::Write;

/// Whether an event takes place (RFC 5545 §3.8.1.11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Confirmed,
    Tentative,
    Cancelled,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Confirmed => "CONFIRMED",
            Status::Tentative => "TENTATIVE",
            Status::Cancelled => "CANCELLED",
        }
    }
}

/// One VEVENT. Clients match updates by `uid` and take the one with the higher `sequence`.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Globally unique and stable across every version of the event.
    pub uid: String,
    /// Grows with each change clients should apply.
    pub sequence: u32,
    /// When this version was made (DTSTAMP and LAST-MODIFIED).
    pub stamp: DateTime<Utc>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub summary: String,
    pub description: String,
    pub location: Option<String>,
    pub categories: Vec<String>,
    pub status: Status,
    pub url: Option<String>,
}

/// A VCALENDAR being written.
#[derive(Debug)]
pub struct Calendar {
    out: String,
}

fn instant(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

impl Calendar {
    /// Starts a calendar named `name` (shown by clients as the calendar's title).
    pub fn new(name: &str) -> Self {
        let mut calendar = Self {
            out: String::with_capacity(4096),
        };
        calendar.line("BEGIN:VCALENDAR");
        calendar.line("VERSION:2.0");
        calendar.line("PRODID:-//Piazza//Piazza calendar//IT");
        calendar.line("CALSCALE:GREGORIAN");
        calendar.line("METHOD:PUBLISH");
        calendar.property("X-WR-CALNAME", &escape(name));
        // Clients that honour it look again every hour.
        calendar.line("REFRESH-INTERVAL;VALUE=DURATION:PT1H");
        calendar.line("X-PUBLISHED-TTL:PT1H");
        calendar
    }

    /// Adds one event.
    pub fn event(&mut self, event: &Event) {
        self.line("BEGIN:VEVENT");
        self.property("UID", &escape(&event.uid));
        self.property("SEQUENCE", &event.sequence.to_string());
        self.property("DTSTAMP", &instant(event.stamp));
        self.property("LAST-MODIFIED", &instant(event.stamp));
        self.property("DTSTART", &instant(event.starts_at));
        self.property("DTEND", &instant(event.ends_at));
        self.property("SUMMARY", &escape(&event.summary));
        if !event.description.is_empty() {
            self.property("DESCRIPTION", &escape(&event.description));
        }
        if let Some(location) = &event.location {
            self.property("LOCATION", &escape(location));
        }
        if !event.categories.is_empty() {
            let list: Vec<String> = event.categories.iter().map(|c| escape(c)).collect();
            self.property("CATEGORIES", &list.join(","));
        }
        if let Some(url) = &event.url {
            self.property("URL", url);
        }
        self.property("STATUS", event.status.as_str());
        self.line("END:VEVENT");
    }

    /// Ends the calendar and returns its text.
    pub fn finish(mut self) -> String {
        self.line("END:VCALENDAR");
        self.out
    }

    fn property(&mut self, name: &str, value: &str) {
        let mut line = String::with_capacity(name.len() + value.len() + 1);
        line.push_str(name);
        line.push(':');
        line.push_str(value);
        self.line(&line);
    }

    /// Writes a content line, folded so no physical line exceeds 75 octets.
    fn line(&mut self, line: &str) {
        let mut width = 0;
        for c in line.chars() {
            let len = c.len_utf8();
            if width + len > 75 {
                self.out.push_str("\r\n ");
                // The leading space counts towards the next line's 75 octets.
                width = 1;
            }
            self.out.push(c);
            width += len;
        }
        self.out.push_str("\r\n");
    }
}

/// Escapes TEXT values: backslash, semicolon, comma and newlines (RFC 5545 §3.3.11). Other
/// control characters, which TEXT may not hold, are dropped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() && c != '\t' => {}
            c => {
                let _ = out.write_char(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn sample(summary: &str) -> Event {
        Event {
            uid: "0191d6d5-0000-7000-8000-000000000001@piazza".into(),
            sequence: 2,
            stamp: Utc.with_ymd_and_hms(2027, 1, 1, 10, 0, 0).unwrap(),
            starts_at: Utc.with_ymd_and_hms(2027, 3, 2, 17, 0, 0).unwrap(),
            ends_at: Utc.with_ymd_and_hms(2027, 3, 2, 19, 0, 0).unwrap(),
            summary: summary.into(),
            description: "Riga uno\nRiga due; con, virgole \\ e barre".into(),
            location: Some("Sala delle Colonne, Palazzo Affaitati".into()),
            categories: vec!["music".into(), "workshop".into()],
            status: Status::Cancelled,
            url: None,
        }
    }

    #[test]
    fn text_is_escaped_and_times_are_utc() {
        let mut calendar = Calendar::new("Piazza");
        calendar.event(&sample("Concerto"));
        let text = calendar.finish();
        assert!(
            text.contains("DESCRIPTION:Riga uno\\nRiga due\\; con\\, virgole \\\\ e barre\r\n")
        );
        assert!(text.contains("DTSTART:20270302T170000Z\r\n"));
        assert!(text.contains("STATUS:CANCELLED\r\n"));
        assert!(text.contains("LOCATION:Sala delle Colonne\\, Palazzo Affaitati\r\n"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
    }

    #[test]
    fn long_lines_are_folded_at_75_octets_between_characters() {
        let mut calendar = Calendar::new("Piazza");
        calendar.event(&sample(&"Laboratorio di città è più ".repeat(10)));
        let text = calendar.finish();
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        let unfolded = text.replace("\r\n ", "");
        assert!(unfolded.contains(&format!(
            "SUMMARY:{}",
            "Laboratorio di città è più ".repeat(10)
        )));
    }
}
