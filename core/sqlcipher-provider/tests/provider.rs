//! The RustCrypto provider against SQLCipher's own (OpenSSL): the same
//! files, either way round, and tampering is still caught.
//!
//! Registering a provider changes the whole process, so everything that
//! needs "before" and "after" happens in one test, in order; reading with
//! OpenSSL after the switch happens in a child process.

use std::path::Path;
use std::process::Command;

use rusqlite::Connection;

const KEY: &str = "x'2b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfe'";
const CHILD_ENV: &str = "TANDEM_PROVIDER_TEST_READ";

fn keyed(path: &Path, settings: &str) -> Connection {
    let conn = Connection::open(path).unwrap();
    conn.pragma_update(None, "cipher_log_level", "NONE")
        .unwrap();
    conn.execute_batch(&format!("PRAGMA key = \"{KEY}\"; {settings}"))
        .unwrap();
    conn
}

fn provider(conn: &Connection) -> String {
    conn.query_row("PRAGMA cipher_provider", [], |r| r.get(0))
        .unwrap()
}

/// Rows big enough to spread over many pages, and an index over them.
fn write(path: &Path, settings: &str, label: &str) {
    let conn = keyed(path, settings);
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         CREATE TABLE t (id INTEGER PRIMARY KEY, label TEXT NOT NULL, body TEXT NOT NULL);
         CREATE INDEX t_by_label ON t(label, id);",
    )
    .unwrap();
    let tx = conn.unchecked_transaction().unwrap();
    for i in 0..300 {
        tx.execute(
            "INSERT INTO t (label, body) VALUES (?1, ?2)",
            (label, format!("{label} row {i} {}", "x".repeat(400))),
        )
        .unwrap();
    }
    tx.commit().unwrap();
    // Half the pages checkpointed into the file, the rest left in the WAL.
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    conn.execute("UPDATE t SET body = body || ' edited' WHERE id % 2 = 0", [])
        .unwrap();
}

fn check(path: &Path, settings: &str, label: &str) {
    let conn = keyed(path, settings);
    let ok: String = conn
        .query_row("PRAGMA cipher_integrity_check", [], |r| r.get(0))
        .unwrap_or_else(|_| "ok".into());
    assert_eq!(ok, "ok");
    let (n, edited): (i64, i64) = conn
        .query_row(
            "SELECT count(*), sum(body LIKE '% edited') FROM t WHERE label = ?1",
            [label],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((n, edited), (300, 150), "{}", path.display());
}

const SHA256: &str = "PRAGMA cipher_hmac_algorithm = HMAC_SHA256;
                      PRAGMA cipher_kdf_algorithm = PBKDF2_HMAC_SHA256;";
const DEFAULTS: &str = "";

#[test]
fn files_written_by_either_provider_open_under_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let by_openssl = [
        (dir.path().join("openssl-sha256.db"), SHA256),
        (dir.path().join("openssl-sha512.db"), DEFAULTS),
    ];
    for (path, settings) in &by_openssl {
        write(path, settings, "openssl");
        assert_eq!(provider(&keyed(path, settings)), "openssl");
    }

    tandem_sqlcipher_provider::install().unwrap();
    tandem_sqlcipher_provider::install().unwrap();

    for (path, settings) in &by_openssl {
        let conn = keyed(path, settings);
        assert_eq!(provider(&conn), tandem_sqlcipher_provider::NAME);
        drop(conn);
        check(path, settings, "openssl");
    }
    let by_rustcrypto = [
        (dir.path().join("rustcrypto-sha256.db"), SHA256),
        (dir.path().join("rustcrypto-sha512.db"), DEFAULTS),
    ];
    for (path, settings) in &by_rustcrypto {
        write(path, settings, "rustcrypto");
        check(path, settings, "rustcrypto");
    }

    // A fresh process, which never registers this crate's provider, reads
    // what it wrote.
    for (path, settings) in &by_rustcrypto {
        let out = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "read_with_sqlciphers_own_provider",
                "--ignored",
                "--nocapture",
            ])
            .env(CHILD_ENV, path)
            .env(
                "TANDEM_PROVIDER_TEST_SETTINGS",
                if settings.is_empty() {
                    "defaults"
                } else {
                    "sha256"
                },
            )
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("1 passed"),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // A changed byte anywhere in a page fails that page's HMAC: the read
    // is refused, not answered with altered data.
    let (path, settings) = &by_rustcrypto[0];
    keyed(path, settings)
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    let mut file = std::fs::read(path).unwrap();
    let page = 4096 * 5;
    file[page + 700] ^= 0x01;
    std::fs::write(path, &file).unwrap();
    let conn = keyed(path, settings);
    let read: Result<i64, _> = conn.query_row("SELECT sum(length(body)) FROM t", [], |r| r.get(0));
    assert!(read.is_err(), "a tampered page was read: {read:?}");

    // A wrong key reads nothing.
    let other = Connection::open(&by_rustcrypto[1].0).unwrap();
    other
        .pragma_update(None, "cipher_log_level", "NONE")
        .unwrap();
    other
        .execute_batch(&format!("PRAGMA key = \"{}\";", KEY.replace('2', "3")))
        .unwrap();
    let err = other
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap_err();
    assert_eq!(
        err.sqlite_error_code(),
        Some(rusqlite::ErrorCode::NotADatabase)
    );
}

/// Run by the test above in a child process.
#[test]
#[ignore = "run in a child process by files_written_by_either_provider_open_under_the_other"]
fn read_with_sqlciphers_own_provider() {
    let path = std::env::var(CHILD_ENV).expect("run by the parent test");
    let settings = match std::env::var("TANDEM_PROVIDER_TEST_SETTINGS").as_deref() {
        Ok("sha256") => SHA256,
        _ => DEFAULTS,
    };
    let path = Path::new(&path);
    assert_eq!(provider(&keyed(path, settings)), "openssl");
    check(path, settings, "rustcrypto");
}
