#[=======================================================================[.rst:
Dismake
-------

Service Windows images (WIM files) as build steps: mount an image, open a
servicing session, change the image (files, registry, unattend, metadata, any
command), close the session and commit the result to a new WIM file. Each
change is a custom command; an incremental build re-runs only the steps whose
inputs changed, on the image that is still mounted from the last build, and
produces the same image a clean build does. The servicing itself is done by
the ``dismake`` helper; this module only wires the build graph.

Requires CMake 3.20 or later and a ``Ninja`` generator (the graph relies on
Ninja's ``restat``, job pools and depfiles).

Getting the module and the helper
^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^

* An installed dismake, or its build tree:
  ``find_package(Dismake CONFIG REQUIRED)`` (set ``Dismake_DIR`` or
  ``CMAKE_PREFIX_PATH``). The helper is the imported target
  ``Dismake::dismake``.
* The dismake source tree, with ``add_subdirectory()`` or ``FetchContent``:
  the functions are defined and ``Dismake::dismake`` is the helper built in
  the same build.
* ``include(<dismake-source>/cmake-modules/Dismake.cmake)`` with the cache
  variable :variable:`DISMAKE_EXECUTABLE` naming a helper built elsewhere.

.. variable:: DISMAKE_EXECUTABLE

  Absolute path of the ``dismake`` helper. When set, it is used instead of
  the ``Dismake::dismake`` target.

.. variable:: DISMAKE_CONSOLE_PROGRESS

  ``ON`` (the default): the long steps (commit, assemble, split, and the
  mount of a ``FULL`` image) run in Ninja's ``console`` pool
  (``USES_TERMINAL``), so their progress shows while they run: a bar that
  redraws in a terminal, a line every few seconds in a log
  (``DISMAKE_PROGRESS_INTERVAL`` in the environment sets the seconds). The
  order of an image's steps does not depend on its job pool (each waits
  for the one before it), but two console steps never run at once, so two
  images' commits no longer overlap. ``OFF``: every step of an image runs
  in its own job pool, and its output is shown only when it fails.

A recipe
^^^^^^^^

.. code-block:: cmake

  dismake_mount_image(pro WIM ${DISMAKE_BASE_WIM} INDEX 1)
  dismake_open_session(pro_changes IMAGE pro)
  dismake_add_files(pro_changes SOURCE overlay DESTINATION /)
  dismake_set_registry_value(pro_changes
    KEY "HKLM\\SOFTWARE\\Contoso" NAME Deployed TYPE REG_DWORD DATA 1)
  dismake_close_session(pro_changes)
  dismake_unmount_image(pro COMMIT OUTPUT pro.wim COMPRESS lzx)

All the calls for one image must be made in the directory that mounts it,
in the order the changes are to be applied.

Targets
^^^^^^^

For each image ``<image>``:

``<image>``
  In ``ALL``: runs every step and commits the result to the ``OUTPUT`` file
  (with ``DISCARD``: runs every step, commits nothing).
``<image>-mount``
  Brings the mount to the state after the last step, without committing.
  The mount directory is then the serviced tree (all of it with ``FULL``,
  only the paths the steps touched otherwise).
``<image>-unmount``
  Unmounts the image and discards the mount, whatever state the last build
  left it in: it does not build ``<image>`` first, so it also cleans up after
  a failed build (sessions that build left open are closed, since the build
  that held them has exited). An image that is not mounted (never built, or
  unmounted already) is nothing to do, and the target succeeds. Not in ``ALL``: keeping the mount is what makes
  the next build incremental. A CI job that builds once adds it to its own
  ``ALL`` target after the image:
  ``add_dependencies(<image>-unmount <image>)``.

:command:`dismake_assemble_wim` adds a target (in ``ALL``) that puts several
committed images into one multi-image WIM, such as the ``install.wim`` of a
set of editions.

Build graph
^^^^^^^^^^^

Per image, one always-run *ensure* step mounts the image if needed and checks
that the mount is the one the recipe expects (base WIM identity, mount
identity, and a recipe fingerprint file written at configure time). Its stamp
is rewritten only when the mount changed, so Ninja's ``restat`` stops an
unchanged mount from re-running anything. Session open and close steps run
in every build, with stamps rewritten only when something changed. Servicing
steps chain on stamps in declaration order, in a depth-1 job pool per image
(``dismake_<image>``), so different images build in parallel. Directory
inputs are tracked through depfiles written by the helper, so adding or
deleting a file in an overlay directory re-runs its step without re-running
CMake.

Each step's output goes to a log file beside its stamp
(``<binary-dir>/dismake/<image>/steps/<nnn>-<verb>.log``; the ``.cmake``
file beside it runs the step by hand with ``cmake -P``); the console shows
one line per step, saying what happened and why:

.. code-block:: text

  dismake pro: check the mount of base.wim image 1: up to date, mount reused
  dismake pro: add overlay -> /: ran (input overlay/app.ini changed)
  dismake pro: set HKLM\SOFTWARE\Contoso\Channel (REG_SZ): ran (step 002-add changed the image)
  dismake pro: import registry policies.reg: restored from cache (step removed before it)

(``ran (first build)``, ``ran (new step)``, ``ran (step inserted before
it)``, ``ran (argument data changed ('1' -> '2'))``, ``ran (the base image
changed)``, ``ran (the image was mounted again)``, ``restored from cache
(...)`` when an earlier build made the same state, ``up to date``.) When a step fails, the helper's error message
comes first, then the rest of the step's output and the path of its log.
The files of steps that were removed or renumbered are removed when CMake
runs again. The helper also records every step in
``<mount-dir>.dismake/events.log``.

Why did a step run?
^^^^^^^^^^^^^^^^^^^

``ninja -d explain`` does not help here: the ensure step runs in every
build, so Ninja can only say that every step's input "changed". Use

.. code-block:: sh

  dismake explain <build-dir> [<step>] [--json]
  dismake explain <mount-dir> [<step>] [--json]

instead. For the last build of each image it prints every step's key
inputs (the op and its arguments, each input file's digest, the state it
started from, the base image's identity) and marks those that differ from
the build of that step before; ``<step>`` is a step's name
(``003-add``) or number (``3``).

Errors at configure time
^^^^^^^^^^^^^^^^^^^^^^^^

What can be checked when CMake runs is: a missing ``WIM``, ``SOURCE``,
``.reg`` or answer file (unless a custom command declared before makes
it), an unknown registry hive, and, when a built helper is there
(:variable:`DISMAKE_EXECUTABLE`, or ``find_package(Dismake)``), registry
``DATA`` that does not fit its ``TYPE`` (the helper parses it as the step
will) and an ``INDEX`` or ``NAME`` the WIM does not have. The error comes from the
function called, names the argument and the fix, and CMake's call stack
gives the line of the ``CMakeLists.txt``.
#]=======================================================================]

include_guard(GLOBAL)

if(CMAKE_VERSION VERSION_LESS 3.20)
  message(FATAL_ERROR "Dismake: CMake 3.20 or later is required (running ${CMAKE_VERSION})")
endif()

# Functions record the policies in effect where they are defined, so the
# graph is generated the same way whatever the including project's minimum
# version is (CMP0116: depfile paths are transformed for Ninja).
cmake_policy(PUSH)
cmake_policy(VERSION 3.20...3.31)

set(DISMAKE_EXECUTABLE "" CACHE FILEPATH
  "The dismake helper (empty: the Dismake::dismake target)")
option(DISMAKE_CONSOLE_PROGRESS
  "Show the progress of long steps (commit, assemble, split, a FULL mount) live in Ninja's console pool"
  ON)

# ---------------------------------------------------------------------------
# Internal state: one set of global properties per image and per session, so
# that the functions can be called from any scope of the mounting directory.

function(_dismake_get out name)
  get_property(value GLOBAL PROPERTY "_DISMAKE_${name}")
  set(${out} "${value}" PARENT_SCOPE)
endfunction()

function(_dismake_set name value)
  set_property(GLOBAL PROPERTY "_DISMAKE_${name}" "${value}")
endfunction()

function(_dismake_set_append name value)
  set_property(GLOBAL APPEND PROPERTY "_DISMAKE_${name}" "${value}")
endfunction()

# Fails the configuration with "<fn>: <message...>". (The parts are read
# one by one: ${ARGN} would drop the semicolons of a value they quote.)
function(_dismake_fail fn)
  set(message "")
  math(EXPR last "${ARGC} - 1")
  foreach(i RANGE 1 ${last})
    string(APPEND message "${ARGV${i}}")
  endforeach()
  message(FATAL_ERROR "${fn}: ${message}")
endfunction()

# Checks the result of cmake_parse_arguments(PARSE_ARGV ... <prefix> ...) in
# the calling function: no unknown arguments, no keyword without its value,
# and every REQUIRED keyword given.
function(_dismake_check_args fn prefix)
  cmake_parse_arguments(PARSE_ARGV 2 check "" "" "REQUIRED")
  if(${prefix}_UNPARSED_ARGUMENTS)
    list(GET ${prefix}_UNPARSED_ARGUMENTS 0 unknown)
    _dismake_fail(${fn} "unknown argument '${unknown}'")
  endif()
  if(${prefix}_KEYWORDS_MISSING_VALUES)
    list(GET ${prefix}_KEYWORDS_MISSING_VALUES 0 keyword)
    _dismake_fail(${fn} "${keyword} needs a value")
  endif()
  foreach(keyword IN LISTS check_REQUIRED)
    if(NOT DEFINED ${prefix}_${keyword})
      _dismake_fail(${fn} "${keyword} is required")
    endif()
  endforeach()
endfunction()

# The first argument of every function names an image or a session: it must
# be there, must not be one of the function's keywords, and must be usable in
# target names, job pool names and file names.
function(_dismake_check_name fn what name)
  set(keywords ${ARGN})
  if(name STREQUAL "")
    _dismake_fail(${fn} "the ${what} name is required (first argument)")
  endif()
  if(name IN_LIST keywords)
    _dismake_fail(${fn} "the first argument must be the ${what} name, not the keyword ${name}")
  endif()
  if(NOT name MATCHES "^[A-Za-z0-9_.-]+$")
    _dismake_fail(${fn} "${what} name '${name}' may only contain letters, digits, '_', '.' and '-'")
  endif()
endfunction()

# The helper: the explicit DISMAKE_EXECUTABLE, else the Dismake::dismake
# target (imported by find_package, or the ALIAS of the in-tree target).
# Sets <prefix>_COMMAND (for COMMAND lines) and <prefix>_DEPENDS (so steps
# re-run when the helper is rebuilt).
function(_dismake_helper fn prefix)
  if(DISMAKE_EXECUTABLE)
    if(NOT IS_ABSOLUTE "${DISMAKE_EXECUTABLE}" OR NOT EXISTS "${DISMAKE_EXECUTABLE}"
       OR IS_DIRECTORY "${DISMAKE_EXECUTABLE}")
      _dismake_fail(${fn} "DISMAKE_EXECUTABLE '${DISMAKE_EXECUTABLE}' is not the absolute path "
        "of an existing file")
    endif()
    set(${prefix}_COMMAND "${DISMAKE_EXECUTABLE}" PARENT_SCOPE)
    set(${prefix}_DEPENDS "${DISMAKE_EXECUTABLE}" PARENT_SCOPE)
  elseif(TARGET Dismake::dismake)
    set(${prefix}_COMMAND "$<TARGET_FILE:Dismake::dismake>" PARENT_SCOPE)
    set(${prefix}_DEPENDS Dismake::dismake PARENT_SCOPE)
  else()
    _dismake_fail(${fn} "the dismake helper is unknown: use find_package(Dismake CONFIG), "
      "add the dismake source tree with add_subdirectory() or FetchContent, "
      "or set DISMAKE_EXECUTABLE to the helper's path")
  endif()
endfunction()

function(_dismake_absolute out path base)
  cmake_path(ABSOLUTE_PATH path BASE_DIRECTORY "${base}" NORMALIZE OUTPUT_VARIABLE result)
  set(${out} "${result}" PARENT_SCOPE)
endfunction()

# ---------------------------------------------------------------------------
# Configure-time checks of a step's inputs, so that a mistake fails at the
# call that made it (with its CMakeLists line in CMake's call stack) rather
# than as Ninja's "missing and no known rule" or a step failing mid-build.

# Fails unless <path>, the value of <fn>'s <keyword>, exists or is the
# output of a custom command declared before (GENERATED).
function(_dismake_require_input fn keyword path hint)
  if(EXISTS "${path}")
    return()
  endif()
  get_source_file_property(generated "${path}" GENERATED)
  if(generated)
    return()
  endif()
  _dismake_fail(${fn} "${keyword} ${path} does not exist: ${hint} (relative paths are "
    "relative to ${CMAKE_CURRENT_SOURCE_DIR}, and a file a custom command makes must be "
    "declared before this call)")
endfunction()

# Fails unless <key> lies in a hive the helper can edit (registry_path.cpp
# has the same list).
function(_dismake_check_registry_key fn keyword key)
  set(hives [[HKLM\SOFTWARE, HKLM\SYSTEM, HKLM\SAM, HKLM\SECURITY, HKLM\COMPONENTS, HKLM\DRIVERS, HKU\.DEFAULT, HKU\DefaultUser, HKCU, HKCR]])
  string(TOUPPER "${key}" upper)
  string(REGEX REPLACE [[^HKEY_LOCAL_MACHINE(\\|$)]] [[HKLM\1]] upper "${upper}")
  string(REGEX REPLACE [[^HKEY_USERS(\\|$)]] [[HKU\1]] upper "${upper}")
  string(REGEX REPLACE [[^HKEY_CURRENT_USER(\\|$)]] [[HKCU\1]] upper "${upper}")
  string(REGEX REPLACE [[^HKEY_CLASSES_ROOT(\\|$)]] [[HKCR\1]] upper "${upper}")
  if(NOT upper MATCHES [[^(HKLM\\(SOFTWARE|SYSTEM|SAM|SECURITY|COMPONENTS|DRIVERS)|HKU\\(\.DEFAULT|DEFAULTUSER)|HKCU|HKCR)(\\|$)]])
    string(REGEX MATCH [[^[^\\]*(\\[^\\]*)?]] hive "${key}")
    _dismake_fail(${fn} "${keyword} '${key}' is not in a hive of the image ('${hive}' is "
      "unknown): use one of ${hives} (or the HKEY_ long names), and in CMake strings write each "
      "backslash twice, or use a bracket argument: [[HKLM\\SOFTWARE\\Contoso]]")
  endif()
endfunction()

# The helper as a file that exists when CMake runs, or "": the explicit
# DISMAKE_EXECUTABLE, else the location of an imported Dismake::dismake
# (find_package). The helper built in this same build does not exist yet.
function(_dismake_configure_time_helper out)
  set(${out} "" PARENT_SCOPE)
  if(DISMAKE_EXECUTABLE AND EXISTS "${DISMAKE_EXECUTABLE}")
    set(${out} "${DISMAKE_EXECUTABLE}" PARENT_SCOPE)
  elseif(TARGET Dismake::dismake)
    get_target_property(imported Dismake::dismake IMPORTED)
    if(imported)
      get_target_property(location Dismake::dismake LOCATION)
      if(location AND EXISTS "${location}")
        set(${out} "${location}" PARENT_SCOPE)
      endif()
    endif()
  endif()
endfunction()

# Sets <out_type> to the registry type <type> names, as the helper spells it
# (REG_DWORD for "dword"), after the helper checked that <data> is what a
# value of that type can hold: `dismake check-registry-value` parses it as
# the set-registry-value step will, so the rule is written once (in
# registry_value.cpp), and fails <fn> with the step's own message. Without
# a helper when CMake runs (one built in this build), <type> is passed on
# as written and the step checks it when it runs.
function(_dismake_check_registry_value fn out_type type data)
  string(TOUPPER "${type}" upper)
  set(${out_type} "${upper}" PARENT_SCOPE)
  _dismake_configure_time_helper(helper)
  if(helper STREQUAL "")
    return()
  endif()
  # The data goes in a file, byte for byte: on a command line CMake would
  # split it at its semicolons.
  set(data_file "${CMAKE_CURRENT_BINARY_DIR}/CMakeFiles/dismake-registry-data")
  file(WRITE "${data_file}" "${data}")
  execute_process(COMMAND "${helper}" check-registry-value --type "${type}"
    --data-file "${data_file}"
    OUTPUT_VARIABLE canonical ERROR_VARIABLE error RESULT_VARIABLE result
    OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT result STREQUAL "0")
    string(STRIP "${error}" error)
    string(REGEX REPLACE "^dismake: error: " "" error "${error}")
    _dismake_fail(${fn} "${error}")
  endif()
  set(${out_type} "${canonical}" PARENT_SCOPE)
endfunction()

# The images of <wim> as the helper sees them: sets <out_count> to their
# number and <out_names> to their names (in index order). Empty when it
# cannot be known at configure time (no helper built yet).
function(_dismake_wim_images out_count out_names wim)
  set(${out_count} "" PARENT_SCOPE)
  set(${out_names} "" PARENT_SCOPE)
  _dismake_configure_time_helper(helper)
  if(helper STREQUAL "" OR NOT EXISTS "${wim}")
    return()
  endif()
  execute_process(COMMAND "${helper}" info "${wim}" --json
    OUTPUT_VARIABLE info ERROR_VARIABLE error RESULT_VARIABLE result)
  if(NOT result STREQUAL "0")
    string(STRIP "${error}" error)
    _dismake_fail(dismake_mount_image "WIM ${wim} cannot be read: ${error}")
  endif()
  string(JSON count GET "${info}" image_count)
  set(names "")
  if(count GREATER 0)
    math(EXPR last "${count} - 1")
    foreach(i RANGE ${last})
      string(JSON name GET "${info}" images ${i} name)
      list(APPEND names "${name}")
    endforeach()
  endif()
  set(${out_count} "${count}" PARENT_SCOPE)
  set(${out_names} "${names}" PARENT_SCOPE)
endfunction()

# Fails unless the image INDEX or NAME selects is in <wim>, when that can
# be known at configure time.
function(_dismake_check_wim_image fn wim selector value)
  _dismake_wim_images(count names "${wim}")
  if(count STREQUAL "")
    return()
  endif()
  string(JOIN "', '" shown ${names})
  if(selector STREQUAL "index" AND value GREATER count)
    _dismake_fail(${fn} "INDEX ${value} is not an image of ${wim}: it has images 1 to ${count} "
      "('${shown}'; see `dismake info ${wim}`)")
  elseif(selector STREQUAL "name" AND NOT value IN_LIST names)
    _dismake_fail(${fn} "NAME '${value}' is not an image of ${wim}: its images are "
      "'${shown}' (see `dismake info ${wim}`); give one of them, or INDEX <n>")
  endif()
endfunction()

# ---------------------------------------------------------------------------
# Building one command line. Arguments are collected as CMake source text
# (one bracket argument each) rather than as a list, so that empty arguments,
# semicolons (REG_MULTI_SZ data) and trailing backslashes (registry keys)
# reach the helper exactly as they were written. The same values are
# collected as a JSON array for the recipe fingerprint.

# Appends <value> as a bracket argument to the code in variable <var>.
function(_dismake_code_append var value)
  set(equals "=")
  while(value MATCHES "]${equals}]" OR value MATCHES "]${equals}$")
    string(APPEND equals "=")
  endwhile()
  set(${var} "${${var}} [${equals}[${value}]${equals}]" PARENT_SCOPE)
endfunction()

# Sets <var> to the code of the bracket arguments <values...> (a list: for
# paths and names, which are never empty).
function(_dismake_code_list var)
  set(code "")
  foreach(value IN LISTS ARGN)
    _dismake_code_append(code "${value}")
  endforeach()
  set(${var} "${code}" PARENT_SCOPE)
endfunction()

function(_dismake_json_string out value)
  string(REPLACE "\\" "\\\\" value "${value}")
  string(REPLACE "\"" "\\\"" value "${value}")
  string(REPLACE "\n" "\\n" value "${value}")
  string(REPLACE "\r" "\\r" value "${value}")
  string(REPLACE "\t" "\\t" value "${value}")
  set(${out} "\"${value}\"" PARENT_SCOPE)
endfunction()

# Starts a step's arguments (the variables _dismake_args / _dismake_json in
# the caller).
macro(_dismake_args_begin verb)
  set(_dismake_args "")
  _dismake_json_string(_dismake_json "${verb}")
endmacro()

# Adds one argument of the step (an option, its value, or a positional
# argument) to _dismake_args and _dismake_json in the caller.
function(_dismake_arg value)
  _dismake_code_append(_dismake_args "${value}")
  _dismake_json_string(json "${value}")
  set(_dismake_args "${_dismake_args}" PARENT_SCOPE)
  set(_dismake_json "${_dismake_json}, ${json}" PARENT_SCOPE)
endfunction()

# ---------------------------------------------------------------------------
# Images and sessions

# Fails unless <image> is mounted (declared and not yet unmounted) in this
# directory.
function(_dismake_require_image fn image)
  _dismake_get(source_dir "IMAGE_${image}_SOURCE_DIR")
  if(source_dir STREQUAL "")
    _dismake_fail(${fn} "image '${image}' is not mounted: call dismake_mount_image(${image} ...) first")
  endif()
  if(NOT source_dir STREQUAL CMAKE_CURRENT_SOURCE_DIR)
    _dismake_fail(${fn} "image '${image}' is mounted in ${source_dir}: "
      "make every call for an image in the directory that mounts it")
  endif()
  _dismake_get(unmounted "IMAGE_${image}_UNMOUNTED")
  if(unmounted)
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
  _dismake_get(dir "IMAGE_${image}_STEP_DIR")
  _dismake_get(mount_dir "IMAGE_${image}_MOUNT_DIR")
  _dismake_get(after "IMAGE_${image}_TAIL")
  _dismake_get(count "IMAGE_${image}_COUNT")
  math(EXPR count "${count} + 1")
  string(LENGTH "${count}" digits)
  while(digits LESS 3)
    string(PREPEND count "0")
    math(EXPR digits "${digits} + 1")
  endwhile()
  set(base "${dir}/${count}-${verb}")
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
    _dismake_set_append("IMAGE_${image}_ALWAYS" "${base}.always")
  else()
    set(outputs OUTPUT "${stamp}")
  endif()
  _dismake_add_helper_call(${fn} "${base}" "dismake ${image}: ${node_COMMENT}" "${code}"
    ${outputs} DEPENDS "${after}" ${node_DEPENDS} ${depfile} POOL "${image}")

  _dismake_set("IMAGE_${image}_TAIL" "${stamp}")
  _dismake_set("IMAGE_${image}_COUNT" "${count}")
  _dismake_set_append("IMAGE_${image}_STEP_NAMES" "${count}-${verb}")
  if(count GREATER 1)
    set(separator ",")
  else()
    set(separator "")
  endif()
  set_property(GLOBAL APPEND_STRING PROPERTY "_DISMAKE_IMAGE_${image}_RECIPE"
    "${separator}\n    [${_dismake_json}]")
endfunction()

# Adds the custom command that runs one helper call of the build, or with
# TARGET a custom target: every node of the graph is made here. The command
# is `<helper> <code>` (<code>: bracket arguments) as _dismake_step_command
# makes it, <base>.cmake records it and <base>.log gets its output; <label>
# is the console's line for it.
#
#   OUTPUT <file>...      what the command writes
#   BYPRODUCTS <file>...  what it may leave as it was (restat)
#   DEPENDS <file>...     what it reads; its <base>.cmake and the helper
#                         are added after them
#   DEPFILE <file>        the depfile the helper writes
#   TARGET <name>         instead of OUTPUT: a target (outside ALL) that runs
#                         the call whenever it is built, and depends on
#                         nothing
#   POOL <image>          runs in the image's job pool ("" for none)
#   LONG                  a long step: see _dismake_long_step_pool
function(_dismake_add_helper_call fn base label code)
  cmake_parse_arguments(PARSE_ARGV 4 call "LONG" "DEPFILE;TARGET;POOL" "OUTPUT;BYPRODUCTS;DEPENDS")
  _dismake_helper(${fn} helper)
  if(call_LONG)
    _dismake_long_step_pool(pool console "${call_POOL}")
  elseif(NOT "${call_POOL}" STREQUAL "")
    set(pool "JOB_POOL dismake_${call_POOL}")
    set(console "")
  else()
    set(pool "")
    set(console "")
  endif()
  _dismake_step_command(command "${base}" "${label}" "${helper_COMMAND}" "${code}" ${console})
  _dismake_code_list(comment_code "${label}")
  if(DEFINED call_TARGET)
    _dismake_code_list(target_code "${call_TARGET}")
    cmake_language(EVAL CODE "
      add_custom_target(${target_code}
        COMMAND ${command}
        COMMENT ${comment_code}
        ${pool}
        VERBATIM)")
    return()
  endif()
  _dismake_code_list(outputs_code ${call_OUTPUT})
  if(call_BYPRODUCTS)
    _dismake_code_list(byproducts_code ${call_BYPRODUCTS})
    string(APPEND outputs_code " BYPRODUCTS${byproducts_code}")
  endif()
  _dismake_code_list(depends_code ${call_DEPENDS} "${base}.cmake" ${helper_DEPENDS})
  set(depfile_code "")
  if(DEFINED call_DEPFILE)
    _dismake_code_list(depfile_code DEPFILE "${call_DEPFILE}")
  endif()
  cmake_language(EVAL CODE "
    add_custom_command(OUTPUT ${outputs_code}
      COMMAND ${command}
      DEPENDS ${depends_code}
      ${depfile_code}
      COMMENT ${comment_code}
      ${pool}
      VERBATIM)")
endfunction()

# Every helper call of the build writes its output to <base>.log, and the
# console gets one line, "<label>: <outcome>" ("ran (input overlay/app.ini
# changed)", "up to date", ...). When the helper fails, its own error message
# comes first, then the rest of its output and where the log is. The helper
# does this itself (--step-log, --label): a wrapper script per step (cmake
# -P) cost a no-op build 60 ms a step. <helper> and <args_code> (bracket
# arguments) make the command line; generator expressions in them are
# evaluated. <base>.cmake records the command, to run the step by hand; the
# node depends on it. Sets <out> to the COMMAND code. CONSOLE: the step runs
# in Ninja's console pool, and its stderr (progress, error) goes straight to
# the console.
function(_dismake_step_command out base label helper args_code)
  _dismake_code_list(command "${helper}" --step-log "${base}.log" --label "${label}")
  if("CONSOLE" IN_LIST ARGN)
    string(APPEND command " --console-step")
  endif()
  string(APPEND command " ${args_code}")
  string(CONFIGURE [=[
# Generated by Dismake.cmake: the command of one step of the image build
# (its output goes to @base@.log). Edit the CMakeLists.txt, not this file.
# To run the step by hand: cmake -P <this file>
execute_process(
  COMMAND @command@
  COMMAND_ERROR_IS_FATAL ANY)
]=] content @ONLY)
  file(GENERATE OUTPUT "${base}.cmake" CONTENT "${content}")
  set(${out} "${command}" PARENT_SCOPE)
endfunction()

# Sets <out> to how a long step of <image> is scheduled: in Ninja's console
# pool when DISMAKE_CONSOLE_PROGRESS is on (live progress), else in the
# image's job pool; <console> to CONSOLE or "" for _dismake_step_command.
function(_dismake_long_step_pool out console image)
  if(DISMAKE_CONSOLE_PROGRESS)
    set(${out} USES_TERMINAL PARENT_SCOPE)
    set(${console} CONSOLE PARENT_SCOPE)
  elseif(image STREQUAL "")
    set(${out} "" PARENT_SCOPE)
    set(${console} "" PARENT_SCOPE)
  else()
    set(${out} "JOB_POOL dismake_${image}" PARENT_SCOPE)
    set(${console} "" PARENT_SCOPE)
  endif()
endfunction()

# Removes what removed or renumbered steps left in the image's step
# directory (stamps, logs, depfiles, scripts), so that it holds the files of
# the current recipe only.
function(_dismake_remove_stale_step_files image)
  _dismake_get(dir "IMAGE_${image}_STEP_DIR")
  _dismake_get(names "IMAGE_${image}_STEP_NAMES")
  list(APPEND names 000-ensure verify-base commit unmount)
  file(GLOB files LIST_DIRECTORIES false "${dir}/*")
  foreach(file IN LISTS files)
    cmake_path(GET file FILENAME name)
    string(REGEX REPLACE "\\..*$" "" name "${name}")
    if(NOT name IN_LIST names)
      file(REMOVE "${file}")
    endif()
  endforeach()
endfunction()

# At the end of the mounting directory: every image must be unmounted, which
# is where its recipe is complete.
function(_dismake_check_unmounted image)
  _dismake_get(unmounted "IMAGE_${image}_UNMOUNTED")
  if(NOT unmounted)
    _dismake_fail(dismake_mount_image "image '${image}' is never unmounted: end its recipe with "
      "dismake_unmount_image(${image} COMMIT OUTPUT <file.wim>) or "
      "dismake_unmount_image(${image} DISCARD)")
  endif()
endfunction()

# cmake_parse_arguments reads "VERIFY_BASE FULL" as VERIFY_BASE without a
# value and the option FULL. Given the call's arguments, sets
# <prefix>_VERIFY_BASE to FULL in the caller when they hold "VERIFY_BASE
# FULL", and <prefix>_FULL only when FULL is given on its own as well.
macro(_dismake_verify_base_full prefix)
  set(_dismake_args ${ARGN})
  list(FIND _dismake_args VERIFY_BASE _dismake_at)
  if(_dismake_at GREATER -1 AND "VERIFY_BASE" IN_LIST ${prefix}_KEYWORDS_MISSING_VALUES)
    math(EXPR _dismake_at "${_dismake_at} + 1")
    list(LENGTH _dismake_args _dismake_count)
    if(_dismake_at LESS _dismake_count)
      list(GET _dismake_args ${_dismake_at} _dismake_value)
      if(_dismake_value STREQUAL "FULL")
        set(${prefix}_VERIFY_BASE FULL)
        list(REMOVE_ITEM ${prefix}_KEYWORDS_MISSING_VALUES VERIFY_BASE)
        list(REMOVE_AT _dismake_args ${_dismake_at})
        if(NOT "FULL" IN_LIST _dismake_args)
          set(${prefix}_FULL FALSE)
        endif()
      endif()
    endif()
  endif()
endmacro()

#[=======================================================================[.rst:
.. command:: dismake_mount_image

  Declares an image to service and the mount it is serviced in.

  .. code-block:: cmake

    dismake_mount_image(<image> WIM <file> (INDEX <n> | NAME <name>)
                        [MOUNT_DIR <dir>] [FULL] [VERIFY_BASE (READ | FULL)])

  ``<image>``
    The image's name in the build: it names the targets ``<image>``,
    ``<image>-mount`` and ``<image>-unmount`` and the job pool
    ``dismake_<image>``. Letters, digits, ``_``, ``.`` and ``-``.
  ``WIM <file>``
    The source WIM file (relative paths: to the current source directory).
    It is an input: the build never writes it. When its content changes, the
    image is mounted again and every step re-runs.
  ``INDEX <n>`` or ``NAME <name>``
    Which image of the WIM to mount (1-based index, or the image's name).
  ``MOUNT_DIR <dir>``
    Where to mount (relative paths: to the current binary directory).
    Default: ``<binary-dir>/dismake/<image>/mount``. The helper keeps the
    mount's state beside it, in ``<dir>.dismake``.
  ``FULL``
    Extract the whole image. By default the mount is lazy: only the paths
    the steps touch (or a ``dismake_run()`` declares) are extracted.
  ``VERIFY_BASE READ`` (the default) or ``VERIFY_BASE FULL``
    How much of the base WIM is checked. ``READ``: what the build reads of
    it (the image's metadata, every file a step extracts, every base version
    a commit stages) is checked against its SHA-1 as it is read, and its
    integrity table where it has one; damage there fails the build, naming
    the file. Blobs the build never reads go into the output as the base
    holds them, as with DISM and ``wimlib-imagex``. ``FULL``: every blob is
    checked too (``dismake verify --use-record``), in a build node of its
    own that runs beside the steps and that the commit waits for. A passed
    check is recorded in ``$DISMAKE_HOME/verified-bases`` by the WIM's
    content, so it runs once per base, and once per CI cache.

  A change in the mount that no step made (a hand edit) fails the build,
  naming the paths; ``dismake restore <dir>`` discards such changes.
#]=======================================================================]
function(dismake_mount_image)
  set(fn dismake_mount_image)
  set(keywords WIM INDEX NAME MOUNT_DIR FULL VERIFY_BASE)
  _dismake_check_name(${fn} image "${ARGV0}" ${keywords})
  set(image "${ARGV0}")
  cmake_parse_arguments(PARSE_ARGV 1 arg "FULL" "WIM;INDEX;NAME;MOUNT_DIR;VERIFY_BASE" "")
  _dismake_verify_base_full(arg ${ARGN})
  _dismake_check_args(${fn} arg REQUIRED WIM)
  if(NOT DEFINED arg_VERIFY_BASE)
    set(arg_VERIFY_BASE READ)
  elseif(NOT arg_VERIFY_BASE MATCHES "^(READ|FULL)$")
    _dismake_fail(${fn} "VERIFY_BASE must be READ (what the build reads) or FULL (every blob), "
      "got '${arg_VERIFY_BASE}'")
  endif()

  if(NOT CMAKE_GENERATOR STREQUAL "Ninja")
    _dismake_fail(${fn} "the generator is '${CMAKE_GENERATOR}', but dismake's build graph needs "
      "'Ninja' (restat, job pools, depfiles): configure with -G Ninja")
  endif()
  _dismake_get(known "IMAGE_${image}_SOURCE_DIR")
  if(NOT known STREQUAL "")
    _dismake_fail(${fn} "image '${image}' is already declared (in ${known})")
  endif()
  foreach(target IN ITEMS "${image}" "${image}-mount" "${image}-unmount")
    if(TARGET "${target}")
      _dismake_fail(${fn} "image name '${image}' is taken: a target '${target}' already exists")
    endif()
  endforeach()
  if(DEFINED arg_INDEX AND DEFINED arg_NAME)
    _dismake_fail(${fn} "give INDEX or NAME, not both")
  elseif(DEFINED arg_INDEX)
    if(NOT arg_INDEX MATCHES "^[1-9][0-9]*$")
      _dismake_fail(${fn} "INDEX must be a positive integer (the image's 1-based index), got '${arg_INDEX}'")
    endif()
    set(selector index)
    set(which "image ${arg_INDEX}")
  elseif(DEFINED arg_NAME)
    set(selector name)
    set(which "image '${arg_NAME}'")
  else()
    _dismake_fail(${fn} "INDEX or NAME is required (which image of the WIM to mount)")
  endif()
  # An unknown helper fails the call here, before anything is declared.
  _dismake_helper(${fn} helper)

  _dismake_absolute(wim "${arg_WIM}" "${CMAKE_CURRENT_SOURCE_DIR}")
  _dismake_require_input(${fn} WIM "${wim}" "give the path of the base WIM file")
  string(TOUPPER "${selector}" keyword)
  _dismake_check_wim_image(${fn} "${wim}" ${selector} "${arg_${keyword}}")
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/dismake/${image}")
  if(DEFINED arg_MOUNT_DIR)
    _dismake_absolute(mount_dir "${arg_MOUNT_DIR}" "${CMAKE_CURRENT_BINARY_DIR}")
  else()
    set(mount_dir "${dir}/mount")
  endif()
  get_property(images GLOBAL PROPERTY _DISMAKE_IMAGES)
  foreach(other IN LISTS images)
    _dismake_get(other_mount "IMAGE_${other}_MOUNT_DIR")
    if(other_mount STREQUAL mount_dir)
      _dismake_fail(${fn} "MOUNT_DIR ${mount_dir} is already the mount of image '${other}'")
    endif()
  endforeach()

  _dismake_set_append(IMAGES "${image}")
  _dismake_set("IMAGE_${image}_SOURCE_DIR" "${CMAKE_CURRENT_SOURCE_DIR}")
  _dismake_set("IMAGE_${image}_WIM" "${wim}")
  # The image's index in its committed output (dismake_assemble_wim), known
  # only when mounted by INDEX.
  if(selector STREQUAL "index")
    _dismake_set("IMAGE_${image}_INDEX" "${arg_INDEX}")
  else()
    _dismake_set("IMAGE_${image}_INDEX" "")
  endif()
  _dismake_set("IMAGE_${image}_OUTPUT" "")
  _dismake_set("IMAGE_${image}_MOUNT_DIR" "${mount_dir}")
  _dismake_set("IMAGE_${image}_STEP_DIR" "${dir}/steps")
  _dismake_set("IMAGE_${image}_RECIPE_FILE" "${dir}/recipe.json")
  _dismake_set("IMAGE_${image}_COUNT" 0)
  _dismake_set("IMAGE_${image}_STEP_NAMES" "")
  _dismake_set("IMAGE_${image}_ALWAYS" "")
  _dismake_set("IMAGE_${image}_UNMOUNTED" "")
  file(MAKE_DIRECTORY "${dir}/steps")
  set_property(GLOBAL APPEND PROPERTY JOB_POOLS "dismake_${image}=1")

  # The ensure step: always runs, rewrites its stamp only when the mount
  # changed (mounted, mounted again, another base, another recipe).
  set(selector_value "${arg_${keyword}}")
  set(stamp "${dir}/steps/000-ensure.stamp")
  _dismake_code_list(code ensure --wim "${wim}" --${selector} "${selector_value}"
    --mount-dir "${mount_dir}" --recipe "${dir}/recipe.json" --stamp "${stamp}")
  if(arg_FULL)
    string(APPEND code " --full")
  endif()
  set(always "${dir}/steps/000-ensure.always")
  set_source_files_properties("${always}" PROPERTIES SYMBOLIC TRUE)
  # Runs in every build, so its label must not claim that a mount happens:
  # the outcome line says what it found ("up to date, mount reused").
  cmake_path(GET wim FILENAME wim_name)
  set(label "dismake ${image}: check the mount of ${wim_name} ${which}")
  # Only the mount of a FULL image is long (a lazy one extracts nothing).
  set(long "")
  if(arg_FULL)
    set(long LONG)
  endif()
  _dismake_add_helper_call(${fn} "${dir}/steps/000-ensure" "${label}" "${code}"
    OUTPUT "${always}" BYPRODUCTS "${stamp}" DEPENDS "${wim}" "${dir}/recipe.json"
    POOL "${image}" ${long})
  _dismake_set("IMAGE_${image}_ALWAYS" "${always}")
  _dismake_set("IMAGE_${image}_TAIL" "${stamp}")

  # VERIFY_BASE FULL: the full check is a node of its own, outside the
  # image's pool, so it runs while the steps do; the commit waits for it.
  _dismake_set("IMAGE_${image}_VERIFIED" "")
  if(arg_VERIFY_BASE STREQUAL "FULL")
    set(verified "${dir}/steps/verify-base.stamp")
    _dismake_code_list(code verify "${wim}" --use-record --stamp "${verified}")
    _dismake_add_helper_call(${fn} "${dir}/steps/verify-base"
      "dismake ${image}: verify all of ${wim_name}" "${code}"
      OUTPUT "${verified}" DEPENDS "${wim}")
    _dismake_set("IMAGE_${image}_VERIFIED" "${verified}")
  endif()

  # The recipe fingerprint's head; the steps are appended as they are
  # declared, and dismake_unmount_image() writes the file.
  _dismake_json_string(json_wim "${wim}")
  _dismake_json_string(json_mount "${mount_dir}")
  _dismake_json_string(json_selector "${selector_value}")
  if(arg_FULL)
    set(json_full true)
  else()
    set(json_full false)
  endif()
  _dismake_set("IMAGE_${image}_RECIPE" "{\n  \"image\": \"${image}\",\n  \"mount\": {\"wim\": ${json_wim}, \"${selector}\": ${json_selector}, \"mount_dir\": ${json_mount}, \"full\": ${json_full}},\n  \"steps\": [")

  # Deferred arguments are evaluated when the call runs: pass the name as a
  # literal.
  _dismake_code_list(defer_code "${CMAKE_CURRENT_SOURCE_DIR}" CALL _dismake_check_unmounted "${image}")
  cmake_language(EVAL CODE "cmake_language(DEFER DIRECTORY ${defer_code})")
endfunction()

#[=======================================================================[.rst:
.. command:: dismake_open_session

  Opens a servicing session (``DismOpenSession``) on a mounted image.

  .. code-block:: cmake

    dismake_open_session(<session> IMAGE <image>)

  ``<session>`` names the session in the build and in the helper; it must be
  unique in the project. The steps that follow name the session, not the
  image. The session is opened again in every build that reaches it (cheap;
  its stamp changes only when the state before it did), so a step re-run on
  its own finds its session open.
#]=======================================================================]
function(dismake_open_session)
  set(fn dismake_open_session)
  _dismake_check_name(${fn} session "${ARGV0}" IMAGE)
  set(session "${ARGV0}")
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "IMAGE" "")
  _dismake_check_args(${fn} arg REQUIRED IMAGE)
  _dismake_require_image(${fn} "${arg_IMAGE}")
  _dismake_get(other "SESSION_${session}_IMAGE")
  if(NOT other STREQUAL "")
    _dismake_fail(${fn} "session '${session}' is already declared (on image '${other}')")
  endif()

  _dismake_args_begin(open-session)
  _dismake_arg(--name)
  _dismake_arg("${session}")
  _dismake_add_node(${fn} "${arg_IMAGE}" open-session ALWAYS COMMENT "open session ${session}")
  _dismake_set("SESSION_${session}_IMAGE" "${arg_IMAGE}")
  _dismake_set("SESSION_${session}_CLOSED" "")
  _dismake_set_append("IMAGE_${arg_IMAGE}_SESSIONS" "${session}")
endfunction()

#[=======================================================================[.rst:
.. command:: dismake_close_session

  Closes a session (``DismCloseSession``); the image stays mounted.

  .. code-block:: cmake

    dismake_close_session(<session>)

  Every session must be closed before its image is unmounted. Like opening,
  closing runs in every build that reaches it.
#]=======================================================================]
function(dismake_close_session)
  set(fn dismake_close_session)
  _dismake_check_name(${fn} session "${ARGV0}")
  set(session "${ARGV0}")
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "")
  _dismake_check_args(${fn} arg)
  _dismake_session_image(${fn} "${session}" image)

  _dismake_args_begin(close-session)
  _dismake_arg(--name)
  _dismake_arg("${session}")
  _dismake_add_node(${fn} "${image}" close-session ALWAYS COMMENT "close session ${session}")
  _dismake_set("SESSION_${session}_CLOSED" TRUE)
endfunction()

# The start of every servicing step: checks the session, sets `image` and
# `_dismake_session`, and starts the step's arguments.
macro(_dismake_step_begin fn verb session)
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

# Sets <out> to the <keywords...> given among the calling function's
# arguments 1 to <argc> - 1 (pass ${ARGC}), each read on its own: a keyword
# given with an empty value counts (cmake_parse_arguments before CMake 3.31
# reports it as not defined), and a value that holds a keyword between
# semicolons (DATA "a;NAME") does not, as it would in the flattened ${ARGV}.
# A macro: it reads the caller's ARGV<n>.
macro(_dismake_keywords_given out argc)
  set(${out} "")
  set(_dismake_keywords ${ARGN})
  math(EXPR _dismake_last "${argc} - 1")
  if(_dismake_last GREATER_EQUAL 1)
    foreach(_dismake_i RANGE 1 ${_dismake_last})
      if("${ARGV${_dismake_i}}" IN_LIST _dismake_keywords)
        list(APPEND ${out} "${ARGV${_dismake_i}}")
      endif()
    endforeach()
  endif()
endmacro()

#[=======================================================================[.rst:
.. command:: dismake_add_files

  Adds a file, or the contents of a directory, to the image.

  .. code-block:: cmake

    dismake_add_files(<session> SOURCE <file-or-dir> DESTINATION <image-path>)

  ``SOURCE``
    A file or a directory (relative paths: to the current source directory).
  ``DESTINATION``
    What the source becomes in the image. A file becomes the file at that
    path (replacing one there); as with ``cp`` and ``xcopy``, a
    ``DESTINATION`` that ends with ``/`` (or ``\``), or names a directory
    the image has, means "into this directory", under the file's own name.
    A directory's contents merge into the directory at that path (``/`` for
    the image's root). Image paths are case-insensitive, as on Windows.

  Every file and directory under a directory ``SOURCE`` is tracked through
  a depfile: editing, adding or deleting a file re-runs the step without
  re-running CMake.
#]=======================================================================]
function(dismake_add_files)
  set(fn dismake_add_files)
  _dismake_check_name(${fn} session "${ARGV0}" SOURCE DESTINATION)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "SOURCE;DESTINATION" "")
  _dismake_check_args(${fn} arg REQUIRED SOURCE DESTINATION)
  _dismake_step_begin(${fn} add "${ARGV0}")

  _dismake_absolute(source "${arg_SOURCE}" "${CMAKE_CURRENT_SOURCE_DIR}")
  _dismake_require_input(${fn} SOURCE "${source}" "give the file or directory to add")
  # A directory is tracked through the depfile; a file (maybe generated by
  # another custom command) is an ordinary dependency too.
  set(depends "")
  if(NOT IS_DIRECTORY "${source}")
    set(depends "${source}")
  endif()
  _dismake_positionals()
  _dismake_arg("${source}")
  _dismake_arg("${arg_DESTINATION}")
  _dismake_add_node(${fn} "${image}" add DEPFILE DEPENDS ${depends}
    COMMENT "add ${arg_SOURCE} -> ${arg_DESTINATION}")
endfunction()

#[=======================================================================[.rst:
.. command:: dismake_delete_files

  Deletes files or directories (with everything in them) from the image.

  .. code-block:: cmake

    dismake_delete_files(<session> PATHS <image-path>... [IF_EXISTS])

  A path the image does not have fails the step, unless ``IF_EXISTS``.
#]=======================================================================]
function(dismake_delete_files)
  set(fn dismake_delete_files)
  _dismake_check_name(${fn} session "${ARGV0}" PATHS IF_EXISTS)
  cmake_parse_arguments(PARSE_ARGV 1 arg "IF_EXISTS" "" "PATHS")
  _dismake_check_args(${fn} arg REQUIRED PATHS)
  _dismake_step_begin(${fn} delete "${ARGV0}")

  if(arg_IF_EXISTS)
    _dismake_arg(--if-exists)
  endif()
  _dismake_positionals()
  foreach(path IN LISTS arg_PATHS)
    if(path STREQUAL "")
      _dismake_fail(${fn} "PATHS has an empty path")
    endif()
    _dismake_arg("${path}")
  endforeach()
  string(JOIN ", " shown ${arg_PATHS})
  _dismake_add_node(${fn} "${image}" delete COMMENT "delete ${shown}")
endfunction()

#[=======================================================================[.rst:
.. command:: dismake_set_registry_value

  Sets a value in the image's offline registry hives.

  .. code-block:: cmake

    dismake_set_registry_value(<session> KEY <key> NAME <name>
                               TYPE <type> DATA <data>)

  ``KEY``
    ``HKLM\SOFTWARE\...``, ``HKLM\SYSTEM\...``, ``HKU\.DEFAULT\...``, ...
    (in CMake strings, write each backslash twice, or use a bracket
    argument: ``[[HKLM\SOFTWARE\Contoso]]``). Missing keys are created.
  ``NAME``
    The value's name; ``NAME ""`` is the key's default value.
  ``TYPE``
    ``REG_SZ``, ``REG_EXPAND_SZ``, ``REG_DWORD``, ``REG_QWORD``,
    ``REG_MULTI_SZ``, ``REG_BINARY`` or ``REG_NONE``, in any case, the
    ``REG_`` optional (``dword``).
  ``DATA``
    The data as text: a number for ``REG_DWORD``/``REG_QWORD`` (decimal or
    ``0x`` hex), items separated by ``;`` for ``REG_MULTI_SZ`` (quote the
    argument), hex bytes for ``REG_BINARY`` and ``REG_NONE``. May be empty.

  ``TYPE`` and ``DATA`` are checked when CMake runs by the helper's own
  parser (``dismake check-registry-value``), when a built helper is there
  (:variable:`DISMAKE_EXECUTABLE`, or ``find_package(Dismake)``); else the
  step checks them when it runs.
#]=======================================================================]
function(dismake_set_registry_value)
  set(fn dismake_set_registry_value)
  _dismake_check_name(${fn} session "${ARGV0}" KEY NAME TYPE DATA)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "KEY;NAME;TYPE;DATA" "")
  _dismake_check_args(${fn} arg REQUIRED KEY TYPE)
  _dismake_keywords_given(given ${ARGC} NAME DATA)
  foreach(keyword NAME DATA)
    if(NOT keyword IN_LIST given)
      _dismake_fail(${fn} "${keyword} is required")
    endif()
  endforeach()
  _dismake_check_registry_key(${fn} KEY "${arg_KEY}")
  _dismake_check_registry_value(${fn} type "${arg_TYPE}" "${arg_DATA}")
  _dismake_step_begin(${fn} set-registry-value "${ARGV0}")

  _dismake_positionals()
  _dismake_arg("${arg_KEY}")
  _dismake_arg("${arg_NAME}")
  _dismake_arg("${type}")
  _dismake_arg("${arg_DATA}")
  if("${arg_NAME}" STREQUAL "")
    set(shown "${arg_KEY} (default value)")
  else()
    set(shown "${arg_KEY}\\${arg_NAME}")
  endif()
  _dismake_add_node(${fn} "${image}" set-registry-value COMMENT "set ${shown} (${type})")
endfunction()

#[=======================================================================[.rst:
.. command:: dismake_rename_path

  Renames or moves a file or directory of the image.

  .. code-block:: cmake

    dismake_rename_path(<session> FROM <image-path> TO <image-path>)

  ``FROM`` must exist in the image and ``TO`` must not; the directory
  ``TO`` goes into must exist. Image paths are case-insensitive, as on
  Windows.
#]=======================================================================]
function(dismake_rename_path)
  set(fn dismake_rename_path)
  _dismake_check_name(${fn} session "${ARGV0}" FROM TO)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "FROM;TO" "")
  _dismake_check_args(${fn} arg REQUIRED FROM TO)
  foreach(keyword FROM TO)
    if(arg_${keyword} STREQUAL "" OR arg_${keyword} MATCHES "^[/\\\\]*$")
      _dismake_fail(${fn} "${keyword} must name a path in the image, not its root")
    endif()
  endforeach()
  _dismake_step_begin(${fn} rename "${ARGV0}")
  _dismake_positionals()
  _dismake_arg("${arg_FROM}")
  _dismake_arg("${arg_TO}")
  _dismake_add_node(${fn} "${image}" rename COMMENT "rename ${arg_FROM} -> ${arg_TO}")
endfunction()

#[=======================================================================[.rst:
.. command:: dismake_delete_registry_value

  Deletes a value from the image's offline registry hives.

  .. code-block:: cmake

    dismake_delete_registry_value(<session> KEY <key> NAME <name> [IF_EXISTS])

  ``KEY`` is written as for :command:`dismake_set_registry_value`;
  ``NAME ""`` is the key's default value. A value (or key) the image does
  not have fails the step, unless ``IF_EXISTS``.
#]=======================================================================]
function(dismake_delete_registry_value)
  set(fn dismake_delete_registry_value)
  _dismake_check_name(${fn} session "${ARGV0}" KEY NAME IF_EXISTS)
  cmake_parse_arguments(PARSE_ARGV 1 arg "IF_EXISTS" "KEY;NAME" "")
  _dismake_check_args(${fn} arg REQUIRED KEY)
  _dismake_keywords_given(given ${ARGC} NAME)
  if(NOT given)
    _dismake_fail(${fn} "NAME is required (NAME \"\" for the key's default value)")
  endif()
  _dismake_check_registry_key(${fn} KEY "${arg_KEY}")
  _dismake_step_begin(${fn} delete-registry-value "${ARGV0}")
  if(arg_IF_EXISTS)
    _dismake_arg(--if-exists)
  endif()
  _dismake_positionals()
  _dismake_arg("${arg_KEY}")
  _dismake_arg("${arg_NAME}")
  if("${arg_NAME}" STREQUAL "")
    set(shown "${arg_KEY} (default value)")
  else()
    set(shown "${arg_KEY}\\${arg_NAME}")
  endif()
  _dismake_add_node(${fn} "${image}" delete-registry-value COMMENT "delete value ${shown}")
endfunction()

#[=======================================================================[.rst:
.. command:: dismake_delete_registry_key

  Deletes a registry key, with its values and subkeys, from the image's
  offline registry hives.

  .. code-block:: cmake

    dismake_delete_registry_key(<session> KEY <key> [IF_EXISTS])

  ``KEY`` is written as for :command:`dismake_set_registry_value`, and must
  be below a hive's root (a hive itself cannot be deleted). A key the image
  does not have fails the step, unless ``IF_EXISTS``.
#]=======================================================================]
function(dismake_delete_registry_key)
  set(fn dismake_delete_registry_key)
  _dismake_check_name(${fn} session "${ARGV0}" KEY IF_EXISTS)
  cmake_parse_arguments(PARSE_ARGV 1 arg "IF_EXISTS" "KEY" "")
  _dismake_check_args(${fn} arg REQUIRED KEY)
  _dismake_check_registry_key(${fn} KEY "${arg_KEY}")
  _dismake_step_begin(${fn} delete-registry-key "${ARGV0}")
  if(arg_IF_EXISTS)
    _dismake_arg(--if-exists)
  endif()
  _dismake_positionals()
  _dismake_arg("${arg_KEY}")
  _dismake_add_node(${fn} "${image}" delete-registry-key COMMENT "delete key ${arg_KEY}")
endfunction()

#[=======================================================================[.rst:
.. command:: dismake_import_registry

  Imports a ``.reg`` file (a regedit export, UTF-16 or UTF-8) into the
  image's offline registry hives.

  .. code-block:: cmake

    dismake_import_registry(<session> FILE <file.reg>)

  Relative paths are relative to the current source directory.
#]=======================================================================]
function(dismake_import_registry)
  set(fn dismake_import_registry)
  _dismake_check_name(${fn} session "${ARGV0}" FILE)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "FILE" "")
  _dismake_check_args(${fn} arg REQUIRED FILE)
  _dismake_file_step(${fn} import-registry "${ARGV0}" "${arg_FILE}" "import registry"
    "give the .reg file to import")
endfunction()

# --- Drivers (issue 22): dismake_add_driver, dismake_remove_driver ----------

#[=======================================================================[.rst:
.. command:: dismake_add_driver

  Stages driver packages in the image as ``DISM /Add-Driver`` does: each
  package's files in ``Windows\System32\DriverStore\FileRepository\<inf>_<arch>_<id>``,
  its INF as the next free ``Windows\INF\oemN.inf``, the driver
  database's keys, and, for a boot-start driver (a storage controller's),
  its service in every control set and its binary in
  ``Windows\System32\drivers``.

  .. code-block:: cmake

    dismake_add_driver(<session> PATH <dir-or-inf> [RECURSE] [FORCE_UNSIGNED])

  ``PATH``
    A driver's ``.inf`` file, or a directory of packages (its ``.inf``
    files; relative paths: to the current source directory).
  ``RECURSE``
    Also the packages in the directory's subdirectories.
  ``FORCE_UNSIGNED``
    Stage packages without a signed catalog (``/ForceUnsigned``).

  A package for another architecture than the image's, a malformed INF, a
  file the INF copies that the package lacks, or (without
  ``FORCE_UNSIGNED``) a package without a signed catalog fails the step,
  naming the file and line; nothing is staged then, not even the other
  packages of the directory. Every file of each package's folder is tracked
  through a depfile: changing one re-runs the step.
#]=======================================================================]
function(dismake_add_driver)
  set(fn dismake_add_driver)
  _dismake_check_name(${fn} session "${ARGV0}" PATH RECURSE FORCE_UNSIGNED)
  cmake_parse_arguments(PARSE_ARGV 1 arg "RECURSE;FORCE_UNSIGNED" "PATH" "")
  _dismake_check_args(${fn} arg REQUIRED PATH)
  _dismake_step_begin(${fn} add-driver "${ARGV0}")
  _dismake_absolute(path "${arg_PATH}" "${CMAKE_CURRENT_SOURCE_DIR}")
  _dismake_require_input(${fn} PATH "${path}" "give a driver's .inf file or a folder of packages")
  if(arg_RECURSE)
    _dismake_arg(--recurse)
  endif()
  if(arg_FORCE_UNSIGNED)
    _dismake_arg(--force-unsigned)
  endif()
  _dismake_positionals()
  _dismake_arg("${path}")
  _dismake_add_node(${fn} "${image}" add-driver DEPFILE COMMENT "add driver ${arg_PATH}")
endfunction()

#[=======================================================================[.rst:
.. command:: dismake_remove_driver

  Removes a third-party driver package from the image, as
  ``DISM /Remove-Driver`` does: its DriverStore folder, its ``oemN.inf``,
  its keys in the driver database and the boot-start services staging gave
  it.

  .. code-block:: cmake

    dismake_remove_driver(<session> NAME <oemN.inf>...)

  ``NAME``
    Published names, as ``dismake get-drivers`` lists them. An inbox driver
    or a name the image does not have fails the step.
#]=======================================================================]
function(dismake_remove_driver)
  set(fn dismake_remove_driver)
  _dismake_check_name(${fn} session "${ARGV0}" NAME)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "NAME")
  _dismake_check_args(${fn} arg REQUIRED NAME)
  _dismake_step_begin(${fn} remove-driver "${ARGV0}")
  _dismake_positionals()
  foreach(name IN LISTS arg_NAME)
    if(NOT name MATCHES [[^[oO][eE][mM][0-9]+\.[iI][nN][fF]$]])
      _dismake_fail(${fn} "NAME '${name}' is not a published name: give oemN.inf, as "
        "`dismake get-drivers` lists it")
    endif()
    _dismake_arg("${name}")
  endforeach()
  string(JOIN ", " shown ${arg_NAME})
  _dismake_add_node(${fn} "${image}" remove-driver COMMENT "remove driver ${shown}")
endfunction()

# --- end of drivers -----------------------------------------------------------

# The step <verb> of <session> on one input file, <file> as the caller's FILE
# gave it (relative paths: to the current source directory), tracked as a
# dependency and through the helper's depfile. <what> starts the step's
# label; <hint> says what to give when the file is missing.
function(_dismake_file_step fn verb session file what hint)
  _dismake_step_begin(${fn} ${verb} "${session}")
  _dismake_absolute(path "${file}" "${CMAKE_CURRENT_SOURCE_DIR}")
  _dismake_require_input(${fn} FILE "${path}" "${hint}")
  _dismake_positionals()
  _dismake_arg("${path}")
  _dismake_add_node(${fn} "${image}" ${verb} DEPFILE DEPENDS "${path}" COMMENT "${what} ${file}")
endfunction()

#[=======================================================================[.rst:
.. command:: dismake_apply_unattend

  Places an answer file in the image (``Windows/Panther/unattend.xml``),
  after checking it is well-formed XML with an ``unattend`` root.

  .. code-block:: cmake

    dismake_apply_unattend(<session> FILE <unattend.xml>)

  Relative paths are relative to the current source directory.
#]=======================================================================]
function(dismake_apply_unattend)
  set(fn dismake_apply_unattend)
  _dismake_check_name(${fn} session "${ARGV0}" FILE)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "FILE" "")
  _dismake_check_args(${fn} arg REQUIRED FILE)
  _dismake_file_step(${fn} apply-unattend "${ARGV0}" "${arg_FILE}" "apply unattend"
    "give the answer file (unattend.xml)")
endfunction()

#[=======================================================================[.rst:
.. command:: dismake_set_image_info

  Sets the image's metadata in the WIM's XML.

  .. code-block:: cmake

    dismake_set_image_info(<session> [NAME <name>] [DESCRIPTION <text>]
                           [DISPLAY_NAME <name>]
                           [DISPLAY_DESCRIPTION <text>] [FLAGS <flags>])

  At least one field is required. ``FLAGS`` is the edition
  (e.g. ``Professional``).
#]=======================================================================]
function(dismake_set_image_info)
  set(fn dismake_set_image_info)
  set(fields NAME DESCRIPTION DISPLAY_NAME DISPLAY_DESCRIPTION FLAGS)
  _dismake_check_name(${fn} session "${ARGV0}" ${fields})
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "${fields}" "")
  _dismake_check_args(${fn} arg)
  _dismake_step_begin(${fn} set-image-info "${ARGV0}")

  _dismake_keywords_given(given ${ARGC} ${fields})
  set(shown "")
  foreach(field IN LISTS fields)
    if(field IN_LIST given)
      string(TOLOWER "--${field}" option)
      string(REPLACE "_" "-" option "${option}")
      _dismake_arg("${option}")
      _dismake_arg("${arg_${field}}")
      list(APPEND shown "${field}")
    endif()
  endforeach()
  if(NOT shown)
    string(JOIN ", " known ${fields})
    _dismake_fail(${fn} "give at least one of ${known}")
  endif()
  string(JOIN ", " shown ${shown})
  _dismake_positionals()
  _dismake_add_node(${fn} "${image}" set-image-info COMMENT "set image info (${shown})")
endfunction()

#[=======================================================================[.rst:
.. command:: dismake_set_attributes

  Sets and clears Windows attributes of a file in the image, as ``attrib``
  does.

  .. code-block:: cmake

    dismake_set_attributes(<session> PATH <image-path> CHANGES <change>...)

  Each change is ``+X`` or ``-X``, ``X`` one of ``R`` (read-only), ``H``
  (hidden), ``S`` (system), ``A`` (archive), ``I`` (not content indexed):
  ``CHANGES +H +S -R``. The rest of the file's metadata stays.
#]=======================================================================]
function(dismake_set_attributes)
  set(fn dismake_set_attributes)
  _dismake_check_name(${fn} session "${ARGV0}" PATH CHANGES)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "PATH" "CHANGES")
  _dismake_check_args(${fn} arg REQUIRED PATH CHANGES)
  foreach(change IN LISTS arg_CHANGES)
    if(NOT change MATCHES "^[-+][RHSAIrhsai]$")
      _dismake_fail(${fn} "CHANGES has '${change}': write +X or -X, X one of R H S A I")
    endif()
  endforeach()
  _dismake_step_begin(${fn} set-attributes "${ARGV0}")
  _dismake_positionals()
  _dismake_arg("${arg_PATH}")
  foreach(change IN LISTS arg_CHANGES)
    _dismake_arg("${change}")
  endforeach()
  string(JOIN " " shown ${arg_CHANGES})
  _dismake_add_node(${fn} "${image}" set-attributes COMMENT "attributes ${shown} ${arg_PATH}")
endfunction()

#[=======================================================================[.rst:
.. command:: dismake_set_security

  Gives a file in the image the security descriptor (owner, group, ACLs)
  that another path has in the base image.

  .. code-block:: cmake

    dismake_set_security(<session> PATH <image-path> LIKE <base-image-path>)

  A file a step adds has no descriptor of its own: Windows gives it its
  directory's inheritable ACEs when the image is applied. Use this where it
  must have another file's, e.g. ``LIKE Windows/System32/cmd.exe``.
#]=======================================================================]
function(dismake_set_security)
  set(fn dismake_set_security)
  _dismake_check_name(${fn} session "${ARGV0}" PATH LIKE)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "PATH;LIKE" "")
  _dismake_check_args(${fn} arg REQUIRED PATH LIKE)
  _dismake_step_begin(${fn} set-security "${ARGV0}")
  _dismake_arg(--like)
  _dismake_arg("${arg_LIKE}")
  _dismake_positionals()
  _dismake_arg("${arg_PATH}")
  _dismake_add_node(${fn} "${image}" set-security COMMENT "security of ${arg_PATH} like ${arg_LIKE}")
endfunction()

#[=======================================================================[.rst:
.. command:: dismake_run

  Runs a command in the mount directory; whatever it changes becomes the
  step's change.

  .. code-block:: cmake

    dismake_run(<session> COMMAND <command> [<arg>...]
                [PATHS <image-path>...] [DEPENDS <file-or-dir>...] [NETWORK])

  ``COMMAND``
    The command and its arguments. It runs in the mount directory, with
    ``DISMAKE_MOUNT_DIR`` set to it, confined by bubblewrap: it can write
    only the mount and a private ``/tmp``, and read only the system
    (``/usr``, ``/etc`` without its secrets), its ``DEPENDS`` and its
    program. As in
    ``add_custom_command()``, an executable target's name as the command
    runs that target's file (and the step depends on it); generator
    expressions are allowed.
  ``PATHS``
    The image paths (subtrees) the command reads or changes. A lazy mount
    extracts only these before running it; without ``PATHS`` it extracts the
    whole image first.
  ``DEPENDS``
    Files or directories (relative paths: to the current source directory)
    whose content the command uses, typically its script: a change re-runs
    the step. They are the only files outside the system it can read.
  ``NETWORK``
    The command gets the host's network (a download, a licence server);
    without it, it has only a loopback interface of its own. Adding or
    removing ``NETWORK`` re-runs the step.
#]=======================================================================]
function(dismake_run)
  set(fn dismake_run)
  _dismake_check_name(${fn} session "${ARGV0}" COMMAND PATHS DEPENDS NETWORK)
  cmake_parse_arguments(PARSE_ARGV 1 arg "NETWORK" "" "COMMAND;PATHS;DEPENDS")
  _dismake_check_args(${fn} arg REQUIRED COMMAND)
  _dismake_step_begin(${fn} run "${ARGV0}")

  if(arg_NETWORK)
    _dismake_arg(--network)
  endif()

  foreach(path IN LISTS arg_PATHS)
    _dismake_arg(--paths)
    _dismake_arg("${path}")
  endforeach()
  set(depends "")
  set(depfile "")
  foreach(input IN LISTS arg_DEPENDS)
    _dismake_absolute(input "${input}" "${CMAKE_CURRENT_SOURCE_DIR}")
    _dismake_require_input(${fn} DEPENDS "${input}" "give the files the command reads")
    _dismake_arg(--depends)
    _dismake_arg("${input}")
    set(depfile DEPFILE)
    if(NOT IS_DIRECTORY "${input}")
      list(APPEND depends "${input}")
    endif()
  endforeach()
  _dismake_positionals()
  list(GET arg_COMMAND 0 program)
  if(TARGET "${program}")
    get_target_property(type "${program}" TYPE)
    if(type STREQUAL "EXECUTABLE")
      list(APPEND depends "${program}")
      set(program "$<TARGET_FILE:${program}>")
    endif()
  endif()
  _dismake_arg("${program}")
  list(LENGTH arg_COMMAND count)
  if(count GREATER 1)
    math(EXPR last "${count} - 1")
    foreach(i RANGE 1 ${last})
      list(GET arg_COMMAND ${i} value)
      _dismake_arg("${value}")
    endforeach()
  endif()
  _dismake_command_label(shown ${arg_COMMAND})
  _dismake_add_node(${fn} "${image}" run ${depfile} DEPENDS ${depends} COMMENT "run: ${shown}")
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

# The write options shared by dismake_unmount_image() and
# dismake_assemble_wim(), read from the caller's <prefix>_COMPRESS, _SOLID,
# _CHECK_INTEGRITY, _BOOT_INDEX and _THREADS (its cmake_parse_arguments
# prefix): checked, and set as the helper's options in <out>.
function(_dismake_write_options fn prefix out)
  set(compressions none xpress lzx lzms)
  set(options "")
  if(DEFINED ${prefix}_COMPRESS)
    string(TOLOWER "${${prefix}_COMPRESS}" compress)
    if(NOT compress IN_LIST compressions)
      string(JOIN ", " known ${compressions})
      _dismake_fail(${fn} "COMPRESS '${${prefix}_COMPRESS}' is not one of ${known}")
    endif()
    list(APPEND options --compress "${compress}")
  endif()
  if(${prefix}_SOLID)
    list(APPEND options --solid)
  endif()
  if(${prefix}_CHECK_INTEGRITY)
    list(APPEND options --check)
  endif()
  if(DEFINED ${prefix}_BOOT_INDEX)
    if(NOT ${prefix}_BOOT_INDEX MATCHES "^(0|[1-9][0-9]*)$")
      _dismake_fail(${fn} "BOOT_INDEX must be an image index (1-based; 0: none), got '${${prefix}_BOOT_INDEX}'")
    endif()
    list(APPEND options --boot-index "${${prefix}_BOOT_INDEX}")
  endif()
  if(DEFINED ${prefix}_THREADS)
    if(NOT ${prefix}_THREADS MATCHES "^[1-9][0-9]*$")
      _dismake_fail(${fn} "THREADS must be a positive number of threads, got '${${prefix}_THREADS}'")
    endif()
    list(APPEND options --threads "${${prefix}_THREADS}")
  endif()
  set(${out} "${options}" PARENT_SCOPE)
endfunction()

#[=======================================================================[.rst:
.. command:: dismake_unmount_image

  Ends an image's recipe: what becomes of the serviced image.

  .. code-block:: cmake

    dismake_unmount_image(<image> COMMIT OUTPUT <file.wim>
                          [COMPRESS none|xpress|lzx|lzms] [SOLID]
                          [CHECK_INTEGRITY] [BOOT_INDEX <n>] [THREADS <n>]
                          [DIFF_REPORT <file>] [COMPACT])
    dismake_unmount_image(<image> DISCARD)

  ``COMMIT OUTPUT <file.wim>``
    The ``<image>`` target (in ``ALL``) writes the serviced image to this
    file (relative paths: to the current binary directory): the source WIM
    with the image replaced, written atomically and reproducibly. The source
    WIM is never written, and ``OUTPUT`` must not be it.
  ``COMPRESS``
    The output's compression (default: the helper's, that of the source).
  ``SOLID``
    Write a solid archive (ESD-style; LZMS unless ``COMPRESS`` says
    otherwise). Smaller, slower to read; for delivery, not servicing.
  ``CHECK_INTEGRITY``
    Add an integrity table (SHA-1 of every chunk), which ``dism
    /CheckIntegrity`` and ``wimlib-imagex verify`` check.
  ``BOOT_INDEX <n>``
    Mark image ``<n>`` of the output bootable (``0``: none). Default: as
    in the source.
  ``THREADS <n>``
    Compression threads (default: one per core). Changes only the speed,
    never the output's bytes.
  ``DIFF_REPORT <file>``
    Also write what the build changed in the image: ``dismake diff`` of the
    source image against the output's (relative paths: to the current
    binary directory). It lists the files added, removed and changed, with
    sizes and metadata (attributes, security descriptor, streams, hard
    links), the image properties, and every changed registry hive's keys and
    values as a ``.reg`` file; JSON when ``<file>`` ends in ``.json``. The
    target ``<image>-diff-report`` (in ``ALL``) writes it after each commit,
    so a CI job can publish the effective change of an image build for its
    reviewers.
  ``COMPACT``
    Write a fully compact output, for releases. By default a commit
    appends to the previous output (reset to the source in place), so an
    incremental commit costs what changed; the output then holds garbage
    (replaced blobs and metadata), as DISM's own commit leaves it, and the
    commit line says how much. Either way the bytes are reproducible.
  ``DISCARD``
    The ``<image>`` target runs every step and writes no image (for
    recipes whose ``dismake_run()`` steps produce what matters).

  The output is reproducible: the same source and recipe give the same
  bytes, whatever the build tree, the time or the thread count. Its GUID is
  derived from the content; the image's times and those of added files are
  ``SOURCE_DATE_EPOCH`` when it is set in the build's environment, else the
  source image's own time. (A build commits only when a step's input
  changed: after changing ``SOURCE_DATE_EPOCH``, build from clean.)

  Every session of the image must be closed first. Either way the image
  stays mounted after a build, so that the next build is incremental; the
  ``<image>-unmount`` target unmounts it (without building it first).
#]=======================================================================]
function(dismake_unmount_image)
  set(fn dismake_unmount_image)
  set(commit_keywords OUTPUT COMPRESS SOLID CHECK_INTEGRITY BOOT_INDEX THREADS COMPACT)
  _dismake_check_name(${fn} image "${ARGV0}" COMMIT DISCARD ${commit_keywords})
  set(image "${ARGV0}")
  cmake_parse_arguments(PARSE_ARGV 1 arg "COMMIT;DISCARD;SOLID;CHECK_INTEGRITY;COMPACT"
    "OUTPUT;COMPRESS;BOOT_INDEX;THREADS;DIFF_REPORT" "")
  _dismake_check_args(${fn} arg)
  _dismake_require_image(${fn} "${image}")
  if(arg_COMMIT AND arg_DISCARD)
    _dismake_fail(${fn} "give COMMIT or DISCARD, not both")
  elseif(NOT arg_COMMIT AND NOT arg_DISCARD)
    _dismake_fail(${fn} "COMMIT OUTPUT <file.wim> or DISCARD is required")
  elseif(arg_COMMIT AND NOT DEFINED arg_OUTPUT)
    _dismake_fail(${fn} "OUTPUT is required with COMMIT")
  elseif(arg_DISCARD AND (DEFINED arg_OUTPUT OR DEFINED arg_COMPRESS))
    _dismake_fail(${fn} "OUTPUT and COMPRESS go with COMMIT, not DISCARD")
  elseif(arg_DISCARD)
    foreach(keyword SOLID CHECK_INTEGRITY BOOT_INDEX THREADS COMPACT)
      if(DEFINED arg_${keyword} AND NOT arg_${keyword} STREQUAL "FALSE")
        _dismake_fail(${fn} "${keyword} goes with COMMIT, not DISCARD (nothing is written)")
      endif()
    endforeach()
  endif()
  _dismake_get(sessions "IMAGE_${image}_SESSIONS")
  foreach(session IN LISTS sessions)
    _dismake_get(closed "SESSION_${session}_CLOSED")
    if(NOT closed)
      _dismake_fail(${fn} "session '${session}' is still open on image '${image}': "
        "call dismake_close_session(${session}) first")
    endif()
  endforeach()
  # An unknown helper fails the call here, before anything is declared.
  _dismake_helper(${fn} helper)
  _dismake_get(wim "IMAGE_${image}_WIM")
  _dismake_get(mount_dir "IMAGE_${image}_MOUNT_DIR")
  _dismake_get(dir "IMAGE_${image}_STEP_DIR")
  _dismake_get(tail "IMAGE_${image}_TAIL")
  _dismake_get(always "IMAGE_${image}_ALWAYS")
  _dismake_get(verified "IMAGE_${image}_VERIFIED")
  if(arg_COMMIT)
    _dismake_absolute(output "${arg_OUTPUT}" "${CMAKE_CURRENT_BINARY_DIR}")
    if(output STREQUAL wim)
      _dismake_fail(${fn} "OUTPUT ${output} is the source WIM: the build never writes its input; "
        "commit to another file")
    endif()
    _dismake_output_owner(owner "${output}")
    if(NOT owner STREQUAL "")
      _dismake_fail(${fn} "OUTPUT ${output} is already the output of ${owner}")
    endif()
    _dismake_write_options(${fn} arg write_options)
    if(arg_COMPACT)
      list(APPEND write_options --compact)
    endif()
  endif()

  # The recipe fingerprint the ensure step checks: the mount and every step
  # with its arguments, so a removed or reordered step changes it.
  _dismake_get(recipe "IMAGE_${image}_RECIPE")
  string(APPEND recipe "\n  ]\n}\n")
  _dismake_get(recipe_file "IMAGE_${image}_RECIPE_FILE")
  file(CONFIGURE OUTPUT "${recipe_file}" CONTENT "@recipe@" @ONLY)

  # The always-run nodes are listed in the targets' DEPENDS so that CMake
  # attaches their custom commands (it does not follow DEPENDS on BYPRODUCTS).
  if(arg_COMMIT)
    # The write options are on the commit's command line (not in the
    # recipe): changing them re-runs only the commit.
    _dismake_code_list(code commit "${mount_dir}" --output "${output}" ${write_options}
      --after "${tail}")
    # The WIM is a dependency of its own: the output holds the source's other
    # images too, which change without changing this image's identity.
    _dismake_add_helper_call(${fn} "${dir}/commit" "dismake ${image}: commit -> ${arg_OUTPUT}"
      "${code}" OUTPUT "${output}" DEPENDS "${tail}" "${wim}" ${verified} POOL "${image}" LONG)
    add_custom_target("${image}" ALL DEPENDS "${output}" ${always})
    _dismake_set("IMAGE_${image}_OUTPUT" "${output}")
    _dismake_set("OUTPUT_${output}_OWNER" "image '${image}'")
  else()
    add_custom_target("${image}" ALL DEPENDS "${tail}" ${always} ${verified})
  endif()
  add_custom_target("${image}-mount" DEPENDS "${tail}" ${always})
  if(DEFINED arg_DIFF_REPORT)
    _dismake_diff_report(${fn} "${image}" "${arg_DIFF_REPORT}")
  endif()

  # Nothing mounted (never built, or unmounted already) is nothing to do.
  _dismake_code_list(code unmount "${mount_dir}" --discard --if-mounted)
  _dismake_add_helper_call(${fn} "${dir}/unmount" "dismake ${image}: unmount ${mount_dir} (discard)"
    "${code}" TARGET "${image}-unmount" POOL "${image}")
  _dismake_remove_stale_step_files("${image}")
  _dismake_set("IMAGE_${image}_UNMOUNTED" TRUE)
endfunction()

# DIFF_REPORT of dismake_unmount_image: `dismake diff` of the source image
# against the committed output, rewritten whenever the output is.
function(_dismake_diff_report fn image report)
  _dismake_get(output "IMAGE_${image}_OUTPUT")
  if(output STREQUAL "")
    _dismake_fail(${fn} "DIFF_REPORT goes with COMMIT OUTPUT: with DISCARD no image is written "
      "to compare")
  endif()
  _dismake_absolute(report "${report}" "${CMAKE_CURRENT_BINARY_DIR}")
  if(report STREQUAL output)
    _dismake_fail(${fn} "DIFF_REPORT ${report} is the OUTPUT: name another file")
  endif()
  # The source image as the mount selected it (by INDEX, else by NAME, which
  # only the recipe's "mount" entry records); the output holds it at the
  # same index, which the helper takes when the output has several images.
  _dismake_get(wim "IMAGE_${image}_WIM")
  _dismake_get(selector "IMAGE_${image}_INDEX")
  if(selector STREQUAL "")
    _dismake_get(recipe "IMAGE_${image}_RECIPE")
    if(NOT recipe MATCHES "\"mount\": {[^}]*\"name\": (\"([^\"\\]|\\\\.)*\")")
      _dismake_fail(${fn} "DIFF_REPORT cannot tell which image of ${wim} image '${image}' is")
    endif()
    string(JSON selector GET "[${CMAKE_MATCH_1}]" 0)
  endif()
  set(format)
  if(report MATCHES "[.][Jj][Ss][Oo][Nn]$")
    set(format --json)
  endif()
  _dismake_helper(${fn} helper)
  add_custom_command(OUTPUT "${report}"
    COMMAND ${helper_COMMAND} diff "${wim}:${selector}" "${output}" ${format} --output "${report}"
    DEPENDS "${output}" "${wim}" ${helper_DEPENDS}
    COMMENT "dismake ${image}: diff report -> ${report}"
    VERBATIM)
  add_custom_target("${image}-diff-report" ALL DEPENDS "${report}")
endfunction()

# Which declaration already writes <path> ("image 'pro'", "dismake_assemble_wim
# target 'install-wim'"), or "" if none.
function(_dismake_output_owner out path)
  _dismake_get(owner "OUTPUT_${path}_OWNER")
  set(${out} "${owner}" PARENT_SCOPE)
endfunction()

#[=======================================================================[.rst:
.. command:: dismake_assemble_wim

  Puts the committed images of several recipes into one multi-image WIM, as
  ``dism /Export-Image`` does: the ``install.wim`` of a set of editions.

  .. code-block:: cmake

    dismake_assemble_wim(OUTPUT <file.wim> IMAGES <image>...
                         [TARGET <name>]
                         [COMPRESS none|xpress|lzx|lzms] [SOLID]
                         [CHECK_INTEGRITY] [BOOT_INDEX <n>] [THREADS <n>])

  ``OUTPUT <file.wim>``
    The WIM to write (relative paths: to the current binary directory),
    atomically and reproducibly.
  ``IMAGES <image>...``
    The images, in the output's order (image 1 first). Each is an image of
    the build, declared before this call with
    ``dismake_mount_image(<image> ... INDEX <n>)`` and ended with
    ``dismake_unmount_image(<image> COMMIT OUTPUT ...)``: its serviced image
    is taken from that output. Two images of one WIM must not have the same
    name: give each its own with ``dismake_set_image_info(... NAME ...)``.
  ``TARGET <name>``
    The target (in ``ALL``) that builds ``OUTPUT``. Default: the output's
    file name without its last extension (``editions.wim``: ``editions``).
    Names CMake reserves, such as ``install`` for ``install.wim``, cannot be
    targets: give ``TARGET`` then.
  ``COMPRESS``, ``SOLID``, ``CHECK_INTEGRITY``, ``THREADS``
    As for :command:`dismake_unmount_image`. ``COMPRESS`` defaults to
    ``lzx``.
  ``BOOT_INDEX <n>``
    Mark image ``<n>`` of the output (``1`` to the number of ``IMAGES``)
    bootable; ``0`` or none: no boot image.

  The output is rewritten only when one of the images' outputs (or the
  helper) changed, and has the same bytes for the same images. The call may
  be made in any directory. The helper's output goes to
  ``<binary-dir>/dismake/<target>/assemble.log``.

  .. code-block:: cmake

    dismake_assemble_wim(OUTPUT install.wim TARGET install-wim
                         IMAGES pro enterprise)
#]=======================================================================]
function(dismake_assemble_wim)
  set(fn dismake_assemble_wim)
  cmake_parse_arguments(PARSE_ARGV 0 arg "SOLID;CHECK_INTEGRITY"
    "OUTPUT;TARGET;COMPRESS;BOOT_INDEX;THREADS" "IMAGES")
  _dismake_check_args(${fn} arg REQUIRED OUTPUT IMAGES)
  if(arg_OUTPUT STREQUAL "")
    _dismake_fail(${fn} "OUTPUT needs a value")
  endif()
  # An unknown helper fails the call here, before anything is declared.
  _dismake_helper(${fn} helper)
  _dismake_absolute(output "${arg_OUTPUT}" "${CMAKE_CURRENT_BINARY_DIR}")

  if(DEFINED arg_TARGET)
    set(target "${arg_TARGET}")
    set(target_source "TARGET")
    set(hint "")
  else()
    cmake_path(GET output STEM LAST_ONLY target)
    set(target_source "the OUTPUT's file name without its extension")
    set(hint ": name the target with TARGET <name>")
  endif()
  if(NOT target MATCHES "^[A-Za-z0-9_.+-]+$")
    _dismake_fail(${fn} "target name '${target}' (${target_source}) may only contain letters, "
      "digits, '_', '.', '+' and '-'${hint}")
  endif()
  set(reserved all ALL_BUILD clean edit_cache help install INSTALL install_local install_strip
    list_install_components package package_source preinstall rebuild_cache test RUN_TESTS
    ZERO_CHECK)
  if(target IN_LIST reserved)
    _dismake_fail(${fn} "target name '${target}' (${target_source}) is reserved by CMake${hint}")
  endif()
  if(TARGET "${target}")
    _dismake_fail(${fn} "target name '${target}' (${target_source}) is taken: a target '${target}' "
      "already exists${hint}")
  endif()
  _dismake_output_owner(owner "${output}")
  if(NOT owner STREQUAL "")
    _dismake_fail(${fn} "OUTPUT ${output} is already the output of ${owner}")
  endif()

  set(sources "")
  set(depends "")
  set(seen "")
  foreach(image IN LISTS arg_IMAGES)
    if(image IN_LIST seen)
      _dismake_fail(${fn} "image '${image}' is listed twice in IMAGES")
    endif()
    list(APPEND seen "${image}")
    _dismake_get(source_dir "IMAGE_${image}_SOURCE_DIR")
    _dismake_get(image_output "IMAGE_${image}_OUTPUT")
    _dismake_get(unmounted "IMAGE_${image}_UNMOUNTED")
    _dismake_get(index "IMAGE_${image}_INDEX")
    if(source_dir STREQUAL "")
      _dismake_fail(${fn} "image '${image}' (IMAGES) is not declared: declare it with "
        "dismake_mount_image(${image} ...) and dismake_unmount_image(${image} COMMIT OUTPUT <file.wim>) "
        "before this call")
    elseif(NOT unmounted)
      _dismake_fail(${fn} "image '${image}' (IMAGES) has no committed output yet: call "
        "dismake_unmount_image(${image} COMMIT OUTPUT <file.wim>) before this call")
    elseif(image_output STREQUAL "")
      _dismake_fail(${fn} "image '${image}' (IMAGES) is unmounted with DISCARD and writes no WIM: "
        "use dismake_unmount_image(${image} COMMIT OUTPUT <file.wim>)")
    elseif(index STREQUAL "")
      _dismake_fail(${fn} "image '${image}' (IMAGES) is mounted by NAME, so its index in "
        "${image_output} is unknown: mount it with dismake_mount_image(${image} ... INDEX <n>)")
    endif()
    _dismake_get(image_wim "IMAGE_${image}_WIM")
    if(output STREQUAL image_wim)
      _dismake_fail(${fn} "OUTPUT ${output} is the source WIM of image '${image}': the build "
        "never writes its input; assemble to another file")
    endif()
    list(APPEND sources "${image_output}:${index}")
    list(APPEND depends "${image_output}")
  endforeach()
  list(LENGTH arg_IMAGES count)
  if(DEFINED arg_BOOT_INDEX AND arg_BOOT_INDEX MATCHES "^[0-9]+$" AND arg_BOOT_INDEX GREATER count)
    _dismake_fail(${fn} "BOOT_INDEX ${arg_BOOT_INDEX} is not an image of the output: it has "
      "${count} (IMAGES), so give 1 to ${count}, or 0 for none")
  endif()
  _dismake_write_options(${fn} arg write_options)

  # The helper's output goes to a log, shown when it fails (as for steps).
  set(log_dir "${CMAKE_CURRENT_BINARY_DIR}/dismake/${target}")
  file(MAKE_DIRECTORY "${log_dir}")
  _dismake_code_list(code assemble --output "${output}" ${write_options} -- ${sources})
  string(JOIN ", " shown ${arg_IMAGES})
  _dismake_add_helper_call(${fn} "${log_dir}/assemble" "dismake: assemble ${shown} -> ${arg_OUTPUT}"
    "${code}" OUTPUT "${output}" DEPENDS ${depends} LONG)
  add_custom_target("${target}" ALL DEPENDS "${output}")
  # The images' targets attach their steps (their always-run nodes
  # included) wherever the images were declared.
  add_dependencies("${target}" ${arg_IMAGES})
  _dismake_set("OUTPUT_${output}_OWNER" "dismake_assemble_wim target '${target}'")
endfunction()

#[=======================================================================[.rst:
.. command:: dismake_split_wim

  Splits a WIM into ``.swm`` parts small enough for FAT32 media, as
  ``dism /Split-Image`` does.

  .. code-block:: cmake

    dismake_split_wim(OUTPUT <first.swm> (IMAGE <image> | WIM <file.wim>)
                      [SIZE <MiB>] [TARGET <name>] [CHECK_INTEGRITY])

  ``OUTPUT <first.swm>``
    The first part (relative paths: to the current binary directory); the
    others are written beside it as ``<name>2.swm``, ``<name>3.swm``, ...
    Parts left over from an earlier, larger split are removed.
  ``IMAGE <image>``
    Split the committed output of an image of the build
    (``dismake_unmount_image(<image> COMMIT OUTPUT ...)``, declared before).
  ``WIM <file.wim>``
    Split this file instead, such as the ``OUTPUT`` of
    :command:`dismake_assemble_wim` (relative paths: to the current binary
    directory).
  ``SIZE <MiB>``
    The largest part, in MiB (default 4000, below FAT32's 4 GiB limit).
  ``TARGET <name>``
    The target (in ``ALL``) that builds the parts. Default: the output's
    file name without its extension, and ``-swm`` (``install.swm``:
    ``install-swm``).
  ``CHECK_INTEGRITY``
    Add an integrity table to every part.

  .. code-block:: cmake

    dismake_assemble_wim(OUTPUT install.wim TARGET install-wim IMAGES pro enterprise)
    dismake_split_wim(OUTPUT media/install.swm WIM install.wim SIZE 3800)
#]=======================================================================]
function(dismake_split_wim)
  set(fn dismake_split_wim)
  cmake_parse_arguments(PARSE_ARGV 0 arg "CHECK_INTEGRITY" "OUTPUT;IMAGE;WIM;SIZE;TARGET" "")
  _dismake_check_args(${fn} arg REQUIRED OUTPUT)
  # An unknown helper fails the call here, before anything is declared.
  _dismake_helper(${fn} helper)
  _dismake_absolute(output "${arg_OUTPUT}" "${CMAKE_CURRENT_BINARY_DIR}")
  if(NOT output MATCHES "\\.[sS][wW][mM]$")
    _dismake_fail(${fn} "OUTPUT ${arg_OUTPUT} must end with .swm (the parts are named "
      "after it: install.swm, install2.swm, ...)")
  endif()
  if(DEFINED arg_IMAGE AND DEFINED arg_WIM)
    _dismake_fail(${fn} "give IMAGE or WIM, not both")
  elseif(DEFINED arg_IMAGE)
    _dismake_get(wim "IMAGE_${arg_IMAGE}_OUTPUT")
    _dismake_get(unmounted "IMAGE_${arg_IMAGE}_UNMOUNTED")
    if(wim STREQUAL "" OR NOT unmounted)
      _dismake_fail(${fn} "IMAGE '${arg_IMAGE}' has no committed output: declare it with "
        "dismake_mount_image(${arg_IMAGE} ...) and dismake_unmount_image(${arg_IMAGE} COMMIT "
        "OUTPUT <file.wim>) before this call")
    endif()
    set(source_shown "${arg_IMAGE}")
  elseif(DEFINED arg_WIM)
    _dismake_absolute(wim "${arg_WIM}" "${CMAKE_CURRENT_BINARY_DIR}")
    _dismake_require_input(${fn} WIM "${wim}" "give the WIM to split (the OUTPUT of an image "
      "or of dismake_assemble_wim)")
    set(source_shown "${arg_WIM}")
  else()
    _dismake_fail(${fn} "IMAGE <image> or WIM <file.wim> is required (what to split)")
  endif()
  set(size 4000)
  if(DEFINED arg_SIZE)
    if(NOT arg_SIZE MATCHES "^[1-9][0-9]*$")
      _dismake_fail(${fn} "SIZE must be a positive number of MiB, got '${arg_SIZE}'")
    endif()
    set(size "${arg_SIZE}")
  endif()
  if(DEFINED arg_TARGET)
    set(target "${arg_TARGET}")
  else()
    cmake_path(GET output STEM LAST_ONLY target)
    string(APPEND target "-swm")
  endif()
  if(NOT target MATCHES "^[A-Za-z0-9_.+-]+$" OR TARGET "${target}")
    _dismake_fail(${fn} "target name '${target}' is not usable (taken, reserved or with other "
      "characters than letters, digits, '_', '.', '+' and '-'): name it with TARGET <name>")
  endif()
  _dismake_output_owner(owner "${output}")
  if(NOT owner STREQUAL "")
    _dismake_fail(${fn} "OUTPUT ${output} is already the output of ${owner}")
  endif()

  set(log_dir "${CMAKE_CURRENT_BINARY_DIR}/dismake/${target}")
  file(MAKE_DIRECTORY "${log_dir}")
  _dismake_code_list(code split "${wim}" "${output}" --size "${size}")
  if(arg_CHECK_INTEGRITY)
    string(APPEND code " --check")
  endif()
  _dismake_add_helper_call(${fn} "${log_dir}/split"
    "dismake: split ${source_shown} -> ${arg_OUTPUT} (parts of ${size} MiB at most)" "${code}"
    OUTPUT "${output}" DEPENDS "${wim}" LONG)
  add_custom_target("${target}" ALL DEPENDS "${output}")
  if(DEFINED arg_IMAGE)
    add_dependencies("${target}" "${arg_IMAGE}")
  endif()
  _dismake_set("OUTPUT_${output}_OWNER" "dismake_split_wim target '${target}'")
endfunction()

# Installation media (dismake_add_media, dismake_make_iso): a module of its
# own, defined under the same policies.
include(${CMAKE_CURRENT_LIST_DIR}/DismakeMedia.cmake)

cmake_policy(POP)
