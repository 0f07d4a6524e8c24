//! A small HTTP proxy on loopback that can drop answers after the server
//! has handled the request (the "lost response" of a phone that loses its
//! connection at the wrong moment), hold them (a slow network), or rewrite
//! them (a hostile server).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Whether answers are held back, and how many have been.
#[derive(Default)]
struct Gate {
    state: Mutex<GateState>,
    changed: Condvar,
}

#[derive(Default)]
struct GateState {
    holding: bool,
    /// Answers held so far, released or not.
    held: usize,
    /// Held answers allowed through while still holding.
    passes: usize,
}

/// Rewrites the JSON body of an answer: given the request line (`POST
/// /v1/spaces HTTP/1.1`) and the server's body, the body to send instead,
/// or none to pass it on.
pub type Rewrite = dyn Fn(&str, &str) -> Option<String> + Send + Sync;

/// A proxy in front of one server.
pub struct Proxy {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    drop_next: Arc<AtomicUsize>,
    skip: Arc<AtomicUsize>,
    /// Answers dropped so far.
    pub dropped: Arc<AtomicUsize>,
    gate: Arc<Gate>,
    rewrite: Arc<Mutex<Option<Arc<Rewrite>>>>,
}

impl Proxy {
    /// Starts a proxy forwarding to `upstream` (`http://host:port`).
    pub fn start(upstream: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream.trim_start_matches("http://").to_owned();
        let drop_next = Arc::new(AtomicUsize::new(0));
        let skip = Arc::new(AtomicUsize::new(0));
        let dropped = Arc::new(AtomicUsize::new(0));
        let gate = Arc::new(Gate::default());
        let rewrite: Arc<Mutex<Option<Arc<Rewrite>>>> = Arc::default();
        let (d, n, k, g, r) = (
            drop_next.clone(),
            dropped.clone(),
            skip.clone(),
            gate.clone(),
            rewrite.clone(),
        );
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let (upstream, d, n, k, g, r) = (
                    upstream.clone(),
                    d.clone(),
                    n.clone(),
                    k.clone(),
                    g.clone(),
                    r.clone(),
                );
                std::thread::spawn(move || {
                    let _ = serve(client, &upstream, &d, &k, &n, &g, &r);
                });
            }
        });
        Proxy {
            url,
            drop_next,
            skip,
            dropped,
            gate,
            rewrite,
        }
    }

    /// Rewrites answers from now on (see [`Rewrite`]): the server turned
    /// hostile. Only whole (not streamed) answers are offered.
    pub fn rewrite(&self, f: impl Fn(&str, &str) -> Option<String> + Send + Sync + 'static) {
        *self.rewrite.lock().unwrap() = Some(Arc::new(f));
    }

    /// Holds every answer (after the server handled its request) until
    /// [`Proxy::release_answers`]: a network that has gone slow.
    pub fn hold_answers(&self) {
        self.gate.state.lock().unwrap().holding = true;
    }

    /// Lets one held answer through and goes on holding the others.
    pub fn let_one_through(&self) {
        self.gate.state.lock().unwrap().passes += 1;
        self.gate.changed.notify_all();
    }

    /// Lets the held answers, and every later one, through.
    pub fn release_answers(&self) {
        self.gate.state.lock().unwrap().holding = false;
        self.gate.changed.notify_all();
    }

    /// Waits until `n` answers in all have been held; false after 20 s.
    pub fn wait_until_held(&self, n: usize) -> bool {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut state = self.gate.state.lock().unwrap();
        while state.held < n {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            state = self.gate.changed.wait_timeout(state, left).unwrap().0;
        }
        true
    }

    /// Drops the answers to the next `n` requests (after the server handled them).
    pub fn drop_answers(&self, n: usize) {
        self.drop_answers_after(0, n);
    }

    /// Lets `skip` answers through, then drops the next `n`.
    pub fn drop_answers_after(&self, skip: usize, n: usize) {
        self.skip.store(skip, Ordering::SeqCst);
        self.drop_next.store(n, Ordering::SeqCst);
    }
}

/// One HTTP/1.1 message: head and body (by Content-Length, or chunked as
/// the server streams long pulls), passed on byte for byte.
fn read_message(reader: &mut impl BufRead) -> std::io::Result<Option<Vec<u8>>> {
    let mut head = Vec::new();
    let mut length = 0usize;
    let mut chunked = false;
    loop {
        let mut line = Vec::new();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line).to_ascii_lowercase();
        if let Some(v) = text.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        if text.starts_with("transfer-encoding:") && text.contains("chunked") {
            chunked = true;
        }
        head.extend_from_slice(&line);
        if line == b"\r\n" {
            break;
        }
    }
    if !chunked {
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        head.extend_from_slice(&body);
        return Ok(Some(head));
    }
    loop {
        // A chunk: its size in hex on a line, the data, CRLF; size 0 ends
        // the body, followed by an empty line.
        let mut line = Vec::new();
        reader.read_until(b'\n', &mut line)?;
        head.extend_from_slice(&line);
        let size = std::str::from_utf8(&line)
            .ok()
            .and_then(|l| usize::from_str_radix(l.trim().split(';').next()?, 16).ok())
            .ok_or_else(|| std::io::Error::other("bad chunk size"))?;
        let mut data = vec![0; size + 2];
        if size == 0 {
            data.truncate(0);
            reader.read_until(b'\n', &mut data)?;
            head.extend_from_slice(&data);
            return Ok(Some(head));
        }
        reader.read_exact(&mut data)?;
        head.extend_from_slice(&data);
    }
}

/// `answer` with its body replaced as `f` says (a whole answer only).
fn rewritten(request: &[u8], answer: Vec<u8>, f: &Rewrite) -> Vec<u8> {
    let line = String::from_utf8_lossy(request)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    let Some(split) = answer.windows(4).position(|w| w == b"\r\n\r\n") else {
        return answer;
    };
    let head = String::from_utf8_lossy(&answer[..split]).into_owned();
    let raw = &answer[split + 4..];
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(raw)
    } else {
        raw.to_vec()
    };
    let body = String::from_utf8_lossy(&body).into_owned();
    let Some(new_body) = f(&line, &body) else {
        return answer;
    };
    // Sent whole, with its length, whatever the server streamed.
    let mut out = String::new();
    for l in head.split("\r\n") {
        let lower = l.to_ascii_lowercase();
        if lower.starts_with("content-length:") || lower.starts_with("transfer-encoding:") {
            continue;
        }
        out.push_str(l);
        out.push_str("\r\n");
    }
    out.push_str(&format!("content-length: {}\r\n", new_body.len()));
    out.push_str("\r\n");
    out.push_str(&new_body);
    out.into_bytes()
}

/// The data of a chunked body.
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = raw.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&raw[..end])
            .ok()
            .and_then(|l| usize::from_str_radix(l.trim().split(';').next()?, 16).ok())
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = end + 2;
        out.extend_from_slice(&raw[start..start + size]);
        raw = &raw[start + size + 2..];
    }
    out
}

fn serve(
    client: TcpStream,
    upstream: &str,
    drop_next: &AtomicUsize,
    skip: &AtomicUsize,
    dropped: &AtomicUsize,
    gate: &Gate,
    rewrite: &Mutex<Option<Arc<Rewrite>>>,
) -> std::io::Result<()> {
    let mut from_client = BufReader::new(client.try_clone()?);
    let mut to_client = client;
    let server = TcpStream::connect(upstream)?;
    let mut from_server = BufReader::new(server.try_clone()?);
    let mut to_server = server;
    while let Some(request) = read_message(&mut from_client)? {
        to_server.write_all(&request)?;
        let Some(mut answer) = read_message(&mut from_server)? else {
            return Ok(());
        };
        let rewrite = rewrite.lock().unwrap().clone();
        if let Some(f) = rewrite {
            answer = rewritten(&request, answer, &*f);
        }
        let skipped = skip
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        let drop = !skipped
            && drop_next
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok();
        if drop {
            dropped.fetch_add(1, Ordering::SeqCst);
            // The server committed; the phone never hears of it.
            to_client.shutdown(std::net::Shutdown::Both)?;
            return Ok(());
        }
        let mut state = gate.state.lock().unwrap();
        if state.holding {
            state.held += 1;
            gate.changed.notify_all();
            while state.holding && state.passes == 0 {
                state = gate.changed.wait(state).unwrap();
            }
            if state.holding {
                state.passes -= 1;
            }
        }
        std::mem::drop(state);
        to_client.write_all(&answer)?;
    }
    Ok(())
}
