// An ImageDiff written out for people and for machines: the text `dismake
// diff` prints and a build's DIFF_REPORT holds, and its --json form.
//
// The text has a "--- before" / "+++ after" header, then the image
// properties, one line per file (A added, D removed, M changed content,
// T type changed, m metadata only, R renamed: "old -> new") with sizes and
// indented metadata lines,
// and last the registry changes of every changed hive as one .reg file
// (from the "Windows Registry Editor Version 5.00" line to the end), which
// imported into the first image makes the second's registry.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "dismake/diff/image_diff.h"

namespace dismake {

std::string format_image_diff(const ImageDiff& diff);

// {"before", "after", "identical", "properties": [{name, before, after}],
//  "files": [{path, path_before, change, content_changed (of a rename),
//  type_before, type_after, size_before, size_after, metadata: [{field,
//  before, after}]}], "registry": [{hive,
//  root, keys: [{key, change}], values: [{key, name, change, type_before,
//  type_after, data_before, data_after}], reg}]}; data as .reg writes it.
nlohmann::json image_diff_to_json(const ImageDiff& diff);

}  // namespace dismake
