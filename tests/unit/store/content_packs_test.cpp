// Which files of a commit get content packs: a rule of the plan alone (size,
// then SHA-1), so that clean and incremental commits take the same path.
#include "dismake/store/content_packs.h"

#include <gtest/gtest.h>

#include "../support/scratch_dir.h"
#include "dismake/base/digest.h"

namespace dismake {
namespace {

namespace fs = std::filesystem;
using test::ScratchDir;
using test::write_text;

class ContentPacksTest : public ::testing::Test {
 protected:
  // A created file of `size` bytes, its content unique to `n`.
  StagedFile file(int n, std::uint64_t size) {
    fs::path content = scratch / "inputs" / std::to_string(n);
    fs::create_directories(content.parent_path());
    std::string text = std::to_string(n) + "\n";
    write_text(content, text + std::string(size - text.size(), 'x'));
    return {"f" + std::to_string(n), content, sha1_file_hex(content), "", 0, 0, "", 0};
  }

  WimInfo lzx() {
    WimInfo info;
    info.compression = Compression::kLzx;
    info.chunk_size = 32768;
    return info;
  }

  ScratchDir scratch;
};

TEST_F(ContentPacksTest, SmallFilesGetNoPackAndTheLargestAreKeptWhenThereAreTooMany) {
  CommitPlan plan;
  plan.created.push_back(file(0, ContentPacks::kMinimumSize - 1));  // too small
  for (int n = 1; n <= static_cast<int>(ContentPacks::kMaximumPacks) + 2; ++n)
    plan.created.push_back(file(n, ContentPacks::kMinimumSize + static_cast<std::uint64_t>(n)));
  ContentPacks packs(scratch / "packs");
  std::vector<fs::path> used = packs.for_plan(plan, lzx());
  ASSERT_EQ(used.size(), ContentPacks::kMaximumPacks);
  auto has_pack = [&](const StagedFile& f) {
    for (const fs::path& p : used)
      if (p.filename().string().compare(0, f.sha1.size(), f.sha1) == 0) return fs::exists(p);
    return false;
  };
  EXPECT_FALSE(has_pack(plan.created[0]));
  EXPECT_FALSE(has_pack(plan.created[1]));  // the two smallest of the large ones
  EXPECT_FALSE(has_pack(plan.created[2]));
  EXPECT_TRUE(has_pack(plan.created[3]));
  EXPECT_TRUE(has_pack(plan.created.back()));

  // Not compressed: no packs at all. No directory: none either.
  WimInfo none = lzx();
  none.compression = Compression::kNone;
  EXPECT_TRUE(ContentPacks(scratch / "other").for_plan(plan, none).empty());
  EXPECT_TRUE(ContentPacks().for_plan(plan, lzx()).empty());
}

}  // namespace
}  // namespace dismake
