//! Tandem's core: the recovery domain, its automerge documents, and the
//! durable SQLite store that holds them on a device.
//!
//! Layers, bottom up (see `docs/architecture.md`):
//! - [`domain`]: plain data and validation rules, no I/O;
//! - [`document`]: which document holds which item, and how items are
//!   written into and read out of automerge documents;
//! - [`store`]: SQLite persistence (documents and the read model);
//! - [`features`]: the product's features, as handles on the app;
//! - [`view`]: the view state screens draw;
//! - [`screens`]: what each screen draws, the flows, and which screens a
//!   change redraws;
//! - [`words`]: English wording of counts and kinds for the terminal and
//!   the browser;
//! - [`app`]: [`App`], the one runtime every shell wraps.

pub mod app;
pub mod area;
pub mod clock;
pub mod document;
pub mod domain;
pub mod erase;
pub mod error;
pub mod export;
pub mod features;
mod files;
#[doc(hidden)]
pub mod fuzzing;
pub mod id;
pub mod keyfile;
pub mod lock;
pub mod notify;
pub mod screens;
pub mod settings;
pub mod store;
pub mod sync;
pub mod view;
pub mod words;

pub use app::App;
pub use area::Area;
pub use clock::{Clock, FixedClock, SystemClock};
pub use domain::{
    checkin, clean_time, craving, goal, insights, journal, note, pair, person, track,
};
pub use error::{Error, ErrorKind, Result};
pub use store::{Durability, Options, Page, Store, StoreKey};
