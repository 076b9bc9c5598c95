#!/usr/bin/env bash
# The CI matrix of examples/ci (github-actions.yml, gitlab-ci.yml), played
# locally: examples/editions built as the matrix builds it, one job per
# image, each on a "fresh runner" (its own copy of the base WIM at its own
# path, its own build tree and $DISMAKE_HOME, only `--target <image>`
# built), then the fan-in job assembling the jobs' WIMs with `dismake
# assemble` on files and making the installation ISO from a Windows ISO
# with it. The results are byte-identical (cmp) to the same project built on
# one machine in one build tree, and so are the images.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/cmake_lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/media_lib.sh"

begin_test ci_matrix
examples=$DISMAKE_SOURCE_DIR/examples
tree=$(helper_build_tree)
[[ -f $tree/cmake-modules/DismakeConfig.cmake ]] || fail "$tree has no cmake-modules/DismakeConfig.cmake"
export SOURCE_DATE_EPOCH=1700000000

# The images and their indexes in the base, as the workflow files list them.
images=(pro:1 enterprise:2)
for workflow in github-actions.yml gitlab-ci.yml; do
  assert_exists "$examples/ci/$workflow"
  for entry in "${images[@]}"; do
    grep -qE "(^|[^a-z])${entry%%:*}([^a-z]|$)" "$examples/ci/$workflow" ||
      fail "$workflow has no job for image ${entry%%:*}"
  done
  grep -qE 'dismake"? assemble --output install.wim' "$examples/ci/$workflow" || fail "$workflow has no fan-in assemble"
  grep -qE 'dismake"? extract-media windows.iso media' "$examples/ci/$workflow" ||
    fail "$workflow does not read the Windows ISO"
  # make-iso's options may be on a continuation line.
  tr -d '\\\n' <"$examples/ci/$workflow" |
    grep -qE 'make-iso --media media --output contoso.iso +--replace sources/install.wim=install.wim' ||
    fail "$workflow's fan-in does not make the ISO with the assembled install.wim"
done

configure_editions() { # BUILD BASE
  run_ok cmake -S "$examples/editions" -B "$1" -G Ninja -DDismake_DIR="$tree/cmake-modules" \
    -DDISMAKE_BASE_WIM="$2"
}

step "one machine, one build tree: every image and install.wim"
mkdir -p "$T/one"
cp "$DISMAKE_FIXTURES/base.wim" "$T/one/install.wim"
DISMAKE_HOME=$T/one/home configure_editions "$T/one/build" "$T/one/install.wim"
DISMAKE_HOME=$T/one/home build "$T/one/build" -j2
verify_wim "$T/one/build/install.wim"

step "the matrix: one fresh runner per image, building only its image"
mkdir -p "$T/artifacts"
for entry in "${images[@]}"; do
  image=${entry%%:*}
  runner=$T/runner-$image
  mkdir -p "$runner"
  cp "$DISMAKE_FIXTURES/base.wim" "$runner/install.wim"
  export DISMAKE_HOME=$runner/home
  configure_editions "$runner/build" "$runner/install.wim"
  build "$runner/build" --quiet "$image"
  [[ ! -e $runner/build/install.wim ]] || fail "the $image job assembled install.wim"
  for other in "${images[@]}"; do
    [[ ${other%%:*} == "$image" ]] || assert_absent "$runner/build/${other%%:*}.wim"
  done
  cp "$runner/build/$image.wim" "$T/artifacts/"
  unset DISMAKE_HOME
done

step "the fan-in: dismake assemble on the jobs' WIMs"
sources=()
for entry in "${images[@]}"; do sources+=("$T/artifacts/${entry%%:*}.wim:${entry#*:}"); done
mkdir -p "$T/fan-in"
DISMAKE_HOME=$T/fan-in-home run_ok "$DISMAKE" assemble --output "$T/fan-in/install.wim" -- "${sources[@]}"
verify_wim "$T/fan-in/install.wim"

step "the matrix gives one machine's bytes"
for entry in "${images[@]}"; do
  cmp "$T/artifacts/${entry%%:*}.wim" "$T/one/build/${entry%%:*}.wim" ||
    fail "${entry%%:*}.wim of its job differs from one machine's"
done
cmp "$T/fan-in/install.wim" "$T/one/build/install.wim" ||
  fail "the fan-in's install.wim differs from one machine's"
assert_eq 2 "$(wim_image_count "$T/fan-in/install.wim")" "images in install.wim"

step "the installation ISO: the same Windows ISO, install.wim replaced, on one machine and in the fan-in"
make_media_tree "$T/windows-media"
make_microsoft_style_iso "$T/windows-media" "$T/windows.iso" CCCOMA_X64FRE_EN-US_DV9
for side in one:$T/one/build/install.wim fan-in:$T/fan-in/install.wim; do
  dir=$T/${side%%:*}
  DISMAKE_HOME=$dir-media-home run_ok "$DISMAKE" extract-media "$T/windows.iso" "$dir/media"
  DISMAKE_HOME=$dir-media-home run_ok "$DISMAKE" make-iso --media "$dir/media" \
    --output "$dir/contoso.iso" --replace sources/install.wim="${side#*:}"
done
cmp "$T/fan-in/contoso.iso" "$T/one/contoso.iso" || fail "the fan-in's ISO differs from one machine's"
DISMAKE_HOME=$T/back-home run_ok "$DISMAKE" extract-media "$T/fan-in/contoso.iso" "$T/back"
cmp "$T/back/sources/install.wim" "$T/fan-in/install.wim" ||
  fail "the ISO's install.wim is not the assembled one"
cmp "$T/back/boot/etfsboot.com" "$T/windows-media/boot/etfsboot.com" ||
  fail "the ISO's BIOS boot file is not the Windows ISO's"

end_test
