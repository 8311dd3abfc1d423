//! Hashing, the queue bounds, the lanes and the memory timer.

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
    let passwords = Passwords::with_queue(1, 1, Duration::from_secs(60));
    let flood: Vec<_> = (0..6)
        .map(|_| passwords.hash("a password".into()))
        .collect();
    let results = futures::future::join_all(flood).await;
    let busy = results
        .iter()
        .filter(|r| matches!(r, Err(PasswordError::Busy)))
        .count();
    let done = results.iter().filter(|r| r.is_ok()).count();
    assert!(busy >= 1 && done >= 2, "{busy} busy, {done} done");
    assert_eq!(busy + done, 6);
    assert!(
        passwords.hash("later".into()).await.is_ok(),
        "slots are given back"
    );
}

/// Keeps `passwords`' only hasher busy until the returned sender is dropped.
async fn occupy_the_hasher(passwords: &Passwords) -> std::sync::mpsc::Sender<()> {
    let (started_tx, started) = std::sync::mpsc::channel();
    let (release, release_rx) = std::sync::mpsc::channel::<()>();
    let release_rx = std::sync::Mutex::new(release_rx);
    let caller = passwords.clone();
    tokio::spawn(async move {
        caller
            .run(move |_| {
                let _ = started_tx.send(());
                let _ = release_rx.lock().unwrap().recv();
            })
            .await
    });
    tokio::task::spawn_blocking(move || started.recv().unwrap())
        .await
        .unwrap();
    release
}

#[tokio::test]
async fn callers_are_turned_away_when_their_expected_wait_is_too_long() {
    // A hash takes milliseconds: with a 1 µs bound nobody may wait...
    let impatient = Passwords::start(1, 1000, Duration::from_micros(1), no_rescue());
    let busy = occupy_the_hasher(&impatient).await;
    let flood = (0..5).map(|_| impatient.hash("a password".into()));
    let results = futures::future::join_all(flood).await;
    assert!(results
        .iter()
        .all(|r| matches!(r, Err(PasswordError::Busy))));
    drop(busy);
    // ...while with a minute all of them wait their turn, whatever a count
    // bound would have allowed.
    let patient = Passwords::start(1, 1000, Duration::from_secs(60), no_rescue());
    let busy = occupy_the_hasher(&patient).await;
    let callers = patient.clone();
    let flood = tokio::spawn(async move {
        let flood = (0..5).map(|_| callers.hash("a password".into()));
        futures::future::join_all(flood).await
    });
    drop(busy);
    assert!(flood.await.unwrap().iter().all(Result::is_ok));
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

/// Hashers without the rescue lane, for tests about the background threads alone.
fn background_only(threads: usize) -> Passwords {
    background_keeping(threads, KEEP_MEMORY)
}

fn background_keeping(threads: usize, keep_memory: Duration) -> Passwords {
    let threads_setup = Threads {
        keep_memory,
        ..no_rescue()
    };
    Passwords::start(threads, 64, Duration::from_secs(60), threads_setup)
}

fn no_rescue() -> Threads {
    Threads {
        rescue: false,
        keep_memory: KEEP_MEMORY,
    }
}

#[tokio::test]
async fn memory_is_kept_between_sign_ins() {
    // An hour: however slowly a loaded machine runs this test.
    let passwords = background_keeping(2, Duration::from_secs(3600));
    let (a, b) = tokio::join!(
        passwords.hash("one password".into()),
        passwords.hash("another password".into())
    );
    assert!(a.is_ok() && b.is_ok());
    assert_eq!(held_by_both(&passwords).await, [true, true], "reused");
}

#[tokio::test]
async fn memory_is_given_back_when_sign_ins_stop() {
    let passwords = background_keeping(2, Duration::from_millis(20));
    let (a, b) = tokio::join!(
        passwords.hash("one password".into()),
        passwords.hash("another password".into())
    );
    assert!(a.is_ok() && b.is_ok());
    let released = async {
        while held_by_both(&passwords).await != [false, false] {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    let waited = tokio::time::timeout(Duration::from_secs(60), released).await;
    assert!(
        waited.is_ok(),
        "each thread lets go of its memory when idle"
    );
}

/// This thread's name and scheduling policy (field 41 of /proc/<tid>/stat:
/// 0 is SCHED_OTHER, 5 is SCHED_IDLE).
#[cfg(target_os = "linux")]
fn thread_and_policy() -> (String, String) {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
    let after_name = &stat[stat.rfind(')').unwrap() + 2..];
    let policy = after_name.split(' ').nth(38).unwrap().to_owned();
    let name = std::thread::current().name().unwrap().to_owned();
    (name, policy)
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn hashes_run_on_their_own_threads_at_idle_priority() {
    let passwords = background_only(2);
    let (name, policy) = passwords.run(|_| thread_and_policy()).await.unwrap();
    assert!(name.starts_with("tessera-hash-"), "{name}");
    assert_eq!(policy, "5");
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_starved_hash_is_finished_by_a_normal_priority_thread() {
    let passwords = Passwords::with_queue(1, 4, Duration::from_secs(60));
    // The background copy stands for one that other processes starve:
    // it does not finish until the test is over.
    let (release, starved) = std::sync::mpsc::channel::<()>();
    let starved = std::sync::Mutex::new(starved);
    let (name, policy) = passwords
        .run(move |_| {
            let (name, policy) = thread_and_policy();
            if !name.starts_with("tessera-hash-rescue-") {
                let _ = starved.lock().unwrap().recv();
            }
            (name, policy)
        })
        .await
        .unwrap();
    assert!(name.starts_with("tessera-hash-rescue-"), "{name}");
    assert_eq!(policy, "0");
    drop(release);
    // The permit came back with the rescued answer.
    passwords.hash("next".into()).await.unwrap();
}

#[tokio::test]
async fn a_caller_that_gives_up_keeps_its_hasher_busy_until_the_hash_ran() {
    let passwords = background_only(1);
    let (started_tx, started) = std::sync::mpsc::channel();
    let (release, release_rx) = std::sync::mpsc::channel::<()>();
    let release_rx = std::sync::Mutex::new(release_rx);
    let caller = passwords.clone();
    let abandoned = tokio::spawn(async move {
        caller
            .run(move |_| {
                started_tx.send(()).unwrap();
                release_rx.lock().unwrap().recv().unwrap();
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
    // The permit is dropped on the hashing thread just after the result is
    // sent; an idle-priority thread beside other load may take a while to get there.
    let freed = tokio::time::timeout(Duration::from_secs(60), async {
        while passwords.inner.permits.available_permits() == 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    });
    assert!(freed.await.is_ok(), "the hasher is free again");
}

/// A caller that has its answer may hash again at once: the permit is given back
/// before the answer is sent. Otherwise a client's next request, sent the moment
/// the last answer came, can find the hasher it just left still taken (a 503
/// with `--hash-queue 0`), whenever the hashing thread is preempted in between.
/// Against the old order the window is nanoseconds wide: spinning on the answer
/// caught it within the first rounds when tried, though a run may in principle
/// miss it.
#[test]
fn the_hasher_is_free_once_the_answer_is_out() {
    use race::Race;
    use tokio::sync::oneshot::error::TryRecvError;
    use tokio::sync::Semaphore;

    let permits = Arc::new(Semaphore::new(1));
    let pace = Arc::new(Pace::new(Duration::from_millis(1)));
    for round in 0..2_000 {
        let permit = Arc::clone(&permits).try_acquire_owned().unwrap();
        let (answer, mut outcome) = oneshot::channel();
        let race = Race::new(|_: &mut Memory| 7, answer, permit, Arc::clone(&pace));
        let job = race.job();
        let hasher = std::thread::spawn(move || job(&mut Memory::default()));
        // Spinning, so the permit is looked at the instant the answer is there.
        let answered = loop {
            match outcome.try_recv() {
                Err(TryRecvError::Empty) => std::hint::spin_loop(),
                other => break other.unwrap(),
            }
        };
        assert_eq!(answered, 7);
        assert_eq!(
            permits.available_permits(),
            1,
            "round {round}: answered while still holding the hasher"
        );
        hasher.join().unwrap();
    }
}
