//! Writing an email's text and HTML parts side by side, so the two always say the same thing.

use super::templates::{button, escape};

/// The text and HTML bodies being written.
#[derive(Debug, Default)]
pub struct Body {
    pub text: String,
    pub html: String,
}

impl Body {
    pub fn new() -> Self {
        Self::default()
    }

    /// A paragraph.
    pub fn para(&mut self, words: &str) -> &mut Self {
        self.text.push_str(words);
        self.text.push_str("\n\n");
        self.html
            .push_str(&format!("<p>{}</p>", escape(words).replace('\n', "<br>")));
        self
    }

    /// An event's (or a section's) title.
    pub fn heading(&mut self, title: &str) -> &mut Self {
        self.text.push_str(title);
        self.text.push('\n');
        self.html.push_str(&format!(
            "<h2 style=\"font-size:20px;margin:16px 0 4px\">{}</h2>",
            escape(title)
        ));
        self
    }

    /// Secondary words under a heading (categories, say).
    pub fn muted(&mut self, words: &str) -> &mut Self {
        self.text.push_str(words);
        self.text.push_str("\n\n");
        self.html.push_str(&format!(
            "<p style=\"margin:0 0 12px;color:#555\">{}</p>",
            escape(words)
        ));
        self
    }

    /// A label over lines (dates, say).
    pub fn lines(&mut self, label: &str, lines: &[String]) -> &mut Self {
        if lines.is_empty() {
            return self;
        }
        self.text.push_str(&format!("{label}:\n"));
        self.html
            .push_str(&format!("<p><strong>{}</strong><br>", escape(label)));
        for line in lines {
            self.text.push_str(&format!("- {line}\n"));
            self.html.push_str(&format!("{}<br>", escape(line)));
        }
        self.text.push('\n');
        self.html.push_str("</p>");
        self
    }

    /// `label: value`.
    pub fn field(&mut self, label: &str, value: &str) -> &mut Self {
        self.text.push_str(&format!("{label}: {value}\n\n"));
        self.html.push_str(&format!(
            "<p><strong>{}</strong>: {}</p>",
            escape(label),
            escape(value)
        ));
        self
    }

    /// A link: the URL spelled out in text, a button in HTML.
    pub fn link(&mut self, label: &str, url: &str) -> &mut Self {
        self.text.push_str(&format!("{label}: {url}\n\n"));
        self.html.push_str(&button(url, label));
        self
    }
}
