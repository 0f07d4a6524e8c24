# Python's icalendar (pinned, in a virtualenv the script makes), which the
# calendar export test reads the terminal client's .ics files with
# (cli/tests/meet.rs, through scripts/lib/check_ics.py).

ICALENDAR_VERSION=7.3.0
RECURRING_ICAL_EVENTS_VERSION=3.8.2

ICS_VENV="${XDG_CACHE_HOME:-$HOME/.cache}/tandem-ics-venv"

# Installs the pinned packages when missing and exports TANDEM_ICS_PYTHON,
# the interpreter the test runs the checker with.
ensure_icalendar() {
  local venv="$ICS_VENV"
  if ! "$venv/bin/python" - 2>/dev/null <<PY
import icalendar, recurring_ical_events, importlib.metadata as m
assert icalendar.__version__ == "$ICALENDAR_VERSION"
assert m.version("recurring-ical-events") == "$RECURRING_ICAL_EVENTS_VERSION"
PY
  then
    python3 -m venv "$venv" 2>/dev/null || { need_apt python3-venv; python3 -m venv "$venv"; }
    "$venv/bin/pip" install -q "icalendar==$ICALENDAR_VERSION" \
      "recurring-ical-events==$RECURRING_ICAL_EVENTS_VERSION"
  fi
  export TANDEM_ICS_PYTHON="$venv/bin/python"
}
