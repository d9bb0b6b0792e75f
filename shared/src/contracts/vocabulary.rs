//! Words every service shares: event categories and the languages emails are written in.

use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;

/// What an event is about; young people subscribe by these.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Music,
    Theatre,
    Dance,
    Cinema,
    VisualArts,
    Literature,
    Workshop,
    Sport,
    SocioEducational,
    Civic,
    Other,
}

impl Category {
    pub const ALL: [Category; 11] = [
        Category::Music,
        Category::Theatre,
        Category::Dance,
        Category::Cinema,
        Category::VisualArts,
        Category::Literature,
        Category::Workshop,
        Category::Sport,
        Category::SocioEducational,
        Category::Civic,
        Category::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Music => "music",
            Category::Theatre => "theatre",
            Category::Dance => "dance",
            Category::Cinema => "cinema",
            Category::VisualArts => "visual_arts",
            Category::Literature => "literature",
            Category::Workshop => "workshop",
            Category::Sport => "sport",
            Category::SocioEducational => "socio_educational",
            Category::Civic => "civic",
            Category::Other => "other",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == value)
    }

    /// The Italian label shown in emails and pages.
    pub fn label(self, language: Language) -> &'static str {
        match (language, self) {
            (Language::It, Category::Music) => "Musica",
            (Language::It, Category::Theatre) => "Teatro",
            (Language::It, Category::Dance) => "Danza",
            (Language::It, Category::Cinema) => "Cinema",
            (Language::It, Category::VisualArts) => "Arti visive",
            (Language::It, Category::Literature) => "Letteratura",
            (Language::It, Category::Workshop) => "Laboratori",
            (Language::It, Category::Sport) => "Sport",
            (Language::It, Category::SocioEducational) => "Percorsi socio-educativi",
            (Language::It, Category::Civic) => "Cittadinanza",
            (Language::It, Category::Other) => "Altro",
            (Language::En, Category::Music) => "Music",
            (Language::En, Category::Theatre) => "Theatre",
            (Language::En, Category::Dance) => "Dance",
            (Language::En, Category::Cinema) => "Cinema",
            (Language::En, Category::VisualArts) => "Visual arts",
            (Language::En, Category::Literature) => "Literature",
            (Language::En, Category::Workshop) => "Workshops",
            (Language::En, Category::Sport) => "Sport",
            (Language::En, Category::SocioEducational) => "Socio-educational pathways",
            (Language::En, Category::Civic) => "Civic life",
            (Language::En, Category::Other) => "Other",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Languages Piazza writes in; Italian first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    It,
    En,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::It => "it",
            Language::En => "en",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "it" => Some(Language::It),
            "en" => Some(Language::En),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_parses_from_its_own_name() {
        for category in Category::ALL {
            assert_eq!(Category::parse(category.as_str()), Some(category));
            let json = serde_json::to_string(&category).unwrap();
            assert_eq!(json, format!("\"{}\"", category.as_str()));
        }
        assert_eq!(Category::parse("opera"), None);
    }
}
