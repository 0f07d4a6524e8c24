//! Who is told what changed: listeners and the subscriptions that keep them.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};

use crate::area::Area;

/// Told which areas changed after a write or a sync. Called on the thread
/// that made the call, never while the store is held, so it may call back
/// into the [`App`](super::App).
pub trait ChangeListener: Send + Sync {
    /// `areas` changed: redraw the screens that show them.
    fn changed(&self, areas: &[Area]);
}

/// Keeps a listener subscribed; dropping it (or [`cancel`](Self::cancel))
/// stops the calls.
#[derive(Debug)]
pub struct Subscription {
    id: u64,
    listeners: Weak<Listeners>,
}

impl Subscription {
    /// Stops the calls now.
    pub fn cancel(self) {}
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(listeners) = self.listeners.upgrade() {
            listeners.remove(self.id);
        }
    }
}

/// The listeners of one app.
#[derive(Default)]
pub(super) struct Listeners {
    next: AtomicU64,
    by_id: Mutex<BTreeMap<u64, Arc<dyn ChangeListener>>>,
}

impl std::fmt::Debug for Listeners {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listeners").finish_non_exhaustive()
    }
}

impl Listeners {
    pub(super) fn add(self: &Arc<Self>, listener: Arc<dyn ChangeListener>) -> Subscription {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.by_id
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, listener);
        Subscription {
            id,
            listeners: Arc::downgrade(self),
        }
    }

    fn remove(&self, id: u64) {
        self.by_id
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&id);
    }

    /// Tells every listener that `areas` changed (nothing when none did).
    /// The listeners are copied out first, so one may subscribe or cancel
    /// from inside its call.
    pub(super) fn tell(&self, areas: &[Area]) {
        if areas.is_empty() {
            return;
        }
        let listeners: Vec<Arc<dyn ChangeListener>> = self
            .by_id
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .cloned()
            .collect();
        for listener in listeners {
            listener.changed(areas);
        }
    }
}
