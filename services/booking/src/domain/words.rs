//! Finding a space by words: each word a person types must be found in the space's name,
//! building or address, or among the Italian and English labels and search words of its
//! equipment and accessibility — without case or accents, so `proiettore`, `Proiettore` and
//! `projector` all find a space with a projector.

use piazza_shared::contracts::{
    Accessibility, Equipment, Feature,
    features::{fold, tokens},
};

/// The words of a search, folded, each shortened to a stem so a plural finds a singular
/// (`proiettori` → `proiettor`, `chairs` → `chair`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Words(Vec<String>);

impl Words {
    pub fn parse(query: &str) -> Self {
        Words(tokens(query).into_iter().map(|w| stem(&w)).collect())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether every word is found in the space's texts or among its codes' words.
    pub fn match_space(
        &self,
        texts: &[&str],
        equipment: &[Equipment],
        accessibility: &[Accessibility],
    ) -> bool {
        if self.0.is_empty() {
            return true;
        }
        let mut haystack: Vec<String> = texts.iter().flat_map(|t| tokens(t)).collect();
        haystack.extend(equipment.iter().flat_map(|e| e.search_words()));
        haystack.extend(accessibility.iter().flat_map(|a| a.search_words()));
        self.0
            .iter()
            .all(|word| haystack.iter().any(|h| h.starts_with(word.as_str())))
    }
}

/// A word without its ending when long enough to keep its meaning: a final vowel (Italian
/// number and gender) or `s` (English plural).
fn stem(word: &str) -> String {
    let word = fold(word);
    if word.chars().count() > 4
        && let Some(last) = word.chars().last()
        && matches!(last, 'a' | 'e' | 'i' | 'o' | 's')
    {
        return word[..word.len() - last.len_utf8()].to_string();
    }
    word
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finds(query: &str, equipment: &[Equipment], accessibility: &[Accessibility]) -> bool {
        Words::parse(query).match_space(
            &["Sala Maffei", "Palazzo Cittanova", "Piazza del Comune 8"],
            equipment,
            accessibility,
        )
    }

    #[test]
    fn an_italian_or_english_word_finds_the_code() {
        assert!(finds("proiettore", &[Equipment::Projector], &[]));
        assert!(finds("Projector", &[Equipment::Projector], &[]));
        assert!(finds("videoproiettore", &[Equipment::Projector], &[]));
        assert!(finds("proiettori", &[Equipment::Projector], &[]));
        assert!(!finds("proiettore", &[Equipment::Piano], &[]));
        assert!(finds("ascensore", &[], &[Accessibility::Lift]));
        assert!(finds("gradini", &[], &[Accessibility::StepFree]));
    }

    #[test]
    fn case_and_accents_do_not_matter() {
        assert!(finds("CITTÀNOVA", &[], &[]));
        assert!(finds("maffèi", &[], &[]));
        assert!(finds("ÀSCENSORE", &[], &[Accessibility::Lift]));
    }

    #[test]
    fn every_word_must_be_found_somewhere() {
        assert!(finds("maffei proiettore", &[Equipment::Projector], &[]));
        assert!(!finds("maffei palco", &[Equipment::Projector], &[]));
        assert!(finds("", &[], &[]));
        assert!(finds("  ", &[], &[]));
    }

    #[test]
    fn a_word_is_a_beginning_of_a_word_not_a_piece_of_one() {
        assert!(finds("palaz", &[], &[]));
        assert!(!finds("azzo", &[], &[]));
    }
}
