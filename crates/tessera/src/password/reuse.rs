//! Argon2id on reusable memory.
//!
//! argon2's own `hash_password`/`verify_password` allocate a fresh 19 MiB block
//! buffer per call. glibc keeps such freed buffers in its per-thread arenas
//! instead of returning them, so under sign-in traffic on the blocking pool the
//! process grew by hundreds of MiB. Here each concurrent hash borrows one of a
//! few buffers that live as long as the server: memory stays at (concurrency ×
//! 19 MiB) however many sign-ins come.

use std::sync::{Arc, Mutex};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{self, Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// Block buffers for OWASP-parameter hashes, handed out one per running hash.
#[derive(Clone, Default)]
pub(super) struct Buffers {
    free: Arc<Mutex<Vec<Vec<Block>>>>,
}

impl Buffers {
    /// Runs `job` with a buffer of `blocks` blocks, reusing a free one when it fits.
    pub(super) fn with<T>(&self, blocks: usize, job: impl FnOnce(&mut [Block]) -> T) -> T {
        let reused = self
            .free
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop();
        let mut buffer = reused
            .filter(|buffer| buffer.len() == blocks)
            .unwrap_or_else(|| vec![Block::default(); blocks]);
        let result = job(&mut buffer);
        // A panic above drops the buffer instead of returning it: harmless.
        self.free
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(buffer);
        result
    }
}

/// Tessera's parameters: OWASP's argon2id (19 MiB, 2 passes, 1 lane).
pub(super) fn owasp() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("OWASP argon2id parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string of `password` under a fresh salt, computed in `memory`.
pub(super) fn hash(password: &str, memory: &mut [Block]) -> Result<String, password_hash::Error> {
    let argon = owasp();
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.as_salt().decode_b64(&mut salt_bytes)?;
    let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
        Ok(argon.hash_password_into_with_memory(
            password.as_bytes(),
            salt_bytes,
            out,
            &mut *memory,
        )?)
    })?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon.params())?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

/// The block count a stored PHC string's parameters need.
pub(super) fn blocks_for(stored: &PasswordHash<'_>) -> Result<usize, password_hash::Error> {
    Ok(Params::try_from(stored)?.block_count())
}

/// Whether `password` matches `stored`, computed in `memory` (sized by [`blocks_for`]).
/// The parameters come from the PHC string, so hashes made with older settings
/// keep verifying after the defaults change.
pub(super) fn verify(
    password: &str,
    stored: &PasswordHash<'_>,
    memory: &mut [Block],
) -> Result<bool, password_hash::Error> {
    let algorithm = Algorithm::try_from(stored.algorithm)?;
    let version = stored
        .version
        .map(Version::try_from)
        .transpose()?
        .unwrap_or_default();
    let argon = Argon2::new(algorithm, version, Params::try_from(stored)?);
    let (Some(expected), Some(salt)) = (&stored.hash, &stored.salt) else {
        return Err(password_hash::Error::PhcStringField);
    };
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
    let computed = Output::init_with(expected.len(), |out| {
        Ok(argon.hash_password_into_with_memory(
            password.as_bytes(),
            salt_bytes,
            out,
            &mut *memory,
        )?)
    })?;
    // `Output`'s equality is constant-time.
    Ok(computed == *expected)
}
