//! `tandem-ffi`: Tandem's core for the Android and iOS shells, through uniffi.
//!
//! A thin layer: every exported function is one call into `tandem-core` plus
//! type conversions. The view state (Today, lists, insights, pairs, sync
//! status, the mentor's overview) is computed by the core; the shells only
//! render it and navigate.
//!
//! - [`app`]: the [`Tandem`](app::Tandem) object and the change listener;
//! - [`types`]: the core's types declared for uniffi;
//! - [`screens`]: one call per screen, each returning its whole record;
//! - [`meetings`]: a pair's meetings: scheduling, marks, calendar export;
//! - [`flows`]: the core's flows (first run, connect, pairing, …) as objects;
//! - [`mirror`]: shell-side shapes of the few core types uniffi cannot carry;
//! - [`error`]: the one error type.

pub mod app;
pub mod error;
pub mod flows;
pub mod meetings;
pub mod mirror;
pub mod screens;
pub mod types;

pub use app::{ChangeListener, Tandem};
pub use error::TandemError;

uniffi::setup_scaffolding!("tandem");
