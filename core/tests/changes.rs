//! Which areas of view state each write and each received change touches:
//! what the shells' listener is told so that they redraw only what changed.

mod support;

use std::sync::Arc;

use support::*;
use tandem_core::Area;
use tandem_core::craving::CravingInput;
use tandem_core::goal::GoalInput;
use tandem_core::journal::JournalInput;
use tandem_core::settings::Settings;
use tandem_core::{Durability, FixedClock};

#[test]
fn local_writes_report_their_areas_once() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(at("2026-11-25T09:00:00Z")));
    let mut s = store_in(dir.path(), "a.db", clock, Durability::Normal);
    assert!(s.take_changed().is_empty());
    s.init("Sam", "UTC").unwrap();
    assert_eq!(s.take_changed(), vec![Area::Today]);
    s.add_journal(JournalInput {
        text: "hello".into(),
        ..Default::default()
    })
    .unwrap();
    s.add_craving(CravingInput {
        trigger: "payday".into(),
        intensity: 4,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        s.take_changed(),
        vec![Area::Today, Area::Journal, Area::Cravings, Area::Insights]
    );
    assert!(s.take_changed().is_empty(), "taking empties the set");

    // Reads and refused writes change nothing.
    tandem_core::view::today(&s).unwrap();
    assert!(s.add_journal(JournalInput::default()).is_err());
    assert!(s.take_changed().is_empty());

    s.add_goal(GoalInput {
        title: "Run 5k".into(),
        ..Default::default()
    })
    .unwrap();
    s.set_settings(&Settings::default()).unwrap();
    assert_eq!(
        s.take_changed(),
        vec![Area::Today, Area::Goals, Area::Settings]
    );
}

#[test]
fn received_changes_report_the_areas_of_their_documents() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(at("2026-11-25T09:00:00Z")));
    let mut phone = store_in(dir.path(), "phone.db", clock.clone(), Durability::Normal);
    phone.init("Sam", "UTC").unwrap();
    let mut tablet = second_device(&mut phone, dir.path(), "tablet.db", clock);
    assert_eq!(tablet.take_changed(), vec![Area::Today]);
    phone
        .add_journal(JournalInput {
            text: "written on the phone".into(),
            ..Default::default()
        })
        .unwrap();
    send_all(&mut phone, &mut tablet);
    assert_eq!(tablet.take_changed(), vec![Area::Today, Area::Journal]);
    // Receiving what is already held changes nothing.
    send_all(&mut phone, &mut tablet);
    assert!(tablet.take_changed().is_empty());
}
