//! Recovery codes: ten random one-time codes, shown once, stored as keyed
//! hashes.

use argon2::password_hash::rand_core::{OsRng, RngCore};

/// How many codes a user gets.
pub(crate) const COUNT: usize = 10;

/// Letters of a code: Crockford's base32 in lower case, which leaves out
/// `i`, `l`, `o` and `u` so that nothing is misread.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// Ten fresh codes such as `k7m2q-9xw4t` (50 random bits each).
pub(crate) fn generate() -> Vec<String> {
    (0..COUNT).map(|_| one()).collect()
}

fn one() -> String {
    let mut bytes = [0u8; 10];
    OsRng.fill_bytes(&mut bytes);
    let letters: String = bytes
        .iter()
        .map(|byte| char::from(ALPHABET[usize::from(byte % 32)]))
        .collect();
    format!("{}-{}", &letters[..5], &letters[5..])
}

/// A code as typed, in the form its hash was taken of: no dashes or spaces,
/// lower case.
pub(crate) fn normalise(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_normalise_however_typed() {
        let codes = generate();
        assert_eq!(codes.len(), COUNT);
        let distinct: std::collections::BTreeSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), COUNT);
        for code in &codes {
            assert_eq!(code.len(), 11);
            assert_eq!(
                normalise(&code.to_uppercase().replace('-', " ")),
                code.replace('-', "")
            );
        }
    }
}
