# shellcheck shell=bash
# Shared helpers for the CMake module tests (cmake_*_test.sh). Source it
# after lib.sh:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#   source "$(dirname "${BASH_SOURCE[0]}")/cmake_lib.sh"
#
# A test writes a small project that includes cmake-modules/Dismake.cmake
# from the source tree, with the helper under test given as
# DISMAKE_EXECUTABLE, then configures and builds it with real CMake + Ninja.
# What the helper did is read from the mount's events.log, one JSON line per
# event (ensure, step, commit, ...).

: "${DISMAKE_SOURCE_DIR:?DISMAKE_SOURCE_DIR must name the dismake source tree}"

DISMAKE_MODULE=$DISMAKE_SOURCE_DIR/cmake-modules/Dismake.cmake

# The build tree the helper under test was built in (the nearest directory
# above it with a CMakeCache.txt): its cmake-modules/ is the package that
# find_package(Dismake) finds there.
helper_build_tree() {
  local dir
  dir=$(dirname "$DISMAKE")
  while [[ $dir != / && ! -f $dir/CMakeCache.txt ]]; do dir=$(dirname "$dir"); done
  [[ -f $dir/CMakeCache.txt ]] || fail "no build tree above $DISMAKE"
  echo "$dir"
}

# configure_example NAME BUILD [cmake args...]: examples/NAME, without
# DISMAKE_EXECUTABLE, so the package's Dismake::dismake is the helper.
configure_example() {
  local name=$1 build=$2
  shift 2
  run_ok cmake -S "$DISMAKE_SOURCE_DIR/examples/$name" -B "$build" -G Ninja "$@"
}

# ---------------------------------------------------------------------------
# Projects

# write_project DIR CODE: DIR/CMakeLists.txt is the boilerplate that loads
# the module, then CODE.
write_project() {
  local dir=$1 code=$2
  mkdir -p "$dir"
  cat >"$dir/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.20)
project(dismake_test NONE)
include("$DISMAKE_MODULE")
$code
EOF
}

# The inputs most tests service an image with: an overlay tree, a .reg file
# and an answer file, in DIR.
write_inputs() {
  local dir=$1
  mkdir -p "$dir/overlay/Windows/Setup/Scripts" "$dir/overlay/ProgramData/Contoso" \
    "$dir/overlay/Windows/System32/drivers/etc"
  printf '@echo off\r\necho setup complete\r\n' >"$dir/overlay/Windows/Setup/Scripts/SetupComplete.cmd"
  printf 'contoso readme\r\n' >"$dir/overlay/ProgramData/Contoso/readme.txt"
  # replaces a file the base image has
  printf '127.0.0.1 localhost\r\n10.0.0.5 intranet\r\n' >"$dir/overlay/Windows/System32/drivers/etc/hosts"
  printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Contoso\\Settings]\r\n"Homepage"="https://intranet.contoso.com"\r\n"Level"=dword:00000002\r\n' \
    >"$dir/settings.reg"
  cat >"$dir/unattend.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<unattend xmlns="urn:schemas-microsoft-com:unattend">
  <settings pass="oobeSystem"/>
</unattend>
EOF
}

# The steps of the recipe most tests use, one CMake call a line, on session
# S: every kind of step, with the overlay in the middle so that steps run
# both before and after it. REG_CHANNEL and IMAGE_NAME change their data.
standard_steps() {
  local s=$1
  cat <<EOF
dismake_delete_files($s PATHS Windows/win.ini)
dismake_set_registry_value($s KEY [[HKLM\\SOFTWARE\\Contoso\\Deployment]] NAME Channel TYPE REG_SZ DATA "${REG_CHANNEL:-Stable}")
dismake_add_files($s SOURCE overlay DESTINATION /)
dismake_import_registry($s FILE settings.reg)
dismake_apply_unattend($s FILE unattend.xml)
dismake_set_image_info($s NAME "${IMAGE_NAME:-Test Image}")
EOF
}

# The ops of standard_steps, in order, as events.log names them.
STANDARD_OPS=(delete set-registry-value add import-registry apply-unattend set-image-info)

# recipe IMAGE WIM STEPS: a whole recipe for IMAGE (index 1 of WIM) with
# STEPS (lines of calls on the session IMAGE_s) in one session, committed to
# IMAGE.wim.
recipe() {
  local image=$1 wim=$2 steps=$3
  cat <<EOF
dismake_mount_image($image WIM "$wim" INDEX 1)
dismake_open_session(${image}_s IMAGE $image)
$steps
dismake_close_session(${image}_s)
dismake_unmount_image($image COMMIT OUTPUT $image.wim)
EOF
}

standard_recipe() {
  recipe "$1" "$2" "$(standard_steps "${1}_s")"
}

# expected_events ENSURE FIRST [OPS...]: the events of a build that finds
# the mount ENSURE ("reused", "mounted", ...), runs the ops from index FIRST
# of OPS (default: STANDARD_OPS) to the last, each one "ran", and commits.
expected_events() {
  local ensure=$1 first=$2
  shift 2
  local ops=("$@") i
  ((${#ops[@]})) || ops=("${STANDARD_OPS[@]}")
  echo "ensure - $ensure"
  for ((i = first; i < ${#ops[@]}; i++)); do echo "step ${ops[i]} ran"; done
  echo "commit - -"
}

# ---------------------------------------------------------------------------
# Configuring and building

# configure SRC BUILD [cmake args...]: a Ninja build tree with the helper
# under test.
configure() {
  local src=$1 build=$2
  shift 2
  run_ok cmake -S "$src" -B "$build" -G Ninja -DDISMAKE_EXECUTABLE="$DISMAKE" "$@"
}

# configure_fails SRC BUILD REGEX [cmake args...]: the configuration fails
# with a CMake error matching REGEX (extended, on the error text with lines
# joined, since CMake wraps long messages).
configure_fails() {
  local src=$1 build=$2 regex=$3 rc=0 text
  shift 3
  text=$(cmake -S "$src" -B "$build" -G Ninja -DDISMAKE_EXECUTABLE="$DISMAKE" "$@" 2>&1) || rc=$?
  ((rc != 0)) || fail "configuring $src succeeded, expected an error matching /$regex/"
  grep -q 'CMake Error' <<<"$text" || fail "configuring $src failed without a CMake error: $text"
  # CMake indents and wraps the message: join it back into one line.
  text=$(tr '\n' ' ' <<<"$text" | tr -s ' ')
  grep -qE -- "$regex" <<<"$text" || fail "configure error does not match /$regex/: $text"
}

# The helper's command line in a generated step script (BUILD/dismake/
# <image>/steps/<nnn>-<verb>.cmake), its bracket arguments joined by spaces:
# "<helper> --step-log <log> --label <label> <verb> <mount-dir> ...",
step_command() {
  [[ -f $1 ]] || fail "no step script $1"
  grep -E '^  COMMAND ' "$1" | sed -E 's/^  COMMAND //; s/\[=*\[//g; s/\]=*\]//g' | tr -s ' '
}

# The lines of the last build's console that are not Ninja's progress
# lines: one "<label>: <outcome>" line per step that ran.
outcome_lines() {
  grep -vE '^(\[[0-9]+/[0-9]+\] |ninja: )' <<<"$LAST_STDOUT" || true
}

# build BUILD [ninja args...]: must succeed; Ninja's output is in LAST_STDOUT.
build() {
  run_ok ninja -C "$@"
}

# build_fails BUILD [ninja args...]: must fail; its output is in LAST_STDOUT.
build_fails() {
  local rc=0
  # shellcheck disable=SC2034 # read by the caller
  LAST_STDOUT=$(ninja -C "$@" 2>&1) || rc=$?
  ((rc != 0)) || fail "ninja -C $* succeeded, expected it to fail"
}

# A clean build of SRC in a new build tree (its own mount), to compare an
# incremental build's output with. Prints the build tree.
clean_build() {
  local src=$1 name=$2
  local dir=$T/clean-$name
  wipe_dir "$dir"
  configure "$src" "$dir"
  build "$dir"
  echo "$dir"
}

# ---------------------------------------------------------------------------
# What the helper did

mount_dir_of() {
  echo "$1/dismake/$2/mount"
}

events_log() {
  echo "$(mount_dir_of "$1" "$2").dismake/events.log"
}

# How many events the image's log holds now (a mark for events_since).
events_mark() {
  local log
  log=$(events_log "$1" "$2")
  if [[ -f $log ]]; then wc -l <"$log"; else echo 0; fi
}

# The events logged after MARK, one a line: "<event> <op> <action>" ("-"
# where an event has no such field), e.g. "ensure - reused",
# "step add ran", "commit - -".
events_since() {
  local build=$1 image=$2 mark=$3 log
  log=$(events_log "$build" "$image")
  [[ -f $log ]] || fail "no events log at $log"
  tail -n +"$((mark + 1))" "$log" | "$PYTHON" -c '
import json, sys
for line in sys.stdin:
    e = json.loads(line)
    print(e.get("event", "-"), e.get("op", "-"), e.get("action", "-"))'
}

# assert_events BUILD IMAGE MARK EXPECTED: the events since MARK are exactly
# the lines of EXPECTED.
assert_events() {
  local build=$1 image=$2 mark=$3 expected=$4
  assert_same_listing "$expected" "$(events_since "$build" "$image" "$mark")" \
    "events of image $image"
}

# ---------------------------------------------------------------------------
# The output image

# Everything that makes image 1 of WIM what it is, as text: every file's
# path, attributes, security descriptor and stream hashes (wim_detailed,
# which leaves out where blobs sit in the file) and the image's XML fields.
image_digest() {
  local wim=$1
  wim_detailed "$wim" 1
  wimlib-imagex info "$wim" 1 |
    grep -E '^(Name|Description|Display Name|Display Description|Flags|Directory Count|File Count|Total Bytes|Hard Link Bytes):'
}

# assert_same_image WIM EXPECTED_WIM WHAT
assert_same_image() {
  assert_same_listing "$(image_digest "$2")" "$(image_digest "$1")" "$3"
}

# Extracts the image's SOFTWARE hive to a scratch file; prints its path.
software_hive() {
  local wim=$1 index=${2:-1} hive
  hive=$(mktemp "$T/.hive.XXXXXX")
  wimlib-imagex extract "$wim" "$index" /Windows/System32/config/SOFTWARE --to-stdout --no-acls \
    >"$hive" 2>/dev/null || fail "$wim has no SOFTWARE hive"
  echo "$hive"
}

# The data of a registry value in the SOFTWARE hive of image INDEX (default
# 1) of WIM; KEY is below HKLM\SOFTWARE, e.g. 'Contoso\Deployment'.
software_value() {
  local wim=$1 key=$2 name=$3 index=${4:-1} hive
  hive=$(software_hive "$wim" "$index")
  hivexget "$hive" "$key" "$name" || fail "$wim: no value $key\\$name in SOFTWARE"
  rm -f "$hive"
}

# Succeeds when the image's SOFTWARE hive has the value.
software_has_value() {
  local wim=$1 key=$2 name=$3 hive rc=0
  hive=$(software_hive "$wim")
  hivexget "$hive" "$key" "$name" >/dev/null 2>&1 || rc=$?
  rm -f "$hive"
  return "$rc"
}

# "inode mtime" of a file, to tell a rewritten file from an untouched one.
file_identity() {
  stat -c '%i %Y.%y' -- "$1"
}
