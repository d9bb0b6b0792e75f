//! Email bodies from templates (`templates/email/`, compiled into the binary): each email is a
//! `<name>.txt` for the plain-text part and a `<name>.html` for the HTML part, both laid out by
//! `layout.*` with the footer its reader gets. The words are chosen in Rust, in the reader's
//! language, and handed to the templates as values; the templates hold the layout and markup.
//!
//! One escaping: the HTML templates escape every value (`&`, `<`, `>`, `"`, `'`), the text
//! templates none, and nothing is escaped by hand.

use super::message::{Attachment, Rendered};
use anyhow::Context;
use minijinja::{
    AutoEscape, Environment, Output, State, Value, context, syntax::SyntaxConfig, value::Serde,
};
use piazza_shared::contracts::Language;
use serde::Serialize;
use std::sync::Arc;

const TEMPLATES: [(&str, &str); 15] = [
    (
        "layout.html",
        include_str!("../../templates/email/layout.html"),
    ),
    (
        "layout.txt",
        include_str!("../../templates/email/layout.txt"),
    ),
    (
        "macros.html",
        include_str!("../../templates/email/macros.html"),
    ),
    (
        "blocks.html",
        include_str!("../../templates/email/blocks.html"),
    ),
    (
        "blocks.txt",
        include_str!("../../templates/email/blocks.txt"),
    ),
    ("body.html", include_str!("../../templates/email/body.html")),
    ("body.txt", include_str!("../../templates/email/body.txt")),
    (
        "confirm_subscription.html",
        include_str!("../../templates/email/confirm_subscription.html"),
    ),
    (
        "confirm_subscription.txt",
        include_str!("../../templates/email/confirm_subscription.txt"),
    ),
    (
        "event_published.html",
        include_str!("../../templates/email/event_published.html"),
    ),
    (
        "event_published.txt",
        include_str!("../../templates/email/event_published.txt"),
    ),
    (
        "booking.html",
        include_str!("../../templates/email/booking.html"),
    ),
    (
        "booking.txt",
        include_str!("../../templates/email/booking.txt"),
    ),
    (
        "footer.html",
        include_str!("../../templates/email/footer.html"),
    ),
    (
        "footer.txt",
        include_str!("../../templates/email/footer.txt"),
    ),
];

/// What is written at the foot of an email, and why the reader gets it.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum Foot {
    /// Nothing (a confirmation, an operator's booking).
    Nobody,
    /// A subscriber: why, and the links to manage and to leave.
    Subscriber {
        why: &'static str,
        manage_label: &'static str,
        manage: String,
        leave_label: &'static str,
        unsubscribe: String,
    },
    /// Someone registered for an event: why.
    Registrant { why: &'static str },
}

/// One email to render: to whom, in which language, under which subject, with which foot.
pub struct Mail<'a> {
    pub to: &'a str,
    pub language: Language,
    pub subject: String,
    pub foot: Foot,
    pub attachment: Option<Attachment>,
}

/// The email templates, parsed once at start-up; cheap to clone.
#[derive(Clone)]
pub struct EmailTemplates(Arc<Environment<'static>>);

impl std::fmt::Debug for EmailTemplates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EmailTemplates")
    }
}

/// Writes `value`, escaped for HTML when the template is HTML. The set of characters is the one
/// emails have always been escaped with: minijinja's own also escapes `/`, which would spell
/// every link in the source as `http:&#x2f;&#x2f;…`.
fn format(out: &mut Output, state: &mut State, value: &Value) -> Result<(), minijinja::Error> {
    if *state.auto_escape() != AutoEscape::Html || value.is_safe() || value.is_none() {
        return minijinja::escape_formatter(out, state, value);
    }
    let text = value.to_string();
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    out.write_str(&escaped)
        .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, e.to_string()))
}

impl EmailTemplates {
    /// Parses every template now, so a broken one stops the service at start-up.
    pub fn new() -> anyhow::Result<Self> {
        let mut env = Environment::new();
        // Text templates are written line by line as the email reads.
        env.set_syntax(
            SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .keep_trailing_newline(true)
                .build()?,
        );
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.set_formatter(format);
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .with_context(|| format!("email template {name}"))?;
        }
        Ok(Self(Arc::new(env)))
    }

    /// Renders the email `name` (`<name>.txt` and `<name>.html`) with `values`.
    pub fn render(&self, name: &str, mail: Mail, values: Value) -> anyhow::Result<Rendered> {
        let unsubscribe = match &mail.foot {
            Foot::Subscriber { unsubscribe, .. } => Some(unsubscribe.clone()),
            _ => None,
        };
        let values = context! {
            lang => mail.language.as_str(),
            subject => &mail.subject,
            foot => Serde(&mail.foot),
            ..values
        };
        let part = |ext: &str| -> anyhow::Result<String> {
            let template = format!("{name}.{ext}");
            self.0
                .get_template(&template)?
                .render(&values)
                .with_context(|| format!("rendering email {template}"))
        };
        Ok(Rendered {
            to: mail.to.to_string(),
            text: part("txt")?,
            html: part("html")?,
            subject: mail.subject,
            unsubscribe,
            attachment: mail.attachment,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::{body::Body, parts::Footer};

    fn render(foot: Foot) -> Rendered {
        let mut body = Body::new();
        body.para("Jazz & <blues>\nal 'Duomo'")
            .lines("Quando", &["2 marzo".to_string()])
            .link("Scopri di più", "http://piazza.test/events/1?a=1&b=2");
        let mail = Mail {
            to: "giulia@example.org",
            language: Language::It,
            subject: "Nuovo evento: <Jazz>".into(),
            foot,
            attachment: None,
        };
        EmailTemplates::new()
            .unwrap()
            .render("body", mail, context! { blocks => Serde(body.blocks) })
            .unwrap()
    }

    #[test]
    fn html_escapes_each_value_once_and_text_not_at_all() {
        let email = render(Foot::Nobody);
        assert!(email.html.contains("<html lang=\"it\">"));
        assert!(
            email
                .html
                .contains("<title>Nuovo evento: &lt;Jazz&gt;</title>")
        );
        assert!(
            email
                .html
                .contains("<p>Jazz &amp; &lt;blues&gt;<br>al &#39;Duomo&#39;</p>"),
            "{}",
            email.html
        );
        assert!(
            email
                .html
                .contains("href=\"http://piazza.test/events/1?a=1&amp;b=2\""),
            "{}",
            email.html
        );
        assert_eq!(
            email.text,
            "Jazz & <blues>\nal 'Duomo'\n\nQuando:\n- 2 marzo\n\n\
             Scopri di più: http://piazza.test/events/1?a=1&b=2\n\n"
        );
    }

    #[test]
    fn a_subscriber_gets_the_links_to_manage_and_leave_and_the_one_click_header() {
        let footer = Footer {
            manage: "http://piazza.test/subscriptions/manage?token=m".into(),
            unsubscribe: "http://piazza.test/subscriptions/unsubscribe?token=u".into(),
        };
        let email = render(footer.foot(Language::It));
        assert_eq!(
            email.unsubscribe.as_deref(),
            Some(footer.unsubscribe.as_str())
        );
        assert!(email.text.ends_with(
            "Ricevi questa email perché ti sei iscritto agli eventi di Piazza.\n\
             Gestisci le preferenze: http://piazza.test/subscriptions/manage?token=m\n\
             Cancella l'iscrizione: http://piazza.test/subscriptions/unsubscribe?token=u\n"
        ));
        assert!(email.html.contains(
            "<a href=\"http://piazza.test/subscriptions/unsubscribe?token=u\" style=\"color:#7a2e1f\">Cancella l&#39;iscrizione</a>"
        ));
    }
}
