//! Encrypting a plain store from before survives `kill -9` at any moment.
//!
//! The test re-runs its own binary as a child that opens a copy of a plain
//! store with a key (which encrypts it in place) and kills the child with
//! SIGKILL at random moments across the migration's measured duration.
//! After every kill the store must open with the key and hold exactly what
//! the plain store held.

use std::io::{BufRead, BufReader, Lines};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Instant;

use rand::{Rng, SeedableRng};
use tandem_core::craving::CravingInput;
use tandem_core::journal::JournalInput;
use tandem_core::{Durability, Options, Store, StoreKey};

fn key() -> StoreKey {
    StoreKey::from_bytes([0x33; 32])
}

const DIR_VAR: &str = "TANDEM_MIGRATION_DIR";

/// The child: announces itself, then opens (and so encrypts) the store.
#[test]
#[ignore = "run by encrypting_a_plain_store_survives_sigkill as its child"]
fn migration_child() {
    let dir = std::env::var(DIR_VAR).expect("run by the parent test");
    println!("START");
    let store = Store::open(Path::new(&dir).join("t.db"), &key()).unwrap();
    drop(store);
    println!("DONE");
}

/// A plain store with enough in it that encrypting takes a while.
fn plain_template(dir: &Path) -> String {
    let mut s = Store::open_with(
        dir.join("t.db"),
        None,
        Options {
            durability: Durability::Normal,
            ..Options::default()
        },
    )
    .unwrap();
    s.init("Sam", "UTC").unwrap();
    for i in 0..1500 {
        s.add_journal(JournalInput {
            text: format!("entry {i}: {}", "words ".repeat(40)),
            ..Default::default()
        })
        .unwrap();
        if i % 3 == 0 {
            s.add_craving(CravingInput {
                trigger: format!("trigger {}", i % 17),
                intensity: i % 11,
                ..Default::default()
            })
            .unwrap();
        }
    }
    let dump = s.read_model_dump().unwrap();
    drop(s);
    dump
}

fn copy_template(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    std::fs::copy(from.join("t.db"), to.join("t.db")).unwrap();
}

/// A child started on `case`, past its START line, and the rest of its output.
fn start_child(case: &Path) -> (Child, Lines<BufReader<ChildStdout>>) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "migration_child", "--ignored", "--nocapture"])
        .env(DIR_VAR, case)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    loop {
        let line = lines.next().expect("the child started").unwrap();
        if line.contains("START") {
            break;
        }
    }
    (child, lines)
}

#[test]
fn encrypting_a_plain_store_survives_sigkill() {
    let root = tempfile::tempdir().unwrap();
    let template = root.path().join("template");
    std::fs::create_dir(&template).unwrap();
    let expected = plain_template(&template);

    // How long a whole migration takes here, timed in children left to
    // finish (as the killed ones run), to spread the kills across it. The
    // shortest of two: timed once in this process, a cold first run measured
    // 1.2 s and 21 of 24 kills landed after the end.
    let migration = (0..2)
        .map(|i| {
            let probe = root.path().join(format!("probe{i}"));
            copy_template(&template, &probe);
            let (mut child, mut lines) = start_child(&probe);
            let started = Instant::now();
            assert!(lines.any(|l| l.map(|l| l.contains("DONE")).unwrap_or(false)));
            let took = started.elapsed();
            child.wait().unwrap();
            took
        })
        .min()
        .unwrap();

    let mut rng = rand::rngs::StdRng::seed_from_u64(0x5eed);
    let rounds = 24;
    let mut killed_midway = 0;
    for round in 0..rounds {
        let case = root.path().join(format!("case{round}"));
        copy_template(&template, &case);
        let (mut child, mut lines) = start_child(&case);
        // Anywhere from the very start to a little past the end.
        let wait = migration.mul_f64(rng.random_range(0.0..1.3));
        std::thread::sleep(wait);
        child.kill().unwrap();
        child.wait().unwrap();
        let finished = lines.any(|l| l.map(|l| l.contains("DONE")).unwrap_or(false));
        if !finished {
            killed_midway += 1;
        }

        let s = Store::open(case.join("t.db"), &key())
            .unwrap_or_else(|e| panic!("round {round}: the store does not open: {e}"));
        assert_eq!(
            s.read_model_dump().unwrap(),
            expected,
            "round {round}: data changed"
        );
        drop(s);
        assert!(tandem_core::store::is_encrypted(&case.join("t.db")).unwrap());
        std::fs::remove_dir_all(&case).unwrap();
    }
    eprintln!(
        "{rounds} kills, {killed_midway} before the migration finished; one migration takes {migration:?}"
    );
    assert!(
        killed_midway >= rounds / 3,
        "only {killed_midway} of {rounds} kills landed before the migration finished \
         (it takes {migration:?})"
    );
}
