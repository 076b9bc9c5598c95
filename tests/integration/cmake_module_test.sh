#!/usr/bin/env bash
# The CMake module's front: every function refuses a wrong, missing or
# unknown argument with an error naming the function and the argument; the
# generated Ninja graph has the shape the design asks for (targets, job
# pools, depfiles, nothing inside the mount in a clean list); and arguments
# reach the helper exactly as written (empty ones, semicolons, quotes),
# including a command run in the mount.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/cmake_lib.sh"

begin_test cmake_module
base=$DISMAKE_FIXTURES/single.wim
src=$T/src
bld=$T/build

# A valid start and end of a recipe, around the calls under test.
MOUNT="dismake_mount_image(img WIM \"$base\" INDEX 1)"
OPEN="dismake_open_session(s IMAGE img)"
CLOSE="dismake_close_session(s)"
UNMOUNT="dismake_unmount_image(img DISCARD)"

# rejects REGEX CODE [cmake args...]: configuring a project with CODE fails
# with an error matching REGEX.
rejects() {
  local regex=$1 code=$2
  shift 2
  wipe_dir "$src"
  wipe_dir "$bld"
  write_inputs "$src"
  write_project "$src" "$code"
  configure_fails "$src" "$bld" "$regex" "$@"
}

# rejects_step REGEX CALL: CALL inside an otherwise valid recipe is refused.
rejects_step() {
  rejects "$1" "$MOUNT
$OPEN
$2
$CLOSE
$UNMOUNT"
}

test_mount_arguments() {
  step "dismake_mount_image refuses bad arguments"
  rejects 'dismake_mount_image: the image name is required' "dismake_mount_image()"
  rejects 'dismake_mount_image: the first argument must be the image name, not the keyword WIM' \
    "dismake_mount_image(WIM \"$base\" INDEX 1)"
  rejects "dismake_mount_image: image name 'a b' may only contain" \
    "dismake_mount_image(\"a b\" WIM \"$base\" INDEX 1)"
  rejects 'dismake_mount_image: WIM is required' "dismake_mount_image(img INDEX 1)"
  rejects 'dismake_mount_image: WIM needs a value' "dismake_mount_image(img INDEX 1 WIM)"
  rejects 'dismake_mount_image: INDEX or NAME is required' "dismake_mount_image(img WIM \"$base\")"
  rejects 'dismake_mount_image: give INDEX or NAME, not both' \
    "dismake_mount_image(img WIM \"$base\" INDEX 1 NAME Single)"
  rejects "dismake_mount_image: INDEX must be a positive integer .* got '0'" \
    "dismake_mount_image(img WIM \"$base\" INDEX 0)"
  rejects "dismake_mount_image: unknown argument 'LAZY'" \
    "dismake_mount_image(img WIM \"$base\" INDEX 1 LAZY)"
  rejects "dismake_mount_image: image 'img' is already declared" "$MOUNT
$MOUNT"
  rejects "dismake_mount_image: image name 'img' is taken: a target 'img' already exists" \
    "add_custom_target(img)
$MOUNT"
  rejects "dismake_mount_image: MOUNT_DIR .*/shared is already the mount of image 'one'" \
    "dismake_mount_image(one WIM \"$base\" INDEX 1 MOUNT_DIR shared)
dismake_mount_image(two WIM \"$base\" INDEX 1 MOUNT_DIR shared)"
  rejects "dismake_mount_image: image 'img' is never unmounted: end its recipe with dismake_unmount_image\(img COMMIT OUTPUT <file.wim>\)" \
    "$MOUNT"
  rejects "dismake_mount_image: the generator is 'Ninja Multi-Config', but dismake's build graph needs 'Ninja'" \
    "$MOUNT
$UNMOUNT" -G "Ninja Multi-Config"
  rejects "dismake_mount_image: DISMAKE_EXECUTABLE '/nonexistent/dismake' is not the absolute path of an existing file" \
    "$MOUNT
$UNMOUNT" -DDISMAKE_EXECUTABLE=/nonexistent/dismake
  rejects "dismake_mount_image: the dismake helper is unknown: use find_package\(Dismake CONFIG\)" \
    "$MOUNT
$UNMOUNT" -DDISMAKE_EXECUTABLE=
}

test_session_arguments() {
  step "sessions: opened on a mounted image, used while open, closed before unmount"
  rejects 'dismake_open_session: the session name is required' "$MOUNT
dismake_open_session()"
  rejects 'dismake_open_session: IMAGE is required' "$MOUNT
dismake_open_session(s)"
  rejects "dismake_open_session: image 'other' is not mounted: call dismake_mount_image\(other" "$MOUNT
dismake_open_session(s IMAGE other)"
  rejects "dismake_open_session: session 's' is already declared \(on image 'img'\)" "$MOUNT
$OPEN
$OPEN"
  rejects "dismake_close_session: unknown argument 'IMAGE'" "$MOUNT
$OPEN
dismake_close_session(s IMAGE img)"
  rejects "dismake_add_files: session 'nope' is not open: call dismake_open_session\(nope IMAGE <image>\)" "$MOUNT
dismake_add_files(nope SOURCE overlay DESTINATION /)"
  rejects "dismake_add_files: session 's' is already closed" "$MOUNT
$OPEN
$CLOSE
dismake_add_files(s SOURCE overlay DESTINATION /)"
  rejects "dismake_unmount_image: session 's' is still open on image 'img': call dismake_close_session\(s\) first" "$MOUNT
$OPEN
$UNMOUNT"
  rejects "dismake_open_session: image 'img' is already unmounted" "$MOUNT
$UNMOUNT
$OPEN"
  # Every call for an image is made in the directory that mounts it.
  wipe_dir "$src"
  wipe_dir "$bld"
  write_project "$src" "$MOUNT
$OPEN
add_subdirectory(sub)
$CLOSE
$UNMOUNT"
  mkdir -p "$src/sub/overlay"
  echo 'dismake_add_files(s SOURCE overlay DESTINATION /)' >"$src/sub/CMakeLists.txt"
  configure_fails "$src" "$bld" \
    "dismake_add_files: image 'img' is mounted in .*/src: make every call for an image in the directory that mounts it"
}

test_step_arguments() {
  step "servicing steps refuse bad arguments"
  rejects_step 'dismake_add_files: the session name is required' "dismake_add_files()"
  rejects_step 'dismake_add_files: the first argument must be the session name, not the keyword SOURCE' \
    "dismake_add_files(SOURCE overlay DESTINATION /)"
  rejects_step 'dismake_add_files: SOURCE is required' "dismake_add_files(s DESTINATION /)"
  rejects_step 'dismake_add_files: DESTINATION is required' "dismake_add_files(s SOURCE overlay)"
  rejects_step 'dismake_add_files: DESTINATION needs a value' "dismake_add_files(s SOURCE overlay DESTINATION)"
  rejects_step "dismake_add_files: unknown argument 'TO'" "dismake_add_files(s SOURCE overlay TO /)"
  rejects_step 'dismake_delete_files: PATHS is required' "dismake_delete_files(s IF_EXISTS)"
  rejects_step 'dismake_delete_files: PATHS needs a value' "dismake_delete_files(s PATHS)"
  rejects_step 'dismake_set_registry_value: KEY is required' \
    "dismake_set_registry_value(s NAME a TYPE REG_SZ DATA b)"
  rejects_step 'dismake_set_registry_value: NAME is required' \
    "dismake_set_registry_value(s KEY [[HKLM\\SOFTWARE\\X]] TYPE REG_SZ DATA b)"
  rejects_step 'dismake_set_registry_value: DATA is required' \
    "dismake_set_registry_value(s KEY [[HKLM\\SOFTWARE\\X]] NAME a TYPE REG_SZ)"
  # A NAME inside DATA's value is data, not the keyword.
  rejects_step 'dismake_set_registry_value: NAME is required' \
    "dismake_set_registry_value(s KEY [[HKLM\\SOFTWARE\\X]] TYPE REG_MULTI_SZ DATA \"a;NAME\")"
  rejects_step 'dismake_delete_registry_value: NAME is required' \
    "dismake_delete_registry_value(s KEY \"HKLM\\\\SOFTWARE\\\\X;NAME\")"
  rejects_step "dismake_set_registry_value: registry value 'HKLM.SOFTWARE.X.a': unknown registry value type 'REG_TEXT'; use one of REG_SZ, REG_EXPAND_SZ, REG_DWORD, REG_QWORD, REG_MULTI_SZ, REG_BINARY, REG_NONE" \
    "dismake_set_registry_value(s KEY [[HKLM\\SOFTWARE\\X]] NAME a TYPE REG_TEXT DATA b)"
  rejects_step 'dismake_import_registry: FILE is required' "dismake_import_registry(s)"
  rejects_step 'dismake_apply_unattend: FILE needs a value' "dismake_apply_unattend(s FILE)"
  rejects_step 'dismake_set_image_info: give at least one of NAME, DESCRIPTION, DISPLAY_NAME, DISPLAY_DESCRIPTION, FLAGS' \
    "dismake_set_image_info(s)"
  rejects_step "dismake_set_image_info: unknown argument 'EDITION'" "dismake_set_image_info(s EDITION Pro)"
  rejects_step 'dismake_run: COMMAND is required' "dismake_run(s PATHS Windows)"
}

test_unmount_arguments() {
  step "dismake_unmount_image refuses bad arguments"
  local start="$MOUNT
$OPEN
$CLOSE"
  rejects 'dismake_unmount_image: COMMIT OUTPUT <file.wim> or DISCARD is required' "$start
dismake_unmount_image(img)"
  rejects 'dismake_unmount_image: give COMMIT or DISCARD, not both' "$start
dismake_unmount_image(img COMMIT OUTPUT a.wim DISCARD)"
  rejects 'dismake_unmount_image: OUTPUT is required with COMMIT' "$start
dismake_unmount_image(img COMMIT)"
  rejects 'dismake_unmount_image: OUTPUT and COMPRESS go with COMMIT, not DISCARD' "$start
dismake_unmount_image(img DISCARD COMPRESS lzx)"
  rejects "dismake_unmount_image: COMPRESS 'zip' is not one of none, xpress, lzx, lzms" "$start
dismake_unmount_image(img COMMIT OUTPUT a.wim COMPRESS zip)"
  rejects "dismake_unmount_image: OUTPUT .*single.wim is the source WIM: the build never writes its input" "$start
dismake_unmount_image(img COMMIT OUTPUT \"$base\")"
  rejects "dismake_unmount_image: image 'other' is not mounted" "$start
$UNMOUNT
dismake_unmount_image(other DISCARD)"
}

# The Ninja build statement (with its variables) that makes OUTPUT (as an
# output or a byproduct).
build_statement() {
  awk -v out=" $1 " '
    /^build / { split($0, parts, ": "); on = index(parts[1] " ", out) > 0 }
    on && /^$/ { exit }
    on' "$bld/build.ninja"
}

test_graph() {
  step "the generated graph: targets, pools, depfiles, restat, no mount in clean lists"
  wipe_dir "$src"
  wipe_dir "$bld"
  write_inputs "$src"
  write_project "$src" "$(standard_recipe img "$base")
dismake_mount_image(full WIM \"$base\" NAME Single MOUNT_DIR mounts/full FULL)
dismake_open_session(full_s IMAGE full)
dismake_close_session(full_s)
dismake_unmount_image(full DISCARD)"
  configure "$src" "$bld"

  # ALL builds the images, never their -mount / -unmount targets.
  local all
  all=$(grep -E '^build all: phony' "$bld/build.ninja")
  [[ " $all " == *" img "* && " $all " == *" full "* ]] || fail "ALL lacks the images: $all"
  [[ $all != *-mount* && $all != *-unmount* ]] || fail "ALL has a -mount/-unmount target: $all"
  local targets
  targets=$(ninja -C "$bld" -t targets all)
  [[ $(grep -cE '^img-(mount|unmount): phony' <<<"$targets") == 2 ]] ||
    fail "no img-mount / img-unmount targets"

  # One depth-1 pool per image, used by every step of that image.
  grep -A1 -E '^pool dismake_img$' "$bld/CMakeFiles/rules.ninja" | grep -q 'depth = 1' ||
    fail "no depth-1 pool dismake_img"
  grep -A1 -E '^pool dismake_full$' "$bld/CMakeFiles/rules.ninja" | grep -q 'depth = 1' ||
    fail "no depth-1 pool dismake_full"
  local statement stamp
  while read -r stamp; do
    statement=$(build_statement "$stamp")
    grep -q '  pool = dismake_img$' <<<"$statement" || fail "$stamp is not in pool dismake_img"
  done < <(grep -oE '^dismake/img/steps/[^:]+\.stamp' <<<"$targets")

  # The always-run nodes: a never-created output and a restat stamp.
  statement=$(build_statement dismake/img/steps/000-ensure.always)
  grep -q "dismake/img/steps/000-ensure.stamp" <<<"$statement" || fail "ensure has no stamp"
  grep -q 'restat = 1' <<<"$statement" || fail "ensure's stamp is not restat"
  grep -qF -- "--recipe $bld/dismake/img/recipe.json" <<<"$(step_command "$bld/dismake/img/steps/000-ensure.cmake")" ||
    fail "ensure gets no recipe"
  # The overlay step: a depfile from the helper.
  statement=$(build_statement dismake/img/steps/004-add.stamp)
  grep -q '  depfile = ' <<<"$statement" || fail "the add step has no depfile"
  grep -qF -- "--depfile $bld/dismake/img/steps/004-add.d" <<<"$(step_command "$bld/dismake/img/steps/004-add.cmake")" ||
    fail "the helper is not asked for a depfile: $statement"
  # Options of dismake_mount_image reach the ensure step.
  statement=$(step_command "$bld/dismake/full/steps/000-ensure.cmake")
  grep -qF -- "--name Single --mount-dir $bld/mounts/full" <<<"$statement" ||
    fail "NAME / MOUNT_DIR do not reach the ensure step: $statement"
  grep -qF -- '--full' <<<"$statement" || fail "FULL does not reach the ensure step"

  # The recipe fingerprint lists every step (and the session open and close).
  assert_eq 8 "$(grep -c '^    \[' "$bld/dismake/img/recipe.json")" "entries in the recipe"
  "$PYTHON" -m json.tool "$bld/dismake/img/recipe.json" >/dev/null || fail "recipe.json is not JSON"

  # Nothing inside a mount directory is an output or byproduct, so no clean
  # removes anything there.
  if grep -E "(^|/)(dismake/img/mount|mounts/full)(/|\.dismake|:)" <<<"$targets"; then
    fail "a mount directory holds build outputs"
  fi
  local cleaned
  cleaned=$(ninja -C "$bld" -n -t clean -g)
  if grep -E "dismake/img/mount|mounts/full" <<<"$cleaned"; then
    fail "ninja -t clean would remove files in a mount"
  fi
}

test_arguments_reach_helper() {
  step "arguments reach the helper exactly: empty, semicolons, quotes, control characters, a command's own options"
  wipe_dir "$src"
  wipe_dir "$bld"
  write_inputs "$src"
  cat >"$src/record-args.sh" <<'EOF'
# Records its arguments in the image, one per line in brackets.
for arg in "$@"; do printf '[%s]\n' "$arg"; done >Windows/System32/drivers/etc/args.txt
EOF
  write_project "$src" "$MOUNT
$OPEN
dismake_set_registry_value(s KEY [[HKLM\\SOFTWARE\\Contoso]] NAME \"\" TYPE REG_SZ DATA \"default; value\")
dismake_set_registry_value(s KEY [[HKLM\\SOFTWARE\\Contoso]] NAME Empty TYPE REG_SZ DATA \"\")
dismake_set_registry_value(s KEY [[HKLM\\SOFTWARE\\Contoso]] NAME \"With space\" TYPE reg_sz DATA [[-n \"quoted\" \$HOME \\\\]])
string(ASCII 1 soh)
dismake_set_registry_value(s KEY [[HKLM\\SOFTWARE\\Contoso]] NAME Controls TYPE REG_SZ DATA \"tab\\there\${soh}end\")
dismake_set_registry_value(s KEY [[HKLM\\SOFTWARE\\Contoso]] NAME Unicode TYPE REG_SZ DATA \"Grüße 😀\")
dismake_run(s COMMAND sh record-args.sh -c \"two words\" \"\" \"a;b\" PATHS Windows/System32/drivers/etc DEPENDS record-args.sh)
$CLOSE
dismake_unmount_image(img COMMIT OUTPUT img.wim)"
  # The script is read from the source dir: the command runs in the mount.
  sed -i "s|COMMAND sh record-args.sh|COMMAND sh $src/record-args.sh|" "$src/CMakeLists.txt"
  configure "$src" "$bld"
  build "$bld"
  local out=$bld/img.wim
  assert_eq "default; value" "$(software_value "$out" Contoso @)" "the default value"
  assert_eq "" "$(software_value "$out" Contoso Empty)" "an empty value"
  # shellcheck disable=SC2016,SC1003 # the literal text
  assert_eq '-n "quoted" $HOME \\' "$(software_value "$out" Contoso 'With space')" "a value with quotes"
  # The run's values reach the helper in a JSON file: control characters
  # and non-ASCII text survive it.
  assert_eq "$(printf 'tab\there\001end')" "$(software_value "$out" Contoso Controls)" "control characters"
  assert_eq "Grüße 😀" "$(software_value "$out" Contoso Unicode)" "non-ASCII text"
  assert_eq "[-c]
[two words]
[]
[a;b]" "$(wim_cat "$out" 1 /Windows/System32/drivers/etc/args.txt)" "the command's arguments"

  step "editing a run step's script re-runs it"
  local mark
  mark=$(events_mark "$bld" img)
  echo 'echo changed >Windows/System32/drivers/etc/changed.txt' >>"$src/record-args.sh"
  build "$bld"
  assert_events "$bld" img "$mark" "$(expected_events reused 0 run)"
  assert_eq changed "$(wim_cat "$out" 1 /Windows/System32/drivers/etc/changed.txt)" "the script's new output"

  step "NETWORK reaches the helper as --network, and is part of the step's key"
  sed -i 's|DEPENDS record-args.sh)|DEPENDS record-args.sh NETWORK)|' "$src/CMakeLists.txt"
  mark=$(events_mark "$bld" img)
  build "$bld"
  assert_events "$bld" img "$mark" "$(expected_events reused 0 run)"
  grep -l -- '--network' "$bld"/dismake/img/steps/*-run.cmake >/dev/null ||
    fail "NETWORK does not reach the run step: $(cat "$bld"/dismake/img/steps/*-run.cmake)"
}

test_target_properties() {
  step "an image's target carries DISMAKE_OUTPUT and DISMAKE_MOUNT_DIR; assemble and split targets their OUTPUT"
  wipe_dir "$src"
  wipe_dir "$bld"
  write_inputs "$src"
  write_project "$src" "dismake_mount_image(img WIM \"$base\" INDEX 1 MOUNT_DIR here)
dismake_unmount_image(img COMMIT OUTPUT out/img.wim)
dismake_mount_image(other WIM \"$base\" INDEX 1)
dismake_unmount_image(other DISCARD)
dismake_assemble_wim(OUTPUT all.wim TARGET all-wim IMAGES img)
dismake_split_wim(OUTPUT parts.swm IMAGE img)
foreach(target img other all-wim parts-swm)
  get_target_property(output \${target} DISMAKE_OUTPUT)
  get_target_property(mount_dir \${target} DISMAKE_MOUNT_DIR)
  message(STATUS \"\${target}: output=[\${output}] mount=[\${mount_dir}]\")
endforeach()"
  configure "$src" "$bld"
  local expected
  for expected in "img: output=[$bld/out/img.wim] mount=[$bld/here]" \
    "other: output=[] mount=[$bld/dismake/other/mount]" \
    "all-wim: output=[$bld/all.wim] mount=[mount_dir-NOTFOUND]" \
    "parts-swm: output=[$bld/parts.swm] mount=[mount_dir-NOTFOUND]"; do
    grep -qF -- "-- $expected" <<<"$LAST_STDOUT" || fail "no '$expected' in: $LAST_STDOUT"
  done
}

test_properties_after_mount() {
  step "right after dismake_mount_image, <image> has DISMAKE_MOUNT_DIR, DISMAKE_WIM and DISMAKE_INDEX; DISMAKE_OUTPUT comes with the unmount"
  wipe_dir "$src"
  wipe_dir "$bld"
  write_inputs "$src"
  write_project "$src" "dismake_mount_image(img WIM \"$base\" INDEX 1 MOUNT_DIR here)
dismake_mount_image(named WIM \"$base\" NAME Single)
foreach(target img named)
  get_target_property(mount_dir \${target} DISMAKE_MOUNT_DIR)
  get_target_property(wim \${target} DISMAKE_WIM)
  get_target_property(index \${target} DISMAKE_INDEX)
  get_target_property(output \${target} DISMAKE_OUTPUT)
  message(STATUS \"mounted \${target}: mount=[\${mount_dir}] wim=[\${wim}] index=[\${index}] output=[\${output}]\")
endforeach()
dismake_unmount_image(img COMMIT OUTPUT img.wim)
dismake_unmount_image(named DISCARD)"
  configure "$src" "$bld"
  local expected
  for expected in "mounted img: mount=[$bld/here] wim=[$base] index=[1] output=[output-NOTFOUND]" \
    "mounted named: mount=[$bld/dismake/named/mount] wim=[$base] index=[] output=[output-NOTFOUND]"; do
    grep -qF -- "-- $expected" <<<"$LAST_STDOUT" || fail "no '$expected' in: $LAST_STDOUT"
  done
}

test_mount_arguments
test_session_arguments
test_step_arguments
test_unmount_arguments
test_graph
test_arguments_reach_helper
test_target_properties
test_properties_after_mount
end_test
