#include "dismake/store/commit_output.h"

#include <string>

#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "dismake/store/mount_store.h"
#include "dismake/store/previous_output.h"
#include "dismake/store/wim_output.h"

namespace dismake {

CommitOutput CommitOutput::of(const MountPaths& paths, const MountRecord& record,
                              const CommitOptions& options) {
  CommitOutput output;
  output.path = options.output ? absolute_path(*options.output) : record.wim_path;
  if (is_within(output.path, paths.mount_dir) || is_within(output.path, paths.record_dir))
    throw Error(hr::kInvalidArg, "the output '" + output.path.string() + "' is inside the mount",
                "write the output outside the mount directory");
  output.source = record.wim_path;
  output.is_source = output.path == output.source;
  output.compression = options.compression;
  output.write = options.write;
  output.boot_index = options.boot_index;
  output.compact = options.compact;
  if (!output.is_source) output.record_file = output_record_file(paths, output.path);
  return output;
}

bool CommitOutput::is_plain_source() const {
  return is_source && !compression && !write.check_integrity && !write.solid && !boot_index &&
         !compact;
}

bool CommitOutput::rewrites(Compression source_compression) const {
  return (compression && *compression != source_compression) || write.solid;
}

bool CommitOutput::appends(Compression source_compression) const {
  return !rewrites(source_compression) && !compact;
}

void CommitOutput::remember(const MountPaths& paths) const {
  std::string list;
  std::error_code ec;
  if (fs::exists(paths.outputs_file(), ec)) list = read_file(paths.outputs_file());
  std::string line = path.string() + "\n";
  if (("\n" + list).find("\n" + line) != std::string::npos) return;
  write_file_atomic(paths.outputs_file(), list + line, 0600);
}

void remove_stale_output_temporaries(const MountPaths& paths, const fs::path& source) {
  remove_stale_temporaries(source);
  std::error_code ec;
  if (!fs::exists(paths.outputs_file(), ec)) return;
  std::string list = read_file(paths.outputs_file());
  for (size_t start = 0, end; start < list.size(); start = end + 1) {
    end = list.find('\n', start);
    if (end == std::string::npos) end = list.size();
    if (end > start) remove_stale_temporaries(list.substr(start, end - start));
  }
}

}  // namespace dismake
