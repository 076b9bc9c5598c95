# Dismake/Steps.cmake: the servicing steps' skeleton and the chain of stamps
# they make. Internal to Dismake.cmake (which includes it).
#
# A step function starts with _dismake_step (its arguments, its session and
# image), adds the helper's arguments, and ends with _dismake_add_node, which
# appends a node to the image's chain of stamps and the step to the recipe
# fingerprint. (dismake_set_registry_value adds its value to a run of values
# instead, which becomes its node when the next node is added:
# Dismake/RegistryRuns.cmake.)

# Fails unless <image> is mounted (declared and not yet unmounted) in this
# directory.
function(_dismake_require_image fn image)
  _dismake_image_state(state "${image}")
  if(state STREQUAL "")
    _dismake_fail(${fn} "image '${image}' is not mounted: call dismake_mount_image(${image} ...) first")
  endif()
  get_target_property(source_dir "${image}" SOURCE_DIR)
  if(NOT source_dir STREQUAL CMAKE_CURRENT_SOURCE_DIR)
    _dismake_fail(${fn} "image '${image}' is mounted in ${source_dir}: "
      "make every call for an image in the directory that mounts it")
  endif()
  if(state STREQUAL "UNMOUNTED")
    _dismake_fail(${fn} "image '${image}' is already unmounted (dismake_unmount_image)")
  endif()
endfunction()

# The image <session> is open on; fails unless the session is open.
function(_dismake_session_image fn session out)
  _dismake_get(image "SESSION_${session}_IMAGE")
  if(image STREQUAL "")
    _dismake_fail(${fn} "session '${session}' is not open: "
      "call dismake_open_session(${session} IMAGE <image>) first")
  endif()
  _dismake_get(closed "SESSION_${session}_CLOSED")
  if(closed)
    _dismake_fail(${fn} "session '${session}' is already closed (dismake_close_session)")
  endif()
  _dismake_require_image(${fn} "${image}")
  set(${out} "${image}" PARENT_SCOPE)
endfunction()

# Adds one node to the image's chain of stamps. The helper is called as
#   dismake <verb> <mount-dir> --after <previous stamp> --stamp <this stamp>
#           [--depfile <file>] <the caller's _dismake_args>
# in the image's job pool, through the node's step script (see
# _dismake_step_command).
#
#   ALWAYS     the node runs in every build (a never-created SYMBOLIC output);
#              its stamp is a BYPRODUCT the helper rewrites only on a change
#   DEPFILE    the helper writes a depfile of the inputs it read
#   DEPENDS    files the step reads (besides the previous stamp and helper)
function(_dismake_add_node fn image verb)
  cmake_parse_arguments(PARSE_ARGV 3 node "ALWAYS;DEPFILE" "COMMENT" "DEPENDS")
  # A pending run of registry values is the node before this one.
  _dismake_end_registry_run("${image}")
  _dismake_image_get(mount_dir "${image}" DISMAKE_MOUNT_DIR)
  _dismake_image_get(after "${image}" _DISMAKE_TAIL)
  _dismake_next_step_base(base "${image}" ${verb})
  cmake_path(GET base FILENAME name)
  string(REGEX MATCH "^[0-9]+" count "${name}")
  set(stamp "${base}.stamp")

  _dismake_code_list(code "${verb}" "${mount_dir}" --after "${after}" --stamp "${stamp}")
  set(depfile "")
  if(node_DEPFILE)
    _dismake_code_list(depfile_code --depfile "${base}.d")
    string(APPEND code "${depfile_code}")
    set(depfile DEPFILE "${base}.d")
  endif()
  string(APPEND code " ${_dismake_args}")

  if(node_ALWAYS)
    set(outputs OUTPUT "${base}.always" BYPRODUCTS "${stamp}")
    set_source_files_properties("${base}.always" PROPERTIES SYMBOLIC TRUE)
    _dismake_image_append("${image}" _DISMAKE_ALWAYS "${base}.always")
  else()
    set(outputs OUTPUT "${stamp}")
  endif()
  _dismake_add_helper_call(${fn} "${base}" "dismake ${image}: ${node_COMMENT}" "${code}"
    ${outputs} DEPENDS "${after}" ${node_DEPENDS} ${depfile} POOL "${image}")

  _dismake_image_set("${image}" _DISMAKE_TAIL "${stamp}")
  _dismake_image_set("${image}" _DISMAKE_COUNT "${count}")
  _dismake_image_append("${image}" _DISMAKE_STEP_NAMES "${name}")
  if(count GREATER 1)
    set(separator ",")
  else()
    set(separator "")
  endif()
  set_property(TARGET "${image}" APPEND_STRING PROPERTY _DISMAKE_RECIPE
    "${separator}\n    [${_dismake_json}]")
endfunction()

# Sets <out> to the path its files start with (<step-dir>/<NNN>-<verb>) for
# the next node of <image>, a step <verb>.
function(_dismake_next_step_base out image verb)
  _dismake_image_get(dir "${image}" _DISMAKE_STEP_DIR)
  _dismake_image_get(count "${image}" _DISMAKE_COUNT)
  math(EXPR count "${count} + 1")
  string(LENGTH "${count}" digits)
  while(digits LESS 3)
    string(PREPEND count "0")
    math(EXPR digits "${digits} + 1")
  endwhile()
  set(${out} "${dir}/${count}-${verb}" PARENT_SCOPE)
endfunction()

# The skeleton every servicing step function shares. In dismake_<step>():
#
#   _dismake_step(<verb> "${ARGV0}" [OPTIONS <kw>...] [VALUES <kw>...]
#                 [LISTS <kw>...] [REQUIRED <kw>...])
#   ... the step's own checks, and its options: _dismake_arg(--option) ...
#   _dismake_positionals()
#   ... its positional arguments: _dismake_arg(<value>) ...
#   _dismake_add_node(${fn} "${image}" <verb> [DEPFILE] [DEPENDS ...] COMMENT <label>)
#
# _dismake_step checks the session name (the first argument, not one of the
# keywords), parses the others with cmake_parse_arguments(PARSE_ARGV 1 arg
# ...) (OPTIONS, one-value VALUES, multi-value LISTS keywords), refuses an
# unknown argument, a keyword without its value or a REQUIRED one missing,
# checks that the session is open on an image of this directory, and starts
# the step's arguments. It sets, in the function: fn (the function's name,
# for errors), arg_<keyword>, image, and the step's argument lists. A
# macro: PARSE_ARGV reads the function's own arguments.
macro(_dismake_step verb session)
  cmake_parse_arguments(_dismake_step "" "" "OPTIONS;VALUES;LISTS;REQUIRED" ${ARGN})
  set(fn "${CMAKE_CURRENT_FUNCTION}")
  _dismake_check_name(${fn} session "${session}"
    ${_dismake_step_OPTIONS} ${_dismake_step_VALUES} ${_dismake_step_LISTS})
  cmake_parse_arguments(PARSE_ARGV 1 arg "${_dismake_step_OPTIONS}" "${_dismake_step_VALUES}"
    "${_dismake_step_LISTS}")
  _dismake_check_args(${fn} arg REQUIRED ${_dismake_step_REQUIRED})
  _dismake_session_image(${fn} "${session}" image)
  set(_dismake_session "${session}")
  _dismake_args_begin(${verb})
endmacro()

# Ends a step's options and starts its positional arguments: --session
# <session> --. (--session comes last: a repeatable option such as --paths
# right before "--" would take the "--" as its end and the command's own
# options as the helper's.)
macro(_dismake_positionals)
  _dismake_arg(--session)
  _dismake_arg("${_dismake_session}")
  _dismake_arg(--)
endmacro()

# The rest of a step <verb> (begun with _dismake_step) on one input file,
# <file> as the caller's FILE gave it (relative paths: to the current source
# directory), tracked as a dependency and through the helper's depfile. <what> starts the step's
# label; <hint> says what to give when the file is missing.
function(_dismake_file_step fn verb file what hint)
  _dismake_absolute(path "${file}" "${CMAKE_CURRENT_SOURCE_DIR}")
  _dismake_require_input(${fn} FILE "${path}" "${hint}")
  _dismake_positionals()
  _dismake_arg("${path}")
  _dismake_add_node(${fn} "${image}" ${verb} DEPFILE DEPENDS "${path}" COMMENT "${what} ${file}")
endfunction()

# The command of a dismake_run() step as its label shows it: the program's
# file name and the arguments (paths in the source directory relative to
# it: "sh scripts/tune.sh"), cut short after 60 characters.
function(_dismake_command_label out program)
  cmake_path(GET program FILENAME shown)
  foreach(value IN LISTS ARGN)
    string(FIND "${value}" "${CMAKE_CURRENT_SOURCE_DIR}/" at)
    if(at EQUAL 0)
      file(RELATIVE_PATH value "${CMAKE_CURRENT_SOURCE_DIR}" "${value}")
    endif()
    string(APPEND shown " ${value}")
  endforeach()
  string(REPLACE ";" " " shown "${shown}")
  string(LENGTH "${shown}" length)
  if(length GREATER 60)
    string(SUBSTRING "${shown}" 0 57 shown)
    string(APPEND shown "...")
  endif()
  set(${out} "${shown}" PARENT_SCOPE)
endfunction()
