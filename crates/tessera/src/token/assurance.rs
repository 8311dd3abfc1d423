//! How strongly a token's user proved who they are: the `acr` and `amr`
//! claims (OpenID Connect Core §2, RFC 8176) and what each level may do.

use serde::{Deserialize, Serialize};

/// The assurance level of a session, carried by its access tokens as `acr`.
///
/// | `acr` | level | `amr` | grants |
/// |-------|-------|-------|--------|
/// | `"0"` | [`Self::FirstStep`] | `["pwd"]` | nothing but completing the sign-in (`POST /mfa/verify`) |
/// | `"1"` | [`Self::SingleFactor`] | `["pwd"]` | every route but those asking for a second factor |
/// | `"2"` | [`Self::MultiFactor`] | `["pwd", "otp"]` | every route |
///
/// `"0"` follows OpenID Connect's "level 0": an authentication that must not
/// authorise access to anything of value. A token without `acr` (issued
/// before Tessera set it) counts as `"1"`; any other value as `"0"`, so an
/// unknown level never grants more than it should.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Assurance {
    /// A password sign-in of a user who enrolled a second factor, not yet
    /// completed with it.
    FirstStep,
    /// A password sign-in of a user with no second factor.
    SingleFactor,
    /// A password and a second factor (a TOTP code or a recovery code).
    MultiFactor,
}

impl Assurance {
    /// The `acr` value: `"0"`, `"1"` or `"2"`.
    pub fn acr(self) -> &'static str {
        match self {
            Self::FirstStep => "0",
            Self::SingleFactor => "1",
            Self::MultiFactor => "2",
        }
    }

    /// The `amr` values (RFC 8176): `pwd` for a password, `otp` for a
    /// one-time code (TOTP or recovery code).
    pub fn amr(self) -> Vec<String> {
        let methods: &[&str] = match self {
            Self::FirstStep | Self::SingleFactor => &["pwd"],
            Self::MultiFactor => &["pwd", "otp"],
        };
        methods.iter().map(|&method| method.to_owned()).collect()
    }

    /// The level of a token's `acr` (see the table above).
    pub fn from_acr(acr: Option<&str>) -> Self {
        match acr {
            None | Some("1") => Self::SingleFactor,
            Some("2") => Self::MultiFactor,
            Some(_) => Self::FirstStep,
        }
    }

    /// The level as stored with a session (the same digit as `acr`).
    pub(crate) fn stored(self) -> i64 {
        match self {
            Self::FirstStep => 0,
            Self::SingleFactor => 1,
            Self::MultiFactor => 2,
        }
    }

    /// A session's stored level; an unknown one reads as the lowest.
    pub(crate) fn from_stored(level: i64) -> Self {
        match level {
            1 => Self::SingleFactor,
            2 => Self::MultiFactor,
            _ => Self::FirstStep,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acr_round_trips_and_unknown_values_grant_least() {
        for level in [
            Assurance::FirstStep,
            Assurance::SingleFactor,
            Assurance::MultiFactor,
        ] {
            assert_eq!(Assurance::from_acr(Some(level.acr())), level);
            assert_eq!(Assurance::from_stored(level.stored()), level);
        }
        assert_eq!(Assurance::from_acr(None), Assurance::SingleFactor);
        assert_eq!(Assurance::from_acr(Some("3")), Assurance::FirstStep);
        assert_eq!(Assurance::from_stored(7), Assurance::FirstStep);
        assert_eq!(Assurance::MultiFactor.amr(), ["pwd", "otp"]);
    }
}
