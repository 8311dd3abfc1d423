//! Queued mail is sealed at rest. A message waits in the outbox (the database)
//! until delivered, up to `--mail-retry-for` during an SMTP outage, and its
//! bodies carry live verification and reset links: anyone who reads the
//! database, or a backup of it, must not be able to use them. The bodies are
//! sealed with the secrets key's outbox subkey, bound to the message, when
//! queued, and opened by the sender just before delivery.

use super::OutgoingMail;
use crate::mfa::SecretsKey;

/// Marks a sealed body. Bodies without it were queued by a version that did
/// not seal, and are delivered as they are.
const SEALED: &str = "sealed:v1:";

/// `mail` with both bodies sealed for its recipient and subject.
pub(super) fn seal(key: &SecretsKey, mail: OutgoingMail) -> OutgoingMail {
    let sealed = |part, body: &str| {
        let context = context(&mail, part);
        format!("{SEALED}{}", key.seal_mail(&context, body.as_bytes()))
    };
    OutgoingMail {
        text: sealed(TEXT, &mail.text),
        html: sealed(HTML, &mail.html),
        ..mail
    }
}

/// `mail` with its bodies opened; an error if one does not open (sealed under
/// another key, moved to another message, or altered), which no retry mends.
pub(super) fn open(key: &SecretsKey, mail: &OutgoingMail) -> Result<OutgoingMail, String> {
    let opened = |part, body: &str| match body.strip_prefix(SEALED) {
        None => Ok(body.to_owned()),
        Some(sealed) => key
            .open_mail(&context(mail, part), sealed)
            .and_then(|plain| String::from_utf8(plain).ok())
            .ok_or("the queued message does not open with this secrets key"),
    };
    Ok(OutgoingMail {
        to: mail.to.clone(),
        subject: mail.subject.clone(),
        text: opened(TEXT, &mail.text)?,
        html: opened(HTML, &mail.html)?,
    })
}

/// Which body a sealed part is, so the two cannot trade places.
const TEXT: &[u8] = b"text";
const HTML: &[u8] = b"html";

/// What a body is bound to: its message's recipient and subject, and which
/// body it is; each field length-prefixed, so no two messages share one.
fn context(mail: &OutgoingMail, part: &[u8]) -> Vec<u8> {
    let mut context = b"tessera outbox v1".to_vec();
    for field in [mail.to.as_bytes(), mail.subject.as_bytes(), part] {
        context.extend_from_slice(&(field.len() as u64).to_be_bytes());
        context.extend_from_slice(field);
    }
    context
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
        assert_eq!(open(&key, &sealed), Ok(mail("ann@example.org")));

        let moved = OutgoingMail {
            to: "eve@example.org".to_owned(),
            ..sealed.clone()
        };
        assert!(open(&key, &moved).is_err(), "opened for another recipient");
        let retitled = OutgoingMail {
            subject: "Your new password".to_owned(),
            ..sealed.clone()
        };
        assert!(
            open(&key, &retitled).is_err(),
            "opened under another subject"
        );
        let swapped = OutgoingMail {
            text: sealed.html.clone(),
            html: sealed.text.clone(),
            ..sealed.clone()
        };
        assert!(open(&key, &swapped).is_err(), "the bodies traded places");
        assert!(
            open(&self::key(), &sealed).is_err(),
            "opened under another key"
        );
    }

    #[test]
    fn mail_queued_before_sealing_is_delivered_as_it_was() {
        let plain = mail("ann@example.org");
        assert_eq!(open(&key(), &plain), Ok(plain));
    }
}
