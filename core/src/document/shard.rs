//! Items keyed by their own id at a document's root.
//!
//! Used by the month shards (journal, cravings, check-ins), the goals
//! document and the tracks in the profile document.

use automerge::ROOT;
use autosurgeon::{Doc, Hydrate, ReadDoc, Reconcile};

use crate::error::Result;

/// Writes `item` at the root key `id`, creating or updating it field by field.
pub fn put<D: Doc, T: Reconcile>(doc: &mut D, id: &str, item: &T) -> Result<()> {
    autosurgeon::reconcile_prop(doc, ROOT, id, item)?;
    Ok(())
}

/// Reads the item at the root key `id`, if there is one.
pub fn get<D: ReadDoc + automerge::ReadDoc, T: Hydrate>(doc: &D, id: &str) -> Result<Option<T>> {
    if automerge::ReadDoc::get(doc, ROOT, id)?.is_none() {
        return Ok(None);
    }
    Ok(Some(autosurgeon::hydrate_prop(doc, &ROOT, id)?))
}

/// Every item at the root whose key is accepted by `is_item`, in key order.
pub fn all<D: ReadDoc + automerge::ReadDoc, T: Hydrate>(
    doc: &D,
    is_item: impl Fn(&str) -> bool,
) -> Result<Vec<T>> {
    let keys: Vec<String> = automerge::ReadDoc::keys(doc, ROOT)
        .filter(|k| is_item(k))
        .collect();
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        if let Some(item) = get(doc, &key)? {
            out.push(item);
        }
    }
    Ok(out)
}
