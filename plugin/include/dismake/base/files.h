// Small filesystem helpers every layer needs. Their point is durability: an
// output is written to a temporary file beside its destination, flushed, and
// renamed into place, so an interrupted dismake never leaves a half-written
// file where a complete one is expected.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>

#include "dismake/base/unique_fd.h"

namespace dismake {

namespace fs = std::filesystem;

// The whole file as bytes; throws Error naming the path.
std::string read_file(const fs::path& path);

// Writes `data` to `path` atomically: temporary file, fsync, rename, fsync of
// the directory. The file gets exactly `mode`, whatever the umask (0600 for
// the private state of a mount).
void write_file_atomic(const fs::path& path, const std::string& data, unsigned mode = 0644);

// True when `a` and `b` (both existing) are on one filesystem: one
// sync_filesystem covers both.
bool same_filesystem(const fs::path& a, const fs::path& b);

// Writes `data` to a fresh temporary sibling of `path` (mode `mode`), not
// synced, and returns its name: the caller syncs many such files at once
// (sync_filesystem) and then renames each over its target, so a step costs
// one sync instead of two per file.
fs::path write_temporary_sibling(const fs::path& path, const std::string& data,
                                 unsigned mode = 0644);

// A fresh name beside `path` for a temporary file ("<name>.tmp-<pid>-<n>").
// A long name is shortened (at a UTF-8 character boundary) so that the
// temporary name still fits NAME_MAX: a 255-byte name must not make every
// later write beside it fail.
fs::path temporary_sibling(const fs::path& path);

// Makes `path` the file `write` creates at the temporary name it is given
// (a fresh sibling of `path`), renaming it into place: when `write` throws,
// or the process is killed, `path` is as it was and (but for a kill) no
// temporary is left. Not synced: `write` fsyncs what must be durable before
// it gets its name.
void replace_through_temporary(const fs::path& path,
                               const std::function<void(const fs::path& temporary)>& write);

// Creates `dir` (and its parents) and makes it 0700 whatever the umask: only
// its owner may read or change what is in it.
void create_private_directory(const fs::path& dir);

// The first component of `relative` (a '/'-separated path below `root`)
// that is a symbolic link on disk, as a prefix of `relative`; "" when there
// is none. Walks the path with openat(O_NOFOLLOW) from `root`, never
// following a link, and stops at the first component that does not exist.
// The last component counts only when `include_last`.
std::string first_link_below(const fs::path& root, const std::string& relative, bool include_last);

// "a FIFO", "a socket", "a character device", "a block device" for a file
// whose lstat mode is one of those, else "" (files, directories, links).
// Reading such a file can block forever or never end, so no step opens one.
std::string special_file_kind(unsigned st_mode);

// Throws ERROR_NOT_SUPPORTED naming `path` when it is (not through a link)
// a FIFO, socket or device; `role` says what it was ("the overlay entry").
void refuse_special_file(const fs::path& path, const std::string& role);

// Copies `from` to `to` (which must not exist): a reflink (FICLONE) where
// the filesystem shares blocks, else the kernel's copy_file_range; and
// fsyncs it when `durable`. Skip that for a copy that is rewritten (and
// synced) later anyway, or that a later sync covers.
void copy_file_durable(const fs::path& from, const fs::path& to, bool durable = true);

// The copy itself: the `size` bytes of `in` into `out`, as copy_file_durable
// makes it (a reflink, else the data ranges, holes kept). `out` may hold
// older bytes (a file reused for its blocks): every one is replaced, holes
// included, and `out` ends at `size`. Returns 0 or an errno.
int copy_file_data(int in, int out, off_t size) noexcept;

// Writes `path`'s dirty pages to disk on a thread of its own, so that a
// later fsync, after other work, finds most of it done. On the caller's
// thread that would cost the whole write: sync_file_range only "starts"
// writeback, but blocks while the device's queue is full (0.4-0.7 s for a
// freshly copied 774 MB WIM, measured). The destructor waits for it.
class BackgroundWriteback {
 public:
  explicit BackgroundWriteback(const fs::path& path);
  ~BackgroundWriteback();
  BackgroundWriteback(const BackgroundWriteback&) = delete;
  BackgroundWriteback& operator=(const BackgroundWriteback&) = delete;

 private:
  UniqueFd fd_;
  std::thread thread_;
};

// Flushes every file of the filesystem holding `path` (one syncfs): cheaper
// than an fsync per file when a step wrote hundreds.
void sync_filesystem(const fs::path& path);

// Renames `from` over `to` and fsyncs the directory.
void rename_durable(const fs::path& from, const fs::path& to);

void fsync_path(const fs::path& path);

// Throws ERROR_DISK_FULL naming the filesystem when the one holding `dir`
// has fewer than `bytes` free for us: checked before a large output is
// written, so that a full disk fails at once rather than after minutes.
// `what` names the output ("the ISO contoso.iso").
void require_free_space(const fs::path& dir, std::uint64_t bytes, const std::string& what);

// Takes the write bits off everything in the tree at `root` (root included),
// so that writes into a read-only mount fail at once. Symlinks are skipped,
// never followed: a link in an image may point anywhere on the host.
void make_tree_read_only(const fs::path& root);

// Gives the owner back write (and, on directories, search) permission on
// everything in the tree at `root`, so it can be deleted; symlinks skipped.
void make_tree_writable(const fs::path& root);

// An absolute, lexically normal path without requiring it to exist, with
// symlinks in its existing prefix resolved.
fs::path absolute_path(const fs::path& path);

// True when `inner` is `outer` or lies below it (both absolute and normal).
bool is_within(const fs::path& inner, const fs::path& outer);

}  // namespace dismake
