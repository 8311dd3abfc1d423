//! The claims that are Tessera's alone, and the check that keeps an
//! application's own claims off them.

use serde::Serialize;

/// The claims Tessera sets (or will set) itself; an application's own claims
/// may not use these names, and a token whose extra claims do is not issued.
pub const RESERVED_CLAIMS: &[&str] = &[
    "sub",
    "username",
    "roles",
    "sid",
    "fresh",
    "iss",
    "aud",
    "iat",
    "nbf",
    "exp",
    "jti",
    "amr",
    "acr",
    "email_verified",
];

/// Refuses application claims that are not an object or that would override
/// one of Tessera's (serde would write both, and readers disagree on which wins).
pub(super) fn check_extra<E: Serialize>(extra: &E) -> Result<(), jsonwebtoken::errors::Error> {
    use serde::ser::Error as _;
    match serde_json::to_value(extra)? {
        serde_json::Value::Object(map) => {
            if let Some(name) = map
                .keys()
                .find(|name| RESERVED_CLAIMS.contains(&name.as_str()))
            {
                let msg = format!("the claim `{name}` is reserved: Tessera sets it");
                return Err(serde_json::Error::custom(msg).into());
            }
            Ok(())
        }
        serde_json::Value::Null => Ok(()),
        _ => Err(serde_json::Error::custom("extra claims must be a struct or map").into()),
    }
}
