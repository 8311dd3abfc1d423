//! Completing a sign-in: a first-step session rises to the second-factor
//! level once its user gave the factor.

use super::{Result, Revoke, Sessions, Tokens};
use crate::clock::{new_id, unix_now};
use crate::token::{AuthError, Claims, SignIn};

impl Sessions<'_> {
    /// Raises the session of first-step token `first_step` (of user
    /// `user_id`, who just gave a correct second factor) to sign-in `to` (a
    /// level-2 sign-in), and hands out a fresh pair at that level.
    /// The first-step token is revoked, and the session's unused refresh
    /// tokens dropped. Refused when the session is not (or no longer) a live
    /// first step, e.g. when the same token completes it twice.
    pub(crate) async fn raise(
        self,
        user_id: i64,
        first_step: &Claims,
        to: SignIn,
    ) -> Result<Tokens> {
        let now = unix_now();
        let sid = first_step.sid.as_str();
        let (jti, exp) = (first_step.jti.as_str(), first_step.exp);
        let refresh_jti = new_id();
        let settings = self.settings;
        let raised = self
            .store
            .raise_session(
                sid,
                user_id,
                to.stored(),
                now,
                (&refresh_jti, now + settings.refresh_ttl.as_secs()),
                settings.session_max_age.as_secs(),
            )
            .await?;
        self.revoke(Revoke::Token { jti, exp }).await?;
        let Some(refresh_exp) = raised else {
            return Err(AuthError::Revoked.into());
        };
        let user = self.current_user(user_id).await?;
        let access = self.access(&user, sid, (true, to), now, new_id())?;
        let refresh = self
            .tokens
            .refresh_at(user_id, sid, now, refresh_exp, refresh_jti)?;
        tracing::info!(target: "tessera::audit", event = "second_factor_ok", user_id, session = %sid, "sign-in completed with a second factor");
        Ok(Tokens {
            access,
            refresh: Some(refresh),
        })
    }
}
