//! The rules a [`Verifier`](super::Verifier) applies besides the signature:
//! what its base URL may be, what a token's header may say, and how
//! `jsonwebtoken`'s refusals read as Tessera's.

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::Header;

use super::{VerifyError, ALGORITHMS};
use crate::token::AuthError;
use crate::token::ACCESS_TYP;

/// `url` without trailing slashes, if it is an absolute http(s) URL with no
/// credentials, query or fragment.
pub(super) fn base_url(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    // No `user:password@`: the URL appears in log lines.
    let plain = matches!(parsed.scheme(), "http" | "https")
        && parsed.host().is_some()
        && parsed.username().is_empty()
        && parsed.password().is_none()
        && parsed.query().is_none()
        && parsed.fragment().is_none();
    plain.then(|| url.trim_end_matches('/').to_owned())
}

/// The header rules Tessera applies to its own tokens: an access token
/// (RFC 9068 §4: `typ` with or without `application/`), keys from the JWKS
/// only (RFC 8725 §3.10), no extension that must be understood, and an
/// asymmetric algorithm, refused before any key is looked up.
pub(super) fn check_header(header: &Header) -> Result<(), AuthError> {
    let typ = header.typ.as_deref().unwrap_or_default();
    let typ = typ.strip_prefix("application/").unwrap_or(typ);
    if !typ.eq_ignore_ascii_case(ACCESS_TYP) {
        return Err(AuthError::NotAccessToken);
    }
    let elsewhere = header.jku.is_some()
        || header.jwk.is_some()
        || header.x5u.is_some()
        || header.x5c.is_some()
        || header.crit.is_some();
    if elsewhere {
        return Err(AuthError::ForbiddenHeader);
    }
    if !ALGORITHMS.contains(&header.alg) {
        return Err(AuthError::WrongAlgorithm);
    }
    Ok(())
}

/// The [`AuthError`] for a token `jsonwebtoken` refused.
pub(super) fn refusal(kind: &ErrorKind) -> VerifyError {
    let reason = match kind {
        ErrorKind::InvalidSignature => AuthError::BadSignature,
        ErrorKind::ExpiredSignature => AuthError::Expired,
        ErrorKind::ImmatureSignature => AuthError::NotYetValid,
        ErrorKind::InvalidIssuer | ErrorKind::InvalidAudience => AuthError::WrongAudience,
        ErrorKind::InvalidAlgorithm => AuthError::WrongAlgorithm,
        ErrorKind::MissingRequiredClaim(_) => AuthError::MissingClaim,
        // Claims are typed, so an absent `sub` or `username` is serde's "missing field".
        ErrorKind::Json(err) if err.to_string().starts_with("missing field") => {
            AuthError::MissingClaim
        }
        _ => AuthError::MalformedToken,
    };
    VerifyError::Token(reason)
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::Algorithm;

    use super::*;

    #[test]
    fn the_base_url_is_a_plain_http_url() {
        assert_eq!(
            base_url("https://auth.example/api/").as_deref(),
            Some("https://auth.example/api")
        );
        assert_eq!(
            base_url("http://127.0.0.1:3000").as_deref(),
            Some("http://127.0.0.1:3000")
        );
        for bad in [
            "auth.example",
            "ftp://a.example",
            "https://a.example/?x",
            "https://a.example/#f",
        ] {
            assert_eq!(base_url(bad), None, "{bad}");
        }
    }

    fn access(alg: Algorithm) -> Header {
        Header {
            typ: Some("at+jwt".to_owned()),
            kid: Some("k".to_owned()),
            ..Header::new(alg)
        }
    }

    #[test]
    fn access_tokens_of_asymmetric_algorithms_pass_the_header_check() {
        for alg in ALGORITHMS {
            assert_eq!(check_header(&access(alg)), Ok(()), "{alg:?}");
        }
        let prefixed = Header {
            typ: Some("application/AT+JWT".to_owned()),
            ..access(Algorithm::EdDSA)
        };
        assert_eq!(check_header(&prefixed), Ok(()));
    }

    #[test]
    fn other_headers_are_refused() {
        for alg in [
            Algorithm::HS256,
            Algorithm::HS512,
            Algorithm::PS256,
            Algorithm::ES384,
        ] {
            assert_eq!(
                check_header(&access(alg)),
                Err(AuthError::WrongAlgorithm),
                "{alg:?}"
            );
        }
        for typ in [None, Some("JWT"), Some("refresh+jwt")] {
            let header = Header {
                typ: typ.map(str::to_owned),
                ..access(Algorithm::EdDSA)
            };
            assert_eq!(
                check_header(&header),
                Err(AuthError::NotAccessToken),
                "{typ:?}"
            );
        }
        let pointing = Header {
            jku: Some("https://evil.example/jwks.json".to_owned()),
            ..access(Algorithm::EdDSA)
        };
        assert_eq!(check_header(&pointing), Err(AuthError::ForbiddenHeader));
        let critical = Header {
            crit: Some(vec!["exp".to_owned()]),
            ..access(Algorithm::EdDSA)
        };
        assert_eq!(check_header(&critical), Err(AuthError::ForbiddenHeader));
    }
}
