//! `keyring.json`: the list of keys in a ring, oldest first (format in [`super`]).

use std::fs;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{KeyError, KeyInfo, SigningAlg};

/// The manifest's file name inside the ring directory.
pub(super) const MANIFEST: &str = "keyring.json";
/// The manifest format written and understood.
pub(super) const VERSION: u32 = 1;

/// The whole of `keyring.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Manifest {
    pub(super) version: u32,
    pub(super) keys: Vec<Entry>,
}

/// One key; its private part is in [`Entry::file_name`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Entry {
    pub(super) kid: String,
    pub(super) alg: SigningAlg,
    pub(super) created_at: u64,
    /// Adopted from `<data-dir>/jwt-secret`: also verifies tokens without a `kid`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(super) legacy: bool,
}

impl Entry {
    /// The key file, inside the ring directory.
    pub(super) fn file_name(&self) -> String {
        match self.alg {
            SigningAlg::Hs256 => format!("{}.secret", self.kid),
            _ => format!("{}.pem", self.kid),
        }
    }

    pub(super) fn info(&self, signing: bool) -> KeyInfo {
        KeyInfo {
            kid: self.kid.clone(),
            alg: self.alg,
            created_at: self.created_at,
            signing,
        }
    }
}

/// The manifest's bytes, or `None` if there is no ring yet.
pub(super) fn read_manifest(dir: &Path) -> Result<Option<Vec<u8>>, KeyError> {
    let path = dir.join(MANIFEST);
    match fs::read(&path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(KeyError::io(path)(err)),
    }
}

/// Reads and checks the manifest's `bytes`; `dir` is for the error message.
pub(super) fn parse_manifest(dir: &Path, bytes: &[u8]) -> Result<Manifest, KeyError> {
    let invalid = |reason: String| KeyError::Manifest {
        path: dir.join(MANIFEST),
        reason,
    };
    let manifest: Manifest =
        serde_json::from_slice(bytes).map_err(|err| invalid(err.to_string()))?;
    if manifest.version != VERSION {
        return Err(invalid(format!(
            "version {} is not {VERSION}",
            manifest.version
        )));
    }
    if manifest.keys.is_empty() {
        return Err(invalid("it lists no key".to_owned()));
    }
    for (index, entry) in manifest.keys.iter().enumerate() {
        // The kid becomes a file name: nothing that could leave the directory.
        let safe = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if entry.kid.is_empty() || entry.kid.len() > 128 || !entry.kid.chars().all(safe) {
            return Err(invalid(format!(
                "kid {:?} is not a plain key id",
                entry.kid
            )));
        }
        if manifest.keys[..index]
            .iter()
            .any(|earlier| earlier.kid == entry.kid)
        {
            return Err(invalid(format!("kid {} is listed twice", entry.kid)));
        }
    }
    Ok(manifest)
}
