//! RFC 6238 codes: the authenticator's secret, its `otpauth://` URI and QR
//! code, and which time step (if any) a code belongs to at a given time.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use qrcode::render::svg;
use qrcode::QrCode;
use totp_rs::{Algorithm, TOTP};

/// Seconds per time step (RFC 6238's default; what authenticator apps assume).
pub(crate) const STEP_SECS: u64 = 30;
/// Steps of clock skew accepted either side of now.
const SKEW_STEPS: u64 = 1;
/// Bytes of a new secret: 160 bits, RFC 4226's recommendation for SHA-1.
const SECRET_LEN: usize = 20;

/// One user's authenticator.
pub(crate) struct Authenticator {
    totp: TOTP,
}

impl Authenticator {
    /// A new random secret.
    pub(crate) fn new_secret() -> Vec<u8> {
        let mut secret = vec![0u8; SECRET_LEN];
        OsRng.fill_bytes(&mut secret);
        secret
    }

    /// The authenticator of `secret` (SHA-1, 6 digits, 30 s), labelled
    /// `issuer:account` in apps.
    pub(crate) fn new(secret: Vec<u8>, issuer: &str, account: &str) -> Self {
        Self::with(Algorithm::SHA1, 6, secret, issuer, account)
    }

    fn with(
        algorithm: Algorithm,
        digits: usize,
        secret: Vec<u8>,
        issuer: &str,
        account: &str,
    ) -> Self {
        // A colon separates issuer and account in the URI's label.
        let (issuer, account) = (issuer.replace(':', "_"), account.replace(':', "_"));
        let skew = u8::try_from(SKEW_STEPS).unwrap_or(1);
        let totp = TOTP::new_unchecked(
            algorithm,
            digits,
            skew,
            STEP_SECS,
            secret,
            Some(issuer),
            account,
        );
        Self { totp }
    }

    /// The secret in base32, for typing into an app.
    pub(crate) fn secret_base32(&self) -> String {
        self.totp.get_secret_base32()
    }

    /// The `otpauth://totp/...` URI.
    pub(crate) fn uri(&self) -> String {
        self.totp.get_url()
    }

    /// The URI as an SVG QR code.
    pub(crate) fn qr_svg(&self) -> Result<String, String> {
        let code = QrCode::new(self.uri().as_bytes()).map_err(|err| err.to_string())?;
        Ok(code
            .render::<svg::Color<'_>>()
            .min_dimensions(200, 200)
            .build())
    }

    /// The time step whose code is `code` at Unix time `now`, looking one step
    /// either side for clock skew; `None` if none matches. Every candidate is
    /// compared, in constant time, so timing tells nothing about near misses.
    pub(crate) fn step_of(&self, code: &str, now: u64) -> Option<u64> {
        let current = now / STEP_SECS;
        let first = current.saturating_sub(SKEW_STEPS);
        (first..=current + SKEW_STEPS).fold(None, |found, step| {
            let expected = self.totp.generate(step * STEP_SECS);
            if constant_time_eq(expected.as_bytes(), code.as_bytes()) {
                Some(step)
            } else {
                found
            }
        })
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B: (time, SHA-1 code, SHA-256 code, SHA-512 code), 8 digits.
    const VECTORS: [(u64, &str, &str, &str); 6] = [
        (59, "94287082", "46119246", "90693936"),
        (1_111_111_109, "07081804", "68084774", "25091201"),
        (1_111_111_111, "14050471", "67062674", "99943326"),
        (1_234_567_890, "89005924", "91819424", "93441116"),
        (2_000_000_000, "69279037", "90698825", "38618901"),
        (20_000_000_000, "65353130", "77737706", "47863826"),
    ];

    fn rfc(algorithm: Algorithm) -> Authenticator {
        let seed: &[u8] = match algorithm {
            Algorithm::SHA1 => b"12345678901234567890",
            Algorithm::SHA256 => b"12345678901234567890123456789012",
            Algorithm::SHA512 => {
                b"1234567890123456789012345678901234567890123456789012345678901234"
            }
        };
        Authenticator::with(algorithm, 8, seed.to_vec(), "Tessera", "alice")
    }

    #[test]
    fn rfc_6238_vectors_match_at_their_time_and_one_step_either_side() {
        for (time, sha1, sha256, sha512) in VECTORS {
            for (algorithm, code) in [
                (Algorithm::SHA1, sha1),
                (Algorithm::SHA256, sha256),
                (Algorithm::SHA512, sha512),
            ] {
                let auth = rfc(algorithm);
                let step = time / STEP_SECS;
                assert_eq!(
                    auth.step_of(code, time),
                    Some(step),
                    "{algorithm:?} at {time}"
                );
                assert_eq!(
                    auth.step_of(code, time + STEP_SECS),
                    Some(step),
                    "a step late"
                );
                assert_eq!(
                    auth.step_of(code, time - STEP_SECS),
                    Some(step),
                    "a step early"
                );
                assert_eq!(
                    auth.step_of(code, time + 2 * STEP_SECS),
                    None,
                    "two steps late"
                );
                if let Some(early) = time.checked_sub(2 * STEP_SECS) {
                    assert_eq!(auth.step_of(code, early), None, "two steps early");
                }
            }
        }
    }

    #[test]
    fn wrong_codes_and_other_lengths_are_refused() {
        let auth = rfc(Algorithm::SHA1);
        assert_eq!(auth.step_of("94287083", 59), None);
        assert_eq!(auth.step_of("4287082", 59), None);
        assert_eq!(auth.step_of("", 59), None);
    }

    #[test]
    fn new_authenticators_have_an_otpauth_uri_and_qr_code() {
        let auth = Authenticator::new(Authenticator::new_secret(), "Tessera", "al:ice");
        let uri = auth.uri();
        assert!(uri.starts_with("otpauth://totp/Tessera:al_ice?"), "{uri}");
        assert!(
            uri.contains(&format!("secret={}", auth.secret_base32())),
            "{uri}"
        );
        assert!(auth.qr_svg().unwrap().contains("<svg"));
    }
}
