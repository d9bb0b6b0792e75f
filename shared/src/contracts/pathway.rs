//! `piazza.pathway.*`: socio-educational pathways for young people in difficulty, as the future
//! monitoring read model needs them. A pathway is never public; these messages carry what the
//! indicators count (enrolments, attendance per session, completions) with the age band and the
//! funding line, and never a name, a contact or a birth year.

use super::FundingLine;
use crate::envelope::Message;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// The age bands the monitoring reports young people in, from a birth year: coarse enough that
/// a band says little about one person.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
pub enum AgeBand {
    #[serde(rename = "under_14")]
    Under14,
    #[serde(rename = "14_17")]
    From14To17,
    #[serde(rename = "18_24")]
    From18To24,
    #[serde(rename = "25_29")]
    From25To29,
    #[serde(rename = "30_plus")]
    From30,
}

impl AgeBand {
    pub const ALL: [AgeBand; 5] = [
        AgeBand::Under14,
        AgeBand::From14To17,
        AgeBand::From18To24,
        AgeBand::From25To29,
        AgeBand::From30,
    ];

    /// The band of someone born in `birth_year`, in the year `year` (the age they reach in it).
    pub fn of(birth_year: i32, year: i32) -> AgeBand {
        match year - birth_year {
            i32::MIN..=13 => AgeBand::Under14,
            14..=17 => AgeBand::From14To17,
            18..=24 => AgeBand::From18To24,
            25..=29 => AgeBand::From25To29,
            _ => AgeBand::From30,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AgeBand::Under14 => "under_14",
            AgeBand::From14To17 => "14_17",
            AgeBand::From18To24 => "18_24",
            AgeBand::From25To29 => "25_29",
            AgeBand::From30 => "30_plus",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.as_str() == value)
    }

    /// The band in words, for forms and pages.
    pub fn label(self, language: super::Language) -> &'static str {
        use super::Language::{En, It};
        match (self, language) {
            (AgeBand::Under14, It) => "meno di 14 anni",
            (AgeBand::Under14, En) => "under 14",
            (AgeBand::From14To17, It) => "14–17 anni",
            (AgeBand::From14To17, En) => "14–17 years",
            (AgeBand::From18To24, It) => "18–24 anni",
            (AgeBand::From18To24, En) => "18–24 years",
            (AgeBand::From25To29, It) => "25–29 anni",
            (AgeBand::From25To29, En) => "25–29 years",
            (AgeBand::From30, It) => "30 anni o più",
            (AgeBand::From30, En) => "30 or older",
        }
    }
}

/// A young person was enrolled in a pathway, on a social worker's referral.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathwayEnrolled {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub pathway_id: Uuid,
    /// The enrolment (a pseudonymous id: distinct young people are counted by it).
    pub enrolment_id: Uuid,
    pub age_band: AgeBand,
    pub funding_line: FundingLine,
    /// The organisation that runs the pathway.
    pub organisation_id: Uuid,
    pub enrolled_at: DateTime<Utc>,
}

impl Message for PathwayEnrolled {
    const TYPE: &'static str = "piazza.pathway.enrolled";
}

/// The pathway's operator took attendance at one session (again: the latest message for a
/// session replaces the earlier ones). Counts only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathwaySessionAttended {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub pathway_id: Uuid,
    pub session_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub funding_line: FundingLine,
    /// Young people enrolled when attendance was taken.
    pub enrolled: u32,
    pub present: u32,
    /// `present` by age band (bands with nobody present left out).
    pub present_by_age_band: BTreeMap<AgeBand, u32>,
}

impl Message for PathwaySessionAttended {
    const TYPE: &'static str = "piazza.pathway.session_attended";
}

/// A young person completed a pathway (recorded by its operator).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathwayCompleted {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub pathway_id: Uuid,
    pub enrolment_id: Uuid,
    pub age_band: AgeBand,
    pub funding_line: FundingLine,
    pub completed_at: DateTime<Utc>,
}

impl Message for PathwayCompleted {
    const TYPE: &'static str = "piazza.pathway.completed";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_follow_the_age_reached_in_the_year_and_read_back() {
        assert_eq!(AgeBand::of(2013, 2026), AgeBand::Under14);
        assert_eq!(AgeBand::of(2012, 2026), AgeBand::From14To17);
        assert_eq!(AgeBand::of(2008, 2026), AgeBand::From18To24);
        assert_eq!(AgeBand::of(2001, 2026), AgeBand::From25To29);
        assert_eq!(AgeBand::of(1996, 2026), AgeBand::From30);
        for band in AgeBand::ALL {
            assert_eq!(AgeBand::parse(band.as_str()), Some(band));
            assert_eq!(
                serde_json::to_value(band).unwrap(),
                serde_json::json!(band.as_str())
            );
        }
    }

    #[test]
    fn a_session_message_carries_counts_and_no_names() {
        let message = PathwaySessionAttended {
            version: 1,
            pathway_id: Uuid::nil(),
            session_id: Uuid::nil(),
            starts_at: DateTime::<Utc>::MIN_UTC,
            ends_at: DateTime::<Utc>::MIN_UTC,
            funding_line: FundingLine::FsePlus,
            enrolled: 6,
            present: 4,
            present_by_age_band: BTreeMap::from([(AgeBand::From14To17, 4)]),
        };
        let json = serde_json::to_value(&message).unwrap();
        assert_eq!(json["present_by_age_band"]["14_17"], 4);
        assert_eq!(json["funding_line"], "fse_plus");
    }
}
