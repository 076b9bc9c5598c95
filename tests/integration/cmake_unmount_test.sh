#!/usr/bin/env bash
# `<image>-unmount` of an image never mounted or already unmounted succeeds
# (nothing to do). After a failed build: it does not build the image first
# (which would fail again), and the session the failed build left open does
# not block it (the build that held it has exited): the mount is gone, and
# the next build mounts anew.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/cmake_lib.sh"

begin_test cmake_unmount
src=$T/src
bld=$T/build
mnt=$(mount_dir_of "$bld" img)

write_inputs "$src"
steps="dismake_add_files(img_s SOURCE overlay DESTINATION /)
dismake_run(img_s COMMAND sh -c \"exit \${FAIL_STEP}\" PATHS Windows)"

step "<image>-unmount of an image never mounted: nothing to do, success"
write_project "$src" "set(FAIL_STEP 3)
$(recipe img "$DISMAKE_FIXTURES/base.wim" "$steps")"
configure "$src" "$bld"
build "$bld" img-unmount
grep -q "unmount .*: not mounted, nothing to do" <<<"$LAST_STDOUT" ||
  fail "img-unmount does not say there was nothing to do: $LAST_STDOUT"
assert_no_mounts

step "a build whose run step fails leaves the image mounted with its session open"
build_fails "$bld"
assert_exists "$mnt"
assert_eq '["img_s"]' "$(mounts_json "[s['name'] for x in m for s in x['sessions']]")" "sessions left open"

step "<image>-unmount unmounts it, with a warning for the session"
build "$bld" img-unmount
assert_absent "$mnt"
assert_absent "$bld/img.wim"
assert_no_mounts

step "the next build, fixed, mounts anew and commits"
write_project "$src" "set(FAIL_STEP 0)
$(recipe img "$DISMAKE_FIXTURES/base.wim" "$steps")"
build "$bld"
assert_exists "$bld/img.wim"
build "$bld" img-unmount
assert_no_mounts
step "<image>-unmount again: already unmounted, success"
build "$bld" img-unmount
assert_no_mounts
end_test
