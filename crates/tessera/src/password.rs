//! Argon2id password hashing, off the async workers and bounded in concurrency.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{self, PasswordHash, PasswordHasher as _, SaltString};
use tokio::sync::Semaphore;

use crate::error::ApiError;

mod reuse;

/// Hashes and verifies passwords with argon2id at OWASP's parameters
/// (19 MiB, 2 passes, 1 lane).
///
/// Each hash takes ~19 MiB and tens of milliseconds of CPU, so at most
/// `max_concurrent` run at once on the blocking pool and at most `max_queued`
/// more wait their turn; beyond that callers get [`ApiError::Busy`] (503) at
/// once. A sign-in flood thus cannot exhaust memory, async workers or latency.
#[derive(Clone)]
pub struct Passwords {
    // One Arc: the app state, this included, is cloned for every request.
    inner: Arc<Inner>,
}

struct Inner {
    permits: Semaphore,
    queued: AtomicUsize,
    max_queued: usize,
    /// Verified against for unknown users, so a miss costs as much as a hit.
    dummy_hash: String,
    /// Argon2 memory, reused across calls (see `reuse`).
    buffers: reuse::Buffers,
}

impl Passwords {
    /// A hasher running at most `max_concurrent` (at least 1) hashes at once,
    /// with up to 64 per running hash waiting.
    pub fn new(max_concurrent: usize) -> Self {
        Self::with_queue(max_concurrent, max_concurrent.max(1) * 64)
    }

    /// A hasher running at most `max_concurrent` hashes with at most `max_queued` waiting.
    pub fn with_queue(max_concurrent: usize, max_queued: usize) -> Self {
        let dummy_hash = hash_blocking("tessera timing-equaliser password")
            .expect("argon2 hashing with fixed parameters cannot fail");
        Self {
            inner: Arc::new(Inner {
                permits: Semaphore::new(max_concurrent.max(1)),
                queued: AtomicUsize::new(0),
                max_queued,
                dummy_hash,
                buffers: reuse::Buffers::default(),
            }),
        }
    }

    /// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`) of `password` under a fresh salt.
    pub async fn hash(&self, password: String) -> Result<String, ApiError> {
        let buffers = self.inner.buffers.clone();
        let blocks = reuse::owasp().params().block_count();
        self.run(move || buffers.with(blocks, |memory| reuse::hash(&password, memory)))
            .await?
            .map_err(ApiError::internal)
    }

    /// Whether `password` matches `stored`. With no stored hash (unknown user) it
    /// still runs a full verification, against a dummy, and answers `false`.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, ApiError> {
        let known_user = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.inner.dummy_hash.clone());
        let buffers = self.inner.buffers.clone();
        let matched = self
            .run(move || verify_blocking(&password, &hash, &buffers))
            .await??;
        Ok(known_user && matched)
    }

    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let inner = &self.inner;
        let _permit = match inner.permits.try_acquire() {
            Ok(permit) => permit,
            Err(_) => {
                let waiting =
                    QueueSlot::take(&inner.queued, inner.max_queued).ok_or(ApiError::Busy)?;
                let permit = inner.permits.acquire().await.map_err(ApiError::internal)?;
                drop(waiting);
                permit
            }
        };
        tokio::task::spawn_blocking(job)
            .await
            .map_err(ApiError::internal)
    }
}

/// A place in the wait queue, given back on drop (also when the waiting
/// request is cancelled).
struct QueueSlot<'a>(&'a AtomicUsize);

impl<'a> QueueSlot<'a> {
    fn take(queued: &'a AtomicUsize, max: usize) -> Option<Self> {
        let taken = queued.fetch_update(Ordering::AcqRel, Ordering::Acquire, |now| {
            (now < max).then_some(now + 1)
        });
        taken.ok().map(|_| Self(queued))
    }
}

impl Drop for QueueSlot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Hashes synchronously; for callers already off the async runtime (the CLI, startup).
pub fn hash_blocking(password: &str) -> Result<String, password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(reuse::owasp()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

fn verify_blocking(
    password: &str,
    stored: &str,
    buffers: &reuse::Buffers,
) -> Result<bool, ApiError> {
    let parsed = PasswordHash::new(stored).map_err(ApiError::internal)?;
    let blocks = reuse::blocks_for(&parsed).map_err(ApiError::internal)?;
    buffers
        .with(blocks, |memory| reuse::verify(password, &parsed, memory))
        .map_err(ApiError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_salted_argon2id_and_verify() {
        let passwords = Passwords::new(2);
        let a = passwords.hash("correct horse".into()).await.unwrap();
        let b = passwords.hash("correct horse".into()).await.unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "each hash gets its own salt");
        assert!(passwords
            .verify("correct horse".into(), Some(a.clone()))
            .await
            .unwrap());
        assert!(!passwords
            .verify("wrong horse".into(), Some(a))
            .await
            .unwrap());
    }

    #[tokio::test]
    async fn a_full_queue_answers_busy_at_once() {
        let passwords = Passwords::with_queue(1, 1);
        let flood: Vec<_> = (0..6)
            .map(|_| passwords.hash("a password".into()))
            .collect();
        let results = futures::future::join_all(flood).await;
        let busy = results
            .iter()
            .filter(|r| matches!(r, Err(ApiError::Busy)))
            .count();
        let done = results.iter().filter(|r| r.is_ok()).count();
        assert!(busy >= 1 && done >= 2, "{busy} busy, {done} done");
        assert_eq!(busy + done, 6);
        assert!(
            passwords.hash("later".into()).await.is_ok(),
            "slots are given back"
        );
    }

    #[tokio::test]
    async fn reused_memory_hashes_like_the_reference_implementation() {
        use argon2::password_hash::PasswordVerifier as _;
        let passwords = Passwords::new(1);
        let ours = passwords.hash("correct horse".into()).await.unwrap();
        let reference = reuse::owasp();
        assert!(reference
            .verify_password(b"correct horse", &PasswordHash::new(&ours).unwrap())
            .is_ok());
        let theirs = hash_blocking("battery staple").unwrap();
        assert!(passwords
            .verify("battery staple".into(), Some(theirs.clone()))
            .await
            .unwrap());
        assert!(!passwords
            .verify("battery stapler".into(), Some(theirs))
            .await
            .unwrap());
        // Other parameters (an older default) get a buffer of their own size.
        let legacy = argon2::Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            argon2::Params::new(8 * 1024, 1, 1, None).unwrap(),
        );
        let salt = SaltString::generate(&mut OsRng);
        let old = legacy
            .hash_password(b"old secret", &salt)
            .unwrap()
            .to_string();
        assert!(passwords
            .verify("old secret".into(), Some(old))
            .await
            .unwrap());
    }

    #[tokio::test]
    async fn unknown_users_never_verify() {
        let passwords = Passwords::new(1);
        let dummy_password = "tessera timing-equaliser password".to_owned();
        assert!(!passwords.verify(dummy_password, None).await.unwrap());
    }
}
