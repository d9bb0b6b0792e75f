//! The report's rows written as CSV (the shared RFC 4180 writer, formula-safe) and as an XLSX
//! workbook (rust_xlsxwriter): the same columns, figures as numbers, a withheld people count
//! as the text `<5` with its `value` cell left empty.

use super::report::{EXPORT_COLUMNS, ExportCell};
use piazza_shared::web::csv::{Cell, Csv};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// The rows as one CSV table under [`EXPORT_COLUMNS`].
pub fn csv(rows: &[Vec<ExportCell>]) -> Csv {
    let mut csv = Csv::new(&EXPORT_COLUMNS);
    for row in rows {
        csv.row(row.iter().map(|cell| match cell {
            ExportCell::Text(text) => Cell::Text(text),
            ExportCell::Number(x, places) => Cell::Decimal(*x, *places),
            ExportCell::Empty => Cell::Empty,
        }));
    }
    csv
}

/// The media type of an XLSX workbook.
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The sheet's name.
pub const SHEET: &str = "indicators";

/// The rows as an XLSX workbook of one sheet, [`SHEET`], header in bold and frozen.
pub fn xlsx(rows: &[Vec<ExportCell>]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name(SHEET)?;
    for (col, name) in (0u16..).zip(EXPORT_COLUMNS) {
        sheet.write_string_with_format(0, col, name, &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (row, cells) in (1u32..).zip(rows) {
        for (col, cell) in (0u16..).zip(cells) {
            match cell {
                // Written as text whatever it starts with: rust_xlsxwriter stores strings as
                // shared strings, never as formulas, so no neutralising is needed here.
                ExportCell::Text(text) => {
                    sheet.write_string(row, col, text)?;
                }
                ExportCell::Number(x, _) if x.is_finite() => {
                    sheet.write_number(row, col, *x)?;
                }
                ExportCell::Number(..) | ExportCell::Empty => {}
            }
        }
    }
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workbook_is_a_zip_and_the_csv_neutralises_formulas() {
        let rows = vec![vec![
            ExportCell::Text("=cmd".into()),
            ExportCell::Number(-1.5, 2),
            ExportCell::Empty,
        ]];
        let bytes = xlsx(&rows).unwrap();
        assert_eq!(&bytes[..2], b"PK");
        let text = csv(&rows).into_text();
        assert!(text.ends_with("\"'=cmd\",-1.50,\r\n"), "{text}");
    }
}
