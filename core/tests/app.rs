//! The app runtime: listeners and their subscriptions, the backoff that
//! decides whether a sync is due, and a mentee's and a mentor's journey
//! through two apps and a real server process.

mod support;

use std::sync::{Arc, Mutex};

use chrono::Duration;
use support::server::{self, ServerProcess};
use support::*;
use tandem_core::app::ChangeListener;
use tandem_core::craving::CravingInput;
use tandem_core::features::sharing::ShareKind;
use tandem_core::pair::Side;
use tandem_core::{App, Area, Clock, ErrorKind, FixedClock};

#[test]
#[ignore = "run by the tests of this file as their server"]
fn server_child() {
    server::child();
}

#[derive(Default)]
struct Heard(Mutex<Vec<Vec<Area>>>);

impl ChangeListener for Heard {
    fn changed(&self, areas: &[Area]) {
        self.0.lock().unwrap().push(areas.to_vec());
    }
}

impl Heard {
    fn take(&self) -> Vec<Vec<Area>> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

#[test]
fn a_subscriber_hears_everything_at_once_then_each_change_until_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(at("2026-03-10T12:00:00Z")));
    let app = app_in(dir.path(), "a.db", clock);
    let heard = Arc::new(Heard::default());

    let subscription = app.subscribe(heard.clone());
    assert_eq!(heard.take(), vec![Area::ALL.to_vec()]);

    app.init("Sam", "Europe/Berlin").unwrap();
    app.journal()
        .add(tandem_core::journal::JournalInput {
            text: "first meeting".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        heard.take(),
        vec![vec![Area::Today], vec![Area::Today, Area::Journal]]
    );

    // Reads and refused writes say nothing.
    app.today().unwrap();
    assert!(app.journal().add(Default::default()).is_err());
    assert!(heard.take().is_empty());

    // A quiet listener hears changes only.
    let quiet = Arc::new(Heard::default());
    let _kept = app.listen(quiet.clone());
    assert!(quiet.take().is_empty());

    drop(subscription);
    app.tracks()
        .add("alcohol", at("2026-01-01T00:00:00Z").date_naive())
        .unwrap();
    assert!(
        heard.take().is_empty(),
        "a dropped subscription still heard"
    );
    assert_eq!(quiet.take(), vec![vec![Area::Today]]);
}

/// A listener that reads the app from inside its call: the store is not
/// held while listeners are told.
struct Reader {
    app: Mutex<Option<Arc<App>>>,
    seen: Mutex<Vec<u32>>,
}

impl ChangeListener for Reader {
    fn changed(&self, areas: &[Area]) {
        let app = self.app.lock().unwrap().clone();
        if let (Some(app), true) = (app, areas.contains(&Area::Journal)) {
            self.seen
                .lock()
                .unwrap()
                .push(app.today().unwrap().journal_today);
        }
    }
}

#[test]
fn a_listener_may_call_back_into_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(at("2026-03-10T12:00:00Z")));
    let app = Arc::new(app_in(dir.path(), "a.db", clock));
    app.init("Sam", "UTC").unwrap();
    let reader = Arc::new(Reader {
        app: Mutex::new(Some(app.clone())),
        seen: Mutex::new(vec![]),
    });
    let _s = app.listen(reader.clone());
    for text in ["one", "two"] {
        app.journal()
            .add(tandem_core::journal::JournalInput {
                text: text.into(),
                ..Default::default()
            })
            .unwrap();
    }
    assert_eq!(*reader.seen.lock().unwrap(), vec![1, 2]);
    // Break the cycle app → listener → app.
    reader.app.lock().unwrap().take();
}

#[test]
fn sync_if_due_waits_out_the_backoff_after_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(at("2026-03-10T12:00:00Z")));
    let app = app_in(dir.path(), "a.db", clock.clone());
    app.init("Sam", "UTC").unwrap();
    // No server yet: nothing is due and nothing is tried.
    assert!(app.sync_if_due().unwrap().is_none());

    let mut server = ServerProcess::start(&dir.path().join("server.db"));
    app.connect(&server.url).unwrap();
    // After a success the next try is due at once.
    assert!(app.sync_if_due().unwrap().is_some());

    server.kill();
    let err = app.sync_if_due().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network);
    // One failure: the next try waits; asking again does not reach out.
    assert!(app.sync_if_due().unwrap().is_none());
    let status = app.sync_status().unwrap();
    assert_eq!(status.failures, 1);
    let next = status.next_attempt_ms.unwrap();
    assert!(next > clock.now().timestamp_millis());

    // Once the wait is over it tries again (and fails again: still down).
    clock.set(clock.now() + Duration::milliseconds(next - clock.now().timestamp_millis()));
    assert!(app.sync_if_due().is_err());
    assert_eq!(app.sync_status().unwrap().failures, 2);

    // The server is back: the try after the longer wait succeeds.
    server.restart();
    let next = app.sync_status().unwrap().next_attempt_ms.unwrap();
    clock.set(clock.now() + Duration::milliseconds(next - clock.now().timestamp_millis()));
    assert!(app.sync_if_due().unwrap().is_some());
    assert_eq!(app.sync_status().unwrap().failures, 0);
}

#[test]
fn a_mentee_and_a_mentor_through_two_apps() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("server.db"));
    let clock = Arc::new(FixedClock::new(at("2026-03-10T12:00:00Z")));
    let mentee = app_in(dir.path(), "mentee.db", clock.clone());
    let mentor = app_in(dir.path(), "mentor.db", clock.clone());

    assert!(!mentee.is_set_up().unwrap());
    mentee.init("Robin", "Europe/Berlin").unwrap();
    assert!(mentee.is_set_up().unwrap());
    mentee
        .tracks()
        .add("alcohol", at("2026-01-01T00:00:00Z").date_naive())
        .unwrap();
    let craving = mentee
        .cravings()
        .add(CravingInput {
            trigger: "payday".into(),
            intensity: 7,
            helped: vec!["call mentor".into()],
            ..Default::default()
        })
        .unwrap();
    mentee.connect(&server.url).unwrap();

    mentor.init("Alex", "Europe/Berlin").unwrap();
    mentor.connect(&server.url).unwrap();

    let code = mentee.pairs().invite().unwrap();
    mentee.sync_now().unwrap();
    let pair = mentor.pairs().join(&code).unwrap();
    assert_eq!(pair.side, Side::Mentor);
    assert_eq!(pair.other_name.as_deref(), Some("Robin"));

    // Nothing is shared yet: the mentor sees the mentee, not the craving.
    let overview = mentor.mentor().overview(false).unwrap();
    assert_eq!(overview.len(), 1);
    assert!(overview[0].shared.is_empty());

    mentee
        .sharing()
        .share(ShareKind::Craving, &craving.id, None)
        .unwrap();
    assert_eq!(
        mentee.sharing().shared_in(&craving.id).unwrap(),
        vec![pair.pair_id.clone()]
    );
    mentee.sync_now().unwrap();
    mentor.sync_now().unwrap();

    let overview = mentor.mentor().overview(true).unwrap();
    assert_eq!(overview[0].name.as_deref(), Some("Robin"));
    assert_eq!(overview[0].shared.len(), 1);
    assert_eq!(overview[0].shared[0].id, craving.id);
    assert_eq!(overview[0].shared[0].text, "payday");
    assert_eq!(overview[0].clean_time.len(), 1);

    // The mentee ends the pair; the mentor's next sync notes it.
    let ended = mentee.pairs().end(&pair.pair_id).unwrap();
    assert!(ended.ended);
    mentor.sync_now().unwrap();
    assert!(mentor.pairs().list().unwrap()[0].ended);
}

/// A person's app connected to a real server through a proxy that can
/// hold its answers (the folder and server are kept alive by the caller).
fn connected_through_proxy() -> (
    tempfile::TempDir,
    ServerProcess,
    support::proxy::Proxy,
    Arc<App>,
) {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("server.db"));
    let proxy = support::proxy::Proxy::start(&server.url);
    let clock = Arc::new(FixedClock::new(at("2026-03-10T12:00:00Z")));
    let app = Arc::new(app_in(dir.path(), "a.db", clock));
    app.init("Robin", "UTC").unwrap();
    app.connect(&proxy.url).unwrap();
    (dir, server, proxy, app)
}

/// A call that reaches the server, and whether it succeeded.
type NetworkCall = fn(&App) -> bool;

#[test]
fn the_app_keeps_working_while_pairing_and_recovery_wait_on_the_server() {
    let (_dir, _server, proxy, app) = connected_through_proxy();

    // Writes from another thread; whether it landed within ten seconds.
    let write = |text: String| {
        let (done, landed) = std::sync::mpsc::channel();
        let app = app.clone();
        std::thread::spawn(move || {
            let entry = tandem_core::journal::JournalInput {
                text,
                ..Default::default()
            };
            let _ = done.send(app.journal().add(entry).is_ok());
        });
        landed.recv_timeout(std::time::Duration::from_secs(10)) == Ok(true)
    };

    // Each call waits for a held answer; meanwhile writes land at once.
    let calls: [(&str, NetworkCall); 3] = [
        ("invite", |a| a.pairs().invite().is_ok()),
        ("new recovery key", |a| {
            a.devices().new_recovery_key().is_ok()
        }),
        ("link code", |a| a.devices().link_code().is_ok()),
    ];
    for (n, (name, call)) in calls.into_iter().enumerate() {
        proxy.hold_answers();
        let waiting = {
            let app = app.clone();
            std::thread::spawn(move || call(&app))
        };
        assert!(proxy.wait_until_held(n + 1), "{name}: no request went out");
        let landed = write(format!("while {name} waits"));
        proxy.release_answers();
        assert!(landed, "a write waited for {name}'s network call");
        assert!(waiting.join().unwrap(), "{name} failed");
    }
    assert_eq!(
        app.journal()
            .page(&tandem_core::Page::first(10))
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn locking_waits_for_a_call_that_spends_a_code_on_the_server() {
    let (_dir, _server, proxy, app) = connected_through_proxy();

    // The invite's first answer (its pair space) is held; the app locks
    // meanwhile. The invite still finishes: its code is not lost.
    proxy.hold_answers();
    let inviting = {
        let app = app.clone();
        std::thread::spawn(move || app.pairs().invite())
    };
    assert!(proxy.wait_until_held(1), "the invite never went out");
    app.lock();
    assert!(
        app.is_locked(),
        "the shell must show its lock screen at once"
    );
    proxy.release_answers();
    let code = inviting
        .join()
        .unwrap()
        .expect("the invite was cut off by the lock");
    assert!(code.starts_with("TP3-"));

    // Once the call ended the store closed: nothing reads or writes.
    assert!(app.is_locked());
    assert_eq!(app.today().unwrap_err().kind(), ErrorKind::Locked);
    assert!(matches!(
        app.unlock(tandem_core::StoreKey::from_bytes([0x11; 32])),
        Err(tandem_core::Error::WrongKey(_))
    ));
    app.unlock(test_key()).unwrap();
    // The pair made before the lock is there.
    assert_eq!(app.pairs().list().unwrap().len(), 1);
}

/// A note written into a pair the person is not in (a stale id, a pair
/// that ended) would stay on this phone for good while the person believes
/// it shared: it is refused, and nothing is written.
#[test]
fn a_note_for_a_pair_the_person_is_not_in_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(at("2026-03-10T12:00:00Z")));
    let app = app_in(dir.path(), "a.db", clock);
    app.init("Sam", "UTC").unwrap();
    let err = app
        .notes()
        .create(
            Some("0123456789abcdef0123456789abcdef"),
            "Plan",
            "Call Alex.",
        )
        .unwrap_err();
    assert_eq!(err.kind(), tandem_core::ErrorKind::NotFound, "{err}");
    assert!(app.notes().list().unwrap().is_empty());
    // A note of the person's own is still written.
    app.notes().create(None, "Plan", "Call Alex.").unwrap();
    assert_eq!(app.notes().list().unwrap().len(), 1);
}
