# lib.sh: the assertions the CLI test scripts share. Sourced, not run: each script sets
# -u and keeps its own failure count in $failures, which fail() increments.

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# run NAME WANT_RC CMD...: runs CMD with stdout in NAME.out, stderr in NAME.err; fails on
# another exit status or on any sanitizer report.
run() {
  local name=$1 want=$2; shift 2
  "$@" >"$name.out" 2>"$name.err"
  local rc=$?
  if grep -q 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:' "$name.err"; then
    fail "$name: sanitizer report"
    head -40 "$name.err"
  fi
  if [ "$rc" -ne "$want" ]; then
    fail "$name: exit $rc, wanted $want ($*)"
    sed 's/^/      err: /' "$name.err" | head -20
  fi
}
# has FILE TEXT: the file holds the exact line TEXT.
has() { grep -qxF -- "$2" "$1" || { fail "$1 lacks the line: $2"; sed 's/^/      | /' "$1" | head -30; }; }
# contains FILE TEXT: some line of the file contains TEXT.
contains() { grep -qF -- "$2" "$1" || { fail "$1 lacks: $2"; sed 's/^/      | /' "$1" | head -30; }; }
# lines FILE N: the file has exactly N lines.
lines() { local n; n=$(wc -l <"$1"); [ "$n" -eq "$2" ] || fail "$1: $n lines, wanted $2"; }
# eq GOT WANT WHAT
eq() { [ "$1" = "$2" ] || fail "$3: got '$1', wanted '$2'"; }
