//! Meetings over real HTTP: a mentee (Berlin) and a mentor (New York),
//! paired through a sync server on loopback, each with `tandem ui` over
//! their own store and one shared fixed clock. A schedule set up in the
//! form lists its meetings at each person's own time, marks and notes are
//! kept, the calendar downloads, Today offers "ask to reschedule", the
//! mentor overview flags meetings that stopped, and bad input gets an
//! error page, never a server error.

use std::net::SocketAddr;
use std::sync::{Arc, mpsc};

use chrono::{DateTime, Utc};
use tandem_core::{App, Durability, FixedClock, Options, StoreKey};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("time")
        .with_timezone(&Utc)
}

/// One `tandem ui`, with the token cookie and CSRF token in hand.
struct Ui {
    origin: String,
    cookie: String,
    csrf: String,
    client: reqwest::blocking::Client,
}

/// An answer: status, where it redirects, content type and disposition,
/// body.
struct Answer {
    status: u16,
    location: Option<String>,
    content_type: String,
    disposition: String,
    body: String,
}

impl Answer {
    fn from(answer: reqwest::blocking::Response) -> Answer {
        let header = |name: &str| {
            answer
                .headers()
                .get(name)
                .map(|v| v.to_str().expect("text").to_owned())
        };
        Answer {
            status: answer.status().as_u16(),
            location: header("location"),
            content_type: header("content-type").unwrap_or_default(),
            disposition: header("content-disposition").unwrap_or_default(),
            body: answer.text().expect("body"),
        }
    }
}

/// `tandem ui` over `app`.
fn serve(app: App) -> Ui {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let listen: SocketAddr = "127.0.0.1:0".parse().expect("addr");
        tandem_web::serve(app, vec![], listen, |url| {
            tx.send(url.to_owned()).expect("send")
        })
        .expect("serve");
    });
    let url = rx.recv().expect("the UI starts");
    // reqwest is built without a default TLS provider here (the core picks ring).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let answer = client.get(&url).send().expect("start");
    let cookie = answer.headers()["set-cookie"]
        .to_str()
        .expect("text")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    let mut ui = Ui {
        origin: url.split("/?token=").next().expect("origin").to_owned(),
        cookie,
        csrf: String::new(),
        client,
    };
    let page = ui.get("/settings").body;
    ui.csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a csrf field")
        .to_owned();
    ui
}

impl Ui {
    fn get(&self, path: &str) -> Answer {
        Answer::from(
            self.client
                .get(format!("{}{path}", self.origin))
                .header("cookie", &self.cookie)
                .send()
                .expect("get"),
        )
    }

    /// The body of `path`, which must answer 200.
    fn page(&self, path: &str) -> String {
        let a = self.get(path);
        assert_eq!(a.status, 200, "{path}: {}", a.body);
        a.body
    }

    /// Posts `fields` and the CSRF token to `path`.
    fn post(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf", &self.csrf));
        Answer::from(
            self.client
                .post(format!("{}{path}", self.origin))
                .header("cookie", &self.cookie)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(serde_urlencoded::to_string(&form).expect("form"))
                .send()
                .expect("post"),
        )
    }

    /// Posts a form that must succeed with a redirect to `to`.
    fn post_ok(&self, path: &str, fields: &[(&str, &str)], to: &str) {
        let a = self.post(path, fields);
        assert_eq!(
            (a.status, a.location.as_deref()),
            (303, Some(to)),
            "{path}: {}",
            a.body
        );
    }

    fn sync(&self) {
        self.post_ok("/sync", &[], "/settings");
    }
}

/// A person's device in `dir`, set up in `zone` and connected to `server`.
fn person(
    dir: &std::path::Path,
    name: &str,
    zone: &str,
    clock: &Arc<FixedClock>,
    server: &str,
) -> App {
    let app = App::open(
        dir.join(format!("{name}.db")),
        StoreKey::generate(),
        Options {
            durability: Durability::Normal,
            clock: clock.clone(),
            ..Options::default()
        },
    )
    .expect("open");
    app.init(name, zone).expect("init");
    app.connect(server).expect("connect");
    app
}

/// Robin the mentee in Berlin and Alex the mentor in New York, paired
/// through a server on loopback, each with their UI, on Monday
/// 1 March 2027 at noon UTC.
struct World {
    clock: Arc<FixedClock>,
    mentee: Ui,
    mentor: Ui,
    _dir: tempfile::TempDir,
}

fn paired() -> World {
    let dir = tempfile::tempdir().expect("dir");
    let server = tandem_sync_server::spawn_local(&dir.path().join("server.db")).expect("server");
    let clock = Arc::new(FixedClock::new(at("2027-03-01T12:00:00Z")));
    let mentee = person(dir.path(), "Robin", "Europe/Berlin", &clock, &server);
    let mentor = person(dir.path(), "Alex", "America/New_York", &clock, &server);
    let code = mentee.pairs().invite().expect("invite");
    mentee.sync_now().expect("sync");
    mentor.pairs().join(&code).expect("join");
    mentee.sync_now().expect("sync");
    World {
        clock,
        mentee: serve(mentee),
        mentor: serve(mentor),
        _dir: dir,
    }
}

/// The form fields of a schedule: Sundays and Wednesdays at 19:00 in
/// Berlin from 1 March 2027, a call, with a place that needs escaping.
const SUN_WED: [(&str, &str); 8] = [
    ("every", "weekly"),
    ("sun", "yes"),
    ("wed", "yes"),
    ("date", "2027-03-01"),
    ("time", "19:00"),
    ("zone", "Europe/Berlin"),
    ("kind", "call"),
    ("place", "Café <Mitte> & co"),
];

/// The ids after `prefix` (32 hex digits, then for meetings `.YYYYMMDD`)
/// in `page`, in page order, each once.
fn ids(page: &str, prefix: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for rest in page.split(prefix).skip(1) {
        let id: String = rest
            .chars()
            .take_while(|c| c.is_ascii_hexdigit() || *c == '.')
            .collect();
        if id.len() >= 32 && !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// The days of the weekly `RRULE` in an iCalendar file, sorted (their order
/// in `BYDAY` carries no meaning).
fn weekly_days(ics: &str) -> Vec<String> {
    let rule = ics
        .lines()
        .find_map(|l| l.trim_end().strip_prefix("RRULE:"))
        .expect("a repeating event");
    let parts: Vec<&str> = rule.split(';').collect();
    assert!(parts.contains(&"FREQ=WEEKLY"), "{rule}");
    let mut days: Vec<String> = parts
        .iter()
        .find_map(|p| p.strip_prefix("BYDAY="))
        .expect("BYDAY")
        .split(',')
        .map(str::to_owned)
        .collect();
    days.sort();
    days
}

/// The id of the meeting of `day` (`YYYYMMDD`) linked from `page`.
fn meeting_on(page: &str, day: &str) -> String {
    ids(page, "href=\"/meetings/")
        .into_iter()
        .find(|id| id.ends_with(&format!(".{day}")))
        .unwrap_or_else(|| panic!("no meeting on {day} in {page}"))
}

#[test]
fn a_schedule_set_up_in_the_form_lists_its_meetings_at_each_persons_own_time() {
    let w = paired();
    let page = w.mentor.page("/meetings");
    assert!(page.contains("New schedule"), "{page}");
    assert!(
        page.contains(r#"name="zone" type="text" required list="zones" autocomplete="off" value="America/New_York""#),
        "the zone defaults to the person's own: {page}"
    );
    assert!(
        !page.contains("<select") || !page.contains(r#"name="pair"><option"#),
        "one pair: no pair to choose"
    );
    assert!(
        page.contains(r#"type="hidden" name="pair""#),
        "one pair: sent without asking"
    );
    assert!(page.contains(r#"href="/meetings" aria-current="page""#));

    w.mentor.post_ok("/meetings", &SUN_WED, "/meetings");
    let page = w.mentor.page("/meetings");
    assert!(
        page.contains("Every week on Wed, Sun at 19:00 (Europe/Berlin)"),
        "{page}"
    );
    assert!(page.contains("Café &lt;Mitte&gt; &amp; co"), "escaped");
    assert!(!page.contains("<Mitte>"));
    // Wednesday 3 March, 19:00 in Berlin, is 13:00 in New York.
    assert!(page.contains("Wed  3 Mar 2027, 13:00"), "{page}");
    assert!(page.contains("(19:00 in Europe/Berlin)"), "{page}");
    assert!(page.contains("Next: Wed  3 Mar 2027, 13:00"), "{page}");
    let wednesday = meeting_on(&page, "20270303");

    // The mentee, in Berlin, sees the same meeting at 19:00, the agreed
    // zone's time, with no second time beside it.
    w.mentor.sync();
    w.mentee.sync();
    let page = w.mentee.page("/meetings");
    assert_eq!(meeting_on(&page, "20270303"), wednesday);
    assert!(page.contains("Wed  3 Mar 2027, 19:00</time></a>"), "{page}");
    assert!(!page.contains("in Europe/Berlin)"), "{page}");

    // The calendar file.
    let ics = w.mentor.get("/meetings.ics");
    assert_eq!(ics.status, 200);
    assert!(
        ics.content_type.starts_with("text/calendar"),
        "{}",
        ics.content_type
    );
    assert!(
        ics.disposition.starts_with("attachment") && ics.disposition.contains(".ics"),
        "{}",
        ics.disposition
    );
    assert_eq!(weekly_days(&ics.body), ["SU", "WE"], "{}", ics.body);
    assert!(ics.body.contains("TZID=Europe/Berlin"), "{}", ics.body);

    // Changing the schedule, then ending it.
    let plan = ids(&w.mentor.page("/meetings"), "action=\"/meetings/plans/")
        .into_iter()
        .next()
        .expect("a schedule to change");
    w.mentor.post_ok(
        &format!("/meetings/plans/{plan}"),
        &[
            ("every", "days"),
            ("n", "3"),
            ("date", "2027-02-25"),
            ("time", "08:30"),
            ("zone", "America/New_York"),
            ("kind", "video"),
            ("place", ""),
        ],
        "/meetings",
    );
    let page = w.mentor.page("/meetings");
    assert!(
        page.contains("Every 3 days from Thu 25 Feb 2027 at 08:30 (America/New_York)"),
        "{page}"
    );
    assert!(page.contains("Wed  3 Mar 2027, 08:30</time>"), "{page}");
    assert!(page.contains("Video call"));
    // Ended today (Monday 1 March): the meetings of 25 and 28 February
    // stay, none comes after.
    w.mentor
        .post_ok(&format!("/meetings/plans/{plan}/end"), &[], "/meetings");
    let page = w.mentor.page("/meetings");
    assert!(page.contains(", until Mon  1 Mar 2027"), "{page}");
    assert!(page.contains("No meeting ahead."), "{page}");
}

#[test]
fn marks_notes_and_moves_are_kept_and_differing_marks_show_both() {
    let w = paired();
    w.mentor.post_ok("/meetings", &SUN_WED, "/meetings");
    let wednesday = meeting_on(&w.mentor.page("/meetings"), "20270303");
    let record = format!("/meetings/{wednesday}");

    // Ahead: it cannot be marked held yet, but it can be moved or asked about.
    let page = w.mentor.page(&record);
    assert!(!page.contains("It was held"), "{page}");
    assert!(page.contains("type=\"datetime-local\""));
    assert!(page.contains("Ask to reschedule"));
    let early = w.mentor.post(&format!("{record}/mark"), &[("as", "held")]);
    assert_eq!(early.status, 400, "{}", early.body);
    assert!(early.body.contains("once it has started"), "{}", early.body);

    // It started at 18:00 UTC.
    w.clock.set(at("2027-03-03T18:30:00Z"));
    let page = w.mentor.page(&record);
    assert!(page.contains("It was held") && page.contains("It was missed"));
    assert!(!page.contains("Ask to reschedule"), "it has started");
    w.mentor
        .post_ok(&format!("{record}/mark"), &[("as", "held")], &record);
    assert!(w.mentor.page(&record).contains("<dd>Held</dd>"));
    w.mentor.post_ok(
        &format!("{record}/note"),
        &[("note", "Talked about <b>work</b>")],
        &record,
    );
    let page = w.mentor.page(&record);
    assert!(
        page.contains("Talked about &lt;b&gt;work&lt;/b&gt;"),
        "{page}"
    );

    // The mentee marks it missed: once synced, both marks show, each
    // person's own as "You".
    w.mentor.sync();
    w.mentee.sync();
    w.mentee
        .post_ok(&format!("{record}/mark"), &[("as", "missed")], &record);
    w.mentee.sync();
    w.mentor.sync();
    let page = w.mentor.page(&record);
    assert!(page.contains("Mentee: missed · You: held"), "{page}");
    assert!(page.contains("Marked differently"));
    assert!(
        page.contains("Talked about &lt;b&gt;work&lt;/b&gt;"),
        "the note is shared"
    );
    assert!(
        w.mentee
            .page(&record)
            .contains("You: missed · Mentor: held")
    );
    assert!(
        w.mentor
            .page("/meetings")
            .contains("Mentee: missed · You: held")
    );

    // Sunday's meeting moves to Monday 8 March, 19:00 in Berlin: 13:00 in
    // New York.
    let sunday = meeting_on(&w.mentor.page("/meetings"), "20270307");
    let record = format!("/meetings/{sunday}");
    w.mentor.post_ok(
        &format!("{record}/mark"),
        &[("as", "moved"), ("to", "2027-03-08T19:00")],
        &record,
    );
    let page = w.mentor.page(&record);
    assert!(page.contains("Mon  8 Mar 2027, 13:00"), "{page}");
    assert!(page.contains("<dd>Moved</dd>"), "{page}");
    assert!(page.contains("First planned for"), "{page}");
}

#[test]
fn today_offers_one_tap_reschedule_and_the_overview_flags_meetings_that_stopped() {
    let w = paired();
    w.mentee.post_ok("/meetings", &SUN_WED, "/meetings");
    w.mentee.sync();
    w.mentor.sync();

    let today = w.mentee.page("/");
    assert!(today.contains("Next meeting"), "{today}");
    assert!(today.contains("Wed  3 Mar 2027, 19:00"), "{today}");
    assert!(today.contains("Ask to reschedule"), "{today}");
    let wednesday = meeting_on(&today, "20270303");
    w.mentee.post_ok(
        &format!("/meetings/{wednesday}/ask"),
        &[("back", "today")],
        "/",
    );
    let today = w.mentee.page("/");
    assert!(!today.contains("Ask to reschedule"), "asked once: {today}");
    assert!(today.contains("Another time was asked for."));

    // The mentor's Today shows the meeting at their own time, without the
    // mentee's button.
    let today = w.mentor.page("/");
    assert!(today.contains("Wed  3 Mar 2027, 13:00"), "{today}");
    assert!(!today.contains("Ask to reschedule"));

    w.mentee.sync();
    w.mentor.sync();
    let overview = w.mentor.page("/mentor");
    assert!(overview.contains("<h3>Meetings</h3>"), "{overview}");
    assert!(overview.contains("Last held: none yet"), "{overview}");
    assert!(
        overview.contains("Kept in the last 8 weeks: 0"),
        "{overview}"
    );
    assert!(
        overview.contains("Asked to reschedule: 1 meeting."),
        "{overview}"
    );

    // Wednesday is held; the two Sundays and Wednesdays after it are not,
    // the last two marked missed: the overview flags both.
    w.clock.set(at("2027-03-03T19:00:00Z"));
    w.mentor.post_ok(
        &format!("/meetings/{wednesday}/mark"),
        &[("as", "held")],
        &format!("/meetings/{wednesday}"),
    );
    w.clock.set(at("2027-03-21T20:00:00Z"));
    let page = w.mentor.page("/meetings");
    for day in ["20270317", "20270321"] {
        let id = meeting_on(&page, day);
        w.mentor.post_ok(
            &format!("/meetings/{id}/mark"),
            &[("as", "missed")],
            &format!("/meetings/{id}"),
        );
    }
    let overview = w.mentor.page("/mentor");
    assert!(
        overview.contains("Last held: Wed  3 Mar 2027, 13:00 (18 days ago)"),
        "{overview}"
    );
    assert!(
        overview.contains("Kept in the last 8 weeks: 1"),
        "{overview}"
    );
    assert!(
        overview.contains("The last two meetings were missed."),
        "{overview}"
    );
    assert!(overview.contains("No meeting in 18 days."), "{overview}");
}

#[test]
fn bad_input_gets_an_error_page_that_says_what_was_wrong() {
    let w = paired();
    let with = |field: &str, value: &'static str| {
        SUN_WED
            .iter()
            .map(|&(k, v)| if k == field { (k, value) } else { (k, v) })
            .collect::<Vec<_>>()
    };
    for (fields, says) in [
        (
            with("zone", "Mars/Base"),
            "Mars/Base&quot; is not a time zone",
        ),
        (with("time", "7pm"), "is not a time (HH:MM)"),
        (with("date", "soon"), "is not a date (YYYY-MM-DD)"),
        (
            with("kind", "carrier pigeon"),
            "one of call, video, in_person",
        ),
        (
            with("every", "fortnightly"),
            "once, every week or every N days",
        ),
        (with("every", "days"), "is not a whole number"),
    ] {
        let a = w.mentor.post("/meetings", &fields);
        assert_eq!(a.status, 400, "{fields:?}: {}", a.body);
        assert!(a.body.contains("role=\"alert\""), "{}", a.body);
        assert!(a.body.contains(says), "{says}: {}", a.body);
    }
    let no_day: Vec<_> = SUN_WED
        .iter()
        .copied()
        .filter(|(k, _)| *k != "sun" && *k != "wed")
        .collect();
    let a = w.mentor.post("/meetings", &no_day);
    assert_eq!(a.status, 400);
    assert!(a.body.contains("name at least one weekday"), "{}", a.body);
    assert!(
        w.mentor
            .page("/meetings")
            .contains("No meeting times agreed yet."),
        "nothing was written"
    );

    // Without the CSRF token, nothing is read.
    let forged = w
        .mentor
        .client
        .post(format!("{}/meetings", w.mentor.origin))
        .header("cookie", &w.mentor.cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("every=once&date=2027-03-01&time=19:00&zone=UTC&kind=call")
        .send()
        .expect("post");
    assert_eq!(forged.status(), 403);

    w.mentor.post_ok("/meetings", &SUN_WED, "/meetings");
    let wednesday = meeting_on(&w.mentor.page("/meetings"), "20270303");
    let a = w.mentor.post(
        &format!("/meetings/{wednesday}/mark"),
        &[("as", "moved"), ("to", "next week")],
    );
    assert_eq!(a.status, 400);
    assert!(
        a.body.contains("is not a local date and time"),
        "{}",
        a.body
    );
    let a = w.mentor.post(
        &format!("/meetings/{wednesday}/mark"),
        &[("as", "cancelled")],
    );
    assert_eq!(a.status, 400);

    // A day the schedule has no meeting on, and an id that is not one.
    let plan = wednesday.split('.').next().expect("plan");
    let a = w.mentor.get(&format!("/meetings/{plan}.20270302"));
    assert_eq!(a.status, 404, "{}", a.body);
    let a = w.mentor.get("/meetings/nonsense");
    assert_eq!(a.status, 400, "{}", a.body);
    assert!(a.body.contains("is not a meeting id"), "{}", a.body);
    let a = w
        .mentor
        .post(&format!("/meetings/plans/{}/end", "0".repeat(32)), &[]);
    assert_eq!(a.status, 404, "{}", a.body);
}

#[test]
fn without_a_pair_the_page_says_why_and_the_reminder_lead_time_is_a_setting() {
    let dir = tempfile::tempdir().expect("dir");
    let app = App::open(
        dir.path().join("alone.db"),
        StoreKey::generate(),
        Options::default(),
    )
    .expect("open");
    app.init("Sam", "UTC").expect("init");
    // Used, so the device opens on Today.
    app.journal()
        .add(tandem_core::journal::JournalInput {
            text: "first".into(),
            mood: None,
            tags: vec![],
        })
        .expect("write");
    let ui = serve(app);
    let page = ui.page("/meetings");
    assert!(page.contains("pair up in"), "{page}");
    assert!(!page.contains("New schedule"));
    let today = ui.page("/");
    assert!(!today.contains("Next meeting"));

    let page = ui.page("/settings");
    assert!(
        page.contains("Meeting reminder 30 minutes before."),
        "{page}"
    );
    ui.post_ok(
        "/settings/meeting-reminder",
        &[("minutes", "15")],
        "/settings",
    );
    let page = ui.page("/settings");
    assert!(
        page.contains("Meeting reminder 15 minutes before."),
        "{page}"
    );
    assert!(page.contains(r#"value="15""#));
    ui.post_ok(
        "/settings/meeting-reminder",
        &[("minutes", "0")],
        "/settings",
    );
    assert!(ui.page("/settings").contains("No meeting reminder."));
    for bad in ["5000", "-1", "soon"] {
        let a = ui.post("/settings/meeting-reminder", &[("minutes", bad)]);
        assert_eq!(a.status, 400, "{bad}: {}", a.body);
        assert!(a.body.contains("meeting reminder"), "{}", a.body);
    }
}
