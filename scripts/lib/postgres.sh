# Starts a throwaway PostgreSQL on loopback for tests, and stops it on exit.
# Sets TANDEM_TEST_POSTGRES to a URL whose user may create databases.
# Installs Debian's PostgreSQL when it is missing.

start_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    need_apt postgresql
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  PG_DIR=$(mktemp -d /tmp/tandem-pg.XXXXXX)
  local as=()
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$PG_DIR"
    as=(runuser -u postgres --)
  fi
  PG_AS=("${as[@]}")
  PG_BIN="$bin"
  "${as[@]}" "$bin/initdb" -D "$PG_DIR/data" --auth=trust -U postgres >/dev/null
  PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "${as[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -w -t 30 -l "$PG_DIR/log" \
    -o "-k $PG_DIR -p $PG_PORT -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=on" start >/dev/null
  export TANDEM_TEST_POSTGRES="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"
}

stop_postgres() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
    "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
