// Test support for the servicing steps: a scratch mount store, run_step with
// stamps, commits to a scratch output, and independent oracles (wimlib-imagex
// for committed images, stat for what a restore touched).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dismake/base/error.h"
#include "dismake/ops/servicing_ops.h"
#include "dismake/ops/step_runner.h"
#include "dismake/ops/store_with_session_rule.h"
#include "dismake/store/mount_store.h"
#include "support/scratch_dir.h"
#include "support/thrown_error.h"

namespace dismake::test {

namespace fs = std::filesystem;

// Image `index` of `wim` as the comparable facts of every path: its full
// path, attributes, stream hash and size, one line per path, sorted. Two
// images with the same digest hold the same tree.
std::string tree_digest(const fs::path& wim, int index = 1);

// The paths of image `index`, one a line, sorted ("/", "/Windows", ...).
std::string wim_listing(const fs::path& wim, int index = 1);
bool wim_has(const fs::path& wim, int index, const std::string& path);
std::string wim_file(const fs::path& wim, int index, const std::string& path);
// Extracts one file of an image to `to`.
void wim_extract(const fs::path& wim, int index, const std::string& path, const fs::path& to);

// Regular files and symlinks under `dir`.
size_t count_files(const fs::path& dir);

// inode, size, mtime and ctime of every path under a directory: two
// snapshots tell which paths were written, replaced or removed in between.
struct PathStat {
  std::uint64_t inode = 0, size = 0;
  std::int64_t mtime_ns = 0, ctime_ns = 0;
  bool operator==(const PathStat& o) const {
    return inode == o.inode && size == o.size && mtime_ns == o.mtime_ns && ctime_ns == o.ctime_ns;
  }
};
using TreeStat = std::map<std::string, PathStat>;
TreeStat stat_tree(const fs::path& dir);
// Paths added, removed or changed between two snapshots (files and
// symlinks only: a directory's times change with its entries).
std::vector<std::string> touched_between(const TreeStat& before, const TreeStat& after);

// The names of the files in a directory (empty when it is missing).
std::vector<std::string> dir_names(const fs::path& dir);

// Writes a .reg file as regedit exports it: UTF-16LE with a BOM, CRLF.
void write_reg_utf16(const fs::path& file, const std::string& utf8_text);

// Every path under `dir` with what it is: "dir", "link <target>" or the
// SHA-256 of a file's content.
std::map<std::string, std::string> tree_content(const fs::path& dir);

// Everything a refused step must leave as it was: the mount's head file,
// its known states, and the working tree's content.
struct MountSnapshot {
  std::string head_json;
  std::vector<std::string> states;
  std::map<std::string, std::string> tree;
  bool operator==(const MountSnapshot& o) const {
    return head_json == o.head_json && states == o.states && tree == o.tree;
  }
};
MountSnapshot snapshot_mount(const fs::path& mount_dir);
// What differs between two snapshots, for messages ("" when nothing).
std::string snapshot_diff(const MountSnapshot& before, const MountSnapshot& after);

class StepsTest : public ::testing::Test {
 protected:
  StepsTest();
  ~StepsTest() override;

  // Mounts image `index` of `wim` at scratch/<name>.
  fs::path mount(const std::string& name, bool lazy, const fs::path& wim, int index = 1);
  fs::path mount(const std::string& name, bool lazy) {
    return mount(name, lazy, fixture("base.wim"));
  }

  // Runs `op` as a step on `mount_dir`; with `stamp`, writes scratch/<stamp>;
  // with `after`, the parent state is scratch/<after>'s.
  StepOutcome step(const fs::path& mount_dir, std::unique_ptr<Op> op, const std::string& stamp = "",
                   const std::string& after = "");

  // Commits the mount (the state of stamp `after`, when given) to
  // scratch/<output>; returns its path.
  fs::path commit(const fs::path& mount_dir, const std::string& output,
                  const std::string& after = "");

  ScratchDir scratch;
  MountStore store = mount_store_with_session_rule(MountRegistry(scratch / "home"));

 private:
  std::optional<std::string> old_home_;
};

}  // namespace dismake::test
