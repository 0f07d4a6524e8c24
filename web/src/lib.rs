//! `tandem-web`: Tandem in a browser, for one device's store, on loopback.
//!
//! A third shell beside Android and iOS: every page is server-rendered HTML
//! from the core's screen records (`tandem_core::screens`: the same
//! `TodayScreen`, `JournalScreen`, `InsightsScreen`… the phones draw), forms
//! work without JavaScript, and charts are SVG drawn from the core's series.
//! Which screen `/` opens on is the core's [`Launch`](tandem_core::screens::Launch):
//! a fresh store opens on the first run, whose flow this shell keeps between
//! requests. `tandem ui` in the terminal client starts it.
//!
//! Loopback safety ([`guard`]): the server binds to a loopback address only;
//! every request needs the per-run token (from the printed URL, then a
//! cookie for that port); the `Host` header must name the loopback address
//! (DNS rebinding); every form carries a per-run CSRF token; pages with
//! content are never cached.
//!
//! - [`guard`]: the token, Host and CSRF checks and the response headers;
//! - [`routes`]: one handler per page and form, each one core call;
//! - [`screens`]: each page as one screen record of the core, rendered;
//! - [`render`]: the pages, from screen records to HTML;
//! - [`charts`]: SVG charts from the insights series.
//!
//! Words for counts come from `tandem_core::words`, shared with the terminal
//! client.

pub mod charts;
pub mod guard;
pub mod render;
pub mod routes;
pub mod screens;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use tandem_core::screens::FirstRun;

/// Why the UI could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Only loopback addresses are served.
    #[error("{0} is not a loopback address: the UI serves this machine only")]
    NotLoopback(SocketAddr),
    /// Binding or serving failed.
    #[error("could not serve the UI: {0}")]
    Io(#[from] std::io::Error),
}

/// What every request shares: the core's app (store, lock, sync) and the
/// run's secrets.
#[derive(Clone)]
pub struct App {
    core: Arc<tandem_core::App>,
    /// Files to remove with the store on "delete everything" (the key file…).
    erase_also: Arc<Vec<PathBuf>>,
    /// The first run while it is under way (and once done this run: "not
    /// now" to a server is not recorded, so only this flow knows it was
    /// answered). Between requests, like a phone keeps it beside its screen.
    first_run: Arc<Mutex<Option<FirstRun>>>,
    /// The per-run secrets and the address they guard.
    pub guard: Arc<guard::Guard>,
}

impl App {
    /// An app over the core's `core`, guarded for `addr`.
    pub fn new(core: tandem_core::App, erase_also: Vec<PathBuf>, addr: SocketAddr) -> App {
        App {
            core: Arc::new(core),
            erase_also: Arc::new(erase_also),
            first_run: Arc::new(Mutex::new(None)),
            guard: Arc::new(guard::Guard::new(addr)),
        }
    }

    /// Runs `f` with the core's app on a blocking thread (the core's calls
    /// read the disk and, for sync and pairing, wait on the network — with
    /// the store released between the server's answers).
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&tandem_core::App) -> tandem_core::Result<T> + Send + 'static,
    ) -> tandem_core::Result<T> {
        let core = self.core.clone();
        tokio::task::spawn_blocking(move || f(&core))
            .await
            .unwrap_or_else(|e| Err(tandem_core::Error::Io(std::io::Error::other(e.to_string()))))
    }

    /// Runs `f` with the core's app and the kept first-run flow (none until
    /// `/` or a first-run form starts one) on a blocking thread. The flow
    /// stays locked while `f` runs, so two tabs cannot take a step at once.
    pub async fn with_first_run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&tandem_core::App, &mut Option<FirstRun>) -> tandem_core::Result<T>
        + Send
        + 'static,
    ) -> tandem_core::Result<T> {
        let kept = self.first_run.clone();
        self.run(move |core| {
            let mut flow = kept.lock().unwrap_or_else(PoisonError::into_inner);
            f(core, &mut flow)
        })
        .await
    }

    /// Erases the store and the extra files; the app stays locked.
    pub async fn erase(&self) -> tandem_core::Result<tandem_core::erase::EraseReport> {
        let also = self.erase_also.clone();
        self.with_first_run(move |core, flow| {
            *flow = None;
            core.erase(&also)
        })
        .await
    }
}

/// Serves the UI for the core's `app` on `listen` (a loopback address; port 0 picks
/// a free one) until the process ends. `ready` gets the URL to open, token
/// included, once the socket listens.
pub fn serve(
    core: tandem_core::App,
    erase_also: Vec<PathBuf>,
    listen: SocketAddr,
    ready: impl FnOnce(&str),
) -> Result<(), ServeError> {
    if !listen.ip().is_loopback() {
        return Err(ServeError::NotLoopback(listen));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let app = App::new(core, erase_also, addr);
        ready(&app.guard.start_url());
        axum::serve(listener, routes::router(app)).await?;
        Ok(())
    })
}
