//! Fuzzes `tandem_core::fuzzing::import`.
#![no_main]

libfuzzer_sys::fuzz_target!(
    init: {
        // A panic the code under test catches on purpose (automerge on
        // damaged bytes) is not a crash; one that escapes still aborts.
        std::panic::set_hook(Box::new(|_| {}));
    },
    |data: &[u8]| tandem_core::fuzzing::import(data)
);
