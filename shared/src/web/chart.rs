//! Bar charts drawn on the server as SVG: one horizontal bar per label with its value written
//! beside it, so the figure reads without script, colour or hovering (and the same numbers are
//! in a table next to it).

use minijinja::{Value, context};

/// Pixels per row and for the longest bar.
const ROW: usize = 26;
const LONGEST: f64 = 300.0;

/// `(label, value, shown)` rows, `shown` being the value as text (`42`, `37 %`).
pub fn bars(rows: &[(String, f64, String)]) -> Value {
    let max = rows.iter().map(|(_, v, _)| *v).fold(0.0_f64, f64::max);
    let scale = if max > 0.0 { LONGEST / max } else { 0.0 };
    let bars: Vec<Value> = rows
        .iter()
        .enumerate()
        .map(|(i, (label, value, shown))| {
            let width = (value.max(0.0) * scale).round() as u64;
            context! { y => i * ROW, width => width, value => shown, label => label }
        })
        .collect();
    context! { bars => bars, height => rows.len() * ROW }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_value_gets_the_longest_bar() {
        let chart = bars(&[
            ("a".into(), 2.0, "2".into()),
            ("b".into(), 4.0, "4".into()),
            ("c".into(), 0.0, "0".into()),
        ]);
        let widths: Vec<u64> = (0..3)
            .map(|i| {
                chart
                    .get_attr("bars")
                    .and_then(|b| b.get_item(&Value::from(i)))
                    .and_then(|b| b.get_attr("width"))
                    .ok()
                    .and_then(|w| u64::try_from(w).ok())
                    .unwrap_or(999)
            })
            .collect();
        assert_eq!(widths, vec![150, 300, 0]);
    }
}
