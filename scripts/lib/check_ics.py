"""Reads an iCalendar file with Python's icalendar package and prints the
start of every event occurrence in a window, one UTC instant per line
(RFC 3339, `Z`), sorted. Used by cli/tests/meet.rs to check that a calendar
app reading Tandem's export sees the meetings the core computes.

usage: check_ics.py FILE FROM TO   (FROM and TO: RFC 3339 UTC instants)
"""

import sys
from datetime import datetime, timezone

import icalendar
import recurring_ical_events


def main() -> None:
    path, start, end = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(path, "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read())
    # The file must parse as a calendar with events, each with a UID and a
    # zoned start.
    events = list(cal.walk("VEVENT"))
    if not events:
        sys.exit("no VEVENT in the file")
    for e in events:
        if not e.get("UID") or e.get("DTSTART") is None:
            sys.exit("an event without UID or DTSTART")
    window = (parse(start), parse(end))
    starts = set()
    for occurrence in recurring_ical_events.of(cal).between(*window):
        t = occurrence.get("DTSTART").dt
        starts.add(t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
    for s in sorted(starts):
        print(s)


def parse(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


if __name__ == "__main__":
    main()
