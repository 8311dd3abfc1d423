//! [`Keys`]: the live key ring of a server, swapped when the on-disk ring changes.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use arc_swap::{ArcSwap, Guard};

use super::material::Material;
use super::{disk, manifest, KeyError, KeyRing, SigningAlg};
use crate::secret::JwtSecret;

/// The key ring in use, reloaded from disk when another process (`tessera keys rotate`,
/// another instance sharing the data dir) changes it.
///
/// The newest key of the ring signs new tokens; every key still in the ring verifies
/// them, picked by the token's `kid`, with the algorithm stored with the key (never the
/// token's `alg` header). Asymmetric public keys are published as a JWKS.
///
/// # The ring on disk
///
/// The ring lives in `<data-dir>/keys` (mode 0700):
///
/// - `keyring.json`: `{"version": 1, "keys": [{"kid", "alg", "created_at", "legacy"?}, ..]}`,
///   oldest first. The last entry signs. It is replaced atomically (temp file + rename),
///   always after the key files it names are in place.
/// - one private key per entry, mode 0600: `<kid>.pem` (PKCS#8 PEM) for EdDSA, ES256 and
///   RS256, `<kid>.secret` (the HMAC secret as written, 32 random bytes hex-encoded when
///   generated) for HS256.
/// - `keyring.lock`: writers ([`Keys::rotate`], [`Keys::import`], [`Keys::prune`], the
///   first start) hold an exclusive `flock` on it (Unix only), so concurrent processes
///   never lose each other's changes. Readers take no lock; a server re-reads the ring when `keyring.json`'s bytes
///   change ([`Keys::reload_if_changed`]).
///
/// kids are RFC 7638 SHA-256 thumbprints for asymmetric keys and `hs-` + 16 hex digits of
/// SHA-256(secret) for HS256, so a kid always names the same key material.
///
/// When the ring is first created and `<data-dir>/jwt-secret` (the secret of Tessera
/// versions before key rings) exists, it is adopted as the first HS256 key and marked
/// `"legacy": true`: tokens without a `kid`, which those versions issued, verify with it.
#[derive(Debug)]
pub struct Keys {
    /// Read on every token check by every worker: an `ArcSwap`, whose reads write
    /// nothing shared (a lock or a reference count would bounce between cores).
    current: ArcSwap<KeyRing>,
    disk: Option<DiskRing>,
}

#[derive(Debug)]
struct DiskRing {
    dir: PathBuf,
    /// Verifies alongside the disk ring: the configured HS256 secret when signing with
    /// another algorithm, so switching algorithms does not invalidate issued tokens.
    extra: Option<JwtSecret>,
    /// The manifest the current ring was built from.
    seen: Mutex<Vec<u8>>,
}

impl Keys {
    /// The ring's directory inside a data dir: `<data-dir>/keys`.
    pub const DIR: &'static str = "keys";

    /// A ring that never reloads (library users, tests).
    pub fn fixed(ring: KeyRing) -> Self {
        Self {
            current: ArcSwap::from_pointee(ring),
            disk: None,
        }
    }

    /// Opens the ring in `dir` (`<data-dir>/keys`), first adding an `alg` key if the newest
    /// key is not one (or there is no ring: then an existing `<data-dir>/jwt-secret` is
    /// adopted first, so tokens it signed keep verifying).
    ///
    /// With HS256 and `hs_secret` (from `TESSERA_JWT_SECRET` or the embedding program), the
    /// ring is that secret alone and the disk is not used. With another algorithm,
    /// `hs_secret` still verifies HS256 tokens, those without a `kid` included.
    pub fn open(
        dir: &Path,
        alg: SigningAlg,
        hs_secret: Option<JwtSecret>,
    ) -> Result<Self, KeyError> {
        if let (SigningAlg::Hs256, Some(secret)) = (alg, &hs_secret) {
            return Ok(Self::fixed(KeyRing::from_secret(secret)));
        }
        disk::ensure_signer(dir, alg)?;
        let disk = DiskRing {
            dir: dir.to_owned(),
            extra: hs_secret,
            seen: Mutex::new(Vec::new()),
        };
        let (manifest, ring) = disk.load()?;
        *disk.seen.lock().unwrap_or_else(PoisonError::into_inner) = manifest;
        Ok(Self {
            current: ArcSwap::from_pointee(ring),
            disk: Some(disk),
        })
    }

    /// The ring to sign and verify with now.
    pub fn current(&self) -> Arc<KeyRing> {
        self.current.load_full()
    }

    /// The ring in use now, for a short borrow (one token check): cheaper than
    /// [`Self::current`], and it writes nothing other threads read.
    pub(crate) fn snapshot(&self) -> Guard<Arc<KeyRing>> {
        self.current.load()
    }

    /// Re-reads the disk ring if its manifest changed and swaps it in; returns whether it did.
    /// On error the current ring stays in use. A fixed ring never changes.
    pub fn reload_if_changed(&self) -> Result<bool, KeyError> {
        let Some(disk) = &self.disk else {
            return Ok(false);
        };
        // Held throughout, so two concurrent reloads cannot swap in an older ring last.
        let mut seen = disk.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let unchanged = manifest::read_manifest(&disk.dir)?.is_some_and(|bytes| bytes == *seen);
        if unchanged {
            return Ok(false);
        }
        let (manifest, ring) = disk.load()?;
        if manifest == *seen {
            return Ok(false);
        }
        self.current.store(Arc::new(ring));
        *seen = manifest;
        Ok(true)
    }
}

impl DiskRing {
    /// The ring as on disk now, and the manifest it was built from.
    fn load(&self) -> Result<(Vec<u8>, KeyRing), KeyError> {
        let mut retried = false;
        loop {
            let manifest = manifest::read_manifest(&self.dir)?
                .ok_or_else(|| KeyError::NoRing(self.dir.clone()))?;
            let extra = self.extra.as_ref().map(Material::from_secret);
            match disk::load(&self.dir, &manifest, extra) {
                Ok(ring) => return Ok((manifest, ring)),
                // `prune` deletes key files right after replacing the manifest we read.
                Err(KeyError::Io { source, .. })
                    if source.kind() == io::ErrorKind::NotFound && !retried =>
                {
                    retried = true;
                }
                Err(err) => return Err(err),
            }
        }
    }
}
