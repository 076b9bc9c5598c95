// TrailingWriteback follows a file another process creates after it starts,
// and lets it go when it ends (the caller renames or removes the file next).
#include "dismake/base/trailing_writeback.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <thread>

namespace dismake {
namespace {

namespace fs = std::filesystem;

// Whether one of this process's descriptors is open on `path`.
bool process_has_open(const fs::path& path) {
  std::error_code ec;
  for (const fs::directory_entry& fd : fs::directory_iterator("/proc/self/fd", ec)) {
    fs::path target = fs::read_symlink(fd.path(), ec);
    if (!ec && target == path) return true;
  }
  return false;
}

// Polls for up to 20 s: the follower looks every 100 ms, and a loaded
// machine may delay it; the test waits for the event, it does not time it.
bool eventually(const std::function<bool()>& condition) {
  for (int i = 0; i < 2000; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

TEST(TrailingWriteback, FollowsAFileThatAppearsLaterAndLetsItGo) {
  fs::path dir = fs::temp_directory_path() / ("dismake-writeback-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::path file = dir / "output.iso";
  {
    TrailingWriteback writeback(file);
    EXPECT_FALSE(process_has_open(file));
    std::ofstream out(file, std::ios::binary);
    out << std::string(1 << 20, 'x') << std::flush;
    out.close();
    EXPECT_TRUE(eventually([&] { return process_has_open(file); }))
        << "the file that appeared was never followed";
  }
  EXPECT_FALSE(process_has_open(file)) << "the file is still open after the writeback ended";
  EXPECT_EQ(fs::file_size(file), 1u << 20);
  fs::remove_all(dir);
}

TEST(TrailingWriteback, EndsAtOnceWhenTheFileNeverAppears) {
  fs::path file = fs::temp_directory_path() / "dismake-writeback-never" / "output.iso";
  { TrailingWriteback writeback(file); }
  EXPECT_FALSE(fs::exists(file));
}

}  // namespace
}  // namespace dismake
