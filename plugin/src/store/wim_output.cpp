#include "dismake/store/wim_output.h"

#include <signal.h>

#include <cerrno>
#include <string>

#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "dismake/wim/wim_file.h"

namespace dismake {

namespace {

// Deletes a temporary file unless released: whatever fails, no partial
// output is left behind.
class TemporaryFile {
 public:
  explicit TemporaryFile(fs::path path) : path_(std::move(path)) {}
  ~TemporaryFile() {
    if (!path_.empty()) {
      std::error_code ec;
      fs::remove(path_, ec);
    }
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  const fs::path& path() const { return path_; }
  void release() { path_.clear(); }

 private:
  fs::path path_;
};

bool process_alive(long pid) {
  return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

}  // namespace

void remove_stale_temporaries(const fs::path& output) {
  const std::string prefix = output.filename().string() + ".tmp-";
  std::error_code ec;
  fs::path dir = output.parent_path().empty() ? fs::path(".") : output.parent_path();
  for (fs::directory_iterator it(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
    if (!process_alive(pid)) fs::remove(it->path(), ec);
  }
}

void write_wim_output(const WimOutputRequest& request) {
  std::error_code ec;
  if (fs::is_directory(request.output, ec))
    throw Error(hr::kInvalidArg, "the output '" + request.output.string() + "' is a directory",
                "give the path of a .wim file to write");
  remove_stale_temporaries(request.output);

  TemporaryFile copy(temporary_sibling(request.output));
  copy_file_durable(request.source, copy.path());
  WimFile wim = WimFile::open(copy.path(), /*writable=*/true);
  wim.update_image(request.image, request.commands);
  for (const auto& [name, value] : request.properties) wim.set_property(request.image, name, value);

  bool recompress = request.compression && *request.compression != wim.info().compression;
  if (!recompress) {
    wim.overwrite_compact(request.write, request.progress);
    fsync_path(copy.path());
    rename_durable(copy.path(), request.output);
    copy.release();
    return;
  }
  // Another compression means every stream is recompressed: a full write.
  TemporaryFile rewritten(temporary_sibling(request.output));
  wim.write_to(rewritten.path(), *request.compression, request.write, request.progress);
  fsync_path(rewritten.path());
  rename_durable(rewritten.path(), request.output);
  rewritten.release();
}

}  // namespace dismake
