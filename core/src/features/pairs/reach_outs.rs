//! Reach-outs: a mentee's "I'm struggling right now", and the mentor's
//! acknowledgement.

use crate::document::{DocId, shard};
use crate::domain::pair::ReachOut;
use crate::error::{Error, Result};
use crate::id::new_id;
use crate::store::Store;

/// "I'm struggling right now": tops the mentor's overview until they
/// acknowledge it. Returns its id.
pub fn reach_out(store: &mut Store, pair: Option<&str>, text: &str) -> Result<String> {
    let pair = super::resolve(store, pair)?;
    let text = ReachOut::text(text)?;
    let doc = DocId::in_pair(&pair.pair_id, "reachouts");
    let r = ReachOut {
        id: new_id(),
        text,
        at_ms: store.now().timestamp_millis(),
        acknowledged_ms: None,
    };
    store.write_whole(&doc, |tx| shard::put(tx, &r.id, &r))?;
    Ok(r.id)
}

/// The mentor acknowledges a reach-out.
pub fn acknowledge(store: &mut Store, id: &str) -> Result<()> {
    let doc = store
        .reach_out_doc(id)?
        .ok_or_else(|| Error::not_found("reach-out", id))?;
    let doc = DocId::parse(&doc)?;
    let now_ms = store.now().timestamp_millis();
    store.write_whole(&doc, |tx| {
        let mut r: ReachOut =
            shard::get(tx, id)?.ok_or_else(|| Error::not_found("reach-out", id))?;
        if r.acknowledged_ms.is_none() {
            r.acknowledged_ms = Some(now_ms);
            shard::put(tx, id, &r)?;
        }
        Ok(())
    })
}
