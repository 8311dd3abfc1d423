//! Argon2id password hashing, off the async workers and bounded in concurrency.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{
    self, PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::error::ApiError;

/// Hashes and verifies passwords with argon2id at OWASP's parameters
/// (19 MiB, 2 passes, 1 lane).
///
/// Each hash takes ~19 MiB and tens of milliseconds of CPU, so at most
/// `max_concurrent` run at once on the blocking pool and at most `max_queued`
/// more wait their turn; beyond that callers get [`ApiError::Busy`] (503) at
/// once. A sign-in flood thus cannot exhaust memory, async workers or latency.
#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
    queued: Arc<AtomicUsize>,
    max_queued: usize,
    /// Verified against for unknown users, so a miss costs as much as a hit.
    dummy_hash: Arc<str>,
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
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
            queued: Arc::new(AtomicUsize::new(0)),
            max_queued,
            dummy_hash: dummy_hash.into(),
        }
    }

    /// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`) of `password` under a fresh salt.
    pub async fn hash(&self, password: String) -> Result<String, ApiError> {
        self.run(move || hash_blocking(&password))
            .await?
            .map_err(ApiError::internal)
    }

    /// Whether `password` matches `stored`. With no stored hash (unknown user) it
    /// still runs a full verification, against a dummy, and answers `false`.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, ApiError> {
        let known_user = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.dummy_hash.to_string());
        let matched = self
            .run(move || verify_blocking(&password, &hash))
            .await??;
        Ok(known_user && matched)
    }

    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let _permit = match self.permits.try_acquire() {
            Ok(permit) => permit,
            Err(_) => {
                let waiting =
                    QueueSlot::take(&self.queued, self.max_queued).ok_or(ApiError::Busy)?;
                let permit = self.permits.acquire().await.map_err(ApiError::internal)?;
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

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("OWASP argon2id parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes synchronously; for callers already off the async runtime (the CLI, startup).
pub fn hash_blocking(password: &str) -> Result<String, password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(argon2()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

fn verify_blocking(password: &str, stored: &str) -> Result<bool, ApiError> {
    // The parameters come from the PHC string, so hashes made with older
    // settings keep verifying after the defaults change.
    let parsed = PasswordHash::new(stored).map_err(ApiError::internal)?;
    match argon2().verify_password(password.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(password_hash::Error::Password) => Ok(false),
        Err(other) => Err(ApiError::internal(other)),
    }
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
    async fn unknown_users_never_verify() {
        let passwords = Passwords::new(1);
        let dummy_password = "tessera timing-equaliser password".to_owned();
        assert!(!passwords.verify(dummy_password, None).await.unwrap());
    }
}
