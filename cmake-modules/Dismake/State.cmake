# Dismake/State.cmake: where the module keeps what its calls declared.
# Internal to Dismake.cmake (which includes it); nothing here is an interface.
#
# While an image's recipe is being declared, from dismake_mount_image() to
# dismake_unmount_image(), its state is in global properties (the calls may
# come from any scope of the mounting directory, and no target exists yet),
# _DISMAKE_IMAGE_<image>_<field>:
#
#   SOURCE_DIR                the directory that mounts it
#   WIM, SELECTOR, SELECTOR_VALUE
#                             the source WIM, and which of its images
#                             (SELECTOR "index" or "name", and its value)
#   MOUNT_DIR, STEP_DIR, RECIPE_FILE
#                             where it is mounted, and its steps' files
#   TAIL, COUNT, STEP_NAMES, ALWAYS, VERIFIED
#                             the chain of nodes so far: the last stamp,
#                             the steps, the always-run nodes, the
#                             VERIFY_BASE FULL node
#   RECIPE                    the recipe fingerprint's JSON so far
#   SESSIONS                  its sessions, each _DISMAKE_SESSION_<s>_IMAGE
#                             and _CLOSED
#
# (and _DISMAKE_IMAGES, every image; _DISMAKE_MEDIA_<name>_DIR, _RECORD).
# dismake_unmount_image() makes the target <image>; from then on, what other
# calls read of the image are properties of that target
# (_dismake_publish_image): DISMAKE_OUTPUT and DISMAKE_MOUNT_DIR, which
# users may read too (documented in Dismake.cmake), and the internal
# _DISMAKE_WIM and _DISMAKE_INDEX. Every target that writes a file has
# DISMAKE_OUTPUT; which call writes a file is _DISMAKE_OUTPUT_<path>_OWNER.

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


# Sets the target properties of an unmounted image's target <image>:
# DISMAKE_OUTPUT (<output>, "" with DISCARD), DISMAKE_MOUNT_DIR, and what
# dismake_assemble_wim needs (_DISMAKE_WIM, _DISMAKE_INDEX: the index in
# the output, "" when mounted by NAME).
function(_dismake_publish_image image output)
  _dismake_get(mount_dir "IMAGE_${image}_MOUNT_DIR")
  _dismake_get(wim "IMAGE_${image}_WIM")
  _dismake_get(selector "IMAGE_${image}_SELECTOR")
  set(index "")
  if(selector STREQUAL "index")
    _dismake_get(index "IMAGE_${image}_SELECTOR_VALUE")
  endif()
  set_target_properties("${image}" PROPERTIES
    DISMAKE_OUTPUT "${output}"
    DISMAKE_MOUNT_DIR "${mount_dir}"
    _DISMAKE_WIM "${wim}"
    _DISMAKE_INDEX "${index}")
endfunction()

# What an unmounted image's target says of it: sets <prefix>_UNMOUNTED
# (TRUE once dismake_unmount_image() made the target <image>, else FALSE),
# and <prefix>_OUTPUT, _MOUNT_DIR, _WIM, _INDEX ("" when unknown).
function(_dismake_unmounted_image prefix image)
  set(unmounted FALSE)
  foreach(field OUTPUT MOUNT_DIR WIM INDEX)
    set(${field} "")
  endforeach()
  if(TARGET "${image}")
    get_target_property(MOUNT_DIR "${image}" DISMAKE_MOUNT_DIR)
    if(MOUNT_DIR)
      set(unmounted TRUE)
      get_target_property(OUTPUT "${image}" DISMAKE_OUTPUT)
      get_target_property(WIM "${image}" _DISMAKE_WIM)
      get_target_property(INDEX "${image}" _DISMAKE_INDEX)
    endif()
  endif()
  set(${prefix}_UNMOUNTED ${unmounted} PARENT_SCOPE)
  foreach(field OUTPUT MOUNT_DIR WIM INDEX)
    if(NOT ${field})
      set(${field} "")
    endif()
    set(${prefix}_${field} "${${field}}" PARENT_SCOPE)
  endforeach()
endfunction()

# Records that <target> writes <output>: its DISMAKE_OUTPUT property, and
# <owner> ("dismake_assemble_wim target 'install-wim'") as the file's writer.
function(_dismake_set_output target output owner)
  set_target_properties("${target}" PROPERTIES DISMAKE_OUTPUT "${output}")
  _dismake_set("OUTPUT_${output}_OWNER" "${owner}")
endfunction()
