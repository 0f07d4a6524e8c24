//! A pair's `meetings` document: schedules, marks, requests to reschedule
//! and one note per meeting, each at the root under a key of its own.
//!
//! | key              | holds                                               |
//! |------------------|-----------------------------------------------------|
//! | `plan.<id>`      | a [`Plan`] (scalars, so edits merge field by field) |
//! | `mark.<id>`      | a [`Mark`]: one person's mark on one meeting        |
//! | `ask.<id>`       | an [`Ask`]: a request to reschedule one meeting     |
//! | `note.<meeting>` | the meeting's shared note (automerge Text)          |
//!
//! Marks and asks are items of their own, so what the two people write at
//! once never overwrites the other. A meeting's note is created by whoever
//! writes first; if both create it at once the key holds two Text objects
//! (an automerge conflict): reading shows both texts, and the next edit puts
//! one Text holding what that person saw and changed, so nothing written is
//! lost. Once a note exists every edit is a character-level difference
//! ([`Transactable::update_text`]), so the two people's edits merge.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{ObjType, ROOT, ReadDoc, Value};
use serde::{Deserialize, Serialize};

use crate::domain::meeting::{Ask, Mark, Plan};
use crate::error::Result;
use crate::id::is_well_formed;

/// Everything a `meetings` document holds, read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meetings {
    /// Schedules by id (removed ones too).
    pub plans: BTreeMap<String, Plan>,
    /// Every mark.
    pub marks: Vec<Mark>,
    /// Every request to reschedule.
    pub asks: Vec<Ask>,
    /// Each meeting's note by meeting id.
    pub notes: BTreeMap<String, String>,
}

/// Writes a plan (new, or edited field by field).
pub fn put_plan<D: autosurgeon::Doc>(doc: &mut D, plan: &Plan) -> Result<()> {
    autosurgeon::reconcile_prop(doc, ROOT, format!("plan.{}", plan.id).as_str(), plan)?;
    Ok(())
}

/// Adds a mark.
pub fn put_mark<D: autosurgeon::Doc>(doc: &mut D, mark: &Mark) -> Result<()> {
    autosurgeon::reconcile_prop(doc, ROOT, format!("mark.{}", mark.id).as_str(), mark)?;
    Ok(())
}

/// Adds a request to reschedule.
pub fn put_ask<D: autosurgeon::Doc>(doc: &mut D, ask: &Ask) -> Result<()> {
    autosurgeon::reconcile_prop(doc, ROOT, format!("ask.{}", ask.id).as_str(), ask)?;
    Ok(())
}

/// Sets the note of `meeting` to `text`: a character-level difference from
/// the note as it stands, or (new note, or two created at once) one Text
/// holding `text`.
pub fn set_note<T: Transactable + ReadDoc>(tx: &mut T, meeting: &str, text: &str) -> Result<()> {
    let key = format!("note.{meeting}");
    let texts: Vec<automerge::ObjId> = tx
        .get_all(ROOT, key.as_str())?
        .into_iter()
        .filter_map(|(v, id)| matches!(v, Value::Object(ObjType::Text)).then_some(id))
        .collect();
    match texts.as_slice() {
        [one] => tx.update_text(one, text)?,
        _ => {
            let obj = tx.put_object(ROOT, key.as_str(), ObjType::Text)?;
            tx.splice_text(&obj, 0, 0, text)?;
        }
    }
    Ok(())
}

/// The note of `meeting` as shown: its text, or the texts of notes created
/// at once, each once, in the order every device sees them.
pub fn note<D: ReadDoc>(doc: &D, meeting: &str) -> Result<Option<String>> {
    let key = format!("note.{meeting}");
    let mut texts: Vec<String> = Vec::new();
    for (value, id) in doc.get_all(ROOT, key.as_str())? {
        if matches!(value, Value::Object(ObjType::Text)) {
            let t = doc.text(&id)?;
            if !texts.contains(&t) {
                texts.push(t);
            }
        }
    }
    Ok((!texts.is_empty()).then(|| texts.join("\n\n")))
}

/// Reads the whole document. Items that do not read (written by a newer or
/// a hostile build) are skipped: one bad item hides itself, not the rest.
pub fn read<D: ReadDoc + autosurgeon::ReadDoc>(doc: &D) -> Result<Meetings> {
    let mut out = Meetings::default();
    let keys: Vec<String> = ReadDoc::keys(doc, ROOT).collect();
    for key in keys {
        let Some((kind, id)) = key.split_once('.') else {
            continue;
        };
        match kind {
            "plan" if is_well_formed(id) => {
                if let Ok(p) = autosurgeon::hydrate_prop::<_, Plan, _, _>(doc, &ROOT, key.as_str())
                    && p.id == id
                {
                    out.plans.insert(p.id.clone(), p);
                }
            }
            "mark" if is_well_formed(id) => {
                if let Ok(m) = autosurgeon::hydrate_prop::<_, Mark, _, _>(doc, &ROOT, key.as_str())
                {
                    out.marks.push(m);
                }
            }
            "ask" if is_well_formed(id) => {
                if let Ok(a) = autosurgeon::hydrate_prop::<_, Ask, _, _>(doc, &ROOT, key.as_str()) {
                    out.asks.push(a);
                }
            }
            "note" => {
                if let Some(text) = note(doc, id)? {
                    out.notes.insert(id.to_owned(), text);
                }
            }
            _ => {}
        }
    }
    out.marks
        .sort_by(|a, b| (a.at_ms, &a.id).cmp(&(b.at_ms, &b.id)));
    out.asks
        .sort_by(|a, b| (a.at_ms, &a.id).cmp(&(b.at_ms, &b.id)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::{ActorId, Automerge};

    fn fork(doc: &mut Automerge, actor: u8) -> Automerge {
        doc.fork().with_actor(ActorId::from(vec![actor; 16]))
    }

    fn write(doc: &mut Automerge, f: impl FnOnce(&mut automerge::transaction::Transaction<'_>)) {
        let mut tx = doc.transaction();
        f(&mut tx);
        tx.commit();
    }

    #[test]
    fn concurrent_edits_of_a_meeting_note_merge() {
        let mut a = Automerge::new().with_actor(ActorId::from(vec![1; 16]));
        write(&mut a, |tx| {
            set_note(tx, "m", "We talked about the weekend.").unwrap()
        });
        let mut b = fork(&mut a, 2);
        write(&mut a, |tx| {
            set_note(tx, "m", "We talked about the weekend.\nNext: call Sam.").unwrap()
        });
        write(&mut b, |tx| {
            set_note(tx, "m", "We talked about the long weekend.").unwrap()
        });
        a.merge(&mut b).unwrap();
        b.merge(&mut a).unwrap();
        let want = "We talked about the long weekend.\nNext: call Sam.";
        assert_eq!(note(&a, "m").unwrap().as_deref(), Some(want));
        assert_eq!(note(&b, "m").unwrap().as_deref(), Some(want));
    }

    #[test]
    fn two_notes_created_at_once_are_both_kept_until_one_edit_joins_them() {
        let mut a = Automerge::new().with_actor(ActorId::from(vec![1; 16]));
        let mut b = fork(&mut a, 2);
        write(&mut a, |tx| {
            set_note(tx, "m", "Held it at the café.").unwrap()
        });
        write(&mut b, |tx| {
            set_note(tx, "m", "Good talk about work.").unwrap()
        });
        a.merge(&mut b).unwrap();
        b.merge(&mut a).unwrap();
        let shown = note(&a, "m").unwrap().unwrap();
        assert!(shown.contains("Held it at the café.") && shown.contains("Good talk about work."));
        assert_eq!(note(&b, "m").unwrap().unwrap(), shown);
        // The next edit starts from what was shown, and the conflict is gone.
        write(&mut b, |tx| {
            set_note(tx, "m", &format!("{shown}\nAgreed.")).unwrap()
        });
        a.merge(&mut b).unwrap();
        assert_eq!(note(&a, "m").unwrap().unwrap(), format!("{shown}\nAgreed."));
        assert_eq!(a.get_all(ROOT, "note.m").unwrap().len(), 1);
    }

    #[test]
    fn concurrent_marks_are_both_kept_and_a_bad_item_hides_only_itself() {
        let mut a = Automerge::new().with_actor(ActorId::from(vec![1; 16]));
        let mut b = fork(&mut a, 2);
        let mark = |by: &str, status: &str| Mark {
            id: crate::id::new_id(),
            meeting: "m".into(),
            status: status.into(),
            moved_to_ms: None,
            by: by.into(),
            at_ms: 5,
        };
        write(&mut a, |tx| put_mark(tx, &mark("mentee", "held")).unwrap());
        write(&mut b, |tx| {
            put_mark(tx, &mark("mentor", "missed")).unwrap()
        });
        write(&mut b, |tx| {
            tx.put(ROOT, format!("plan.{}", crate::id::new_id()), "garbage")
                .unwrap();
        });
        a.merge(&mut b).unwrap();
        let read = read(&a).unwrap();
        assert_eq!(read.marks.len(), 2);
        assert!(read.plans.is_empty());
        let o = crate::domain::meeting::outcome(&read.marks);
        assert_eq!(
            o.status,
            Some(crate::domain::meeting::MeetingStatus::Conflict)
        );
    }
}
