// Small filesystem helpers every layer needs. Their point is durability: an
// output is written to a temporary file beside its destination, flushed, and
// renamed into place, so an interrupted dismake never leaves a half-written
// file where a complete one is expected.
#pragma once

#include <filesystem>
#include <string>

namespace dismake {

namespace fs = std::filesystem;

// The whole file as bytes; throws Error naming the path.
std::string read_file(const fs::path& path);

// Writes `data` to `path` atomically: temporary file, fsync, rename, fsync of
// the directory.
void write_file_atomic(const fs::path& path, const std::string& data);

// A fresh name beside `path` for a temporary file ("<name>.tmp-<pid>-<n>").
fs::path temporary_sibling(const fs::path& path);

// Copies `from` to `to` (which must not exist) with the kernel's copy, and
// fsyncs it when `durable`. Skip that for a copy that is rewritten (and
// synced) later anyway, or that a later sync covers.
void copy_file_durable(const fs::path& from, const fs::path& to, bool durable = true);

// Flushes every file of the filesystem holding `path` (one syncfs): cheaper
// than an fsync per file when a step wrote hundreds.
void sync_filesystem(const fs::path& path);

// Renames `from` over `to` and fsyncs the directory.
void rename_durable(const fs::path& from, const fs::path& to);

void fsync_path(const fs::path& path);

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
