//! The funding lines of the strategy: activity is tagged with the line that pays for it, so the
//! monitoring can show each line's share beside the plan (84% ERDF, 6% ESF+, 10% other sources).

use super::Language;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The line of funding that pays for a piece of activity.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FundingLine {
    /// European Regional Development Fund (FESR).
    Erdf,
    /// European Social Fund Plus (FSE+).
    EsfPlus,
    /// The Comune's own and other sources.
    Other,
}

impl FundingLine {
    pub const ALL: [FundingLine; 3] = [FundingLine::Erdf, FundingLine::EsfPlus, FundingLine::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            FundingLine::Erdf => "erdf",
            FundingLine::EsfPlus => "esf_plus",
            FundingLine::Other => "other",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == value)
    }

    /// The share of the strategy's money the line was planned to carry, in percent.
    pub fn planned_percent(self) -> u32 {
        match self {
            FundingLine::Erdf => 84,
            FundingLine::EsfPlus => 6,
            FundingLine::Other => 10,
        }
    }

    pub fn label(self, language: Language) -> &'static str {
        match (self, language) {
            (FundingLine::Erdf, Language::It) => "FESR",
            (FundingLine::Erdf, Language::En) => "ERDF",
            (FundingLine::EsfPlus, Language::It) => "FSE+",
            (FundingLine::EsfPlus, Language::En) => "ESF+",
            (FundingLine::Other, Language::It) => "Altre fonti",
            (FundingLine::Other, Language::En) => "Other sources",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_adds_up_and_codes_read_back() {
        assert_eq!(
            FundingLine::ALL
                .iter()
                .map(|f| f.planned_percent())
                .sum::<u32>(),
            100
        );
        for line in FundingLine::ALL {
            assert_eq!(FundingLine::parse(line.as_str()), Some(line));
        }
        assert_eq!(FundingLine::parse("ERDF"), None);
    }
}
