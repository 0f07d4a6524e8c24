//! `tandem meet …`: the commands and JSON fields scripts rely on, and the
//! calendar export read back by Python's icalendar package.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn tandem_at(home: &Path, now: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(args)
        .env("TANDEM_HOME", home)
        .env("TANDEM_NOW", now)
        .output()
        .unwrap()
}

fn ok(home: &Path, now: &str, args: &[&str]) -> Value {
    let out = tandem_at(home, now, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn fails(home: &Path, now: &str, args: &[&str]) -> String {
    let out = tandem_at(home, now, args);
    assert!(!out.status.success(), "{args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A mentee (Berlin) and a mentor (New York) paired through a loopback
/// server; returns their homes and the pair id.
fn pair(dir: &Path, now: &str) -> (std::path::PathBuf, std::path::PathBuf, String) {
    let url = tandem_sync_server::spawn_local(&dir.join("server.db")).unwrap();
    let mentee = dir.join("mentee");
    let mentor = dir.join("mentor");
    let init = |home: &Path, name: &str, zone: &str| {
        ok(
            home,
            now,
            &["--json", "init", "--name", name, "--timezone", zone],
        );
    };
    init(&mentee, "Robin", "Europe/Berlin");
    init(&mentor, "Alex", "America/New_York");
    let code = ok(
        &mentee,
        now,
        &["--json", "pair", "invite", "--server", &url],
    )["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["--json", "pair", "join", &code, "--server", &url])
        .env("TANDEM_HOME", &mentor)
        .env("TANDEM_NOW", now)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let joined: Value = serde_json::from_slice(&out.stdout).unwrap();
    ok(&mentee, now, &["--json", "sync"]);
    (
        mentee,
        mentor,
        joined["pair_id"].as_str().unwrap().to_owned(),
    )
}

const NOW: &str = "2027-01-01T03:00:00Z";

#[test]
fn schedule_list_mark_and_export_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let (mentee, mentor, pair) = pair(dir.path(), NOW);
    let plan = ok(
        &mentee,
        NOW,
        &[
            "--json",
            "meet",
            "schedule",
            "--pair",
            &pair,
            "--every",
            "week",
            "--on",
            "sun,wed",
            "--at",
            "19:00",
            "--zone",
            "Europe/Berlin",
            "--kind",
            "call",
            "--place",
            "Café",
        ],
    );
    assert_eq!(plan["time"], "19:00");
    assert_eq!(plan["zone"], "Europe/Berlin");
    let once = ok(
        &mentor,
        NOW,
        &[
            "--json",
            "meet",
            "once",
            "--pair",
            &pair[..8],
            "--at",
            "2027-01-09T10:00",
            "--zone",
            "America/New_York",
            "--kind",
            "video",
        ],
    );
    assert_eq!(once["recurrence"]["every"], "once");
    for home in [&mentor, &mentee, &mentor] {
        ok(home, NOW, &["--json", "sync"]);
    }

    // The contract: an array of {id, pair_id, starts_at, local_time, zone, kind, status}.
    let list = ok(
        &mentee,
        NOW,
        &["--json", "meet", "list", "--pair", &pair, "--days", "14"],
    );
    let list = list.as_array().unwrap();
    let summary: Vec<(String, String, String, String)> = list
        .iter()
        .map(|m| {
            for field in [
                "id",
                "pair_id",
                "starts_at",
                "local_time",
                "zone",
                "kind",
                "status",
            ] {
                assert!(m.get(field).is_some(), "{field} missing in {m}");
            }
            assert_eq!(m["pair_id"], pair.as_str());
            assert_eq!(m["status"], "scheduled");
            (
                m["starts_at"].as_str().unwrap().to_owned(),
                m["local_time"].as_str().unwrap().to_owned(),
                m["zone"].as_str().unwrap().to_owned(),
                m["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let s = |a: &str, b: &str, c: &str, d: &str| (a.into(), b.into(), c.into(), d.into());
    assert_eq!(
        summary,
        [
            s(
                "2027-01-03T18:00:00Z",
                "2027-01-03T19:00:00",
                "Europe/Berlin",
                "call"
            ),
            s(
                "2027-01-06T18:00:00Z",
                "2027-01-06T19:00:00",
                "Europe/Berlin",
                "call"
            ),
            s(
                "2027-01-09T15:00:00Z",
                "2027-01-09T16:00:00",
                "America/New_York",
                "video"
            ),
            s(
                "2027-01-10T18:00:00Z",
                "2027-01-10T19:00:00",
                "Europe/Berlin",
                "call"
            ),
            s(
                "2027-01-13T18:00:00Z",
                "2027-01-13T19:00:00",
                "Europe/Berlin",
                "call"
            ),
        ]
    );
    // The mentor sees the same meetings at New York time.
    let theirs = ok(&mentor, NOW, &["--json", "meet", "list", "--days", "14"]);
    assert_eq!(theirs[0]["id"], list[0]["id"]);
    assert_eq!(theirs[0]["local_time"], "2027-01-03T13:00:00");

    // After the first meeting: held by one, missed by the other.
    let id = list[0]["id"].as_str().unwrap();
    let later = "2027-01-03T20:00:00Z";
    let marked = ok(
        &mentee,
        later,
        &[
            "--json",
            "meet",
            "mark",
            id,
            "--held",
            "--note",
            "Good talk.",
        ],
    );
    assert_eq!(marked["status"], "held");
    ok(&mentee, later, &["--json", "sync"]);
    ok(&mentor, later, &["--json", "sync"]);
    ok(&mentor, later, &["--json", "meet", "mark", id, "--missed"]);
    ok(&mentor, later, &["--json", "sync"]);
    ok(&mentee, later, &["--json", "sync"]);
    let shown = ok(&mentee, later, &["--json", "meet", "show", id]);
    assert_eq!(shown["status"], "conflict");
    assert_eq!(shown["marks"].as_array().unwrap().len(), 2);
    assert_eq!(shown["note"], "Good talk.");
    let past = ok(
        &mentor,
        later,
        &["--json", "meet", "list", "--days", "1", "--past", "1"],
    );
    assert_eq!(past[0]["status"], "conflict");

    // Moved: shown at the new time.
    let next = list[1]["id"].as_str().unwrap();
    let moved = ok(
        &mentor,
        later,
        &[
            "--json",
            "meet",
            "mark",
            next,
            "--moved-to",
            "2027-01-07T19:00",
        ],
    );
    assert_eq!(moved["status"], "moved");
    assert_eq!(moved["starts_at"], "2027-01-07T18:00:00Z");

    // Calendar export to a private file.
    let ics = dir.path().join("meetings.ics");
    let done = ok(
        &mentee,
        later,
        &["--json", "meet", "ics", "--out", ics.to_str().unwrap()],
    );
    assert!(done["bytes"].as_u64().unwrap() > 100);
    let text = std::fs::read_to_string(&ics).unwrap();
    assert!(text.contains("RRULE:FREQ=WEEKLY;BYDAY=WE,SU"), "{text}");
    assert!(!text.contains("Good talk"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&ics).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "readable by others: {mode:o}");
    }

    // Bad input: clear errors, nothing written.
    for (args, says) in [
        (
            vec![
                "meet",
                "schedule",
                "--every",
                "week",
                "--at",
                "19:00",
                "--zone",
                "Europe/Berlin",
            ],
            "--on",
        ),
        (
            vec![
                "meet",
                "schedule",
                "--every",
                "week",
                "--on",
                "funday",
                "--at",
                "19:00",
                "--zone",
                "Europe/Berlin",
            ],
            "weekday",
        ),
        (
            vec![
                "meet",
                "schedule",
                "--every",
                "0",
                "--at",
                "19:00",
                "--zone",
                "Europe/Berlin",
            ],
            "1 to 365",
        ),
        (
            vec![
                "meet",
                "schedule",
                "--every",
                "day",
                "--at",
                "25:00",
                "--zone",
                "Europe/Berlin",
            ],
            "time",
        ),
        (
            vec![
                "meet",
                "once",
                "--at",
                "2027-01-09T10:00",
                "--zone",
                "Mars/Base",
            ],
            "zone",
        ),
        (vec!["meet", "mark", "nonsense", "--held"], "meeting"),
        (vec!["meet", "mark", next], "--held"),
    ] {
        let err = fails(&mentee, later, &args);
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

/// The window the calendar check compares: the next 12 months from `NOW`,
/// across both 2027 daylight-saving changes of both zones.
const UNTIL: &str = "2028-01-01T03:00:00Z";

#[test]
fn the_calendar_file_yields_the_cores_meetings_for_the_next_12_months() {
    let Some(python) = std::env::var_os("TANDEM_PYTHON") else {
        assert!(
            std::env::var_os("TANDEM_REQUIRE_PYTHON").is_none(),
            "TANDEM_REQUIRE_PYTHON is set but TANDEM_PYTHON is not (scripts/lib/pytools.sh)"
        );
        eprintln!("skipped: TANDEM_PYTHON is not set (scripts/test sets it)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (mentee, mentor, pair) = pair(dir.path(), NOW);
    let schedule = |home: &Path, args: &[&str]| {
        let mut all = vec!["--json", "meet", "schedule", "--pair", pair.as_str()];
        all.extend_from_slice(args);
        ok(home, NOW, &all)
    };
    schedule(
        &mentee,
        &[
            "--every",
            "week",
            "--on",
            "sun,wed",
            "--at",
            "19:00",
            "--zone",
            "Europe/Berlin",
        ],
    );
    schedule(
        &mentor,
        &[
            "--every",
            "10",
            "--at",
            "07:30",
            "--zone",
            "America/New_York",
            "--kind",
            "in_person",
            "--place",
            "Park",
        ],
    );
    // 02:30 on 28 March does not exist in Berlin: both must read it alike.
    schedule(
        &mentee,
        &[
            "--every",
            "week",
            "--on",
            "sun",
            "--at",
            "02:30",
            "--zone",
            "Europe/Berlin",
            "--from",
            "2027-03-01",
            "--kind",
            "video",
        ],
    );
    ok(
        &mentor,
        NOW,
        &[
            "--json",
            "meet",
            "once",
            "--pair",
            &pair,
            "--at",
            "2027-06-15T12:00",
            "--zone",
            "Asia/Tokyo",
        ],
    );
    ok(&mentor, NOW, &["--json", "sync"]);
    ok(&mentee, NOW, &["--json", "sync"]);
    // One meeting moved to another day.
    let soon = ok(&mentee, NOW, &["--json", "meet", "list", "--days", "3"]);
    let first = soon
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["zone"] == "Europe/Berlin")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        &mentee,
        NOW,
        &[
            "--json",
            "meet",
            "mark",
            &first,
            "--moved-to",
            "2027-01-04T18:00",
        ],
    );

    let core = ok(&mentee, NOW, &["--json", "meet", "list", "--days", "365"]);
    let mut core: Vec<String> = core
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["starts_at"].as_str().unwrap().to_owned())
        .collect();
    core.sort();
    assert!(core.len() > 150, "{}", core.len());
    assert!(core.contains(&"2027-01-04T17:00:00Z".to_owned()));

    let ics = dir.path().join("meetings.ics");
    ok(
        &mentee,
        NOW,
        &["--json", "meet", "ics", "--out", ics.to_str().unwrap()],
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/lib/check_ics.py");
    let out = Command::new(python)
        .arg(script)
        .args([ics.to_str().unwrap(), NOW, UNTIL])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let python: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let only_core: Vec<&String> = core.iter().filter(|t| !python.contains(t)).collect();
    let only_python: Vec<&String> = python.iter().filter(|t| !core.contains(t)).collect();
    assert!(
        only_core.is_empty() && only_python.is_empty(),
        "only in the core: {only_core:?}\nonly in the calendar: {only_python:?}"
    );
}
