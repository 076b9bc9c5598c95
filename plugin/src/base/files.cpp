#include "dismake/base/files.h"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <fstream>
#include <sstream>

#include "dismake/base/error.h"

namespace dismake {

namespace {
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

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
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_errno("read", path.string(), errno ? errno : ENOENT);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

fs::path temporary_sibling(const fs::path& path) {
  static std::atomic<unsigned> counter{0};
  return path.parent_path() / (path.filename().string() + ".tmp-" + std::to_string(::getpid()) +
                               "-" + std::to_string(counter++));
}

void fsync_path(const fs::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw_errno("open", path.string(), errno);
  if (::fsync(fd.get()) != 0 && errno != EINVAL) throw_errno("fsync", path.string(), errno);
}

void rename_durable(const fs::path& from, const fs::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) throw_errno("rename into", to.string(), errno);
  fsync_path(to.parent_path().empty() ? fs::path(".") : to.parent_path());
}

void write_file_atomic(const fs::path& path, const std::string& data) {
  fs::path tmp = temporary_sibling(path);
  {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (fd.get() < 0) throw_errno("create", tmp.string(), errno);
    try {
      write_all(fd.get(), data.data(), data.size(), tmp);
      if (::fsync(fd.get()) != 0) throw_errno("fsync", tmp.string(), errno);
    } catch (...) {
      ::unlink(tmp.c_str());
      throw;
    }
  }
  try {
    rename_durable(tmp, path);
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
}

void copy_file_durable(const fs::path& from, const fs::path& to, bool durable) {
  Fd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) throw_errno("open", from.string(), errno);
  struct stat st {};
  if (::fstat(in.get(), &st) != 0) throw_errno("stat", from.string(), errno);
  Fd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (out.get() < 0) throw_errno("create", to.string(), errno);
  off_t remaining = st.st_size;
  while (remaining > 0) {
    ssize_t n =
        ::copy_file_range(in.get(), nullptr, out.get(), nullptr, static_cast<size_t>(remaining), 0);
    if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL))
      n = ::sendfile(out.get(), in.get(), nullptr, static_cast<size_t>(remaining));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("copy to", to.string(), errno);
    }
    if (n == 0) break;
    remaining -= n;
  }
  if (durable && ::fsync(out.get()) != 0) throw_errno("fsync", to.string(), errno);
}

void sync_filesystem(const fs::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
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

}  // namespace dismake
