// Constants and flags of newer ADKs' DismAPI.h and winerror.h: declared with
// DISM's values, and the flags accepted where DISM accepts them.
#include "support/capi_test_support.h"

namespace capi_test {
namespace {

static_assert(DISM_MOUNT_SUPPORT_EA == 0x00000008, "DismAPI.h's value");
static_assert(DISM_COMMIT_SUPPORT_EA == 0x00040000, "DismAPI.h's value");
static_assert((DISM_COMMIT_SUPPORT_EA & DISM_COMMIT_MASK) == DISM_COMMIT_SUPPORT_EA,
              "a commit flag, so DismUnmountImage takes it too");
static_assert(DismImageNone == 2, "DismAPI.h's value");
static_assert(DISMAPI_E_MUST_SPECIFY_INDEX_OR_NAME == 0xC0040020, "DismAPI.h's value");
static_assert(ERROR_SUCCESS_REBOOT_REQUIRED == 3010, "winerror.h's value");
static_assert(ERROR_ELEVATION_REQUIRED == 740, "winerror.h's value");
static_assert(HRESULT_CODE(HRESULT_FROM_WIN32(ERROR_ELEVATION_REQUIRED)) == 740, "winerror.h");
static_assert(HRESULT_CODE(static_cast<HRESULT>(DISMAPI_E_INVALID_DISM_SESSION)) == 4, "low word");

TEST_F(CapiTest, SupportEaFlagsAreAcceptedForMountCommitAndUnmount) {
  fs::path wim = copy_fixture("single.wim");
  fs::path mount_dir = dir() / "mount";
  ASSERT_EQ(S_OK,
            DismMountImage(wide(wim).c_str(), wide(mount_dir).c_str(), 1, nullptr, DismImageIndex,
                           DISM_MOUNT_READWRITE | DISM_MOUNT_SUPPORT_EA, nullptr, nullptr, nullptr))
      << last_error_message();
  write_file(mount_dir / "Windows" / "ea.bin", 4096);
  DismSession session = open_session(mount_dir);
  EXPECT_EQ(S_OK, DismCommitImage(session, DISM_COMMIT_SUPPORT_EA, nullptr, nullptr, nullptr))
      << last_error_message();
  EXPECT_EQ(S_OK, DismCloseSession(session));
  EXPECT_EQ(S_OK,
            DismUnmountImage(wide(mount_dir).c_str(), DISM_COMMIT_IMAGE | DISM_COMMIT_SUPPORT_EA,
                             nullptr, nullptr, nullptr))
      << last_error_message();
  // The commit went in: the file is in the image.
  fs::path again = mount(wim, "again");
  EXPECT_TRUE(fs::exists(again / "Windows" / "ea.bin"));
  EXPECT_EQ(S_OK,
            DismUnmountImage(wide(again).c_str(), DISM_DISCARD_IMAGE, nullptr, nullptr, nullptr));
}

TEST_F(CapiTest, ImageNoneMountsTheOnlyImage) {
  fs::path mount_dir = dir() / "mount";
  ASSERT_EQ(S_OK,
            DismMountImage(wide(fixture("single.wim")).c_str(), wide(mount_dir).c_str(), 0, nullptr,
                           DismImageNone, DISM_MOUNT_READONLY, nullptr, nullptr, nullptr))
      << last_error_message();
  DismMountedImageInfo* mounts = nullptr;
  UINT count = 0;
  ASSERT_EQ(S_OK, DismGetMountedImageInfo(&mounts, &count));
  ASSERT_EQ(1u, count);
  EXPECT_EQ(1u, mounts[0].ImageIndex);
  EXPECT_EQ(S_OK, DismDelete(mounts));
  EXPECT_EQ(S_OK, DismUnmountImage(wide(mount_dir).c_str(), DISM_DISCARD_IMAGE, nullptr, nullptr,
                                   nullptr));
}

TEST_F(CapiTest, ImageNoneOnAWimOfSeveralImagesMustSpecifyIndexOrName) {
  fs::path mount_dir = dir() / "mount";
  EXPECT_EQ(hr_of(DISMAPI_E_MUST_SPECIFY_INDEX_OR_NAME),
            DismMountImage(wide(fixture("base.wim")).c_str(), wide(mount_dir).c_str(), 0, nullptr,
                           DismImageNone, 0, nullptr, nullptr, nullptr));
  EXPECT_NE(std::string::npos, last_error_message().find("2 images"));
  EXPECT_FALSE(fs::exists(mount_dir));
}

}  // namespace
}  // namespace capi_test
