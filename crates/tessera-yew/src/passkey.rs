//! Passkeys in the browser: the WebAuthn calls between the server's two
//! steps of a ceremony.
//!
//! The server's options are WebAuthn's JSON forms; the browser turns them
//! into its own objects (`PublicKeyCredential.parseCreationOptionsFromJSON`,
//! `parseRequestOptionsFromJSON`) and the new credential back into JSON
//! (`toJSON()`), so no binary juggling (and no JSON library) is compiled
//! into the wasm. Browsers without these (WebAuthn Level 3) report
//! [`supported`] `false`; offer the password there.

use js_sys::{Function, Object, Promise, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use tessera_shared::AuthResponse;

use crate::{http, Error, Method};

mod autofill;

pub use autofill::{autofill_available, PasskeyAutofill};

const UNREADABLE: Error = Error::Unexpected("The server's passkey options could not be read.");
const CANCELLED: Error =
    Error::Unexpected("No passkey was used: the request was cancelled, timed out, or refused.");

/// Whether this browser can create and use passkeys with this crate.
pub fn supported() -> bool {
    parser("parseRequestOptionsFromJSON").is_some()
}

/// Which ceremony the browser runs.
#[derive(Clone, Copy)]
pub(crate) enum Ceremony {
    /// `navigator.credentials.create()`: a new passkey.
    Create,
    /// `navigator.credentials.get()`: an assertion of an existing one.
    Get,
}

/// Runs the browser's side of the ceremony whose options (a
/// `PasskeyChallenge`, as JSON text) the server answered: the body to send
/// back, the ceremony's id and the credential, plus `name` when given.
pub(crate) async fn answer(
    kind: Ceremony,
    challenge: &str,
    name: Option<&str>,
) -> Result<String, Error> {
    answer_with(kind, challenge, name, None).await
}

/// [`answer`], in autofill (conditional mediation) when `conditional`
/// holds the `AbortSignal` that withdraws it.
pub(crate) async fn answer_with(
    kind: Ceremony,
    challenge: &str,
    name: Option<&str>,
    conditional: Option<&JsValue>,
) -> Result<String, Error> {
    let challenge = JSON::parse(challenge).map_err(|_| UNREADABLE)?;
    let field = |of: &JsValue, name: &str| Reflect::get(of, &name.into()).map_err(|_| UNREADABLE);
    let ceremony = field(&challenge, "ceremony")?;
    let options = field(&field(&challenge, "options")?, "publicKey")?;
    let (parse, method) = match kind {
        Ceremony::Create => ("parseCreationOptionsFromJSON", "create"),
        Ceremony::Get => ("parseRequestOptionsFromJSON", "get"),
    };
    let (class, parse) =
        parser(parse).ok_or(Error::Unexpected("This browser cannot use passkeys here."))?;
    let public_key = parse.call1(&class, &options).map_err(|_| UNREADABLE)?;
    let request = Object::new();
    set(&request, "publicKey", &public_key)?;
    if let Some(signal) = conditional {
        set(&request, "mediation", &"conditional".into())?;
        set(&request, "signal", signal)?;
    }

    let credentials = field(&field(&js_sys::global(), "navigator")?, "credentials")?;
    let call: Function = field(&credentials, method)?
        .dyn_into()
        .map_err(|_| CANCELLED)?;
    let promise: Promise = call
        .call1(&credentials, &request)
        .ok()
        .and_then(|promise| promise.dyn_into().ok())
        .ok_or(CANCELLED)?;
    let credential = JsFuture::from(promise).await.map_err(|_| CANCELLED)?;
    let to_json: Function = field(&credential, "toJSON")?
        .dyn_into()
        .map_err(|_| UNREADABLE)?;
    let credential = to_json.call0(&credential).map_err(|_| UNREADABLE)?;

    let body = Object::new();
    set(&body, "ceremony", &ceremony)?;
    if let Some(name) = name {
        set(&body, "name", &JsValue::from_str(name))?;
    }
    set(&body, "credential", &credential)?;
    JSON::stringify(&body)
        .ok()
        .and_then(|text| text.as_string())
        .ok_or(UNREADABLE)
}

/// `PublicKeyCredential` and its static method `name`, if the browser has them.
pub(crate) fn parser(name: &str) -> Option<(JsValue, Function)> {
    let class = Reflect::get(&js_sys::global(), &"PublicKeyCredential".into()).ok()?;
    let method = Reflect::get(&class, &name.into()).ok()?;
    Some((class, method.dyn_into().ok()?))
}

fn set(target: &Object, name: &str, value: &JsValue) -> Result<(), Error> {
    Reflect::set(target, &name.into(), value)
        .map(drop)
        .map_err(|_| UNREADABLE)
}

impl crate::Session {
    /// Signs in with a passkey and no username: the browser asks the user to
    /// pick one of this site's passkeys and unlock it. The session starts at
    /// the second-factor level (a passkey is a key held and a check of its
    /// holder). A passkey the server does not know, or the user cancelling,
    /// fails with the reason to show.
    pub async fn sign_in_with_passkey(&self) -> Result<(), Error> {
        self.passkey_sign_in(None).await
    }

    /// The passkey sign-in, in autofill when `conditional` holds the signal
    /// that withdraws it.
    pub(crate) async fn passkey_sign_in(&self, conditional: Option<&JsValue>) -> Result<(), Error> {
        let config = &self.keeper.config;
        let base = config.paths.passkeys.as_str();
        let options = format!("{base}/sign-in/options");
        let url = |path: &str| config.url(path);
        let challenge = http::request(Method::Post, &url(&options), None, None).await;
        // An offer in autofill that cannot start (e.g. passkeys are off on
        // this server) is no failure to show: nobody asked for it.
        let challenge = challenge.map_err(|err| {
            if conditional.is_some() {
                CANCELLED
            } else {
                err
            }
        })?;
        let body = answer_with(Ceremony::Get, &challenge, None, conditional).await?;
        let sign_in = format!("{base}/sign-in");
        let issued = http::request(Method::Post, &url(&sign_in), None, Some(&body)).await?;
        let issued: AuthResponse = http::parse(&issued)?;
        self.adopt(issued.into());
        Ok(())
    }

    /// Completes a first-step sign-in
    /// ([`crate::SessionState::needs_second_factor`]) with one of the user's
    /// passkeys instead of a code; like [`crate::Session::verify_second_factor`].
    pub async fn verify_with_passkey(&self) -> Result<(), Error> {
        let base = self.keeper.config.paths.mfa_passkey.clone();
        let options = format!("{base}/options");
        let challenge = self.call(Method::Post, &options, None).await?;
        let body = answer(Ceremony::Get, &challenge, None).await?;
        let issued = self.call(Method::Post, &base, Some(body)).await?;
        let issued: AuthResponse = http::parse(&issued)?;
        self.adopt(issued.into());
        Ok(())
    }

    /// Registers a new passkey named `name` for the signed-in user: the
    /// browser asks them to create one. Needs a fresh token (a sign-in just
    /// now, not a refresh), and says so without asking the server otherwise.
    pub async fn add_passkey(&self, name: &str) -> Result<(), Error> {
        let base = self.keeper.config.paths.passkeys.clone();
        let options = format!("{base}/options");
        let challenge = self.fresh_call(Method::Post, &options, None).await?;
        let body = answer(Ceremony::Create, &challenge, Some(name)).await?;
        self.fresh_call(Method::Post, &base, Some(&body))
            .await
            .map(drop)
    }

    /// Removes the signed-in user's passkey `id` (as `GET /passkeys` lists
    /// it); their other sessions end. Needs a fresh token, like adding one.
    pub async fn remove_passkey(&self, id: &str) -> Result<(), Error> {
        let path = format!("{}/{id}", self.keeper.config.paths.passkeys);
        self.fresh_call(Method::Delete, &path, None).await.map(drop)
    }

    /// `method path` once, with the current token, for the routes that need
    /// a fresh one: their 401 is an answer to show, where the request helper
    /// would refresh (which never makes a token fresh) and, refused again,
    /// end the session.
    pub(crate) async fn fresh_call(
        &self,
        method: Method,
        path: &str,
        body: Option<&str>,
    ) -> Result<String, Error> {
        if self.claims().and_then(|claims| claims.fresh) != Some(true) {
            return Err(Error::Unexpected(
                "This needs a sign-in just now: sign out, sign in again, then try again.",
            ));
        }
        let token = self.keeper.access().await.ok_or(Error::SignedOut)?;
        let url = self.keeper.config.url(path);
        http::request(method, &url, Some(&token), body).await
    }
}
