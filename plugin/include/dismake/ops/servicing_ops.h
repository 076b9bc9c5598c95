// The servicing operations a step can run, one factory per op. Each op lives
// in its own file; what they share is the Op interface (op.h) and the state
// model underneath (ServicedMount), which records what they change.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dismake/ops/op.h"

namespace dismake {

// `add <source> <image-path>`, as `wimlib-imagex update` add: a file becomes
// the file at `destination` (replacing one there); a directory's contents
// merge into the directory at `destination` (later files win). A symlink in an
// overlay that points outside the overlay is refused.
std::unique_ptr<Op> make_add_files_op(std::filesystem::path source, std::string destination);

// `delete <image-path>...`: files, or directories with all they hold. A
// missing path is an error unless `if_exists`.
std::unique_ptr<Op> make_delete_paths_op(std::vector<std::string> paths, bool if_exists);

// `rename <from> <to>`: `to` must not exist; its parent must.
std::unique_ptr<Op> make_rename_path_op(std::string from, std::string to);

// `set-registry-value <key> <name> <type> <data>` (see registry_value.h for
// how data is written per type). Parses the value here: throws
// Error(E_INVALIDARG) for a type or data RegistryValue::parse refuses.
std::unique_ptr<Op> make_set_registry_value_op(std::string key, std::string name, std::string type,
                                               std::string data);
// `set-registry-values <values-file>`: a run of values (registry_settings.h),
// set in order, as one step. Reads and parses the file here: throws
// Error(E_INVALIDARG) for a bad file or a value parse refuses.
std::unique_ptr<Op> make_set_registry_values_op(const std::filesystem::path& values_file);
std::unique_ptr<Op> make_delete_registry_value_op(std::string key, std::string name,
                                                  bool if_exists);
std::unique_ptr<Op> make_delete_registry_key_op(std::string key, bool if_exists);

// `set-attributes <image-path> <change>...`, as Windows's `attrib`: each
// change is +X or -X with X one of R (read-only), H (hidden), S (system),
// A (archive), I (not content indexed). Files only.
std::unique_ptr<Op> make_set_attributes_op(std::string path, std::vector<std::string> changes);

// `set-security <image-path> --like <base-path>`: the file gets the security
// descriptor that `like` has in the base image. Files only.
std::unique_ptr<Op> make_set_security_op(std::string path, std::string like);

// `add-driver <dir|inf> [--recurse] [--force-unsigned]`: stages the driver
// packages (an INF, or the INFs of a folder) as Windows stages them; see
// add_driver_op.cpp.
std::unique_ptr<Op> make_add_driver_op(std::filesystem::path path, bool recurse,
                                       bool force_unsigned);
// `remove-driver <oemN.inf>...`: takes third-party driver packages out.
std::unique_ptr<Op> make_remove_driver_op(std::vector<std::string> published_names);
// `import-registry <file.reg>`: a regedit export (UTF-16 or UTF-8).
std::unique_ptr<Op> make_import_registry_op(std::filesystem::path reg_file);

// `apply-unattend <unattend.xml>`: copied to Windows/Panther/unattend.xml
// after checking it is well-formed XML with an `unattend` root.
std::unique_ptr<Op> make_apply_unattend_op(std::filesystem::path unattend);

// `set-image-info`: the image's NAME, DESCRIPTION, DISPLAYNAME,
// DISPLAYDESCRIPTION and FLAGS in the WIM XML.
struct ImageInfoChange {
  std::optional<std::string> name, description, display_name, display_description, flags;
};
std::unique_ptr<Op> make_set_image_info_op(ImageInfoChange change);

// `run -- <command...>`: any command, run in the mount directory with
// DISMAKE_MOUNT_DIR set; its changes are found by a stat scan. `paths` are
// the image subtrees it needs (a lazy mount extracts only those; none: the
// whole image); `depends` are input files whose content re-runs it. It runs
// confined (run_sandbox.h), without the host's network unless `network`
// (which the step's key records).
std::unique_ptr<Op> make_run_command_op(std::vector<std::string> command,
                                        std::vector<std::string> paths,
                                        std::vector<std::filesystem::path> depends,
                                        bool network = false);

}  // namespace dismake
