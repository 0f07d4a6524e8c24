//! The person's actions on their store: one method per thing a screen can do.
//! Each write is one automerge change plus its read-model rows, committed together.

use chrono::NaiveDate;

use super::{DayCounts, Page, Store, projection, read};
use crate::clean_time::local_date;
use crate::document::{self, DocId, item, profile_keys, shard};
use crate::domain::checkin::{CheckIn, CheckInInput};
use crate::domain::craving::{CravingEntry, CravingInput};
use crate::domain::goal::{Goal, GoalInput, GoalStatus};
use crate::domain::insights::Insights;
use crate::domain::journal::{JournalEntry, JournalInput};
use crate::domain::note::{self, SharedNote};
use crate::domain::person::{Person, parse_timezone};
use crate::domain::track::{Track, TrackStats};
use crate::error::{Error, Result};
use crate::export::{Export, ImportSummary};
use crate::id::{is_well_formed, new_id};

fn check_id(kind: &'static str, id: &str) -> Result<()> {
    if is_well_formed(id) {
        Ok(())
    } else {
        Err(Error::not_found(kind, id))
    }
}

impl Store {
    /// Sets up this device for a new person. Fails if it already holds one.
    pub fn init(&mut self, name: &str, timezone: &str) -> Result<Person> {
        let person = Person::new(name, timezone)?;
        if read::person(&self.conn)?.is_some() {
            return Err(Error::AlreadyInitialized);
        }
        let doc_id = DocId::profile();
        self.write(
            &doc_id,
            |tx| {
                shard::put(tx, profile_keys::NAME, &person.name)?;
                shard::put(tx, profile_keys::TIMEZONE, &person.timezone)?;
                Ok(person)
            },
            projection::person,
        )
    }

    /// The person on this device.
    pub fn person(&self) -> Result<Person> {
        read::person(&self.conn)?.ok_or(Error::NotInitialized)
    }

    /// Changes the person's time zone (after a move, or on a trip).
    pub fn set_timezone(&mut self, timezone: &str) -> Result<Person> {
        let mut person = self.person()?;
        person.timezone = parse_timezone(timezone)?.name().to_owned();
        self.write(
            &DocId::profile(),
            |tx| {
                shard::put(tx, profile_keys::TIMEZONE, &person.timezone)?;
                Ok(person)
            },
            projection::person,
        )
    }

    /// The person's local date now.
    pub fn today_date(&self) -> Result<NaiveDate> {
        Ok(local_date(self.now(), self.person()?.tz()))
    }

    /// Adds a recovery track starting on `since` (backdating allowed).
    pub fn add_track(&mut self, name: &str, since: NaiveDate) -> Result<TrackStats> {
        let today = self.today_date()?;
        let track = Track::new(new_id(), name, since, today, self.now().timestamp_millis())?;
        let track = self.write(
            &DocId::profile(),
            |tx| {
                shard::put(tx, &track.id, &track)?;
                Ok(track)
            },
            projection::track,
        )?;
        Ok(track.stats(today))
    }

    /// Records a relapse or reset of a track: a new start on `date`. History is kept.
    pub fn reset_track(&mut self, id: &str, date: NaiveDate, note: &str) -> Result<TrackStats> {
        check_id("track", id)?;
        let today = self.today_date()?;
        let now_ms = self.now().timestamp_millis();
        let doc_id = DocId::profile();
        let track = self.write(
            &doc_id,
            |tx| {
                let mut track: Track = shard::get(tx, id)?
                    .filter(|t: &Track| !t.deleted)
                    .ok_or_else(|| Error::not_found("track", id))?;
                let mut reset = track.check_reset(date, note, today)?;
                reset.recorded_ms = now_ms;
                track.resets.insert(new_id(), reset);
                shard::put(tx, id, &track)?;
                Ok(track)
            },
            projection::track,
        )?;
        Ok(track.stats(today))
    }

    /// Every track with today's numbers.
    pub fn tracks(&self) -> Result<Vec<TrackStats>> {
        self.tracks_on(self.today_date()?)
    }

    /// Every track with its numbers on the local day `date`.
    pub fn tracks_on(&self, date: NaiveDate) -> Result<Vec<TrackStats>> {
        Ok(read::tracks(&self.conn)?
            .iter()
            .map(|t| t.stats(date))
            .collect())
    }

    /// Today's check-in, if the person made one on `date`.
    pub fn checkin_on(&self, date: NaiveDate) -> Result<Option<CheckIn>> {
        Ok(read::checkin_for_day(&self.conn, date)?.map(|(c, _)| c))
    }

    /// How many journal entries were written and cravings logged on the
    /// local day `date`.
    pub fn counts_on(&self, date: NaiveDate) -> Result<DayCounts> {
        let (journal, cravings) = read::counts_on(&self.conn, date)?;
        Ok(DayCounts { journal, cravings })
    }

    /// How many goals are being worked on.
    pub fn active_goal_count(&self) -> Result<u32> {
        Ok(self
            .conn
            .prepare_cached("SELECT COUNT(*) FROM goals WHERE status = 'active'")?
            .query_row([], |r| r.get(0))?)
    }

    /// Writes a journal entry.
    pub fn add_journal(&mut self, input: JournalInput) -> Result<JournalEntry> {
        let fields = input.validate()?;
        let person = self.person()?;
        let now = self.now();
        let entry = JournalEntry {
            id: new_id(),
            text: fields.text,
            mood: fields.mood,
            tags: fields.tags,
            created_ms: now.timestamp_millis(),
            edited_ms: now.timestamp_millis(),
            tz: person.timezone.clone(),
            deleted: false,
        };
        let doc_id = DocId::journal(local_date(now, person.tz()));
        self.write(
            &doc_id,
            |tx| {
                item::create(tx, &entry)?;
                Ok(entry)
            },
            |sql, e| projection::journal(sql, &doc_id, e),
        )
    }

    /// One page of the journal, newest first.
    pub fn journal_page(&self, page: &Page) -> Result<Vec<JournalEntry>> {
        read::journal_page(&self.conn, page)
    }

    /// One journal entry.
    pub fn journal_entry(&self, id: &str) -> Result<JournalEntry> {
        Ok(read::journal(&self.conn, id)?
            .ok_or_else(|| Error::not_found("journal entry", id))?
            .0)
    }

    /// Edits a journal entry: `input` replaces its text, and its mood and tags when given.
    pub fn edit_journal(&mut self, id: &str, input: JournalInput) -> Result<JournalEntry> {
        let fields = input.validate()?;
        self.update_journal(id, |e| {
            e.text = fields.text;
            if fields.mood.is_some() {
                e.mood = fields.mood;
            }
            if !fields.tags.is_empty() {
                e.tags = fields.tags;
            }
        })
    }

    /// Deletes a journal entry: a tombstone that empties its text and hides it everywhere.
    pub fn delete_journal(&mut self, id: &str) -> Result<()> {
        self.update_journal(id, |e| {
            e.text.clear();
            e.tags.clear();
            e.mood = None;
            e.deleted = true;
        })?;
        Ok(())
    }

    /// Changes one journal entry inside its document, stamps the edit and
    /// re-projects it.
    fn update_journal(
        &mut self,
        id: &str,
        f: impl FnOnce(&mut JournalEntry),
    ) -> Result<JournalEntry> {
        let (_, doc) =
            read::journal(&self.conn, id)?.ok_or_else(|| Error::not_found("journal entry", id))?;
        let doc_id = DocId::parse(&doc)?;
        let now_ms = self.now().timestamp_millis();
        self.write(
            &doc_id,
            |tx| {
                let mut e: JournalEntry =
                    shard::get(tx, id)?.ok_or_else(|| Error::not_found("journal entry", id))?;
                f(&mut e);
                e.edited_ms = now_ms;
                shard::put(tx, id, &e)?;
                Ok(e)
            },
            |sql, e| projection::journal(sql, &doc_id, e),
        )
    }

    /// Logs a craving (possibly after the fact).
    pub fn add_craving(&mut self, input: CravingInput) -> Result<CravingEntry> {
        let person = self.person()?;
        let entry = input.into_entry(new_id(), self.now(), &person.timezone)?;
        let (day, _) = projection::local_parts(entry.at_ms, &entry.tz);
        let doc_id = DocId::cravings(day);
        self.write(
            &doc_id,
            |tx| {
                item::create(tx, &entry)?;
                Ok(entry)
            },
            |sql, c| projection::craving(sql, &doc_id, c),
        )
    }

    /// One page of the craving log, newest first.
    pub fn cravings_page(&self, page: &Page) -> Result<Vec<CravingEntry>> {
        read::cravings_page(&self.conn, page)
    }

    /// One craving.
    pub fn craving(&self, id: &str) -> Result<CravingEntry> {
        Ok(read::craving(&self.conn, id)?
            .ok_or_else(|| Error::not_found("craving", id))?
            .0)
    }

    /// Deletes a craving (tombstone; its content is emptied).
    pub fn delete_craving(&mut self, id: &str) -> Result<()> {
        let (_, doc) =
            read::craving(&self.conn, id)?.ok_or_else(|| Error::not_found("craving", id))?;
        let doc_id = DocId::parse(&doc)?;
        self.write(
            &doc_id,
            |tx| {
                let mut c: CravingEntry =
                    shard::get(tx, id)?.ok_or_else(|| Error::not_found("craving", id))?;
                c.trigger.clear();
                c.note.clear();
                c.situation.clear();
                c.helped.clear();
                c.deleted = true;
                shard::put(tx, id, &c)?;
                Ok(c)
            },
            |sql, c| projection::craving(sql, &doc_id, c),
        )?;
        Ok(())
    }

    /// Saves today's check-in: creates it, or edits the one already made today.
    pub fn check_in(&mut self, input: CheckInInput) -> Result<CheckIn> {
        let (mood, craving, used, note) = input.validate()?;
        let today = self.today_date()?;
        let now_ms = self.now().timestamp_millis();
        let existing = read::checkin_for_day(&self.conn, today)?;
        let doc_id = DocId::checkins(today);
        let (id, created_ms) = match &existing {
            Some((c, _)) => (c.id.clone(), c.created_ms),
            None => (new_id(), now_ms),
        };
        let checkin = CheckIn {
            id,
            day: today,
            mood,
            craving,
            used,
            note,
            created_ms,
            edited_ms: now_ms,
        };
        self.write(
            &doc_id,
            |tx| {
                if existing.is_some() {
                    shard::put(tx, &checkin.id, &checkin)?;
                } else {
                    item::create(tx, &checkin)?;
                }
                Ok(checkin)
            },
            |sql, c| projection::checkin(sql, &doc_id, c),
        )
    }

    /// Adds a goal.
    pub fn add_goal(&mut self, input: GoalInput) -> Result<Goal> {
        let goal = input.into_goal(new_id(), self.now().timestamp_millis())?;
        let doc_id = DocId::goals();
        self.write(
            &doc_id,
            |tx| {
                shard::put(tx, &goal.id, &goal)?;
                Ok(goal)
            },
            |sql, g| projection::goal(sql, &doc_id, g),
        )
    }

    /// The goals of one goals document (a pair's, for the mentor's overview).
    pub(crate) fn goals_of_doc(&self, doc_id: &str) -> Result<Vec<Goal>> {
        read::goals_of_doc(&self.conn, doc_id)
    }

    /// Every goal, oldest first.
    pub fn goals(&self) -> Result<Vec<Goal>> {
        read::goals(&self.conn)
    }

    /// Changes one goal inside the goals document and re-projects it.
    fn update_goal(
        &mut self,
        id: &str,
        f: impl FnOnce(&mut Goal, i64) -> Result<()>,
    ) -> Result<Goal> {
        check_id("goal", id)?;
        let now_ms = self.now().timestamp_millis();
        let doc_id = match read::goal_doc(&self.conn, id)? {
            Some(d) => DocId::parse(&d)?,
            None => return Err(Error::not_found("goal", id)),
        };
        self.write(
            &doc_id,
            |tx| {
                let mut g: Goal = shard::get(tx, id)?
                    .filter(|g: &Goal| !g.deleted)
                    .ok_or_else(|| Error::not_found("goal", id))?;
                f(&mut g, now_ms)?;
                g.edited_ms = now_ms;
                shard::put(tx, id, &g)?;
                Ok(g)
            },
            |sql, g| projection::goal(sql, &doc_id, g),
        )
    }

    /// Sets a goal's status (done, dropped, or active again).
    pub fn set_goal_status(&mut self, id: &str, status: GoalStatus) -> Result<Goal> {
        self.update_goal(id, |g, _| {
            g.status = status;
            Ok(())
        })
    }

    /// Adds a milestone to a goal; returns the goal and the new milestone's id.
    pub fn add_milestone(&mut self, goal_id: &str, title: &str) -> Result<(Goal, String)> {
        let mut milestone = Goal::new_milestone(title, self.now().timestamp_millis())?;
        let mid = new_id();
        let goal = self.update_goal(goal_id, |g, _| {
            milestone.position = g
                .milestones
                .values()
                .map(|m| m.position + 1)
                .max()
                .unwrap_or(0);
            g.milestones.insert(mid.clone(), milestone);
            Ok(())
        })?;
        Ok((goal, mid))
    }

    /// Marks a milestone done or not done.
    pub fn set_milestone_done(
        &mut self,
        goal_id: &str,
        milestone_id: &str,
        done: bool,
    ) -> Result<Goal> {
        self.update_goal(goal_id, |g, now_ms| {
            let m = g
                .milestones
                .get_mut(milestone_id)
                .ok_or_else(|| Error::not_found("milestone", milestone_id))?;
            m.done = done;
            m.done_ms = done.then_some(now_ms);
            Ok(())
        })
    }

    /// Creates a note in the private space (its own document; the body is
    /// automerge Text).
    pub fn create_note(&mut self, title: &str, body: &str) -> Result<SharedNote> {
        self.create_note_in(None, title, body)
    }

    /// Creates a note in the pair space `pair` (both people can edit it) or,
    /// with `None`, in the private space.
    pub fn create_note_in(
        &mut self,
        pair: Option<&str>,
        title: &str,
        body: &str,
    ) -> Result<SharedNote> {
        let title = note::title(title)?;
        let body = note::body(body)?;
        let id = new_id();
        let doc_id = match pair {
            None => DocId::note(&id),
            Some(space) => DocId::in_pair(space, &format!("note/{id}")),
        };
        let now_ms = self.now().timestamp_millis();
        self.write(
            &doc_id,
            |tx| {
                document::note::create(tx, &title, &body, now_ms)?;
                Ok(SharedNote {
                    id: id.clone(),
                    title,
                    body,
                    created_ms: now_ms,
                    edited_ms: now_ms,
                    deleted: false,
                })
            },
            |sql, n| projection::note(sql, &doc_id, n),
        )
    }

    /// Replaces a note's body; applied as a character-level difference so
    /// that concurrent edits by the other person survive.
    pub fn edit_note(&mut self, id: &str, body: &str) -> Result<SharedNote> {
        check_id("note", id)?;
        let body = note::body(body)?;
        let doc_id = match read::note_doc(&self.conn, id)? {
            Some(d) => DocId::parse(&d)?,
            None => return Err(Error::not_found("note", id)),
        };
        let now_ms = self.now().timestamp_millis();
        self.write(
            &doc_id,
            |tx| {
                document::note::set_body(tx, &body, now_ms)?;
                document::note::read(tx, id)?.ok_or_else(|| Error::not_found("note", id))
            },
            |sql, n| projection::note(sql, &doc_id, n),
        )
    }

    /// One shared note.
    pub fn note(&self, id: &str) -> Result<SharedNote> {
        read::note(&self.conn, id)?.ok_or_else(|| Error::not_found("note", id))
    }

    /// Every shared note, most recently edited first.
    pub fn notes(&self) -> Result<Vec<SharedNote>> {
        read::notes(&self.conn)
    }

    /// Insights over the last `days` local days (today included).
    pub fn insights(&self, days: u32) -> Result<Insights> {
        if days == 0 || days > 3660 {
            return Err(Error::invalid("days", "must be between 1 and 3660"));
        }
        let to = self.today_date()?;
        let from = to - chrono::Days::new(u64::from(days - 1));
        let cravings = read::craving_points(&self.conn, from, to)?;
        let moods = read::mood_points(&self.conn, from, to)?;
        Ok(Insights::compute(from, to, &cravings, &moods))
    }

    /// Everything on this device, read from the documents themselves.
    pub fn export(&mut self) -> Result<Export> {
        let person = self.person()?;
        let mut out = Export::new(person, self.now().timestamp_millis());
        for doc_id in self.doc_ids()? {
            let kind = doc_id.kind()?;
            let doc = self.doc(&doc_id)?;
            out.add_document(&doc_id, kind, doc)?;
        }
        out.sort();
        Ok(out)
    }

    /// Restores an export into this fresh store, in one transaction: the
    /// documents are rebuilt whole and projected, so the read model is the
    /// one the exporting device had. A store that already holds a person is
    /// refused ([`Error::AlreadyInitialized`]) and left as it was.
    pub fn import(&mut self, export: &Export) -> Result<ImportSummary> {
        let docs = export.decoded_documents()?;
        if read::person(&self.conn)?.is_some() {
            return Err(Error::AlreadyInitialized);
        }
        let batch = docs
            .iter()
            .map(|(id, doc)| {
                let changes = doc
                    .get_changes(&[])
                    .into_iter()
                    .map(|c| c.raw_bytes().to_vec())
                    .collect();
                (id.clone(), changes)
            })
            .collect();
        let changes = self.apply_batch(batch, |_| Ok(()))?;
        self.person()?;
        Ok(ImportSummary {
            documents: docs.len(),
            changes,
        })
    }
}
