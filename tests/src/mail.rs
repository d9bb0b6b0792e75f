//! Reading emails back: from the SMTP server's folder or the embedded mode's `.eml` outbox.

use crate::smtp::SmtpServer;
use mail_parser::{MessageParser, MimeHeaders};
use std::path::{Path, PathBuf};

/// Where a test's emails land: a real SMTP server's folder, or the embedded `.eml` outbox.
pub enum Mailbox {
    Smtp(SmtpServer),
    Files(PathBuf),
}

impl Mailbox {
    /// Every email received so far.
    pub fn messages(&self) -> Vec<Email> {
        match self {
            Mailbox::Smtp(server) => server.messages(),
            Mailbox::Files(dir) => read_dir(dir),
        }
    }

    /// The first email matching `predicate`, waiting up to 30 s for it to arrive.
    pub async fn wait_for(&self, what: &str, predicate: impl Fn(&Email) -> bool) -> Email {
        crate::eventually(what, std::time::Duration::from_secs(30), || {
            let found = self.messages().into_iter().find(|e| predicate(e));
            async move { found }
        })
        .await
    }

    /// Emails to `address`.
    pub fn to(&self, address: &str) -> Vec<Email> {
        self.messages()
            .into_iter()
            .filter(|e| e.to.eq_ignore_ascii_case(address))
            .collect()
    }
}

/// One received email, decoded.
#[derive(Debug, Clone)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub headers: Vec<(String, String)>,
    pub raw: String,
}

impl Email {
    pub fn parse(raw: &[u8]) -> Option<Self> {
        let message = MessageParser::default().parse(raw)?;
        let to = message
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .unwrap_or_default()
            .to_string();
        let headers = message
            .headers()
            .iter()
            .map(|h| {
                (
                    h.name().to_string(),
                    String::from_utf8_lossy(
                        &raw[h.offset_start() as usize..h.offset_end() as usize],
                    )
                    .trim()
                    .to_string(),
                )
            })
            .collect();
        Some(Self {
            to,
            subject: message.subject().unwrap_or_default().to_string(),
            text: message
                .body_text(0)
                .map(|t| t.into_owned())
                .unwrap_or_default(),
            html: message
                .body_html(0)
                .map(|t| t.into_owned())
                .unwrap_or_default(),
            headers,
            raw: String::from_utf8_lossy(raw).into_owned(),
        })
    }

    /// The value of the first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The attached files: name, content type and content.
    pub fn attachments(&self) -> Vec<(String, String, Vec<u8>)> {
        let Some(message) = MessageParser::default().parse(self.raw.as_bytes()) else {
            return Vec::new();
        };
        message
            .attachments()
            .map(|part| {
                let content_type = part
                    .content_type()
                    .map(|t| match t.subtype() {
                        Some(sub) => format!("{}/{}", t.ctype(), sub),
                        None => t.ctype().to_string(),
                    })
                    .unwrap_or_default();
                (
                    part.attachment_name().unwrap_or_default().to_string(),
                    content_type,
                    part.contents().to_vec(),
                )
            })
            .collect()
    }

    /// The first link in the text part that contains `needle`.
    pub fn link(&self, needle: &str) -> Option<String> {
        self.text
            .split_whitespace()
            .find(|w| w.starts_with("http") && w.contains(needle))
            .map(|w| w.trim_end_matches(['.', ',', ')']).to_string())
    }
}

/// Every `.eml` file in `dir`, parsed.
pub fn read_dir(dir: &Path) -> Vec<Email> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut emails = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !name.ends_with(".eml") {
            continue;
        }
        if let Ok(raw) = std::fs::read(&path)
            && let Some(email) = Email::parse(&raw)
        {
            emails.push(email);
        }
    }
    emails
}
