# The browser tests' tools: Debian's chromium and the pinned playwright-core
# (web/tests/browser/package-lock.json). Installed when missing.

ensure_browser_tools() {
  command -v chromium >/dev/null 2>&1 || need_apt chromium
  command -v npm >/dev/null 2>&1 || need_apt nodejs npm
  local dir=web/tests/browser
  if [ ! -d "$dir/node_modules/playwright-core" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --silent)
  fi
}
