//! The threads that compute password hashes.
//!
//! One argon2 hash is ~15 ms of CPU. On tokio's blocking pool, hashes competed
//! with the async workers as equals: in a sign-in flood every core was hashing,
//! and a token check waited for the scheduler to hand a core back (its p99 went
//! from 0.3 ms to 4-5 ms). These dedicated threads run at `SCHED_IDLE` on Linux
//! instead: any normal thread that wakes up, such as a worker with a request to
//! answer, takes the core from them at once, while they still get every cycle
//! nothing else wants, so sign-ins are as fast as before on a machine that is
//! not saturated by other work. (On a saturated one they wait: sign-ins then
//! slow down before token checks do, which is the order an auth server wants.)
//!
//! Each thread holds one [`Memory`] while sign-ins keep coming and gives it back
//! to the kernel after [`KEEP_MEMORY`] without one, so an idle server holds no
//! hashing memory.

use std::panic::{self, AssertUnwindSafe};
use std::time::Duration;

use flume::RecvTimeoutError;

use super::argon::Memory;

/// A job for a hashing thread.
type Job = Box<dyn FnOnce(&mut Memory) + Send>;

/// How long a thread keeps its memory after its last hash. Sign-ins come in
/// runs, and a hash in freshly mapped memory costs ~40 % more (page faults).
const KEEP_MEMORY: Duration = Duration::from_secs(1);

/// A fixed set of low-priority hashing threads. They stop when this is dropped.
pub(super) struct Hashers {
    jobs: flume::Sender<Job>,
}

impl Hashers {
    /// Starts `count` threads.
    pub(super) fn start(count: usize) -> Self {
        // Every thread waits on the queue itself (no lock to queue behind), so
        // each one's idle timer runs.
        let (jobs, queue) = flume::unbounded::<Job>();
        for index in 0..count.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("tessera-hash-{index}"))
                .spawn(move || work(&queue))
                .expect("the OS starts a hashing thread");
        }
        Self { jobs }
    }

    /// Runs `job` on a hashing thread. The caller bounds how many run at once
    /// (at most the thread count, so a job starts at once).
    pub(super) fn submit(&self, job: Job) -> Result<(), Job> {
        self.jobs.send(job).map_err(|refused| refused.into_inner())
    }
}

fn work(queue: &flume::Receiver<Job>) {
    lower_priority();
    let mut memory = Memory::default();
    loop {
        match queue.recv_timeout(KEEP_MEMORY) {
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
