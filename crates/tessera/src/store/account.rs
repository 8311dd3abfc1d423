//! What the account self-service needs stored: email addresses, the tokens of
//! one-time links, and the outbox of mail waiting for delivery.

use super::{Engine, Store, StoreError, StoredUser};

/// What a one-time link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenPurpose {
    /// Confirms the email address it was sent to.
    VerifyEmail,
    /// Sets a new password.
    ResetPassword,
}

impl TokenPurpose {
    /// The stored name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::ResetPassword => "reset_password",
        }
    }
}

/// A user's live link of one purpose, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AccountToken {
    /// Hex SHA-256 of the link's secret.
    pub token_hash: String,
    /// For a verification link: the address it verifies.
    pub email: Option<String>,
    /// Unix time after which the link is refused.
    pub expires_at: u64,
}

/// A message to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OutgoingMail {
    /// The recipient's address.
    pub to: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body.
    pub html: String,
}

/// A message claimed from the outbox for one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OutboxMessage {
    /// The outbox row.
    pub id: i64,
    /// The message.
    pub mail: OutgoingMail,
    /// Unix time it was queued.
    pub created_at: u64,
    /// Delivery attempts, this one included.
    pub attempts: u32,
}

impl Store {
    /// Inserts a user with `roles` and an email address (normalised by the
    /// caller; unverified). Like [`Store::create_user`], and
    /// [`StoreError::EmailTaken`] when another account has that address.
    pub(crate) async fn create_user_with_email(
        &self,
        username: &str,
        password_hash: &str,
        roles: &[String],
        email: Option<&str>,
    ) -> Result<StoredUser, StoreError> {
        let id =
            dispatch!(self, db => db.create_user(username, password_hash, roles, email).await)?;
        self.find_user_by_id(id)
            .await?
            .ok_or(StoreError::Database(sqlx::Error::RowNotFound))
    }

    /// The user whose (normalised) email address is `email`.
    pub(crate) async fn find_user_by_email(
        &self,
        email: &str,
    ) -> Result<Option<StoredUser>, StoreError> {
        dispatch!(self, db => db.find_user_by_email(email).await)
    }

    /// Sets (or with `None` removes) user `id`'s email address, unverified,
    /// voiding every link sent before (verification and password reset). [`StoreError::EmailTaken`]
    /// when another account has it.
    pub(crate) async fn set_email(&self, id: i64, email: Option<&str>) -> Result<(), StoreError> {
        dispatch!(self, db => db.set_email(id, email).await)
    }

    /// Marks user `id`'s address verified, if it still is `email`; whether it was.
    pub(crate) async fn mark_email_verified(
        &self,
        id: i64,
        email: &str,
        now: u64,
    ) -> Result<bool, StoreError> {
        dispatch!(self, db => db.mark_email_verified(id, email, now).await)
    }

    /// Stores user `user_id`'s link of `purpose`, replacing (and so voiding)
    /// the one before.
    pub(crate) async fn put_account_token(
        &self,
        user_id: i64,
        purpose: TokenPurpose,
        token: &AccountToken,
    ) -> Result<(), StoreError> {
        let (hash, email) = (token.token_hash.as_str(), token.email.as_deref());
        dispatch!(self, db => db.put_account_token(user_id, purpose, hash, email, token.expires_at).await)
    }

    /// User `user_id`'s live link of `purpose`, if any.
    pub(crate) async fn account_token(
        &self,
        user_id: i64,
        purpose: TokenPurpose,
    ) -> Result<Option<AccountToken>, StoreError> {
        dispatch!(self, db => db.account_token(user_id, purpose).await)
    }

    /// Deletes user `user_id`'s link of `purpose` if its hash still is
    /// `token_hash`; whether this call did (so a link is used once, however
    /// many requests race with it).
    pub(crate) async fn take_account_token(
        &self,
        user_id: i64,
        purpose: TokenPurpose,
        token_hash: &str,
    ) -> Result<bool, StoreError> {
        dispatch!(self, db => db.take_account_token(user_id, purpose, token_hash).await)
    }

    /// Queues `mail` for delivery.
    pub(crate) async fn enqueue_mail(
        &self,
        mail: &OutgoingMail,
        now: u64,
    ) -> Result<(), StoreError> {
        dispatch!(self, db => db.enqueue_mail(mail, now).await)
    }

    /// Claims up to `limit` messages due at `now` until `claim_until`: no other
    /// sender takes them meanwhile. Counts the attempt.
    pub(crate) async fn claim_mail(
        &self,
        now: u64,
        claim_until: u64,
        limit: i64,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        dispatch!(self, db => db.claim_mail(now, claim_until, limit).await)
    }

    #[cfg(test)]
    /// Messages in the outbox: queued, or waiting for a retry (for monitoring).
    pub(crate) async fn pending_mail(&self) -> Result<i64, StoreError> {
        dispatch!(self, db => db.pending_mail().await)
    }

    /// Removes message `id` (delivered, or given up on).
    pub(crate) async fn delete_mail(&self, id: i64) -> Result<(), StoreError> {
        dispatch!(self, db => db.delete_mail(id).await)
    }

    /// Releases message `id` after a failed attempt, due again at `next_attempt_at`.
    pub(crate) async fn retry_mail(
        &self,
        id: i64,
        next_attempt_at: u64,
        error: &str,
    ) -> Result<(), StoreError> {
        dispatch!(self, db => db.retry_mail(id, next_attempt_at, error).await)
    }
}
