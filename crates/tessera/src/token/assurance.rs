//! How strongly a token's user proved who they are: the `acr` and `amr`
//! claims (OpenID Connect Core §2, RFC 8176) and what each level may do.

use serde::{Deserialize, Serialize};

/// The assurance level of a session, carried by its access tokens as `acr`.
///
/// | `acr` | level | `amr` | grants |
/// |-------|-------|-------|--------|
/// | `"0"` | [`Self::FirstStep`] | `["pwd"]` | nothing but completing the sign-in (`POST /mfa/verify`) |
/// | `"1"` | [`Self::SingleFactor`] | `["pwd"]` | every route but those asking for a second factor |
/// | `"2"` | [`Self::MultiFactor`] | `["pwd", "otp"]`, `["hwk", "user"]` or `["pwd", "hwk", "user"]` | every route |
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
    /// A password and a second factor (a TOTP code, a recovery code or a
    /// passkey), or a passkey alone (a key the user holds, unlocked by them).
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

    /// The `amr` values (RFC 8176) of a password sign-in at this level: `pwd`
    /// for a password, `otp` for a one-time code (TOTP or recovery code). A
    /// passkey's tokens say `hwk` (a key held) and `user` (user verification).
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
}

/// How a session was signed in: its level and the `amr` of its tokens.
/// Stored with the session (its `acr` column) as the number [`Self::stored`]
/// gives, so a refresh keeps both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignIn {
    /// A password, its second factor still to come.
    PasswordFirstStep,
    /// A password alone.
    Password,
    /// A password and a one-time code (TOTP or recovery code).
    PasswordAndCode,
    /// A passkey alone, no username typed.
    Passkey,
    /// A password, then a passkey as its second step.
    PasswordAndPasskey,
}

impl SignIn {
    /// The level its tokens carry.
    pub(crate) fn level(self) -> Assurance {
        match self {
            Self::PasswordFirstStep => Assurance::FirstStep,
            Self::Password => Assurance::SingleFactor,
            Self::PasswordAndCode | Self::Passkey | Self::PasswordAndPasskey => {
                Assurance::MultiFactor
            }
        }
    }

    /// Its `amr` values (RFC 8176).
    pub(crate) fn amr(self) -> Vec<String> {
        let methods: &[&str] = match self {
            Self::Passkey => &["hwk", "user"],
            Self::PasswordAndPasskey => &["pwd", "hwk", "user"],
            other => return other.level().amr(),
        };
        methods.iter().map(|&method| method.to_owned()).collect()
    }

    /// The number stored with the session: the `acr` digit for a password
    /// sign-in (0, 1, 2); 3 and 4 are the passkey sign-ins, at level 2.
    pub(crate) fn stored(self) -> i64 {
        match self {
            Self::PasswordFirstStep => 0,
            Self::Password => 1,
            Self::PasswordAndCode => 2,
            Self::Passkey => 3,
            Self::PasswordAndPasskey => 4,
        }
    }

    /// A session's stored sign-in; an unknown number reads as the lowest.
    pub(crate) fn from_stored(stored: i64) -> Self {
        match stored {
            1 => Self::Password,
            2 => Self::PasswordAndCode,
            3 => Self::Passkey,
            4 => Self::PasswordAndPasskey,
            _ => Self::PasswordFirstStep,
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
        }
        assert_eq!(Assurance::from_acr(None), Assurance::SingleFactor);
        assert_eq!(Assurance::from_acr(Some("3")), Assurance::FirstStep);
        assert_eq!(Assurance::MultiFactor.amr(), ["pwd", "otp"]);
    }

    #[test]
    fn sign_ins_round_trip_and_passkeys_say_how() {
        for sign_in in [
            SignIn::PasswordFirstStep,
            SignIn::Password,
            SignIn::PasswordAndCode,
            SignIn::Passkey,
            SignIn::PasswordAndPasskey,
        ] {
            assert_eq!(SignIn::from_stored(sign_in.stored()), sign_in);
        }
        assert_eq!(SignIn::from_stored(9), SignIn::PasswordFirstStep);
        assert_eq!(SignIn::Passkey.amr(), ["hwk", "user"]);
        assert_eq!(SignIn::Passkey.level().acr(), "2");
        assert_eq!(SignIn::PasswordAndPasskey.amr(), ["pwd", "hwk", "user"]);
        assert_eq!(SignIn::Password.amr(), ["pwd"]);
    }
}
