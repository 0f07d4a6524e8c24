# Runs schemathesis (pinned, in a virtualenv the script makes) against the
# sync server's own OpenAPI document: every operation, generated and hostile
# inputs, with the check that no answer is a server error.

SCHEMATHESIS_VERSION=4.32.5

SCHEMATHESIS_VENV="${XDG_CACHE_HOME:-$HOME/.cache}/tandem-venv"

# Installs the pinned schemathesis into its virtualenv when missing.
ensure_schemathesis() {
  local venv="$SCHEMATHESIS_VENV"
  if [ ! -x "$venv/bin/st" ] || ! "$venv/bin/st" --version | grep -q "$SCHEMATHESIS_VERSION"; then
    python3 -m venv "$venv" 2>/dev/null || { need_apt python3-venv; python3 -m venv "$venv"; }
    "$venv/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
  fi
}

run_schemathesis() {
  ensure_schemathesis
  local venv="$SCHEMATHESIS_VENV"
  cargo build --locked -q -p tandem-sync-server
  local bin
  bin="$(target_dir)/debug/tandem-sync-server"
  require_built "$bin"
  local dir
  dir=$(mktemp -d)
  # Generous per-address limits: the fuzzer registers far more devices from
  # loopback than a person ever would (the 429 answers are tested elsewhere).
  "$bin" --listen 127.0.0.1:0 --db "sqlite:$dir/s.db" \
    --register-per-hour 1000000 --link-codes-per-hour 1000000 >"$dir/out" 2>"$dir/log" &
  local pid=$!
  local url=""
  for _ in $(seq 1 100); do
    url=$(sed -n 's/^listening on //p' "$dir/out")
    [ -n "$url" ] && break
    sleep 0.1
  done
  # Speak the protocol the server speaks (it answers /v1/info to anyone).
  local protocol token
  protocol=$(curl -fsS "$url/v1/info" | python3 -c 'import json,sys; print(json.load(sys.stdin)["protocol"])')
  token=$(curl -fsS -X POST -H 'content-type: application/json' -H "Tandem-Protocol: $protocol" -d '{}' "$url/v1/devices" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  local status=0
  (cd "$dir" && "$venv/bin/st" run "$url/openapi.json" --checks not_a_server_error \
    -H "Authorization: Bearer $token" -H "Tandem-Protocol: $protocol" --max-examples 50 --seed 1 --report-dir "$dir/report") || status=$?
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if grep -qiE "panicked|internal error" "$dir/log"; then
    echo "the server logged a panic or an internal error under schemathesis" >&2
    status=1
  fi
  rm -rf "$dir"
  return $status
}
