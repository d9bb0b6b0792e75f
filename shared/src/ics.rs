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

impl Event {
    /// The lines every occurrence of the same event shares.
    pub fn details(&self) -> Details<'_> {
        Details {
            summary: &self.summary,
            description: &self.description,
            location: self.location.as_deref(),
            categories: &self.categories,
            url: self.url.as_deref(),
        }
    }

    /// The lines that are this occurrence's own.
    pub fn instance(&self) -> Instance<'_> {
        Instance {
            uid: &self.uid,
            sequence: self.sequence,
            stamp: self.stamp,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            status: self.status,
        }
    }
}

/// What the occurrences of one event say alike. Rendered once with [`Details::render`] and
/// written with each occurrence, so a long series costs its text once.
#[derive(Debug, Clone, Copy)]
pub struct Details<'a> {
    pub summary: &'a str,
    pub description: &'a str,
    pub location: Option<&'a str>,
    pub categories: &'a [String],
    pub url: Option<&'a str>,
}

impl Details<'_> {
    /// The content lines, escaped and folded.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(self.summary.len() + self.description.len() + 128);
        property(&mut out, "SUMMARY", &escape(self.summary));
        if !self.description.is_empty() {
            property(&mut out, "DESCRIPTION", &escape(self.description));
        }
        if let Some(location) = self.location {
            property(&mut out, "LOCATION", &escape(location));
        }
        if !self.categories.is_empty() {
            let list: Vec<String> = self.categories.iter().map(|c| escape(c)).collect();
            property(&mut out, "CATEGORIES", &list.join(","));
        }
        if let Some(url) = self.url {
            property(&mut out, "URL", url);
        }
        out
    }
}

/// What is one occurrence's own.
#[derive(Debug, Clone, Copy)]
pub struct Instance<'a> {
    pub uid: &'a str,
    pub sequence: u32,
    pub stamp: DateTime<Utc>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: Status,
}

/// A VCALENDAR being written.
#[derive(Debug)]
pub struct Calendar {
    out: String,
}

/// `YYYYMMDDTHHMMSSZ`.
fn write_instant(out: &mut String, t: DateTime<Utc>) {
    use chrono::{Datelike, Timelike};
    let _ = write!(
        out,
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
}

fn instant_line(out: &mut String, name: &str, t: DateTime<Utc>) {
    out.push_str(name);
    out.push(':');
    write_instant(out, t);
    out.push_str("\r\n");
}

impl Calendar {
    /// Starts a calendar named `name` (shown by clients as the calendar's title).
    pub fn new(name: &str) -> Self {
        Self::with_capacity(name, 4096)
    }

    /// As [`Calendar::new`], reserving room for about `bytes` of text.
    pub fn with_capacity(name: &str, bytes: usize) -> Self {
        let mut out = String::with_capacity(bytes);
        for fixed in [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Piazza//Piazza calendar//IT",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
        ] {
            line(&mut out, fixed);
        }
        property(&mut out, "X-WR-CALNAME", &escape(name));
        // Clients that honour it look again every hour.
        line(&mut out, "REFRESH-INTERVAL;VALUE=DURATION:PT1H");
        line(&mut out, "X-PUBLISHED-TTL:PT1H");
        Self { out }
    }

    /// Adds one event.
    pub fn event(&mut self, event: &Event) {
        let details = event.details().render();
        self.occurrence(&event.instance(), &details);
    }

    /// Adds one occurrence with its event's rendered [`Details`].
    pub fn occurrence(&mut self, instance: &Instance, details: &str) {
        let out = &mut self.out;
        out.push_str("BEGIN:VEVENT\r\n");
        property(out, "UID", &escape(instance.uid));
        let _ = write!(out, "SEQUENCE:{}\r\n", instance.sequence);
        instant_line(out, "DTSTAMP", instance.stamp);
        instant_line(out, "LAST-MODIFIED", instance.stamp);
        instant_line(out, "DTSTART", instance.starts_at);
        instant_line(out, "DTEND", instance.ends_at);
        out.push_str(details);
        out.push_str("STATUS:");
        out.push_str(instance.status.as_str());
        out.push_str("\r\nEND:VEVENT\r\n");
    }

    /// Ends the calendar and returns its text.
    pub fn finish(mut self) -> String {
        line(&mut self.out, "END:VCALENDAR");
        self.out
    }
}

fn property(out: &mut String, name: &str, value: &str) {
    let mut text = String::with_capacity(name.len() + value.len() + 1);
    text.push_str(name);
    text.push(':');
    text.push_str(value);
    line(out, &text);
}

/// Writes a content line, folded so no physical line exceeds 75 octets.
fn line(out: &mut String, line: &str) {
    if line.len() <= 75 {
        out.push_str(line);
        out.push_str("\r\n");
        return;
    }
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            // The leading space counts towards the next line's 75 octets.
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
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
