//! Queued mail is sealed at rest. A message waits in the outbox (the database)
//! until delivered, up to `--mail-retry-for` during an SMTP outage, and its
//! bodies carry live verification and reset links: anyone who reads the
//! database, or a backup of it, must not be able to use them. The bodies are
//! sealed with the secrets key, bound to the recipient, when queued, and
//! opened by the sender just before delivery.

use super::OutgoingMail;
use crate::mfa::SecretsKey;

/// Marks a sealed body. Bodies without it were queued by a version that did
/// not seal, and are delivered as they are.
const SEALED: &str = "sealed:v1:";

/// `mail` with both bodies sealed for its recipient.
pub(super) fn seal(key: &SecretsKey, mut mail: OutgoingMail) -> OutgoingMail {
    let context = context(&mail.to);
    for body in [&mut mail.text, &mut mail.html] {
        *body = format!("{SEALED}{}", key.seal_bound(&context, body.as_bytes()));
    }
    mail
}

/// `mail` with its bodies opened; an error if one does not open (sealed under
/// another key, moved to another recipient, or altered), which no retry mends.
pub(super) fn open(key: &SecretsKey, mut mail: OutgoingMail) -> Result<OutgoingMail, String> {
    let context = context(&mail.to);
    for body in [&mut mail.text, &mut mail.html] {
        let Some(sealed) = body.strip_prefix(SEALED) else {
            continue;
        };
        let plain = key
            .open_bound(&context, sealed)
            .and_then(|plain| String::from_utf8(plain).ok())
            .ok_or("the queued message does not open with this secrets key")?;
        *body = plain;
    }
    Ok(mail)
}

/// What a body is bound to: its recipient, under a label of its own.
fn context(recipient: &str) -> Vec<u8> {
    [b"tessera outbox\0".as_slice(), recipient.as_bytes()].concat()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::JwtSecret;

    fn mail(to: &str) -> OutgoingMail {
        OutgoingMail {
            to: to.to_owned(),
            subject: "Reset your password".to_owned(),
            text: "https://app.example/reset-password#token=7.secret-part".to_owned(),
            html: "<a href=\"https://app.example/reset-password#token=7.secret-part\">".to_owned(),
        }
    }

    fn key() -> SecretsKey {
        SecretsKey::from_secret(&JwtSecret::generate())
    }

    #[test]
    fn sealed_bodies_hide_the_link_and_open_for_their_recipient_only() {
        let key = key();
        let sealed = seal(&key, mail("ann@example.org"));
        assert_eq!(sealed.subject, "Reset your password");
        for body in [&sealed.text, &sealed.html] {
            assert!(body.starts_with(SEALED), "{body}");
            assert!(!body.contains("secret-part"), "{body}");
        }
        assert_eq!(open(&key, sealed.clone()), Ok(mail("ann@example.org")));

        let moved = OutgoingMail {
            to: "eve@example.org".to_owned(),
            ..sealed.clone()
        };
        assert!(open(&key, moved).is_err(), "opened for another recipient");
        assert!(
            open(&self::key(), sealed).is_err(),
            "opened under another key"
        );
    }

    #[test]
    fn mail_queued_before_sealing_is_delivered_as_it_was() {
        let plain = mail("ann@example.org");
        assert_eq!(open(&key(), plain.clone()), Ok(plain));
    }
}
