//! The mail settings' checks: an SMTP mailer needs the public URL its links
//! point at, and the sender address must parse.

use std::time::Duration;

use super::{Config, ConfigError};
use crate::mail::{MailSettings, Mailer, Messages};

/// The longest [`Config::mail_retry_for`].
const MAX_RETRY_FOR: Duration = Duration::from_secs(7 * 24 * 3600);

impl Config {
    /// The mail settings, after checking an SMTP mailer has a public URL for
    /// its links and the sender address parses.
    pub(crate) fn mail_settings(&self) -> Result<MailSettings, ConfigError> {
        let public_url = self.checked_public_url()?;
        if matches!(self.mailer, Mailer::Smtp(_)) && public_url.is_none() {
            return Err(ConfigError::MailNeedsPublicUrl);
        }
        let from = self
            .mail_from
            .parse()
            .map_err(|_| ConfigError::MailFrom(self.mail_from.clone()))?;
        if !(Duration::from_secs(1)..=MAX_RETRY_FOR).contains(&self.mail_retry_for) {
            return Err(ConfigError::MailRetryFor(self.mail_retry_for));
        }
        // Links open the browser app's pages, served at the origin's root.
        let link_origin = public_url
            .and_then(|url| url::Url::parse(&url).ok())
            .map(|url| url.origin().ascii_serialization())
            .unwrap_or_default();
        Ok(MailSettings {
            mailer: self.mailer.clone(),
            from,
            messages: Messages {
                product: self.product_name.clone(),
                link_origin,
            },
            give_up_after: self.mail_retry_for,
            queued: tokio::sync::Notify::new(),
        })
    }
}
