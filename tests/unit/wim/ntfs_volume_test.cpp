// NtfsVolume on a real NTFS file system: what it writes is checked by
// capturing the volume with wimlib-imagex (NTFS-3G mode), as a commit does.
#include "dismake/wim/ntfs_volume.h"

#include <gtest/gtest.h>

#include "dismake/base/error.h"
#include "support/scratch_dir.h"

namespace dismake {
namespace {

using test::quote;
using test::run_output;

class NtfsVolumeTest : public ::testing::Test {
 protected:
  // The detailed wimlib-imagex record of `path` in a capture of the volume.
  std::string captured(const std::string& path) {
    std::filesystem::path wim = dir_ / ("capture" + std::to_string(captures_++) + ".wim");
    run_output("wimlib-imagex capture " + quote(image_) + " " + quote(wim) + " >/dev/null");
    return run_output("wimlib-imagex dir " + quote(wim) + " 1 --detailed --path=" + quote(path));
  }

  test::ScratchDir dir_;
  std::filesystem::path image_ = dir_ / "volume.ntfs";
  int captures_ = 0;
};

TEST_F(NtfsVolumeTest, CreatesNestedFilesWithContentAttributesAndTimes) {
  test::write_text(dir_ / "content", "hello\r\n");
  NtfsVolume::format(image_, 64 << 20);
  {
    NtfsVolume volume = NtfsVolume::open(image_);
    volume.create_directories("Windows/Setup");
    volume.create_file("Windows/Setup/new.txt", dir_ / "content", kFileAttributeArchive);
    volume.set_times("Windows/Setup/new.txt", 1700000000, true);
    EXPECT_TRUE(volume.exists("Windows/Setup/new.txt"));
    EXPECT_FALSE(volume.exists("Windows/Setup/other.txt"));
    EXPECT_EQ(volume.attributes("Windows/Setup/new.txt"), kFileAttributeArchive);
    volume.close();
  }
  std::string record = captured("/Windows/Setup/new.txt");
  EXPECT_NE(record.find("FILE_ATTRIBUTE_ARCHIVE is set"), std::string::npos) << record;
  EXPECT_NE(record.find("Uncompressed size = 7 bytes"), std::string::npos) << record;
  EXPECT_NE(record.find("Last Write Time     = Tue Nov 14 22:13:20 2023 UTC"), std::string::npos)
      << record;
}

TEST_F(NtfsVolumeTest, ReplacesContentAndKeepsAttributes) {
  test::write_text(dir_ / "old", "a longer original content\r\n");
  test::write_text(dir_ / "new", "short\r\n");
  NtfsVolume::format(image_, 64 << 20);
  {
    NtfsVolume volume = NtfsVolume::open(image_);
    volume.create_file("file.txt", dir_ / "old", kFileAttributeHidden | kFileAttributeSystem);
    volume.write_content("file.txt", dir_ / "new");
    EXPECT_EQ(volume.attributes("file.txt"), kFileAttributeHidden | kFileAttributeSystem);
    volume.close();
  }
  std::string record = captured("/file.txt");
  EXPECT_NE(record.find("FILE_ATTRIBUTE_HIDDEN is set"), std::string::npos) << record;
  EXPECT_NE(record.find("Uncompressed size = 7 bytes"), std::string::npos) << record;
}

TEST_F(NtfsVolumeTest, FormatNeedsRoom) { EXPECT_THROW(NtfsVolume::format(image_, 4096), Error); }

}  // namespace
}  // namespace dismake
