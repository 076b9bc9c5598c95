# Dismake/CommandLine.cmake: the helper and the command lines the graph
# runs it with. Internal to Dismake.cmake (which includes it).
#
# Arguments are collected as CMake source text (one bracket argument each)
# rather than as a list, so that empty arguments, semicolons (REG_MULTI_SZ
# data) and trailing backslashes (registry keys) reach the helper exactly as
# they were written. A step's arguments are also collected as a JSON array
# for the recipe fingerprint (_dismake_args_begin, _dismake_arg).

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
