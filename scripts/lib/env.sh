# Shared by the project's scripts: tool checks and a readable step banner.

step() { printf '\n==> %s\n' "$*"; }

# Rust 1.90 or newer with rustfmt and clippy. Debian's own cargo is too old
# for this workspace, so the toolchain comes from rustup.
ensure_rust() {
  if ! command -v cargo >/dev/null 2>&1; then
    if [ -x "$HOME/.cargo/bin/cargo" ]; then
      export PATH="$HOME/.cargo/bin:$PATH"
    else
      echo "cargo is missing: install Rust 1.90+ with rustup (https://rustup.rs), then run this again" >&2
      exit 1
    fi
  fi
  # A C compiler for the bundled SQLCipher; perl and make build its vendored OpenSSL.
  if ! command -v cc >/dev/null 2>&1 || ! command -v make >/dev/null 2>&1; then
    need_apt build-essential
  fi
  command -v perl >/dev/null 2>&1 || need_apt perl
}

# Installs Debian packages that are missing.
need_apt() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
}
