#!/usr/bin/env bash
# Hostile images, links: a WIM that carries symlinks (absolute, relative, to
# a file, to a directory; captured by wimlib from a tree with such links) and
# a real NTFS junction (captured from an NTFS-3G volume) is attacked through
# add, rename, delete, apply-unattend, the registry and run. Every step whose
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

# --- a real junction, from an NTFS-3G volume ------------------------------------

# "Documents and Settings" -> C:\Users, as Windows has it. Needs FUSE to write
# the reparse data through NTFS-3G; skipped (said so) where there is none.
make_junction_wim() {
  command -v mkntfs >/dev/null && command -v ntfs-3g >/dev/null && [[ -c /dev/fuse ]] || return 1
  truncate -s 8M "$T/vol.img"
  mkntfs -F -q -f "$T/vol.img" >/dev/null 2>&1 || return 1
  mkdir -p "$T/vol"
  ntfs-3g "$T/vol.img" "$T/vol" 2>/dev/null || return 1
  mkdir -p "$T/vol/Users/Default"
  "$PYTHON" - "$T/vol/Documents and Settings" <<'EOF' || { umount "$T/vol"; return 1; }
import os, struct, sys
target, printed = "\\??\\C:\\Users".encode("utf-16-le"), "C:\\Users".encode("utf-16-le")
body = struct.pack("<HHHH", 0, len(target), len(target) + 2, len(printed))
body += target + b"\0\0" + printed + b"\0\0"
os.mkdir(sys.argv[1])
os.setxattr(sys.argv[1], "system.ntfs_reparse_data", struct.pack("<IHH", 0xA0000003, len(body), 0) + body)
EOF
  umount "$T/vol"
  wimlib-imagex capture "$T/vol.img" "$T/junction.wim" junction >/dev/null 2>&1
}

if make_junction_wim; then
  step "a junction is a link too: adding through it is refused, and the mount does not wedge"
  JUNCTION_SHA=$(sha256 "$T/junction.wim")
  for mode in full lazy; do
    m=$T/mj-$mode
    args=(mount "$T/junction.wim" "$m" --index 1)
    [[ $mode == full ]] || args+=(--lazy)
    dismake_ok "${args[@]}"
    expect_fail $REPARSE "goes through the link 'Documents and Settings'" -- \
      "$DISMAKE" add "$m" "$T/f.txt" "documents and settings/Default/f.txt"
    dismake_ok restore "$m"
    dismake_ok add "$m" "$T/f.txt" Users/Default/f.txt
    dismake_ok commit "$m" --output "$T/junction-$mode.wim"
    assert_same_listing "$(wim_detailed "$T/junction.wim" 1 "/Documents and Settings")" \
      "$(wim_detailed "$T/junction-$mode.wim" 1 "/Documents and Settings")" "the junction"
    dismake_ok unmount "$m" --discard
  done
  assert_sha256 "$T/junction.wim" "$JUNCTION_SHA"
else
  echo "   skip: no NTFS-3G/FUSE here to make a junction"
fi

end_test
