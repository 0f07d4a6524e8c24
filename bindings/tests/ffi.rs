//! The bindings from Rust: the change listener, error kinds and the
//! conversions the shells rely on. (The Kotlin tests drive the same through
//! the generated bindings; see `scripts/test-kotlin`.)

use std::sync::{Arc, Mutex};

use tandem_core::Area;
use tandem_core::journal::JournalInput;
use tandem_ffi::mirror::CravingInput;
use tandem_ffi::{ChangeListener, Tandem, TandemError};

#[derive(Default)]
struct Heard(Mutex<Vec<Vec<Area>>>);

impl ChangeListener for Heard {
    fn changed(&self, areas: Vec<Area>) {
        self.0.lock().expect("lock").push(areas);
    }
}

fn open(dir: &tempfile::TempDir) -> (Arc<Tandem>, Vec<u8>) {
    let key = tandem_ffi::app::generate_store_key();
    let path = dir.path().join("tandem.db").display().to_string();
    (Tandem::open(path, key.clone()).expect("open"), key)
}

fn journal(text: &str) -> JournalInput {
    JournalInput {
        text: text.into(),
        mood: None,
        tags: vec![],
    }
}

#[test]
fn writes_tell_the_listener_what_changed_and_reads_do_not() {
    let dir = tempfile::tempdir().expect("dir");
    let (t, _) = open(&dir);
    let heard = Arc::new(Heard::default());
    t.set_listener(Some(heard.clone()));
    t.init("Sam".into(), "UTC".into()).expect("init");
    t.add_journal(journal("one")).expect("journal");
    t.today().expect("today");
    assert!(t.add_journal(journal("")).is_err());
    let calls = heard.0.lock().expect("lock").clone();
    assert_eq!(
        calls,
        vec![vec![Area::Today], vec![Area::Today, Area::Journal]]
    );
}

#[test]
fn core_errors_keep_their_kind_and_message() {
    let dir = tempfile::tempdir().expect("dir");
    let (t, key) = open(&dir);
    assert!(matches!(t.today(), Err(TandemError::NotInitialized(_))));
    t.init("Sam".into(), "UTC".into()).expect("init");
    let err = t
        .add_craving(CravingInput {
            trigger: "payday".into(),
            intensity: 11,
            situation: vec![],
            helped: vec![],
            outcome: None,
            note: String::new(),
            at_ms: None,
        })
        .expect_err("intensity 11 is out of range");
    assert!(
        matches!(&err, TandemError::Validation(m) if m.contains("intensity")),
        "{err:?}"
    );
    let err = t
        .add_craving(CravingInput {
            trigger: "payday".into(),
            intensity: 5,
            situation: vec![],
            helped: vec![],
            outcome: None,
            note: String::new(),
            at_ms: Some(i64::MAX),
        })
        .expect_err("a time out of range");
    assert!(matches!(err, TandemError::Validation(_)), "{err:?}");
    t.lock();
    assert!(matches!(t.today(), Err(TandemError::Locked(_))));
    assert!(matches!(
        t.unlock(vec![1, 2, 3]),
        Err(TandemError::Validation(_))
    ));
    assert!(matches!(
        t.unlock(tandem_ffi::app::generate_store_key()),
        Err(TandemError::WrongKey(_))
    ));
    t.unlock(key).expect("unlock");
    assert_eq!(t.person().expect("person").name, "Sam");
}
