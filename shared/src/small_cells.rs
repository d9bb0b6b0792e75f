//! Small-cell suppression: a count of people below [`THRESHOLD`] is never shown to someone who
//! may not see the people themselves, because a small count in a known group can point at a
//! person. Pathway pages and APIs answer counts through [`Count`]; the monitoring's aggregates
//! follow the same rule.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The smallest count shown.
pub const THRESHOLD: u64 = 5;

/// A count as it may be shown: the number from [`THRESHOLD`] up, otherwise only `"<5"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Count {
    /// The number, or null when suppressed.
    pub value: Option<u64>,
    /// What to print: the number, or `<5`.
    #[schema(value_type = String, example = "<5")]
    pub shown: ShownCount,
    /// Whether the number is withheld (it is below 5, zero included).
    pub suppressed: bool,
}

/// The printed form of a [`Count`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShownCount {
    Number(u64),
    Below,
}

impl std::fmt::Display for ShownCount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShownCount::Number(n) => write!(f, "{n}"),
            ShownCount::Below => write!(f, "<{THRESHOLD}"),
        }
    }
}

impl Serialize for ShownCount {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ShownCount {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        match text.parse::<u64>() {
            Ok(n) => Ok(ShownCount::Number(n)),
            Err(_) => Ok(ShownCount::Below),
        }
    }
}

impl Count {
    /// `n` as it may be shown: withheld below [`THRESHOLD`].
    pub fn of(n: u64) -> Count {
        if n < THRESHOLD {
            Count {
                value: None,
                shown: ShownCount::Below,
                suppressed: true,
            }
        } else {
            Count {
                value: Some(n),
                shown: ShownCount::Number(n),
                suppressed: false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_below_five_are_withheld_and_five_is_shown() {
        for n in 0..5 {
            let count = Count::of(n);
            assert!(count.suppressed);
            assert_eq!(count.value, None);
            assert_eq!(
                serde_json::to_value(count).unwrap(),
                serde_json::json!({ "value": null, "shown": "<5", "suppressed": true })
            );
        }
        assert_eq!(
            serde_json::to_value(Count::of(5)).unwrap(),
            serde_json::json!({ "value": 5, "shown": "5", "suppressed": false })
        );
    }
}
