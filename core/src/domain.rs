//! The recovery domain: plain data types and the rules that validate them.
//!
//! Nothing in here does I/O. Each item type derives `Reconcile`/`Hydrate`
//! (its shape inside an automerge document) and `Serialize`/`Deserialize`
//! (its shape in export files and the terminal client's JSON).

pub mod checkin;
pub mod clean_time;
pub mod craving;
pub mod goal;
pub mod insights;
pub mod journal;
pub mod meeting;
pub mod note;
pub mod pair;
pub mod person;
pub mod text;
pub mod track;

pub(crate) mod date_field;
