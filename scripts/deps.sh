#!/usr/bin/env bash
# Installs every Debian package Muster needs to build, test and benchmark, idempotently.
# Run as root on Debian 12. Safe to run again: it installs only what is missing.
set -eu

pkgs=(
  build-essential pkg-config ca-certificates
  libsqlite3-dev sqlite3 libsodium-dev libcmocka-dev libjansson-dev
  libmicrohttpd-dev libqrencode-dev libxlsxwriter-dev
  clang libclang-rt-14-dev clang-format clang-tidy cppcheck
  nodejs npm
  wrk hyperfine time
  chromium fonts-noto-cjk
)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# nodejs may come from elsewhere than Debian (a newer node on PATH): then skip npm/nodejs.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  keep=()
  for p in "${missing[@]}"; do [ "$p" = nodejs ] || [ "$p" = npm ] || keep+=("$p"); done
  missing=("${keep[@]+"${keep[@]}"}")
fi

if [ "${#missing[@]}" -gt 0 ]; then
  echo "deps.sh: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "deps.sh: must run as root to install packages" >&2
    exit 2
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "deps.sh: all Debian packages present"
fi

# npm packages for the tests and the web app, exactly as package-lock.json pins them;
# installed again whenever the lock file changes (node_modules/.muster-lock is the copy
# of the lock file they were installed from).
top=$(cd "$(dirname "$0")/.." && pwd)
if [ -f "$top/package-lock.json" ] && ! cmp -s "$top/package-lock.json" "$top/node_modules/.muster-lock"; then
  (cd "$top" && npm ci --no-audit --no-fund && cp package-lock.json node_modules/.muster-lock)
else
  echo "deps.sh: npm packages as package-lock.json pins them"
fi
