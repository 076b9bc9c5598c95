# Dismake/RegistryRuns.cmake: runs of registry values. Internal to
# Dismake.cmake (which includes it).
#
# Consecutive dismake_set_registry_value() calls of one session, with no
# other step of the image between them, are one build node: one helper call
# (`dismake set-registry-values`) sets them all, in order, and one
# configure-time check (`dismake check-registry-value --values-file`) judges
# them all. A step costs a process, the mount's records, a state and a
# stamp; a value alone costs little.
#
# A call appends its value to the image's pending run (the properties
# _DISMAKE_REGISTRY_RUN, a JSON array, and _DISMAKE_REGISTRY_RUN_SESSION);
# the run becomes its node when the next node of the image is added
# (_dismake_add_node) or the image is unmounted, whichever comes first
# (_dismake_end_registry_run). A run of one value is the set-registry-value
# node it always was.

# Appends the value <key> <name> <type> <data> of <session> to the pending
# run of <image>, ending a run of another session first.
function(_dismake_append_registry_value image session key name type data)
  _dismake_image_get(run_session "${image}" _DISMAKE_REGISTRY_RUN_SESSION)
  if(NOT run_session STREQUAL "" AND NOT run_session STREQUAL session)
    _dismake_end_registry_run("${image}")
  endif()
  _dismake_image_get(run "${image}" _DISMAKE_REGISTRY_RUN)
  if(run STREQUAL "")
    set(run "[]")
  endif()
  string(JSON length LENGTH "${run}")
  foreach(field key name type data)
    _dismake_json_string(json_${field} "${${field}}")
  endforeach()
  string(JSON run SET "${run}" ${length}
    "{\"key\": ${json_key}, \"name\": ${json_name}, \"type\": ${json_type}, \"data\": ${json_data}}")
  _dismake_image_set("${image}" _DISMAKE_REGISTRY_RUN "${run}")
  _dismake_image_set("${image}" _DISMAKE_REGISTRY_RUN_SESSION "${session}")
endfunction()

# Adds the node of <image>'s pending run of registry values, if it has one.
function(_dismake_end_registry_run image)
  _dismake_image_get(run "${image}" _DISMAKE_REGISTRY_RUN)
  if(run STREQUAL "")
    return()
  endif()
  _dismake_image_get(session "${image}" _DISMAKE_REGISTRY_RUN_SESSION)
  # Cleared first: the node is added through _dismake_add_node, which ends
  # the pending run.
  _dismake_image_set("${image}" _DISMAKE_REGISTRY_RUN "")
  _dismake_image_set("${image}" _DISMAKE_REGISTRY_RUN_SESSION "")
  set(fn dismake_set_registry_value)
  set(_dismake_session "${session}")
  string(JSON length LENGTH "${run}")
  _dismake_check_registry_values(${fn} run "${run}")
  if(length EQUAL 1)
    foreach(field key name type data)
      string(JSON ${field} GET "${run}" 0 ${field})
    endforeach()
    _dismake_args_begin(set-registry-value)
    _dismake_positionals()
    foreach(field key name type data)
      _dismake_arg("${${field}}")
    endforeach()
    _dismake_registry_value_shown(shown "${key}" "${name}")
    _dismake_add_node(${fn} "${image}" set-registry-value COMMENT "set ${shown} (${type})")
    return()
  endif()

  math(EXPR last "${length} - 1")
  set(keys "")
  foreach(i RANGE ${last})
    # Keys hold no ';' (a hive's key names may, but not those in a CMake
    # recipe worth listing): a list is safe for the label.
    string(JSON key GET "${run}" ${i} key)
    string(REPLACE ";" "," key "${key}")
    if(NOT key IN_LIST keys)
      list(APPEND keys "${key}")
    endif()
  endforeach()
  # The values reach the helper in a file: no command-line length limit, no
  # splitting of REG_MULTI_SZ data at its semicolons. file(CONFIGURE)
  # rewrites it only when it changes, so a new configure re-runs nothing.
  _dismake_next_step_base(base "${image}" set-registry-values)
  set(values_file "${base}.values.json")
  file(CONFIGURE OUTPUT "${values_file}" CONTENT "@run@\n" @ONLY)
  _dismake_args_begin(set-registry-values)
  _dismake_positionals()
  _dismake_arg("${values_file}")
  # The recipe fingerprint holds the values themselves, not only the file.
  string(APPEND _dismake_json ", ${run}")

  list(GET keys 0 first)
  list(LENGTH keys key_count)
  if(key_count EQUAL 1)
    set(label "set ${length} registry values of ${first}")
  elseif(key_count EQUAL 2)
    set(label "set ${length} registry values of ${first} and 1 other key")
  else()
    math(EXPR others "${key_count} - 1")
    set(label "set ${length} registry values of ${first} and ${others} other keys")
  endif()
  _dismake_add_node(${fn} "${image}" set-registry-values DEPENDS "${values_file}" COMMENT "${label}")
endfunction()

# "HKLM\SOFTWARE\Contoso\A", or "HKLM\SOFTWARE\Contoso (default value)".
function(_dismake_registry_value_shown out key name)
  if("${name}" STREQUAL "")
    set(${out} "${key} (default value)" PARENT_SCOPE)
  else()
    set(${out} "${key}\\${name}" PARENT_SCOPE)
  endif()
endfunction()
