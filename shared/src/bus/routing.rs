//! AMQP topic matching (`*` is one word, `#` is zero or more), used by the in-process bus to
//! route exactly as RabbitMQ's topic exchange does.

/// Whether `routing_key` matches the binding `pattern`.
pub fn topic_matches(pattern: &str, routing_key: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('.').collect();
    let key: Vec<&str> = routing_key.split('.').collect();
    matches_from(&pattern, &key)
}

fn matches_from(pattern: &[&str], key: &[&str]) -> bool {
    match pattern.split_first() {
        None => key.is_empty(),
        Some((&"#", rest)) => (0..=key.len()).any(|skip| matches_from(rest, &key[skip..])),
        Some((&"*", rest)) => !key.is_empty() && matches_from(rest, &key[1..]),
        Some((word, rest)) => key.first() == Some(word) && matches_from(rest, &key[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::topic_matches;

    #[test]
    fn topic_patterns_match_as_rabbitmq_does() {
        assert!(topic_matches("booking.approved", "booking.approved"));
        assert!(!topic_matches("booking.approved", "booking.rejected"));
        assert!(topic_matches("booking.*", "booking.rejected"));
        assert!(!topic_matches("booking.*", "booking.x.y"));
        assert!(topic_matches("#", "space.created"));
        assert!(topic_matches("space.#", "space"));
        assert!(topic_matches("*.created", "space.created"));
        assert!(!topic_matches("*.created", "created"));
    }
}
