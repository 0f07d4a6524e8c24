//! The terminal client's contract: command names, flags, JSON fields, errors.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const NOW: &str = "2026-03-10T12:00:00Z";

fn tandem(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(args)
        .env("TANDEM_HOME", home)
        .env("TANDEM_NOW", NOW)
        .output()
        .unwrap()
}

/// Runs `tandem` with `input` on its standard input.
fn tandem_with_stdin(home: &Path, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(args)
        .env("TANDEM_HOME", home)
        .env("TANDEM_NOW", NOW)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Like [`ok_json`], with `input` on standard input (a secret passed as `-`).
fn ok_json_with_stdin(home: &Path, args: &[&str], input: &str) -> Value {
    json_of(args, tandem_with_stdin(home, args, input))
}

fn ok_json(home: &Path, args: &[&str]) -> Value {
    json_of(args, tandem(home, args))
}

fn json_of(args: &[&str], out: Output) -> Value {
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

#[test]
fn the_whole_flow_as_json() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let p = ok_json(
        h,
        &[
            "--json",
            "init",
            "--name",
            "Sam",
            "--timezone",
            "Europe/Berlin",
        ],
    );
    assert_eq!(p["name"], "Sam");

    let t = ok_json(
        h,
        &[
            "track",
            "add",
            "--name",
            "alcohol",
            "--since",
            "2026-01-01",
            "--json",
        ],
    );
    assert_eq!(t["clean_days"], 68);
    assert_eq!(
        t["next_milestone"]["rung"],
        serde_json::json!({"unit": "days", "count": 90})
    );
    let t = ok_json(
        h,
        &[
            "--json",
            "track",
            "reset",
            &id(&t),
            "--date",
            "2026-03-01",
            "--note",
            "slip",
        ],
    );
    assert_eq!(
        (t["clean_days"].as_i64(), t["attempts"].as_i64()),
        (Some(9), Some(2))
    );
    assert_eq!(
        ok_json(h, &["--json", "track", "list"])
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let j = ok_json(
        h,
        &[
            "--json", "journal", "add", "--text", "Hard day", "--mood", "2", "--tag", "Work",
            "--tag", "family",
        ],
    );
    assert_eq!(j["tags"], serde_json::json!(["work", "family"]));
    let jid = id(&j);
    let edited = ok_json(
        h,
        &[
            "--json",
            "journal",
            "edit",
            &jid,
            "--text",
            "Hard day, better evening",
        ],
    );
    assert_eq!(edited["text"], "Hard day, better evening");
    assert_eq!(ok_json(h, &["--json", "journal", "show", &jid])["mood"], 2);
    let gone = ok_json(h, &["--json", "journal", "add", "--text", "to delete"]);
    assert_eq!(
        ok_json(h, &["--json", "journal", "delete", &id(&gone)])["deleted"],
        true
    );
    let list = ok_json(h, &["--json", "journal", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], jid.as_str());

    let c = ok_json(
        h,
        &[
            "--json",
            "craving",
            "add",
            "--trigger",
            "payday",
            "--intensity",
            "7",
            "--situation",
            "home",
            "--situation",
            "alone",
            "--helped",
            "call mentor",
            "--outcome",
            "resisted",
            "--at",
            "2026-03-10T08:30:00+01:00",
        ],
    );
    assert_eq!(c["intensity"], 7);
    assert_eq!(c["outcome"], "resisted");
    assert_eq!(c["at_ms"], 1_773_127_800_000i64);
    let c2 = ok_json(
        h,
        &[
            "--json",
            "craving",
            "add",
            "--trigger",
            "bar",
            "--intensity",
            "0",
        ],
    );
    ok_json(h, &["--json", "craving", "delete", &id(&c2)]);
    let cl = ok_json(h, &["--json", "craving", "list"]);
    assert_eq!(cl.as_array().unwrap().len(), 1);

    let ci = ok_json(
        h,
        &[
            "--json",
            "checkin",
            "--mood",
            "3",
            "--craving",
            "4",
            "--note",
            "ok",
        ],
    );
    assert_eq!(ci["day"], "2026-03-10");

    let g = ok_json(
        h,
        &[
            "--json",
            "goal",
            "add",
            "--title",
            "Run 5k",
            "--why",
            "health",
            "--target",
            "2026-06-01",
        ],
    );
    let gid = id(&g);
    let m = ok_json(
        h,
        &[
            "--json",
            "goal",
            "milestone",
            "add",
            &gid,
            "--title",
            "Run 1k",
        ],
    );
    let mid = id(&m);
    assert_eq!(m["goal_id"], gid.as_str());
    let g = ok_json(h, &["--json", "goal", "milestone", "done", &gid, &mid]);
    assert_eq!(g["milestones_done"], 1);
    let g = ok_json(h, &["--json", "goal", "milestone", "undo", &gid, &mid]);
    assert_eq!(g["milestones_done"], 0);
    assert_eq!(
        ok_json(h, &["--json", "goal", "done", &gid])["status"],
        "done"
    );
    assert_eq!(
        ok_json(h, &["--json", "goal", "list"])[0]["milestones"][0]["id"],
        mid.as_str()
    );

    let n = ok_json(
        h,
        &[
            "--json", "note", "new", "--title", "Plan", "--text", "Call Sam",
        ],
    );
    ok_json(
        h,
        &[
            "--json",
            "note",
            "edit",
            &id(&n),
            "--text",
            "Call Sam first",
        ],
    );
    assert_eq!(
        ok_json(h, &["--json", "note", "show", &id(&n)])["body"],
        "Call Sam first"
    );
    assert_eq!(
        ok_json(h, &["--json", "note", "list"])
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let today = ok_json(h, &["today", "--json"]);
    assert_eq!(today["date"], "2026-03-10");
    assert_eq!(today["tracks"][0]["clean_days"], 9);
    assert_eq!(today["checkin"]["mood"], 3);
    assert_eq!(
        (
            today["journal_today"].as_u64(),
            today["cravings_today"].as_u64()
        ),
        (Some(1), Some(1))
    );

    let i = ok_json(h, &["--json", "insights", "--days", "30"]);
    assert_eq!(i["cravings"], 1);
    assert_eq!(i["by_hour"][8], 1);
    assert_eq!(i["top_triggers"][0]["trigger"], "payday");

    let x = ok_json(h, &["export"]);
    assert_eq!(x["journal"].as_array().unwrap().len(), 1);
    assert_eq!(x["tracks"][0]["resets"].as_object().unwrap().len(), 1);
    assert_eq!(x["person"]["timezone"], "Europe/Berlin");
}

#[test]
fn text_output_for_people() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    tandem(h, &["init", "--name", "Sam", "--timezone", "UTC"]);
    tandem(
        h,
        &[
            "track",
            "add",
            "--name",
            "gambling",
            "--since",
            "2026-03-03",
        ],
    );
    let out = tandem(h, &["today"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("gambling: 7 days clean since 2026-03-03"),
        "{text}"
    );
    assert!(
        text.contains("next milestone 14 days on 2026-03-17 (in 7 days)"),
        "{text}"
    );
    assert!(text.contains("No check-in yet today."), "{text}");
}

#[test]
fn bad_input_is_one_line_on_stderr_and_a_failure() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["today"], "not set up yet"),
        (
            vec!["init", "--name", "Sam", "--timezone", "Moon/Base"],
            "invalid timezone",
        ),
    ];
    for (args, expected) in cases {
        let out = tandem(h, &args);
        assert!(!out.status.success());
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(out.stdout.is_empty());
    }
    tandem(h, &["init", "--name", "Sam", "--timezone", "UTC"]);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["init", "--name", "Sam", "--timezone", "UTC"],
            "already set up",
        ),
        (
            vec!["craving", "add", "--trigger", "x", "--intensity", "11"],
            "invalid intensity",
        ),
        (
            vec!["craving", "add", "--trigger", "x", "--intensity", "-1"],
            "invalid intensity",
        ),
        (
            vec![
                "craving",
                "add",
                "--trigger",
                "x",
                "--intensity",
                "3",
                "--outcome",
                "maybe",
            ],
            "invalid outcome",
        ),
        (
            vec![
                "craving",
                "add",
                "--trigger",
                "x",
                "--intensity",
                "3",
                "--at",
                "2027-01-01T00:00:00Z",
            ],
            "future",
        ),
        (vec!["journal", "add", "--text", "  "], "invalid text"),
        (
            vec!["journal", "add", "--text", "x", "--mood", "9"],
            "invalid mood",
        ),
        (vec!["journal", "show", "nope"], "no journal entry"),
        (
            vec!["track", "add", "--name", "x", "--since", "2027-01-01"],
            "future",
        ),
        (
            vec!["checkin", "--mood", "0", "--craving", "3"],
            "invalid mood",
        ),
        (vec!["goal", "done", "0123"], "no goal"),
    ];
    for (args, expected) in cases {
        let out = tandem(h, &args);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.starts_with("error: ") && err.contains(expected),
            "{args:?}: {err}"
        );
    }
    // A bad date is refused by the argument parser, also with a non-zero exit.
    let out = tandem(h, &["track", "add", "--name", "x", "--since", "yesterday"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a date"));
}

fn fail_text(home: &Path, args: &[&str]) -> String {
    let out = tandem(home, args);
    assert!(!out.status.success(), "{args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn the_store_is_encrypted_with_a_private_key_file() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    ok_json(h, &["--json", "init", "--name", "Sam", "--timezone", "UTC"]);
    ok_json(
        h,
        &["--json", "journal", "add", "--text", "CANARY-cli-secret"],
    );
    let key = h.join("tandem.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    for entry in std::fs::read_dir(h).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!bytes.windows(17).any(|w| w == b"CANARY-cli-secret"));
    }
    // Re-keying keeps the entry and replaces the key.
    let before = std::fs::read_to_string(&key).unwrap();
    assert_eq!(ok_json(h, &["--json", "rekey"])["rekeyed"], true);
    assert_ne!(std::fs::read_to_string(&key).unwrap(), before);
    let list = ok_json(h, &["--json", "journal", "list"]);
    assert_eq!(list[0]["text"], "CANARY-cli-secret");
    // Another key file does not open it, and says so.
    std::fs::write(&key, "00".repeat(32)).unwrap();
    let err = fail_text(h, &["today"]);
    assert!(err.contains("the key does not open the store"), "{err}");
}

#[test]
fn lock_refuses_everything_until_unlock() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    ok_json(h, &["--json", "init", "--name", "Sam", "--timezone", "UTC"]);
    assert_eq!(ok_json(h, &["--json", "lock"])["locked"], true);
    let err = fail_text(h, &["today"]);
    assert_eq!(err.trim(), "error: Tandem is locked: unlock it first");
    fail_text(h, &["journal", "add", "--text", "x"]);
    assert_eq!(ok_json(h, &["--json", "unlock"])["locked"], false);
    ok_json(h, &["--json", "today"]);
}

#[test]
fn export_import_and_erase() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    ok_json(
        h,
        &[
            "--json",
            "init",
            "--name",
            "Sam",
            "--timezone",
            "Europe/Berlin",
        ],
    );
    ok_json(
        h,
        &[
            "--json",
            "track",
            "add",
            "--name",
            "alcohol",
            "--since",
            "2026-01-01",
        ],
    );
    ok_json(
        h,
        &[
            "--json",
            "journal",
            "add",
            "--text",
            "a good day",
            "--mood",
            "4",
        ],
    );
    ok_json(
        h,
        &[
            "--json",
            "craving",
            "add",
            "--trigger",
            "payday",
            "--intensity",
            "7",
        ],
    );
    let out = home.path().join("export.json");
    let done = ok_json(
        h,
        &[
            "--json",
            "export",
            "--format",
            "json",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(done["bytes"].as_u64().unwrap() > 100);
    let md = tandem(h, &["export", "--format", "markdown"]);
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(md.starts_with("# Tandem export: Sam"));
    assert!(md.contains("a good day") && md.contains("| payday | 7/10 |"));

    let other = tempfile::tempdir().unwrap();
    let summary = ok_json(other.path(), &["--json", "import", out.to_str().unwrap()]);
    assert!(summary["documents"].as_u64().unwrap() >= 3);
    assert_eq!(
        ok_json(other.path(), &["--json", "journal", "list"]),
        ok_json(h, &["--json", "journal", "list"])
    );
    assert_eq!(
        ok_json(other.path(), &["--json", "today"]),
        ok_json(h, &["--json", "today"])
    );
    // Importing twice is refused.
    let err = fail_text(other.path(), &["import", out.to_str().unwrap()]);
    assert!(err.contains("already set up"), "{err}");

    // Erase wants --yes, then leaves nothing of the store behind.
    let err = fail_text(h, &["erase"]);
    assert!(err.contains("--yes"), "{err}");
    let report = ok_json(h, &["--json", "erase", "--yes"]);
    assert!(report["server"].is_null());
    let left: Vec<String> = std::fs::read_dir(h)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, vec!["export.json".to_string()]);
}

#[test]
fn settings_and_discreet_notifications() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    ok_json(h, &["--json", "init", "--name", "Sam", "--timezone", "UTC"]);
    let s = ok_json(
        h,
        &[
            "--json",
            "settings",
            "--app-name",
            "notes",
            "--reminder-hour",
            "9",
            "--lock-after",
            "30",
        ],
    );
    assert_eq!(s["app_name"], "notes");
    assert_eq!(s["reminder_hour"], 9);
    assert_eq!(s["lock_after_secs"], 30);
    let due = ok_json(h, &["--json", "notifications"]);
    assert_eq!(due[0]["title"], "Notes");
    assert_eq!(due[0]["body"], "Time for your check-in");
    fail_text(h, &["settings", "--reminder-hour", "25"]);
    fail_text(h, &["settings", "--app-name", "Sober"]);
}

/// A sync server on a loopback port, in a thread of this test process.
fn start_server(dir: &Path) -> String {
    tandem_sync_server::spawn_local(&dir.join("server.db")).unwrap()
}

#[test]
fn sync_and_link_a_second_device() {
    let dir = tempfile::tempdir().unwrap();
    let url = start_server(dir.path());
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    let init = ok_json(
        &a,
        &["--json", "init", "--name", "Sam", "--timezone", "UTC"],
    );
    let recovery = init["recovery_key"].as_str().unwrap().to_owned();
    assert!(recovery.starts_with("TR1-"));
    ok_json(&a, &["--json", "journal", "add", "--text", "before sync"]);
    // Without a server yet: a clear error.
    let err = fail_text(&a, &["sync"]);
    assert!(err.contains("does not sync yet"), "{err}");
    let out = ok_json(&a, &["--json", "sync", "--server", &url]);
    assert!(out["report"]["pushed"].as_u64().unwrap() >= 2);
    assert_eq!(out["status"]["pending_changes"], 0);
    assert_eq!(out["status"]["server"], url.as_str());

    let code = ok_json(&a, &["--json", "device", "link-code"])["code"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(code.starts_with("TL2-"));
    // The code through standard input: `-` keeps it out of `ps` and history.
    let linked = ok_json_with_stdin(
        &b,
        &["--json", "device", "link", "-", "--server", &url],
        &format!("{code}\n"),
    );
    assert_eq!(linked["name"], "Sam");
    assert_eq!(
        ok_json(&b, &["--json", "journal", "list"]),
        ok_json(&a, &["--json", "journal", "list"])
    );
    ok_json(
        &b,
        &[
            "--json",
            "journal",
            "add",
            "--text",
            "from the second device",
        ],
    );
    ok_json(&b, &["--json", "sync"]);
    ok_json(&a, &["--json", "sync"]);
    assert_eq!(
        ok_json(&a, &["--json", "journal", "list"])
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // Devices: both listed; b unlinks a.
    let devices = ok_json(&b, &["--json", "device", "list"]);
    assert_eq!(devices.as_array().unwrap().len(), 2, "{devices}");
    for d in devices.as_array().unwrap() {
        assert_eq!(d["uncertified"], false, "{devices}");
        let seen = d["server"]["last_seen_ms"].as_i64().unwrap();
        assert_eq!(seen % 86_400_000, 0, "the server keeps the day only");
    }
    let a_id = devices
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["this_device"] == false)
        .unwrap()["device_id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Each device shows the code of its keys, the same on both ends.
    let on_a = ok_json(&a, &["--json", "device", "list"]);
    let code_on_a = on_a
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["this_device"] == true)
        .unwrap()["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let code_on_b = devices
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["device_id"] == a_id.as_str())
        .unwrap()["code"]
        .clone();
    assert_eq!(code_on_b, code_on_a.as_str(), "{devices}");
    assert_eq!(code_on_a.split(' ').count(), 4, "{code_on_a}");
    // Both are in the device log: confirming one is nothing to do; one
    // that never asked to join cannot be confirmed.
    let confirmed = ok_json(
        &b,
        &["--json", "device", "confirm", &a_id, "--code", &code_on_a],
    );
    assert_eq!(confirmed["confirmed"], true);
    let err = fail_text(&b, &["device", "confirm", &"ab".repeat(16)]);
    assert!(err.contains("has not asked to join"), "{err}");
    let gone = ok_json(&b, &["--json", "device", "unlink", &a_id]);
    assert_eq!(gone["unlinked"], true);
    // The old recovery key is retired with the lost device; the new one works.
    let recovery = gone["recovery_key"].as_str().unwrap().to_owned();
    let err = fail_text(&a, &["sync"]);
    assert!(err.contains("401"), "{err}");

    // Every device lost: the recovery key brings it all back, and a new key.
    let r = dir.path().join("restored");
    let restored = ok_json_with_stdin(
        &r,
        &[
            "--json",
            "device",
            "restore",
            "--recovery-key",
            "-",
            "--server",
            &url,
        ],
        &recovery,
    );
    assert_eq!(restored["name"], "Sam");
    assert_ne!(restored["recovery_key"], recovery.as_str());
    assert_eq!(
        ok_json(&r, &["--json", "journal", "list"]),
        ok_json(&a, &["--json", "journal", "list"])
    );
    // A mistyped code is caught before anything is sent.
    let c = dir.path().join("c");
    let err = fail_text(&c, &["device", "link", "TL1-AAAA-BBBB", "--server", &url]);
    assert!(err.contains("link code"), "{err}");
    // `-` with nothing on standard input: said so, nothing sent.
    let out = tandem_with_stdin(&c, &["device", "link", "-", "--server", &url], "");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no link code on standard input"), "{err}");
}

#[test]
fn pair_share_note_reach_out_and_the_mentor_overview() {
    let dir = tempfile::tempdir().unwrap();
    let url = start_server(dir.path());
    let mentee = dir.path().join("mentee");
    let mentor = dir.path().join("mentor");
    ok_json(
        &mentee,
        &[
            "--json",
            "init",
            "--name",
            "Robin",
            "--timezone",
            "Europe/Berlin",
        ],
    );
    ok_json(
        &mentee,
        &[
            "--json",
            "track",
            "add",
            "--name",
            "alcohol",
            "--since",
            "2026-01-01",
        ],
    );
    ok_json(
        &mentor,
        &["--json", "init", "--name", "Alex", "--timezone", "UTC"],
    );

    let code = ok_json(&mentee, &["--json", "pair", "invite", "--server", &url])["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let joined = ok_json_with_stdin(
        &mentor,
        &["--json", "pair", "join", "-", "--server", &url],
        &code,
    );
    assert_eq!(joined["side"], "mentor");
    assert_eq!(joined["other_name"], "Robin");
    let pair = joined["pair_id"].as_str().unwrap().to_owned();
    ok_json(&mentee, &["--json", "sync"]);
    let pairs = ok_json(&mentee, &["--json", "pair", "list"]);
    assert_eq!(pairs[0]["other_name"], "Alex");
    assert_eq!(pairs[0]["side"], "mentee");

    let goal = id(&ok_json(
        &mentee,
        &["--json", "goal", "add", "--title", "Ninety meetings"],
    ));
    let entry = id(&ok_json(
        &mentee,
        &["--json", "journal", "add", "--text", "I told my sister"],
    ));
    ok_json(
        &mentee,
        &["--json", "journal", "add", "--text", "PRIVATE thoughts"],
    );
    let shared = ok_json(&mentee, &["--json", "share", "goal", &goal]);
    assert_eq!(shared["shared_in"][0], pair.as_str());
    assert!(
        shared["notice"]
            .as_str()
            .unwrap()
            .contains("may already hold a copy")
    );
    ok_json(
        &mentee,
        &["--json", "share", "journal", &entry, "--pair", &pair[..6]],
    );
    let shown = ok_json(&mentee, &["--json", "journal", "show", &entry]);
    assert!(
        shown["notice"]
            .as_str()
            .unwrap()
            .contains("may already hold a copy")
    );
    let note = ok_json(
        &mentee,
        &[
            "--json",
            "note",
            "new",
            "--pair",
            &pair,
            "--title",
            "Plan",
            "--text",
            "Call Alex.",
        ],
    );
    assert_eq!(note["pair"], pair.as_str());
    ok_json(&mentee, &["--json", "reach-out", "--text", "rough night"]);
    ok_json(&mentee, &["--json", "sync"]);
    ok_json(&mentor, &["--json", "sync"]);

    let overview = ok_json(&mentor, &["--json", "mentor", "overview"]);
    let robin = &overview[0];
    assert_eq!(robin["name"], "Robin");
    assert_eq!(robin["goals"][0]["title"], "Ninety meetings", "{overview}");
    assert_eq!(robin["shared"].as_array().unwrap().len(), 1);
    assert_eq!(robin["shared"][0]["text"], "I told my sister");
    assert_eq!(robin["open_reach_outs"][0]["text"], "rough night");
    assert_eq!(robin["clean_time"][0]["name"], "alcohol");
    assert!(!overview.to_string().contains("PRIVATE"));
    let reach = robin["open_reach_outs"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok_json(&mentor, &["--json", "mentor", "ack", &reach]);
    let overview = ok_json(&mentor, &["--json", "mentor", "overview"]);
    assert!(
        overview[0]["open_reach_outs"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let edited = ok_json(
        &mentor,
        &[
            "--json",
            "note",
            "edit",
            &id(&note),
            "--text",
            "Call Alex. Then a meeting.",
        ],
    );
    assert_eq!(edited["body"], "Call Alex. Then a meeting.");
    ok_json(&mentor, &["--json", "sync"]);
    ok_json(&mentee, &["--json", "sync"]);
    assert_eq!(
        ok_json(&mentee, &["--json", "note", "show", &id(&note)])["body"],
        "Call Alex. Then a meeting."
    );

    ok_json(&mentee, &["--json", "unshare", "journal", &entry]);
    let ended = ok_json(&mentee, &["--json", "pair", "end", &pair]);
    assert_eq!(ended["ended"], true);
    ok_json(&mentor, &["--json", "sync"]);
    assert_eq!(
        ok_json(&mentor, &["--json", "pair", "list"])[0]["ended"],
        true
    );
}
