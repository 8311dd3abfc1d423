//! The outbox's sender, one per instance (in its maintenance): claims due
//! messages, delivers them, and retries failures with exponential backoff
//! until the message is too old, then gives up with an audit event.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{sealed, MailSettings, Mailer, SmtpServer, SmtpTls};
use crate::clock::unix_now;
use crate::mfa::SecretsKey;
use crate::store::{OutboxMessage, Store};

/// How often the outbox is looked at when nothing woke the sender: messages
/// other instances queued, and retries falling due.
const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// How long a claimed message is this sender's: past the SMTP timeout, so a
/// message is only taken over from a sender that stopped.
const CLAIM: Duration = Duration::from_secs(120);
/// Longest an SMTP conversation may stall.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);
/// The first retry's delay; each further one doubles it, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(10 * 60);
/// Messages claimed at once.
const BATCH: i64 = 10;

/// Delivers the outbox, opening each message with `key`, until dropped.
pub(crate) async fn run(store: Store, mail: Arc<MailSettings>, key: Arc<SecretsKey>) {
    let transport = match &mail.mailer {
        Mailer::Log => None,
        Mailer::Smtp(server) => match smtp_transport(server) {
            Ok(transport) => Some(transport),
            Err(err) => {
                tracing::error!(error = %err, mailer = %mail.mailer, "cannot set up the SMTP transport; mail stays queued");
                return;
            }
        },
    };
    loop {
        let now = unix_now();
        match store.claim_mail(now, now + CLAIM.as_secs(), BATCH).await {
            Ok(claimed) => {
                let full = claimed.len() as i64 == BATCH;
                for message in claimed {
                    let message = match sealed::open(&key, &message.mail) {
                        Ok(opened) => OutboxMessage {
                            mail: opened,
                            ..message
                        },
                        Err(err) => {
                            give_up(&store, &message, &err).await;
                            continue;
                        }
                    };
                    deliver(&store, &mail, transport.as_ref(), message).await;
                }
                if full {
                    continue;
                }
            }
            Err(err) => tracing::warn!(error = %err, "cannot read the mail outbox"),
        }
        tokio::select! {
            () = mail.queued.notified() => {}
            () = tokio::time::sleep(POLL_INTERVAL) => {}
        }
    }
}

/// One attempt at `message`; the outbox row is deleted, or released for a retry.
async fn deliver(
    store: &Store,
    mail: &MailSettings,
    transport: Option<&AsyncSmtpTransport<Tokio1Executor>>,
    message: OutboxMessage,
) {
    let outcome = match transport {
        None => {
            let body = &message.mail;
            tracing::info!(target: "tessera::mail", to = %body.to, subject = %body.subject, "mail (log mailer):\n{}", body.text);
            Ok(())
        }
        Some(transport) => match build(&mail.from, &message) {
            Ok(email) => transport
                .send(email)
                .await
                .map(|_| ())
                .map_err(|err| err.to_string()),
            Err(err) => {
                // Nothing a retry could change.
                give_up(store, &message, &err).await;
                return;
            }
        },
    };
    let id = message.id;
    match outcome {
        Ok(()) => {
            tracing::info!(target: "tessera::audit", event = "mail_sent", to = %message.mail.to, subject = %message.mail.subject, attempts = message.attempts, "mail delivered");
            if let Err(err) = store.delete_mail(id).await {
                // It will be sent again once its claim lapses: rather twice than never.
                tracing::warn!(error = %err, id, "delivered mail stays in the outbox");
            }
        }
        Err(err) => {
            let now = unix_now();
            if now.saturating_sub(message.created_at) >= mail.give_up_after.as_secs() {
                give_up(store, &message, &err).await;
                return;
            }
            let next = now + backoff(message.attempts).as_secs();
            tracing::warn!(error = %err, to = %message.mail.to, attempts = message.attempts, retry_in = next - now, "mail not delivered; will retry");
            if let Err(err) = store.retry_mail(id, next, &err).await {
                tracing::warn!(error = %err, id, "cannot record the failed attempt");
            }
        }
    }
}

async fn give_up(store: &Store, message: &OutboxMessage, error: &str) {
    tracing::warn!(target: "tessera::audit", event = "mail_given_up", to = %message.mail.to, subject = %message.mail.subject, attempts = message.attempts, %error, "mail given up");
    if let Err(err) = store.delete_mail(message.id).await {
        tracing::warn!(error = %err, id = message.id, "cannot drop given-up mail");
    }
}

/// The wait after failed attempt number `attempts` (1 for the first).
fn backoff(attempts: u32) -> Duration {
    let doublings = attempts.saturating_sub(1).min(20);
    (FIRST_BACKOFF * 2u32.pow(doublings)).min(MAX_BACKOFF)
}

fn build(from: &Mailbox, message: &OutboxMessage) -> Result<Message, String> {
    let to: Mailbox = message
        .mail
        .to
        .parse()
        .map_err(|err| format!("bad recipient: {err}"))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(message.mail.subject.clone())
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(message.mail.text.clone()),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(message.mail.html.clone()),
                ),
        )
        .map_err(|err| format!("cannot build the message: {err}"))
}

fn smtp_transport(
    server: &SmtpServer,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, lettre::transport::smtp::Error> {
    let builder = match server.tls {
        SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&server.host)?,
        SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&server.host)?,
        SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&server.host),
    };
    let builder = builder.port(server.port).timeout(Some(SMTP_TIMEOUT));
    let builder = match &server.credentials {
        Some((user, password)) => {
            builder.credentials(Credentials::new(user.clone(), password.clone()))
        }
        None => builder,
    };
    Ok(builder.build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_a_bound() {
        assert_eq!(backoff(1), Duration::from_secs(1));
        assert_eq!(backoff(2), Duration::from_secs(2));
        assert_eq!(backoff(5), Duration::from_secs(16));
        assert_eq!(backoff(40), MAX_BACKOFF);
    }
}
