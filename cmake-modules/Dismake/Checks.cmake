# Dismake/Checks.cmake: the checks of the functions' arguments. Internal to
# Dismake.cmake (which includes it).
#
# A mistake fails at the call that made it, with "<function>: <what is
# wrong and what to do>" and its CMakeLists line in CMake's call stack,
# rather than as Ninja's "missing and no known rule" or a step failing
# mid-build. Where the helper holds the rule (registry data, the images of
# a WIM), the check asks a helper that exists when CMake runs, so the rule
# is written once.

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

function(_dismake_absolute out path base)
  cmake_path(ABSOLUTE_PATH path BASE_DIRECTORY "${base}" NORMALIZE OUTPUT_VARIABLE result)
  set(${out} "${result}" PARENT_SCOPE)
endfunction()

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

# Runs the configure-time helper with <args...>; fails <fn> with the
# helper's error message when it fails. Sets <out> to what it printed.
function(_dismake_run_configure_time_helper fn out helper)
  execute_process(COMMAND "${helper}" ${ARGN}
    OUTPUT_VARIABLE output ERROR_VARIABLE error RESULT_VARIABLE result)
  if(NOT result STREQUAL "0")
    string(STRIP "${error}" error)
    string(REGEX REPLACE "^dismake: error: " "" error "${error}")
    _dismake_fail(${fn} "${error}")
  endif()
  set(${out} "${output}" PARENT_SCOPE)
endfunction()

# Checks a run of registry values <run> (the JSON array the
# set-registry-values step reads: Dismake/RegistryRuns.cmake) at once:
# `dismake check-registry-value --values-file` parses each value's data as
# the step will, so the rule is written once (in registry_value.cpp), and
# fails <fn> with the step's own message, which names the value. Sets
# <out_run> to the run with each type as the helper spells it (REG_DWORD
# for "dword"). Without a helper when CMake runs (one built in this build),
# the types are passed on as written, in capitals, and the step checks them
# when it runs.
function(_dismake_check_registry_values fn out_run run)
  _dismake_configure_time_helper(helper)
  set(canonical "")
  if(NOT helper STREQUAL "")
    set(values_file "${CMAKE_CURRENT_BINARY_DIR}/CMakeFiles/dismake-registry-values.json")
    file(CONFIGURE OUTPUT "${values_file}" CONTENT "@run@\n" @ONLY)
    _dismake_run_configure_time_helper(${fn} canonical "${helper}" check-registry-value
      --values-file "${values_file}")
    # One REG_ name a line, in order: a list (no user text in it).
    string(STRIP "${canonical}" canonical)
    string(REPLACE "\n" ";" canonical "${canonical}")
  endif()
  string(JSON length LENGTH "${run}")
  math(EXPR last "${length} - 1")
  foreach(i RANGE ${last})
    if(helper STREQUAL "")
      string(JSON type GET "${run}" ${i} type)
      string(TOUPPER "${type}" type)
    else()
      list(GET canonical ${i} type)
    endif()
    _dismake_json_string(json_type "${type}")
    string(JSON run SET "${run}" ${i} type "${json_type}")
  endforeach()
  set(${out_run} "${run}" PARENT_SCOPE)
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
