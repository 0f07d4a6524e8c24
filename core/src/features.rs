//! The product's features, each a handle on the [`App`](crate::App) named
//! for what a person does with it: [`Journal`], [`Cravings`], [`CheckIns`],
//! [`Goals`], [`Tracks`], [`Pairs`], [`Sharing`], [`Notes`], [`Mentor`],
//! [`Devices`], [`SettingsHandle`]. A handle borrows the app; every call is
//! one action, held in the store for as long as it takes, and the app's
//! listeners are told what it changed.

//!
//! Features that reach beyond one store call are free functions in their
//! module, over `&mut Store` (or, for calls that reach the server, over a
//! [`StoreAccess`](crate::sync::StoreAccess) that holds the store only
//! between the server's answers): [`pairs`], [`sharing`], [`mentor`],
//! [`devices`]; the codes people carry between phones are in [`codes`].

mod checkins;
pub mod codes;
mod cravings;
pub mod devices;
mod goals;
pub mod identity;
mod journal;
pub mod meetings;
pub mod mentor;
mod notes;
pub mod pairs;
mod settings;
pub mod sharing;
pub(crate) mod signing;
mod tracks;
pub mod wakeups;

pub use checkins::CheckIns;
pub use cravings::Cravings;
pub use devices::Devices;
pub use goals::Goals;
pub use journal::Journal;
pub use meetings::Meetings;
pub use mentor::Mentor;
pub use notes::Notes;
pub use pairs::Pairs;
pub use settings::SettingsHandle;
pub use sharing::Sharing;
pub use tracks::Tracks;
pub use wakeups::Wakeups;

/// Declares a feature handle: a struct borrowing the app, with `new`.
macro_rules! handle {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name<'a> {
            app: &'a crate::App,
        }

        impl<'a> $name<'a> {
            pub(crate) fn new(app: &'a crate::App) -> Self {
                Self { app }
            }
        }
    };
}
pub(crate) use handle;
