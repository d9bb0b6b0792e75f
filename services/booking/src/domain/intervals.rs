//! Arithmetic on sorted time intervals: what is left of opening windows once busy times are
//! taken out.

pub use piazza_shared::time::Span as Interval;

/// `windows` minus every interval in `busy`. Both may be unsorted; the result is sorted.
/// Both lists are walked once, so a season of windows and thousands of bookings stays linear.
pub fn subtract(mut windows: Vec<Interval>, mut busy: Vec<Interval>) -> Vec<Interval> {
    windows.sort();
    busy.sort();
    let mut free = Vec::new();
    // Busy intervals before `first` ended before the current window starts, and so before
    // every later one.
    let mut first = 0;
    for (mut start, end) in windows {
        while first < busy.len() && busy[first].1 <= start {
            first += 1;
        }
        for &(b_start, b_end) in &busy[first..] {
            if b_start >= end {
                break;
            }
            if b_end <= start {
                continue;
            }
            if b_start > start {
                free.push((start, b_start));
            }
            start = start.max(b_end);
            if start >= end {
                break;
            }
        }
        if start < end {
            free.push((start, end));
        }
    }
    free
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, TimeZone, Utc};

    fn h(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 3, 2, hour, 0, 0).unwrap()
    }

    #[test]
    fn busy_times_are_cut_out_of_windows() {
        let free = subtract(
            vec![(h(9), h(13)), (h(14), h(19))],
            vec![(h(10), h(11)), (h(12), h(15)), (h(18), h(20))],
        );
        assert_eq!(free, vec![(h(9), h(10)), (h(11), h(12)), (h(15), h(18))]);
    }

    #[test]
    fn touching_edges_leave_the_window_whole() {
        let free = subtract(vec![(h(9), h(13))], vec![(h(8), h(9)), (h(13), h(14))]);
        assert_eq!(free, vec![(h(9), h(13))]);
    }
}
