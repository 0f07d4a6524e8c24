//! Every acknowledged write survives `kill -9`.
//!
//! The test re-runs its own binary as a child that appends journal entries
//! and prints each id once the call has returned. The parent kills the child
//! with SIGKILL at random moments, 60 times, and after each kill opens the
//! store and checks that every acknowledged entry is there.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use tandem_core::journal::JournalInput;
use tandem_core::{Page, Store, StoreKey};

fn key() -> StoreKey {
    StoreKey::from_bytes([0x42; 32])
}

const DIR_VAR: &str = "TANDEM_DURABILITY_DIR";

/// The child: appends entries forever, acknowledging each on stdout.
#[test]
#[ignore = "run by acknowledged_writes_survive_sigkill as its child"]
fn durability_child() {
    let dir = std::env::var(DIR_VAR).expect("run by the parent test");
    let mut store = Store::open(std::path::Path::new(&dir).join("d.db"), &key()).unwrap();
    let mut out = std::io::stdout().lock();
    for i in 0u64.. {
        let e = store
            .add_journal(JournalInput {
                text: format!("entry {i} {}", "x".repeat((i % 50) as usize)),
                ..Default::default()
            })
            .unwrap();
        writeln!(out, "ACK {}", e.id).unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    Store::open(dir.path().join("d.db"), &key())
        .unwrap()
        .init("Sam", "UTC")
        .unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(0xd0_5e);
    let mut acked: Vec<String> = Vec::new();
    let rounds = 60;
    for round in 0..rounds {
        let mut child = Command::new(&exe)
            .args([
                "durability_child",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(DIR_VAR, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .filter_map(|l| l.strip_prefix("ACK ").map(str::to_owned))
                .collect::<Vec<_>>()
        });
        // Wait for the first acknowledgement's worth of start-up, then a random while.
        let start = Instant::now();
        std::thread::sleep(Duration::from_millis(rng.random_range(20..120)));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        let new = reader.join().unwrap();
        acked.extend(new);
        assert!(start.elapsed() < Duration::from_secs(30));

        let store = Store::open(dir.path().join("d.db"), &key()).unwrap();
        for id in &acked {
            assert!(
                store.journal_entry(id).is_ok(),
                "round {round}: acknowledged entry {id} was lost"
            );
        }
        let all = store.journal_page(&Page::first(u32::MAX)).unwrap();
        assert!(all.len() >= acked.len());
    }
    assert!(
        acked.len() > rounds,
        "the child acknowledged only {} writes in {rounds} rounds",
        acked.len()
    );
    eprintln!(
        "{} acknowledged writes over {rounds} kills, none lost",
        acked.len()
    );
}
