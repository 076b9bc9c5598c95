#include "scratch_dir.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace dismake::test {

namespace fs = std::filesystem;

ScratchDir::ScratchDir() {
  std::string pattern = (fs::temp_directory_path() / "dismake-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

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
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) output.append(buf, n);
  int status = ::pclose(pipe);
  EXPECT_EQ(WEXITSTATUS(status), 0) << command;
  return output;
}

std::string quote(const fs::path& path) { return "'" + path.string() + "'"; }

void capture(const fs::path& tree, const fs::path& wim, const std::string& name) {
  std::string verb = fs::exists(wim) ? "append" : "capture";
  ASSERT_EQ(run("wimlib-imagex " + verb + " " + quote(tree) + " " + quote(wim) + " '" + name +
                "' --compress=lzx >/dev/null"),
            0);
}

void make_windows_tree(const fs::path& root) {
  const char* testdata = std::getenv("DISMAKE_TESTDATA");
  ASSERT_NE(testdata, nullptr) << "run through ctest (DISMAKE_TESTDATA)";
  fs::create_directories(root / "Windows/System32/config");
  fs::copy_file(fs::path(testdata) / "minimal.hive", root / "Windows/System32/config/SOFTWARE");
  fs::permissions(root / "Windows/System32/config/SOFTWARE", fs::perms::owner_write,
                  fs::perm_options::add);
  write_text(root / "Windows/System32/drivers/etc/hosts", "127.0.0.1 localhost\r\n");
  write_text(root / "Users/Public/readme.txt", "public\n");
  write_text(root / "Program Files/App/app.dll", std::string(100000, 'x'));
  write_text(root / "Windows/Logs/empty.log", "");
  fs::create_directories(root / "ProgramData/Empty");
}

}  // namespace dismake::test
