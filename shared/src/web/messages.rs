//! What a page says about a field at fault, in the person's language. The API keeps its
//! messages in English with the field's code (`interests: choose at least one interest`); a
//! page says the same in a sentence a person reads by the field ("Interessi: scegli almeno un
//! interesse"). The messages are those the services' checks give; one this table does not know
//! still reads as Italian on an Italian page, in general words.

use super::Lang;

/// Field codes as people name them.
const FIELDS: &[(&str, &str, &str)] = &[
    ("title", "Titolo", "Title"),
    ("name", "Nome", "Name"),
    ("description", "Descrizione", "Description"),
    (
        "description_en",
        "Descrizione in inglese",
        "English description",
    ),
    ("categories", "Categorie", "Categories"),
    ("interests", "Interessi", "Interests"),
    ("age_min", "Età minima", "Minimum age"),
    ("age_max", "Età massima", "Maximum age"),
    ("capacity", "Posti", "Places"),
    ("starts_at", "Inizio", "Start"),
    ("ends_at", "Fine", "End"),
    ("start", "Inizio", "Start"),
    ("end", "Fine", "End"),
    ("date", "Data", "Date"),
    ("starts_on", "Primo giorno", "First day"),
    ("ends_on", "Ultimo giorno", "Last day"),
    ("opens_at", "Apertura", "Opens"),
    ("closes_at", "Chiusura", "Closes"),
    ("recurrence", "Ripetizione", "Repetition"),
    ("weeks", "Settimane", "Weeks"),
    ("until", "Fino al", "Until"),
    ("days", "Giorni", "Days"),
    ("interval", "Ogni quante settimane", "Every how many weeks"),
    ("exdates", "Date escluse", "Dates left out"),
    ("space_id", "Spazio", "Space"),
    ("occurrence_id", "Data", "Date"),
    ("season_id", "Stagione", "Season"),
    ("reason", "Motivo", "Reason"),
    ("email", "Email", "Email"),
    ("guardian_email", "Email di un genitore", "A parent's email"),
    ("birth_year", "Anno di nascita", "Year of birth"),
    ("language", "Lingua", "Language"),
    ("frequency", "Frequenza", "How often"),
    ("accessibility_notes", "Accessibilità", "Accessibility"),
    ("organiser", "Organizzatore", "Organiser"),
    ("sessions", "Incontri", "Sessions"),
    ("starts", "Dalle", "From"),
    ("ends", "Alle", "To"),
    ("weekday", "Giorno", "Day"),
    ("from", "Dal", "From"),
    ("to", "Al", "To"),
    ("file", "Immagine", "Image"),
    ("alt", "Testo alternativo", "Alt text"),
    // Co-design tables.
    ("theme", "Tema", "Theme"),
    ("kind", "Tipo", "Kind"),
    ("funding_line", "Linea di finanziamento", "Funding line"),
    ("sector", "Settore", "Sector"),
    ("role", "Ruolo", "Role"),
    ("agenda", "Ordine del giorno", "Agenda"),
    ("minutes", "Verbale", "Minutes"),
    ("attendance", "Presenti", "Present"),
    (
        "youth_representatives",
        "Rappresentanti dei giovani",
        "Young people's representatives",
    ),
    ("decisions", "Decisioni", "Decisions"),
];

/// Messages the checks give, word for word.
const EXACT: &[(&str, &str)] = &[
    ("is required", "è obbligatorio"),
    ("must not be empty", "non può essere vuoto"),
    (
        "must not contain control characters",
        "contiene caratteri non ammessi",
    ),
    ("choose at least one interest", "scegli almeno un interesse"),
    ("give at least one category", "scegli almeno una categoria"),
    (
        "choose at least one category",
        "scegli almeno una categoria",
    ),
    ("is not an email address", "non è un indirizzo email"),
    ("is in the future", "è nel futuro"),
    (
        "must differ from the subscriber's email",
        "deve essere diverso dalla tua email",
    ),
    (
        "must not be before starts_on",
        "non può venire prima del primo giorno",
    ),
    (
        "a season lasts at most two years",
        "una stagione dura al massimo due anni",
    ),
    ("must be after opens_at", "deve venire dopo l'apertura"),
    ("must be after starts_at", "deve venire dopo l'inizio"),
    ("must be after starts", "deve venire dopo l'inizio"),
    ("must be after from", "deve venire dopo la data di inizio"),
    ("must be after `from`", "deve venire dopo la data di inizio"),
    ("must be in the future", "deve essere nel futuro"),
    ("must be between 0 and 120", "deve essere fra 0 e 120"),
    ("must be at least 1", "deve essere almeno 1"),
    (
        "must not be greater than age_max",
        "non può superare l'età massima",
    ),
    ("every occurrence is excluded", "tutte le date sono escluse"),
    // Co-design tables.
    (
        "must not be more than attendance",
        "non può superare il numero dei presenti",
    ),
    (
        "must be a sector code (a-z, digits, _)",
        "deve essere il codice di un settore",
    ),
    (
        "only for an invited person",
        "solo per una persona invitata",
    ),
    ("only for a sector", "solo per un settore"),
    (
        "a sector is named by its code",
        "un settore si indica con il codice",
    ),
    (
        "must be a snake_case word of at most 64 characters",
        "una parola in minuscolo (a-z, _), al massimo 64 caratteri",
    ),
    ("at most 100 decisions", "al massimo 100 decisioni"),
    (
        "must fall within the season's dates",
        "deve cadere nelle date della stagione",
    ),
    (
        "no session fits in the season",
        "nessun incontro cade nella stagione",
    ),
    ("unknown zone", "fuso orario sconosciuto"),
    ("not a valid id (a UUID)", "scelta non valida"),
    (
        "it is full and keeps no waitlist",
        "è al completo e non ha lista d'attesa",
    ),
    (
        "the rule never ends: give COUNT or UNTIL, or put the event in a season",
        "la ripetizione non finisce: indica fino a quando, o metti l'evento in una stagione",
    ),
    (
        "the rule never ends: give COUNT or UNTIL",
        "la ripetizione non finisce: indica fino a quando",
    ),
    ("a whole number", "un numero intero"),
    (
        "not a date of this event",
        "non è una data di questo evento",
    ),
    (
        "choose one of the event's dates: it is registered for date by date",
        "scegli una delle date: ci si iscrive data per data",
    ),
    (
        "an operator's events are its organisation's",
        "gli eventi di un operatore sono della sua organizzazione",
    ),
    // Images (`piazza_shared::images::ImageError`).
    ("choose an image file", "scegli un file di immagine"),
    ("must be at most 8 MB", "al massimo 8 MB"),
    ("is not an image", "non è un'immagine"),
    (
        "unsupported format: use JPEG, PNG or WebP",
        "formato non accettato: usa JPEG, PNG o WebP",
    ),
    (
        "must be at most 8000 × 8000 pixels",
        "al massimo 8000 × 8000 pixel",
    ),
];

/// The field's name as people read it; an unknown code with its underscores as spaces.
pub fn field_label(field: &str, lang: Lang) -> String {
    // `categories[2]`, `preferred_slot.ends`: the field a person sees is the last named part.
    let base = field.split('[').next().unwrap_or(field);
    let base = base.rsplit('.').next().unwrap_or(base);
    FIELDS
        .iter()
        .find(|(code, _, _)| *code == base)
        .map(|(_, it, en)| lang.pick(it, en).to_string())
        .unwrap_or_else(|| base.replace('_', " "))
}

/// `message` (a check's English words) in `lang`.
pub fn field_message(message: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return message.to_string();
    }
    if let Some((_, it)) = EXACT.iter().find(|(en, _)| *en == message) {
        return (*it).to_string();
    }
    let number = || {
        message
            .split(|c: char| !c.is_ascii_digit() && c != '-')
            .filter(|part| !part.is_empty() && *part != "-")
            .collect::<Vec<_>>()
    };
    if message.starts_with("must be at most") && message.ends_with("characters") {
        let n = number();
        return format!("al massimo {} caratteri", n.first().unwrap_or(&""));
    }
    if message.starts_with("must be between") {
        let n = number();
        if let [low, high, ..] = n.as_slice() {
            return format!("deve essere fra {low} e {high}");
        }
    }
    if message.starts_with("must be a year between") {
        let n = number();
        if let [low, high, ..] = n.as_slice() {
            return format!("deve essere un anno fra {low} e {high}");
        }
    }
    if message.starts_with("must be a year") {
        return "deve essere un anno, ad esempio 2008".to_string();
    }
    if message.starts_with("occurrences must fall within the season") {
        return "le date devono cadere nella stagione".to_string();
    }
    if message.starts_with("the rule makes more than") {
        let n = number();
        return format!("la ripetizione fa più di {} date", n.first().unwrap_or(&""));
    }
    if message.starts_with("one occurrence lasts at most") {
        let n = number();
        return format!(
            "una data dura al massimo {} giorni",
            n.first().unwrap_or(&"")
        );
    }
    if message.contains("is not a date") || message.contains("use YYYY-MM-DD") {
        return "non è una data valida".to_string();
    }
    if message.contains("is not a time") || message.contains("use HH:MM") {
        return "non è un orario valido (HH:MM)".to_string();
    }
    if message.contains("does not exist on that day") {
        return "quell'ora non esiste quel giorno (cambio dell'ora)".to_string();
    }
    if message.contains("RFC 3339") {
        return "non è una data e un'ora valide".to_string();
    }
    if message.contains("event(s) of the season would fall outside it") {
        let n = number();
        return format!(
            "{} della stagione ne resterebbero fuori",
            super::words::count(
                n.first().and_then(|n| n.parse().ok()).unwrap_or(0),
                ("evento", "eventi"),
                ("event", "events"),
                lang
            )
        );
    }
    if message.starts_with("unknown category") {
        return "categoria sconosciuta".to_string();
    }
    if message.starts_with("not a valid RRULE") {
        return "ripetizione non valida".to_string();
    }
    "il valore non è accettato".to_string()
}

/// `Label: message`, what a page shows by the field and in the list of problems.
pub fn field_error(field: &str, message: &str, lang: Lang) -> String {
    format!(
        "{}: {}",
        field_label(field, lang),
        field_message(message, lang)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_english_check_reads_in_italian_by_its_field() {
        assert_eq!(
            field_error("interests", "choose at least one interest", Lang::It),
            "Interessi: scegli almeno un interesse"
        );
        assert_eq!(
            field_error("categories[0]", "must be at most 200 characters", Lang::It),
            "Categorie: al massimo 200 caratteri"
        );
        assert_eq!(
            field_error("birth_year", "must be between 1927 and 2018", Lang::It),
            "Anno di nascita: deve essere fra 1927 e 2018"
        );
        assert_eq!(
            field_error("interests", "choose at least one interest", Lang::En),
            "Interests: choose at least one interest"
        );
        // Something no table knows still reads as Italian.
        assert_eq!(
            field_message("a brand new check", Lang::It),
            "il valore non è accettato"
        );
    }
}
