//! Argon2id on memory the caller owns.
//!
//! argon2's own `hash_password`/`verify_password` allocate a fresh 19 MiB block
//! buffer per call. glibc serves such blocks from its per-thread heaps after the
//! first one is freed, and keeps them when they are freed again: under sign-in
//! traffic the process grew by hundreds of MiB. Here each hashing thread holds
//! one [`Memory`], sized so that glibc maps it on its own: reused while sign-ins
//! keep coming, and given back to the kernel whole when they stop.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{self, Output, ParamsString, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// Tessera's parameters: OWASP's argon2id (19 MiB, 2 passes, 1 lane).
pub(super) fn owasp() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("OWASP argon2id parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Argon2 block memory for one hash at a time.
#[derive(Default)]
pub(super) struct Memory {
    blocks: Vec<Block>,
}

/// Blocks (1 KiB each) reserved per buffer: just over glibc's largest mmap
/// threshold (32 MiB, mallopt(3)), so every buffer is mapped on its own and
/// unmapped when dropped, whatever glibc's heuristics learned before. Only the
/// pages argon2 touches (19 MiB) become resident.
const MAPPED_BLOCKS: usize = 32 * 1024 + 1;

impl Memory {
    /// `count` blocks, reusing the current buffer when it has that size.
    pub(super) fn blocks(&mut self, count: usize) -> &mut [Block] {
        if self.blocks.len() != count {
            self.blocks = Vec::new();
            let mut blocks = Vec::with_capacity(count.max(MAPPED_BLOCKS));
            blocks.resize(count, Block::default());
            self.blocks = blocks;
        }
        &mut self.blocks
    }

    /// Gives the buffer back to the kernel.
    pub(super) fn release(&mut self) {
        self.blocks = Vec::new();
    }

    /// Whether a buffer is held.
    #[cfg(test)]
    pub(super) fn is_held(&self) -> bool {
        self.blocks.capacity() > 0
    }
}

/// The PHC string of `password` under a fresh salt, computed in `memory`.
pub(super) fn hash(password: &str, memory: &mut Memory) -> Result<String, password_hash::Error> {
    let argon = owasp();
    let salt = SaltString::generate(&mut OsRng);
    let output = compute(
        &argon,
        password,
        salt.as_salt(),
        Params::DEFAULT_OUTPUT_LEN,
        memory,
    )?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon.params())?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `stored`, computed in `memory`.
/// The parameters come from the PHC string, so hashes made with older settings
/// keep verifying after the defaults change.
pub(super) fn verify(
    password: &str,
    stored: &str,
    memory: &mut Memory,
) -> Result<bool, password_hash::Error> {
    let stored = PasswordHash::new(stored)?;
    let params = Params::try_from(&stored)?;
    let algorithm = Algorithm::try_from(stored.algorithm)?;
    let version = stored
        .version
        .map(Version::try_from)
        .transpose()?
        .unwrap_or_default();
    let argon = Argon2::new(algorithm, version, params);
    let (Some(expected), Some(salt)) = (&stored.hash, &stored.salt) else {
        return Err(password_hash::Error::PhcStringField);
    };
    let computed = compute(&argon, password, *salt, expected.len(), memory)?;
    // `Output`'s equality is constant-time.
    Ok(computed == *expected)
}

/// The `length`-byte argon2 output for `password` and `salt`, computed in `memory`.
fn compute(
    argon: &Argon2<'_>,
    password: &str,
    salt: Salt<'_>,
    length: usize,
    memory: &mut Memory,
) -> Result<Output, password_hash::Error> {
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
    let blocks = memory.blocks(argon.params().block_count());
    Output::init_with(length, |out| {
        Ok(argon.hash_password_into_with_memory(password.as_bytes(), salt_bytes, out, blocks)?)
    })
}
