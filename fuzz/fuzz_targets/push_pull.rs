//! Fuzzes `tandem_sync_server::fuzzing::push_or_pull`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tandem_sync_server::fuzzing::push_or_pull(data));
