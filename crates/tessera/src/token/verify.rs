//! Checking a compact JWS in one pass.
//!
//! `jsonwebtoken::decode` parses a token's header three times and its claims
//! twice, and keys its HMAC afresh on every call: on a protected route that was
//! most of what a request cost. Here each part is decoded once: the header into
//! the few fields a check reads, the signature with the key's prepared state,
//! the claims straight into their type. Then Tessera's own rules on `exp`, `nbf`,
//! `iss` and `aud`, which `TokenService` holds instead of a `Validation`.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::Ordering;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::Algorithm;
use serde::de::{self, DeserializeOwned, IgnoredAny};
use serde::Deserialize;

use super::{AuthError, TokenService};
use crate::clock::unix_now;
use crate::keys::SignatureError;

/// The header fields a check reads.
#[derive(Deserialize)]
struct JoseHeader<'a> {
    #[serde(borrow)]
    alg: Text<'a>,
    #[serde(borrow, default)]
    typ: Option<Text<'a>>,
    #[serde(borrow, default)]
    kid: Option<Text<'a>>,
    /// Keys named or carried by the token itself: never trusted (RFC 8725 §3.10),
    /// keys come from the ring only. Only their presence matters.
    #[serde(default)]
    jku: Option<IgnoredAny>,
    #[serde(default)]
    jwk: Option<IgnoredAny>,
    #[serde(default)]
    x5u: Option<IgnoredAny>,
    #[serde(default)]
    x5c: Option<IgnoredAny>,
    /// Extensions the token says must be understood (RFC 7515 §4.1.11): none are.
    #[serde(default)]
    crit: Option<IgnoredAny>,
}

impl JoseHeader<'_> {
    fn points_elsewhere(&self) -> bool {
        self.jku.is_some()
            || self.jwk.is_some()
            || self.x5u.is_some()
            || self.x5c.is_some()
            || self.crit.is_some()
    }

    /// RFC 9068 §4: the `application/` prefix may be present or not.
    fn has_typ(&self, expected: &str) -> bool {
        self.typ.as_ref().is_some_and(|typ| {
            let typ = typ.0.strip_prefix("application/").unwrap_or(&typ.0);
            typ.eq_ignore_ascii_case(expected)
        })
    }
}

/// A JSON string, borrowed from the decoded bytes unless it held escapes.
struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> de::Visitor<'de> for Visitor<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, value: &'de str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Borrowed(value)))
            }
            fn visit_str<E>(self, value: &str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(value.to_owned())))
            }
        }
        deserializer.deserialize_str(Visitor(std::marker::PhantomData))
    }
}

impl TokenService {
    /// Checks the header, key and signature of a token of kind `typ` and returns
    /// its claims, unchecked yet (see [`Self::check_times_and_audience`]), and the
    /// id of the key ring that verified it. The
    /// header is read first, so a token of another kind is named as such; the key
    /// is picked by `kid`, and the algorithm comes from the key, never the header.
    pub(super) fn decode<T: DeserializeOwned>(
        &self,
        token: &str,
        typ: &str,
        wrong_kind: AuthError,
    ) -> Result<(T, u64), AuthError> {
        let (message, signature) = token.rsplit_once('.').ok_or(AuthError::MalformedToken)?;
        let (header, payload) = message.split_once('.').ok_or(AuthError::MalformedToken)?;
        if payload.contains('.') {
            return Err(AuthError::MalformedToken);
        }
        let mut ring = self.keys.snapshot();
        let key = match ring.key_for_own_header(header, typ) {
            Some(key) => key,
            None => {
                let header_json = base64url(header)?;
                // A JOSE header is a JSON object (RFC 7515 §4); serde would also
                // take a struct from an array.
                if header_json.trim_ascii_start().first() != Some(&b'{') {
                    return Err(AuthError::MalformedToken);
                }
                let header: JoseHeader<'_> =
                    serde_json::from_slice(&header_json).map_err(|_| AuthError::MalformedToken)?;
                if !header.has_typ(typ) {
                    return Err(wrong_kind);
                }
                if header.points_elsewhere() {
                    return Err(AuthError::ForbiddenHeader);
                }
                let kid = header.kid.as_ref().map(|kid| &*kid.0);
                if ring.key_named(kid).is_none() && self.reload_for_unknown_kid() {
                    ring = self.keys.snapshot();
                }
                let key = ring.key_named(kid).ok_or(AuthError::UnknownKey)?;
                let alg =
                    Algorithm::from_str(&header.alg.0).map_err(|_| AuthError::WrongAlgorithm)?;
                if alg != key.algorithm {
                    return Err(AuthError::WrongAlgorithm);
                }
                key
            }
        };
        key.check_signature(message.as_bytes(), signature)
            .map_err(|refused| match refused {
                SignatureError::Mismatch => AuthError::BadSignature,
                SignatureError::Encoding => AuthError::MalformedToken,
            })?;
        let claims = base64url(payload)?;
        // One UTF-8 check of the whole text is cheaper than serde_json's per string.
        let claims = std::str::from_utf8(&claims).map_err(|_| AuthError::MalformedToken)?;
        if !claims.trim_ascii_start().starts_with('{') {
            return Err(AuthError::MalformedToken); // a claims set is an object (RFC 7519 §7.2)
        }
        let claims = serde_json::from_str(claims).map_err(|err| {
            tracing::debug!(error = %err, "token claims refused");
            // Claims are typed, so an absent `exp` or `username` is serde's "missing field".
            if err.is_data() && err.to_string().starts_with("missing field") {
                AuthError::MissingClaim
            } else {
                AuthError::MalformedToken
            }
        })?;
        Ok((claims, ring.id()))
    }

    /// Tessera's rules on the registered claims: `exp` and `nbf` within the
    /// leeway, and, where the server is configured with them, `iss` and `aud`
    /// present and equal to its own (a token without them was not made for it).
    pub(super) fn check_times_and_audience(
        &self,
        exp: u64,
        nbf: u64,
        iss: Option<&str>,
        aud: Option<&str>,
    ) -> Result<(), AuthError> {
        let now = unix_now();
        let leeway = self.settings.leeway.as_secs();
        if exp < now.saturating_sub(leeway) {
            return Err(AuthError::Expired);
        }
        if nbf > now.saturating_add(leeway) {
            return Err(AuthError::NotYetValid);
        }
        let expected = |configured: &Option<String>, actual: Option<&str>| {
            configured.is_none() || configured.as_deref() == actual
        };
        if !expected(&self.settings.issuer, iss) || !expected(&self.settings.audience, aud) {
            return Err(AuthError::WrongAudience);
        }
        Ok(())
    }

    /// Right after `tessera keys rotate`, another instance sharing the ring may
    /// sign with the new key before this one's periodic reload has seen it. So
    /// an unknown `kid` triggers one immediate reload, at most once a second,
    /// lest made-up kids turn every request into a file read.
    fn reload_for_unknown_kid(&self) -> bool {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let last = self.last_miss_reload.load(Ordering::Relaxed);
        if now_ms.saturating_sub(last) < 1000
            || self
                .last_miss_reload
                .compare_exchange(last, now_ms, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return false;
        }
        match self.keys.reload_if_changed() {
            Ok(swapped) => swapped,
            Err(err) => {
                tracing::warn!(error = %err, "cannot reload the signing keys");
                false
            }
        }
    }
}

fn base64url(part: &str) -> Result<Vec<u8>, AuthError> {
    URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| AuthError::MalformedToken)
}
