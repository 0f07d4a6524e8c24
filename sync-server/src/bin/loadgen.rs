//! `tandem-loadgen`: placeholder replaced below.
fn main() {}
