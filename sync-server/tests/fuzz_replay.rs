//! Replays every push or pull body the fuzzer found
//! (`fuzz/crashers/push_pull/`, see `scripts/fuzz`) through the entry point
//! the fuzz target calls: each is answered below 500, errors in JSON.

use std::path::Path;

#[test]
fn bodies_found_by_the_fuzzer_are_answered_without_a_server_error() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/crashers/push_pull");
    assert!(dir.is_dir(), "{} is missing", dir.display());
    let mut inputs: Vec<Vec<u8>> = vec![
        b"\x00{\"records\": []}".to_vec(),
        b"\x00{\"records\": [{\"space_id\": \"@@\", \"doc_id\": \"d\"}]}".to_vec(),
        b"\x01{\"cursors\": [{\"space_id\": \"@@\", \"after\": -9223372036854775808}]}".to_vec(),
        b"\x01{\"cursors\": [], \"limit\": 4294967295}".to_vec(),
    ];
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|n| n != ".gitkeep") {
            inputs.push(std::fs::read(path).unwrap());
        }
    }
    for input in inputs {
        tandem_sync_server::fuzzing::push_or_pull(&input);
    }
}
