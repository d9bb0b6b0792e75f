//! TLS for Piazza's outgoing HTTP clients (calendar imports, the OTLP exporter, the tests'
//! clients): rustls on the ring provider, which lettre's SMTP connections already bring, so the
//! build carries one cryptography library. reqwest leaves the choice to the process, and refuses
//! to build a client until one is made.

use std::sync::Once;

/// Makes ring the process's rustls provider, once; a provider chosen before stays.
pub fn use_ring() {
    static CHOSEN: Once = Once::new();
    CHOSEN.call_once(|| {
        // An error means another provider was installed first, which serves as well. rustls
        // marks ring's provider deprecated because it lacks post-quantum key exchange; it stays
        // while lettre's SMTP connections are built on ring (aws-lc-rs would be a second
        // cryptography library, built from C).
        #[allow(deprecated)]
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// A `reqwest` client builder, with the process's TLS provider chosen.
pub fn client_builder() -> reqwest::ClientBuilder {
    use_ring();
    reqwest::Client::builder()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_client_builds_once_the_provider_is_chosen() {
        super::client_builder().build().unwrap();
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
    }
}
