//! The funding lines of the strategy: activity is tagged with the line that pays for it, so the
//! monitoring can show each line's share beside the plan (84% ERDF, 6% ESF+, 10% other sources).
//! The codes are the Italian acronyms the API used first for spaces and events: `fesr`,
//! `fse_plus`, `other`.

use super::Language;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The line of funding that pays for a piece of activity.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FundingLine {
    /// European Regional Development Fund (FESR in Italian; code `fesr`).
    Fesr,
    /// European Social Fund Plus (FSE+; code `fse_plus`).
    FsePlus,
    /// The Comune's own and other sources.
    Other,
}

impl FundingLine {
    pub const ALL: [FundingLine; 3] = [FundingLine::Fesr, FundingLine::FsePlus, FundingLine::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            FundingLine::Fesr => "fesr",
            FundingLine::FsePlus => "fse_plus",
            FundingLine::Other => "other",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == value)
    }

    /// The share of the strategy's money the line was planned to carry, in percent.
    pub fn planned_percent(self) -> u32 {
        match self {
            FundingLine::Fesr => 84,
            FundingLine::FsePlus => 6,
            FundingLine::Other => 10,
        }
    }

    pub fn label(self, language: Language) -> &'static str {
        match (self, language) {
            (FundingLine::Fesr, Language::It) => "FESR",
            (FundingLine::Fesr, Language::En) => "ERDF",
            (FundingLine::FsePlus, Language::It) => "FSE+",
            (FundingLine::FsePlus, Language::En) => "ESF+",
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
        assert_eq!(FundingLine::parse("erdf"), None);
    }
}
