//! Each page that shows a screen of the core: one call to
//! [`App::screens`](tandem_core::App::screens) for its record, rendered.
//! Nothing here decides what a screen shows (page sizes, windows, sharing
//! marks, empty states, which screen opens): the records carry it. Shared
//! by the handlers and by the benchmark that holds each page to the core
//! call it renders.

use tandem_core::screens::{FirstRun, FirstRunStep, Launch, PageCursor};
use tandem_core::{App, Error, Result};

use crate::render;

/// `/`: the screen the core opens on. A first run under way (kept in
/// `flow`, started here when the core says the device opens on it) shows
/// its step; a locked app is refused; otherwise Today.
pub fn home(core: &App, flow: &mut Option<FirstRun>, csrf: &str) -> Result<String> {
    if flow.is_none() {
        match core.screens().launch()? {
            Launch::Locked => return Err(Error::Locked),
            Launch::Today => return today(core, csrf),
            Launch::FirstRun { .. } => *flow = Some(core.screens().first_run()?),
        }
    }
    match flow.as_ref().map(FirstRun::step) {
        Some(FirstRunStep::Done) | None => today(core, csrf),
        Some(step) => Ok(render::first_run(&step, None, csrf)),
    }
}

/// The Today page.
pub fn today(core: &App, csrf: &str) -> Result<String> {
    Ok(render::today(&core.screens().today()?, csrf))
}

/// A page of the journal: the first, or the one after `after`.
pub fn journal(core: &App, after: Option<&PageCursor>, csrf: &str) -> Result<String> {
    Ok(render::journal(&core.screens().journal(after)?, csrf))
}

/// Logging a craving, over a page of the log: the first, or the one after
/// `after`.
pub fn cravings(core: &App, after: Option<&PageCursor>, csrf: &str) -> Result<String> {
    Ok(render::craving(&core.screens().cravings(after)?, csrf))
}

/// Today's check-in, to make or edit.
pub fn checkin(core: &App, csrf: &str) -> Result<String> {
    let today = core.screens().today()?;
    Ok(render::checkin(today.today.checkin.as_ref(), csrf))
}

/// The Insights page, over the core's window.
pub fn insights(core: &App) -> Result<String> {
    Ok(render::insights(&core.screens().insights()?))
}

/// The Goals page.
pub fn goals(core: &App, csrf: &str) -> Result<String> {
    Ok(render::goals(&core.screens().goals()?, csrf))
}

/// The Notes page (the pairs screen says whom a new note can be shared with).
pub fn notes(core: &App, csrf: &str) -> Result<String> {
    let screens = core.screens();
    Ok(render::notes(&screens.notes()?, &screens.pairs()?, csrf))
}

/// The Meetings page, for `pair` or every live pair.
pub fn meetings(core: &App, pair: Option<&str>, csrf: &str) -> Result<String> {
    Ok(render::meetings(&core.screens().meetings(pair)?, csrf))
}

/// One meeting's record.
pub fn meeting(core: &App, id: &str, csrf: &str) -> Result<String> {
    let screen = core.screens().meeting(id)?;
    Ok(render::meeting(&screen, Some(screen.my_side), csrf))
}

/// The Pair page, with a fresh invite (its code and QR code) if one was
/// just made.
pub fn pairs(core: &App, invite: Option<(&str, &str)>, csrf: &str) -> Result<String> {
    Ok(render::pair(&core.screens().pairs()?, invite, csrf))
}

/// The mentor's overview (looking does not mark anything seen).
pub fn mentor(core: &App, csrf: &str) -> Result<String> {
    Ok(render::mentor(
        &core.screens().mentor_overview(false)?,
        csrf,
    ))
}

/// Settings, with the full sync status.
pub fn settings(core: &App, csrf: &str) -> Result<String> {
    let screens = core.screens();
    Ok(render::settings(
        &screens.settings()?,
        &screens.sync_status()?,
        csrf,
    ))
}
