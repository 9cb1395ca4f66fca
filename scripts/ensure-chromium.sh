#!/usr/bin/env bash
# Installs Debian's chromium for the headless-browser test of report.html (tests/test_report.py),
# only if it is missing and apt-get can be used. Never fails the build: it always exits 0, and
# without Chromium that test is skipped with its reason in the pytest summary.
set -u

say() { echo "ensure-chromium: $*" >&2; }
CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"  # where Debian's package puts it

if [ -x "$CHROMIUM_PATH" ] || command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  say "chromium is missing and there is no apt-get here; the browser test of report.html will be skipped"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    say "chromium is missing; not root and no password-less sudo, so the browser test will be skipped"
    exit 0
  fi
fi

LIMIT="timeout 600"  # a slow mirror must not hold the test run hostage
command -v timeout >/dev/null 2>&1 || LIMIT=""

install() {
  DEBIAN_FRONTEND=noninteractive $LIMIT $SUDO apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1
}

say "installing Debian's chromium for the report test (apt-get)"
if install || { $LIMIT $SUDO apt-get update -q >/dev/null 2>&1 && install; }; then
  say "installed $(command -v chromium || echo chromium)"
else
  say "could not install chromium with apt-get (no network, a held lock or no such package); the browser test will be skipped"
fi
exit 0
