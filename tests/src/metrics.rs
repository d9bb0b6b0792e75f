//! Reading a Piazza listener's `/metrics` (Prometheus text format) in tests.

/// The value of the series `name` whose labels include every `(label, value)` in `labels`, summed
/// over the series that match (0 when none does: a counter not yet incremented is absent).
pub fn value(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (series, number) = line.rsplit_once(' ')?;
            let (series_name, series_labels) = match series.split_once('{') {
                Some((n, rest)) => (n, rest.trim_end_matches('}')),
                None => (series, ""),
            };
            if series_name != name {
                return None;
            }
            let all = labels
                .iter()
                .all(|(k, v)| series_labels.contains(&format!("{k}=\"{v}\"")));
            all.then(|| number.parse::<f64>().ok()).flatten()
        })
        .fold(0.0, |sum, v| sum + v)
}

/// The text of `<base>/metrics`.
pub async fn scrape(base: &str) -> String {
    crate::http()
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("GET /metrics")
        .text()
        .await
        .expect("metrics text")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_series_is_found_by_name_and_labels() {
        let text = "# TYPE x counter\nx{queue=\"a\",kind=\"k\"} 3\nx{queue=\"b\"} 4\ny 1\n";
        assert_eq!(super::value(text, "x", &[("queue", "a")]), 3.0);
        assert_eq!(super::value(text, "x", &[]), 7.0);
        assert_eq!(super::value(text, "y", &[]), 1.0);
        assert_eq!(super::value(text, "x", &[("queue", "c")]), 0.0);
    }
}
