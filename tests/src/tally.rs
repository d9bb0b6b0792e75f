//! Counting what a fault did to a stream of work: what was sent, and how many times each item
//! took effect. Every fault test ends by printing its line and asserting that nothing was
//! duplicated or lost.
//!
//! The line goes straight to the process's standard error, past the test harness's capture, so
//! CI logs show each fault's figures even when the test passes.

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt,
    io::Write,
};

/// The figures of one fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Distinct items sent.
    pub sent: usize,
    /// Distinct sent items that took effect at least once.
    pub delivered: usize,
    /// Effects beyond the first, summed over items.
    pub duplicated: usize,
    /// Sent items that never took effect.
    pub lost: usize,
    /// Effects of items never sent (a bug in the test or in the system).
    pub unexpected: usize,
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "sent {} · delivered {} · duplicated {} · lost {}",
            self.sent, self.delivered, self.duplicated, self.lost
        )?;
        if self.unexpected > 0 {
            write!(f, " · unexpected {}", self.unexpected)?;
        }
        Ok(())
    }
}

/// Items sent and their effects, keyed by something the test can recognise on both sides (an
/// event id, a message id, a recipient).
#[derive(Debug)]
pub struct Tally {
    fault: String,
    sent: BTreeSet<String>,
    effects: BTreeMap<String, usize>,
    notes: Vec<(String, String)>,
}

impl Tally {
    /// A tally for the fault described by `fault` (printed at the start of its line).
    pub fn new(fault: &str) -> Self {
        Self {
            fault: fault.to_string(),
            sent: BTreeSet::new(),
            effects: BTreeMap::new(),
            notes: Vec::new(),
        }
    }

    /// The fault this tally counts.
    pub fn fault(&self) -> &str {
        &self.fault
    }

    /// Records that `key` was sent.
    pub fn sent(&mut self, key: impl ToString) {
        self.sent.insert(key.to_string());
    }

    /// Records one effect of `key` (call once per effect observed: twice means applied twice).
    pub fn effect(&mut self, key: impl ToString) {
        *self.effects.entry(key.to_string()).or_default() += 1;
    }

    /// Records `times` effects of `key`.
    pub fn effects(&mut self, key: impl ToString, times: usize) {
        *self.effects.entry(key.to_string()).or_default() += times;
    }

    /// Adds a figure to the printed line (what the fault interrupted, say).
    pub fn note(&mut self, name: &str, value: impl fmt::Display) {
        self.notes.push((name.to_string(), value.to_string()));
    }

    pub fn counts(&self) -> Counts {
        let mut counts = Counts {
            sent: self.sent.len(),
            ..Counts::default()
        };
        for key in &self.sent {
            match self.effects.get(key).copied().unwrap_or(0) {
                0 => counts.lost += 1,
                n => {
                    counts.delivered += 1;
                    counts.duplicated += n - 1;
                }
            }
        }
        counts.unexpected = self
            .effects
            .iter()
            .filter(|(key, _)| !self.sent.contains(*key))
            .map(|(_, n)| n)
            .sum();
        counts
    }

    /// Prints the fault's line and returns its figures.
    pub fn report(&self) -> Counts {
        let counts = self.counts();
        let mut line = format!("FAULT {}: {counts}", self.fault);
        for (name, value) in &self.notes {
            line.push_str(&format!(" · {name} {value}"));
        }
        let _ = writeln!(std::io::stderr(), "{line}");
        counts
    }

    /// Prints the line, then fails the test unless every item took effect exactly once.
    pub fn assert_exactly_once(&self) -> Counts {
        let counts = self.report();
        assert!(counts.sent > 0, "{}: nothing was sent", self.fault);
        let lost: Vec<&String> = self
            .sent
            .iter()
            .filter(|k| !self.effects.contains_key(*k))
            .take(5)
            .collect();
        let doubled: Vec<(&String, &usize)> = self
            .effects
            .iter()
            .filter(|(_, n)| **n > 1)
            .take(5)
            .collect();
        assert_eq!(
            counts.lost, 0,
            "{}: lost {} (first: {lost:?})",
            self.fault, counts.lost
        );
        assert_eq!(
            counts.duplicated, 0,
            "{}: duplicated {} (first: {doubled:?})",
            self.fault, counts.duplicated
        );
        assert_eq!(
            counts.unexpected, 0,
            "{}: effects of items never sent",
            self.fault
        );
        counts
    }
    /// For work that may be resent after a crash (an email accepted by the server just before
    /// the kill, whose outcome was never recorded): prints the line with the resends and the
    /// bound, then fails the test if anything was lost or resent beyond `allowed`.
    pub fn assert_resent_at_most(&mut self, allowed: usize) -> Counts {
        let resent = self.counts().duplicated;
        self.note("resent", format!("{resent} (allowed ≤ {allowed})"));
        let counts = self.report();
        assert!(counts.sent > 0, "{}: nothing was sent", self.fault);
        assert_eq!(counts.lost, 0, "{}: lost {}", self.fault, counts.lost);
        assert!(
            counts.duplicated <= allowed,
            "{}: resent {} beyond the {allowed} in flight at the fault",
            self.fault,
            counts.duplicated
        );
        assert_eq!(
            counts.unexpected, 0,
            "{}: effects of items never sent",
            self.fault
        );
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tally_counts_what_was_lost_and_what_was_doubled() {
        let mut tally = Tally::new("example");
        for n in 0..4 {
            tally.sent(n);
        }
        tally.effect(0);
        tally.effect(1);
        tally.effect(1);
        tally.effect(2);
        tally.effect(9);
        assert_eq!(
            tally.counts(),
            Counts {
                sent: 4,
                delivered: 3,
                duplicated: 1,
                lost: 1,
                unexpected: 1
            }
        );
    }
}
