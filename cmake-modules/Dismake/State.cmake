# Dismake/State.cmake: where the module keeps what its calls declared.
# Internal to Dismake.cmake (which includes it); nothing here is an interface.
#
# An image's state is on its target <image>, which dismake_mount_image()
# makes (in ALL, depending on nothing until dismake_unmount_image() adds the
# nodes it builds: _dismake_image_build). Its properties:
#
#   DISMAKE_MOUNT_DIR, DISMAKE_WIM, DISMAKE_INDEX
#                             where it is mounted, the source WIM, and which
#                             of its images ("" when mounted by NAME); set by
#                             dismake_mount_image(), documented for users
#   DISMAKE_OUTPUT            the committed WIM ("" with DISCARD); set by
#                             dismake_unmount_image(), documented for users
#   _DISMAKE_IMAGE            MOUNTED, then UNMOUNTED: marks the target as an
#                             image's (its SOURCE_DIR is the directory that
#                             mounts it)
#   _DISMAKE_SELECTOR, _DISMAKE_SELECTOR_VALUE
#                             which image of the WIM: "index" or "name", and
#                             its value
#   _DISMAKE_STEP_DIR, _DISMAKE_RECIPE_FILE
#                             its steps' files
#   _DISMAKE_TAIL, _DISMAKE_COUNT, _DISMAKE_STEP_NAMES, _DISMAKE_ALWAYS,
#   _DISMAKE_VERIFIED         the chain of nodes so far: the last stamp, the
#                             steps, the always-run nodes, the VERIFY_BASE
#                             FULL node
#   _DISMAKE_RECIPE           the recipe fingerprint's JSON so far
#   _DISMAKE_REGISTRY_RUN, _DISMAKE_REGISTRY_RUN_SESSION
#                             the pending run of registry values (a JSON
#                             array, "" for none) and its session
#                             (Dismake/RegistryRuns.cmake)
#   _DISMAKE_SESSIONS         its sessions
#
# What is not one image's is in global properties _DISMAKE_<name>: IMAGES
# (every image, in declaration order), SESSION_<s>_IMAGE and _CLOSED,
# MEDIA_<name>_DIR and _RECORD, and OUTPUT_<path>_OWNER (which call writes
# a file). Every target that writes a file has DISMAKE_OUTPUT.

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

# Which declaration already writes <path> ("image 'pro'", "dismake_assemble_wim
# target 'install-wim'"), or "" if none.
function(_dismake_output_owner out path)
  _dismake_get(owner "OUTPUT_${path}_OWNER")
  set(${out} "${owner}" PARENT_SCOPE)
endfunction()

# Reads the property <property> of image <image>'s target ("" when unset).
function(_dismake_image_get out image property)
  get_property(value TARGET "${image}" PROPERTY "${property}")
  set(${out} "${value}" PARENT_SCOPE)
endfunction()

# Sets the property <property> of image <image>'s target to <value>.
function(_dismake_image_set image property value)
  set_property(TARGET "${image}" PROPERTY "${property}" "${value}")
endfunction()

# Appends <value> to the list <property> of image <image>'s target.
function(_dismake_image_append image property value)
  set_property(TARGET "${image}" APPEND PROPERTY "${property}" "${value}")
endfunction()

# Sets <out> to MOUNTED or UNMOUNTED when <name> is an image of the build
# (dismake_mount_image() made its target), else to "".
function(_dismake_image_state out name)
  set(state "")
  if(TARGET "${name}")
    get_property(state TARGET "${name}" PROPERTY _DISMAKE_IMAGE)
  endif()
  set(${out} "${state}" PARENT_SCOPE)
endfunction()

# What an image's target says of it after dismake_unmount_image(): sets
# <prefix>_UNMOUNTED (TRUE once unmounted, else FALSE), and
# <prefix>_OUTPUT, _MOUNT_DIR, _WIM, _INDEX ("" when unknown).
function(_dismake_unmounted_image prefix image)
  _dismake_image_state(state "${image}")
  set(unmounted FALSE)
  if(state STREQUAL "UNMOUNTED")
    set(unmounted TRUE)
  endif()
  set(${prefix}_UNMOUNTED ${unmounted} PARENT_SCOPE)
  foreach(field OUTPUT MOUNT_DIR WIM INDEX)
    set(value "")
    if(unmounted)
      _dismake_image_get(value "${image}" DISMAKE_${field})
    endif()
    set(${prefix}_${field} "${value}" PARENT_SCOPE)
  endforeach()
endfunction()

# Records that <target> writes <output>: its DISMAKE_OUTPUT property, and
# <owner> ("dismake_assemble_wim target 'install-wim'") as the file's writer.
function(_dismake_set_output target output owner)
  set_target_properties("${target}" PROPERTIES DISMAKE_OUTPUT "${output}")
  _dismake_set("OUTPUT_${output}_OWNER" "${owner}")
endfunction()
