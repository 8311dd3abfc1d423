//! Writing a revocation: to the store, which every instance follows, and to
//! this instance's deny list at once, so the revoked tokens fail from this
//! response on rather than from the next sync. Both halves are written here
//! and nowhere else.

use super::Sessions;
use crate::clock::unix_now;
use crate::store::{Deletion, StoreError};
use crate::users::Account;

/// What to revoke.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Revoke<'a> {
    /// Access token `jti`, until it expires at `exp`.
    Token {
        /// The token's id.
        jti: &'a str,
        /// Its expiry.
        exp: u64,
    },
    /// Session `sid` of user `user_id`: its refresh and access tokens.
    Session {
        /// The session's id.
        sid: &'a str,
        /// Its user.
        user_id: i64,
    },
    /// Every live session of user `user_id` but `keep`.
    UserSessions {
        /// The user.
        user_id: i64,
        /// A session to leave alone (the caller's own).
        keep: Option<&'a str>,
    },
    /// The account named `username` and every session it had, unless it is
    /// the last administrator's.
    Account {
        /// The account's name.
        username: &'a str,
    },
}

/// What [`Sessions::revoke`] did.
#[derive(Debug)]
pub(crate) struct Revoked {
    /// The sessions it ended that the store named (an account's are not named).
    pub(crate) sessions: Vec<String>,
    /// For an account: whether it was deleted, and if not, why.
    pub(crate) deletion: Option<Deletion>,
}

impl Sessions<'_> {
    /// Revokes `what` in the store and in this instance's deny list.
    pub(crate) async fn revoke(self, what: Revoke<'_>) -> Result<Revoked, StoreError> {
        let denied = self.tokens.revocations();
        let now = unix_now();
        let until = self.revocation_horizon(now);
        let mut revoked = Revoked {
            sessions: Vec::new(),
            deletion: None,
        };
        match what {
            Revoke::Token { jti, exp } => {
                self.store.revoke_token(jti, exp).await?;
                denied.revoke_token(jti, exp);
            }
            Revoke::Session { sid, user_id } => {
                if self.store.revoke_session(sid, user_id, now, until).await? {
                    revoked.sessions.push(sid.to_owned());
                }
                // Denied even when the store had ended it already (another
                // instance did): this one then need not wait for its sync.
                denied.revoke_session(sid, until);
            }
            Revoke::UserSessions { user_id, keep } => {
                revoked.sessions = self
                    .store
                    .revoke_user_sessions(user_id, keep, now, until)
                    .await?;
                for sid in &revoked.sessions {
                    denied.revoke_session(sid, until);
                }
            }
            Revoke::Account { username } => {
                let deletion = self.store.delete_user_unless_last_admin(username).await?;
                if let Deletion::Deleted(_) = deletion {
                    // The store revoked the sessions in the deleting transaction
                    // without naming them: read its new rows now.
                    denied.sync(self.store).await?;
                }
                revoked.deletion = Some(deletion);
            }
        }
        Ok(revoked)
    }

    /// Denies `sessions` of `user`, which the store revoked already (in the
    /// transaction that recorded the user's new version), on this instance.
    pub(crate) fn deny_sessions(self, user: &Account, sessions: &[String]) {
        let until = self.revocation_horizon(unix_now());
        for sid in sessions {
            self.tokens.revocations().revoke_session(sid, until);
        }
        let (user_id, sessions) = (user.id, sessions.len());
        tracing::info!(target: "tessera::audit", event = "sessions_revoked", user_id, sessions, "the app changed the user's version");
    }

    /// Until when a revoked session's access tokens could still be presented.
    fn revocation_horizon(self, now: u64) -> u64 {
        let settings = self.tokens.settings();
        now + settings.access_ttl.as_secs() + settings.leeway.as_secs()
    }
}
