//! Replays every input the fuzzers found (`fuzz/crashers/<target>/`, see
//! `scripts/fuzz`) through the same entry points the fuzz targets call, so
//! that a crash once found stays fixed. Also runs inputs that reach deep
//! into each entry point, as a floor when nothing was ever found.

use std::path::Path;

use tandem_core::fuzzing;

/// Every file under `fuzz/crashers/<target>/`.
fn crashers(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/crashers")
        .join(target);
    assert!(dir.is_dir(), "{} is missing", dir.display());
    let mut out: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n != ".gitkeep"))
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    out.sort();
    out
}

/// A record's plaintext as the sealing code lays it out.
fn plaintext(doc_id: &str, payload: &[u8]) -> Vec<u8> {
    let mut p = vec![1, doc_id.len() as u8];
    p.extend_from_slice(doc_id.as_bytes());
    p.push(16);
    p.extend_from_slice(&[9; 16]);
    p.extend_from_slice(payload);
    p.push(0x80);
    p.extend_from_slice(&[0; 7]);
    p
}

#[test]
fn records_found_by_the_fuzzer_are_read_without_a_panic() {
    let mut doc = automerge::AutoCommit::new();
    automerge::transaction::Transactable::put(&mut doc, automerge::ROOT, "x", 1).unwrap();
    let change = doc.save();
    let inputs = [
        plaintext("journal/2026-03", &change),
        plaintext("journal/2026-03", b"not a change"),
        plaintext("profile", &[0x85, 0x6f, 0x4a, 0x83]),
        plaintext("nonsense", &change),
        vec![],
        vec![0x80],
    ];
    for input in inputs.into_iter().chain(crashers("open_record")) {
        fuzzing::open_record(&input);
    }
}

#[test]
fn snapshots_found_by_the_fuzzer_are_loaded_without_a_panic() {
    let mut doc = automerge::AutoCommit::new();
    automerge::transaction::Transactable::put(&mut doc, automerge::ROOT, "x", 1).unwrap();
    let saved = doc.save();
    let named = |name: &str, bytes: &[u8]| {
        let mut v = vec![name.len() as u8];
        v.extend_from_slice(name.as_bytes());
        v.extend_from_slice(bytes);
        v
    };
    let mut truncated = saved.clone();
    truncated.truncate(saved.len() / 2);
    let inputs = [
        named("journal/2026-03", &saved),
        named("journal/2026-03", &truncated),
        named("goals", b"\x85\x6f\x4a\x83garbage"),
        vec![200, 1, 2],
    ];
    for input in inputs.into_iter().chain(crashers("load_snapshot")) {
        fuzzing::load_snapshot(&input);
    }
}

#[test]
fn codes_found_by_the_fuzzer_are_refused_without_a_panic() {
    let inputs: [&[u8]; 5] = [
        b"TP1-",
        b"TL1-AAAA-BBBB",
        "TR1-ÄÖÜ-ß".as_bytes(),
        b"\xff\xfe",
        b"TP1-0000000000000000000000000000000000000000000000000000000000000000000000000000",
    ];
    for input in inputs
        .into_iter()
        .map(<[u8]>::to_vec)
        .chain(crashers("codes"))
    {
        fuzzing::codes(&input);
    }
}

#[test]
fn exports_found_by_the_fuzzer_are_imported_without_a_panic() {
    let inputs: [&[u8]; 3] = [
        br#"{"format": 1}"#,
        br#"{"format": 99, "exported_ms": 0, "person": null}"#,
        b"[",
    ];
    for input in inputs
        .into_iter()
        .map(<[u8]>::to_vec)
        .chain(crashers("import"))
    {
        fuzzing::import(&input);
    }
}
