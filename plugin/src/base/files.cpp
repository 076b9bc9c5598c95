#include "dismake/base/files.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <optional>

#include "dismake/base/error.h"
#include "dismake/base/unique_fd.h"

namespace dismake {

namespace {
void write_all(int fd, const char* data, size_t size, const fs::path& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("write", path.string(), errno);
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
}
}  // namespace

std::string read_file(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw_errno("read", path.string(), errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw_errno("read", path.string(), errno);
  // Read into a buffer of the file's size: a stream would copy a large
  // table (a mount's listing, 4 MB) three times over and peak at twice it.
  std::string data(st.st_size > 0 ? static_cast<size_t>(st.st_size) : 0, '\0');
  size_t got = 0;
  char more[64 * 1024];  // for a file that grew (or a size stat does not know)
  for (;;) {
    bool room = got < data.size();
    ssize_t n = room ? ::read(fd.get(), data.data() + got, data.size() - got)
                     : ::read(fd.get(), more, sizeof more);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("read", path.string(), errno);
    if (n == 0) break;
    if (!room) data.append(more, static_cast<size_t>(n));
    got += static_cast<size_t>(n);
  }
  data.resize(got);
  return data;
}

fs::path temporary_sibling(const fs::path& path) {
  static std::atomic<unsigned> counter{0};
  std::string suffix = ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  std::string name = path.filename().string();
  if (name.size() + suffix.size() > NAME_MAX) {
    size_t keep = NAME_MAX - suffix.size();
    // Never cut a UTF-8 sequence in two: back off over continuation bytes.
    while (keep > 0 && (static_cast<unsigned char>(name[keep]) & 0xC0) == 0x80) --keep;
    name.resize(keep);
  }
  return path.parent_path() / (name + suffix);
}

void create_private_directory(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw_errno("create", dir.string(), ec.value());
  if (::chmod(dir.c_str(), 0700) != 0) throw_errno("make private", dir.string(), errno);
}

std::string first_link_below(const fs::path& root, const std::string& relative, bool include_last) {
  UniqueFd dir(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) return "";
  int current = dir.get();
  std::optional<UniqueFd> held;
  size_t start = 0;
  while (start < relative.size()) {
    size_t end = relative.find('/', start);
    bool last = end == std::string::npos;
    if (last) end = relative.size();
    std::string name = relative.substr(start, end - start);
    struct stat st {};
    if (::fstatat(current, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return "";
    if (S_ISLNK(st.st_mode)) return last && !include_last ? "" : relative.substr(0, end);
    if (last || !S_ISDIR(st.st_mode)) return "";
    int next = ::openat(current, name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0) return "";
    held.emplace(next);
    current = next;
    start = end + 1;
  }
  return "";
}

void refuse_special_file(const fs::path& path, const std::string& role) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return;
  std::string kind = special_file_kind(st.st_mode);
  if (kind.empty()) return;
  throw Error(hr::kNotSupported,
              role + " '" + path.string() + "' is " + kind +
                  ", which a Windows image cannot hold (reading it could block forever)",
              "remove it, or replace it with a regular file");
}

std::string special_file_kind(unsigned st_mode) {
  if (S_ISFIFO(st_mode)) return "a FIFO";
  if (S_ISSOCK(st_mode)) return "a socket";
  if (S_ISCHR(st_mode)) return "a character device";
  if (S_ISBLK(st_mode)) return "a block device";
  return "";
}

void fsync_path(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw_errno("open", path.string(), errno);
  if (::fsync(fd.get()) != 0 && errno != EINVAL) throw_errno("fsync", path.string(), errno);
}

void rename_durable(const fs::path& from, const fs::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) throw_errno("rename into", to.string(), errno);
  fsync_path(to.parent_path().empty() ? fs::path(".") : to.parent_path());
}

namespace {

// Writes `data` to the new file `tmp`, fsynced when `durable`; removes it
// on failure.
void write_new_file(const fs::path& tmp, const std::string& data, unsigned mode, bool durable) {
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) throw_errno("create", tmp.string(), errno);
  try {
    if (::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0)
      throw_errno("chmod", tmp.string(), errno);
    write_all(fd.get(), data.data(), data.size(), tmp);
    if (durable && ::fsync(fd.get()) != 0) throw_errno("fsync", tmp.string(), errno);
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
}

}  // namespace

void write_file_atomic(const fs::path& path, const std::string& data, unsigned mode) {
  fs::path tmp = temporary_sibling(path);
  write_new_file(tmp, data, mode, /*durable=*/true);
  try {
    rename_durable(tmp, path);
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
}

void replace_through_temporary(const fs::path& path,
                               const std::function<void(const fs::path& temporary)>& write) {
  fs::path tmp = temporary_sibling(path);
  try {
    write(tmp);
    if (::rename(tmp.c_str(), path.c_str()) != 0) throw_errno("rename into", path.string(), errno);
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
}

fs::path write_temporary_sibling(const fs::path& path, const std::string& data, unsigned mode) {
  fs::path tmp = temporary_sibling(path);
  write_new_file(tmp, data, mode, /*durable=*/false);
  return tmp;
}

namespace {

// Copies bytes [offset, offset + length) of `in` to the same place in `out`
// (the kernel's copy where it can, else sendfile). Stops early at the end
// of a file that shrank meanwhile. Returns 0 or an errno.
int copy_range(int in, int out, off_t offset, off_t length) noexcept {
  off_t in_offset = offset;
  off_t out_offset = offset;
  while (length > 0) {
    size_t want = static_cast<size_t>(length);
    ssize_t n = ::copy_file_range(in, &in_offset, out, &out_offset, want, 0);
    if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL)) {
      if (::lseek(out, out_offset, SEEK_SET) < 0) return errno;
      n = ::sendfile(out, in, &in_offset, want);
      if (n > 0) out_offset += n;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) break;
    length -= n;
  }
  return 0;
}

}  // namespace

namespace {

// Makes [offset, offset + length) of `out` read as zeros, as the hole of
// `in` there does: a hole punched, or where that is not supported the
// hole's zeros copied.
int clear_range(int in, int out, off_t offset, off_t length) noexcept {
  if (length <= 0) return 0;
  if (::fallocate(out, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length) == 0) return 0;
  return copy_range(in, out, offset, length);
}

}  // namespace

int copy_file_data(int in, int out, off_t size) noexcept {
  // A reflink shares the blocks (XFS, btrfs): instant whatever the size.
  // Elsewhere it fails at once, and only the data is copied, range by range:
  // the holes of a sparse file stay holes (a 1 GiB sparse file copied byte
  // by byte would take 1 GiB).
  if (::ioctl(out, FICLONE, in) == 0) return 0;
  struct stat before {};
  if (::fstat(out, &before) != 0) return errno;
  // Bytes `out` held before, up to here, must not show through holes.
  off_t old_end = std::min<off_t>(before.st_size, size);
  off_t data = 0;
  off_t copied_to = 0;
  while (data < size) {
    data = ::lseek(in, data, SEEK_DATA);
    if (data < 0 && errno == ENXIO) break;  // only a hole is left
    if (data < 0) {                         // no SEEK_DATA here: all of it
      if (int error = copy_range(in, out, 0, size)) return error;
      copied_to = size;
      break;
    }
    off_t hole = ::lseek(in, data, SEEK_HOLE);
    if (hole < 0 || hole > size) hole = size;
    if (int error = clear_range(in, out, copied_to, std::min(data, old_end) - copied_to))
      return error;
    if (int error = copy_range(in, out, data, hole - data)) return error;
    copied_to = hole;
    data = hole;
  }
  if (int error = clear_range(in, out, copied_to, old_end - copied_to)) return error;
  return ::ftruncate(out, size) == 0 ? 0 : errno;
}

void copy_file_durable(const fs::path& from, const fs::path& to, bool durable) {
  UniqueFd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) throw_errno("open", from.string(), errno);
  struct stat st {};
  if (::fstat(in.get(), &st) != 0) throw_errno("stat", from.string(), errno);
  UniqueFd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (out.get() < 0) throw_errno("create", to.string(), errno);
  if (int error = copy_file_data(in.get(), out.get(), st.st_size))
    throw_errno("copy to", to.string(), error);
  if (durable && ::fsync(out.get()) != 0) throw_errno("fsync", to.string(), errno);
}

BackgroundWriteback::BackgroundWriteback(const fs::path& path)
    : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
  if (fd_.get() < 0) throw_errno("open", path.string(), errno);
  // Only a hint: where the kernel refuses it, the final fsync does the work.
  thread_ = std::thread([fd = fd_.get()] { ::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE); });
}

BackgroundWriteback::~BackgroundWriteback() { thread_.join(); }

bool same_filesystem(const fs::path& a, const fs::path& b) {
  struct stat sa {};
  struct stat sb {};
  if (::stat(a.c_str(), &sa) != 0) throw_errno("stat", a.string(), errno);
  if (::stat(b.c_str(), &sb) != 0) throw_errno("stat", b.string(), errno);
  return sa.st_dev == sb.st_dev;
}

void sync_filesystem(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw_errno("open", path.string(), errno);
  if (::syncfs(fd.get()) != 0) throw_errno("sync the filesystem of", path.string(), errno);
}

namespace {

// Applies `change` to the mode of `root` and of everything below it, each
// directory before its contents (so a directory made searchable can then be
// walked). Symlinks are left alone.
template <typename Change>
void change_tree_modes(const fs::path& root, Change change) {
  auto apply = [&](const fs::path& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || S_ISLNK(st.st_mode)) return;
    mode_t mode = change(st.st_mode) & 07777;
    if (mode != (st.st_mode & 07777) && ::chmod(path.c_str(), mode) != 0)
      throw_errno("change the permissions of", path.string(), errno);
  };
  apply(root);
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(root, ec))) return;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec);
  if (ec) throw_errno("read directory", root.string(), ec.value());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) throw_errno("read directory", it->path().string(), ec.value());
    apply(it->path());
  }
}

}  // namespace

void make_tree_read_only(const fs::path& root) {
  change_tree_modes(root, [](mode_t mode) { return mode & ~mode_t(S_IWUSR | S_IWGRP | S_IWOTH); });
}

void make_tree_writable(const fs::path& root) {
  change_tree_modes(root,
                    [](mode_t mode) { return S_ISDIR(mode) ? mode | S_IRWXU : mode | S_IWUSR; });
}

fs::path absolute_path(const fs::path& path) {
  std::error_code ec;
  fs::path result = fs::weakly_canonical(fs::absolute(path), ec);
  if (ec) result = fs::absolute(path).lexically_normal();
  std::string s = result.string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

bool is_within(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin();
  for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
    if (o->empty()) continue;
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

void require_free_space(const fs::path& dir, std::uint64_t bytes, const std::string& what) {
  struct statvfs st {};
  if (::statvfs(dir.c_str(), &st) != 0) throw_errno("read the free space of", dir.string(), errno);
  std::uint64_t free = static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
  if (free >= bytes) return;
  constexpr std::uint64_t kMiB = 1024 * 1024;
  Error full = error_from_errno("write " + what + " in", dir.string(), ENOSPC);
  throw Error(hr::kDiskFull,
              "not enough free space for " + what + ": it needs about " +
                  std::to_string((bytes + kMiB - 1) / kMiB) + " MiB, " +
                  std::to_string(free / kMiB) + " MiB are free (" + full.problem() + ")",
              "free space there, or write the output elsewhere");
}

}  // namespace dismake
