#include "ops_test_support.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "dismake/base/digest.h"
#include "dismake/base/utf8.h"
#include "dismake/ops/stamp.h"
#include "dismake/registry/registry_value.h"
#include "dismake/store/mount_record.h"

namespace dismake::test {

std::string tree_digest(const fs::path& wim, int index) {
  std::string detailed =
      run_output("wimlib-imagex dir " + quote(wim) + " " + std::to_string(index) + " --detailed");
  // One record per path, starting at its "Full Path" line; keep the fields
  // that describe the file, not where its blob sits in the WIM.
  std::vector<std::string> records;
  std::istringstream lines(detailed);
  std::string line;
  while (std::getline(lines, line)) {
    auto keep = [&](const char* field) { return line.rfind(field, 0) == 0; };
    if (keep("Full Path")) {
      records.push_back(line);
    } else if (!records.empty() &&
               (keep("Attributes") || keep("Hash") || keep("Uncompressed size") ||
                keep("Reparse Tag") || keep("Link Count"))) {
      records.back() += " | " + line;
    }
  }
  std::sort(records.begin(), records.end());
  std::string out;
  for (const std::string& r : records) out += r + "\n";
  return out;
}

std::string wim_listing(const fs::path& wim, int index) {
  return run_output("wimlib-imagex dir " + quote(wim) + " " + std::to_string(index) + " | sort");
}

bool wim_has(const fs::path& wim, int index, const std::string& path) {
  std::istringstream lines(wim_listing(wim, index));
  std::string line;
  while (std::getline(lines, line))
    if (line == path) return true;
  return false;
}

std::string wim_file(const fs::path& wim, int index, const std::string& path) {
  return run_output("wimlib-imagex extract " + quote(wim) + " " + std::to_string(index) + " " +
                    quote(path) + " --to-stdout --no-acls 2>/dev/null");
}

void wim_extract(const fs::path& wim, int index, const std::string& path, const fs::path& to) {
  std::ofstream(to, std::ios::binary) << wim_file(wim, index, path);
}

size_t count_files(const fs::path& dir) {
  size_t n = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (!it->is_directory(ec) || it->is_symlink(ec)) ++n;
  return n;
}

TreeStat stat_tree(const fs::path& dir) {
  TreeStat out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0) continue;
    PathStat s;
    s.inode = st.st_ino;
    s.size = S_ISDIR(st.st_mode) ? 0 : st.st_size;
    if (!S_ISDIR(st.st_mode)) {
      s.mtime_ns = st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
      s.ctime_ns = st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec;
    }
    out[fs::relative(it->path(), dir).string()] = s;
  }
  return out;
}

std::vector<std::string> touched_between(const TreeStat& before, const TreeStat& after) {
  std::vector<std::string> out;
  for (const auto& [path, s] : before) {
    auto it = after.find(path);
    if (it == after.end() || !(it->second == s)) out.push_back(path);
  }
  for (const auto& [path, s] : after)
    if (before.count(path) == 0) out.push_back(path);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::string> dir_names(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec))
    names.push_back(it->path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

void write_reg_utf16(const fs::path& file, const std::string& utf8_text) {
  std::string crlf;
  for (char c : utf8_text) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  std::optional<std::string> utf16 = utf8_to_utf16le(crlf);
  ASSERT_TRUE(utf16.has_value());
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << std::string("\xFF\xFE", 2) << *utf16;
}

std::map<std::string, std::string> tree_content(const fs::path& dir) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string rel = fs::relative(it->path(), dir).string();
    if (it->is_symlink(ec)) {
      out[rel] = "link " + fs::read_symlink(it->path()).string();
    } else if (it->is_directory(ec)) {
      out[rel] = "dir";
    } else {
      out[rel] = sha256_file_hex(it->path());
    }
  }
  return out;
}

MountSnapshot snapshot_mount(const fs::path& mount_dir) {
  MountPaths paths = MountPaths::of(mount_dir);
  MountSnapshot s;
  s.head_json = read_text(paths.head_file());
  s.states = dir_names(paths.states_dir());
  s.tree = tree_content(mount_dir);
  return s;
}

std::string snapshot_diff(const MountSnapshot& before, const MountSnapshot& after) {
  std::string out;
  if (before.head_json != after.head_json)
    out += "state.json: " + before.head_json + " -> " + after.head_json + "\n";
  if (before.states != after.states)
    out += "states/: " + std::to_string(before.states.size()) + " -> " +
           std::to_string(after.states.size()) + " entries\n";
  for (const auto& [path, what] : before.tree) {
    auto it = after.tree.find(path);
    if (it == after.tree.end())
      out += "tree: removed " + path + "\n";
    else if (it->second != what)
      out += "tree: changed " + path + "\n";
  }
  for (const auto& [path, what] : after.tree)
    if (before.tree.count(path) == 0) out += "tree: added " + path + "\n";
  return out;
}

StepsTest::StepsTest() {
  if (const char* home = std::getenv("DISMAKE_HOME")) old_home_ = home;
  ::setenv("DISMAKE_HOME", (scratch / "home").c_str(), 1);
}

StepsTest::~StepsTest() {
  if (old_home_) {
    ::setenv("DISMAKE_HOME", old_home_->c_str(), 1);
  } else {
    ::unsetenv("DISMAKE_HOME");
  }
}

fs::path StepsTest::mount(const std::string& name, bool lazy, const fs::path& wim, int index) {
  fs::path dir = scratch / name;
  MountOptions options;
  options.wim = wim;
  options.index = index;
  options.lazy = lazy;
  // Incremental and clean builds of one image side by side, as builds are.
  options.build = true;
  store.mount(dir, options);
  return dir;
}

StepOutcome StepsTest::step(const fs::path& mount_dir, std::unique_ptr<Op> op,
                            const std::string& stamp, const std::string& after) {
  StepOptions options;
  if (!stamp.empty()) options.stamp = scratch / stamp;
  if (!after.empty()) options.after = scratch / after;
  return run_step(mount_dir, *op, options);
}

fs::path StepsTest::commit(const fs::path& mount_dir, const std::string& output,
                           const std::string& after) {
  CommitOptions options;
  options.output = scratch / output;
  if (!after.empty()) options.state = Stamp::load(scratch / after).state;
  store.commit(mount_dir, options);
  return scratch / output;
}

}  // namespace dismake::test
