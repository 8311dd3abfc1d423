//! Token verification over any string and over edits of valid tokens: never
//! panics, and whatever verifies carries exactly the claims that were issued.

#![no_main]

use std::sync::LazyLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::StatusCode;
use axum::response::IntoResponse;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::Header;
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use tessera::KeyRing;
use tessera::{AuthError, Claims, Grant, JwtSecret, NoExtraClaims, RefreshClaims};
use tessera::{TokenService, TokenSettings};

/// One access and one refresh token of one session, signed as the server signs them.
struct Issued {
    tokens: TokenService,
    access: String,
    access_claims: Claims,
    refresh: String,
    refresh_claims: RefreshClaims,
}

static ISSUED: LazyLock<Issued> = LazyLock::new(|| {
    let secret = JwtSecret::new("fuzzing-secret-0123456789abcdefghij").unwrap();
    // The longest access lifetime allowed, so the valid token outlives a long run.
    let settings = TokenSettings {
        access_ttl: Duration::from_secs(24 * 3600),
        ..TokenSettings::default()
    };
    let tokens = TokenService::new(&secret, settings);
    let grant = Grant {
        user_id: 7,
        username: "alice".to_owned(),
        roles: vec!["admin".to_owned()],
        session_id: "session-1".to_owned(),
        fresh: true,
        email_verified: Some(true),
    };
    let access = tokens.issue_access(&grant, NoExtraClaims {}).unwrap().token;
    let access_claims = tokens.verify_access(&access).unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let refresh_claims = RefreshClaims {
        sub: "7".to_owned(),
        sid: grant.session_id,
        iss: None,
        aud: None,
        iat: now,
        nbf: now,
        // Valid for as long as any fuzzing run may last.
        exp: now + 30 * 24 * 3600,
        jti: "refresh-1".to_owned(),
        stateless: false,
    };
    // `TokenService`'s refresh signer is crate-private; this is the same header and key.
    let ring = KeyRing::from_secret(&secret);
    let mut header = Header::new(ring.signing_algorithm());
    header.typ = Some("refresh+jwt".to_owned());
    header.kid = Some(ring.signing_kid().to_owned());
    let refresh = jsonwebtoken::encode(&header, &refresh_claims, ring.encoding_key()).unwrap();
    assert_eq!(
        tokens.verify_refresh(&refresh).as_ref(),
        Ok(&refresh_claims)
    );
    Issued {
        tokens,
        access,
        access_claims,
        refresh,
        refresh_claims,
    }
});

#[derive(Debug, Arbitrary)]
enum Input {
    /// Any string at all.
    Raw(String),
    /// A valid token after a few edits.
    Edited { refresh: bool, edits: Vec<Edit> },
}

#[derive(Debug, Arbitrary)]
enum Edit {
    /// Replace `len` bytes at `at` (both wrapped to the token) by `with`:
    /// covers bit flips, truncation, insertion and deletion.
    Splice {
        at: u16,
        len: u8,
        with: Vec<u8>,
    },
    SwapParts(u8, u8),
    /// Take part `n` from the token of the other kind.
    Transplant(u8),
    /// Base64url-decode part `n`, overwrite one byte, encode again.
    PatchDecoded {
        part: u8,
        at: u16,
        byte: u8,
    },
    /// A new header, any JSON text; payload and signature kept.
    Rehead(String),
}

fn apply(token: &str, other: &str, edit: &Edit) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let n = |i: u8| usize::from(i) % parts.len();
    match edit {
        Edit::Splice { at, len, with } => {
            let mut bytes = token.as_bytes().to_vec();
            let start = usize::from(*at) % (bytes.len() + 1);
            let end = (start + usize::from(*len)).min(bytes.len());
            bytes.splice(start..end, with.iter().copied());
            return String::from_utf8_lossy(&bytes).into_owned();
        }
        Edit::SwapParts(a, b) => {
            let (a, b) = (n(*a), n(*b));
            parts.swap(a, b);
        }
        Edit::Transplant(i) => {
            let i = n(*i);
            parts[i] = other.split('.').nth(i).unwrap_or_default().to_owned();
        }
        Edit::PatchDecoded { part, at, byte } => {
            let i = n(*part);
            if let Ok(mut decoded) = URL_SAFE_NO_PAD.decode(&parts[i]) {
                if !decoded.is_empty() {
                    let at = usize::from(*at) % decoded.len();
                    decoded[at] = *byte;
                    parts[i] = URL_SAFE_NO_PAD.encode(decoded);
                }
            }
        }
        Edit::Rehead(header) => parts[0] = URL_SAFE_NO_PAD.encode(header),
    }
    parts.join(".")
}

/// Every refusal is a 401, whatever the reason.
fn refused(err: AuthError) {
    assert_eq!(
        err.into_response().status(),
        StatusCode::UNAUTHORIZED,
        "{err:?}"
    );
}

fuzz_target!(|input: Input| {
    let issued = &*ISSUED;
    let candidate = match input {
        Input::Raw(text) => text,
        Input::Edited { refresh, edits } => {
            let (start, other) = match refresh {
                true => (&issued.refresh, &issued.access),
                false => (&issued.access, &issued.refresh),
            };
            edits
                .iter()
                .take(8)
                .fold(start.clone(), |token, edit| apply(&token, other, edit))
        }
    };
    match issued.tokens.verify_access::<NoExtraClaims>(&candidate) {
        Ok(claims) => assert_eq!(claims, issued.access_claims, "{candidate:?}"),
        Err(err) => refused(err),
    }
    match issued.tokens.verify_refresh(&candidate) {
        Ok(claims) => assert_eq!(claims, issued.refresh_claims, "{candidate:?}"),
        Err(err) => refused(err),
    }
});
