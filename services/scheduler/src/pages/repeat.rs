//! A weekly repetition as a person chooses it — on these days, every N weeks, until a date — and
//! the RRULE the ops take, made from it here and never typed by anyone; and any stored rule read
//! back in words.

use chrono::NaiveDate;
use piazza_shared::web::{Lang, words};

/// Days as the form names them, the rule's codes, and their names.
pub const DAYS: [(&str, &str, &str, &str); 7] = [
    ("mon", "MO", "lunedì", "Monday"),
    ("tue", "TU", "martedì", "Tuesday"),
    ("wed", "WE", "mercoledì", "Wednesday"),
    ("thu", "TH", "giovedì", "Thursday"),
    ("fri", "FR", "venerdì", "Friday"),
    ("sat", "SA", "sabato", "Saturday"),
    ("sun", "SU", "domenica", "Sunday"),
];

/// A weekly slot in words: "il mercoledì, 16:00–18:00" or "Wednesdays, 16:00–18:00".
pub fn slot(weekday: &str, starts: &str, ends: &str, lang: Lang) -> String {
    let day = DAYS
        .iter()
        .find(|(form, ..)| *form == weekday)
        .map(|(_, _, it, en)| lang.pick(it, en))
        .unwrap_or(weekday);
    match lang {
        Lang::It => format!("il {day}, {starts}–{ends}"),
        Lang::En => format!("{day}s, {starts}–{ends}"),
    }
}

/// What the form says: weekly on `days` (form codes), every `interval` weeks, until `until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weekly {
    pub days: Vec<String>,
    pub interval: u32,
    pub until: Option<NaiveDate>,
}

impl Weekly {
    /// The RRULE: `FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;UNTIL=20270301`. Without days, the rule
    /// repeats the first date's weekday; without `until`, it runs to the season's end.
    pub fn rule(&self) -> String {
        let mut parts = vec!["FREQ=WEEKLY".to_string()];
        if self.interval > 1 {
            parts.push(format!("INTERVAL={}", self.interval));
        }
        let days: Vec<&str> = DAYS
            .iter()
            .filter(|(form, ..)| self.days.iter().any(|d| d == form))
            .map(|(_, code, ..)| *code)
            .collect();
        if !days.is_empty() {
            parts.push(format!("BYDAY={}", days.join(",")));
        }
        if let Some(until) = self.until {
            parts.push(format!("UNTIL={}", until.format("%Y%m%d")));
        }
        parts.join(";")
    }

    /// The form's choice from a stored rule, when it is of this simple shape.
    pub fn from_rule(rule: &str) -> Option<Self> {
        let mut weekly = Self {
            days: Vec::new(),
            interval: 1,
            until: None,
        };
        let mut is_weekly = false;
        for part in rule.trim().trim_start_matches("RRULE:").split(';') {
            let (key, value) = part.split_once('=')?;
            match key.to_ascii_uppercase().as_str() {
                "FREQ" => is_weekly = value.eq_ignore_ascii_case("WEEKLY"),
                "INTERVAL" => weekly.interval = value.parse().ok()?,
                "BYDAY" => {
                    for code in value.split(',') {
                        let (form, ..) = DAYS
                            .iter()
                            .find(|(_, c, ..)| c.eq_ignore_ascii_case(code))?;
                        weekly.days.push((*form).to_string());
                    }
                }
                "UNTIL" => {
                    weekly.until = Some(NaiveDate::parse_from_str(value.get(..8)?, "%Y%m%d").ok()?);
                }
                "WKST" => {}
                _ => return None,
            }
        }
        is_weekly.then_some(weekly)
    }

    /// `ogni 2 settimane, il martedì e il giovedì, fino a lunedì 1 marzo 2027`.
    pub fn words(&self, lang: Lang) -> String {
        let mut text = match (self.interval, lang) {
            (1, Lang::It) => "ogni settimana".to_string(),
            (1, Lang::En) => "every week".to_string(),
            (n, Lang::It) => format!("ogni {n} settimane"),
            (n, Lang::En) => format!("every {n} weeks"),
        };
        let names: Vec<&str> = DAYS
            .iter()
            .filter(|(form, ..)| self.days.iter().any(|d| d == form))
            .map(|(_, _, it, en)| lang.pick(it, en))
            .collect();
        if !names.is_empty() {
            let joined = match names.as_slice() {
                [one] => (*one).to_string(),
                [rest @ .., last] => {
                    format!("{} {} {last}", rest.join(", "), lang.pick("e", "and"))
                }
                [] => String::new(),
            };
            text.push_str(&match lang {
                Lang::It => format!(", il {joined}"),
                Lang::En => format!(", on {joined}"),
            });
        }
        if let Some(until) = self.until {
            text.push_str(&format!(
                ", {} {}",
                lang.pick("fino a", "until"),
                words::date(until, lang)
            ));
        }
        text
    }
}

/// A stored rule in words; one the form cannot make is named as such.
pub fn rule_words(rule: &str, lang: Lang) -> String {
    match Weekly::from_rule(rule) {
        Some(weekly) => weekly.words(lang),
        None => lang
            .pick("ripetizione particolare", "a custom repetition")
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_weekly_choice_makes_its_rule_and_reads_back_in_words() {
        let weekly = Weekly {
            days: vec!["thu".into(), "tue".into()],
            interval: 2,
            until: NaiveDate::from_ymd_opt(2027, 3, 1),
        };
        assert_eq!(
            weekly.rule(),
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;UNTIL=20270301"
        );
        let back = Weekly::from_rule(&weekly.rule()).expect("the form's own rule");
        assert_eq!(back.interval, 2);
        assert_eq!(back.until, weekly.until);
        assert_eq!(
            back.words(Lang::It),
            "ogni 2 settimane, il martedì e giovedì, fino a lunedì 1 marzo 2027"
        );
        assert_eq!(rule_words("FREQ=WEEKLY", Lang::En), "every week");
        assert_eq!(
            rule_words("FREQ=MONTHLY;BYMONTHDAY=1", Lang::It),
            "ripetizione particolare"
        );
    }
}
