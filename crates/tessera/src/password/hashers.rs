//! The threads that compute password hashes: a background lane and a rescue lane.
//!
//! One argon2 hash is ~15 ms of CPU. On tokio's blocking pool, hashes competed
//! with the async workers as equals: in a sign-in flood every core was hashing,
//! and a token check waited for the scheduler to hand a core back (its p99 went
//! from 0.3 ms to 4-5 ms). So every hash starts on a *background* thread at
//! `SCHED_IDLE`: any normal thread that wakes up, such as a worker with a
//! request to answer, takes the core from it at once, while it still gets
//! every cycle nothing else wants.
//!
//! `SCHED_IDLE` alone starves, though: when other processes keep the cores
//! busy, an idle-priority hash gets almost nothing, and sign-ins took seconds
//! or never finished. A hash that has not finished within a few times its
//! usual CPU cost is therefore also handed to a *rescue* thread at normal
//! priority, and the first copy to finish answers. (An unprivileged thread may
//! lower its priority but never raise it again, hence a second set of threads
//! rather than one that changes priority.) In a sign-in flood on an otherwise
//! quiet machine background hashes finish in time and the rescue lane stays
//! unused; under other load it bounds a sign-in to about the delay plus one
//! hash at normal priority.
//!
//! Each thread holds one [`Memory`] while sign-ins keep coming and gives it back
//! to the kernel after [`KEEP_MEMORY`] without one (by default), so an idle
//! server holds no hashing memory.

use std::panic::{self, AssertUnwindSafe};
use std::time::Duration;

use flume::RecvTimeoutError;

use super::argon::Memory;

/// A job for a hashing thread; it may be handed to both lanes and must do its
/// work at most once per thread that runs it.
pub(super) type Job = std::sync::Arc<dyn Fn(&mut Memory) + Send + Sync>;

/// How long a thread keeps its memory after its last hash. Sign-ins come in
/// runs, and a hash in freshly mapped memory costs ~40 % more (page faults).
pub(super) const KEEP_MEMORY: Duration = Duration::from_secs(1);

/// The priority a lane's threads run at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lane {
    /// `SCHED_IDLE`: only CPU time nothing else wants.
    Background,
    /// Normal priority, for hashes the background lane did not finish in time.
    Rescue,
}

impl Lane {
    fn thread_name(self, index: usize) -> String {
        match self {
            Self::Background => format!("tessera-hash-{index}"),
            Self::Rescue => format!("tessera-hash-rescue-{index}"),
        }
    }
}

/// A fixed set of hashing threads of one lane. They stop when this is dropped.
pub(super) struct Hashers {
    jobs: flume::Sender<Job>,
}

impl Hashers {
    /// Starts `count` threads of `lane`, each keeping its memory for
    /// `keep_memory` after a hash.
    pub(super) fn start(lane: Lane, count: usize, keep_memory: Duration) -> Self {
        // Every thread waits on the queue itself (no lock to queue behind), so
        // each one's idle timer runs.
        let (jobs, queue) = flume::unbounded::<Job>();
        for index in 0..count.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(lane.thread_name(index))
                .spawn(move || work(lane, &queue, keep_memory))
                .expect("the OS starts a hashing thread");
        }
        Self { jobs }
    }

    /// Queues `job` for the next free thread of this lane.
    pub(super) fn submit(&self, job: Job) -> Result<(), Job> {
        self.jobs.send(job).map_err(|refused| refused.into_inner())
    }
}

fn work(lane: Lane, queue: &flume::Receiver<Job>, keep_memory: Duration) {
    if lane == Lane::Background {
        lower_priority();
    }
    let mut memory = Memory::default();
    loop {
        match queue.recv_timeout(keep_memory) {
            Ok(job) => {
                // A panic fails that one sign-in (its caller sees the job dropped), not the thread.
                if panic::catch_unwind(AssertUnwindSafe(|| job(&mut memory))).is_err() {
                    memory.release();
                }
            }
            Err(RecvTimeoutError::Timeout) => memory.release(),
            Err(RecvTimeoutError::Disconnected) => return, // the pool is gone
        }
    }
}

#[cfg(target_os = "linux")]
fn lower_priority() {
    use thread_priority::{
        set_thread_priority_and_policy, thread_native_id, NormalThreadSchedulePolicy,
        ThreadPriority, ThreadSchedulePolicy,
    };
    let idle = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle);
    if let Err(err) = set_thread_priority_and_policy(thread_native_id(), ThreadPriority::Min, idle)
    {
        tracing::warn!(error = ?err, "cannot run password hashing at idle priority");
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}
