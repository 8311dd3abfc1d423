//! Argon2id password hashing, on dedicated low-priority threads, admitted by
//! the wait it would have.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use argon2::password_hash;
use tokio::sync::{oneshot, Semaphore};

mod argon;
mod error;
mod hashers;
mod pace;
mod progress;
mod race;

use argon::Memory;
pub use error::PasswordError;
use hashers::{Hashers, Lane, KEEP_MEMORY};
use pace::Pace;
use race::Race;

/// Hashes and verifies passwords with argon2id at OWASP's parameters
/// (19 MiB, 2 passes, 1 lane).
///
/// Each hash takes ~19 MiB and tens of milliseconds of CPU, so at most
/// `max_concurrent` run at once, on threads of their own that yield the CPU to
/// request handling (and are helped by normal-priority threads when other
/// processes starve them). A sign-in waits for a free hasher only while its
/// expected wait (the hashes queued ahead of it times the measured time per
/// hash) stays within `max_wait` and at most `max_queued` wait in all; beyond
/// that callers get [`PasswordError::Busy`] (a 503 over HTTP) at once. A sign-in flood thus
/// cannot exhaust memory, async workers or token-check latency, and a burst the
/// server can serve in a few seconds is served.
#[derive(Clone)]
pub struct Passwords {
    // One Arc: the app state, this included, is cloned for every request.
    inner: Arc<Inner>,
}

struct Inner {
    /// One per background thread; a job keeps its permit until it has run.
    permits: Arc<Semaphore>,
    lanes: usize,
    queued: AtomicUsize,
    max_queued: usize,
    max_wait: Duration,
    /// Verified against for unknown users, so a miss costs as much as a hit.
    dummy_hash: String,
    pace: Arc<Pace>,
    background: Hashers,
    rescue: Option<Hashers>,
}

impl Passwords {
    /// How long a sign-in may expect to wait for a hasher before it is turned away,
    /// unless configured otherwise: 5 s.
    pub const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(5);

    /// Sign-ins allowed to wait per concurrent hash, unless configured otherwise: a
    /// bound on memory (each holds a connection), far above what
    /// [`Self::DEFAULT_MAX_WAIT`] admits at ~17 ms a hash.
    pub const DEFAULT_QUEUE_PER_HASHER: usize = 512;

    /// A hasher running at most `max_concurrent` (at least 1) hashes at once,
    /// with the default queue bounds ([`Self::DEFAULT_MAX_WAIT`],
    /// [`Self::DEFAULT_QUEUE_PER_HASHER`]).
    pub fn new(max_concurrent: usize) -> Self {
        let queue = max_concurrent.max(1) * Self::DEFAULT_QUEUE_PER_HASHER;
        Self::with_queue(max_concurrent, queue, Self::DEFAULT_MAX_WAIT)
    }

    /// A hasher running at most `max_concurrent` hashes, admitting a waiting
    /// caller while its expected wait is within `max_wait` and fewer than
    /// `max_queued` wait.
    pub fn with_queue(max_concurrent: usize, max_queued: usize, max_wait: Duration) -> Self {
        Self::start(max_concurrent, max_queued, max_wait, Threads::default())
    }

    fn start(
        max_concurrent: usize,
        max_queued: usize,
        max_wait: Duration,
        threads: Threads,
    ) -> Self {
        let cpu_before = pace::thread_cpu_time();
        let started = Instant::now();
        let dummy_hash = hash_blocking("tessera timing-equaliser password")
            .expect("argon2 hashing with fixed parameters cannot fail");
        let first_cost = pace::thread_cpu_time().saturating_sub(cpu_before);
        let first_cost = if first_cost.is_zero() {
            started.elapsed()
        } else {
            first_cost
        };
        let lanes = max_concurrent.max(1);
        Self {
            inner: Arc::new(Inner {
                permits: Arc::new(Semaphore::new(lanes)),
                lanes,
                queued: AtomicUsize::new(0),
                max_queued,
                max_wait,
                dummy_hash,
                pace: Arc::new(Pace::new(first_cost)),
                background: Hashers::start(Lane::Background, lanes, threads.keep_memory),
                // Half as many: a rescue is the exception, and each rescuer
                // may hold a buffer beside the starved background copy's.
                rescue: threads
                    .rescue
                    .then(|| Hashers::start(Lane::Rescue, lanes.div_ceil(2), threads.keep_memory)),
            }),
        }
    }

    /// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`) of `password` under a fresh salt.
    pub async fn hash(&self, password: String) -> Result<String, PasswordError> {
        self.run(move |memory| argon::hash(&password, memory))
            .await?
            .map_err(PasswordError::internal)
    }

    /// Whether `password` matches `stored`. With no stored hash (unknown user) it
    /// still runs a full verification, against a dummy, and answers `false`:
    /// what an app's [`Users::authenticate`](crate::Users::authenticate) calls
    /// for a name it does not know, so that costs as long as a wrong password.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, PasswordError> {
        let known_user = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.inner.dummy_hash.clone());
        let matched = self
            .run(move |memory| argon::verify(&password, &hash, memory))
            .await?
            .map_err(PasswordError::internal)?;
        Ok(known_user && matched)
    }

    async fn run<T: Send + 'static>(
        &self,
        job: impl Fn(&mut Memory) -> T + Send + Sync + 'static,
    ) -> Result<T, PasswordError> {
        let inner = &self.inner;
        let permit = match inner.permits.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                let admits = |ahead| inner.pace.expected_wait(ahead, inner.lanes) <= inner.max_wait;
                let waiting = QueueSlot::take(&inner.queued, inner.max_queued, admits)
                    .ok_or(PasswordError::Busy)?;
                let permit = inner.permits.clone().acquire_owned().await;
                drop(waiting);
                permit.map_err(PasswordError::internal)?
            }
        };
        let (answer, outcome) = oneshot::channel();
        let race = Race::new(job, answer, permit, Arc::clone(&inner.pace));
        if inner.background.submit(race.job()).is_err() {
            return Err(PasswordError::internal(
                "the password hashing threads have stopped",
            ));
        }
        if inner.rescue.is_some() {
            // Spawned, not awaited here: a starved hash is rescued even when
            // its caller has given up, or its permit would stay held.
            let passwords = self.clone();
            let delay = inner.pace.rescue_after();
            tokio::spawn(async move {
                let Some(rescue) = &passwords.inner.rescue else {
                    return;
                };
                // A copy that shares the cores with this server's own work
                // (a sign-in flood) is left to finish; one that other
                // processes starve gets help.
                loop {
                    tokio::time::sleep(delay).await;
                    if race.is_answered() {
                        return;
                    }
                    if race.is_starved() {
                        let _ = rescue.submit(race.job());
                        return;
                    }
                }
            });
        }
        outcome
            .await
            .map_err(|_| PasswordError::internal("a password hashing job failed"))
    }
}

/// How the hashing threads are set up: always the defaults, but for tests that
/// look at one lane or at the memory timer without waiting on the clock.
struct Threads {
    rescue: bool,
    keep_memory: Duration,
}

impl Default for Threads {
    fn default() -> Self {
        Self {
            rescue: true,
            keep_memory: KEEP_MEMORY,
        }
    }
}

/// A place in the wait queue, given back on drop (also when the waiting
/// request is cancelled).
struct QueueSlot<'a>(&'a AtomicUsize);

impl<'a> QueueSlot<'a> {
    /// A slot if fewer than `max` wait and `admits` the number waiting ahead.
    fn take(queued: &'a AtomicUsize, max: usize, admits: impl Fn(usize) -> bool) -> Option<Self> {
        let taken = queued.fetch_update(Ordering::AcqRel, Ordering::Acquire, |now| {
            (now < max && admits(now)).then_some(now + 1)
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
pub(crate) fn hash_blocking(password: &str) -> Result<String, password_hash::Error> {
    argon::hash(password, &mut Memory::default())
}

#[cfg(test)]
mod tests;
