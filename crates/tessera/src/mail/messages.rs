//! What Tessera mails: each message in plain text and HTML, naming the product
//! and, where there is one, the link to the browser app's page for the step.

use std::time::Duration;

use crate::store::OutgoingMail;

/// The browser app's page that takes a verification link's token.
pub(crate) const VERIFY_EMAIL_PAGE: &str = "/verify-email";
/// The browser app's page that takes a reset link's token.
pub(crate) const RESET_PASSWORD_PAGE: &str = "/reset-password";

/// Writes the messages.
#[derive(Debug, Clone)]
pub(crate) struct Messages {
    /// The product name shown in subjects and bodies.
    pub(crate) product: String,
    /// The origin links point at (`https://app.example`), or empty: then
    /// links are relative, which the log mailer's readers can still follow.
    pub(crate) link_origin: String,
}

impl Messages {
    /// The link that opens `page` with `token`. The token goes in the
    /// fragment, which browsers never send to a server, so it stays out of
    /// access logs and `Referer` headers.
    pub(crate) fn link(&self, page: &str, token: &str) -> String {
        format!("{}{page}#token={token}", self.link_origin)
    }

    /// Asks to confirm `to` with `link`, valid for `valid_for`.
    pub(crate) fn verify_email(&self, to: &str, link: &str, valid_for: Duration) -> OutgoingMail {
        let hours = valid_for.as_secs() / 3600;
        self.mail(
            to,
            "Confirm your email address",
            &format!(
                "Please confirm that {to} is your email address for your {} account by opening this link (valid for {hours} hours):",
                self.product
            ),
            Some(link),
            "If you did not ask for this, ignore this message.",
        )
    }

    /// Tells the old address `to` that the account's address became `new`.
    pub(crate) fn email_changed(&self, to: &str, username: &str, new: &str) -> OutgoingMail {
        self.mail(
            to,
            "Your email address was changed",
            &format!(
                "The email address of your {} account {username} was changed to {new}.",
                self.product
            ),
            None,
            "If you did not do this, reset your password and contact the administrator.",
        )
    }

    /// Sends a password reset `link` for `username` to `to`.
    pub(crate) fn reset_password(
        &self,
        to: &str,
        username: &str,
        link: &str,
        valid_for: Duration,
    ) -> OutgoingMail {
        let minutes = valid_for.as_secs() / 60;
        self.mail(
            to,
            "Reset your password",
            &format!(
                "Someone asked to reset the password of your {} account {username}. To choose a new password, open this link (valid for {minutes} minutes, once):",
                self.product
            ),
            Some(link),
            "If you did not ask for this, ignore this message: your password stays as it is.",
        )
    }

    /// Tells `to` that the password of `username` was reset.
    pub(crate) fn password_was_reset(&self, to: &str, username: &str) -> OutgoingMail {
        self.mail(
            to,
            "Your password was reset",
            &format!(
                "The password of your {} account {username} was reset, and every device signed in to it was signed out.",
                self.product
            ),
            None,
            "If you did not do this, contact the administrator at once.",
        )
    }

    fn mail(
        &self,
        to: &str,
        subject: &str,
        lead: &str,
        link: Option<&str>,
        closing: &str,
    ) -> OutgoingMail {
        let product = &self.product;
        let mut text = format!("{lead}\n\n");
        let mut html = format!(
            "<!DOCTYPE html>\n<html><body style=\"font-family: sans-serif\">\n<h1>{}</h1>\n<p>{}</p>\n",
            escape(product),
            escape(lead)
        );
        if let Some(link) = link {
            text.push_str(&format!("{link}\n\n"));
            html.push_str(&format!("<p><a href=\"{0}\">{0}</a></p>\n", escape(link)));
        }
        text.push_str(&format!("{closing}\n\n-- \n{product}\n"));
        html.push_str(&format!("<p>{}</p>\n</body></html>\n", escape(closing)));
        OutgoingMail {
            to: to.to_owned(),
            subject: format!("{product}: {subject}"),
            text,
            html,
        }
    }
}

/// `text` safe inside HTML text and double-quoted attributes.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_carry_the_product_and_the_link_in_both_bodies() {
        let messages = Messages {
            product: "Acme <Auth>".to_owned(),
            link_origin: "https://app.example".to_owned(),
        };
        let link = messages.link(RESET_PASSWORD_PAGE, "7.abc");
        assert_eq!(link, "https://app.example/reset-password#token=7.abc");
        let mail =
            messages.reset_password("a@example.org", "alice", &link, Duration::from_secs(1800));
        assert!(mail.subject.starts_with("Acme <Auth>: "));
        assert!(mail.text.contains(&link) && mail.text.contains("30 minutes"));
        assert!(mail.html.contains(&format!("href=\"{link}\"")));
        assert!(mail.html.contains("Acme &lt;Auth&gt;") && !mail.html.contains("<Auth>"));
    }
}
