#!/usr/bin/env bash
# Installs Debian's Chromium for the report's headless-browser test, only if it is missing and
# apt-get can be used. Never fails the build: without Chromium that one test is skipped with a reason.
set -u
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: no apt-get here; the browser test of report.html will be skipped" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "ensure-chromium: not root and no password-less sudo; the browser test will be skipped" >&2
    exit 0
  fi
fi
echo "ensure-chromium: installing Debian's chromium for the report test" >&2
if ! (DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1 \
      || { $SUDO apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q \
           --no-install-recommends chromium >/dev/null 2>&1; }); then
  echo "ensure-chromium: could not install chromium; the browser test will be skipped" >&2
fi
exit 0
