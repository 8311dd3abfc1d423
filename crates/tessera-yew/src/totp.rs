//! Setting up and removing the user's authenticator app (TOTP), and new
//! recovery codes: the calls behind an account page's two-step section.

use tessera_shared::{RecoveryCodes, TotpEnrollment, TotpStatus};

use crate::{http, Error, Method};

impl crate::Session {
    /// Whether the signed-in user's sign-ins ask for a code, and how many
    /// recovery codes they have left.
    pub async fn totp_status(&self) -> Result<TotpStatus, Error> {
        let path = self.keeper.config.paths.mfa_totp.clone();
        self.get(&path).await
    }

    /// Starts setting up an authenticator app: the secret, its `otpauth://`
    /// URI and a QR code (SVG) to show. Nothing changes for the user until
    /// [`Session::confirm_totp`](crate::Session::confirm_totp); starting again
    /// replaces the secret. Needs a fresh token (a sign-in just now).
    pub async fn start_totp(&self) -> Result<TotpEnrollment, Error> {
        let path = self.keeper.config.paths.mfa_totp.clone();
        http::parse(&self.fresh_call(Method::Post, &path, None).await?)
    }

    /// Turns two-step sign-in on with a `code` the app shows now: the ten
    /// recovery codes to show the user this once. The user's other sessions
    /// end; this one goes on. Needs a fresh token.
    pub async fn confirm_totp(&self, code: &str) -> Result<Vec<String>, Error> {
        let path = format!("{}/confirm", self.keeper.config.paths.mfa_totp);
        self.with_code(Method::Post, &path, code).await
    }

    /// Replaces the recovery codes, checked with a current `code`: the new
    /// ten, to show this once. Needs a fresh token of a sign-in that used
    /// the second factor.
    pub async fn new_recovery_codes(&self, code: &str) -> Result<Vec<String>, Error> {
        let path = self.keeper.config.paths.mfa_recovery_codes.clone();
        self.with_code(Method::Post, &path, code).await
    }

    /// Turns two-step sign-in off, checked with a current `code`; the
    /// recovery codes go too. Needs what [`Session::new_recovery_codes`](crate::Session::new_recovery_codes)
    /// needs.
    pub async fn remove_totp(&self, code: &str) -> Result<(), Error> {
        let path = self.keeper.config.paths.mfa_totp.clone();
        let body = code_body(code)?;
        self.fresh_call(Method::Delete, &path, Some(&body))
            .await
            .map(drop)
    }

    async fn with_code(
        &self,
        method: Method,
        path: &str,
        code: &str,
    ) -> Result<Vec<String>, Error> {
        let body = code_body(code)?;
        let answer = self.fresh_call(method, path, Some(&body)).await?;
        http::parse::<RecoveryCodes>(&answer).map(|codes| codes.recovery_codes)
    }
}

fn code_body(code: &str) -> Result<String, Error> {
    crate::json::object(&[("code", Some(code.trim()))])
        .ok_or(Error::Unexpected("The code could not be sent."))
}
