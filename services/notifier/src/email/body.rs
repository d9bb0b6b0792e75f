//! An email's body as blocks — paragraphs, headings, dated lines, fields, links — that the
//! `blocks.txt` and `blocks.html` templates write out, so the text and HTML parts always say the
//! same thing.

use serde::Serialize;

/// One piece of a body.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// A paragraph (a line break in it stays one).
    Para { text: String },
    /// An event's (or a section's) title.
    Heading { text: String },
    /// Secondary words under a heading (categories, say).
    Muted { text: String },
    /// A label over lines (dates, say); nothing when there are none.
    Lines { label: String, lines: Vec<String> },
    /// `label: value`.
    Field { label: String, value: String },
    /// A link: the URL spelled out in text, a button in HTML.
    Link { label: String, url: String },
}

/// The blocks being written.
#[derive(Debug, Default, Serialize)]
pub struct Body {
    pub blocks: Vec<Block>,
}

impl Body {
    pub fn new() -> Self {
        Self::default()
    }

    fn push(&mut self, block: Block) -> &mut Self {
        self.blocks.push(block);
        self
    }

    pub fn para(&mut self, words: &str) -> &mut Self {
        self.push(Block::Para { text: words.into() })
    }

    pub fn heading(&mut self, title: &str) -> &mut Self {
        self.push(Block::Heading { text: title.into() })
    }

    pub fn muted(&mut self, words: &str) -> &mut Self {
        self.push(Block::Muted { text: words.into() })
    }

    pub fn lines(&mut self, label: &str, lines: &[String]) -> &mut Self {
        self.push(Block::Lines {
            label: label.into(),
            lines: lines.to_vec(),
        })
    }

    pub fn field(&mut self, label: &str, value: &str) -> &mut Self {
        self.push(Block::Field {
            label: label.into(),
            value: value.into(),
        })
    }

    pub fn link(&mut self, label: &str, url: &str) -> &mut Self {
        self.push(Block::Link {
            label: label.into(),
            url: url.into(),
        })
    }
}
