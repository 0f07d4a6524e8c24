//! Runs one parsed command against the device's store.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::json;
use tandem_core::checkin::CheckInInput;
use tandem_core::craving::{CravingInput, Outcome};
use tandem_core::goal::{GoalInput, GoalStatus};
use tandem_core::journal::JournalInput;
use tandem_core::settings::AppName;
use tandem_core::view::GoalView;
use tandem_core::words;
use tandem_core::{FixedClock, Options, Page, Store, SystemClock, keyfile, notify};

use crate::args::{
    Cli, Command, CravingCommand, DeviceCommand, ExportFormat, GoalCommand, JournalCommand,
    MentorCommand, MilestoneCommand, NoteCommand, PairCommand, ShareArgs, ShareWhat, TrackCommand,
    parse_instant,
};
use crate::output::{emit, local_time, track_line, with_id};

/// The file name of the store inside the home folder.
const STORE_FILE: &str = "tandem.db";
/// The store key's file, beside the store, readable by this user only.
const KEY_FILE: &str = "tandem.key";
/// Present while the terminal client is locked.
const LOCK_FILE: &str = "locked";

fn home(cli_home: Option<PathBuf>) -> Result<PathBuf, String> {
    if let Some(h) = cli_home {
        return Ok(h);
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .ok_or("no home folder: pass --home DIR or set TANDEM_HOME")?;
    Ok(base.join("tandem"))
}

fn options() -> Result<Options, String> {
    let mut options = Options::default();
    if let Some(now) = std::env::var_os("TANDEM_NOW") {
        let now = parse_instant(&now.to_string_lossy()).map_err(|e| format!("TANDEM_NOW: {e}"))?;
        options.clock = Arc::new(FixedClock::new(now));
    } else {
        options.clock = Arc::new(SystemClock);
    }
    Ok(options)
}

/// Opens the device's encrypted store. The key file is created with the
/// store; a plain store from an older version gets a key and is encrypted.
fn open(home: &Path) -> Result<Store, String> {
    create_private_dir(home)?;
    let store_path = home.join(STORE_FILE);
    let key_path = home.join(KEY_FILE);
    let e = |e: tandem_core::Error| e.to_string();
    if !key_path.exists()
        && !keyfile::next_path(&key_path).exists()
        && !tandem_core::store::is_encrypted(&store_path).map_err(e)?
    {
        keyfile::create(&key_path).map_err(e)?;
    }
    keyfile::open_store(&store_path, &key_path, options()?).map_err(e)
}

/// `value` as JSON with `shared_in` (the pairs it is shared in) and, when
/// shared, the `notice` that the mentor's phone may hold a copy; and that
/// notice as a line for people.
fn with_sharing<T: serde::Serialize>(
    s: &Store,
    value: &T,
    id: &str,
) -> Result<(serde_json::Value, String), String> {
    use tandem_core::sync::sharing::SHARED_COPY_WARNING;
    let mut v = serde_json::to_value(value).map_err(|e| e.to_string())?;
    let pairs = s.shared_in(id).map_err(|e| e.to_string())?;
    let text = if pairs.is_empty() {
        String::new()
    } else {
        v["notice"] = json!(SHARED_COPY_WARNING);
        format!("\n  ({SHARED_COPY_WARNING})")
    };
    v["shared_in"] = json!(pairs);
    Ok((v, text))
}

/// Connects the store to `server` if it is not connected yet.
fn ensure_connected(s: &mut Store, server: Option<&str>) -> Result<(), String> {
    let connected = s.account().map_err(|e| e.to_string())?.is_some();
    match (connected, server) {
        (true, _) => Ok(()),
        (false, Some(url)) => s.connect(url).map(|_| ()).map_err(|e| e.to_string()),
        (false, None) => Err(tandem_core::Error::NoServer.to_string()),
    }
}

/// `share` and `unshare`.
fn share(s: &mut Store, json: bool, args: ShareArgs, on: bool) -> Result<(), String> {
    use tandem_core::sync::sharing::{SHARED_COPY_WARNING, ShareKind};
    let e = |e: tandem_core::Error| e.to_string();
    let kind = match args.kind {
        ShareWhat::Goal => ShareKind::Goal,
        ShareWhat::Journal => ShareKind::Journal,
        ShareWhat::Craving => ShareKind::Craving,
        ShareWhat::CleanTime => {
            let pair = s.resolve_pair(args.pair.as_deref()).map_err(e)?;
            s.share_clean_time(&pair.pair_id, on).map_err(e)?;
            let out = json!({ "pair": pair.pair_id, "clean_time": on });
            return emit(json, &out, || {
                if on {
                    "Your clean time is shown to the other side of the pair.".into()
                } else {
                    "Your clean time is no longer shown from now on.".into()
                }
            });
        }
    };
    let id = args
        .id
        .ok_or_else(|| "say which item: share goal|journal|craving ID".to_string())?;
    if on {
        s.share(kind, &id, args.pair.as_deref()).map_err(e)?;
    } else {
        s.unshare(kind, &id, args.pair.as_deref()).map_err(e)?;
    }
    let shared_in = s.shared_in(&id).map_err(e)?;
    let out =
        json!({ "id": id, "shared": on, "shared_in": shared_in, "notice": SHARED_COPY_WARNING });
    emit(json, &out, || {
        if on {
            format!("Shared. {SHARED_COPY_WARNING}")
        } else {
            format!("No longer shared from now on. {SHARED_COPY_WARNING}")
        }
    })
}

/// Writes `text` to `path`, readable by this user only.
fn write_private(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let mut f = o
        .open(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Creates the home folder readable by this user only.
fn create_private_dir(dir: &std::path::Path) -> Result<(), String> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))
}

fn goal_text(g: &GoalView) -> String {
    let mut s = format!(
        "{}  [{}] {}{}  ({}/{} milestones)",
        g.id,
        g.status.as_str(),
        g.title,
        g.target.map(|t| format!(" (by {t})")).unwrap_or_default(),
        g.milestones_done,
        g.milestones.len()
    );
    for m in &g.milestones {
        s.push_str(&format!(
            "\n    {} [{}] {}",
            m.id,
            if m.done { "x" } else { " " },
            m.title
        ));
    }
    s
}

/// Runs the command.
/// `tandem ui`: the app in a browser for this store, on loopback. The URL
/// to open (with its token) is the first line printed.
fn serve_ui(store: Store, home: &Path, listen: std::net::SocketAddr) -> Result<(), String> {
    let e = |e: tandem_core::Error| e.to_string();
    let path = store.path().to_path_buf();
    store.close().map_err(e)?;
    let key_path = home.join(KEY_FILE);
    let key = keyfile::read(&key_path).map_err(e)?;
    let app = tandem_core::App::open(&path, key, options()?).map_err(e)?;
    let also = vec![
        key_path.clone(),
        keyfile::next_path(&key_path),
        home.join(LOCK_FILE),
    ];
    tandem_web::serve(app, also, listen, |url| {
        use std::io::Write as _;
        println!("{url}");
        let _ = std::io::stdout().flush();
        eprintln!(
            "Tandem for {} is served on loopback only; open the address above. Ctrl-C stops it.",
            home.display()
        );
    })
    .map_err(|e| e.to_string())
}

pub fn run(cli: Cli) -> Result<(), String> {
    let json = cli.json;
    let home = home(cli.home)?;
    let locked = home.join(LOCK_FILE);
    match &cli.command {
        Command::Lock => {
            create_private_dir(&home)?;
            write_private(&locked, "")?;
            return emit(json, &json!({ "locked": true }), || "Locked.".into());
        }
        Command::Unlock => {
            // Unlocking proves the key still opens the store.
            drop(open(&home)?);
            if let Err(e) = std::fs::remove_file(&locked)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                return Err(format!("cannot unlock: {e}"));
            }
            return emit(json, &json!({ "locked": false }), || "Unlocked.".into());
        }
        Command::Erase { yes: false } => {
            return Err(
                "erase deletes everything on this device and your account at the sync server; \
                 nothing can be recovered. Run `tandem erase --yes` to go ahead"
                    .into(),
            );
        }
        Command::Erase { yes: true } => {}
        _ if locked.exists() => return Err(tandem_core::Error::Locked.to_string()),
        _ => {}
    }
    let mut store = open(&home)?;
    if let Command::Ui { listen } = cli.command {
        return serve_ui(store, &home, listen);
    }
    let s = &mut store;
    let e = |e: tandem_core::Error| e.to_string();
    match cli.command {
        Command::Init { name, timezone } => {
            let p = s.init(&name, &timezone).map_err(e)?;
            let recovery = s.new_recovery_key().map_err(e)?;
            let out = json!({
                "name": p.name,
                "timezone": p.timezone,
                "device_id": s.device_id(),
                "recovery_key": recovery.as_str(),
            });
            emit(json, &out, || {
                format!(
                    "Welcome, {}. Days are counted in {}.\n\nYour recovery key (shown this once; \
                     write it down and keep it somewhere safe — it brings your data back on a new \
                     phone, and anyone holding it can read your data):\n\n    {}",
                    p.name,
                    p.timezone,
                    recovery.as_str()
                )
            })
        }
        Command::Timezone { timezone } => {
            let p = s.set_timezone(&timezone).map_err(e)?;
            emit(json, &p, || {
                format!("Days are now counted in {}.", p.timezone)
            })
        }
        Command::Track(cmd) => match cmd {
            TrackCommand::Add { name, since } => {
                let t = s.add_track(&name, since).map_err(e)?;
                emit(json, &t, || track_line(&t))
            }
            TrackCommand::Reset { id, date, note } => {
                let t = s.reset_track(&id, date, &note).map_err(e)?;
                emit(json, &t, || track_line(&t))
            }
            TrackCommand::List => {
                let ts = s.tracks().map_err(e)?;
                emit(json, &ts, || {
                    ts.iter().map(track_line).collect::<Vec<_>>().join("\n")
                })
            }
        },
        Command::Today => {
            let t = s.today().map_err(e)?;
            emit(json, &t, || {
                let mut lines = vec![format!("{}, today is {} ({})", t.name, t.date, t.timezone)];
                lines.extend(t.tracks.iter().map(track_line));
                lines.push(match &t.checkin {
                    Some(c) => format!(
                        "Check-in: mood {}/5, craving {}/10{}",
                        c.mood,
                        c.craving,
                        if c.used { ", used" } else { "" }
                    ),
                    None => "No check-in yet today.".into(),
                });
                lines.push(format!(
                    "Today: {} journal entr{}, {} craving{}; {} active goal{}",
                    t.journal_today,
                    if t.journal_today == 1 { "y" } else { "ies" },
                    t.cravings_today,
                    if t.cravings_today == 1 { "" } else { "s" },
                    t.active_goals,
                    if t.active_goals == 1 { "" } else { "s" }
                ));
                lines.join("\n")
            })
        }
        Command::Journal(cmd) => match cmd {
            JournalCommand::Add { text, mood, tags } => {
                let j = s
                    .add_journal(JournalInput { text, mood, tags })
                    .map_err(e)?;
                emit(json, &j, || format!("Saved {}", j.id))
            }
            JournalCommand::List(l) => {
                let js = s.journal_page(&Page::first(l.limit)).map_err(e)?;
                emit(json, &js, || {
                    js.iter()
                        .map(|j| {
                            let first = j.text.lines().next().unwrap_or_default();
                            format!("{}  {}  {}", j.id, local_time(j.created_ms, &j.tz), first)
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                })
            }
            JournalCommand::Show { id } => {
                let j = s.journal_entry(&id).map_err(e)?;
                let (out, notice) = with_sharing(s, &j, &j.id)?;
                emit(json, &out, || {
                    format!(
                        "{}{}{}\n\n{}{notice}",
                        local_time(j.created_ms, &j.tz),
                        j.mood.map(|m| format!("  mood {m}/5")).unwrap_or_default(),
                        if j.tags.is_empty() {
                            String::new()
                        } else {
                            format!("  #{}", j.tags.join(" #"))
                        },
                        j.text
                    )
                })
            }
            JournalCommand::Edit {
                id,
                text,
                mood,
                tags,
            } => {
                let j = s
                    .edit_journal(&id, JournalInput { text, mood, tags })
                    .map_err(e)?;
                emit(json, &j, || format!("Saved {}", j.id))
            }
            JournalCommand::Delete { id } => {
                s.delete_journal(&id).map_err(e)?;
                emit(json, &with_id(&id, json!({ "deleted": true })), || {
                    format!("Deleted {id}")
                })
            }
        },
        Command::Craving(cmd) => match cmd {
            CravingCommand::Add {
                trigger,
                intensity,
                situation,
                helped,
                outcome,
                note,
                at,
            } => {
                let outcome = outcome
                    .map(|o| o.parse::<Outcome>())
                    .transpose()
                    .map_err(e)?;
                let c = s
                    .add_craving(CravingInput {
                        trigger,
                        intensity,
                        situation,
                        helped,
                        outcome,
                        note,
                        at,
                    })
                    .map_err(e)?;
                emit(json, &c, || format!("Logged {}", c.id))
            }
            CravingCommand::List(l) => {
                let cs = s.cravings_page(&Page::first(l.limit)).map_err(e)?;
                emit(json, &cs, || {
                    cs.iter()
                        .map(|c| {
                            format!(
                                "{}  {}  {}/10  {}{}",
                                c.id,
                                local_time(c.at_ms, &c.tz),
                                c.intensity,
                                c.trigger,
                                c.outcome
                                    .map(|o| format!("  ({})", o.as_str()))
                                    .unwrap_or_default()
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                })
            }
            CravingCommand::Show { id } => {
                let c = s.craving(&id).map_err(e)?;
                let (out, notice) = with_sharing(s, &c, &c.id)?;
                emit(json, &out, || {
                    format!(
                        "{}  intensity {}/10\ntrigger: {}\nsituation: {}\nhelped: {}\noutcome: {}\n{}{notice}",
                        local_time(c.at_ms, &c.tz),
                        c.intensity,
                        c.trigger,
                        c.situation.join(", "),
                        c.helped.join(", "),
                        c.outcome.map(|o| o.as_str()).unwrap_or("-"),
                        c.note
                    )
                })
            }
            CravingCommand::Delete { id } => {
                s.delete_craving(&id).map_err(e)?;
                emit(json, &with_id(&id, json!({ "deleted": true })), || {
                    format!("Deleted {id}")
                })
            }
        },
        Command::Checkin {
            mood,
            craving,
            used,
            note,
        } => {
            let c = s
                .check_in(CheckInInput {
                    mood,
                    craving,
                    used,
                    note,
                })
                .map_err(e)?;
            emit(json, &c, || format!("Checked in for {}", c.day))
        }
        Command::Goal(cmd) => {
            let view = match cmd {
                GoalCommand::Add { title, why, target } => {
                    s.add_goal(GoalInput { title, why, target }).map_err(e)?
                }
                GoalCommand::List => {
                    let gs = s.goals().map_err(e)?;
                    let mut out = Vec::with_capacity(gs.len());
                    let mut lines = Vec::with_capacity(gs.len());
                    for g in &gs {
                        let (v, notice) = with_sharing(s, g, &g.id)?;
                        out.push(v);
                        lines.push(format!("{}{notice}", goal_text(g)));
                    }
                    return emit(json, &out, || lines.join("\n"));
                }
                GoalCommand::Done { id } => s.set_goal_status(&id, GoalStatus::Done).map_err(e)?,
                GoalCommand::Drop { id } => {
                    s.set_goal_status(&id, GoalStatus::Dropped).map_err(e)?
                }
                GoalCommand::Reopen { id } => {
                    s.set_goal_status(&id, GoalStatus::Active).map_err(e)?
                }
                GoalCommand::Milestone(MilestoneCommand::Add { goal_id, title }) => {
                    let (g, mid) = s.add_milestone(&goal_id, &title).map_err(e)?;
                    let m = g.milestones.iter().find(|m| m.id == mid).cloned();
                    return emit(
                        json,
                        &with_id(
                            &mid,
                            json!({ "goal_id": g.id, "title": m.as_ref().map(|m| m.title.clone()), "done": false }),
                        ),
                        || format!("Added milestone {mid} to {}", g.title),
                    );
                }
                GoalCommand::Milestone(MilestoneCommand::Done {
                    goal_id,
                    milestone_id,
                }) => s
                    .set_milestone_done(&goal_id, &milestone_id, true)
                    .map_err(e)?,
                GoalCommand::Milestone(MilestoneCommand::Undo {
                    goal_id,
                    milestone_id,
                }) => s
                    .set_milestone_done(&goal_id, &milestone_id, false)
                    .map_err(e)?,
            };
            emit(json, &view, || goal_text(&view))
        }
        Command::Note(cmd) => match cmd {
            NoteCommand::New { pair, title, text } => {
                let live = s
                    .pairs()
                    .map_err(e)?
                    .into_iter()
                    .filter(|p| !p.ended)
                    .count();
                let pair = match (pair, live) {
                    (Some(p), _) => Some(s.resolve_pair(Some(&p)).map_err(e)?.pair_id),
                    (None, 1) => Some(s.resolve_pair(None).map_err(e)?.pair_id),
                    (None, _) => None,
                };
                let n = s
                    .create_note_in(pair.as_deref(), &title, &text)
                    .map_err(e)?;
                let mut out = serde_json::to_value(&n).map_err(|e| e.to_string())?;
                out["pair"] = json!(pair);
                emit(json, &out, || match &pair {
                    Some(p) => format!("Created note {} shared with pair {}", n.id, &p[..8]),
                    None => format!("Created note {}", n.id),
                })
            }
            NoteCommand::Edit { id, text } => {
                let n = s.edit_note(&id, &text).map_err(e)?;
                emit(json, &n, || format!("Saved note {}", n.id))
            }
            NoteCommand::Show { id } => {
                let n = s.note(&id).map_err(e)?;
                emit(json, &n, || format!("{}\n\n{}", n.title, n.body))
            }
            NoteCommand::List => {
                let ns = s.notes().map_err(e)?;
                emit(json, &ns, || {
                    ns.iter()
                        .map(|n| format!("{}  {}", n.id, n.title))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
            }
        },
        Command::Insights { days } => {
            let i = s.insights(days).map_err(e)?;
            emit(json, &i, || {
                let mut lines = vec![format!(
                    "{} cravings from {} to {}",
                    i.cravings, i.from, i.to
                )];
                let peak = i.by_hour.iter().enumerate().max_by_key(|(_, n)| **n);
                if let Some((h, n)) = peak.filter(|(_, n)| **n > 0) {
                    lines.push(format!(
                        "Most cravings at {h:02}:00-{:02}:00 ({n})",
                        (h + 1) % 24
                    ));
                }
                for t in &i.top_triggers {
                    lines.push(format!("trigger {:>4}x  {}", t.count, t.trigger));
                }
                for h in &i.what_helped {
                    lines.push(format!(
                        "helped  {:>3.0}% resisted of {} uses  {}",
                        h.resisted_share * 100.0,
                        h.uses,
                        h.strategy
                    ));
                }
                if let Some(w) = i.weekly_intensity.last() {
                    lines.push(format!(
                        "Week of {}: average intensity {:.1} over {}",
                        w.week_start, w.average, w.count
                    ));
                }
                lines.join("\n")
            })
        }
        Command::Export { format, out } => {
            let x = s.export().map_err(e)?;
            let text = match format {
                ExportFormat::Json => x.to_json().map_err(e)?,
                ExportFormat::Markdown => x.to_markdown(),
            };
            match out {
                None => crate::output::print(text.trim_end()),
                Some(path) => {
                    write_private(&path, &text)?;
                    let done = json!({ "path": path, "bytes": text.len() });
                    emit(json, &done, || format!("Exported to {}.", path.display()))
                }
            }
        }
        Command::Import { file } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|err| format!("cannot read {}: {err}", file.display()))?;
            let export = tandem_core::export::Export::from_json(&text)
                .map_err(|err| format!("{}: {err}", file.display()))?;
            let done = s.import(&export).map_err(e)?;
            emit(json, &done, || {
                format!(
                    "Imported {} documents ({} changes).",
                    done.documents, done.changes
                )
            })
        }
        Command::Erase { .. } => {
            let report = store
                .erase(&[
                    home.join(KEY_FILE),
                    keyfile::next_path(&home.join(KEY_FILE)),
                    locked,
                ])
                .map_err(e)?;
            emit(json, &report, || {
                let mut lines = vec![format!(
                    "Removed {} files from this device.",
                    report.removed.len()
                )];
                for (file, why) in &report.not_removed {
                    lines.push(format!("Could not remove {}: {why}", file.display()));
                }
                lines.push(match &report.server {
                    None => "This device had no account at a sync server.".into(),
                    Some(tandem_core::erase::ServerErasure::Deleted {
                        server,
                        spaces_deleted,
                        ..
                    }) => format!(
                        "{server} deleted your account and {spaces_deleted} spaces you alone owned."
                    ),
                    Some(tandem_core::erase::ServerErasure::Failed { server, reason }) => {
                        format!("{server} still holds your account's encrypted data: {reason}")
                    }
                });
                lines.join("\n")
            })
        }
        Command::Lock | Command::Unlock | Command::Ui { .. } => {
            unreachable!("handled before the match")
        }
        Command::Rekey => {
            let rekeyed = keyfile::rotate(store, &home.join(KEY_FILE)).map_err(e)?;
            drop(rekeyed);
            emit(json, &json!({ "rekeyed": true }), || {
                "The store is encrypted under a new key.".into()
            })
        }
        Command::Sync { server } => {
            let connected = s.account().map_err(e)?.is_some();
            let report = match (connected, server) {
                (false, Some(url)) => s.connect(&url),
                (false, None) => Err(tandem_core::Error::NoServer),
                (true, Some(url)) => s.connect(&url),
                (true, None) => s.sync(),
            }
            .map_err(e)?;
            let status = s.sync_status().map_err(e)?;
            let out = json!({ "report": report, "status": status });
            emit(json, &out, || {
                let mut lines = vec![format!(
                    "Synced with {}: sent {}, received {} ({} new changes).",
                    status.server.as_deref().unwrap_or("?"),
                    report.pushed,
                    report.pulled,
                    report.applied
                )];
                if !report.refused.is_empty() {
                    lines.push(format!(
                        "Refused {} records that were tampered with or do not belong here.",
                        report.refused.len()
                    ));
                }
                lines.join("\n")
            })
        }
        Command::Pair(cmd) => match cmd {
            PairCommand::Invite { server } => {
                ensure_connected(s, server.as_deref())?;
                let code = s.pair_invite().map_err(e)?;
                s.sync().map_err(e)?;
                emit(json, &json!({ "code": code.as_str() }), || {
                    format!(
                        "{}\nGive this code to your mentor (read it out, or show it as a QR code). \
                         It works once, for 72 hours. It carries the key to what you share: \
                         give it to no one else.",
                        code.as_str()
                    )
                })
            }
            PairCommand::Join { code, server } => {
                ensure_connected(s, server.as_deref())?;
                let p = s.pair_join(&code).map_err(e)?;
                emit(json, &p, || {
                    format!(
                        "You now mentor {} (pair {}).",
                        p.other_name.as_deref().unwrap_or("your mentee"),
                        &p.pair_id[..8]
                    )
                })
            }
            PairCommand::List => {
                let ps = s.pairs().map_err(e)?;
                emit(json, &ps, || {
                    ps.iter()
                        .map(|p| {
                            format!(
                                "{}  {} of {}{}",
                                p.pair_id,
                                match p.side {
                                    tandem_core::pair::Side::Mentee => "mentee",
                                    tandem_core::pair::Side::Mentor => "mentor",
                                },
                                p.other_name.as_deref().unwrap_or("(not synced yet)"),
                                if p.ended { " (ended)" } else { "" }
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                })
            }
            PairCommand::End { id } => {
                let p = s.end_pair(&id).map_err(e)?;
                emit(json, &p, || {
                    "The pair has ended. What is on this device stays; \
                     the other phone keeps what it already synced."
                        .into()
                })
            }
        },
        Command::Share(args) => share(s, json, args, true),
        Command::Unshare(args) => share(s, json, args, false),
        Command::ReachOut { pair, text } => {
            let id = s.reach_out(pair.as_deref(), &text).map_err(e)?;
            let synced = s.sync().is_ok();
            emit(json, &json!({ "id": id, "synced": synced }), || {
                if synced {
                    "Your mentor will see this at the top of their list.".into()
                } else {
                    "Saved. It goes to your mentor as soon as this phone is online.".into()
                }
            })
        }
        Command::Mentor(MentorCommand::Overview) => {
            let o = s.mentor_overview(true).map_err(e)?;
            emit(json, &o, || {
                let mut lines = Vec::new();
                for m in &o {
                    lines.push(format!(
                        "{} (pair {}){}",
                        m.name.as_deref().unwrap_or("(not synced yet)"),
                        &m.pair_id[..8],
                        if m.ended { ", ended" } else { "" }
                    ));
                    for r in &m.open_reach_outs {
                        lines.push(format!("  REACHING OUT ({}): {}", r.id, r.text));
                    }
                    for t in &m.clean_time {
                        lines.push(format!(
                            "  {}: {} clean",
                            t.name,
                            words::count(t.clean_days, "day", "days")
                        ));
                    }
                    for g in &m.goals {
                        lines.push(format!(
                            "  goal {}: {}/{} milestones",
                            g.title,
                            g.milestones_done,
                            g.milestones.len()
                        ));
                    }
                    lines.push(format!(
                        "  {}. {}",
                        words::count(m.shared.len() as i64, "shared entry", "shared entries"),
                        words::since_last_look(&m.changes)
                    ));
                }
                lines.join("\n")
            })
        }
        Command::Mentor(MentorCommand::Ack { id }) => {
            s.acknowledge_reach_out(&id).map_err(e)?;
            let _ = s.sync();
            emit(json, &json!({ "id": id, "acknowledged": true }), || {
                "Acknowledged.".into()
            })
        }
        Command::Device(DeviceCommand::LinkCode) => {
            let code = s.link_code().map_err(e)?;
            emit(json, &json!({ "code": code.as_str() }), || {
                format!(
                    "{}\nType or scan this on your other device within 15 minutes: \
                     tandem device link CODE --server URL. It carries your key: show it to no one.",
                    code.as_str()
                )
            })
        }
        Command::Device(DeviceCommand::List) => {
            let ds = s.devices().map_err(e)?;
            emit(json, &ds, || {
                ds.iter()
                    .map(|d| {
                        format!(
                            "{}{}{}",
                            d.device_id,
                            if d.this_device { "  (this device)" } else { "" },
                            if d.unlinked { "  (unlinked)" } else { "" }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        Command::Device(DeviceCommand::Unlink { id }) => {
            let (d, recovery) = s.unlink_device(&id).map_err(e)?;
            let mut out = serde_json::to_value(&d).map_err(|e| e.to_string())?;
            out["recovery_key"] = json!(recovery.as_str());
            emit(json, &out, || {
                format!(
                    "Unlinked {}. The server no longer takes it, and what you write from now on \
                     is sealed under a new key it never gets. What it already held stays on it, \
                     behind its lock.\n\nYour recovery key changed too (shown this once):\n\n    {}",
                    d.device_id,
                    recovery.as_str()
                )
            })
        }
        Command::Device(DeviceCommand::Restore {
            recovery_key,
            server,
        }) => {
            let (report, new_key) = s.restore(&recovery_key, &server).map_err(e)?;
            let person = s.person().map_err(e)?;
            let out = json!({
                "name": person.name,
                "device_id": s.device_id(),
                "report": report,
                "recovery_key": new_key.as_str(),
            });
            emit(json, &out, || {
                format!(
                    "Restored. Welcome back, {}: {} changes arrived.\n\nYour old recovery key is \
                     used up. Your new one (shown this once):\n\n    {}",
                    person.name,
                    report.applied,
                    new_key.as_str()
                )
            })
        }
        Command::Device(DeviceCommand::Link { code, server }) => {
            let report = s.link(&code, &server).map_err(e)?;
            let person = s.person().map_err(e)?;
            let out = json!({ "name": person.name, "device_id": s.device_id(), "report": report });
            emit(json, &out, || {
                format!(
                    "Linked. Welcome back, {}: {} changes arrived.",
                    person.name, report.applied
                )
            })
        }
        Command::Settings {
            lock_after,
            app_name,
            reminder_hour,
        } => {
            let mut settings = s.settings().map_err(e)?;
            if let Some(secs) = lock_after {
                settings.lock_after_secs = secs;
            }
            if let Some(name) = app_name {
                settings.app_name = AppName::parse(&name).map_err(e)?;
            }
            if let Some(hour) = reminder_hour {
                settings.reminder_hour = match hour.as_str() {
                    "off" => None,
                    h => Some(h.parse().map_err(|_| {
                        "invalid reminder hour: an hour from 0 to 23, or off".to_string()
                    })?),
                };
            }
            let settings = s.set_settings(&settings).map_err(e)?;
            emit(json, &settings, || {
                format!(
                    "Locks after {} s in the background; shown as {}; check-in reminder {}.",
                    settings.lock_after_secs,
                    settings.app_name.label(),
                    settings
                        .reminder_hour
                        .map_or("off".to_string(), |h| format!("at {h}:00"))
                )
            })
        }
        Command::Notifications => {
            let app = s.settings().map_err(e)?.app_name;
            let due: Vec<_> = s
                .due_notices()
                .map_err(e)?
                .into_iter()
                .map(|n| notify::text(n, app))
                .collect();
            emit(json, &due, || {
                due.iter()
                    .map(|n| format!("{}: {}", n.title, n.body))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
    }
}
