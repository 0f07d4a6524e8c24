//! A pull answer streamed in chunks as it is read.
//!
//! A pull may ask for 10,000 records per space (about 5.5 MB of JSON) from up
//! to 200 spaces. Reading the whole page and then writing its JSON held the
//! page two or three times over, in large blocks the C allocator then kept
//! for good. Here records are read [`CHUNK`] at a time and each chunk is
//! written as JSON and handed to the connection as it is ready: the client
//! starts receiving while the server is still reading. Pieces are gathered up
//! to 64 KiB before being sent, so the usual small pull is still one body
//! with a length.
//!
//! The three stages overlap, each on its own task: the database reads chunk
//! k+2 while this process encodes chunk k+1 and the connection sends chunk k.
//! Run one after the other they left the database idle two thirds of the
//! time. A pull so holds at most four chunks (one read ahead, one being
//! encoded, one queued, one being sent), however many records it carries, and
//! a client that stops reading stops the reading there.
//!
//! Each chunk is its own short read, so no read transaction stays open while a
//! slow client drains the answer. Records only ever follow the last one sent
//! (`seq` grows), so chunks join without gaps or repeats; a space's `more`,
//! `head_seq` and `epoch` come from its last chunk. The bytes are exactly
//! those of [`PullResponse`](tandem_protocol::PullResponse): a test compares
//! them. A failure after the first chunk can only cut the answer short; the
//! client sees a broken body and pulls again from its cursor.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::error::{ApiError, ApiResult};
use crate::storage::{Page, Record, Storage, StorageResult};

/// Records read and sent at a time (about 550 KB of JSON for typical records).
pub const CHUNK: u32 = 1024;

/// Pieces smaller than this are gathered into one before being sent.
const GATHER_BYTES: usize = 64 * 1024;

/// Where the chunks of a pull come from: the storage (or a stand-in in tests).
pub trait Chunks: Clone + Send + Sync + 'static {
    /// Up to `limit` records of `space` after `after`, as
    /// [`Storage::pull`] gives them.
    fn read(
        &self,
        space: String,
        after: i64,
        limit: u32,
    ) -> BoxFuture<'static, StorageResult<Page>>;
}

impl Chunks for Arc<dyn Storage> {
    fn read(
        &self,
        space: String,
        after: i64,
        limit: u32,
    ) -> BoxFuture<'static, StorageResult<Page>> {
        let storage = Arc::clone(self);
        Box::pin(async move { storage.pull(&space, after, limit).await })
    }
}

/// Answers a pull of `cursors` (space, last `seq` seen), at most `limit`
/// records per space. Membership must have been checked. The first chunk is
/// read before answering, so that a failure there is still a clean error.
pub async fn respond<C: Chunks>(
    chunks: C,
    cursors: Vec<(String, i64)>,
    limit: u32,
) -> ApiResult<Response> {
    let mut pull = Pull {
        chunks,
        cursors: cursors.into_iter(),
        limit: limit.max(1),
        current: None,
        enc: Encoder::default(),
        started: false,
        done: false,
    };
    let first = match pull.next_chunk().await {
        Some(chunk) => chunk?,
        None => Bytes::new(),
    };
    let headers = [(CONTENT_TYPE, "application/json")];
    if pull.done {
        return Ok((headers, first).into_response());
    }
    // The rest is encoded on its own task, a piece ahead of the connection.
    let (tx, rx) = mpsc::channel(1);
    tokio::spawn(async move {
        while let Some(chunk) = pull.next_chunk().await {
            if let Err(e) = &chunk {
                tracing::warn!(error = %e, "a pull was cut short");
            }
            if tx.send(chunk).await.is_err() {
                break; // The client went away.
            }
        }
    });
    let rest = futures_util::stream::unfold(rx, |mut rx| async move {
        let chunk = rx.recv().await?;
        Some((chunk, rx))
    });
    let body = futures_util::stream::once(async move { Ok::<_, ApiError>(first) }).chain(rest);
    Ok((headers, Body::from_stream(body)).into_response())
}

/// Where the answer stands between chunks.
struct Pull<C> {
    chunks: C,
    cursors: std::vec::IntoIter<(String, i64)>,
    limit: u32,
    current: Option<Current>,
    enc: Encoder,
    started: bool,
    done: bool,
}

/// The space being sent.
struct Current {
    space_id: String,
    /// The last `seq` sent (or the device's cursor).
    after: i64,
    /// How many more records this space may take.
    left: u32,
    /// The space's next chunk, already being read.
    ahead: Option<ReadAhead>,
}

impl Current {
    /// Reads the space's next chunk.
    fn read<C: Chunks>(&self, chunks: &C) -> BoxFuture<'static, StorageResult<Page>> {
        chunks.read(self.space_id.clone(), self.after, self.left.min(CHUNK))
    }
}

/// A chunk read on its own task, so that the read goes on while the chunk
/// before it is encoded. Dropping it (the client went away) stops the read.
struct ReadAhead(JoinHandle<StorageResult<Page>>);

impl ReadAhead {
    async fn page(mut self) -> ApiResult<Page> {
        match (&mut self.0).await {
            Ok(page) => Ok(page?),
            Err(e) => Err(ApiError::Internal(format!("a pull's read failed: {e}"))),
        }
    }
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl<C: Chunks> Pull<C> {
    /// The next piece of the answer, or `None` once all of it was given.
    async fn next_chunk(&mut self) -> Option<ApiResult<Bytes>> {
        if self.done {
            return None;
        }
        let mut buf = Vec::new();
        // Small pieces (a space with a few records) are gathered, so that
        // the usual small pull is answered whole, with a Content-Length.
        loop {
            if let Err(e) = self.fill(&mut buf).await {
                self.done = true;
                return Some(Err(e));
            }
            if self.done || buf.len() >= GATHER_BYTES {
                return Some(Ok(buf.into()));
            }
        }
    }

    /// Writes the next piece into `buf`: the start of the answer and of a
    /// space as due, one chunk of records, the end of the space if it is
    /// complete, or the end of the answer.
    async fn fill(&mut self, buf: &mut Vec<u8>) -> ApiResult<()> {
        if !self.started {
            self.started = true;
            self.enc.begin(buf);
        }
        let mut current = match self.current.take() {
            Some(c) => c,
            None => match self.cursors.next() {
                Some((space_id, after)) => {
                    self.enc.begin_space(buf, &space_id)?;
                    Current {
                        space_id,
                        after,
                        left: self.limit,
                        ahead: None,
                    }
                }
                None => {
                    self.enc.end(buf);
                    self.done = true;
                    return Ok(());
                }
            },
        };
        let page = match current.ahead.take() {
            Some(ahead) => ahead.page().await?,
            None => current.read(&self.chunks).await?,
        };
        let sent = page.records.len() as u32;
        if let Some(last) = page.records.last() {
            current.after = last.seq;
        }
        current.left = current.left.saturating_sub(sent);
        let space_done = !(page.more && current.left > 0 && sent > 0);
        if !space_done {
            current.ahead = Some(ReadAhead(tokio::spawn(current.read(&self.chunks))));
            // A task spawned here waits until this one yields (it sits in
            // this worker's own slot): let it send its read first.
            tokio::task::yield_now().await;
        }
        buf.reserve(Encoder::estimate(&page.records));
        self.enc.records(buf, &page.records)?;
        if space_done {
            self.enc
                .end_space(buf, page.more, page.head_seq, page.epoch)?;
        } else {
            self.current = Some(current);
        }
        Ok(())
    }
}

/// Writes the JSON of a pull answer piece by piece, in the field order of
/// the protocol's types.
#[derive(Default)]
struct Encoder {
    spaces: usize,
    records: usize,
}

/// JSON bytes per record beyond its fields' own: keys, quotes, numbers.
const RECORD_OVERHEAD: usize = 112;

impl Encoder {
    /// Bytes that `records` will take, so that a chunk is allocated once.
    fn estimate(records: &[Record]) -> usize {
        records
            .iter()
            .map(|r| {
                RECORD_OVERHEAD
                    + r.doc_id.len()
                    + 64
                    + base64_len_unpadded(r.nonce.len())
                    + base64_len_unpadded(r.ciphertext.len())
            })
            .sum()
    }

    fn begin(&mut self, buf: &mut Vec<u8>) {
        buf.extend_from_slice(b"{\"spaces\":[");
    }

    fn begin_space(&mut self, buf: &mut Vec<u8>, space_id: &str) -> serde_json::Result<()> {
        if self.spaces > 0 {
            buf.push(b',');
        }
        buf.extend_from_slice(b"{\"space_id\":");
        serde_json::to_writer(&mut *buf, space_id)?;
        buf.extend_from_slice(b",\"records\":[");
        self.records = 0;
        Ok(())
    }

    fn records(&mut self, buf: &mut Vec<u8>, records: &[Record]) -> serde_json::Result<()> {
        for r in records {
            if self.records > 0 {
                buf.push(b',');
            }
            Self::record(buf, r)?;
            self.records += 1;
        }
        Ok(())
    }

    /// One record, as [`StoredRecord`](tandem_protocol::StoredRecord).
    /// Hex and base64url never need escaping in JSON, so they are written
    /// straight into the buffer; the document's name goes through serde_json.
    fn record(buf: &mut Vec<u8>, r: &Record) -> serde_json::Result<()> {
        buf.extend_from_slice(b"{\"seq\":");
        serde_json::to_writer(&mut *buf, &r.seq)?;
        buf.extend_from_slice(b",\"doc_id\":");
        serde_json::to_writer(&mut *buf, &r.doc_id)?;
        buf.extend_from_slice(b",\"change_hash\":\"");
        let at = buf.len();
        buf.resize(at + 64, 0);
        hex::encode_to_slice(r.change_hash, &mut buf[at..]).map_err(serde::ser::Error::custom)?;
        buf.extend_from_slice(b"\",\"key_epoch\":");
        serde_json::to_writer(&mut *buf, &r.key_epoch)?;
        buf.extend_from_slice(b",\"nonce\":\"");
        base64(buf, &r.nonce)?;
        buf.extend_from_slice(b"\",\"ciphertext\":\"");
        base64(buf, &r.ciphertext)?;
        buf.extend_from_slice(b"\"}");
        Ok(())
    }

    fn end_space(
        &mut self,
        buf: &mut Vec<u8>,
        more: bool,
        head_seq: i64,
        epoch: u32,
    ) -> serde_json::Result<()> {
        buf.extend_from_slice(b"],\"more\":");
        serde_json::to_writer(&mut *buf, &more)?;
        buf.extend_from_slice(b",\"head_seq\":");
        serde_json::to_writer(&mut *buf, &head_seq)?;
        buf.extend_from_slice(b",\"epoch\":");
        serde_json::to_writer(&mut *buf, &epoch)?;
        buf.push(b'}');
        self.spaces += 1;
        Ok(())
    }

    fn end(&mut self, buf: &mut Vec<u8>) {
        buf.extend_from_slice(b"]}");
    }
}

/// Appends `bytes` as base64url without padding.
fn base64(buf: &mut Vec<u8>, bytes: &[u8]) -> serde_json::Result<()> {
    let at = buf.len();
    buf.resize(at + base64_len_unpadded(bytes.len()), 0);
    URL_SAFE_NO_PAD
        .encode_slice(bytes, &mut buf[at..])
        .map_err(serde::ser::Error::custom)?;
    Ok(())
}

/// Length of `n` bytes in base64 without padding.
fn base64_len_unpadded(n: usize) -> usize {
    n / 3 * 4 + [0, 2, 3][n % 3]
}

#[cfg(test)]
mod tests {
    use tandem_protocol::{PullResponse, SpaceRecords, StoredRecord};

    use super::*;
    use crate::api::validate;

    fn record(seq: i64, len: usize) -> Record {
        Record {
            seq,
            doc_id: format!("doc/{seq}.x-y_z"),
            change_hash: [seq as u8; 32],
            key_epoch: (seq % 3) as u32,
            nonce: (0..24).map(|i| (i * 7 + seq) as u8).collect(),
            ciphertext: (0..len).map(|i| (i * 31 + seq as usize) as u8).collect(),
        }
    }

    fn pages() -> Vec<(String, Page)> {
        let page = |records: Vec<Record>, more, head_seq, epoch| Page {
            records,
            more,
            head_seq,
            epoch,
        };
        vec![
            (
                "a".repeat(32),
                page(
                    (1..=50).map(|s| record(s, 250 + s as usize)).collect(),
                    true,
                    90,
                    2,
                ),
            ),
            ("b".repeat(32), page(vec![], false, 0, 0)),
            (
                "c\"\\".into(),
                page(vec![record(7, 0), record(8, 1), record(9, 2)], false, 9, 1),
            ),
        ]
    }

    /// The answer built the plain way, through the protocol's own types.
    fn through_protocol(pages: &[(String, Page)]) -> String {
        let spaces = pages
            .iter()
            .map(|(space_id, page)| SpaceRecords {
                space_id: space_id.clone(),
                records: page
                    .records
                    .iter()
                    .map(|r| StoredRecord {
                        seq: r.seq,
                        doc_id: r.doc_id.clone(),
                        change_hash: hex::encode(r.change_hash),
                        key_epoch: r.key_epoch,
                        nonce: validate::encode(&r.nonce),
                        ciphertext: validate::encode(&r.ciphertext),
                    })
                    .collect(),
                more: page.more,
                head_seq: page.head_seq,
                epoch: page.epoch,
            })
            .collect();
        serde_json::to_string(&PullResponse { spaces }).unwrap()
    }

    /// The answer written by the encoder, each space's records in pieces of `piece`.
    fn encoded(pages: &[(String, Page)], piece: usize) -> String {
        let mut enc = Encoder::default();
        let mut buf = Vec::new();
        enc.begin(&mut buf);
        for (space_id, page) in pages {
            enc.begin_space(&mut buf, space_id).unwrap();
            for part in page.records.chunks(piece) {
                enc.records(&mut buf, part).unwrap();
            }
            enc.end_space(&mut buf, page.more, page.head_seq, page.epoch)
                .unwrap();
        }
        enc.end(&mut buf);
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn writes_the_same_bytes_as_the_protocol_types_however_it_is_cut() {
        let pages = pages();
        let plain = through_protocol(&pages);
        for piece in [1, 2, 7, 50, 256] {
            assert_eq!(encoded(&pages, piece), plain, "in pieces of {piece}");
        }
        assert_eq!(encoded(&[], 3), through_protocol(&[]));
    }

    /// A space of `total` records kept in memory; notes where each read
    /// starts (`after`) as it is asked for.
    #[derive(Clone)]
    struct Memory {
        total: i64,
        asked: Arc<std::sync::Mutex<Vec<i64>>>,
    }

    impl Memory {
        fn new(total: i64) -> Self {
            Memory {
                total,
                asked: Arc::default(),
            }
        }

        fn asked(&self) -> Vec<i64> {
            self.asked.lock().unwrap().clone()
        }

        /// Waits until `f` holds (at most five seconds).
        async fn until(&self, f: impl Fn(&Self) -> bool) {
            for _ in 0..500 {
                if f(self) {
                    return;
                }
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
            panic!("timed out; reads asked for: {:?}", self.asked());
        }
    }

    impl Chunks for Memory {
        fn read(
            &self,
            _space: String,
            after: i64,
            limit: u32,
        ) -> BoxFuture<'static, StorageResult<Page>> {
            self.asked.lock().unwrap().push(after);
            let total = self.total;
            Box::pin(async move {
                let records: Vec<Record> = (after + 1..=total)
                    .take(limit as usize)
                    .map(|seq| record(seq, 300))
                    .collect();
                let more = records.last().is_some_and(|r| r.seq < total);
                Ok(Page {
                    records,
                    more,
                    head_seq: total,
                    epoch: 0,
                })
            })
        }
    }

    const TEN_CHUNKS: i64 = 10 * CHUNK as i64;

    /// A pull of everything in a space of ten chunks, answered but not read.
    async fn ten_chunk_pull() -> (Memory, Response) {
        let memory = Memory::new(TEN_CHUNKS);
        let answer = respond(memory.clone(), vec![("s".into(), 0)], u32::MAX)
            .await
            .unwrap();
        (memory, answer)
    }

    #[tokio::test]
    async fn reading_runs_ahead_of_the_client_by_a_bounded_number_of_chunks() {
        let (memory, answer) = ten_chunk_pull().await;
        // Nothing is read by the client yet; the server reads on until a
        // chunk waits for the connection, and no further.
        let four = [0, 1, 2, 3].map(|k| k * i64::from(CHUNK)).to_vec();
        memory.until(|m| m.asked().len() >= 4).await;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert_eq!(memory.asked(), four);

        let bytes = axum::body::to_bytes(answer.into_body(), usize::MAX)
            .await
            .unwrap();
        let answer: PullResponse = serde_json::from_slice(&bytes).unwrap();
        let seqs: Vec<i64> = answer.spaces[0].records.iter().map(|r| r.seq).collect();
        assert_eq!(seqs, (1..=TEN_CHUNKS).collect::<Vec<_>>());
        assert!(!answer.spaces[0].more);
        assert_eq!(
            memory.asked(),
            (0..10).map(|k| k * i64::from(CHUNK)).collect::<Vec<_>>()
        );
    }

    #[tokio::test]
    async fn a_client_that_goes_away_stops_the_reading() {
        let (memory, answer) = ten_chunk_pull().await;
        memory.until(|m| m.asked().len() >= 4).await;
        drop(answer);
        // Every task of the pull ends and lets go of its source.
        memory.until(|m| Arc::strong_count(&m.asked) == 1).await;
        assert_eq!(memory.asked().len(), 4);
    }

    #[tokio::test]
    async fn a_small_pull_is_answered_whole() {
        let memory = Memory::new(5);
        let answer = respond(memory.clone(), vec![("s".into(), 2)], 100)
            .await
            .unwrap();
        let bytes = axum::body::to_bytes(answer.into_body(), usize::MAX)
            .await
            .unwrap();
        let answer: PullResponse = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(answer.spaces[0].records.len(), 3);
        assert_eq!(memory.asked(), [2]);
        assert_eq!(Arc::strong_count(&memory.asked), 1);
    }

    #[test]
    fn a_chunk_is_allocated_once() {
        for (_, page) in pages() {
            let mut buf = Vec::new();
            Encoder {
                records: 1,
                spaces: 0,
            }
            .records(&mut buf, &page.records)
            .unwrap();
            let estimate = Encoder::estimate(&page.records);
            assert!(estimate >= buf.len(), "{estimate} < {}", buf.len());
            assert!(
                estimate <= buf.len() * 3 / 2 + 1,
                "{estimate} ≫ {}",
                buf.len()
            );
        }
    }
}
