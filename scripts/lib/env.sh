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

# Prints the directory the workspace's builds land in, as cargo itself
# resolves it (CARGO_TARGET_DIR, a `build.target-dir` in a cargo config, or
# the workspace's own `target/`). Scripts take every built binary's path
# from here and never assume where a workspace builds.
target_dir() {
  local dir
  dir=$(cargo metadata --format-version 1 --no-deps --locked |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
  if [ -z "$dir" ]; then
    echo "cargo metadata named no target directory" >&2
    return 1
  fi
  printf '%s\n' "$dir"
}

# Builds the bindings generator (bindings/bindgen, a workspace of its own)
# into the main workspace's target directory, passed explicitly: on its own
# it would build into bindings/bindgen/target. Prints the binary's path.
build_bindgen() {
  local target
  target=$(target_dir)
  cargo build --release --locked -q --manifest-path bindings/bindgen/Cargo.toml --target-dir "$target"
  printf '%s\n' "$target/release/uniffi-bindgen"
}

# Fails, naming the path, unless every file given exists and is executable.
# A step calls it right after its build, before it runs what it built.
require_built() {
  local f
  for f in "$@"; do
    if [ ! -f "$f" ]; then
      echo "expected a built file at $f, but cargo did not put one there" >&2
      return 1
    fi
  done
}
