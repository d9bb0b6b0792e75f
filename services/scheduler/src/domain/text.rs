//! Checks on free-text fields: required or not, and how long they may be.

use piazza_shared::http::Violations;

/// What a text field must satisfy.
#[derive(Debug, Clone, Copy)]
pub struct TextRule {
    pub required: bool,
    /// Most characters (not bytes).
    pub max: usize,
}

impl TextRule {
    pub const TITLE: TextRule = TextRule {
        required: true,
        max: 200,
    };
    pub const NAME: TextRule = TextRule {
        required: true,
        max: 200,
    };
    pub const LONG: TextRule = TextRule {
        required: false,
        max: 10_000,
    };
    pub const REASON: TextRule = TextRule {
        required: true,
        max: 1000,
    };
    pub const NOTE: TextRule = TextRule {
        required: false,
        max: 2000,
    };
}

/// Records what is wrong with `value` under `field`; returns it trimmed.
/// The limit counts every character sent, as the OpenAPI document's `maxLength` does.
pub fn check_text(v: &mut Violations, field: &str, value: &str, rule: TextRule) -> String {
    let sent = value.chars().count();
    let value = value.trim();
    if rule.required && value.is_empty() {
        v.add(field, "must not be empty");
    }
    if sent > rule.max {
        v.add(field, format!("must be at most {} characters", rule.max));
    }
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        v.add(field, "must not contain control characters");
    }
    value.to_string()
}

/// The oldest age a birth year given on a public form may make someone.
const OLDEST: i32 = 120;

/// Records what is wrong with a birth year given on a form (in the future, or more than
/// [`OLDEST`] years ago) under `field`; returns it when plausible. `year` is the current year.
pub fn check_birth_year(v: &mut Violations, field: &str, born: i64, year: i32) -> Option<i32> {
    let plausible = i64::from(year - OLDEST)..=i64::from(year);
    if !plausible.contains(&born) {
        v.add(
            field,
            format!("must be a year between {} and {year}", year - OLDEST),
        );
        return None;
    }
    i32::try_from(born).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_birth_year_is_neither_to_come_nor_implausibly_long_ago() {
        let mut v = Violations::new();
        assert_eq!(
            check_birth_year(&mut v, "birth_year", 2010, 2026),
            Some(2010)
        );
        assert_eq!(
            check_birth_year(&mut v, "birth_year", 2026, 2026),
            Some(2026)
        );
        assert_eq!(
            check_birth_year(&mut v, "birth_year", 1906, 2026),
            Some(1906)
        );
        assert!(v.is_empty());
        assert_eq!(check_birth_year(&mut v, "birth_year", 2027, 2026), None);
        assert_eq!(check_birth_year(&mut v, "birth_year", 1905, 2026), None);
        assert_eq!(check_birth_year(&mut v, "birth_year", i64::MAX, 2026), None);
        assert!(v.finish().is_err());
    }
}
