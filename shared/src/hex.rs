//! Bytes written as lowercase hexadecimal, the one way Piazza spells digests, key ids, nonces and
//! trace ids in text.

/// `bytes` as lowercase hex, two digits a byte.
pub fn lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_byte_is_two_lowercase_digits() {
        assert_eq!(super::lower(&[0, 10, 255]), "000aff");
        assert_eq!(super::lower(&[]), "");
    }
}
