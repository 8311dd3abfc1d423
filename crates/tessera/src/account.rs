//! Account self-service by mail: email addresses and their verification, and
//! password reset links.
//!
//! A link carries `<user id>.<secret>`; the store keeps one SHA-256 per user
//! and purpose, so a newer link voids the older, using one deletes it, and a
//! database leak yields no usable link. The rules know the store and the
//! mail settings, not HTTP: `crate::error` answers their errors.

mod links;

use std::sync::Arc;
use std::time::Duration;

use crate::clock::unix_now;
use crate::mail::{MailSettings, RESET_PASSWORD_PAGE, VERIFY_EMAIL_PAGE};
use crate::mfa::SecretsKey;
use crate::store::{AccountToken, Store, StoreError, StoredUser, TokenPurpose};

pub(crate) use links::LinkError;

/// How long a verification link works.
pub const VERIFY_EMAIL_TTL: Duration = Duration::from_secs(24 * 3600);
/// How long a password reset link works.
pub const RESET_PASSWORD_TTL: Duration = Duration::from_secs(30 * 60);

/// A new password reset link for the user named `username` (voiding older
/// ones), valid for [`RESET_PASSWORD_TTL`], not mailed: for operators
/// (`tessera user reset-link`). `link_origin` is where the browser app is
/// served, such as `https://app.example`. `None` when there is no such user.
pub(crate) async fn password_reset_link(
    store: &Store,
    link_origin: &str,
    username: &str,
) -> Result<Option<String>, StoreError> {
    let Some(user) = store.find_user_by_name(username).await? else {
        return Ok(None);
    };
    // Not bound to an address: the operator hands it over, not the mail.
    let token = new_reset_token(store, user.id, None).await?;
    tracing::info!(target: "tessera::audit", event = "password_reset_link_issued", user_id = user.id, "password reset link issued by an operator");
    let origin = link_origin.trim_end_matches('/');
    Ok(Some(format!("{origin}{RESET_PASSWORD_PAGE}#token={token}")))
}

/// A new reset link for `user_id`, bound to the verified address it is
/// mailed to (if any): it works only while that still is the user's.
async fn new_reset_token(
    store: &Store,
    user_id: i64,
    mailed_to: Option<&str>,
) -> Result<String, StoreError> {
    let mailed_to = mailed_to.map(str::to_owned);
    let (token, stored) = links::new_link(user_id, mailed_to, RESET_PASSWORD_TTL);
    store
        .put_account_token(user_id, TokenPurpose::ResetPassword, &stored)
        .await?;
    Ok(token)
}

/// The self-service rules over the store and the mail settings.
#[derive(Clone, Copy)]
pub(crate) struct SelfService<'a> {
    store: &'a Store,
    mail: &'a Arc<MailSettings>,
    key: &'a SecretsKey,
}

impl<'a> SelfService<'a> {
    /// The rules over `store`, mailing through `mail` (sealed with `key`
    /// while queued).
    pub(crate) fn new(store: &'a Store, mail: &'a Arc<MailSettings>, key: &'a SecretsKey) -> Self {
        Self { store, mail, key }
    }

    /// Mails a new verification link for `user`'s address (voiding older ones).
    pub(crate) async fn send_verification(self, user: &StoredUser) -> Result<(), StoreError> {
        let Some(email) = &user.email else {
            return Ok(());
        };
        let (token, stored) = links::new_link(user.id, Some(email.clone()), VERIFY_EMAIL_TTL);
        self.store
            .put_account_token(user.id, TokenPurpose::VerifyEmail, &stored)
            .await?;
        let messages = &self.mail.messages;
        let link = messages.link(VERIFY_EMAIL_PAGE, &token);
        let mail = messages.verify_email(email, &link, VERIFY_EMAIL_TTL);
        self.mail.send(self.store, self.key, mail).await;
        tracing::info!(target: "tessera::audit", event = "email_verification_sent", user_id = user.id, "verification link sent");
        Ok(())
    }

    /// Gives `user` the (normalised) address `email`, unverified, tells the
    /// old address, and mails a verification link to the new one. Returns
    /// the user as now stored.
    pub(crate) async fn change_email(
        self,
        user: &StoredUser,
        email: &str,
    ) -> Result<StoredUser, StoreError> {
        self.store.set_email(user.id, Some(email)).await?;
        tracing::info!(target: "tessera::audit", event = "email_changed", user_id = user.id, "email address changed");
        if let Some(old) = user.email.as_deref().filter(|old| *old != email) {
            let mail = self.mail.messages.email_changed(old, &user.username, email);
            self.mail.send(self.store, self.key, mail).await;
        }
        let updated = self
            .store
            .find_user_by_id(user.id)
            .await?
            .ok_or(StoreError::Database(sqlx::Error::RowNotFound))?;
        self.send_verification(&updated).await?;
        Ok(updated)
    }

    /// Marks the address a verification `token` was sent to as verified.
    pub(crate) async fn verify_email(self, token: &str) -> Result<(), LinkError> {
        let (user_id, stored) = self.redeem(token, TokenPurpose::VerifyEmail).await?;
        let email = stored.email.unwrap_or_default();
        if !self
            .store
            .mark_email_verified(user_id, &email, unix_now())
            .await?
        {
            // The address changed since the link was sent (which also voids it).
            return Err(LinkError::Superseded);
        }
        tracing::info!(target: "tessera::audit", event = "email_verified", user_id, "email address verified");
        Ok(())
    }

    /// Mails `user` a password reset link (voiding older ones), if the user
    /// has a verified address to mail it to. Never to an unverified one:
    /// whoever typed that address at sign-up (or in `PUT /me/email`) need not
    /// own it, and a reset link hands over the account.
    pub(crate) async fn send_reset(self, user: &StoredUser) -> Result<(), StoreError> {
        let Some(email) = user.email.as_ref().filter(|_| user.email_verified) else {
            tracing::info!(target: "tessera::audit", event = "password_reset_unsendable", user_id = user.id, has_email = user.email.is_some(), "password reset asked for an account without a verified email address");
            return Ok(());
        };
        let token = self.reset_link(user, email).await?;
        let mail =
            self.mail
                .messages
                .reset_password(email, &user.username, &token, RESET_PASSWORD_TTL);
        self.mail.send(self.store, self.key, mail).await;
        tracing::info!(target: "tessera::audit", event = "password_reset_sent", user_id = user.id, "password reset link sent");
        Ok(())
    }

    /// A new password reset link for `user` (voiding older ones), to be
    /// mailed to `email`.
    async fn reset_link(self, user: &StoredUser, email: &str) -> Result<String, StoreError> {
        let token = new_reset_token(self.store, user.id, Some(email)).await?;
        Ok(self.mail.messages.link(RESET_PASSWORD_PAGE, &token))
    }

    /// Uses a reset `token`: the user it was issued to, whose password the
    /// caller now sets. The token works once.
    pub(crate) async fn redeem_reset(self, token: &str) -> Result<StoredUser, LinkError> {
        let (user_id, _) = self.redeem(token, TokenPurpose::ResetPassword).await?;
        self.store
            .find_user_by_id(user_id)
            .await?
            .ok_or(LinkError::Unknown)
    }

    /// Tells `user` the password was reset.
    pub(crate) async fn notify_reset(self, user: &StoredUser) {
        if let Some(email) = &user.email {
            let mail = self.mail.messages.password_was_reset(email, &user.username);
            self.mail.send(self.store, self.key, mail).await;
        }
    }

    /// Whether a reset `token` is live, without using it: so a forged link
    /// is refused before any password is hashed for it.
    pub(crate) async fn check_reset(self, token: &str) -> Result<(), LinkError> {
        self.check(token, TokenPurpose::ResetPassword).await?;
        Ok(())
    }

    /// Checks `token` against the stored hash for `purpose` (in constant
    /// time), and deletes it so no one uses it again.
    async fn redeem(
        self,
        token: &str,
        purpose: TokenPurpose,
    ) -> Result<(i64, AccountToken), LinkError> {
        let (user_id, hash, stored) = self.check(token, purpose).await?;
        if !self
            .store
            .take_account_token(user_id, purpose, &hash)
            .await?
        {
            // Another request used it a moment ago.
            return Err(LinkError::Unknown);
        }
        Ok((user_id, stored))
    }

    /// The user, hash and stored link of a live `token` for `purpose`.
    async fn check(
        self,
        token: &str,
        purpose: TokenPurpose,
    ) -> Result<(i64, String, AccountToken), LinkError> {
        let (user_id, hash) = links::parse(token)?;
        let stored = self
            .store
            .account_token(user_id, purpose)
            .await?
            .ok_or(LinkError::Unknown)?;
        if !links::same_hash(&stored.token_hash, &hash) {
            return Err(LinkError::Superseded);
        }
        if stored.expires_at < unix_now() {
            return Err(LinkError::Expired);
        }
        if purpose == TokenPurpose::ResetPassword {
            if let Some(mailed_to) = &stored.email {
                // The address may have changed after the link was stored (a
                // change voids the links stored before it, not one stored
                // by a request that read the user just before the change).
                let user = self.store.find_user_by_id(user_id).await?;
                let still = user.is_some_and(|user| {
                    user.email_verified && user.email.as_ref() == Some(mailed_to)
                });
                if !still {
                    return Err(LinkError::Unknown);
                }
            }
        }
        Ok((user_id, hash, stored))
    }
}
