# Dismake/Media.cmake: the internals of the media functions of
# DismakeMedia.cmake (dismake_make_iso, dismake_make_usb_image).

# The part of dismake_make_iso and dismake_make_usb_image that is the same:
# checks OUTPUT (ending with <extension>), MEDIA, TARGET (default: the
# output's stem and <suffix>) and REPLACE pairs; sets in the caller
# media_dir, output, target, replace_args (--replace <path>=<file>...),
# replaced_files and owners (the targets that build them).
function(_dismake_media_output fn extension suffix)
  _dismake_helper(${fn} helper)
  _dismake_get(media_dir "MEDIA_${arg_MEDIA}_DIR")
  if(media_dir STREQUAL "")
    _dismake_fail(${fn} "MEDIA '${arg_MEDIA}' is not declared: call "
      "dismake_add_media(${arg_MEDIA} SOURCE <file.iso | folder>) first")
  endif()
  _dismake_absolute(output "${arg_OUTPUT}" "${CMAKE_CURRENT_BINARY_DIR}")
  string(TOLOWER "${output}" lower)
  if(NOT lower MATCHES "\\.${extension}$")
    _dismake_fail(${fn} "OUTPUT ${arg_OUTPUT} must end with .${extension}")
  endif()
  _dismake_output_owner(owner "${output}")
  if(NOT owner STREQUAL "")
    _dismake_fail(${fn} "OUTPUT ${output} is already the output of ${owner}")
  endif()
  if(DEFINED arg_TARGET)
    set(target "${arg_TARGET}")
  else()
    cmake_path(GET output STEM LAST_ONLY target)
    string(APPEND target "${suffix}")
  endif()
  if(NOT target MATCHES "^[A-Za-z0-9_.+-]+$" OR TARGET "${target}")
    _dismake_fail(${fn} "target name '${target}' is not usable (taken, or with other characters "
      "than letters, digits, '_', '.', '+' and '-'): name it with TARGET <name>")
  endif()

  # REPLACE: pairs of a media path and a file.
  list(LENGTH arg_REPLACE count)
  math(EXPR odd "${count} % 2")
  if(odd)
    _dismake_fail(${fn} "REPLACE takes pairs: REPLACE <media-path> <file> (e.g. REPLACE "
      "sources/install.wim pro.wim); got ${count} values")
  endif()
  set(replace_args "")
  set(replaced_files "")
  set(owners "")
  if(count GREATER 0)
    math(EXPR last "${count} - 1")
    foreach(i RANGE 0 ${last} 2)
      math(EXPR j "${i} + 1")
      list(GET arg_REPLACE ${i} path)
      list(GET arg_REPLACE ${j} value)
      _dismake_replacement(${fn} "${path}" "${value}" file owner)
      if(NOT owner STREQUAL "")
        list(APPEND owners "${owner}")
      endif()
      list(APPEND replace_args --replace "${path}=${file}")
      list(APPEND replaced_files "${file}")
    endforeach()
  endif()
  foreach(var media_dir output target replace_args replaced_files owners)
    set(${var} "${${var}}" PARENT_SCOPE)
  endforeach()
endfunction()

# The file the <value> of a REPLACE <path> <value> pair names: the output of
# a target of the build (an image's target <image>, or that of
# dismake_assemble_wim or dismake_split_wim: its DISMAKE_OUTPUT), else a file
# (relative paths: to the current binary directory), which must exist or be
# a built output declared before. Sets <out_file>, and <out_target> to the
# target that builds it ("" for a file nothing here builds).
function(_dismake_replacement fn path value out_file out_target)
  set(target "")
  _dismake_image_state(state "${value}")
  if(state STREQUAL "MOUNTED")
    _dismake_fail(${fn} "REPLACE ${path} ${value}: image '${value}' has no committed output "
      "yet: call dismake_unmount_image(${value} COMMIT OUTPUT <file.wim>) before this call")
  endif()
  if(TARGET "${value}")
    get_target_property(output "${value}" DISMAKE_OUTPUT)
    if(output)
      set(${out_file} "${output}" PARENT_SCOPE)
      set(${out_target} "${value}" PARENT_SCOPE)
      return()
    elseif(output STREQUAL "")
      _dismake_fail(${fn} "REPLACE ${path} ${value}: image '${value}' is unmounted with DISCARD "
        "and writes no WIM: use dismake_unmount_image(${value} COMMIT OUTPUT <file.wim>)")
    endif()
  endif()
  _dismake_absolute(file "${value}" "${CMAKE_CURRENT_BINARY_DIR}")
  _dismake_output_owner(file_owner "${file}")
  if(file_owner MATCHES "'([^']+)'$")
    set(target "${CMAKE_MATCH_1}")
  else()
    _dismake_require_input(${fn} "REPLACE ${path}" "${file}"
      "give a file that exists, a built output declared before, or the target that builds it")
  endif()
  set(${out_file} "${file}" PARENT_SCOPE)
  set(${out_target} "${target}" PARENT_SCOPE)
endfunction()

# Adds the helper call `<verb> --media ... --output ... <args...>` that
# writes <output>, and the target (in ALL) that builds it; the variables
# are _dismake_media_output's.
function(_dismake_media_step fn verb label)
  set(log_dir "${CMAKE_CURRENT_BINARY_DIR}/dismake/${target}")
  file(MAKE_DIRECTORY "${log_dir}")
  _dismake_code_list(code ${verb} --media "${media_dir}" --output "${output}"
    --record "${log_dir}/inputs.json" --depfile "${log_dir}/${verb}.d" ${replace_args} ${ARGN})
  _dismake_get(record "MEDIA_${arg_MEDIA}_RECORD")
  _dismake_add_helper_call(${fn} "${log_dir}/${verb}" "${label}"
    "${code}" OUTPUT "${output}" DEPENDS ${record} ${replaced_files}
    DEPFILE "${log_dir}/${verb}.d" LONG)
  add_custom_target("${target}" ALL DEPENDS "${output}")
  if(owners)
    list(REMOVE_DUPLICATES owners)
    add_dependencies("${target}" ${owners})
  endif()
  _dismake_set_output("${target}" "${output}" "${fn} target '${target}'")
endfunction()
