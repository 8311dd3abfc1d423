//! Whether a hashing thread is being starved or merely shares the cores: the
//! CPU time the kernel has given it (`/proc/.../schedstat`) against the time
//! that passed.
//!
//! A rescue is a second copy of the work, and in a sign-in flood the rescue
//! thread's normal priority starves the background threads in turn; rescuing
//! on elapsed time alone fed on itself (more rescues, more wasted copies, fewer
//! sign-ins per second). So a hash is rescued only when its background copy is
//! really starved, as it is beside other processes' busy loops, not when it
//! shares the cores with this server's own request handling.

use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Below this share of the wall time on a CPU, a running hash counts as starved.
/// In a flood of this server's own sign-ins a background hash gets a half or
/// more of a core; beside busy loops of normal priority, well under 1 %.
const STARVED_BELOW: f64 = 0.25;

/// Where the first copy of a hash runs and how much CPU time its thread had
/// used when it began.
#[derive(Debug)]
pub(super) struct Progress {
    started: Instant,
    thread: AtomicI32,
    on_cpu_at_start: AtomicU64,
}

impl Progress {
    pub(super) fn new() -> Self {
        Self {
            started: Instant::now(),
            thread: AtomicI32::new(0),
            on_cpu_at_start: AtomicU64::new(0),
        }
    }

    /// Called by a thread as it starts the work; only the first one counts.
    pub(super) fn begin(&self) {
        let Some((thread, on_cpu)) = this_thread() else {
            return;
        };
        if self.thread.load(Ordering::Acquire) == 0 {
            self.on_cpu_at_start.store(on_cpu, Ordering::Relaxed);
            self.thread.store(thread, Ordering::Release);
        }
    }

    /// Whether the work should be handed to another thread: it has not
    /// started, or its thread got less than [`STARVED_BELOW`] of the time since.
    /// Without the kernel's per-thread figures, every slow hash counts as starved.
    pub(super) fn is_starved(&self) -> bool {
        let thread = self.thread.load(Ordering::Acquire);
        if thread == 0 {
            return true;
        }
        let Some(on_cpu) = on_cpu_of(thread) else {
            return true;
        };
        let used = on_cpu.saturating_sub(self.on_cpu_at_start.load(Ordering::Relaxed));
        // Measured from submission, a little generous to a thread that began late.
        starved(Duration::from_nanos(used), self.started.elapsed())
    }
}

/// Whether `used` CPU time in `elapsed` wall time is a starved thread's share.
fn starved(used: Duration, elapsed: Duration) -> bool {
    used.as_secs_f64() < STARVED_BELOW * elapsed.as_secs_f64()
}

/// This thread's id and the CPU time it has used, in nanoseconds.
#[cfg(target_os = "linux")]
fn this_thread() -> Option<(i32, u64)> {
    let thread = rustix::thread::gettid().as_raw_nonzero().get();
    Some((thread, on_cpu_of(thread)?))
}

/// The CPU time thread `thread` of this process has used, in nanoseconds.
#[cfg(target_os = "linux")]
fn on_cpu_of(thread: i32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/self/task/{thread}/schedstat")).ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

#[cfg(not(target_os = "linux"))]
fn this_thread() -> Option<(i32, u64)> {
    None
}

#[cfg(not(target_os = "linux"))]
fn on_cpu_of(_thread: i32) -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quarter_of_the_time_on_a_cpu_is_not_starved() {
        let ms = Duration::from_millis;
        assert!(
            !starved(ms(60), ms(100)),
            "sharing a core with request handling"
        );
        assert!(!starved(ms(25), ms(100)));
        assert!(starved(ms(1), ms(100)), "beside busy loops");
        assert!(Progress::new().is_starved(), "never started");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_kernel_counts_a_threads_cpu_time() {
        let progress = Progress::new();
        progress.begin();
        let thread = progress.thread.load(Ordering::Acquire);
        assert_ne!(thread, 0, "begin records the thread");
        let before = on_cpu_of(thread).unwrap();
        // Five milliseconds of this thread's own CPU time, however long that takes.
        let cpu_start = super::super::pace::thread_cpu_time();
        let mut spin = 0u64;
        while super::super::pace::thread_cpu_time() - cpu_start < Duration::from_millis(5) {
            spin = std::hint::black_box(spin.wrapping_add(1));
        }
        let used = on_cpu_of(thread).unwrap() - before;
        assert!(used >= 4_000_000, "{used} ns");
    }
}
