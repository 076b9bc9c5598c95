#include "dismake/wim/ntfs_volume.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <vector>

// libntfs-3g's headers are C, expect config.h-style macros, and define
// min/max macros: they come after every C++ header.
#define HAVE_STDINT_H 1
#define HAVE_STDLIB_H 1
#define HAVE_STRING_H 1
#define HAVE_TIME_H 1
#define HAVE_SYS_STAT_H 1
extern "C" {
#include <ntfs-3g/types.h>
// The order matters: each header uses types from the ones before it.
#include <ntfs-3g/attrib.h>
#include <ntfs-3g/dir.h>
#include <ntfs-3g/inode.h>
#include <ntfs-3g/reparse.h>
#include <ntfs-3g/security.h>
#include <ntfs-3g/unistr.h>
#include <ntfs-3g/volume.h>
}
#undef min
#undef max

#include "dismake/base/error.h"

namespace dismake {

namespace fs = std::filesystem;

namespace {

// NTFS times: 100 ns ticks since 1601-01-01.
constexpr std::int64_t kFiletimeUnixEpoch = 11644473600LL;

[[noreturn]] void fail(const std::string& action, const std::string& path, int err) {
  throw Error(hr::kFail,
              "cannot " + action + " '" + path +
                  "' in the NTFS staging volume: " + std::strerror(err != 0 ? err : EIO),
              "check free space where the mount's record directory is");
}

std::string absolute(const std::string& path) { return "/" + path; }

// An open NTFS inode, closed on scope exit.
class Inode {
 public:
  Inode(ntfs_volume* volume, const std::string& path)
      : path_(path), inode_(ntfs_pathname_to_inode(volume, nullptr, absolute(path).c_str())) {
    if (inode_ == nullptr) fail("open", path, errno);
  }
  explicit Inode(ntfs_inode* inode, std::string path) : path_(std::move(path)), inode_(inode) {}
  ~Inode() {
    if (inode_ != nullptr) ntfs_inode_close(inode_);
  }
  Inode(const Inode&) = delete;
  Inode& operator=(const Inode&) = delete;
  ntfs_inode* get() const { return inode_; }
  // A new inode is closed through its directory, which updates the
  // directory's index entry for it (as wimlib's own NTFS writer does).
  void close_in(const Inode& dir) {
    ntfs_inode* inode = inode_;
    inode_ = nullptr;
    if (ntfs_inode_close_in_dir(inode, dir.get()) != 0) fail("close", path_, errno);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  ntfs_inode* inode_;
};

// A file name in NTFS's UTF-16, freed on scope exit.
class NtfsName {
 public:
  explicit NtfsName(const std::string& name) : length_(ntfs_mbstoucs(name.c_str(), &chars_)) {
    if (length_ <= 0) fail("name", name, errno);
  }
  ~NtfsName() { std::free(chars_); }
  NtfsName(const NtfsName&) = delete;
  NtfsName& operator=(const NtfsName&) = delete;
  ntfschar* chars() const { return chars_; }
  u8 length() const { return static_cast<u8>(length_); }

 private:
  ntfschar* chars_ = nullptr;
  int length_;
};

std::string parent_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

std::string name_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Copies `source` into the unnamed data stream of `inode`, replacing it.
void copy_content(const Inode& inode, const fs::path& source) {
  ntfs_attr* stream = ntfs_attr_open(inode.get(), AT_DATA, AT_UNNAMED, 0);
  if (stream == nullptr) fail("open the data of", inode.path(), errno);
  std::ifstream in(source, std::ios::binary);
  if (!in) {
    ntfs_attr_close(stream);
    throw_errno("read", source.string(), errno);
  }
  std::vector<char> buffer(1 << 20);
  s64 offset = 0;
  bool ok = ntfs_attr_truncate(stream, 0) == 0;
  while (ok && in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    s64 count = in.gcount();
    ok = count == 0 || ntfs_attr_pwrite(stream, offset, count, buffer.data()) == count;
    offset += count;
  }
  int err = errno;
  ntfs_attr_close(stream);
  if (!ok) fail("write", inode.path(), err);
  if (in.bad()) throw_errno("read", source.string(), EIO);
}

void run_mkntfs(const fs::path& image) {
  pid_t pid = ::fork();
  if (pid < 0) throw_errno("start mkntfs for", image.string(), errno);
  if (pid == 0) {
    int null = ::open("/dev/null", O_WRONLY);
    if (null >= 0) {
      ::dup2(null, 1);
      ::dup2(null, 2);
    }
    // -F: a file, not a block device; -f: quick; -T: times zeroed; -q: quiet.
    const char* argv[] = {"mkntfs", "-F",      "-f",          "-q",   "-T",
                          "-L",     "dismake", image.c_str(), nullptr};
    for (const char* dir : {"/usr/sbin/mkntfs", "/sbin/mkntfs"})
      ::execv(dir, const_cast<char* const*>(argv));
    ::execvp("mkntfs", const_cast<char* const*>(argv));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw Error(hr::kFail, "mkntfs could not format the staging volume '" + image.string() + "'",
                WIFEXITED(status) && WEXITSTATUS(status) == 127
                    ? "install ntfs-3g (it provides mkntfs)"
                    : "check free space where the mount's record directory is");
}

}  // namespace

void NtfsVolume::format(const fs::path& image, std::uint64_t size) {
  {
    std::ofstream create(image, std::ios::binary | std::ios::trunc);
    if (!create) throw_errno("create", image.string(), errno);
  }
  fs::resize_file(image, size);  // sparse: only what is written takes space
  run_mkntfs(image);
}

NtfsVolume NtfsVolume::open(const fs::path& image) {
  ntfs_volume* volume = ntfs_mount(image.c_str(), NTFS_MNT_NONE);
  if (volume == nullptr)
    throw Error(hr::kBadFormat, "cannot open the NTFS staging volume '" + image.string() + "'",
                std::strerror(errno));
  // Writing security descriptors needs the volume's $Secure index.
  ntfs_open_secure(volume);
  return NtfsVolume(volume, image);
}

NtfsVolume::NtfsVolume(ntfs_volume* volume, fs::path image)
    : volume_(volume), image_(std::move(image)) {}

NtfsVolume::NtfsVolume(NtfsVolume&& other) noexcept
    : volume_(other.volume_), image_(std::move(other.image_)) {
  other.volume_ = nullptr;
}

NtfsVolume::~NtfsVolume() {
  if (volume_ != nullptr) ntfs_umount(volume_, TRUE);
}

void NtfsVolume::close() {
  ntfs_volume* volume = volume_;
  volume_ = nullptr;
  if (volume->secure_ni != nullptr) {
    ntfs_index_ctx_put(volume->secure_xsii);
    ntfs_index_ctx_put(volume->secure_xsdh);
    ntfs_inode_close(volume->secure_ni);
    volume->secure_ni = nullptr;
  }
  if (ntfs_umount(volume, FALSE) != 0) fail("write out", image_.string(), errno);
}

bool NtfsVolume::exists(const std::string& path) const {
  if (path.empty()) return true;
  ntfs_inode* inode = ntfs_pathname_to_inode(volume_, nullptr, absolute(path).c_str());
  if (inode == nullptr) return false;
  ntfs_inode_close(inode);
  return true;
}

void NtfsVolume::create_directories(const std::string& path) {
  if (path.empty() || exists(path)) return;
  create_directories(parent_of(path));
  Inode parent(volume_, parent_of(path));
  NtfsName name(name_of(path));
  Inode created(ntfs_create(parent.get(), 0, name.chars(), name.length(), S_IFDIR), path);
  if (created.get() == nullptr) fail("create directory", path, errno);
  // ntfs-3g marks every new inode ARCHIVE; Windows does not mark directories.
  std::uint32_t attributes = kFileAttributeDirectory;
  if (ntfs_set_ntfs_attrib(created.get(), reinterpret_cast<const char*>(&attributes),
                           sizeof attributes, 0) != 0)
    fail("set the attributes of", path, errno);
  created.close_in(parent);
}

void NtfsVolume::create_file(const std::string& path, const fs::path& source,
                             std::uint32_t attributes) {
  {
    Inode parent(volume_, parent_of(path));
    NtfsName name(name_of(path));
    Inode created(ntfs_create(parent.get(), 0, name.chars(), name.length(), S_IFREG), path);
    if (created.get() == nullptr) fail("create", path, errno);
    copy_content(created, source);
    created.close_in(parent);
  }
  set_attributes(path, attributes);
}

void NtfsVolume::write_content(const std::string& path, const fs::path& source) {
  copy_content(Inode(volume_, path), source);
}

void NtfsVolume::create_hard_link(const std::string& existing, const std::string& path) {
  Inode file(volume_, existing);
  Inode parent(volume_, parent_of(path));
  NtfsName name(name_of(path));
  if (ntfs_link(file.get(), parent.get(), name.chars(), name.length()) != 0)
    fail("link", path, errno);
}

void NtfsVolume::drop_reparse_point(const std::string& path) {
  Inode inode(volume_, path);
  if (!ntfs_attr_exist(inode.get(), AT_REPARSE_POINT, AT_UNNAMED, 0)) return;
  NtfsName wof("WofCompressedData");
  if (ntfs_attr_exist(inode.get(), AT_DATA, wof.chars(), wof.length()) &&
      ntfs_attr_remove(inode.get(), AT_DATA, wof.chars(), wof.length()) != 0)
    fail("remove the WofCompressedData stream of", path, errno);
  if (ntfs_remove_ntfs_reparse_data(inode.get()) != 0)
    fail("remove the reparse point of", path, errno);
}

std::uint32_t NtfsVolume::attributes(const std::string& path) const {
  Inode inode(volume_, path);
  std::uint32_t attributes = 0;
  if (ntfs_get_ntfs_attrib(inode.get(), reinterpret_cast<char*>(&attributes), sizeof attributes) !=
      sizeof attributes)
    fail("read the attributes of", path, errno);
  return attributes;
}

void NtfsVolume::set_attributes(const std::string& path, std::uint32_t attributes) {
  Inode inode(volume_, path);
  if (ntfs_set_ntfs_attrib(inode.get(), reinterpret_cast<const char*>(&attributes),
                           sizeof attributes, 0) != 0)
    fail("set the attributes of", path, errno);
}

void NtfsVolume::set_security_descriptor(const std::string& path, const std::string& descriptor) {
  Inode inode(volume_, path);
  struct SECURITY_CONTEXT context {};
  context.vol = volume_;
  if (ntfs_set_ntfs_acl(&context, inode.get(), descriptor.data(), descriptor.size(), 0) != 0)
    fail("set the security descriptor of", path, errno);
}

void NtfsVolume::set_times(const std::string& path, std::int64_t unix_seconds, bool set_creation) {
  Inode inode(volume_, path);
  auto ticks = static_cast<std::uint64_t>((unix_seconds + kFiletimeUnixEpoch) * 10000000LL);
  // ntfs_inode_set_times takes creation, last write, last access, in order.
  std::uint64_t times[3] = {le64_to_cpu(inode.get()->creation_time), ticks, ticks};
  if (set_creation) times[0] = ticks;
  if (ntfs_inode_set_times(inode.get(), reinterpret_cast<const char*>(times), sizeof times, 0) != 0)
    fail("set the times of", path, errno);
}

}  // namespace dismake
