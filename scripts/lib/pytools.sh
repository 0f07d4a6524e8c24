# Python packages the tests check the project against, written by others
# (pinned, in a virtualenv the script makes):
# - icalendar and recurring-ical-events read the terminal client's .ics
#   files (cli/tests/meet.rs, through scripts/lib/check_ics.py);
# - http-ece and cryptography decrypt and verify the relay's Web Push
#   wake-ups (cli/tests/wakeup.rs, through scripts/lib/wakeup_receiver.py).

PYTOOLS_PACKAGES=(
  "icalendar==7.3.0"
  "recurring-ical-events==3.8.2"
  "http-ece==1.2.1"
  "cryptography==50.0.2"
)

PYTOOLS_VENV="${XDG_CACHE_HOME:-$HOME/.cache}/tandem-pytools-venv"

# Installs the pinned packages when any is missing or of another version,
# and exports TANDEM_PYTHON, the interpreter the tests run those scripts with.
ensure_pytools() {
  local venv="$PYTOOLS_VENV"
  if ! "$venv/bin/python" - "${PYTOOLS_PACKAGES[@]}" 2>/dev/null <<'PY'
import sys, importlib.metadata as m
for pin in sys.argv[1:]:
    name, version = pin.split("==")
    assert m.version(name) == version, pin
PY
  then
    python3 -m venv "$venv" 2>/dev/null || { need_apt python3-venv; python3 -m venv "$venv"; }
    "$venv/bin/pip" install -q "${PYTOOLS_PACKAGES[@]}"
  fi
  export TANDEM_PYTHON="$venv/bin/python"
}
