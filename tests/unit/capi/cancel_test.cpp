// The cancel event (DismakeCreateCancelEvent, standing in for a Win32
// event): a cancelled operation returns ERROR_REQUEST_ABORTED and leaves
// everything as it was, so the mount stays valid and a commit works after.
#include <cstdint>
#include <fstream>
#include <iterator>

#include "support/capi_test_support.h"

namespace capi_test {
namespace {

const HRESULT kAborted = HRESULT_FROM_WIN32(ERROR_REQUEST_ABORTED);

std::string contents(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Sets the event passed as user data at the first progress report.
void cancel_at_first_report(UINT, UINT, PVOID event) { DismakeSetCancelEvent(event); }

class CancelEvent : public CapiTest {
 protected:
  void SetUp() override {
    CapiTest::SetUp();
    event_ = DismakeCreateCancelEvent();
    ASSERT_NE(nullptr, event_);
  }
  void TearDown() override {
    DismakeCloseCancelEvent(event_);
    CapiTest::TearDown();
  }
  UINT mount_count() {
    DismMountedImageInfo* mounts = nullptr;
    UINT count = 0;
    EXPECT_EQ(S_OK, DismGetMountedImageInfo(&mounts, &count));
    EXPECT_EQ(S_OK, DismDelete(mounts));
    return count;
  }
  HANDLE event_ = nullptr;
};

TEST_F(CancelEvent, MountCancelledBeforeItStartsLeavesNothing) {
  DismakeSetCancelEvent(event_);
  fs::path mount_dir = dir() / "mount";
  EXPECT_EQ(kAborted, DismMountImage(wide(fixture("base.wim")).c_str(), wide(mount_dir).c_str(), 1,
                                     nullptr, DismImageIndex, 0, event_, nullptr, nullptr));
  EXPECT_FALSE(fs::exists(mount_dir));
  EXPECT_EQ(0u, mount_count());
}

TEST_F(CancelEvent, MountCancelledDuringExtractionLeavesNothing) {
  fs::path mount_dir = dir() / "mount";
  EXPECT_EQ(kAborted,
            DismMountImage(wide(fixture("base.wim")).c_str(), wide(mount_dir).c_str(), 1, nullptr,
                           DismImageIndex, 0, event_, cancel_at_first_report, event_));
  EXPECT_NE(std::string::npos, last_error_message().find("0x800704D3"));
  EXPECT_FALSE(fs::exists(mount_dir));
  EXPECT_FALSE(fs::exists(mount_dir.string() + ".dismake"));
  EXPECT_EQ(0u, mount_count());
}

TEST_F(CancelEvent, CommitCancelledLeavesTheMountValidAndTheWimUnchanged) {
  fs::path wim = copy_fixture("base.wim");
  std::string wim_before = contents(wim);
  fs::path mount_dir = mount(wim);
  write_file(mount_dir / "Windows" / "added.bin", 2 << 20);
  DismSession session = open_session(mount_dir);

  EXPECT_EQ(kAborted, DismCommitImage(session, 0, event_, cancel_at_first_report, event_));
  EXPECT_EQ(wim_before, contents(wim));
  DismImageHealthState health = DismImageNonRepairable;
  EXPECT_EQ(S_OK, DismCheckImageHealth(session, TRUE, nullptr, nullptr, nullptr, &health));
  EXPECT_EQ(DismImageHealthy, health);
  EXPECT_TRUE(fs::exists(mount_dir / "Windows" / "added.bin"));

  // Still a valid mount: the same commit without the event goes through.
  EXPECT_EQ(S_OK, DismCommitImage(session, 0, nullptr, nullptr, nullptr)) << last_error_message();
  EXPECT_NE(wim_before, contents(wim));
  EXPECT_EQ(S_OK, DismCloseSession(session));
  EXPECT_EQ(S_OK, DismUnmountImage(wide(mount_dir).c_str(), DISM_DISCARD_IMAGE, nullptr, nullptr,
                                   nullptr));
}

TEST_F(CancelEvent, UnmountWithCommitCancelledKeepsTheMount) {
  fs::path wim = copy_fixture("single.wim");
  std::string wim_before = contents(wim);
  fs::path mount_dir = mount(wim);
  write_file(mount_dir / "added.bin", 2 << 20);
  EXPECT_EQ(kAborted, DismUnmountImage(wide(mount_dir).c_str(), DISM_COMMIT_IMAGE, event_,
                                       cancel_at_first_report, event_));
  EXPECT_EQ(wim_before, contents(wim));
  EXPECT_TRUE(fs::exists(mount_dir / "added.bin"));
  EXPECT_EQ(1u, mount_count());
  EXPECT_EQ(S_OK,
            DismUnmountImage(wide(mount_dir).c_str(), DISM_COMMIT_IMAGE, nullptr, nullptr, nullptr))
      << last_error_message();
  EXPECT_NE(wim_before, contents(wim));
}

// ManagedDism passes .NET's own event handle to every call with a progress
// callback: a foreign handle is accepted, never read, and never cancels.
TEST_F(CancelEvent, AHandleThatIsNoCancelEventIsAcceptedAndNeverCancels) {
  int not_an_event[8] = {};
  fs::path mount_dir = dir() / "mount";
  EXPECT_EQ(S_OK, DismMountImage(wide(fixture("single.wim")).c_str(), wide(mount_dir).c_str(), 1,
                                 nullptr, DismImageIndex, 0, not_an_event, nullptr, nullptr))
      << last_error_message();
  EXPECT_EQ(1u, mount_count());
  DismakeSetCancelEvent(not_an_event);  // ignored: it is no event of ours
  EXPECT_EQ(S_OK, DismUnmountImage(wide(mount_dir).c_str(), DISM_DISCARD_IMAGE, not_an_event,
                                   nullptr, nullptr))
      << last_error_message();
  EXPECT_EQ(0u, mount_count());
}

// A Win32 event handle is a small integer, ~0 is INVALID_HANDLE_VALUE: each
// is accepted without being read (AddressSanitizer would catch a read).
TEST_F(CapiTest, AWin32ShapedHandleIsAcceptedWithoutBeingRead) {
  fs::path wim = copy_fixture("single.wim");
  fs::path mount_dir = mount(wim);
  DismSession session = open_session(mount_dir);
  for (std::uintptr_t value : {std::uintptr_t{4}, std::uintptr_t{0x1a4}, ~std::uintptr_t{0}}) {
    HANDLE handle = reinterpret_cast<HANDLE>(value);
    SCOPED_TRACE(value);
    DismakeSetCancelEvent(handle);  // ignored, as SetEvent of a stale handle fails
    EXPECT_EQ(S_OK, DismCommitImage(session, 0, handle, nullptr, nullptr)) << last_error_message();
    DismImageHealthState health = DismImageNonRepairable;
    EXPECT_EQ(S_OK, DismCheckImageHealth(session, FALSE, handle, nullptr, nullptr, &health))
        << last_error_message();
    EXPECT_EQ(DismImageHealthy, health);
    DismakeCloseCancelEvent(handle);
  }
  EXPECT_EQ(S_OK, DismCloseSession(session));
  EXPECT_EQ(S_OK, DismUnmountImage(wide(mount_dir).c_str(), DISM_DISCARD_IMAGE,
                                   reinterpret_cast<HANDLE>(8), nullptr, nullptr))
      << last_error_message();
}

// A closed event is no event of ours any more: like a foreign handle, it is
// accepted and cannot cancel, even when it was set before it was closed.
TEST_F(CancelEvent, AClosedCancelEventNoLongerCancels) {
  HANDLE event = DismakeCreateCancelEvent();
  ASSERT_NE(nullptr, event);
  DismakeSetCancelEvent(event);
  DismakeCloseCancelEvent(event);
  fs::path mount_dir = dir() / "mount";
  EXPECT_EQ(S_OK, DismMountImage(wide(fixture("single.wim")).c_str(), wide(mount_dir).c_str(), 1,
                                 nullptr, DismImageIndex, 0, event, nullptr, nullptr))
      << last_error_message();
  EXPECT_EQ(1u, mount_count());
  DismakeCloseCancelEvent(event);  // a second close is harmless
}

// DISM's progress: scaled to UINT, and the last report says "done".
TEST_F(CapiTest, MountReportsProgressEndingAtTotal) {
  struct Reports {
    int count = 0;
    UINT last_current = 0, last_total = 0;
    bool monotonic = true;
  } reports;
  auto record = [](UINT current, UINT total, PVOID data) {
    auto* r = static_cast<Reports*>(data);
    if (current < r->last_current) r->monotonic = false;
    ++r->count;
    r->last_current = current;
    r->last_total = total;
  };
  fs::path mount_dir = dir() / "mount";
  ASSERT_EQ(S_OK, DismMountImage(wide(fixture("base.wim")).c_str(), wide(mount_dir).c_str(), 0,
                                 L"Windows 10 Enterprise", DismImageName, DISM_MOUNT_READONLY,
                                 nullptr, record, &reports));
  EXPECT_GT(reports.count, 0);
  EXPECT_TRUE(reports.monotonic);
  EXPECT_EQ(reports.last_total, reports.last_current);
  EXPECT_GT(reports.last_total, 3u << 20);  // the image holds a 3 MiB file
  EXPECT_TRUE(fs::exists(mount_dir / "Windows" / "edition2.txt"));
  EXPECT_EQ(S_OK, DismUnmountImage(wide(mount_dir).c_str(), DISM_DISCARD_IMAGE, nullptr, nullptr,
                                   nullptr));
}

}  // namespace
}  // namespace capi_test
