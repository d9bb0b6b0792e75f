//! SMTP connections kept open and reused, one per email in flight. lettre's own pool hands a
//! connection back from a spawned task and tests it with a NOOP before each reuse, so under load
//! a sender keeps opening new connections (and closing surplus ones) and pays an extra round
//! trip per email — about 400 emails/s where the server takes thousands. Here a connection goes
//! back to the idle list as soon as its email is accepted, by the task that sent it, and is
//! reused as it is; one idle for longer than [`IDLE`] is closed rather than trusted, and a
//! reused connection that turns out dead before the email's data went out is replaced once.
//!
//! An email is sent in steps (MAIL, RCPT, DATA, then its content), so a failure can be placed:
//! before the content went out the server cannot have accepted it, and it is safe to try again;
//! once the content went out, a connection that breaks before the server's reply leaves the
//! outcome unknown ([`SendError::Unknown`]), and the email is not sent again by itself.
//!
//! Connections are opened with `TCP_NODELAY`: lettre writes the end of an email's data (`.`) as a
//! second small segment, which Nagle's algorithm would hold until the server's delayed ACK,
//! about 40 ms per email.
//!
//! The URL is read as lettre reads it: `smtp://host[:25]` (plain), `smtp://host[:587]?tls=required`
//! or `?tls=opportunistic` (STARTTLS), `smtps://host[:465]` (TLS); credentials in the user info.

use super::send_error::SendError;
use anyhow::Context;
use lettre::{
    address::Envelope,
    transport::smtp::{
        Error,
        authentication::{Credentials, Mechanism},
        client::{AsyncSmtpConnection, TlsParameters},
        commands::{Data, Mail, Rcpt},
        extension::{ClientId, Extension, MailBodyParameter, MailParameter},
    },
};
use std::{
    sync::Mutex,
    time::{Duration, Instant},
};

/// How long an unused connection is trusted to still be open.
const IDLE: Duration = Duration::from_secs(20);
/// Longest wait for the server, per command.
const TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Security {
    Plain,
    StartTls { required: bool },
    Tls,
}

/// Where and how to connect.
#[derive(Debug, Clone)]
struct Server {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<(String, String)>,
}

impl Server {
    fn from_url(text: &str) -> anyhow::Result<Self> {
        let url = url::Url::parse(text).context("not a URL")?;
        let host = url.host_str().context("no host")?.to_string();
        let tls = url
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.to_string());
        let (security, default_port) = match (url.scheme(), tls.as_deref()) {
            ("smtp", None) => (Security::Plain, 25),
            ("smtp", Some("required")) => (Security::StartTls { required: true }, 587),
            ("smtp", Some("opportunistic")) => (Security::StartTls { required: false }, 587),
            ("smtps", _) => (Security::Tls, 465),
            (scheme, tls) => anyhow::bail!("unsupported SMTP URL (scheme {scheme}, tls {tls:?})"),
        };
        let decode = |s: &str| {
            percent_decode(s).with_context(|| "the credentials are not valid percent-encoding")
        };
        let credentials = if url.username().is_empty() {
            None
        } else {
            Some((
                decode(url.username())?,
                decode(url.password().unwrap_or(""))?,
            ))
        };
        Ok(Self {
            port: url.port().unwrap_or(default_port),
            host,
            security,
            credentials,
        })
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        self.open().await.map_err(|e| match e {
            Opening::Tcp(e) => SendError::Unavailable(e.to_string()),
            Opening::Smtp(e) => classify(e),
        })
    }

    async fn open(&self) -> Result<AsyncSmtpConnection, Opening> {
        let hello = ClientId::default();
        let mut conn = if self.security == Security::Tls {
            let tls = TlsParameters::new(self.host.clone())?;
            AsyncSmtpConnection::connect_tokio1(
                (self.host.as_str(), self.port),
                Some(TIMEOUT),
                &hello,
                Some(tls),
                None,
            )
            .await?
        } else {
            let connecting = tokio::net::TcpStream::connect((self.host.as_str(), self.port));
            let tcp = tokio::time::timeout(TIMEOUT, connecting)
                .await
                .map_err(|_| {
                    std::io::Error::new(std::io::ErrorKind::TimedOut, "connect timed out")
                })??;
            tcp.set_nodelay(true)?;
            AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &hello).await?
        };
        if let Security::StartTls { required } = self.security
            && (required || conn.can_starttls())
        {
            conn.starttls(TlsParameters::new(self.host.clone())?, &hello)
                .await?;
        }
        if let Some((user, password)) = &self.credentials {
            let credentials = Credentials::new(user.clone(), password.clone());
            conn.auth(&[Mechanism::Plain, Mechanism::Login], &credentials)
                .await?;
        }
        Ok(conn)
    }
}

/// Why a connection could not be opened.
enum Opening {
    Tcp(std::io::Error),
    Smtp(Error),
}

impl From<std::io::Error> for Opening {
    fn from(e: std::io::Error) -> Self {
        Opening::Tcp(e)
    }
}

impl From<Error> for Opening {
    fn from(e: Error) -> Self {
        Opening::Smtp(e)
    }
}

/// What a failure from lettre means for the email.
pub fn classify(e: Error) -> SendError {
    if e.is_permanent() {
        SendError::Permanent(e.to_string())
    } else if e.is_transient() {
        // A 4xx reply: the server is there and said "not now" to this email.
        SendError::Temporary(e.to_string())
    } else {
        SendError::Unavailable(e.to_string())
    }
}

fn percent_decode(text: &str) -> anyhow::Result<String> {
    let bytes: Vec<u8> =
        url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
            .next()
            .map(|(_, v)| v.into_owned().into_bytes())
            .unwrap_or_default();
    Ok(String::from_utf8(bytes)?)
}

/// Open connections to one SMTP server, reused across emails.
pub struct Connections {
    server: Server,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
}

impl std::fmt::Debug for Connections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connections")
            .field("host", &self.server.host)
            .field("port", &self.server.port)
            .finish()
    }
}

impl Connections {
    /// Connections to the server `url` names (nothing is opened until the first email).
    pub fn new(url: &str) -> anyhow::Result<Self> {
        Ok(Self {
            server: Server::from_url(url).context("reading smtp_url")?,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// A connection trusted to be open: a recently used one, or a new one (`fresh`).
    async fn take(&self) -> Result<(AsyncSmtpConnection, bool), SendError> {
        loop {
            let idle = self.idle.lock().map(|mut idle| idle.pop()).ok().flatten();
            match idle {
                Some((conn, at)) if at.elapsed() < IDLE => return Ok((conn, false)),
                // Too long unused: the server may have closed it; do not wait to find out.
                Some((mut conn, _)) => conn.abort().await,
                None => return Ok((self.server.connect().await?, true)),
            }
        }
    }

    fn give_back(&self, conn: AsyncSmtpConnection) {
        if conn.has_broken() {
            return;
        }
        if let Ok(mut idle) = self.idle.lock() {
            idle.push((conn, Instant::now()));
        }
    }

    /// Sends one email. A reused connection found dead before the email's content went out is
    /// replaced once; a refusal (a reply from the server) is returned as it is; a connection
    /// lost after the content went out is [`SendError::Unknown`].
    pub async fn send(&self, envelope: &Envelope, email: &[u8]) -> Result<(), SendError> {
        let (mut conn, fresh) = self.take().await?;
        match transmit(&mut conn, envelope, email).await {
            Ok(()) => {
                self.give_back(conn);
                Ok(())
            }
            Err(Failure::Before(error)) if !fresh && error.status().is_none() => {
                conn.abort().await;
                let mut conn = self.server.connect().await?;
                match transmit(&mut conn, envelope, email).await {
                    Ok(()) => {
                        self.give_back(conn);
                        Ok(())
                    }
                    Err(failure) => {
                        conn.abort().await;
                        Err(failure.into())
                    }
                }
            }
            Err(failure) => {
                conn.abort().await;
                Err(failure.into())
            }
        }
    }
}

/// Where sending an email failed.
enum Failure {
    /// Before its content went out: the server has not accepted it.
    Before(Error),
    /// The server cannot take it as it is (non-ASCII without the extension for it).
    Unsupported(&'static str),
    /// While or after its content went out.
    After(Error),
}

impl From<Failure> for SendError {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Before(error) => classify(error),
            Failure::Unsupported(why) => SendError::Permanent(why.to_string()),
            // The server answered: it refused, as at any other step.
            Failure::After(error) if error.status().is_some() => classify(error),
            // No answer after the content: it may have been accepted.
            Failure::After(error) => SendError::Unknown(error.to_string()),
        }
    }
}

/// lettre's `AsyncSmtpConnection::send`, step by step, telling where it failed.
async fn transmit(
    conn: &mut AsyncSmtpConnection,
    envelope: &Envelope,
    email: &[u8],
) -> Result<(), Failure> {
    let mut options = vec![];
    let non_ascii_address = envelope
        .to()
        .iter()
        .chain(envelope.from())
        .any(|address| !AsRef::<str>::as_ref(address).is_ascii());
    if non_ascii_address {
        if !conn.server_info().supports_feature(Extension::SmtpUtfEight) {
            return Err(Failure::Unsupported(
                "the address is not ASCII and the server does not take SMTPUTF8",
            ));
        }
        options.push(MailParameter::SmtpUtfEight);
    }
    if !email.is_ascii() {
        if !conn.server_info().supports_feature(Extension::EightBitMime) {
            return Err(Failure::Unsupported(
                "the email is not ASCII and the server does not take 8BITMIME",
            ));
        }
        options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    conn.command(Mail::new(envelope.from().cloned(), options))
        .await
        .map_err(Failure::Before)?;
    for to in envelope.to() {
        conn.command(Rcpt::new(to.clone(), vec![]))
            .await
            .map_err(Failure::Before)?;
    }
    conn.command(Data).await.map_err(Failure::Before)?;
    conn.message(email).await.map_err(Failure::After)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_read_as_lettre_reads_them() {
        let plain = Server::from_url("smtp://127.0.0.1:2525").unwrap();
        assert_eq!((plain.port, plain.security), (2525, Security::Plain));
        let submission = Server::from_url("smtp://mail.example.org?tls=required").unwrap();
        assert_eq!(submission.port, 587);
        assert_eq!(submission.security, Security::StartTls { required: true });
        let tls = Server::from_url("smtps://piazza%40comune.it:p%2Bss@mail:465").unwrap();
        assert_eq!(tls.security, Security::Tls);
        assert_eq!(
            tls.credentials,
            Some(("piazza@comune.it".into(), "p+ss".into()))
        );
        assert!(Server::from_url("http://mail").is_err());
    }
}
