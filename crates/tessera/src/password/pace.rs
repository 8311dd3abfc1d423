//! How long hashes take, learned as they run: when to rescue a starved hash,
//! and how long a newcomer would wait in the queue.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A background hash is handed to the rescue lane after this many times its
/// usual CPU cost without an answer. High enough that the ordinary wait for a
/// core in a sign-in flood does not trigger it (every rescue is a second copy
/// of the work and a second buffer), low enough that a starved sign-in still
/// answers within ~10 × its unloaded time.
const RESCUE_AFTER_COSTS: u32 = 4;

/// The rescue delay never drops below this, whatever the measured cost.
const RESCUE_FLOOR: Duration = Duration::from_millis(40);

/// Running averages (weight 1/8 for each new sample) of a hash's CPU cost and
/// of the wall time from handing it to a thread to its answer.
#[derive(Debug)]
pub(super) struct Pace {
    cost_nanos: AtomicU64,
    service_nanos: AtomicU64,
}

impl Pace {
    /// Starts from one measured hash.
    pub(super) fn new(first_cost: Duration) -> Self {
        let nanos = saturating_nanos(first_cost).max(1);
        Self {
            cost_nanos: AtomicU64::new(nanos),
            service_nanos: AtomicU64::new(nanos),
        }
    }

    /// Records the CPU time one hash used.
    pub(super) fn record_cost(&self, cpu: Duration) {
        blend(&self.cost_nanos, cpu);
    }

    /// Records the wall time from submitting a hash to its answer.
    pub(super) fn record_service(&self, wall: Duration) {
        blend(&self.service_nanos, wall);
    }

    /// How long a background hash may go unanswered before the rescue lane
    /// computes it too.
    pub(super) fn rescue_after(&self) -> Duration {
        let cost = Duration::from_nanos(self.cost_nanos.load(Ordering::Relaxed));
        (cost * RESCUE_AFTER_COSTS).max(RESCUE_FLOOR)
    }

    /// The expected wait of a hash with `ahead` others queued before it, when
    /// `lanes` run at once.
    pub(super) fn expected_wait(&self, ahead: usize, lanes: usize) -> Duration {
        let service = self.service_nanos.load(Ordering::Relaxed);
        let turns = u64::try_from(ahead).unwrap_or(u64::MAX).saturating_add(1);
        let lanes = u64::try_from(lanes.max(1)).unwrap_or(u64::MAX);
        Duration::from_nanos(service.saturating_mul(turns) / lanes)
    }
}

/// Moves `average` an eighth of the way towards `sample`. Two racing updates
/// may lose one of them, which an average can afford.
fn blend(average: &AtomicU64, sample: Duration) {
    let old = average.load(Ordering::Relaxed);
    let sample = saturating_nanos(sample).max(1);
    let new = old - old / 8 + sample / 8;
    average.store(new.max(1), Ordering::Relaxed);
}

fn saturating_nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

/// The CPU time this thread has used so far.
#[cfg(unix)]
pub(super) fn thread_cpu_time() -> Duration {
    let now = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    let secs = u64::try_from(now.tv_sec).unwrap_or(0);
    let nanos = u32::try_from(now.tv_nsec).unwrap_or(0);
    Duration::new(secs, nanos)
}

/// Without a per-thread clock the cost stays unknown and the rescue delay at its floor.
#[cfg(not(unix))]
pub(super) fn thread_cpu_time() -> Duration {
    Duration::ZERO
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rescue_delay_follows_the_cost_above_a_floor() {
        let pace = Pace::new(Duration::from_millis(20));
        assert_eq!(pace.rescue_after(), Duration::from_millis(80));
        let cheap = Pace::new(Duration::from_millis(1));
        assert_eq!(cheap.rescue_after(), RESCUE_FLOOR);
    }

    #[test]
    fn the_expected_wait_counts_the_hashes_ahead_per_lane() {
        let pace = Pace::new(Duration::from_millis(20));
        assert_eq!(pace.expected_wait(0, 2), Duration::from_millis(10));
        assert_eq!(pace.expected_wait(199, 2), Duration::from_secs(2));
        assert_eq!(pace.expected_wait(9, 1), Duration::from_millis(200));
    }

    #[test]
    fn averages_move_an_eighth_towards_each_sample() {
        let pace = Pace::new(Duration::from_millis(16));
        pace.record_service(Duration::from_millis(32));
        assert_eq!(pace.expected_wait(0, 1), Duration::from_millis(18));
        for _ in 0..100 {
            pace.record_cost(Duration::from_millis(100));
        }
        let settled = pace.rescue_after();
        assert!(settled > Duration::from_millis(390) && settled <= Duration::from_millis(400));
    }
}
