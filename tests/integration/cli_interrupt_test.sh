#!/usr/bin/env bash
# A commit killed with SIGKILL at any moment never leaves a partial WIM: the
# output (or, for an in-place commit, the source WIM) is byte-identical to
# what it was before, or it is the complete new WIM, or (a commit that was
# resetting its previous output in place, which it first renames aside) it
# is absent: never a file that looks valid under the output's name. The
# mount stays usable and a later commit produces the right image, the bytes
# a commit from a fresh copy gives.
#
# The kills are spread over the measured duration of a real commit, made slow
# enough to hit by adding ~48 MiB of incompressible files to the mount.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test cli_interrupt

COPY=$T/copy.wim
fixture_copy base.wim "$COPY"
MNT=$T/mnt
OUT=$T/out.wim

now() { date +%s.%N; }

# Kill delays in seconds: a few absolute ones for the start-up phase, then
# fractions of the measured duration of a full commit.
kill_delays() {
  local duration=$1
  awk -v d="$duration" 'BEGIN {
    printf "0 0.01 0.03\n"
    n = split("0.05 0.1 0.2 0.3 0.45 0.6 0.75 0.9 0.97", f, " ")
    for (i = 1; i <= n; i++) printf "%.3f\n", f[i] * d
  }'
}

# Starts `dismake ARGS...` in the background, SIGKILLs it after DELAY seconds
# (if it is still running) and reaps it. Prints "finished", "killed", or
# "killed mid-write" when the kill left the commit's temporary output
# (<output>.tmp-<pid>-*, see wim_output.cpp) beside OUTPUT: it was writing.
commit_killed_after() {
  local delay=$1 output=$2
  shift 2
  "$DISMAKE" "$@" >"$T/killed.log" 2>&1 &
  local pid=$!
  sleep "$delay"
  if kill -9 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null || true
    if compgen -G "$output.tmp-$pid-*" >/dev/null; then
      echo "killed mid-write"
    else
      echo killed
    fi
  else
    wait "$pid" || { cat "$T/killed.log" >&2; fail "commit failed on its own: $*"; }
    echo finished
  fi
}

# Fails unless KILLS (the rounds' "killed mid-write" count) is above zero:
# otherwise every kill of the rounds came before or after the write, and
# they proved nothing about a partial WIM.
assert_kills_mid_write() {
  local kills=$1 rounds=$2
  ((kills > 0)) || fail "no kill of the $rounds landed while the commit was writing its output"
  echo "   $kills kills landed mid-write"
}

# The listing expected once every change so far is committed.
expected_listing() {
  { tree_listing "$DISMAKE_FIXTURES/base.wim" 1; printf '%s\n' "$@"; } | sort
}

# The checks after a kill: WIM is byte-identical to OLD_SHA, or it is a
# complete, valid WIM holding LISTING, or (with a 4th argument
# "may-be-absent") it is not there. Prints "old", "new" or "absent".
old_or_complete_new() {
  local wim=$1 old_sha=$2 listing=$3
  if [[ ! -e $wim && ${4:-} == may-be-absent ]]; then
    echo absent
    return
  fi
  if [[ $(sha256 "$wim") == "$old_sha" ]]; then
    echo old
    return
  fi
  verify_wim "$wim"
  assert_eq 2 "$(wim_image_count "$wim")" "images in $wim"
  assert_same_listing "$listing" "$(tree_listing "$wim" 1)" "image 1 of $wim after a kill"
  echo new
}

step "mount and make the commit slow: 48 MiB of incompressible files"
dismake_ok mount "$COPY" "$MNT" --index 1
mkdir -p "$MNT/Payload"
for i in 1 2 3 4 5 6; do
  random_file "$MNT/Payload/blob$i.bin" $((8 * 1024 * 1024)) "blob$i"
done

step "first commit --output (timed)"
start=$(now)
dismake_ok commit "$MNT" --output "$OUT"
duration=$(awk -v a="$start" -v b="$(now)" 'BEGIN {print b - a}')
echo "   a full commit takes ${duration}s"
verify_wim "$OUT"
OUT1_SHA=$(sha256 "$OUT")
cp "$OUT" "$T/out1.wim"

step "second commit to the same --output, killed at several moments"
echo "second commit" >"$MNT/Windows/second.txt"
rm "$MNT/Payload/blob6.bin"
# What the image gains over the base once the tree is committed.
ADDED=(/Payload /Payload/blob{1..5}.bin /Windows/second.txt)
LISTING2=$(expected_listing "${ADDED[@]}")
COPY_SHA=$(sha256 "$COPY")
mid_write_kills=0
for delay in $(kill_delays "$duration"); do
  outcome=$(commit_killed_after "$delay" "$OUT" commit "$MNT" --output "$OUT")
  [[ $outcome != "killed mid-write" ]] || mid_write_kills=$((mid_write_kills + 1))
  # The first round resets the first commit's output (its record matches);
  # the others find a copy there and copy the base afresh.
  result=$(old_or_complete_new "$OUT" "$OUT1_SHA" "$LISTING2" may-be-absent)
  echo "   kill after ${delay}s: $outcome, out.wim is the $result one"
  assert_sha256 "$COPY" "$COPY_SHA" # --output never writes the source
  assert_eq Ok "$(mounts_json 'm[0]["status"]')" "mount status after a kill"
  # Every round starts from the first commit's bytes.
  cp "$T/out1.wim" "$OUT"
done
assert_kills_mid_write "$mid_write_kills" "second commits"

step "the mount still commits: the right image"
dismake_ok commit "$MNT" --output "$OUT"
verify_wim "$OUT"
assert_same_listing "$LISTING2" "$(tree_listing "$OUT" 1)" "final out.wim"
assert_eq "second commit" "$(wim_cat "$OUT" 1 /Windows/second.txt)" "second.txt"
cmp -s "$MNT/Payload/blob3.bin" <(wim_cat "$OUT" 1 /Payload/blob3.bin) || fail "blob3.bin differs"

step "commits resetting their previous output, killed at several moments"
# Each round first completes a commit of state A (recorded, so the next
# commit resets that file in place), then kills the commit of state B.
LISTING3=$(expected_listing "${ADDED[@]}" /Windows/toggle.txt)
echo "state A" >"$MNT/Windows/toggle.txt"
dismake_ok commit "$MNT" --output "$OUT"
echo "state B" >"$MNT/Windows/toggle.txt"
inode=$(stat -c %i "$OUT")
start=$(now)
dismake_ok commit "$MNT" --output "$OUT"
reset_duration=$(awk -v a="$start" -v b="$(now)" 'BEGIN {print b - a}')
assert_eq "$inode" "$(stat -c %i "$OUT")" "inode of an output reset in place"
echo "   a commit resetting its previous output takes ${reset_duration}s"
mid_write_kills=0
for delay in $(kill_delays "$reset_duration"); do
  echo "state A" >"$MNT/Windows/toggle.txt"
  dismake_ok commit "$MNT" --output "$OUT"
  A_SHA=$(sha256 "$OUT")
  echo "state B $delay" >"$MNT/Windows/toggle.txt"
  outcome=$(commit_killed_after "$delay" "$OUT" commit "$MNT" --output "$OUT")
  [[ $outcome != "killed mid-write" ]] || mid_write_kills=$((mid_write_kills + 1))
  result=$(old_or_complete_new "$OUT" "$A_SHA" "$LISTING3" may-be-absent)
  echo "   kill after ${delay}s: $outcome, out.wim is the $result one"
  # The output is absent only while it is renamed aside as the temporary.
  if [[ $result == absent && $outcome != "killed mid-write" ]]; then
    fail "out.wim is absent after a commit that was $outcome"
  fi
  if [[ $result == new ]]; then
    assert_eq "state B $delay" "$(wim_cat "$OUT" 1 /Windows/toggle.txt)" "toggle.txt"
  fi
  assert_sha256 "$COPY" "$COPY_SHA"
done
assert_kills_mid_write "$mid_write_kills" "commits resetting their output"
step "after the kills, the next commit gives the bytes of a fresh copy's"
dismake_ok commit "$MNT" --output "$OUT"
dismake_ok commit "$MNT" --output "$T/fresh.wim"
assert_same_file "$OUT" "$T/fresh.wim"
echo "state A" >"$MNT/Windows/toggle.txt"
dismake_ok commit "$MNT" --output "$OUT"
rm "$T/fresh.wim"
dismake_ok commit "$MNT" --output "$T/fresh.wim"
assert_same_file "$OUT" "$T/fresh.wim"
rm "$MNT/Windows/toggle.txt"

step "in-place commits killed at several moments"
# Each round adds one file, so a commit that completes is told apart from
# one that did not, and the next round has something to write. The working
# tree keeps every round's file, so a complete commit holds all of them.
prev_sha=$(sha256 "$COPY")
round=0
mid_write_kills=0
# The first 60% of a full commit's time: an in-place commit reuses the
# content packs the first one made, so it ends sooner.
for delay in $(kill_delays "$duration" | awk 'NR <= 9'); do
  round=$((round + 1))
  echo "round $round" >"$MNT/Windows/round$round.txt"
  ADDED+=("/Windows/round$round.txt")
  listing=$(expected_listing "${ADDED[@]}")
  outcome=$(commit_killed_after "$delay" "$COPY" commit "$MNT")
  [[ $outcome != "killed mid-write" ]] || mid_write_kills=$((mid_write_kills + 1))
  result=$(old_or_complete_new "$COPY" "$prev_sha" "$listing")
  echo "   kill after ${delay}s: $outcome, source WIM is the $result one"
  if [[ $outcome == finished && $result == old ]]; then
    fail "a finished in-place commit did not write"
  fi
  prev_sha=$(sha256 "$COPY")
  status=$(mounts_json 'm[0]["status"]')
  assert_eq Ok "$status" "mount status after a killed in-place commit"
done
assert_kills_mid_write "$mid_write_kills" "in-place commits"

step "final unmount --commit"
dismake_ok unmount "$MNT" --commit
verify_wim "$COPY"
assert_same_listing "$(expected_listing "${ADDED[@]}")" \
  "$(tree_listing "$COPY" 1)" "source WIM after the final commit"
assert_eq "round $round" "$(wim_cat "$COPY" 1 "/Windows/round$round.txt")" "last round's file"
assert_no_mounts
leftovers=$(find "$T" -maxdepth 1 -name '*.tmp*' | wc -l)
echo "   temporary files left by killed commits: $leftovers"

end_test
