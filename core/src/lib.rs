//! Tandem's core: the recovery domain, its automerge documents, and the
//! durable SQLite store that holds them on a device.
//!
//! Layers, bottom up (see `docs/architecture.md`):
//! - [`domain`]: plain data and validation rules, no I/O;
//! - [`document`]: which document holds which item, and how items are
//!   written into and read out of automerge documents;
//! - [`store`]: SQLite persistence (documents and the read model);
//! - [`view`]: the view state screens draw.

pub mod clock;
pub mod document;
pub mod domain;
pub mod erase;
pub mod error;
pub mod export;
mod files;
pub mod id;
pub mod keyfile;
pub mod lock;
pub mod notify;
pub mod settings;
pub mod store;
pub mod sync;
pub mod view;

pub use clock::{Clock, FixedClock, SystemClock};
pub use domain::{
    checkin, clean_time, craving, goal, insights, journal, note, pair, person, track,
};
pub use error::{Error, ErrorKind, Result};
pub use store::{Durability, Options, Page, Store, StoreKey};
