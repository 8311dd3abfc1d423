//! One hash that two lanes may compute: the first copy to finish answers the
//! caller and frees the hasher permit; a later copy finds it answered and stops.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use tokio::sync::{oneshot, OwnedSemaphorePermit};

use super::argon::Memory;
use super::hashers::Job;
use super::pace::{thread_cpu_time, Pace};
use super::progress::Progress;

/// The work of one hash and where its answer goes.
pub(super) struct Race<T> {
    work: Box<dyn Fn(&mut Memory) -> T + Send + Sync>,
    /// The caller's end and the permit, taken by the first copy to finish. The
    /// permit travels with the job: a caller that gives up (a request deadline)
    /// frees no hasher before its hash has actually run.
    finish: Mutex<Option<(oneshot::Sender<T>, OwnedSemaphorePermit)>>,
    answered: AtomicBool,
    submitted: Instant,
    progress: Progress,
    pace: Arc<Pace>,
}

impl<T: Send + 'static> Race<T> {
    /// A race for `work`, answering on `answer` and holding `permit` until then.
    pub(super) fn new(
        work: impl Fn(&mut Memory) -> T + Send + Sync + 'static,
        answer: oneshot::Sender<T>,
        permit: OwnedSemaphorePermit,
        pace: Arc<Pace>,
    ) -> Arc<Self> {
        Arc::new(Self {
            work: Box::new(work),
            finish: Mutex::new(Some((answer, permit))),
            answered: AtomicBool::new(false),
            submitted: Instant::now(),
            progress: Progress::new(),
            pace,
        })
    }

    /// The job a hashing thread runs; the same one may go to both lanes.
    pub(super) fn job(self: &Arc<Self>) -> Job {
        let race = Arc::clone(self);
        Arc::new(move |memory: &mut Memory| race.run(memory))
    }

    /// Whether a copy has answered already.
    pub(super) fn is_answered(&self) -> bool {
        self.answered.load(Ordering::Acquire)
    }

    /// Whether the first copy is starved (or never started) and needs help.
    pub(super) fn is_starved(&self) -> bool {
        self.progress.is_starved()
    }

    fn run(&self, memory: &mut Memory) {
        if self.is_answered() {
            return; // the other lane was faster; nothing to compute
        }
        self.progress.begin();
        let cpu_before = thread_cpu_time();
        let outcome = (self.work)(memory);
        self.pace
            .record_cost(thread_cpu_time().saturating_sub(cpu_before));
        let first = self
            .finish
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some((answer, permit)) = first {
            self.answered.store(true, Ordering::Release);
            self.pace.record_service(self.submitted.elapsed());
            // The hasher is free before the caller hears back: a client's next
            // request, sent on this answer, must find it so.
            drop(permit);
            let _ = answer.send(outcome);
        }
    }
}
