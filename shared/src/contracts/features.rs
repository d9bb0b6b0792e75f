//! The fixed vocabularies of what a space offers: its equipment and its accessibility. The API
//! keeps the stable snake_case codes; pages show the labels in the person's language; a search
//! finds a space by any of a code's words, in Italian or English, with or without accents.

use super::Language;
use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;

/// One code of a vocabulary: its labels and the words a person may search it by (lower case,
/// without accents).
#[derive(Debug)]
pub struct Term {
    pub code: &'static str,
    pub it: &'static str,
    pub en: &'static str,
    pub words: &'static [&'static str],
}

/// A fixed vocabulary of space features; each variant has one [`Term`].
pub trait Feature: Copy + Eq + Sized + 'static {
    /// Every code, in the order pages list them.
    const ALL: &'static [Self];

    fn term(self) -> &'static Term;

    fn as_str(self) -> &'static str {
        self.term().code
    }

    fn parse(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|f| f.as_str() == code)
    }

    fn label(self, language: Language) -> &'static str {
        match language {
            Language::It => self.term().it,
            Language::En => self.term().en,
        }
    }

    /// The code a free-text value names, if one does: the code itself, a label or a search word,
    /// compared without case or accents (`"Videoproiettore"` → projector).
    fn recognise(text: &str) -> Option<Self> {
        let folded = fold(text);
        let wanted = folded.trim().replace(['_', '-'], " ");
        Self::ALL.iter().copied().find(|f| {
            let term = f.term();
            std::iter::once(term.code.replace('_', " "))
                .chain([fold(term.it), fold(term.en)])
                .chain(term.words.iter().map(|w| w.to_string()))
                .any(|known| known == wanted)
        })
    }

    /// Every word of the code's labels and search words, folded: what a search looks through.
    fn search_words(self) -> Vec<String> {
        let term = self.term();
        let mut words: Vec<String> = Vec::new();
        for text in [term.it, term.en]
            .into_iter()
            .chain(term.words.iter().copied())
        {
            words.extend(tokens(text));
        }
        words.sort();
        words.dedup();
        words
    }
}

/// Something a space is equipped with.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Equipment {
    Projector,
    Screen,
    SoundSystem,
    Microphones,
    Piano,
    Stage,
    StageLighting,
    Chairs,
    Tables,
    Workbenches,
    Whiteboard,
    Wifi,
    Kitchen,
    DressingRoom,
    Blackout,
    AirConditioning,
}

const EQUIPMENT: [Term; 16] = [
    Term {
        code: "projector",
        it: "Proiettore",
        en: "Projector",
        words: &["proiettore", "videoproiettore", "projector", "beamer"],
    },
    Term {
        code: "screen",
        it: "Schermo",
        en: "Screen",
        words: &["schermo", "telo", "screen", "maxischermo"],
    },
    Term {
        code: "sound_system",
        it: "Impianto audio",
        en: "Sound system",
        words: &[
            "impianto audio",
            "casse",
            "amplificazione",
            "sound system",
            "speakers",
            "pa",
        ],
    },
    Term {
        code: "microphones",
        it: "Microfoni",
        en: "Microphones",
        words: &["microfono", "microfoni", "microphone", "microphones", "mic"],
    },
    Term {
        code: "piano",
        it: "Pianoforte",
        en: "Piano",
        words: &["pianoforte", "piano", "tastiera"],
    },
    Term {
        code: "stage",
        it: "Palco",
        en: "Stage",
        words: &["palco", "palcoscenico", "pedana", "stage"],
    },
    Term {
        code: "stage_lighting",
        it: "Luci di scena",
        en: "Stage lighting",
        words: &[
            "luci di scena",
            "luci",
            "fari",
            "stage lighting",
            "lights",
            "lighting",
        ],
    },
    Term {
        code: "chairs",
        it: "Sedie",
        en: "Chairs",
        words: &[
            "sedie",
            "sedia",
            "posti a sedere",
            "chairs",
            "seats",
            "seating",
        ],
    },
    Term {
        code: "tables",
        it: "Tavoli",
        en: "Tables",
        words: &["tavoli", "tavolo", "tables", "table"],
    },
    Term {
        code: "workbenches",
        it: "Banchi da lavoro",
        en: "Workbenches",
        words: &[
            "banchi da lavoro",
            "banco da lavoro",
            "workbench",
            "workbenches",
        ],
    },
    Term {
        code: "whiteboard",
        it: "Lavagna",
        en: "Whiteboard",
        words: &[
            "lavagna",
            "lavagna bianca",
            "whiteboard",
            "blackboard",
            "flipchart",
        ],
    },
    Term {
        code: "wifi",
        it: "Wi-Fi",
        en: "Wi-Fi",
        words: &["wifi", "wi fi", "wi-fi", "internet", "rete", "wireless"],
    },
    Term {
        code: "kitchen",
        it: "Cucina",
        en: "Kitchen",
        words: &["cucina", "angolo cottura", "kitchen", "kitchenette"],
    },
    Term {
        code: "dressing_room",
        it: "Camerino",
        en: "Dressing room",
        words: &[
            "camerino",
            "camerini",
            "spogliatoio",
            "dressing room",
            "changing room",
        ],
    },
    Term {
        code: "blackout",
        it: "Oscuramento",
        en: "Blackout",
        words: &[
            "oscuramento",
            "oscurabile",
            "tende oscuranti",
            "blackout",
            "darkening",
        ],
    },
    Term {
        code: "air_conditioning",
        it: "Aria condizionata",
        en: "Air conditioning",
        words: &[
            "aria condizionata",
            "climatizzazione",
            "condizionatore",
            "air conditioning",
            "aircon",
        ],
    },
];

impl Feature for Equipment {
    const ALL: &'static [Self] = &[
        Equipment::Projector,
        Equipment::Screen,
        Equipment::SoundSystem,
        Equipment::Microphones,
        Equipment::Piano,
        Equipment::Stage,
        Equipment::StageLighting,
        Equipment::Chairs,
        Equipment::Tables,
        Equipment::Workbenches,
        Equipment::Whiteboard,
        Equipment::Wifi,
        Equipment::Kitchen,
        Equipment::DressingRoom,
        Equipment::Blackout,
        Equipment::AirConditioning,
    ];

    fn term(self) -> &'static Term {
        // `ALL` lists the variants in declaration order, and `EQUIPMENT` follows it.
        &EQUIPMENT[self as usize]
    }
}

/// What makes a space usable by everyone.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Accessibility {
    StepFree,
    Lift,
    AccessibleToilet,
    HearingLoop,
    TactilePaths,
    AccessibleParking,
    WheelchairSeating,
    QuietRoom,
}

const ACCESSIBILITY: [Term; 8] = [
    Term {
        code: "step_free",
        it: "Ingresso senza gradini",
        en: "Step-free access",
        words: &[
            "senza gradini",
            "senza barriere",
            "rampa",
            "step free",
            "step-free",
            "ramp",
            "barrier free",
        ],
    },
    Term {
        code: "lift",
        it: "Ascensore",
        en: "Lift",
        words: &["ascensore", "montascale", "lift", "elevator"],
    },
    Term {
        code: "accessible_toilet",
        it: "Bagno accessibile",
        en: "Accessible toilet",
        words: &[
            "bagno accessibile",
            "bagno disabili",
            "servizi accessibili",
            "accessible toilet",
            "accessible restroom",
        ],
    },
    Term {
        code: "hearing_loop",
        it: "Anello magnetico",
        en: "Hearing loop",
        words: &[
            "anello magnetico",
            "anello a induzione",
            "hearing loop",
            "induction loop",
        ],
    },
    Term {
        code: "tactile_paths",
        it: "Percorsi tattili",
        en: "Tactile paths",
        words: &[
            "percorsi tattili",
            "percorso tattile",
            "loges",
            "tactile paths",
            "tactile paving",
        ],
    },
    Term {
        code: "accessible_parking",
        it: "Parcheggio riservato",
        en: "Accessible parking",
        words: &[
            "parcheggio riservato",
            "parcheggio disabili",
            "posto auto disabili",
            "accessible parking",
            "disabled parking",
        ],
    },
    Term {
        code: "wheelchair_seating",
        it: "Posti per carrozzina",
        en: "Wheelchair seating",
        words: &[
            "posti per carrozzina",
            "carrozzina",
            "sedia a rotelle",
            "wheelchair seating",
            "wheelchair",
        ],
    },
    Term {
        code: "quiet_room",
        it: "Stanza tranquilla",
        en: "Quiet room",
        words: &[
            "stanza tranquilla",
            "stanza silenziosa",
            "spazio calmo",
            "quiet room",
            "quiet space",
        ],
    },
];

impl Feature for Accessibility {
    const ALL: &'static [Self] = &[
        Accessibility::StepFree,
        Accessibility::Lift,
        Accessibility::AccessibleToilet,
        Accessibility::HearingLoop,
        Accessibility::TactilePaths,
        Accessibility::AccessibleParking,
        Accessibility::WheelchairSeating,
        Accessibility::QuietRoom,
    ];

    fn term(self) -> &'static Term {
        &ACCESSIBILITY[self as usize]
    }
}

impl fmt::Display for Equipment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Accessibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `text` in lower case without the accents of Italian and the other Latin-script languages
/// (`"Città"` → `"citta"`), so a search typed without accents still finds.
pub fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            other => other,
        })
        .collect()
}

/// The folded words of `text`: runs of letters and digits (`"Wi-Fi"` → `wi`, `fi`).
pub fn tokens(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn each_code_round_trips<F: Feature + Serialize + for<'a> Deserialize<'a> + fmt::Debug>() {
        for &feature in F::ALL {
            assert_eq!(F::parse(feature.as_str()), Some(feature));
            let json = serde_json::to_string(&feature).unwrap();
            assert_eq!(json, format!("\"{}\"", feature.as_str()), "{feature:?}");
            let back: F = serde_json::from_str(&json).unwrap();
            assert_eq!(back, feature);
            assert!(!feature.label(Language::It).is_empty());
            assert!(!feature.label(Language::En).is_empty());
            for word in feature.term().words {
                assert_eq!(*word, fold(word), "search words are stored folded");
            }
        }
    }

    #[test]
    fn every_code_is_its_serde_name_and_has_both_labels() {
        each_code_round_trips::<Equipment>();
        each_code_round_trips::<Accessibility>();
        assert_eq!(Equipment::parse("laser"), None);
        assert_eq!(Equipment::ALL.len(), EQUIPMENT.len());
        assert_eq!(Accessibility::ALL.len(), ACCESSIBILITY.len());
    }

    #[test]
    fn free_text_is_recognised_by_code_label_or_word_in_either_language() {
        assert_eq!(
            Equipment::recognise("projector"),
            Some(Equipment::Projector)
        );
        assert_eq!(
            Equipment::recognise(" Videoproiettore "),
            Some(Equipment::Projector)
        );
        assert_eq!(
            Equipment::recognise("Impianto audio"),
            Some(Equipment::SoundSystem)
        );
        assert_eq!(
            Equipment::recognise("sound-system"),
            Some(Equipment::SoundSystem)
        );
        assert_eq!(
            Accessibility::recognise("step_free"),
            Some(Accessibility::StepFree)
        );
        assert_eq!(
            Accessibility::recognise("Senza gradini"),
            Some(Accessibility::StepFree)
        );
        assert_eq!(
            Accessibility::recognise("ascensóre"),
            Some(Accessibility::Lift)
        );
        assert_eq!(Equipment::recognise("macchina del caffè"), None);
    }

    #[test]
    fn folding_drops_case_and_accents() {
        assert_eq!(fold("Città È PERCHÉ"), "citta e perche");
        assert_eq!(
            tokens("Wi-Fi, Aria condizionata"),
            ["wi", "fi", "aria", "condizionata"]
        );
        assert!(
            Equipment::Projector
                .search_words()
                .contains(&"proiettore".to_string())
        );
    }
}
