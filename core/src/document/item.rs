//! Writing brand-new items in one pass.
//!
//! `autosurgeon`'s reconcile reads every field before writing it, which is
//! right for an edit (only changed fields become operations, so concurrent
//! edits of other fields survive) but wasted on an item whose id was just
//! made: nothing is there to read. The hot paths (a journal entry, a craving,
//! a check-in) are created here with plain puts instead. The shape is the
//! one `Reconcile` writes (checked by the tests below, value type by value
//! type), so the item reads back with `Hydrate` and later edits reconcile
//! against it as usual.

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ROOT, ScalarValue};

use crate::domain::checkin::CheckIn;
use crate::domain::craving::{CravingEntry, Outcome};
use crate::domain::journal::JournalEntry;
use crate::error::Result;

/// An item that can be written fresh at a new root key.
pub trait Create {
    /// The item's id: its key at the document root.
    fn id(&self) -> &str;
    /// Writes the item's fields into the empty map `obj`.
    fn fill<T: Transactable>(&self, tx: &mut T, obj: &ObjId) -> Result<()>;
}

/// Creates `item` as a new map at the root key `item.id()`.
pub fn create<T: Transactable, I: Create>(tx: &mut T, item: &I) -> Result<()> {
    let obj = tx.put_object(ROOT, item.id(), ObjType::Map)?;
    item.fill(tx, &obj)
}

fn labels<T: Transactable>(tx: &mut T, obj: &ObjId, key: &str, values: &[String]) -> Result<()> {
    let list = tx.put_object(obj, key, ObjType::List)?;
    for (i, v) in values.iter().enumerate() {
        tx.insert(&list, i, v.as_str())?;
    }
    Ok(())
}

fn opt_u8(v: Option<u8>) -> ScalarValue {
    v.map_or(ScalarValue::Null, |v| ScalarValue::Uint(u64::from(v)))
}

impl Create for JournalEntry {
    fn id(&self) -> &str {
        &self.id
    }

    fn fill<T: Transactable>(&self, tx: &mut T, obj: &ObjId) -> Result<()> {
        tx.put(obj, "id", self.id.as_str())?;
        tx.put(obj, "text", self.text.as_str())?;
        tx.put(obj, "mood", opt_u8(self.mood))?;
        labels(tx, obj, "tags", &self.tags)?;
        tx.put(obj, "created_ms", self.created_ms)?;
        tx.put(obj, "edited_ms", self.edited_ms)?;
        tx.put(obj, "tz", self.tz.as_str())?;
        tx.put(obj, "deleted", self.deleted)?;
        Ok(())
    }
}

impl Create for CravingEntry {
    fn id(&self) -> &str {
        &self.id
    }

    fn fill<T: Transactable>(&self, tx: &mut T, obj: &ObjId) -> Result<()> {
        tx.put(obj, "id", self.id.as_str())?;
        tx.put(obj, "at_ms", self.at_ms)?;
        tx.put(obj, "tz", self.tz.as_str())?;
        tx.put(obj, "trigger", self.trigger.as_str())?;
        tx.put(
            obj,
            "intensity",
            ScalarValue::Uint(u64::from(self.intensity)),
        )?;
        labels(tx, obj, "situation", &self.situation)?;
        labels(tx, obj, "helped", &self.helped)?;
        let outcome = match self.outcome {
            Some(Outcome::Resisted) => ScalarValue::Str("Resisted".into()),
            Some(Outcome::Used) => ScalarValue::Str("Used".into()),
            None => ScalarValue::Null,
        };
        tx.put(obj, "outcome", outcome)?;
        tx.put(obj, "note", self.note.as_str())?;
        tx.put(obj, "created_ms", self.created_ms)?;
        tx.put(obj, "deleted", self.deleted)?;
        Ok(())
    }
}

impl Create for CheckIn {
    fn id(&self) -> &str {
        &self.id
    }

    fn fill<T: Transactable>(&self, tx: &mut T, obj: &ObjId) -> Result<()> {
        tx.put(obj, "id", self.id.as_str())?;
        tx.put(obj, "day", self.day.format("%Y-%m-%d").to_string())?;
        tx.put(obj, "mood", ScalarValue::Uint(u64::from(self.mood)))?;
        tx.put(obj, "craving", ScalarValue::Uint(u64::from(self.craving)))?;
        tx.put(obj, "used", self.used)?;
        tx.put(obj, "note", self.note.as_str())?;
        tx.put(obj, "created_ms", self.created_ms)?;
        tx.put(obj, "edited_ms", self.edited_ms)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use automerge::{Automerge, ReadDoc};
    use chrono::NaiveDate;

    use super::*;
    use crate::document::shard;

    /// Creating an item here and reconciling it with autosurgeon give the
    /// same document content, scalar type by scalar type, and it reads back equal.
    fn same_shape<
        I: Create + autosurgeon::Reconcile + autosurgeon::Hydrate + PartialEq + std::fmt::Debug,
    >(
        item: &I,
    ) {
        let mut fast = Automerge::new();
        let mut tx = fast.transaction();
        create(&mut tx, item).unwrap();
        tx.commit();
        let mut slow = Automerge::new();
        let mut tx = slow.transaction();
        shard::put(&mut tx, item.id(), item).unwrap();
        tx.commit();
        assert_eq!(
            ReadDoc::hydrate(&fast, ROOT, None).unwrap(),
            ReadDoc::hydrate(&slow, ROOT, None).unwrap()
        );
        assert_eq!(
            shard::get::<_, I>(&fast, item.id()).unwrap().as_ref(),
            Some(item)
        );
    }

    #[test]
    fn fast_creation_matches_reconcile() {
        let mut j = JournalEntry {
            id: "a".repeat(32),
            text: "text".into(),
            mood: Some(4),
            tags: vec!["x".into(), "y".into()],
            created_ms: 1,
            edited_ms: 2,
            tz: "UTC".into(),
            deleted: false,
        };
        same_shape(&j);
        j.mood = None;
        j.tags.clear();
        same_shape(&j);
        let mut c = CravingEntry {
            id: "b".repeat(32),
            at_ms: 5,
            tz: "Europe/Berlin".into(),
            trigger: "payday".into(),
            intensity: 10,
            situation: vec!["home".into()],
            helped: vec![],
            outcome: Some(Outcome::Resisted),
            note: String::new(),
            created_ms: 6,
            deleted: false,
        };
        same_shape(&c);
        c.outcome = Some(Outcome::Used);
        same_shape(&c);
        c.outcome = None;
        same_shape(&c);
        same_shape(&CheckIn {
            id: "c".repeat(32),
            day: NaiveDate::from_ymd_opt(2026, 2, 3).unwrap(),
            mood: 1,
            craving: 0,
            used: true,
            note: "n".into(),
            created_ms: 1,
            edited_ms: 3,
        });
    }
}
