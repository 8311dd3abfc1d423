//! Argon2id password hashing, on dedicated low-priority threads, bounded in
//! concurrency and queue.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use argon2::password_hash;
use tokio::sync::{oneshot, Semaphore};

use crate::error::ApiError;

mod argon;
mod hashers;

use argon::Memory;
use hashers::Hashers;

/// Hashes and verifies passwords with argon2id at OWASP's parameters
/// (19 MiB, 2 passes, 1 lane).
///
/// Each hash takes ~19 MiB and tens of milliseconds of CPU, so at most
/// `max_concurrent` run at once, on as many threads of their own that yield
/// the CPU to request handling, and at most `max_queued` more wait their turn;
/// beyond that callers get [`ApiError::Busy`] (503) at once. A sign-in flood
/// thus cannot exhaust memory, async workers or token-check latency.
#[derive(Clone)]
pub struct Passwords {
    // One Arc: the app state, this included, is cloned for every request.
    inner: Arc<Inner>,
}

struct Inner {
    /// One per hashing thread; a job keeps its permit until it has run.
    permits: Arc<Semaphore>,
    queued: AtomicUsize,
    max_queued: usize,
    /// Verified against for unknown users, so a miss costs as much as a hit.
    dummy_hash: String,
    hashers: Hashers,
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
        let threads = max_concurrent.max(1);
        Self {
            inner: Arc::new(Inner {
                permits: Arc::new(Semaphore::new(threads)),
                hashers: Hashers::start(threads),
                queued: AtomicUsize::new(0),
                max_queued,
                dummy_hash,
            }),
        }
    }

    /// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`) of `password` under a fresh salt.
    pub async fn hash(&self, password: String) -> Result<String, ApiError> {
        self.run(move |memory| argon::hash(&password, memory))
            .await?
            .map_err(ApiError::internal)
    }

    /// Whether `password` matches `stored`. With no stored hash (unknown user) it
    /// still runs a full verification, against a dummy, and answers `false`.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, ApiError> {
        let known_user = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.inner.dummy_hash.clone());
        let matched = self
            .run(move |memory| argon::verify(&password, &hash, memory))
            .await?
            .map_err(ApiError::internal)?;
        Ok(known_user && matched)
    }

    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Memory) -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let inner = &self.inner;
        let permit = match inner.permits.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                let waiting =
                    QueueSlot::take(&inner.queued, inner.max_queued).ok_or(ApiError::Busy)?;
                let permit = inner.permits.clone().acquire_owned().await;
                drop(waiting);
                permit.map_err(ApiError::internal)?
            }
        };
        let (done, outcome) = oneshot::channel();
        // The permit travels with the job: a caller that gives up (a request
        // deadline) frees no hasher before its hash has actually run.
        let job = Box::new(move |memory: &mut Memory| {
            let _ = done.send(job(memory));
            drop(permit);
        });
        if inner.hashers.submit(job).is_err() {
            return Err(ApiError::internal(
                "the password hashing threads have stopped",
            ));
        }
        outcome
            .await
            .map_err(|_| ApiError::internal("a password hashing job failed"))
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
    argon::hash(password, &mut Memory::default())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use argon2::password_hash::rand_core::OsRng;
    use argon2::password_hash::{PasswordHash, PasswordHasher as _, SaltString};

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
        let reference = argon::owasp();
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

    /// Whether each of the two hashing threads holds memory: two jobs that wait
    /// for each other cannot run on the same thread.
    async fn held_by_both(passwords: &Passwords) -> [bool; 2] {
        let meet = Arc::new(std::sync::Barrier::new(2));
        let probe = |meet: Arc<std::sync::Barrier>| {
            passwords.run(move |memory| {
                meet.wait();
                memory.is_held()
            })
        };
        let (a, b) = tokio::join!(probe(meet.clone()), probe(meet));
        [a.unwrap(), b.unwrap()]
    }

    #[tokio::test]
    async fn memory_is_kept_between_sign_ins_and_given_back_when_they_stop() {
        let passwords = Passwords::new(2);
        let (a, b) = tokio::join!(
            passwords.hash("one password".into()),
            passwords.hash("another password".into())
        );
        assert!(a.is_ok() && b.is_ok());
        assert_eq!(held_by_both(&passwords).await, [true, true], "reused");
        // Each thread lets go after a second without work, one after the other.
        tokio::time::sleep(Duration::from_millis(3500)).await;
        assert_eq!(held_by_both(&passwords).await, [false, false], "released");
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashes_run_on_their_own_threads_at_idle_priority() {
        let passwords = Passwords::new(2);
        let (name, policy) = passwords
            .run(|_| {
                // Field 41 of /proc/<tid>/stat is the scheduling policy; 5 is SCHED_IDLE.
                let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
                let after_name = &stat[stat.rfind(')').unwrap() + 2..];
                let policy = after_name.split(' ').nth(38).unwrap().to_owned();
                (std::thread::current().name().map(str::to_owned), policy)
            })
            .await
            .unwrap();
        assert!(name.unwrap().starts_with("tessera-hash-"));
        assert_eq!(policy, "5");
    }

    #[tokio::test]
    async fn a_caller_that_gives_up_keeps_its_hasher_busy_until_the_hash_ran() {
        let passwords = Passwords::with_queue(1, 4);
        let (started_tx, started) = std::sync::mpsc::channel();
        let (release, release_rx) = std::sync::mpsc::channel::<()>();
        let caller = passwords.clone();
        let abandoned = tokio::spawn(async move {
            caller
                .run(move |_| {
                    started_tx.send(()).unwrap();
                    release_rx.recv().unwrap();
                })
                .await
        });
        tokio::task::spawn_blocking(move || started.recv().unwrap())
            .await
            .unwrap();
        abandoned.abort();
        assert!(abandoned.await.unwrap_err().is_cancelled());
        assert_eq!(
            passwords.inner.permits.available_permits(),
            0,
            "the running job still holds its permit"
        );
        release.send(()).unwrap();
        passwords.hash("next".into()).await.unwrap();
        // The permit is dropped on the hashing thread just after the result is sent.
        let freed = tokio::time::timeout(Duration::from_secs(5), async {
            while passwords.inner.permits.available_permits() == 0 {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        });
        assert!(freed.await.is_ok(), "the hasher is free again");
    }
}
