#include "udf_extract.h"

#include <fcntl.h>
#include <udfread/udfread.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "dismake/base/error.h"
#include "dismake/base/unique_fd.h"

namespace dismake {

namespace {

namespace fs = std::filesystem;

struct UdfCloser {
  void operator()(udfread* volume) const { udfread_close(volume); }
  void operator()(UDFDIR* dir) const { udfread_closedir(dir); }
  void operator()(UDFFILE* file) const { udfread_file_close(file); }
};
using UdfVolume = std::unique_ptr<udfread, UdfCloser>;
using UdfDir = std::unique_ptr<UDFDIR, UdfCloser>;
using UdfFile = std::unique_ptr<UDFFILE, UdfCloser>;

constexpr std::size_t kChunk = 1 << 20;

Error corrupt(const fs::path& iso, const std::string& what) {
  return Error(hr::kFileCorrupt, "the UDF volume of " + iso.string() + " cannot be read: " + what,
               "check the ISO (its size and checksum against where it came from)");
}

// A name as a directory entry of a hostile image may carry it: nothing
// that leaves the folder or is no name at all.
void check_name(const fs::path& iso, const std::string& parent, const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.find('\0') != std::string::npos)
    throw Error(hr::kInvalidName,
                "the UDF volume of " + iso.string() + " has an entry named '" + name + "' in " +
                    (parent.empty() ? "/" : parent) + ", which no file may be named",
                "the ISO is damaged or was not made as installation media");
}

class UdfExtractor {
 public:
  UdfExtractor(const fs::path& iso, udfread* volume)
      : iso_(iso), volume_(volume), buffer_(kChunk) {}

  // Extracts the directory at UDF path `path` ("" for the root) into `into`.
  void extract_dir(const std::string& path, const fs::path& into) {
    UdfDir dir(udfread_opendir(volume_, path.empty() ? "/" : path.c_str()));
    if (!dir)
      throw corrupt(iso_, "its directory " + (path.empty() ? "/" : path) + " cannot be opened");
    udfread_dirent entry{};
    std::vector<std::pair<std::string, bool>> children;
    while (udfread_readdir(dir.get(), &entry) != nullptr) {
      std::string name = entry.d_name;
      if (name == "." || name == "..") continue;
      check_name(iso_, path, name);
      children.emplace_back(name, entry.d_type == UDF_DT_DIR);
    }
    for (const auto& [name, is_dir] : children) {
      std::string child = path + "/" + name;
      if (is_dir) {
        fs::create_directory(into / name);
        extract_dir(child, into / name);
      } else {
        extract_file(child, into / name);
      }
    }
  }

  const ExtractedTree& tree() const { return tree_; }

 private:
  void extract_file(const std::string& path, const fs::path& to) {
    UdfFile file(udfread_file_open(volume_, path.c_str()));
    if (!file) throw corrupt(iso_, "its file " + path + " cannot be opened");
    std::int64_t size = udfread_file_size(file.get());
    if (size < 0) throw corrupt(iso_, "its file " + path + " has no size");
    UniqueFd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (out.get() < 0) throw_errno("create", to.string(), errno);
    std::int64_t left = size;
    while (left > 0) {
      ssize_t got = udfread_file_read(file.get(), buffer_.data(), buffer_.size());
      if (got <= 0) throw corrupt(iso_, "its file " + path + " ends before its size");
      write_all(out.get(), to, static_cast<std::size_t>(got));
      left -= got;
    }
    ++tree_.files;
    tree_.bytes += static_cast<std::uint64_t>(size);
  }

  void write_all(int fd, const fs::path& to, std::size_t size) {
    const char* at = buffer_.data();
    while (size > 0) {
      ssize_t put = ::write(fd, at, size);
      if (put < 0 && errno == EINTR) continue;
      if (put < 0) throw_errno("write", to.string(), errno);
      at += put;
      size -= static_cast<std::size_t>(put);
    }
  }

  const fs::path& iso_;
  udfread* volume_;
  std::vector<char> buffer_;
  ExtractedTree tree_;
};

}  // namespace

ExtractedTree extract_udf_volume(const fs::path& iso, const fs::path& into) {
  UdfVolume volume(udfread_init());
  if (!volume) throw Error(hr::kOutOfMemory, "libudfread could not start");
  if (udfread_open(volume.get(), iso.c_str()) < 0)
    throw corrupt(iso, "libudfread finds no usable volume (partition, file set or root) in it");
  UdfExtractor extractor(iso, volume.get());
  extractor.extract_dir("", into);
  return extractor.tree();
}

}  // namespace dismake
