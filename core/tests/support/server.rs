//! A real sync server in a child process, for end-to-end tests.
//!
//! The test binary runs itself again as the server: a test file that uses
//! [`ServerProcess`] declares `server_child` (an ignored test calling
//! [`child`]). The child prints `listening on http://ADDR` once it accepts
//! connections. A server can be killed with SIGKILL and started again on the
//! same address and database.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const DB_VAR: &str = "TANDEM_TEST_SERVER_DB";
const ADDR_VAR: &str = "TANDEM_TEST_SERVER_ADDR";

/// A server process over SQLite at `db`.
pub struct ServerProcess {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The server's database file.
    pub db: PathBuf,
    child: Child,
}

impl ServerProcess {
    /// Starts a server on a free loopback port over the database `db`.
    pub fn start(db: &Path) -> ServerProcess {
        Self::start_on(db, "127.0.0.1:0")
    }

    /// Starts a server on `addr` (a port, or `:0` for any free one).
    pub fn start_on(db: &Path, addr: &str) -> ServerProcess {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "server_child", "--ignored", "--nocapture"])
            .env(DB_VAR, db)
            .env(ADDR_VAR, addr)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("the server child exited before listening")
                .unwrap();
            if let Some(url) = line.strip_prefix("listening on ") {
                break url.trim().to_owned();
            }
        };
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        ServerProcess {
            url,
            db: db.to_path_buf(),
            child,
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The `127.0.0.1:PORT` part of the URL.
    pub fn addr(&self) -> String {
        self.url.trim_start_matches("http://").to_owned()
    }

    /// Kills the server with SIGKILL and waits for it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Kills the server and starts it again on the same address and database.
    pub fn restart(&mut self) {
        self.kill();
        let addr = self.addr();
        // The port may take a moment to be free again.
        for _ in 0..50 {
            if std::net::TcpListener::bind(&addr).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        *self = ServerProcess::start_on(&self.db.clone(), &addr);
    }
}

impl ServerProcess {
    /// Forgets which device linked `device_id`, as a server working with a
    /// lost phone would: unlinking the phone then revokes only the phone.
    pub fn forget_who_linked(&self, device_id: &str) {
        rusqlite::Connection::open(&self.db)
            .unwrap()
            .execute(
                "UPDATE devices SET linked_by = NULL WHERE id = ?1",
                [device_id],
            )
            .unwrap();
    }

    /// Drops every key envelope of `epoch` in `space_id`, as a server
    /// that keeps a new epoch's key from the other side would. Returns
    /// how many it dropped.
    pub fn hide_envelopes(&self, space_id: &str, epoch: u32) -> usize {
        rusqlite::Connection::open(&self.db)
            .unwrap()
            .execute(
                "DELETE FROM snapshots WHERE space_id = ?1 AND key_epoch = ?2 AND upto_seq = 0",
                rusqlite::params![space_id, epoch],
            )
            .unwrap()
    }

    /// Stores `records` the way a hostile server (or one broken into)
    /// would: straight into its database, past every rule of its API (a
    /// record under an epoch the space moved past, say). Returns their
    /// `seq`s.
    pub fn plant(&self, records: &[tandem_protocol::PushRecord]) -> Vec<i64> {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let db = rusqlite::Connection::open(&self.db).unwrap();
        db.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
        let mut seqs = Vec::new();
        for r in records {
            let (num, head): (i64, i64) = db
                .query_row(
                    "SELECT n.num, s.head_seq FROM spaces s JOIN space_nums n ON n.space_id = s.id
                     WHERE s.id = ?1",
                    [&r.space_id],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .unwrap();
            let seq = head + 1;
            db.execute(
                "INSERT INTO records (space, seq, doc_id, change_hash, key_epoch, nonce, ciphertext)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                rusqlite::params![
                    num,
                    seq,
                    r.doc_id,
                    hex::decode(&r.change_hash).unwrap(),
                    r.key_epoch,
                    b64.decode(&r.nonce).unwrap(),
                    b64.decode(&r.ciphertext).unwrap(),
                ],
            )
            .unwrap();
            db.execute(
                "UPDATE spaces SET head_seq = ?2 WHERE id = ?1",
                rusqlite::params![r.space_id, seq],
            )
            .unwrap();
            seqs.push(seq);
        }
        seqs
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The child's body: serve until killed.
pub fn child() {
    let db = std::env::var(DB_VAR).expect("run by ServerProcess");
    let addr = std::env::var(ADDR_VAR).expect("run by ServerProcess");
    tandem_sync_server::run_blocking(&format!("sqlite:{db}"), &addr, |bound| {
        println!("listening on http://{bound}");
    })
    .unwrap();
}
