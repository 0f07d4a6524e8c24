//! The command line, as clap types. Command names and flags are a contract:
//! scripts drive them.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Parser, Subcommand};

/// Tandem: a companion for peer mentoring in recovery.
#[derive(Debug, Parser)]
#[command(name = "tandem", version, about)]
pub struct Cli {
    /// The folder holding this device's store (default: ~/.local/share/tandem).
    #[arg(long, global = true, env = "TANDEM_HOME")]
    pub home: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Set up this device for a person.
    Init {
        /// Display name.
        #[arg(long)]
        name: String,
        /// IANA time zone, e.g. Europe/Berlin.
        #[arg(long)]
        timezone: String,
    },
    /// Change the time zone days are counted in (after a move or on a trip).
    Timezone {
        /// IANA time zone.
        timezone: String,
    },
    /// Recovery tracks and clean time.
    #[command(subcommand)]
    Track(TrackCommand),
    /// Today: clean time per track, next milestone, today's check-in, counts.
    Today,
    /// The private journal.
    #[command(subcommand)]
    Journal(JournalCommand),
    /// The trigger and craving log.
    #[command(subcommand)]
    Craving(CravingCommand),
    /// Save today's check-in (again to edit it the same day).
    Checkin {
        /// Mood 1-5.
        #[arg(long, allow_negative_numbers = true)]
        mood: i64,
        /// Craving 0-10.
        #[arg(long, allow_negative_numbers = true)]
        craving: i64,
        /// Used today.
        #[arg(long)]
        used: bool,
        /// A note.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Goals and their milestones.
    #[command(subcommand)]
    Goal(GoalCommand),
    /// Shared notes.
    #[command(subcommand)]
    Note(NoteCommand),
    /// A pair's meetings: the schedule you agree on, the record of each
    /// meeting, calendar export.
    #[command(subcommand)]
    Meet(MeetCommand),
    /// Insight series: cravings by hour and weekday, weekly intensity, triggers, what helped, mood.
    Insights {
        /// How many days back, today included.
        #[arg(long, default_value_t = 90)]
        days: u32,
    },
    /// Everything on this device: JSON (complete, re-importable) or Markdown (readable).
    Export {
        /// `json` or `markdown`.
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
        /// Write to this file (readable by you only) instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Restore a JSON export into this device's fresh store.
    Import {
        /// The export file.
        file: PathBuf,
    },
    /// Delete everything: the store, its key, and the account at the sync server.
    Erase {
        /// Confirm: nothing can be recovered afterwards.
        #[arg(long)]
        yes: bool,
    },
    /// Serve the app in a browser on loopback; the first line printed is the
    /// address to open (it carries this run's token).
    Ui {
        /// Loopback address and port to listen on (port 0: any free port).
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: std::net::SocketAddr,
    },
    /// Lock: every command is refused until `unlock`.
    Lock,
    /// Unlock with this device's key.
    Unlock,
    /// Re-encrypt the store under a new key and replace the key file.
    Rekey,
    /// Sync with the server: push what it lacks, pull what is new. The first
    /// time, `--server URL` connects this device (a new account and its
    /// private space there).
    Sync {
        /// The sync server's URL (needed the first time).
        #[arg(long)]
        server: Option<String>,
    },
    /// This person's devices.
    #[command(subcommand)]
    Device(DeviceCommand),
    /// Pairs of mentee and mentor.
    #[command(subcommand)]
    Pair(PairCommand),
    /// Share an item with your mentor (or, as a mentor, your clean time with a mentee).
    Share(ShareArgs),
    /// Stop sharing an item from now on (copies already synced stay on the mentor's phone).
    Unshare(ShareArgs),
    /// Tell your mentor you are struggling right now.
    ReachOut {
        /// The pair (its id or a unique prefix; may be left out with one pair).
        #[arg(long)]
        pair: Option<String>,
        /// A few words (optional).
        #[arg(long, default_value = "")]
        text: String,
    },
    /// What a mentor sees of their mentees.
    #[command(subcommand)]
    Mentor(MentorCommand),
    /// Show or change this device's settings.
    Settings {
        /// Seconds in the background before the app locks (0–3600).
        #[arg(long)]
        lock_after: Option<u32>,
        /// The name shown on the home screen and in notifications: Tandem, Notes, Daily or Steps.
        #[arg(long)]
        app_name: Option<String>,
        /// Hour (0–23) of the daily check-in reminder, or `off`.
        #[arg(long)]
        reminder_hour: Option<String>,
        /// Minutes before a meeting its reminder is due (0–1440; 0: off).
        #[arg(long)]
        meeting_lead: Option<u32>,
        /// Tell of anything new from the other side of a pair: `on` or `off`.
        #[arg(long)]
        pair_activity: Option<String>,
    },
    /// The notifications due now, exactly as the phone would show them.
    Notifications {
        /// Remember them as shown: a reach-out or pair activity is told of
        /// once (what a phone does after a wake-up's sync).
        #[arg(long)]
        announce: bool,
    },
    /// Wake-ups: this device's Web Push subscription at the sync server.
    #[command(subcommand)]
    Wakeup(WakeupCommand),
}

/// `wakeup …`
#[derive(Debug, Subcommand)]
pub enum WakeupCommand {
    /// Give the server a Web Push subscription to wake this device with
    /// (content-free: the push says only "sync now").
    Subscribe {
        /// The push service's endpoint URL (https://).
        #[arg(long)]
        endpoint: String,
        /// The subscription's P-256 public key, uncompressed, base64url
        /// (which may start with `-`).
        #[arg(long, allow_hyphen_values = true)]
        p256dh: String,
        /// The subscription's 16-byte auth secret, base64url (which may
        /// start with `-`).
        #[arg(long, allow_hyphen_values = true)]
        auth: String,
    },
    /// Subscribe through a wake-up gateway (`tandem-wakeup-gateway`): it
    /// turns the token of a phone's push service into an endpoint the
    /// server can wake, without the server learning the token.
    Gateway {
        /// The gateway's URL (https://).
        #[arg(long)]
        url: String,
        /// The push service: fcm or apns.
        #[arg(long, value_parser = ["fcm", "apns"])]
        provider: String,
        /// The phone's token at that push service.
        #[arg(long)]
        token: String,
    },
    /// Remove the subscription here and at the server.
    Unsubscribe,
}

/// `pair …`
#[derive(Debug, Subcommand)]
pub enum PairCommand {
    /// As a mentee: make an invite code for your mentor (single use, 72 hours).
    Invite {
        /// The sync server's URL (connects this device if it is not yet).
        #[arg(long)]
        server: Option<String>,
    },
    /// As a mentor: join the pair whose invite code the mentee gave you.
    Join {
        /// The invite code, or `-` to read it from standard input (keeps it
        /// out of `ps` and the shell's history).
        code: String,
        /// The sync server's URL (connects this device if it is not yet).
        #[arg(long)]
        server: Option<String>,
    },
    /// List your pairs.
    List,
    /// End a pair: the mentor loses access to anything new.
    End {
        /// The pair's id (or a unique prefix).
        id: String,
    },
    /// After a warning about the other person's identity: confirm the
    /// identity their phone shows now, once you both compared its safety
    /// code (the pair's `pending_safety_code`) on a call or in person.
    Verify {
        /// The pair's id (or a unique prefix).
        id: String,
        /// The safety code you compared (four groups of five digits).
        #[arg(long)]
        code: String,
    },
}

/// `share …` and `unshare …`
#[derive(Debug, Args)]
pub struct ShareArgs {
    /// What to share: goal, journal, craving, or clean-time.
    #[arg(value_enum)]
    pub kind: ShareWhat,
    /// The item's id (not for clean-time).
    pub id: Option<String>,
    /// The pair (its id or a unique prefix; may be left out with one pair;
    /// `unshare` without it takes the item from every pair it is in).
    #[arg(long)]
    pub pair: Option<String>,
}

/// What `share` shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShareWhat {
    /// A goal: it moves to the pair, with its milestones.
    Goal,
    /// A journal entry: copied to the pair.
    Journal,
    /// A craving: copied to the pair.
    Craving,
    /// Your clean time, shown to the other side of the pair.
    CleanTime,
}

/// `mentor …`
#[derive(Debug, Subcommand)]
pub enum MentorCommand {
    /// Each mentee: clean time, goals and progress, shared entries, open
    /// reach-outs, and what changed since you last looked.
    Overview,
    /// Acknowledge a reach-out.
    Ack {
        /// The reach-out's id.
        id: String,
    },
}

/// `device …`
#[derive(Debug, Subcommand)]
pub enum DeviceCommand {
    /// Show a single-use code (15 minutes) that links another device to you.
    LinkCode,
    /// List your devices.
    List,
    /// Unlink a lost device: the server stops taking it, and what you write
    /// next is sealed under a key it never gets.
    Unlink {
        /// The device's id (from `device list`).
        id: String,
    },
    /// Confirm that a device flagged as not in your device log is yours (a
    /// device that synced with this version only after you had linked or
    /// unlinked another): it gets keys from then on. Only if you know it.
    Confirm {
        /// The device's id (from `device list`).
        id: String,
        /// The code the device shows for itself (`device list` there, on
        /// the line marked "this device"): confirmed only if it matches
        /// the code of the keys the device asked to join with.
        #[arg(long)]
        code: Option<String>,
    },
    /// Restore everything on this fresh device from your recovery key.
    Restore {
        /// The recovery key shown when you set up Tandem, or `-` to read it
        /// from standard input (keeps it out of `ps` and the shell's history).
        #[arg(long)]
        recovery_key: String,
        /// The sync server's URL.
        #[arg(long)]
        server: String,
    },
    /// Link this fresh device to you with a code from another of your devices.
    Link {
        /// The code shown by `device link-code`, or `-` to read it from
        /// standard input (keeps it out of `ps` and the shell's history).
        code: String,
        /// The sync server's URL.
        #[arg(long)]
        server: String,
    },
}

/// The formats of `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// Machine-readable, complete, re-importable.
    Json,
    /// Readable by people.
    Markdown,
}

/// `track …`
#[derive(Debug, Subcommand)]
pub enum TrackCommand {
    /// Add a track.
    Add {
        /// What you are recovering from, in your words.
        #[arg(long)]
        name: String,
        /// First day clean (YYYY-MM-DD; may be in the past).
        #[arg(long, value_parser = parse_date)]
        since: NaiveDate,
    },
    /// Record a relapse or reset: a new start date. History is kept.
    Reset {
        /// The track's id.
        id: String,
        /// The first day of the new attempt (YYYY-MM-DD).
        #[arg(long, value_parser = parse_date)]
        date: NaiveDate,
        /// A note.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// List tracks with clean time.
    List,
}

/// Options shared by the list commands.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Most items to list.
    #[arg(long, default_value_t = 100)]
    pub limit: u32,
}

/// `journal …`
#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Write an entry.
    Add {
        /// The text.
        #[arg(long)]
        text: String,
        /// Mood 1-5.
        #[arg(long, allow_negative_numbers = true)]
        mood: Option<i64>,
        /// A tag (repeat for more).
        #[arg(long = "tag")]
        tags: Vec<String>,
    },
    /// List entries, newest first.
    List(ListArgs),
    /// Show one entry.
    Show {
        /// The entry's id.
        id: String,
    },
    /// Edit an entry's text (and mood or tags when given).
    Edit {
        /// The entry's id.
        id: String,
        /// The new text.
        #[arg(long)]
        text: String,
        /// New mood 1-5.
        #[arg(long, allow_negative_numbers = true)]
        mood: Option<i64>,
        /// New tags (replace the old ones).
        #[arg(long = "tag")]
        tags: Vec<String>,
    },
    /// Delete an entry.
    Delete {
        /// The entry's id.
        id: String,
    },
}

/// `craving …`
#[derive(Debug, Subcommand)]
pub enum CravingCommand {
    /// Log a craving.
    Add {
        /// What triggered it.
        #[arg(long)]
        trigger: String,
        /// Intensity 0-10.
        #[arg(long, allow_negative_numbers = true)]
        intensity: i64,
        /// Situation: place, people, feeling (repeat for more).
        #[arg(long)]
        situation: Vec<String>,
        /// What helped (repeat for more).
        #[arg(long)]
        helped: Vec<String>,
        /// How it ended: resisted or used.
        #[arg(long)]
        outcome: Option<String>,
        /// A note.
        #[arg(long, default_value = "")]
        note: String,
        /// When it happened (RFC 3339); default now.
        #[arg(long, value_parser = parse_instant)]
        at: Option<DateTime<Utc>>,
    },
    /// List cravings, newest first.
    List(ListArgs),
    /// Show one craving.
    Show {
        /// The craving's id.
        id: String,
    },
    /// Delete a craving.
    Delete {
        /// The craving's id.
        id: String,
    },
}

/// `goal …`
#[derive(Debug, Subcommand)]
pub enum GoalCommand {
    /// Add a goal.
    Add {
        /// Title.
        #[arg(long)]
        title: String,
        /// Why it matters.
        #[arg(long, default_value = "")]
        why: String,
        /// Target date (YYYY-MM-DD).
        #[arg(long, value_parser = parse_date)]
        target: Option<NaiveDate>,
    },
    /// List goals.
    List,
    /// Mark a goal done.
    Done {
        /// The goal's id.
        id: String,
    },
    /// Set a goal aside.
    Drop {
        /// The goal's id.
        id: String,
    },
    /// Work on a goal again.
    Reopen {
        /// The goal's id.
        id: String,
    },
    /// A goal's milestones.
    #[command(subcommand)]
    Milestone(MilestoneCommand),
}

/// `goal milestone …`
#[derive(Debug, Subcommand)]
pub enum MilestoneCommand {
    /// Add a milestone to a goal.
    Add {
        /// The goal's id.
        goal_id: String,
        /// Title.
        #[arg(long)]
        title: String,
    },
    /// Mark a milestone done.
    Done {
        /// The goal's id.
        goal_id: String,
        /// The milestone's id.
        milestone_id: String,
    },
    /// Mark a milestone not done.
    Undo {
        /// The goal's id.
        goal_id: String,
        /// The milestone's id.
        milestone_id: String,
    },
}

/// `note …`
#[derive(Debug, Subcommand)]
pub enum NoteCommand {
    /// Start a note: shared with your pair (with `--pair`, or when you have
    /// exactly one), else private.
    New {
        /// The pair (its id or a unique prefix).
        #[arg(long)]
        pair: Option<String>,
        /// Title.
        #[arg(long)]
        title: String,
        /// Body.
        #[arg(long, default_value = "")]
        text: String,
    },
    /// Replace a note's body (merged character by character with others' edits).
    Edit {
        /// The note's id.
        id: String,
        /// The new body.
        #[arg(long)]
        text: String,
    },
    /// Show one note.
    Show {
        /// The note's id.
        id: String,
    },
    /// List notes.
    List,
}

/// `meet …`
#[derive(Debug, Subcommand)]
pub enum MeetCommand {
    /// Agree on a repeating meeting: `--every week --on sun,wed` or
    /// `--every 3` (every 3 days), at a local time in a named zone.
    Schedule {
        /// The pair (its id or a unique prefix; with one pair, optional).
        #[arg(long)]
        pair: Option<String>,
        /// `week` (with `--on`), `day`, or a number of days (`3`, `3d`).
        #[arg(long)]
        every: String,
        /// Weekly: the days, e.g. `sun,wed`.
        #[arg(long)]
        on: Option<String>,
        /// The local time, `HH:MM`, in `--zone`.
        #[arg(long)]
        at: String,
        /// The IANA zone the two of you agree on, e.g. Europe/Berlin.
        #[arg(long)]
        zone: String,
        /// `call`, `video` or `in_person`.
        #[arg(long, default_value = "call")]
        kind: String,
        /// Where.
        #[arg(long)]
        place: Option<String>,
        /// The first day it applies (default: today in `--zone`).
        #[arg(long, value_parser = parse_date)]
        from: Option<NaiveDate>,
    },
    /// Agree on one meeting at a local date and time in a named zone.
    Once {
        /// The pair (its id or a unique prefix; with one pair, optional).
        #[arg(long)]
        pair: Option<String>,
        /// `YYYY-MM-DDTHH:MM` in `--zone`.
        #[arg(long)]
        at: String,
        /// The IANA zone, e.g. Europe/Berlin.
        #[arg(long)]
        zone: String,
        /// `call`, `video` or `in_person`.
        #[arg(long, default_value = "call")]
        kind: String,
        /// Where.
        #[arg(long)]
        place: Option<String>,
    },
    /// Meetings ahead (and, with `--past`, behind), soonest first.
    List {
        /// Only this pair.
        #[arg(long)]
        pair: Option<String>,
        /// How many days ahead.
        #[arg(long, default_value_t = 14)]
        days: u32,
        /// How many days back.
        #[arg(long, default_value_t = 0)]
        past: u32,
    },
    /// One meeting: both marks, the note.
    Show {
        /// The meeting's id (from `meet list`).
        id: String,
    },
    /// Mark a meeting held, missed, or moved to another time.
    Mark {
        /// The meeting's id (from `meet list`).
        id: String,
        /// It took place.
        #[arg(long, conflicts_with_all = ["missed", "moved_to"], required_unless_present_any = ["missed", "moved_to"])]
        held: bool,
        /// It did not.
        #[arg(long, conflicts_with = "moved_to")]
        missed: bool,
        /// It moves to `YYYY-MM-DDTHH:MM` in the meeting's zone.
        #[arg(long)]
        moved_to: Option<String>,
        /// Set the meeting's shared note.
        #[arg(long)]
        note: Option<String>,
    },
    /// Replace a meeting's shared note (merged with the other person's edits).
    Note {
        /// The meeting's id.
        id: String,
        /// The note.
        #[arg(long)]
        text: String,
    },
    /// Ask the other person to meet at another time.
    Ask {
        /// The meeting's id.
        id: String,
        /// A short message.
        #[arg(long, default_value = "")]
        text: String,
    },
    /// The schedules.
    Plans {
        /// Only this pair.
        #[arg(long)]
        pair: Option<String>,
    },
    /// Change a schedule (the fields given).
    Edit {
        /// The schedule's id (from `meet plans`).
        id: String,
        /// `week` (with `--on`), `day`, or a number of days.
        #[arg(long)]
        every: Option<String>,
        /// Weekly: the days.
        #[arg(long)]
        on: Option<String>,
        /// The local time, `HH:MM`.
        #[arg(long)]
        at: Option<String>,
        /// The IANA zone.
        #[arg(long)]
        zone: Option<String>,
        /// `call`, `video` or `in_person`.
        #[arg(long)]
        kind: Option<String>,
        /// Where.
        #[arg(long)]
        place: Option<String>,
    },
    /// End a schedule: no meetings after today; the record stays.
    End {
        /// The schedule's id.
        id: String,
    },
    /// Write every schedule as an iCalendar file for your calendar app
    /// (readable by you only; no notes in it).
    Ics {
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
    },
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a date like 2026-01-31"))
}

/// Parses an RFC 3339 instant such as `2026-01-31T18:30:00+01:00`.
pub fn parse_instant(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|_| format!("{s:?} is not an RFC 3339 time like 2026-01-31T18:30:00+01:00"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base64url_key_that_starts_with_a_dash_is_a_value_not_a_flag() {
        let cli = Cli::try_parse_from([
            "tandem",
            "wakeup",
            "subscribe",
            "--endpoint",
            "https://push.example/x",
            "--p256dh",
            "-BM8pyV",
            "--auth",
            "-5bR_V867TaQ7oH4VtFscg",
        ])
        .unwrap();
        let Command::Wakeup(WakeupCommand::Subscribe { p256dh, auth, .. }) = cli.command else {
            panic!("{cli:?}");
        };
        assert_eq!(
            (p256dh.as_str(), auth.as_str()),
            ("-BM8pyV", "-5bR_V867TaQ7oH4VtFscg")
        );
    }
}
