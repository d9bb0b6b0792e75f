//! Turning a rendered email into a MIME message: multipart text and HTML (inside
//! `multipart/mixed` when a file is attached), and for mailing-list emails the one-click
//! unsubscribe headers of RFC 8058 (<https://www.rfc-editor.org/rfc/rfc8058>).

use lettre::message::{
    Attachment as MimeAttachment, Mailbox, MultiPart, SinglePart,
    header::{ContentType, Header, HeaderName, HeaderValue},
};

/// A file sent with an email (an `.ics` calendar, say).
#[derive(Debug, Clone)]
pub struct Attachment {
    pub filename: String,
    /// Its `Content-Type`, e.g. `text/calendar; charset=utf-8; method=PUBLISH`.
    pub content_type: String,
    pub body: String,
}

/// An email ready to be sent.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The one-click unsubscribe URL (POST), for emails sent because someone subscribed.
    pub unsubscribe: Option<String>,
    pub attachment: Option<Attachment>,
}

/// `List-Unsubscribe: <url>`.
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(
            s.trim_start_matches('<').trim_end_matches('>').to_string(),
        ))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click`.
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_string())
    }
}

impl Rendered {
    /// The MIME message from `from`.
    pub fn into_message(self, from: &Mailbox) -> anyhow::Result<lettre::Message> {
        let to: Mailbox = self.to.parse()?;
        let mut builder = lettre::Message::builder()
            .from(from.clone())
            .to(to)
            .subject(self.subject);
        if let Some(url) = self.unsubscribe {
            builder = builder
                .header(ListUnsubscribe(url))
                .header(ListUnsubscribePost);
        }
        let body = MultiPart::alternative()
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .body(self.text),
            )
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_HTML)
                    .body(self.html),
            );
        match self.attachment {
            None => Ok(builder.multipart(body)?),
            Some(file) => {
                let content_type = ContentType::parse(&file.content_type)?;
                let part = MimeAttachment::new(file.filename).body(file.body, content_type);
                Ok(builder.multipart(MultiPart::mixed().multipart(body).singlepart(part))?)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newsletter_email_carries_one_click_unsubscribe_headers() {
        let email = Rendered {
            to: "giulia@example.org".into(),
            subject: "Nuovo evento".into(),
            text: "testo".into(),
            html: "<p>testo</p>".into(),
            unsubscribe: Some("http://piazza.test/subscriptions/unsubscribe?token=abc".into()),
            attachment: None,
        };
        let from: Mailbox = "Piazza <noreply@piazza.test>".parse().unwrap();
        let raw = String::from_utf8(email.into_message(&from).unwrap().formatted()).unwrap();
        assert!(raw.contains(
            "List-Unsubscribe: <http://piazza.test/subscriptions/unsubscribe?token=abc>"
        ));
        assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        assert!(raw.contains("multipart/alternative"));
        assert!(raw.contains("text/html"));
    }
}
