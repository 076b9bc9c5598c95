#!/usr/bin/env bash
# Hostile images, links: a WIM that carries symlinks (absolute, relative, to
# a file, to a directory; captured by wimlib from a tree with such links) and
# a real NTFS junction (hostile_junction_test.sh) is attacked through add, rename, delete, apply-unattend, the registry and run. Every step whose
# path goes through a link is refused with ERROR_REPARSE_POINT_ENCOUNTERED
# naming the link; nothing is written outside the mount, the source WIM is
# unchanged, the mount stays usable, and the links are committed unchanged.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test hostile_links

REPARSE=0x8007112B
OUT=$T/outside # what every link points at: must never change

# --- the crafted images -------------------------------------------------------

mkdir -p "$OUT/dir" "$T/tree/Windows/System32/config" "$T/tree/Program Files"
printf 'host file\n' >"$OUT/host.txt"
cp "$DISMAKE_TESTDATA/minimal.hive" "$OUT/hosthive"
chmod 644 "$OUT/hosthive"
cp "$DISMAKE_TESTDATA/minimal.hive" "$T/tree/Windows/System32/config/SOFTWARE"
chmod 644 "$T/tree/Windows/System32/config/SOFTWARE"
printf 'a\n' >"$T/tree/Windows/a.txt"
ln -s "$OUT" "$T/tree/evil"                            # absolute, to a directory
ln -s ../../outside "$T/tree/Windows/Panther"          # relative, climbing out of the mount
ln -s "$OUT/host.txt" "$T/tree/Program Files/link.txt" # absolute, to a file
wimlib-imagex capture "$T/tree" "$T/links.wim" links >/dev/null

# A hive that is a link to a hive on the host.
mkdir -p "$T/tree2/Windows/System32/config"
ln -s "$OUT/hosthive" "$T/tree2/Windows/System32/config/SOFTWARE"
wimlib-imagex capture "$T/tree2" "$T/hivelink.wim" hivelink >/dev/null

outside_listing() {
  (cd "$OUT" && find . -printf '%p %y %s\n' | sort && sha256sum host.txt hosthive)
}
OUT_BEFORE=$(outside_listing)
LINKS_SHA=$(sha256 "$T/links.wim")

assert_outside_untouched() {
  assert_same_listing "$OUT_BEFORE" "$(outside_listing)" "the directory the links point to"
  assert_sha256 "$T/links.wim" "$LINKS_SHA"
}

assert_clean() {
  dismake_ok status "$1"
  grep -q 'Untracked changes : none' <<<"$LAST_STDOUT" || fail "untracked changes in $1: $LAST_STDOUT"
}

printf 'payload\n' >"$T/f.txt"
mkdir -p "$T/overlay/evil" "$T/overlay/Windows"
printf 'g\n' >"$T/overlay/evil/g.txt"
printf 'ok\n' >"$T/overlay/Windows/ok.txt"
cat >"$T/unattend.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<unattend xmlns="urn:schemas-microsoft-com:unattend"/>
EOF

# --- attacks on a full and on a lazy mount ------------------------------------

attack() {
  local mode=$1 m=$T/m-$1
  step "$mode mount: every step through a link is refused, naming it"
  if [[ $mode == lazy ]]; then
    dismake_ok mount "$T/links.wim" "$m" --index 1 --lazy
  else
    dismake_ok mount "$T/links.wim" "$m" --index 1
  fi

  expect_fail $REPARSE "goes through the link 'evil'" -- \
    "$DISMAKE" add "$m" "$T/f.txt" evil/f.txt
  expect_fail $REPARSE "goes through the link 'Windows/Panther'" -- \
    "$DISMAKE" add "$m" "$T/f.txt" windows/panther/f.txt
  expect_fail $REPARSE "the image path 'evil' is a link" -- \
    "$DISMAKE" add "$m" "$T/overlay" /
  expect_fail $REPARSE "goes through the link 'Windows/Panther'" -- \
    "$DISMAKE" apply-unattend "$m" "$T/unattend.xml"
  expect_fail $REPARSE "goes through the link 'evil'" -- \
    "$DISMAKE" rename "$m" Windows/a.txt evil/a.txt
  expect_fail $REPARSE "goes through the link 'evil'" -- \
    "$DISMAKE" delete "$m" evil/host.txt
  expect_fail $REPARSE "goes through the link 'evil'" -- \
    "$DISMAKE" delete "$m" evil/dir --if-exists
  expect_fail $REPARSE "goes through the link 'evil'" -- \
    "$DISMAKE" run "$m" --paths evil/dir -- sh -c 'echo x > evil/dir/x'
  assert_outside_untouched
  assert_clean "$m"

  step "$mode mount: the mount is still usable, and the links are carried through"
  dismake_ok add "$m" "$T/f.txt" Windows/f.txt
  dismake_ok add "$m" "$T/overlay/Windows" Windows
  dismake_ok set-registry-value "$m" 'HKLM\SOFTWARE\Contoso' Channel REG_SZ stable
  dismake_ok commit "$m" --output "$T/out-$mode.wim"
  verify_wim "$T/out-$mode.wim"
  assert_eq "payload" "$(wim_cat "$T/out-$mode.wim" 1 Windows/f.txt)" "Windows/f.txt"
  assert_eq "ok" "$(wim_cat "$T/out-$mode.wim" 1 Windows/ok.txt)" "Windows/ok.txt"
  local link
  for link in evil Windows/Panther "Program Files/link.txt"; do
    assert_same_listing "$(wim_detailed "$T/links.wim" 1 "/$link")" \
      "$(wim_detailed "$T/out-$mode.wim" 1 "/$link")" "the link $link after commit"
  done

  step "$mode mount: a link itself may be renamed and deleted (the link, not its target)"
  dismake_ok rename "$m" evil renamed-link
  dismake_ok delete "$m" renamed-link "Program Files/link.txt"
  assert_absent "$m/renamed-link"
  dismake_ok unmount "$m" --discard
  assert_outside_untouched
}

attack full
attack lazy

step "a hive that is a link is never opened"
dismake_ok mount "$T/hivelink.wim" "$T/mh" --index 1
expect_fail $REPARSE "'Windows/System32/config/SOFTWARE' is a link" -- \
  "$DISMAKE" set-registry-value "$T/mh" 'HKLM\SOFTWARE\Contoso' Channel REG_SZ stable
printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\r\n"a"="b"\r\n' \
  >"$T/x.reg"
expect_fail $REPARSE "'Windows/System32/config/SOFTWARE' is a link" -- \
  "$DISMAKE" import-registry "$T/mh" "$T/x.reg"
assert_outside_untouched
assert_clean "$T/mh"
dismake_ok unmount "$T/mh" --discard

end_test
