//! The ring on disk: rotate, import, prune, list, and loading it into a [`KeyRing`].

use std::fs;
use std::io;
use std::path::Path;
use std::time::Duration;

use super::locked::Locked;
use super::manifest::{parse_manifest, read_manifest};
use super::material::Material;
use super::{KeyError, KeyInfo, KeyRing, Keys, SigningAlg};
use crate::clock::unix_now;

/// Changing the ring on disk, as `tessera keys` does. Writers hold the ring's lock,
/// so concurrent processes never lose each other's changes; running servers pick
/// the change up on their next reload.
impl Keys {
    /// Adds a freshly generated `alg` key to the ring in `dir`; it signs from now on, and the
    /// older keys keep verifying until [`Keys::prune`] removes them. Creates the ring if needed.
    pub fn rotate(dir: &Path, alg: SigningAlg) -> Result<KeyInfo, KeyError> {
        let mut ring = Locked::open(dir, true)?;
        let key = Material::generate(alg).map_err(|reason| KeyError::Generate { alg, reason })?;
        let info = ring.add(key, false)?;
        ring.save()?;
        Ok(info)
    }

    /// Adds the private key in `file` as the new signer: PKCS#8 PEM for EdDSA, ES256 (P-256) and
    /// RS256 (2048 bits or more), or the secret itself (32 bytes or more) for HS256.
    pub fn import(dir: &Path, file: &Path, alg: SigningAlg) -> Result<KeyInfo, KeyError> {
        let bytes = fs::read(file).map_err(KeyError::io(file))?;
        let key = Material::parse(alg, &bytes).map_err(|reason| KeyError::InvalidKey {
            path: file.to_owned(),
            alg,
            reason,
        })?;
        let mut ring = Locked::open(dir, true)?;
        if ring.manifest.keys.iter().any(|entry| entry.kid == key.kid) {
            return Err(KeyError::Duplicate(key.kid));
        }
        let info = ring.add(key, false)?;
        ring.save()?;
        Ok(info)
    }

    /// Removes the keys whose successor has been signing for longer than `retire_after`, and
    /// returns them; the signing key always stays. Pass the longest token lifetime plus the
    /// leeway (and the servers' reload interval): no token signed by a removed key is still valid.
    pub fn prune(dir: &Path, retire_after: Duration) -> Result<Vec<KeyInfo>, KeyError> {
        prune_at(dir, retire_after, unix_now())
    }

    /// Every key of the ring in `dir`, oldest first; the last one signs.
    pub fn list(dir: &Path) -> Result<Vec<KeyInfo>, KeyError> {
        let bytes = read_manifest(dir)?.ok_or_else(|| KeyError::NoRing(dir.to_owned()))?;
        let manifest = parse_manifest(dir, &bytes)?;
        let last = manifest.keys.len() - 1;
        Ok(manifest
            .keys
            .iter()
            .enumerate()
            .map(|(index, entry)| entry.info(index == last))
            .collect())
    }
}

pub(super) fn prune_at(
    dir: &Path,
    retire_after: Duration,
    now: u64,
) -> Result<Vec<KeyInfo>, KeyError> {
    let mut ring = Locked::open(dir, false)?;
    let keys = ring.manifest.keys.clone();
    // Every token a key signed was issued before its successor took over.
    let successors: Vec<u64> = keys.iter().skip(1).map(|next| next.created_at).collect();
    let (mut kept, mut removed) = (Vec::new(), Vec::new());
    for (index, entry) in keys.into_iter().enumerate() {
        match successors.get(index) {
            Some(&since) if now.saturating_sub(since) > retire_after.as_secs() => {
                removed.push(entry);
            }
            _ => kept.push(entry),
        }
    }
    if removed.is_empty() {
        return Ok(Vec::new());
    }
    ring.replace_keys(kept);
    ring.save()?;
    // Only now that no manifest names them may the files go.
    for entry in &removed {
        let path = dir.join(entry.file_name());
        match fs::remove_file(&path) {
            Err(err) if err.kind() != io::ErrorKind::NotFound => {
                return Err(KeyError::io(path)(err));
            }
            _ => {}
        }
    }
    Ok(removed.iter().map(|entry| entry.info(false)).collect())
}

/// Makes sure the newest key of the ring in `dir` is an `alg` key, creating the ring or
/// adding a key if not.
pub(super) fn ensure_signer(dir: &Path, alg: SigningAlg) -> Result<(), KeyError> {
    let mut ring = Locked::open(dir, true)?;
    if ring
        .manifest
        .keys
        .last()
        .is_none_or(|entry| entry.alg != alg)
    {
        let key = Material::generate(alg).map_err(|reason| KeyError::Generate { alg, reason })?;
        ring.add(key, false)?;
    }
    ring.save()
}

/// The ring described by `manifest` (the bytes of `keyring.json`), plus `extra`, which
/// verifies (also tokens without a `kid`) but never signs.
pub(super) fn load(
    dir: &Path,
    manifest: &[u8],
    extra: Option<Material>,
) -> Result<KeyRing, KeyError> {
    let manifest = parse_manifest(dir, manifest)?;
    let mut keys = Vec::with_capacity(manifest.keys.len());
    for entry in manifest.keys.iter().rev() {
        let path = dir.join(entry.file_name());
        let bytes = fs::read(&path).map_err(KeyError::io(&path))?;
        let invalid = |reason| KeyError::InvalidKey {
            path: path.clone(),
            alg: entry.alg,
            reason,
        };
        let key = Material::parse(entry.alg, &bytes).map_err(invalid)?;
        if key.kid != entry.kid {
            return Err(invalid(format!(
                "it holds key {}, not {}",
                key.kid, entry.kid
            )));
        }
        keys.push(key);
    }
    let legacy = match &extra {
        Some(extra) => Some(extra.kid.clone()),
        None => manifest
            .keys
            .iter()
            .rfind(|entry| entry.legacy)
            .map(|entry| entry.kid.clone()),
    };
    let mut keys = keys.into_iter();
    let signer = keys.next().expect("parse_manifest refuses an empty ring");
    Ok(KeyRing::assemble(
        signer,
        keys.chain(extra).collect(),
        legacy.as_deref(),
    ))
}
