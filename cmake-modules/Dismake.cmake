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

Target properties
^^^^^^^^^^^^^^^^^

The targets the functions make carry what they read and write, for the
rest of the project to use (read them with ``get_target_property()`` after
the call that sets them; do not set them). The target ``<image>`` exists
from :command:`dismake_mount_image` on, so the mount's properties can be
read while the recipe is declared; ``DISMAKE_OUTPUT`` is set by
:command:`dismake_unmount_image`.

.. prop_tgt:: DISMAKE_MOUNT_DIR

  On ``<image>``, from :command:`dismake_mount_image`: the absolute path of
  the image's mount directory (its ``MOUNT_DIR``, or the default), where
  ``<image>-mount`` leaves the serviced tree.

.. prop_tgt:: DISMAKE_WIM

  On ``<image>``, from :command:`dismake_mount_image`: the absolute path of
  the source WIM (its ``WIM``).

.. prop_tgt:: DISMAKE_INDEX

  On ``<image>``, from :command:`dismake_mount_image`: the ``INDEX`` of the
  image in the source WIM, which is also its index in the committed
  ``OUTPUT``; empty when the image is mounted by ``NAME``.

.. prop_tgt:: DISMAKE_OUTPUT

  On ``<image>``, from :command:`dismake_unmount_image`: the absolute path
  of the committed ``OUTPUT`` WIM (empty with ``DISCARD``; not set before
  the unmount). On the targets of :command:`dismake_assemble_wim`,
  :command:`dismake_split_wim` (the first part), :command:`dismake_make_iso`
  and :command:`dismake_make_usb_image`: the absolute path of their
  ``OUTPUT``.

.. code-block:: cmake

  dismake_mount_image(pro WIM base.wim INDEX 1)
  get_target_property(pro_tree pro DISMAKE_MOUNT_DIR)  # <binary-dir>/dismake/pro/mount
  get_target_property(pro_base pro DISMAKE_WIM)        # <source-dir>/base.wim
  # ... the recipe's sessions and steps ...
  dismake_unmount_image(pro COMMIT OUTPUT pro.wim)
  get_target_property(pro_wim pro DISMAKE_OUTPUT)      # <binary-dir>/pro.wim

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

# The internals, beside this file as CMake's ExternalProject keeps its own:
# the functions below are the module's interface and what they document.
foreach(_dismake_part IN ITEMS State Checks CommandLine Graph Steps RegistryRuns Media)
  include(${CMAKE_CURRENT_LIST_DIR}/Dismake/${_dismake_part}.cmake)
endforeach()
unset(_dismake_part)

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

  The call makes the target ``<image>`` (in ``ALL``; what it builds is
  added by :command:`dismake_unmount_image`). Right after it, the target
  has the properties :prop_tgt:`DISMAKE_MOUNT_DIR`, :prop_tgt:`DISMAKE_WIM`
  and :prop_tgt:`DISMAKE_INDEX`:

  .. code-block:: cmake

    dismake_mount_image(pro WIM base.wim INDEX 1)
    get_target_property(pro_tree pro DISMAKE_MOUNT_DIR)
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
  _dismake_image_state(known "${image}")
  if(NOT known STREQUAL "")
    get_target_property(known_dir "${image}" SOURCE_DIR)
    _dismake_fail(${fn} "image '${image}' is already declared (in ${known_dir})")
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
    _dismake_image_get(other_mount "${other}" DISMAKE_MOUNT_DIR)
    if(other_mount STREQUAL mount_dir)
      _dismake_fail(${fn} "MOUNT_DIR ${mount_dir} is already the mount of image '${other}'")
    endif()
  endforeach()

  # The image's target holds its state (Dismake/State.cmake); what it
  # builds is added by dismake_unmount_image(), when the recipe is complete.
  add_custom_target("${image}" ALL)
  _dismake_set_append(IMAGES "${image}")
  set(index "")
  if(selector STREQUAL "index")
    set(index "${arg_INDEX}")
  endif()
  set_target_properties("${image}" PROPERTIES
    _DISMAKE_IMAGE MOUNTED
    DISMAKE_MOUNT_DIR "${mount_dir}"
    DISMAKE_WIM "${wim}"
    DISMAKE_INDEX "${index}"
    _DISMAKE_SELECTOR "${selector}"
    _DISMAKE_SELECTOR_VALUE "${arg_${keyword}}"
    _DISMAKE_STEP_DIR "${dir}/steps"
    _DISMAKE_RECIPE_FILE "${dir}/recipe.json"
    _DISMAKE_COUNT 0)
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
  _dismake_image_set("${image}" _DISMAKE_ALWAYS "${always}")
  _dismake_image_set("${image}" _DISMAKE_TAIL "${stamp}")

  # VERIFY_BASE FULL: the full check is a node of its own, outside the
  # image's pool, so it runs while the steps do; the commit waits for it.
  if(arg_VERIFY_BASE STREQUAL "FULL")
    set(verified "${dir}/steps/verify-base.stamp")
    _dismake_code_list(code verify "${wim}" --use-record --stamp "${verified}")
    _dismake_add_helper_call(${fn} "${dir}/steps/verify-base"
      "dismake ${image}: verify all of ${wim_name}" "${code}"
      OUTPUT "${verified}" DEPENDS "${wim}")
    _dismake_image_set("${image}" _DISMAKE_VERIFIED "${verified}")
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
  _dismake_image_set("${image}" _DISMAKE_RECIPE "{\n  \"image\": \"${image}\",\n  \"mount\": {\"wim\": ${json_wim}, \"${selector}\": ${json_selector}, \"mount_dir\": ${json_mount}, \"full\": ${json_full}},\n  \"steps\": [")

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
  _dismake_image_append("${arg_IMAGE}" _DISMAKE_SESSIONS "${session}")
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
  _dismake_step(add "${ARGV0}" VALUES SOURCE DESTINATION REQUIRED SOURCE DESTINATION)

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
  _dismake_step(delete "${ARGV0}" OPTIONS IF_EXISTS LISTS PATHS REQUIRED PATHS)

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

  Consecutive calls for one session, with no other step of the image
  between them, make one step: one helper call (``dismake
  set-registry-values``) sets the values in the order of the calls, and
  the build shows one line for them (``set 20 registry values of
  HKLM\SOFTWARE\Contoso and 1 other key``). The image is byte for byte
  what one step per value would give. Changing, adding or removing a value
  re-runs the run and the steps after it; its log and ``dismake explain``
  list every value.

  ``TYPE`` and ``DATA`` are checked when CMake runs by the helper's own
  parser (``dismake check-registry-value``, once for a run of calls), when
  a built helper is there (:variable:`DISMAKE_EXECUTABLE`, or
  ``find_package(Dismake)``); else the step checks them when it runs. The
  error names the value by its ``KEY`` and ``NAME``; CMake's call stack
  shows the call that ends the run (the next step's, or the unmount).
#]=======================================================================]
function(dismake_set_registry_value)
  _dismake_step(set-registry-value "${ARGV0}" VALUES KEY NAME TYPE DATA REQUIRED KEY TYPE)
  _dismake_keywords_given(given ${ARGC} NAME DATA)
  foreach(keyword NAME DATA)
    if(NOT keyword IN_LIST given)
      _dismake_fail(${fn} "${keyword} is required")
    endif()
  endforeach()
  _dismake_check_registry_key(${fn} KEY "${arg_KEY}")
  # Joins the run of values before it (Dismake/RegistryRuns.cmake), which
  # becomes one node, checked as a whole, when a step of another kind, of
  # another session, or the unmount follows.
  _dismake_append_registry_value("${image}" "${_dismake_session}" "${arg_KEY}" "${arg_NAME}"
    "${arg_TYPE}" "${arg_DATA}")
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
  _dismake_step(rename "${ARGV0}" VALUES FROM TO REQUIRED FROM TO)
  foreach(keyword FROM TO)
    if(arg_${keyword} STREQUAL "" OR arg_${keyword} MATCHES "^[/\\\\]*$")
      _dismake_fail(${fn} "${keyword} must name a path in the image, not its root")
    endif()
  endforeach()
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
  _dismake_step(delete-registry-value "${ARGV0}" OPTIONS IF_EXISTS VALUES KEY NAME REQUIRED KEY)
  _dismake_keywords_given(given ${ARGC} NAME)
  if(NOT given)
    _dismake_fail(${fn} "NAME is required (NAME \"\" for the key's default value)")
  endif()
  _dismake_check_registry_key(${fn} KEY "${arg_KEY}")
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
  _dismake_step(delete-registry-key "${ARGV0}" OPTIONS IF_EXISTS VALUES KEY REQUIRED KEY)
  _dismake_check_registry_key(${fn} KEY "${arg_KEY}")
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
  _dismake_step(import-registry "${ARGV0}" VALUES FILE REQUIRED FILE)
  _dismake_file_step(${fn} import-registry "${arg_FILE}" "import registry"
    "give the .reg file to import")
endfunction()

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
  _dismake_step(add-driver "${ARGV0}" OPTIONS RECURSE FORCE_UNSIGNED VALUES PATH REQUIRED PATH)
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
  _dismake_step(remove-driver "${ARGV0}" LISTS NAME REQUIRED NAME)
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

#[=======================================================================[.rst:
.. command:: dismake_apply_unattend

  Places an answer file in the image (``Windows/Panther/unattend.xml``),
  after checking it is well-formed XML with an ``unattend`` root.

  .. code-block:: cmake

    dismake_apply_unattend(<session> FILE <unattend.xml>)

  Relative paths are relative to the current source directory.
#]=======================================================================]
function(dismake_apply_unattend)
  _dismake_step(apply-unattend "${ARGV0}" VALUES FILE REQUIRED FILE)
  _dismake_file_step(${fn} apply-unattend "${arg_FILE}" "apply unattend"
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
  set(fields NAME DESCRIPTION DISPLAY_NAME DISPLAY_DESCRIPTION FLAGS)
  _dismake_step(set-image-info "${ARGV0}" VALUES ${fields})
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
  _dismake_step(set-attributes "${ARGV0}" VALUES PATH LISTS CHANGES REQUIRED PATH CHANGES)
  foreach(change IN LISTS arg_CHANGES)
    if(NOT change MATCHES "^[-+][RHSAIrhsai]$")
      _dismake_fail(${fn} "CHANGES has '${change}': write +X or -X, X one of R H S A I")
    endif()
  endforeach()
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
  _dismake_step(set-security "${ARGV0}" VALUES PATH LIKE REQUIRED PATH LIKE)
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
  _dismake_step(run "${ARGV0}" OPTIONS NETWORK LISTS COMMAND PATHS DEPENDS REQUIRED COMMAND)

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
  _dismake_image_get(sessions "${image}" _DISMAKE_SESSIONS)
  foreach(session IN LISTS sessions)
    _dismake_get(closed "SESSION_${session}_CLOSED")
    if(NOT closed)
      _dismake_fail(${fn} "session '${session}' is still open on image '${image}': "
        "call dismake_close_session(${session}) first")
    endif()
  endforeach()
  # An unknown helper fails the call here, before anything is declared.
  _dismake_helper(${fn} helper)
  _dismake_image_get(wim "${image}" DISMAKE_WIM)
  _dismake_image_get(mount_dir "${image}" DISMAKE_MOUNT_DIR)
  _dismake_image_get(dir "${image}" _DISMAKE_STEP_DIR)
  _dismake_end_registry_run("${image}")
  _dismake_image_get(tail "${image}" _DISMAKE_TAIL)
  _dismake_image_get(always "${image}" _DISMAKE_ALWAYS)
  _dismake_image_get(verified "${image}" _DISMAKE_VERIFIED)
  set(output "")  # DISCARD writes none
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
  _dismake_image_get(recipe "${image}" _DISMAKE_RECIPE)
  string(APPEND recipe "\n  ]\n}\n")
  _dismake_image_get(recipe_file "${image}" _DISMAKE_RECIPE_FILE)
  file(CONFIGURE OUTPUT "${recipe_file}" CONTENT "@recipe@" @ONLY)

  # The always-run nodes are among the targets' dependencies so that CMake
  # attaches their custom commands (it does not follow DEPENDS on BYPRODUCTS).
  # <image> exists since the mount; the files it builds are its sources,
  # which CMake follows to their custom commands as it does DEPENDS.
  if(arg_COMMIT)
    # The write options are on the commit's command line (not in the
    # recipe): changing them re-runs only the commit.
    _dismake_code_list(code commit "${mount_dir}" --output "${output}" ${write_options}
      --after "${tail}")
    # The WIM is a dependency of its own: the output holds the source's other
    # images too, which change without changing this image's identity.
    _dismake_add_helper_call(${fn} "${dir}/commit" "dismake ${image}: commit -> ${arg_OUTPUT}"
      "${code}" OUTPUT "${output}" DEPENDS "${tail}" "${wim}" ${verified} POOL "${image}" LONG)
    target_sources("${image}" PRIVATE "${output}" ${always})
    _dismake_set("OUTPUT_${output}_OWNER" "image '${image}'")
  else()
    target_sources("${image}" PRIVATE "${tail}" ${always} ${verified})
  endif()
  set_target_properties("${image}" PROPERTIES DISMAKE_OUTPUT "${output}" _DISMAKE_IMAGE UNMOUNTED)
  add_custom_target("${image}-mount" DEPENDS "${tail}" ${always})
  if(DEFINED arg_DIFF_REPORT)
    _dismake_diff_report(${fn} "${image}" "${arg_DIFF_REPORT}")
  endif()

  # Nothing mounted (never built, or unmounted already) is nothing to do.
  _dismake_code_list(code unmount "${mount_dir}" --discard --if-mounted)
  _dismake_add_helper_call(${fn} "${dir}/unmount" "dismake ${image}: unmount ${mount_dir} (discard)"
    "${code}" TARGET "${image}-unmount" POOL "${image}")
  _dismake_remove_stale_step_files("${image}")
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
    _dismake_image_state(state "${image}")
    _dismake_unmounted_image(unmounted "${image}")
    if(state STREQUAL "")
      _dismake_fail(${fn} "image '${image}' (IMAGES) is not declared: declare it with "
        "dismake_mount_image(${image} ...) and dismake_unmount_image(${image} COMMIT OUTPUT <file.wim>) "
        "before this call")
    elseif(NOT unmounted_UNMOUNTED)
      _dismake_fail(${fn} "image '${image}' (IMAGES) has no committed output yet: call "
        "dismake_unmount_image(${image} COMMIT OUTPUT <file.wim>) before this call")
    elseif(unmounted_OUTPUT STREQUAL "")
      _dismake_fail(${fn} "image '${image}' (IMAGES) is unmounted with DISCARD and writes no WIM: "
        "use dismake_unmount_image(${image} COMMIT OUTPUT <file.wim>)")
    elseif(unmounted_INDEX STREQUAL "")
      _dismake_fail(${fn} "image '${image}' (IMAGES) is mounted by NAME, so its index in "
        "${unmounted_OUTPUT} is unknown: mount it with dismake_mount_image(${image} ... INDEX <n>)")
    endif()
    if(output STREQUAL unmounted_WIM)
      _dismake_fail(${fn} "OUTPUT ${output} is the source WIM of image '${image}': the build "
        "never writes its input; assemble to another file")
    endif()
    list(APPEND sources "${unmounted_OUTPUT}:${unmounted_INDEX}")
    list(APPEND depends "${unmounted_OUTPUT}")
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
  _dismake_set_output("${target}" "${output}" "dismake_assemble_wim target '${target}'")
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
    _dismake_unmounted_image(image "${arg_IMAGE}")
    set(wim "${image_OUTPUT}")
    if(wim STREQUAL "")
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
  _dismake_set_output("${target}" "${output}" "dismake_split_wim target '${target}'")
endfunction()

# Installation media (dismake_add_media, dismake_make_iso): a module of its
# own, defined under the same policies.
include(${CMAKE_CURRENT_LIST_DIR}/DismakeMedia.cmake)

cmake_policy(POP)
