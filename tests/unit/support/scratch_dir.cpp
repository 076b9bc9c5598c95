#include "scratch_dir.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace dismake::test {

namespace fs = std::filesystem;

ScratchDir::ScratchDir() {
  std::string pattern = (fs::temp_directory_path() / "dismake-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
  path_ = pattern;
}

// A test may have taken write permission away from the directory.
ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
  fs::remove_all(path_, ec);
}

// Where a test-environment variable points; test_main sets them all.
static fs::path from_environment(const char* variable, const std::string& name) {
  const char* dir = std::getenv(variable);
  EXPECT_NE(dir, nullptr) << "run through ctest (" << variable << ")";
  return fs::path(dir != nullptr ? dir : ".") / name;
}

fs::path fixture(const std::string& name) { return from_environment("DISMAKE_FIXTURES", name); }

fs::path testdata(const std::string& name) { return from_environment("DISMAKE_TESTDATA", name); }

void write_text(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

int run(const std::string& command) {
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string run_output(const std::string& command) {
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "cannot run " << command;
    return "";
  }
  std::string output;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) output.append(buf, n);
  int status = ::pclose(pipe);
  EXPECT_EQ(status, 0) << command;
  return output;
}

std::string quote(const fs::path& text) {
  std::string quoted = "'";
  for (char c : text.string()) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

void capture(const fs::path& tree, const fs::path& wim, const std::string& name) {
  std::string verb = fs::exists(wim) ? "append" : "capture";
  ASSERT_EQ(run("wimlib-imagex " + verb + " " + quote(tree) + " " + quote(wim) + " '" + name +
                "' --compress=lzx >/dev/null"),
            0);
}

void make_windows_tree(const fs::path& root) {
  fs::create_directories(root / "Windows/System32/config");
  fs::copy_file(testdata("minimal.hive"), root / "Windows/System32/config/SOFTWARE");
  fs::permissions(root / "Windows/System32/config/SOFTWARE", fs::perms::owner_write,
                  fs::perm_options::add);
  write_text(root / "Windows/System32/drivers/etc/hosts", "127.0.0.1 localhost\r\n");
  write_text(root / "Users/Public/readme.txt", "public\n");
  write_text(root / "Program Files/App/app.dll", std::string(100000, 'x'));
  write_text(root / "Windows/Logs/empty.log", "");
  fs::create_directories(root / "ProgramData/Empty");
}

}  // namespace dismake::test
