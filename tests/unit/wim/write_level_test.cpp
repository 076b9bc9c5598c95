// The compression level of wimlib's writes (src/wim/compression_level.h):
// an appending commit compresses at a faster LZX level than the content
// packs, and the level is process-wide in wimlib. A pack must come out the
// same whatever ran before it or beside it, or a clean build and an
// incremental one (which reuses packs made earlier) would differ.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <sstream>
#include <string>
#include <thread>

#include "compression_level.h"
#include "dismake/wim/wim_file.h"
#include "support/latch.h"
#include "support/scratch_dir.h"

namespace dismake {
namespace {

namespace fs = std::filesystem;
using test::quote;

// Text that LZX's lazy and near-optimal parsers compress differently.
std::string resource_text(int seed) {
  std::string text;
  for (int i = 0; text.size() < 200000; ++i)
    text += "entry " + std::to_string((i * 7919 + seed) % 1000) + " of the resource table " +
            std::to_string(i % 97) + "\r\n";
  return text;
}

class WriteLevelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::write_text(content_, resource_text(1));
    test::make_windows_tree(dir_ / "tree");
    test::capture(dir_ / "tree", base_, "Windows");
  }

  fs::path pack(const std::string& name) {
    fs::path path = dir_ / name;
    WimFile::write_pack(content_, path, WimFile::open(base_).info(), std::string(32, 'a'));
    return path;
  }

  // A copy of the base with one file added, written by an append.
  fs::path appended(const std::string& name) {
    fs::path path = dir_ / name;
    fs::copy_file(base_, path);
    WimFile wim = WimFile::open(path, /*writable=*/true);
    wim.update_image(1, {UpdateCommand::add(content_.string(), "added.txt")});
    wim.overwrite_append(WriteOptions{}, ProgressFn());
    return path;
  }

  // The file data resources: hash, sizes (compressed too), offset. Metadata
  // resources hold the write's times, as the XML does.
  static std::string data_resources(const fs::path& wim) {
    std::istringstream blobs(test::run_output("wimlib-imagex info " + quote(wim) + " --blobs"));
    std::string data;
    std::string record;
    for (std::string line; std::getline(blobs, line);) {
      record += line + "\n";
      if (!line.empty()) continue;
      if (record.find("METADATA") == std::string::npos) data += record;
      record.clear();
    }
    return data;
  }

  test::ScratchDir dir_;
  fs::path content_ = dir_ / "content.txt";
  fs::path base_ = dir_ / "base.wim";
};

TEST_F(WriteLevelTest, APackIsTheSameBeforeAndAfterAnAppend) {
  fs::path before = pack("before.wim");
  appended("appended.wim");
  fs::path after = pack("after.wim");
  EXPECT_EQ(data_resources(before), data_resources(after));
}

TEST_F(WriteLevelTest, AnAppendIsTheSameBeforeAndAfterAPack) {
  fs::path before = appended("before.wim");
  pack("pack.wim");
  fs::path after = appended("after.wim");
  EXPECT_EQ(data_resources(before), data_resources(after));
  EXPECT_EQ(test::run("wimlib-imagex verify " + quote(after) + " >/dev/null 2>&1"), 0);
}

// The level is wimlib's, process-wide: a write at another level waits for
// the leases held, or it would change the level under a running write. The
// proof is an order, not a pause: the other level's lease is granted after
// the first lease was released, whenever its thread got to ask.
TEST(CompressionLevelLeaseTest, AnotherLevelWaitsForTheLeasesHeldAndTheSameLevelDoesNot) {
  std::atomic<int> clock{0};
  std::atomic<int> other_level_leased_at{0};
  int first_released_at = 0;
  std::thread other_level;
  {
    CompressionLevelLease first(WriteLevel::kAppend);
    test::Latch asking(1);
    other_level = std::thread([&] {
      asking.count_down();
      CompressionLevelLease lease(WriteLevel::kDefault);
      other_level_leased_at = ++clock;
    });
    asking.wait();
    // A lease of the same level is granted at once, even with another level
    // waiting: were it held back, this join would never return.
    std::thread same_level([] { CompressionLevelLease lease(WriteLevel::kAppend); });
    same_level.join();
    first_released_at = ++clock;
  }
  other_level.join();
  EXPECT_GT(other_level_leased_at.load(), first_released_at)
      << "a lease of another level was granted while one was held";
}

}  // namespace
}  // namespace dismake
