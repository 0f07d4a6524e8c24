//! `share` and `unshare`: what a mentor sees of a mentee's items, and the
//! notice shown with anything shared.

use serde::Serialize;
use serde_json::{Value, json};
use tandem_core::App;
use tandem_core::features::sharing::{SHARED_COPY_WARNING, ShareKind};

use crate::args::{ShareArgs, ShareWhat};
use crate::home::err;
use crate::output::Reply;

/// `share` (`on`) or `unshare`.
pub fn share(app: &App, args: ShareArgs, on: bool) -> Result<Reply, String> {
    let kind = match args.kind {
        ShareWhat::Goal => ShareKind::Goal,
        ShareWhat::Journal => ShareKind::Journal,
        ShareWhat::Craving => ShareKind::Craving,
        ShareWhat::CleanTime => return clean_time(app, args.pair.as_deref(), on),
    };
    let id = args
        .id
        .ok_or_else(|| "say which item: share goal|journal|craving ID".to_string())?;
    if on {
        app.sharing()
            .share(kind, &id, args.pair.as_deref())
            .map_err(err)?;
    } else {
        app.sharing()
            .unshare(kind, &id, args.pair.as_deref())
            .map_err(err)?;
    }
    let shared_in = app.sharing().shared_in(&id).map_err(err)?;
    let out =
        json!({ "id": id, "shared": on, "shared_in": shared_in, "notice": SHARED_COPY_WARNING });
    let text = if on {
        format!("Shared. {SHARED_COPY_WARNING}")
    } else {
        format!("No longer shared from now on. {SHARED_COPY_WARNING}")
    };
    Ok(Reply::json(out, text))
}

/// `share clean-time` and `unshare clean-time`.
fn clean_time(app: &App, pair: Option<&str>, on: bool) -> Result<Reply, String> {
    let pair = app.pairs().resolve(pair).map_err(err)?;
    app.sharing()
        .share_clean_time(&pair.pair_id, on)
        .map_err(err)?;
    let out = json!({ "pair": pair.pair_id, "clean_time": on });
    let text = if on {
        "Your clean time is shown to the other side of the pair."
    } else {
        "Your clean time is no longer shown from now on."
    };
    Ok(Reply::json(out, text))
}

/// `value` as JSON with `shared_in` (the pairs it is shared in) and, when
/// shared, the `notice` that the mentor's phone may hold a copy; and that
/// notice as a line for people (empty when not shared).
pub fn with_sharing<T: Serialize>(
    app: &App,
    value: &T,
    id: &str,
) -> Result<(Value, String), String> {
    let mut v = serde_json::to_value(value).map_err(|e| e.to_string())?;
    let pairs = app.sharing().shared_in(id).map_err(err)?;
    let text = if pairs.is_empty() {
        String::new()
    } else {
        v["notice"] = json!(SHARED_COPY_WARNING);
        format!("\n  ({SHARED_COPY_WARNING})")
    };
    v["shared_in"] = json!(pairs);
    Ok((v, text))
}
