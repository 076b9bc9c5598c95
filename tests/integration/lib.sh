# Shared helpers for the CLI integration tests. Source it first thing:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#   begin_test cli_cycle
#   ...
#   end_test
#
# CTest gives every test: DISMAKE (the helper), DISMAKE_FIXTURES (generated
# WIMs, see tests/fixtures/make_fixtures.sh), DISMAKE_TESTDATA,
# DISMAKE_SOURCE_DIR, DISMAKE_TEST_TMP (this test's scratch directory).
set -Eeuo pipefail
export LC_ALL=C.UTF-8 # stable sort order; unicode file names pass through

: "${DISMAKE:?DISMAKE must name the dismake helper}"
: "${DISMAKE_FIXTURES:?DISMAKE_FIXTURES must name the generated fixtures dir}"
: "${DISMAKE_TEST_TMP:?DISMAKE_TEST_TMP must name a scratch dir}"

TEST_NAME=${TEST_NAME:-$(basename "$0" .sh)}

# The real interpreter behind `python3`, resolved once: version-manager shims
# (pyenv) cost ~0.2 s a call, and the tests parse JSON many times.
PYTHON=$(python3 -c 'import sys; print(sys.executable)')

# Any command that fails outside an assertion ends the test with its line
# (reported once, by the test's own shell, and not after a `fail` inside a
# $(...) has already said why).
trap '((BASH_SUBSHELL > 0)) || [[ -e ${T:-/nonexistent}/.failed ]] ||
  echo "FAIL $TEST_NAME: command failed (line $LINENO): $BASH_COMMAND" >&2' ERR

fail() {
  echo "FAIL $TEST_NAME: $*" >&2
  [[ -z ${T:-} ]] || : >"$T/.failed"
  exit 1
}

# rm -rf that also works on read-only trees (a read-only mount may be one)
# when not running as root.
wipe_dir() {
  [[ -e $1 ]] || return 0
  chmod -R u+w -- "$1" 2>/dev/null || true
  rm -rf -- "$1"
}

# A clean scratch dir and a private mount registry for this test. T is the
# scratch dir; everything a test makes goes under it.
begin_test() {
  TEST_NAME=$1
  wipe_dir "$DISMAKE_TEST_TMP"
  mkdir -p "$DISMAKE_TEST_TMP"
  T=$(cd "$DISMAKE_TEST_TMP" && pwd)
  export DISMAKE_HOME=$T/home
  mkdir -p "$DISMAKE_HOME"
  [[ -x $DISMAKE ]] || fail "the helper $DISMAKE is not built"
  # Bound every wait for a mount's lock (the helper's default is 60 s), so a
  # stuck lock fails the test instead of eating the CTest timeout.
  export DISMAKE_LOCK_TIMEOUT=${DISMAKE_LOCK_TIMEOUT:-30}
  echo "== $TEST_NAME (scratch: $T)"
}

# On success the scratch dir goes (some tests leave 100+ MiB there); on
# failure it stays for inspection. DISMAKE_KEEP_TMP=1 keeps it always.
end_test() {
  if [[ -z ${DISMAKE_KEEP_TMP:-} ]]; then wipe_dir "$T"; fi
  echo "PASS $TEST_NAME"
}

step() {
  echo "-- $*"
}

# Ends a test that cannot run here (a tool or a filesystem feature is
# missing): CTest reports it skipped (SKIP_RETURN_CODE 77), never passed.
# What it would have proved is a test of its own, so the rest still runs.
# It may come before begin_test, so neither the name nor the scratch
# directory need exist yet.
skip_test() {
  echo "SKIP ${TEST_NAME:-$(basename "$0" .sh)}: $*"
  if [[ -n ${T:-} && -z ${DISMAKE_KEEP_TMP:-} ]]; then wipe_dir "$T"; fi
  exit 77
}

# ---------------------------------------------------------------------------
# Running the helper

# The last run's output, for assertions on it.
LAST_STDOUT=
LAST_STDERR=

# Runs a command that must succeed; on failure shows its output and stops.
# Its stdout and stderr are kept in LAST_STDOUT / LAST_STDERR.
run_ok() {
  local out err rc=0
  out=$(mktemp "$T/.out.XXXXXX")
  err=$(mktemp "$T/.err.XXXXXX")
  "$@" >"$out" 2>"$err" || rc=$?
  LAST_STDOUT=$(cat "$out")
  LAST_STDERR=$(cat "$err")
  rm -f "$out" "$err"
  if ((rc != 0)); then
    echo "--- stdout:" >&2
    printf '%s\n' "$LAST_STDOUT" >&2
    echo "--- stderr:" >&2
    printf '%s\n' "$LAST_STDERR" >&2
    fail "expected success (exit $rc): $*"
  fi
}

# `dismake ARGS...` that must succeed; its stdout is in LAST_STDOUT.
dismake_ok() {
  run_ok "$DISMAKE" "$@"
}

# `dismake diff ARGS...`, which must exit STATUS, as diff(1) does: 0 the
# images are the same, 1 they differ. Its stdout is in LAST_STDOUT.
dismake_diff() {
  local expected=$1 rc=0
  shift
  "$DISMAKE" diff "$@" >"$T/.diff.out" 2>"$T/.diff.err" || rc=$?
  LAST_STDOUT=$(cat "$T/.diff.out")
  LAST_STDERR=$(cat "$T/.diff.err")
  rm -f "$T/.diff.out" "$T/.diff.err"
  if ((rc != expected)); then
    printf -- '--- stdout:\n%s\n--- stderr:\n%s\n' "$LAST_STDOUT" "$LAST_STDERR" >&2
    fail "expected exit $expected, got $rc: dismake diff $*"
  fi
}

# The name DISM gives each HRESULT the contract uses, so expect_fail can check
# the whole "(0x... NAME)" suffix from the hex alone.
hresult_name() {
  case ${1^^} in
    0X80070002) echo ERROR_FILE_NOT_FOUND ;;
    0X80070003) echo ERROR_PATH_NOT_FOUND ;;
    0X8007000B) echo ERROR_BAD_FORMAT ;;
    0X80070570) echo ERROR_FILE_CORRUPT ;;
    0XC0040005) echo DISMAPI_E_INVALID_IMAGE_INDEX ;;
    0XC0040006) echo DISMAPI_E_INVALID_IMAGE_NAME ;;
    0X80070091) echo ERROR_DIR_NOT_EMPTY ;;
    0X800700B7) echo ERROR_ALREADY_EXISTS ;;
    0X80070057) echo E_INVALIDARG ;;
    0X80070490) echo ERROR_NOT_FOUND ;;
    0X80070013) echo ERROR_WRITE_PROTECT ;;
    0XC1510114) echo DISMAPI_E_NEEDS_REMOUNT ;;
    0X800F0902) echo DISMAPI_E_BUSY ;;
    0XC1420127) echo WIMGAPI_E_ALREADY_MOUNTED_READ_WRITE ;;
    0XC004000A) echo DISMAPI_E_OPEN_HANDLES_UNABLE_TO_UNMOUNT_IMAGE_PATH ;;
    0X800700CB) echo ERROR_ENVVAR_NOT_FOUND ;;
    0X80070005) echo ERROR_ACCESS_DENIED ;;
    0X8007000D) echo ERROR_INVALID_DATA ;;
    0X80070003) echo ERROR_PATH_NOT_FOUND ;;
    0X8007112B) echo ERROR_REPARSE_POINT_ENCOUNTERED ;;
    0X80070032) echo ERROR_NOT_SUPPORTED ;;
    0X800700CE) echo ERROR_FILENAME_EXCED_RANGE ;;
    0X8007007B) echo ERROR_INVALID_NAME ;;
    0X80070459) echo ERROR_NO_UNICODE_TRANSLATION ;;
    0X80070070) echo ERROR_DISK_FULL ;;
    0X80004005) echo E_FAIL ;;
    *) fail "hresult_name: unknown code $1 (add it to lib.sh)" ;;
  esac
}

# Why STDERR is not a proper dismake error with one of CODES whose line
# matches REGEX; prints nothing when it is. The form is
#   dismake: error: <what>; <what to do> (<CODE> <NAME>)
# CODES is one code ("0x8007000B") or several ("0x8007000B|0x80070570").
error_problem() {
  local stderr=$1 codes=$2 regex=$3 line code
  line=$(grep -E '^dismake: error: ' <<<"$stderr" | tail -n 1 || true)
  if [[ -z $line ]]; then
    echo "no 'dismake: error: ' line on stderr"
  elif ! grep -qiE -- "$regex" <<<"$line"; then
    echo "error line does not match /$regex/"
  elif ! grep -qE '^dismake: error: .+; .+ \(0x[0-9A-F]{8} [A-Z_0-9]+\)$' <<<"$line"; then
    echo "error line is not '<what>; <what to do> (0xXXXXXXXX NAME)'"
  else
    for code in ${codes//|/ }; do
      [[ $line != *"($code $(hresult_name "$code"))" ]] || return 0
    done
    echo "error line does not end with ($codes <NAME>)"
  fi
}

# expect_fail CODES MESSAGE_REGEX -- CMD...
# CMD must exit non-zero with a dismake error line (see error_problem)
# matching MESSAGE_REGEX (extended, case-insensitive) and ending in one of
# CODES with its name.
expect_fail() {
  local codes=$1 regex=$2
  shift 2
  [[ ${1:-} == -- ]] || fail "expect_fail: missing -- before the command"
  shift
  local out err rc=0 why
  out=$(mktemp "$T/.out.XXXXXX")
  err=$(mktemp "$T/.err.XXXXXX")
  "$@" >"$out" 2>"$err" || rc=$?
  LAST_STDOUT=$(cat "$out")
  LAST_STDERR=$(cat "$err")
  rm -f "$out" "$err"

  if ((rc == 0)); then
    why="it succeeded"
  else
    why=$(error_problem "$LAST_STDERR" "$codes" "$regex")
  fi
  if [[ -n $why ]]; then
    echo "--- exit status: $rc" >&2
    echo "--- stdout:" >&2
    printf '%s\n' "$LAST_STDOUT" >&2
    echo "--- stderr:" >&2
    printf '%s\n' "$LAST_STDERR" >&2
    fail "expected failure $codes /$regex/ from: $* -- but $why"
  fi
  echo "   ok: fails with $(grep -E '^dismake: error: ' <<<"$LAST_STDERR" | tail -n 1)"
}

# ---------------------------------------------------------------------------
# Assertions

assert_eq() {
  local expected=$1 actual=$2 what=${3:-value}
  [[ $expected == "$actual" ]] || fail "$what: expected '$expected', got '$actual'"
}

assert_exists() {
  [[ -e $1 || -L $1 ]] || fail "expected $1 to exist"
}

assert_absent() {
  [[ ! -e $1 && ! -L $1 ]] || fail "expected $1 not to exist"
}

assert_same_file() {
  cmp -s -- "$1" "$2" || fail "files differ: $1 vs $2"
}

# Fails when the file's sha256 is not the one recorded before.
assert_sha256() {
  local file=$1 expected=$2
  assert_eq "$expected" "$(sha256 "$file")" "sha256 of $file"
}

sha256() {
  sha256sum -- "$1" | cut -d' ' -f1
}

# Nothing named like a temporary output (foo.wim.tmp-123, .tmp-*) under DIR.
assert_no_temp_files() {
  local dir=$1 left
  left=$(find "$dir" -maxdepth 1 -name '*.tmp*' -print)
  [[ -z $left ]] || fail "temporary files left behind in $dir: $left"
}

# Diff-style failure for two listings.
assert_same_listing() {
  local expected=$1 actual=$2 what=$3
  if [[ $expected != "$actual" ]]; then
    diff -u --label expected --label actual <(printf '%s\n' "$expected") \
      <(printf '%s\n' "$actual") >&2 || true
    fail "$what differs (see diff above)"
  fi
}

# ---------------------------------------------------------------------------
# WIM inspection (wimlib-imagex is the independent oracle)

# Every path in an image, one a line, sorted.
tree_listing() {
  wimlib-imagex dir "$1" "$2" | sort
}

wim_image_count() {
  wimlib-imagex info "$1" | awk -F': *' '/^Image Count:/ {print $2}'
}

# Extracts one file of an image to stdout.
wim_cat() {
  local wim=$1 index=$2 path=$3
  wimlib-imagex extract "$wim" "$index" "$path" --to-stdout --no-acls 2>/dev/null
}

# The `--detailed` records of an image (or of one PATH in it), minus the
# fields that describe where a blob sits in the WIM file rather than the file
# itself: they legitimately change when an untouched file is written again.
wim_detailed() {
  local wim=$1 index=$2 path=${3:-}
  local args=(dir "$wim" "$index" --detailed)
  [[ -z $path ]] || args+=(--path="$path" --one-file-only)
  wimlib-imagex "${args[@]}" |
    grep -vE '^(Offset in WIM|Compressed size|Part Number|Flags|Reference Count) *='
}

# One field of PATH's `--detailed` record in image 1 of WIM ("" when
# absent), and the fields the fidelity tests compare with Windows's.
wim_field() {
  local wim=$1 path=$2 name=$3
  wim_detailed "$wim" 1 "$path" | sed -n "s/^$name *= *//p" | head -n 1
}
wim_descriptor() { wim_field "$1" "$2" 'Security Descriptor'; }
wim_attributes() { wim_field "$1" "$2" Attributes; }
wim_link_count() { wim_field "$1" "$2" 'Link Count'; }

verify_wim() {
  local log
  log=$(wimlib-imagex verify "$1" 2>&1) || {
    printf '%s\n' "$log" >&2
    fail "$1 does not verify"
  }
}

# ---------------------------------------------------------------------------
# Mount registry

# A python expression on `list-mounts --json` (the array is `m`), printed
# as json_eval prints.
mounts_json() {
  dismake_ok list-mounts --json
  json_eval "$LAST_STDOUT" "m = j; $1"
}

assert_no_mounts() {
  assert_eq 0 "$(mounts_json 'len(m)')" "number of registered mounts"
}

# Evaluates a python expression on the JSON document in $1 (as `j`) and
# prints the result: strings and numbers as they are, anything else as JSON
# (true, false, null, ["en-US"]). The expression may be preceded by
# statements: "m = j; len(m)".
json_eval() {
  "$PYTHON" -c '
import json, sys
j = json.loads(sys.argv[1])
*stmts, expr = sys.argv[2].rsplit(";", 1) if ";" in sys.argv[2] else [sys.argv[2]]
for s in stmts: exec(s)
v = eval(expr.strip())
print(v if isinstance(v, (str, int, float)) and not isinstance(v, bool) else json.dumps(v, ensure_ascii=False))' "$1" "$2" ||
    fail "cannot evaluate $2 on: $1"
}

# A private copy of a fixture WIM (tests that write to a WIM use one).
fixture_copy() {
  local name=$1 dest=$2
  cp -- "$DISMAKE_FIXTURES/$name" "$dest"
  chmod u+w -- "$dest"
}

# Deterministic incompressible bytes (AES-CTR keystream of zeros).
random_file() {
  local path=$1 size=$2 seed=$3
  head -c "$size" /dev/zero |
    openssl enc -aes-256-ctr -nosalt -iv 00000000000000000000000000000000 \
      -K "$(printf '%s' "$seed" | sha256sum | cut -c1-64)" >"$path"
}

# Everything a failed command could have written under the scratch dir: every
# path (so a created mount dir, record dir, output file or registration shows),
# with a content hash for regular files. State-dir internals are left out
# (lock files and stat caches may be refreshed by any command); the record dir
# itself is listed. Registry entries are listed by name only.
scratch_snapshot() {
  (
    cd "$T"
    find . \( -path '*.dismake/*' -o -name '.out.*' -o -name '.err.*' \) -prune -o -printf '%y %p\n' |
      sort
    find . \( -path '*.dismake/*' -o -path ./home -o -name '.out.*' -o -name '.err.*' \) -prune -o \
      -type f -print0 | sort -z | xargs -0r sha256sum
  )
}

# expect_fail, plus: the scratch dir is exactly as before (nothing written,
# nothing created, nothing registered or unregistered).
expect_refused() {
  local before after
  before=$(scratch_snapshot)
  expect_fail "$@"
  after=$(scratch_snapshot)
  assert_same_listing "$before" "$after" "scratch dir after a refused command"
}
