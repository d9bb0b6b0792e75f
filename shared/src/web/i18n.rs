//! Italian first, English second. The language comes from `?lang=` (which the switch link sets
//! and a cookie then remembers), else the browser's `Accept-Language`, else Italian. Texts sit
//! beside their use as pairs — `t("Calendario", "Calendar")` in a template, [`Lang::pick`] in
//! code — so a page never shows a key instead of words.

use super::cookies::cookie;
use axum::http::{HeaderMap, HeaderValue, header};
use serde::Serialize;

/// Where the chosen language is remembered.
pub const COOKIE: &str = "piazza_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    It,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::It => "it",
            Lang::En => "en",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "it" => Some(Lang::It),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The other language, for the switch link.
    pub fn other(self) -> Self {
        match self {
            Lang::It => Lang::En,
            Lang::En => Lang::It,
        }
    }

    /// The same language as the contracts name it (for vocabulary labels).
    pub fn language(self) -> crate::contracts::Language {
        match self {
            Lang::It => crate::contracts::Language::It,
            Lang::En => crate::contracts::Language::En,
        }
    }

    pub fn pick<'a>(self, it: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::It => it,
            Lang::En => en,
        }
    }

    /// `?lang=` first, then the cookie, then the first of Italian or English the browser
    /// accepts (`Accept-Language: en-GB,en;q=0.9,it;q=0.8` → English), else Italian.
    pub fn negotiate(query_lang: Option<&str>, headers: &HeaderMap) -> Self {
        if let Some(lang) = query_lang.and_then(Lang::parse) {
            return lang;
        }
        if let Some(lang) = cookie(headers, COOKIE).and_then(Lang::parse) {
            return lang;
        }
        let accepted = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let mut best: Option<(f32, Lang)> = None;
        for item in accepted.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            if let Some(lang) = Lang::parse(primary)
                && best.is_none_or(|(q, _)| quality > q)
            {
                best = Some((quality, lang));
            }
        }
        best.map(|(_, lang)| lang).unwrap_or_default()
    }
}

/// `Set-Cookie` remembering the chosen language for a year.
pub fn lang_cookie(code: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{COOKIE}={code}; Path=/; SameSite=Lax; Max-Age=31536000"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepting(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_str(value).unwrap_or(HeaderValue::from_static("")),
        );
        headers
    }

    #[test]
    fn the_browser_preference_with_the_highest_quality_wins() {
        assert_eq!(
            Lang::negotiate(None, &accepting("fr, en-GB;q=0.9, it;q=0.8")),
            Lang::En
        );
        assert_eq!(
            Lang::negotiate(None, &accepting("de, it;q=0.5, en;q=0.4")),
            Lang::It
        );
        assert_eq!(Lang::negotiate(None, &accepting("de, fr")), Lang::It);
    }

    #[test]
    fn the_query_beats_the_browser() {
        assert_eq!(Lang::negotiate(Some("it"), &accepting("en")), Lang::It);
    }
}
