//! CSV exports of the indicator pages: one writer (RFC 4180) and one download answer for every
//! service.
//!
//! Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` (and, in some, a tab or a
//! carriage return) as a formula, so a space named `=HYPERLINK(…)` would become a link, or worse,
//! in the administrator's spreadsheet. As OWASP's "CSV Injection" page recommends, every text
//! cell is quoted (its quotes doubled) and one starting with such a character gets a leading
//! `'`, which spreadsheets read as "this is text". Numbers are a cell kind of their own: the
//! figures Piazza computes are written bare and never prefixed, so a negative number stays a
//! number a spreadsheet can add up. Whether a cell is a number is decided by its type where it is
//! written, never guessed from its text: a name typed as `-42` is text, and is neutralised.

use axum::{
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use std::fmt::Write;

/// Characters that make a spreadsheet read a cell as a formula when they lead it.
const FORMULA_LEADS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// One cell of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// Text, possibly typed by someone: quoted and neutralised.
    Text(&'a str),
    /// A whole number Piazza computed.
    Integer(i64),
    /// A number Piazza computed, with this many decimals.
    Decimal(f64, usize),
    Empty,
}

impl<'a> From<&'a str> for Cell<'a> {
    fn from(text: &'a str) -> Self {
        Cell::Text(text)
    }
}

impl<'a> From<&'a String> for Cell<'a> {
    fn from(text: &'a String) -> Self {
        Cell::Text(text)
    }
}

macro_rules! integer_cells {
    ($($t:ty),*) => {$(
        impl From<$t> for Cell<'_> {
            fn from(n: $t) -> Self {
                Cell::Integer(i64::try_from(n).unwrap_or(i64::MAX))
            }
        }
    )*};
}
integer_cells!(i32, i64, u32, u64, usize);

impl<'a, T: Into<Cell<'a>>> From<Option<T>> for Cell<'a> {
    fn from(value: Option<T>) -> Self {
        value.map_or(Cell::Empty, Into::into)
    }
}

/// A CSV text with CRLF line ends, written row by row.
#[derive(Debug, Clone)]
pub struct Csv(String);

impl Csv {
    /// A table with this header row.
    pub fn new(header: &[&str]) -> Self {
        let mut csv = Self(String::new());
        csv.row(header.iter().map(|h| Cell::Text(h)));
        csv
    }

    /// Appends one row.
    pub fn row<'a>(&mut self, cells: impl IntoIterator<Item = Cell<'a>>) {
        for (i, cell) in cells.into_iter().enumerate() {
            if i > 0 {
                self.0.push(',');
            }
            write_cell(&mut self.0, &cell);
        }
        self.0.push_str("\r\n");
    }

    pub fn into_text(self) -> String {
        self.0
    }
}

fn write_cell(out: &mut String, cell: &Cell<'_>) {
    match cell {
        Cell::Text(text) => {
            out.push('"');
            if text.starts_with(FORMULA_LEADS) {
                out.push('\'');
            }
            out.push_str(&text.replace('"', "\"\""));
            out.push('"');
        }
        Cell::Integer(n) => {
            let _ = write!(out, "{n}");
        }
        // A non-finite figure has no spreadsheet number: left empty. `+ 0.0` turns a negative
        // zero (a sum of nothing, say) into 0, which would otherwise print as `-0.00`.
        Cell::Decimal(x, places) if x.is_finite() => {
            let _ = write!(out, "{:.*}", *places, x + 0.0);
        }
        Cell::Decimal(..) | Cell::Empty => {}
    }
}

/// `csv` as a download named `<name>-<from>-<to>.csv`.
pub fn download(
    name: &str,
    from: impl std::fmt::Display,
    to: impl std::fmt::Display,
    csv: Csv,
) -> Response {
    attachment(
        &format!("{name}-{from}-{to}.csv"),
        "text/csv; charset=utf-8",
        csv.into_text().into_bytes(),
    )
}

/// `body` as a download named `file_name` (any export: CSV, a workbook, JSON).
pub fn attachment(file_name: &str, content_type: &'static str, body: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{file_name}\"");
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(cells: Vec<Cell<'_>>) -> String {
        let mut csv = Csv(String::new());
        csv.row(cells);
        csv.into_text()
    }

    #[test]
    fn text_starting_with_a_formula_sign_is_neutralised_and_quoted() {
        for (text, written) in [
            ("=1+1", "\"'=1+1\""),
            ("+39 0372 1", "\"'+39 0372 1\""),
            ("-2", "\"'-2\""),
            ("@SUM(A1)", "\"'@SUM(A1)\""),
            ("\tx", "\"'\tx\""),
            ("\rx", "\"'\rx\""),
            ("=\"a\"", "\"'=\"\"a\"\"\""),
            ("Sala, \"grande\"", "\"Sala, \"\"grande\"\"\""),
            ("a=b", "\"a=b\""),
            ("", "\"\""),
        ] {
            assert_eq!(line(vec![Cell::Text(text)]), format!("{written}\r\n"));
        }
    }

    #[test]
    fn numbers_stay_numbers_even_when_negative() {
        assert_eq!(
            line(vec![
                Cell::Integer(-3),
                Cell::Decimal(-1.5, 2),
                Cell::Decimal(-0.0, 2),
                Cell::Decimal(f64::NAN, 2),
                Cell::from(None::<u32>),
                Cell::from(7u32),
            ]),
            "-3,-1.50,0.00,,,7\r\n"
        );
    }

    #[test]
    fn a_table_has_its_header_and_crlf_rows() {
        let mut csv = Csv::new(&["measure", "value"]);
        csv.row([Cell::from("events"), Cell::from(2u64)]);
        assert_eq!(csv.into_text(), "\"measure\",\"value\"\r\n\"events\",2\r\n");
    }
}
