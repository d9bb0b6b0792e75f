//! The sectors of the Comune that make up the strategy's intersectoral working group. Staff
//! accounts belong to sectors, and work is routed to them by code: a sign-off rule names the
//! sectors a booking waits for, closures for works come from Maintenance, pathways for young
//! people in difficulty belong to Social policies.
//!
//! Sectors are data (booking stores them and an administrator may add one); the codes below are
//! the ones the strategy names, seeded on a new installation, and the ones code refers to.

/// A sector's stable code and its names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownSector {
    pub code: &'static str,
    pub it: &'static str,
    pub en: &'static str,
}

pub const PROGRAMMING: &str = "programming";
pub const DESIGN: &str = "design";
pub const MAINTENANCE: &str = "maintenance";
pub const MOBILITY_CIVIL_PROTECTION: &str = "mobility_civil_protection";
pub const URBAN_PLANNING: &str = "urban_planning";
pub const COMMERCE_CRAFTS: &str = "commerce_crafts";
pub const CULTURE: &str = "culture";
pub const SOCIAL_POLICIES: &str = "social_policies";

/// The sectors of the strategy's intersectoral working group, as a new installation starts.
pub const KNOWN: &[KnownSector] = &[
    KnownSector {
        code: PROGRAMMING,
        it: "Programmazione",
        en: "Programming",
    },
    KnownSector {
        code: DESIGN,
        it: "Progettazione",
        en: "Design",
    },
    KnownSector {
        code: MAINTENANCE,
        it: "Manutenzioni",
        en: "Maintenance",
    },
    KnownSector {
        code: MOBILITY_CIVIL_PROTECTION,
        it: "Mobilità sostenibile e Protezione civile",
        en: "Sustainable mobility and Civil protection",
    },
    KnownSector {
        code: URBAN_PLANNING,
        it: "Urbanistica",
        en: "Urban planning",
    },
    KnownSector {
        code: COMMERCE_CRAFTS,
        it: "Commercio e artigianato",
        en: "Commerce and crafts",
    },
    KnownSector {
        code: CULTURE,
        it: "Cultura",
        en: "Culture",
    },
    KnownSector {
        code: SOCIAL_POLICIES,
        it: "Politiche sociali",
        en: "Social policies",
    },
];

/// Whether `code` is a well-formed sector code: 2 to 40 characters of `a-z`, digits and `_`,
/// starting with a letter.
pub fn is_code(code: &str) -> bool {
    (2..=40).contains(&code.len())
        && code.starts_with(|c: char| c.is_ascii_lowercase())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_known_codes_are_well_formed_and_distinct() {
        let mut codes: Vec<_> = KNOWN.iter().map(|s| s.code).collect();
        assert!(codes.iter().all(|c| is_code(c)));
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 8);
        assert!(!is_code("Culture"));
        assert!(!is_code("1st"));
        assert!(!is_code("a"));
    }
}
