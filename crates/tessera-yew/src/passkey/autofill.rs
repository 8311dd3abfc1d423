//! Passkeys in the browser's autofill (WebAuthn conditional mediation): the
//! sign-in page offers them in the username field's suggestions, next to
//! saved passwords, and picking one signs in with no button pressed.

use js_sys::{Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortController;
use yew::platform::spawn_local;
use yew::Callback;

use crate::{Error, Session};

/// Whether this browser can offer passkeys in autofill
/// (`PublicKeyCredential.isConditionalMediationAvailable()`), with what
/// [`super::supported`] needs.
pub async fn autofill_available() -> bool {
    let Some((class, check)) = super::parser("isConditionalMediationAvailable") else {
        return false;
    };
    if !super::supported() {
        return false;
    }
    let Some(promise) = check
        .call0(&class)
        .ok()
        .and_then(|promise| promise.dyn_into::<Promise>().ok())
    else {
        return false;
    };
    JsFuture::from(promise)
        .await
        .is_ok_and(|available| available.is_truthy())
}

/// An offer of passkeys in autofill, from [`Session::offer_passkey_autofill`].
/// Dropping it withdraws the offer: do so when the form goes away, and
/// before [`Session::sign_in_with_passkey`] (a browser runs one passkey
/// request at a time). Once the user has picked a passkey, the sign-in it
/// began goes on.
#[derive(Debug)]
pub struct PasskeyAutofill {
    controller: Option<AbortController>,
}

impl Drop for PasskeyAutofill {
    fn drop(&mut self) {
        if let Some(controller) = &self.controller {
            controller.abort();
        }
    }
}

impl Session {
    /// Offers this site's passkeys in the browser's autofill of the page's
    /// inputs marked `autocomplete="username webauthn"` (render one before
    /// calling this). When the user picks one, the session signs in as with
    /// [`Session::sign_in_with_passkey`], and `done` hears the outcome. An
    /// offer that never reached the user says nothing: withdrawn, ended by
    /// the browser, in a browser without autofill for passkeys
    /// ([`autofill_available`]), or when the server's options could not be
    /// had (passkeys off, rate limited, unreachable).
    ///
    /// The server's challenge lives five minutes: a passkey picked later is
    /// refused (`done` gets the reason); offer again to renew it.
    pub fn offer_passkey_autofill(&self, done: Callback<Result<(), Error>>) -> PasskeyAutofill {
        let Ok(controller) = AbortController::new() else {
            return PasskeyAutofill { controller: None };
        };
        let signal: JsValue = controller.signal().into();
        let session = self.clone();
        spawn_local(async move {
            if !autofill_available().await || aborted(&signal) {
                return;
            }
            let outcome = session.passkey_sign_in(Some(&signal)).await;
            // The browser ending the offer on its own is no failure to show.
            if !aborted(&signal) && outcome != Err(super::CANCELLED) {
                done.emit(outcome);
            }
        });
        PasskeyAutofill {
            controller: Some(controller),
        }
    }
}

fn aborted(signal: &JsValue) -> bool {
    Reflect::get(signal, &"aborted".into()).is_ok_and(|aborted| aborted.is_truthy())
}
