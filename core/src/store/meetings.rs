//! A pair's meetings as the read model has them.

use rusqlite::OptionalExtension;

use super::Store;
use crate::document::DocId;
use crate::document::meetings::Meetings;
use crate::error::Result;

impl Store {
    /// Everything the `meetings` document of `pair` holds (empty before
    /// anyone scheduled a meeting).
    pub fn meetings(&self, pair: &str) -> Result<Meetings> {
        let body: Option<String> = self
            .conn
            .query_row(
                "SELECT body FROM meetings WHERE doc_id = ?1",
                [DocId::in_pair(pair, "meetings").as_str()],
                |r| r.get(0),
            )
            .optional()?;
        Ok(match body {
            Some(b) => serde_json::from_str(&b)?,
            None => Meetings::default(),
        })
    }
}
