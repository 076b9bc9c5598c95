#!/usr/bin/env bash
# A mount used by hand mixes tools and verbs, as DISM users do: files edited
# with shell commands, then a dismake verb. The verb first records the edits
# as a step of their own ("edits by hand", naming the paths), then runs;
# `status` lists both, and the commit is the image that committing the edits
# and the verb's change gives. A build (a step with --session or --after)
# still refuses changes no step made.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test cli_hand_edits

# The image's paths, attributes and content hashes.
tree_digest() {
  wimlib-imagex dir "$1" 1 --detailed |
    grep -E '^(Full Path|Attributes|Hash|Uncompressed size) *=' | paste -d' ' - - - - | sort
}

hand_edit() {
  local m=$1
  echo "by hand" >"$m/Windows/hand.txt"
  echo "changed" >"$m/Windows/win.ini"
  rm -r "$m/Windows/Logs"
  mkdir -p "$m/Hand Dir/sub"
  echo "deep" >"$m/Hand Dir/sub/deep.txt"
}

set_value() {
  dismake_ok set-registry-value "$1" 'HKLM\SOFTWARE\Contoso' Hand REG_SZ yes "${@:2}"
}

step "hand edits, then a verb: the edits become a step of their own"
M=$T/m
dismake_ok mount "$DISMAKE_FIXTURES/base.wim" "$M" --index 1
hand_edit "$M"
set_value "$M"
grep -qF "edits by hand" <<<"$LAST_STDOUT" || fail "the verb does not say it recorded the edits: $LAST_STDOUT"
grep -qF "Windows/hand.txt" <<<"$LAST_STDOUT" || fail "the recorded paths are not named: $LAST_STDOUT"

dismake_ok status "$M" --json
S=$LAST_STDOUT
assert_eq '["edits by hand", "set-registry-value"]' "$(json_eval "$S" '[s["spec"]["op"] for s in j["steps"]]')" "steps"
assert_eq '["Hand Dir", "Windows/Logs", "Windows/hand.txt", "Windows/win.ini"]' \
  "$(json_eval "$S" 'sorted(j["steps"][0]["spec"]["args"]["paths"])')" "paths of the hand edits"
assert_eq 0 "$(json_eval "$S" 'sum(len(v) for v in j["untracked"].values())')" "untracked changes"
dismake_ok status "$M"
grep -qF "edits by hand" <<<"$LAST_STDOUT" || fail "status text does not list the hand edits: $LAST_STDOUT"

step "more hand edits and another verb: a second hand step"
echo "again" >"$M/Windows/again.txt"
dismake_ok delete "$M" /Windows/Fonts
dismake_ok status "$M" --json
assert_eq '["edits by hand", "set-registry-value", "edits by hand", "delete"]' \
  "$(json_eval "$LAST_STDOUT" '[s["spec"]["op"] for s in j["steps"]]')" "steps"
dismake_ok commit "$M" --output "$T/mixed.wim" --quiet
verify_wim "$T/mixed.wim"

step "the same changes committed from the tree give the same image"
fixture_copy base.wim "$T/copy.wim"
R=$T/ref
dismake_ok mount "$T/copy.wim" "$R" --index 1
set_value "$R"
hand_edit "$R"
echo "again" >"$R/Windows/again.txt"
rm -r "$R/Windows/Fonts"
dismake_ok commit "$R" --output "$T/ref.wim" --quiet
assert_same_listing "$(tree_digest "$T/ref.wim")" "$(tree_digest "$T/mixed.wim")" \
  "image from hand edits recorded as steps"
assert_eq "by hand" "$(wim_cat "$T/mixed.wim" 1 /Windows/hand.txt)" "hand.txt"
assert_eq "deep" "$(wim_cat "$T/mixed.wim" 1 '/Hand Dir/sub/deep.txt')" "deep.txt"

step "a lazy mount: a new file in a directory never extracted is recorded too"
L=$T/lazy
dismake_ok mount "$T/copy.wim" "$L" --index 2 --lazy
mkdir -p "$L/Windows/System32"
echo "lazy" >"$L/Windows/System32/lazy.txt"
set_value "$L"
dismake_ok commit "$L" --output "$T/lazy.wim" --quiet
assert_eq "lazy" "$(wim_cat "$T/lazy.wim" 2 /Windows/System32/lazy.txt)" "lazy.txt"
wimlib-imagex dir "$T/lazy.wim" 2 --path=/Windows/System32 | grep -q 'config' ||
  fail "the base's System32 content is missing from the lazy commit"

step "a build step (--session or --after) still refuses hand edits"
dismake_ok open-session "$M" --name build
echo "sneaky" >"$M/Windows/sneaky.txt"
expect_fail 0x8007000D "changes no step made: Windows/sneaky.txt" -- \
  "$DISMAKE" set-registry-value "$M" 'HKLM\SOFTWARE\Contoso' Build REG_SZ 1 --session build
dismake_ok status "$M" --json
assert_eq '["Windows/sneaky.txt"]' "$(json_eval "$LAST_STDOUT" 'j["untracked"]["added"]')" "untracked after a refused build step"
dismake_ok close-session "$M" --name build

for m in "$M" "$R" "$L"; do dismake_ok unmount "$m" --discard; done
end_test
