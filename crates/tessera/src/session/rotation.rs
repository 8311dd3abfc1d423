//! Refreshing: each refresh token is exchanged once, and a used one shown
//! again is either the user's own tabs racing or a stolen copy.

use super::{secs, Result, Revoke, SeenFrom, Sessions, Tokens};
use crate::clock::{new_id, unix_now};
use crate::store::{RefreshRecord, RotateRefresh, Rotation};
use crate::token::{AuthError, SignIn};

/// How many links [`Sessions::chain_intact`] follows before giving up (a
/// client refreshing that often within a grace window is not racing tabs).
const MAX_CHAIN_WALK: usize = 8;

impl Sessions<'_> {
    /// Exchanges refresh token `token`, presented by the client with digest
    /// `client`, for a new pair, exactly once. The session records the client
    /// it was `seen` from, and when.
    pub(crate) async fn refresh(
        self,
        token: &str,
        client: &str,
        seen: &SeenFrom,
    ) -> Result<Tokens> {
        let claims = self.tokens.verify_refresh(token)?;
        let user_id: i64 = claims.sub.parse().map_err(|_| AuthError::MalformedToken)?;
        if self.tokens.revocations().is_revoked("", &claims.sid) {
            return Err(AuthError::RefreshInvalid.into());
        }
        let now = unix_now();
        let (successor, access_jti) = (new_id(), new_id());
        let settings = self.settings;
        let successor_exp = now + settings.refresh_ttl.as_secs();
        match self
            .store
            .rotate_refresh(&RotateRefresh {
                jti: &claims.jti,
                successor_jti: &successor,
                access_jti: &access_jti,
                now,
                successor_expires_at: successor_exp,
                session_max_age: settings.session_max_age.as_secs(),
                used_by: client,
            })
            .await?
        {
            Rotation::Rotated {
                expires_at: successor_exp,
                acr,
            } => {
                self.store
                    .record_session_client(&claims.sid, &seen.client(Some(now)))
                    .await?;
                let user = self.current_user(user_id).await?;
                // As stored when the token was used, not as read now: a
                // second factor given since then raised another chain.
                let sign_in = SignIn::from_stored(acr);
                let access = self.access(&user, &claims.sid, (false, sign_in), now, access_jti);
                let refresh =
                    self.tokens
                        .refresh_at(user_id, &claims.sid, now, successor_exp, successor);
                Ok(Tokens {
                    access: access?,
                    refresh: Some(refresh?),
                })
            }
            Rotation::Refused(record) => self.reused(record, now, client).await,
            Rotation::Unknown => Err(AuthError::RefreshInvalid.into()),
        }
    }

    /// Whether the rotation chain from `next` still ends in a token nobody
    /// has used. A second factor raising the session deletes its unused
    /// refresh tokens, so a cut chain means the session was raised after
    /// the pair being handed out again was issued: that pair was a first
    /// step's, and re-minting it at the session's level now would turn a
    /// replayed first-step token into a full session.
    async fn chain_intact(self, next: &RefreshRecord) -> Result<bool> {
        let mut link = next.clone();
        // A chain grows by one a refresh; a grace window holds few.
        for _ in 0..MAX_CHAIN_WALK {
            let Some(successor) = link.used_at.and(link.successor_jti.clone()) else {
                return Ok(link.used_at.is_none());
            };
            match self.store.refresh_record(&successor).await? {
                Some(record) => link = record,
                None => return Ok(false),
            }
        }
        Ok(false)
    }

    /// A refresh token that was already used (or whose session ended).
    async fn reused(self, record: RefreshRecord, now: u64, client: &str) -> Result<Tokens> {
        if record.session_revoked || secs(record.expires_at) < now {
            return Err(AuthError::RefreshInvalid.into());
        }
        let (Some(used_at), Some(successor), Some(access_jti)) =
            (record.used_at, record.successor_jti, record.access_jti)
        else {
            return Err(AuthError::RefreshInvalid.into());
        };
        let grace = self.settings.refresh_grace.as_secs();
        let used_at = secs(used_at);
        // Only the client that used the token can be its own racing tabs; anyone
        // else replaying it this soon has a copy. (Tokens used before clients were
        // recorded have no `used_by`.)
        let same_client = record
            .used_by
            .as_deref()
            .is_none_or(|used_by| used_by == client);
        if now < used_at + grace && same_client {
            // Tabs racing: hand out the very pair the first caller got. The
            // level is read before the chain: a raise sets it and cuts the
            // chain in one transaction, so one committed after this read
            // leaves the level the pair had, and one before it shows below.
            let sign_in = self.sign_in_of(&record.session_id).await?;
            let next = self
                .store
                .refresh_record(&successor)
                .await?
                .ok_or(AuthError::RefreshInvalid)?;
            if !self.chain_intact(&next).await? {
                return Err(AuthError::RefreshInvalid.into());
            }
            let user = self.current_user(record.user_id).await?;
            let access = self.access(
                &user,
                &record.session_id,
                (false, sign_in),
                used_at,
                access_jti,
            );
            let refresh = self.tokens.refresh_at(
                user.id,
                &record.session_id,
                secs(next.issued_at),
                secs(next.expires_at),
                successor,
            );
            return Ok(Tokens {
                access: access?,
                refresh: Some(refresh?),
            });
        }
        tracing::warn!(
            target: "tessera::audit",
            event = "refresh_reuse_detected",
            user_id = record.user_id,
            session = %record.session_id,
            other_client = !same_client,
            "refresh token reuse detected; revoking the session"
        );
        let (sid, user_id) = (record.session_id.as_str(), record.user_id);
        self.revoke(Revoke::Session { sid, user_id }).await?;
        Err(AuthError::RefreshReused.into())
    }
}
