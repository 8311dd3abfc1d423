//! Changing a ring: the writers' lock, and private files replaced atomically.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::manifest::{self, Entry, Manifest, MANIFEST, VERSION};
use super::material::Material;
use super::{KeyError, KeyInfo, SigningAlg};
use crate::clock::unix_now;
use crate::secret::SECRET_FILE;

const LOCK: &str = "keyring.lock";

/// The ring's manifest, read under the writers' lock, which is held until this is dropped.
pub(super) struct Locked {
    dir: PathBuf,
    pub(super) manifest: Manifest,
    changed: bool,
    _lock: File,
}

impl Locked {
    /// Locks the ring in `dir`; if there is none, creates it when `create` (adopting the
    /// legacy secret) or fails.
    pub(super) fn open(dir: &Path, create: bool) -> Result<Self, KeyError> {
        if !create && manifest::read_manifest(dir)?.is_none() {
            return Err(KeyError::NoRing(dir.to_owned()));
        }
        create_private_dir(dir)?;
        let lock = lock(dir)?;
        let mut ring = match manifest::read_manifest(dir)? {
            Some(bytes) => Self {
                dir: dir.to_owned(),
                manifest: manifest::parse_manifest(dir, &bytes)?,
                changed: false,
                _lock: lock,
            },
            None if create => Self {
                dir: dir.to_owned(),
                manifest: Manifest {
                    version: VERSION,
                    keys: Vec::new(),
                },
                changed: true,
                _lock: lock,
            },
            None => return Err(KeyError::NoRing(dir.to_owned())),
        };
        if ring.manifest.keys.is_empty() {
            ring.adopt_legacy_secret()?;
        }
        Ok(ring)
    }

    fn adopt_legacy_secret(&mut self) -> Result<(), KeyError> {
        let Some(path) = self.dir.parent().map(|data_dir| data_dir.join(SECRET_FILE)) else {
            return Ok(());
        };
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(err) => return Err(KeyError::io(path)(err)),
        };
        let alg = SigningAlg::Hs256;
        let key = Material::parse(alg, &bytes).map_err(|reason| KeyError::InvalidKey {
            path,
            alg,
            reason,
        })?;
        self.add(key, true)?;
        Ok(())
    }

    /// Writes the key file and appends the key as the new signer (saved by [`Self::save`]).
    pub(super) fn add(&mut self, key: Material, legacy: bool) -> Result<KeyInfo, KeyError> {
        let entry = Entry {
            kid: key.kid,
            alg: key.alg,
            created_at: unix_now(),
            legacy,
        };
        write_private(&self.dir.join(entry.file_name()), &key.file)?;
        let info = entry.info(true);
        self.manifest.keys.push(entry);
        self.changed = true;
        Ok(info)
    }

    /// Replaces the list of keys (saved by [`Self::save`]).
    pub(super) fn replace_keys(&mut self, keys: Vec<Entry>) {
        self.manifest.keys = keys;
        self.changed = true;
    }

    /// Writes the manifest if it changed.
    pub(super) fn save(&self) -> Result<(), KeyError> {
        if !self.changed {
            return Ok(());
        }
        let mut json = serde_json::to_vec_pretty(&self.manifest).expect("a manifest serialises");
        json.push(b'\n');
        write_private(&self.dir.join(MANIFEST), &json)
    }
}

/// Opens (creating) the lock file and waits for the exclusive lock. `flock` locks are
/// released by the kernel when the holder exits, so a crash never leaves the ring locked.
fn lock(dir: &Path) -> Result<File, KeyError> {
    let path = dir.join(LOCK);
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(&path).map_err(KeyError::io(&path))?;
    // Elsewhere concurrent writers are not serialised: run one `tessera keys` at a time.
    #[cfg(unix)]
    rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)
        .map_err(|errno| KeyError::io(&path)(errno.into()))?;
    Ok(file)
}

fn create_private_dir(dir: &Path) -> Result<(), KeyError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(KeyError::io(dir))
}

/// Writes `bytes` to `path` (mode 0600) through a temp file and a rename, so readers see
/// the old file or the whole new one, and syncs, so the rename survives a crash in order.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), KeyError> {
    let mut temp = path.as_os_str().to_owned();
    temp.push(".tmp");
    let temp = PathBuf::from(temp);
    let write = || -> io::Result<()> {
        // A leftover of a crashed writer; the lock guarantees it is no live writer's.
        match fs::remove_file(&temp) {
            Err(err) if err.kind() != io::ErrorKind::NotFound => return Err(err),
            _ => {}
        }
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, path)?;
        if let Some(dir) = path.parent() {
            File::open(dir)?.sync_all()?;
        }
        Ok(())
    };
    write().map_err(KeyError::io(path))
}
