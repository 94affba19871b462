#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine with only the .NET SDK lacks for this project.
# TorchSharp 0.107's native library needs libstdc++ with GLIBCXX_3.4.32 (GCC 13+); Debian 12 ships
# GCC 12's, so on such a machine take libstdc++6 from Debian 13 (trixie), pinned low so nothing else
# is upgraded from there.
set -euo pipefail

# awk reads all of ldconfig's output (no early exit): under pipefail a SIGPIPE would end this script silently.
find_libstdcxx() { ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 / && !found { print $NF; found = 1 }'; }
libstdcxx=$(find_libstdcxx)
need_glibcxx() {
  [[ -n "$libstdcxx" ]] || return 0
  ! grep -aq 'GLIBCXX_3.4.32' "$libstdcxx"
}

if [[ -n "${SETUP_FORCE_LIBSTDCXX:-}" ]] || need_glibcxx; then
  if [[ ! -r /etc/debian_version ]] || ! command -v apt-get >/dev/null; then
    echo "setup: libstdc++ lacks GLIBCXX_3.4.32 and this is not a Debian-family system; install GCC 13+'s libstdc++." >&2
    exit 1
  fi
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
  if grep -q '^ID=debian' /etc/os-release; then
    echo "setup: installing libstdc++6 from Debian trixie (TorchSharp needs GLIBCXX_3.4.32)"
    # Use the mirror this machine already takes Debian's packages from.
    uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ && !/security/ && !found { print $2; found = 1 }' || true)
    [[ -n "$uri" ]] || uri=$(cat /etc/apt/sources.list 2>/dev/null | awk '/^deb / && !/security/ && !found { print $2; found = 1 }' || true)
    [[ -n "$uri" ]] || { echo "setup: no Debian mirror found in the apt sources" >&2; exit 1; }
    $sudo tee /etc/apt/sources.list.d/trixie-libstdcxx.sources >/dev/null <<SRC
Types: deb
URIs: $uri
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    $sudo tee /etc/apt/preferences.d/trixie-low >/dev/null <<'PIN'
Package: *
Pin: release n=trixie
Pin-Priority: 100
PIN
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -t trixie libstdc++6 >/dev/null
  else
    echo "setup: libstdc++ lacks GLIBCXX_3.4.32; on Ubuntu use 24.04 or newer, or install GCC 13's libstdc++6." >&2
    exit 1
  fi
  libstdcxx=$(find_libstdcxx)
  need_glibcxx && { echo "setup: libstdc++ still lacks GLIBCXX_3.4.32" >&2; exit 1; }
fi
echo "setup: prerequisites present"
