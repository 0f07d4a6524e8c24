//! A shared note's document: `title` (a scalar), `body` (automerge Text),
//! `created_ms`, `edited_ms` and `deleted`.
//!
//! Only the device that creates a note creates its `body` Text object, in the
//! note's first change; every later edit on any device changes that one
//! object. A whole new body given by a caller is applied as the
//! character-level difference from the current text (`update_text`), so two
//! people's concurrent edits both survive.

use automerge::transaction::Transactable;
use automerge::{ObjType, ROOT, ReadDoc, ScalarValue, Value};

use crate::domain::note::SharedNote;
use crate::error::{Error, Result};

/// Writes the first change of a new note.
pub fn create<T: Transactable>(tx: &mut T, title: &str, body: &str, now_ms: i64) -> Result<()> {
    tx.put(ROOT, "title", title)?;
    let text = tx.put_object(ROOT, "body", ObjType::Text)?;
    tx.splice_text(&text, 0, 0, body)?;
    tx.put(ROOT, "created_ms", now_ms)?;
    tx.put(ROOT, "edited_ms", now_ms)?;
    tx.put(ROOT, "deleted", false)?;
    Ok(())
}

/// Replaces the body with `body`, as a character-level difference.
pub fn set_body<T: Transactable + ReadDoc>(tx: &mut T, body: &str, now_ms: i64) -> Result<()> {
    let text = body_obj(tx)?;
    tx.update_text(&text, body)?;
    tx.put(ROOT, "edited_ms", now_ms)?;
    Ok(())
}

/// Changes the title.
pub fn set_title<T: Transactable>(tx: &mut T, title: &str, now_ms: i64) -> Result<()> {
    tx.put(ROOT, "title", title)?;
    tx.put(ROOT, "edited_ms", now_ms)?;
    Ok(())
}

/// Marks the note deleted and empties its body and title from the current state.
pub fn delete<T: Transactable + ReadDoc>(tx: &mut T, now_ms: i64) -> Result<()> {
    let text = body_obj(tx)?;
    tx.update_text(&text, "")?;
    tx.put(ROOT, "title", "")?;
    tx.put(ROOT, "deleted", true)?;
    tx.put(ROOT, "edited_ms", now_ms)?;
    Ok(())
}

/// Reads the note out of its document; `None` if the document holds no note yet.
pub fn read<D: ReadDoc>(doc: &D, id: &str) -> Result<Option<SharedNote>> {
    let Ok(text) = body_obj(doc) else {
        return Ok(None);
    };
    Ok(Some(SharedNote {
        id: id.to_owned(),
        title: scalar_str(doc, "title")?.unwrap_or_default(),
        body: doc.text(&text)?,
        created_ms: scalar_i64(doc, "created_ms")?.unwrap_or(0),
        edited_ms: scalar_i64(doc, "edited_ms")?.unwrap_or(0),
        deleted: matches!(doc.get(ROOT, "deleted")?, Some((Value::Scalar(s), _)) if matches!(s.as_ref(), ScalarValue::Boolean(true))),
    }))
}

fn body_obj<D: ReadDoc>(doc: &D) -> Result<automerge::ObjId> {
    match doc.get(ROOT, "body")? {
        Some((Value::Object(ObjType::Text), id)) => Ok(id),
        _ => Err(Error::CorruptDocument {
            doc_id: "note".into(),
            reason: "the note has no text body".into(),
        }),
    }
}

fn scalar_str<D: ReadDoc>(doc: &D, key: &str) -> Result<Option<String>> {
    Ok(match doc.get(ROOT, key)? {
        Some((Value::Scalar(s), _)) => s.as_str().map(str::to_owned),
        _ => None,
    })
}

fn scalar_i64<D: ReadDoc>(doc: &D, key: &str) -> Result<Option<i64>> {
    Ok(match doc.get(ROOT, key)? {
        Some((Value::Scalar(s), _)) => s.as_i64(),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::{ActorId, Automerge};

    fn doc(actor: u8) -> Automerge {
        Automerge::new().with_actor(ActorId::from(vec![actor; 16]))
    }

    #[test]
    fn concurrent_edits_merge_character_by_character() {
        let mut a = doc(1);
        let mut tx = a.transaction();
        create(&mut tx, "Plan", "Call Sam when it gets hard.", 1).unwrap();
        tx.commit();
        let mut b = a.fork().with_actor(ActorId::from(vec![2; 16]));

        // Offline: A adds a line at the start, B fixes a word at the end.
        let mut tx = a.transaction();
        set_body(
            &mut tx,
            "Leave the party early.\nCall Sam when it gets hard.",
            2,
        )
        .unwrap();
        tx.commit();
        let mut tx = b.transaction();
        set_body(&mut tx, "Call Sam when it gets really hard.", 3).unwrap();
        tx.commit();

        a.merge(&mut b).unwrap();
        b.merge(&mut a).unwrap();
        let na = read(&a, "n").unwrap().unwrap();
        let nb = read(&b, "n").unwrap().unwrap();
        assert_eq!(
            na.body,
            "Leave the party early.\nCall Sam when it gets really hard."
        );
        assert_eq!(na, nb);
    }

    #[test]
    fn delete_empties_and_marks() {
        let mut a = doc(1);
        let mut tx = a.transaction();
        create(&mut tx, "Plan", "secret", 1).unwrap();
        tx.commit();
        let mut tx = a.transaction();
        delete(&mut tx, 2).unwrap();
        tx.commit();
        let n = read(&a, "n").unwrap().unwrap();
        assert!(n.deleted);
        assert_eq!(n.body, "");
        assert!(read(&Automerge::new(), "n").unwrap().is_none());
    }
}
