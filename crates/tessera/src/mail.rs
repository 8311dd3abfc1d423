//! Mail: where it goes ([`Mailer`]), what it says (`messages`), and how it
//! gets there: requests only queue messages in the store's outbox, and the
//! `sender` run by every instance's maintenance delivers them, with retries.

mod messages;
mod sealed;
mod sender;

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::Mailbox;
use tokio::sync::Notify;

use crate::clock::unix_now;
use crate::mfa::SecretsKey;
use crate::store::{OutgoingMail, Store};

pub(crate) use messages::{Messages, RESET_PASSWORD_PAGE, VERIFY_EMAIL_PAGE};
pub(crate) use sender::run as run_sender;

/// How queued mail leaves the server.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum Mailer {
    /// Every message, links included, is written to the log (target
    /// `tessera::mail`): for development, where no mail server runs.
    #[default]
    Log,
    /// Delivered to an SMTP server.
    Smtp(SmtpServer),
}

/// An SMTP server and how to talk to it, from
/// `smtp://[user:password@]host[:port][?tls=starttls|tls|none]`.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpServer {
    /// Host name or address.
    pub host: String,
    /// Port. Default: 587 with STARTTLS, 465 with TLS, 25 without.
    pub port: u16,
    /// Transport security.
    pub tls: SmtpTls,
    /// `(user, password)` to authenticate with, if any.
    pub credentials: Option<(String, String)>,
}

/// Transport security towards the SMTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS, which is required (the default).
    StartTls,
    /// TLS from the first byte (SMTPS).
    Tls,
    /// No encryption: only for a relay on the same host or network.
    None,
}

impl FromStr for Mailer {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        if value.eq_ignore_ascii_case("log") {
            return Ok(Self::Log);
        }
        // The message never repeats the value: it may hold a password.
        let bad = |why: &str| {
            format!("mailer must be `log` or smtp://[user:password@]host[:port][?tls=starttls|tls|none]: {why}")
        };
        let url = url::Url::parse(value).map_err(|_| bad("not a URL"))?;
        if url.scheme() != "smtp" {
            return Err(bad("the scheme is not smtp"));
        }
        let host = url
            .host_str()
            .filter(|host| !host.is_empty())
            .ok_or_else(|| bad("no host"))?;
        let mut tls = SmtpTls::StartTls;
        for (key, value) in url.query_pairs() {
            match (key.as_ref(), value.as_ref()) {
                ("tls", "starttls") => tls = SmtpTls::StartTls,
                ("tls", "tls") => tls = SmtpTls::Tls,
                ("tls", "none") => tls = SmtpTls::None,
                _ => return Err(bad("the only query parameter is tls=starttls|tls|none")),
            }
        }
        let port = url.port().unwrap_or(match tls {
            SmtpTls::StartTls => 587,
            SmtpTls::Tls => 465,
            SmtpTls::None => 25,
        });
        let decode = |part: &str| {
            percent_decode(part)
                .ok_or_else(|| bad("user or password is not valid percent-encoded UTF-8"))
        };
        let credentials = match (url.username(), url.password()) {
            ("", None) => None,
            (user, password) => Some((decode(user)?, decode(password.unwrap_or(""))?)),
        };
        Ok(Self::Smtp(SmtpServer {
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned(),
            port,
            tls,
            credentials,
        }))
    }
}

fn percent_decode(part: &str) -> Option<String> {
    let bytes = part.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(decoded).ok()
}

// By hand, as the URL form with the password masked: a mailer is logged at
// start, and its password must never be.
impl fmt::Display for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Log => f.write_str("log"),
            Self::Smtp(server) => {
                f.write_str("smtp://")?;
                if let Some((user, _)) = &server.credentials {
                    write!(f, "{user}:***@")?;
                }
                let tls = match server.tls {
                    SmtpTls::StartTls => "starttls",
                    SmtpTls::Tls => "tls",
                    SmtpTls::None => "none",
                };
                write!(f, "{}:{}?tls={tls}", server.host, server.port)
            }
        }
    }
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Debug for SmtpServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&Mailer::Smtp(self.clone()), f)
    }
}

/// Everything the routes and the sender need to know about mail.
pub(crate) struct MailSettings {
    /// Where messages go.
    pub(crate) mailer: Mailer,
    /// The `From:` of every message.
    pub(crate) from: Mailbox,
    /// How messages read, and where their links point.
    pub(crate) messages: Messages,
    /// How long a message is retried before it is given up on.
    pub(crate) give_up_after: Duration,
    /// Wakes this instance's sender when a request queued a message.
    pub(crate) queued: Notify,
}

impl MailSettings {
    /// Queues `mail` for delivery, its bodies sealed with `key`. Never fails
    /// the request that causes it: a message that cannot even be queued is
    /// logged and dropped.
    pub(crate) async fn send(
        self: &Arc<Self>,
        store: &Store,
        key: &SecretsKey,
        mail: OutgoingMail,
    ) {
        let mail = sealed::seal(key, mail);
        match store.enqueue_mail(&mail, unix_now()).await {
            Ok(()) => self.queued.notify_one(),
            Err(err) => {
                tracing::error!(error = %err, subject = %mail.subject, "cannot queue a message; it is not sent");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailers_parse_and_never_show_the_password() {
        assert_eq!("log".parse::<Mailer>().unwrap(), Mailer::Log);
        let mailer: Mailer = "smtp://mail%40example.org:s3cr%3At@smtp.example.org?tls=tls"
            .parse()
            .unwrap();
        let Mailer::Smtp(server) = &mailer else {
            panic!("not smtp")
        };
        assert_eq!(server.host, "smtp.example.org");
        assert_eq!(server.port, 465);
        assert_eq!(server.tls, SmtpTls::Tls);
        assert_eq!(
            server.credentials,
            Some(("mail@example.org".to_owned(), "s3cr:t".to_owned()))
        );
        for shown in [
            mailer.to_string(),
            format!("{mailer:?}"),
            format!("{server:?}"),
        ] {
            assert!(!shown.contains("s3cr"), "{shown}");
            assert!(shown.contains(":***@"), "{shown}");
        }
        let plain: Mailer = "smtp://127.0.0.1:2525?tls=none".parse().unwrap();
        assert_eq!(plain.to_string(), "smtp://127.0.0.1:2525?tls=none");
        assert_eq!(
            "smtp://relay".parse::<Mailer>().unwrap().to_string(),
            "smtp://relay:587?tls=starttls"
        );
        for bad in [
            "",
            "smtp://",
            "http://relay",
            "smtp://relay?tls=maybe",
            "smtp://u:hunter2@?x",
        ] {
            let err = bad.parse::<Mailer>().unwrap_err();
            assert!(!err.contains("hunter2"), "{err}");
        }
    }
}
