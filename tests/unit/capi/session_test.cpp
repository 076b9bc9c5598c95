// DismOpenSession / DismCloseSession on one thread: what a session may be
// opened on, the handles, and the record that makes it visible to other
// processes.
#include <fstream>

#include "support/capi_test_support.h"

namespace capi_test {
namespace {

std::size_t session_records(const fs::path& mount_dir) {
  fs::path dir = mount_dir.string() + ".dismake/sessions";
  if (!fs::exists(dir)) return 0;
  std::size_t count = 0;
  for (const auto& entry : fs::directory_iterator(dir))
    count += entry.path().extension() == ".json";
  return count;
}

TEST_F(CapiTest, OnlineImageIsNotSupportedOnLinux) {
  DismSession session = 5;
  HRESULT hr = DismOpenSession(DISM_ONLINE_IMAGE, nullptr, nullptr, &session);
  EXPECT_EQ(HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED), hr);
  EXPECT_EQ(hr_of(0x80070032), hr);
  EXPECT_EQ(DISM_SESSION_DEFAULT, session);
  std::string message = last_error_message();
  EXPECT_NE(std::string::npos, message.find("no running Windows")) << message;
  EXPECT_NE(std::string::npos, message.find("Linux")) << message;
  EXPECT_NE(std::string::npos, message.find("0x80070032")) << message;
}

TEST_F(CapiTest, SessionOnAMountIsRecordedUntilClosed) {
  fs::path mount_dir = mount(copy_fixture("single.wim"));
  DismSession session = open_session(mount_dir);
  EXPECT_NE(DISM_SESSION_DEFAULT, session);
  EXPECT_EQ(1u, session_records(mount_dir));
  EXPECT_EQ(S_OK, DismCloseSession(session));
  EXPECT_EQ(0u, session_records(mount_dir));
  // Closing does not unmount.
  EXPECT_TRUE(fs::exists(mount_dir / "Windows"));
  EXPECT_EQ(S_OK, DismUnmountImage(wide(mount_dir).c_str(), DISM_DISCARD_IMAGE, nullptr, nullptr,
                                   nullptr));
}

TEST_F(CapiTest, SessionOnAnOfflineDirectoryThatIsNoMount) {
  DismSession session = DISM_SESSION_DEFAULT;
  ASSERT_EQ(S_OK, DismOpenSession(wide(fixture("tree")).c_str(), L"windows", nullptr, &session));
  // Nothing to commit into: the image was never mounted from a WIM.
  EXPECT_EQ(HRESULT_FROM_WIN32(ERROR_NOT_FOUND),
            DismCommitImage(session, 0, nullptr, nullptr, nullptr));
  EXPECT_EQ(S_OK, DismCloseSession(session));
}

TEST_F(CapiTest, OpenRefusesWhatIsNoImageDirectory) {
  DismSession session = DISM_SESSION_DEFAULT;
  EXPECT_EQ(HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND),
            DismOpenSession(wide(dir() / "missing").c_str(), nullptr, nullptr, &session));
  EXPECT_EQ(HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND),
            DismOpenSession(wide(fixture("tree")).c_str(), L"NoSuchDir", nullptr, &session));
  EXPECT_EQ(E_INVALIDARG, DismOpenSession(wide(fixture("tree")).c_str(), nullptr, L"C:", &session));
  EXPECT_EQ(E_INVALIDARG, DismOpenSession(nullptr, nullptr, nullptr, &session));
  EXPECT_EQ(E_INVALIDARG,
            DismOpenSession(wide(fixture("tree")).c_str(), nullptr, nullptr, nullptr));
  EXPECT_EQ(DISM_SESSION_DEFAULT, session);
}

// DISM: "Unable to access the image" (error 2) for a directory that holds
// no Windows directory.
TEST_F(CapiTest, OpenRefusesADirectoryThatIsNoWindowsImage) {
  DismSession session = DISM_SESSION_DEFAULT;
  fs::path empty = dir() / "empty";
  fs::create_directories(empty / "Users");
  EXPECT_EQ(HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND),
            DismOpenSession(wide(empty).c_str(), nullptr, nullptr, &session));
  EXPECT_NE(std::string::npos, last_error_message().find("is not a Windows image"));
  EXPECT_EQ(DISM_SESSION_DEFAULT, session);
  // A file named Windows is no Windows directory.
  std::ofstream(empty / "Windows") << "x";
  EXPECT_EQ(HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND),
            DismOpenSession(wide(empty).c_str(), nullptr, nullptr, &session));
  // Matched as Windows matches it: any case.
  fs::path applied = dir() / "applied";
  fs::create_directories(applied / "WINDOWS" / "System32");
  EXPECT_EQ(S_OK, DismOpenSession(wide(applied).c_str(), nullptr, nullptr, &session))
      << last_error_message();
  EXPECT_EQ(S_OK, DismCloseSession(session));
}

TEST_F(CapiTest, OpenRefusesAPathInsideAMount) {
  fs::path mount_dir = mount(copy_fixture("single.wim"));
  DismSession session = DISM_SESSION_DEFAULT;
  EXPECT_EQ(E_INVALIDARG,
            DismOpenSession(wide(mount_dir / "Windows").c_str(), nullptr, nullptr, &session));
  EXPECT_EQ(S_OK, DismUnmountImage(wide(mount_dir).c_str(), DISM_DISCARD_IMAGE, nullptr, nullptr,
                                   nullptr));
}

// DISM: ERROR_ALREADY_EXISTS "if the DismSession already has an image
// associated with it".
TEST_F(CapiTest, OpenIntoAnOpenHandleFailsAndKeepsIt) {
  DismSession session = open_session(fixture("tree"));
  DismSession reused = session;
  EXPECT_EQ(HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS),
            DismOpenSession(wide(fixture("tree")).c_str(), nullptr, nullptr, &reused));
  EXPECT_EQ(session, reused);
  EXPECT_EQ(S_OK, DismCloseSession(session));
  // Once closed, the old value is just a leftover and is overwritten.
  EXPECT_EQ(S_OK, DismOpenSession(wide(fixture("tree")).c_str(), nullptr, nullptr, &reused));
  EXPECT_NE(session, reused);
  EXPECT_EQ(S_OK, DismCloseSession(reused));
}

TEST_F(CapiTest, CloseOfAnUnknownOrClosedHandleIsInvalidSession) {
  EXPECT_EQ(hr_of(DISMAPI_E_INVALID_DISM_SESSION), DismCloseSession(DISM_SESSION_DEFAULT));
  EXPECT_EQ(hr_of(DISMAPI_E_INVALID_DISM_SESSION), DismCloseSession(4242424));
  DismSession session = open_session(fixture("tree"));
  EXPECT_EQ(S_OK, DismCloseSession(session));
  EXPECT_EQ(hr_of(DISMAPI_E_INVALID_DISM_SESSION), DismCloseSession(session));
  EXPECT_EQ(hr_of(DISMAPI_E_INVALID_DISM_SESSION),
            DismCommitImage(session, 0, nullptr, nullptr, nullptr));
}

TEST_F(CapiTest, CloseFromInsideTheSessionsOwnOperationIsBusy) {
  fs::path mount_dir = mount(copy_fixture("single.wim"));
  struct Context {
    DismSession session;
    HRESULT close_result = S_OK;
    bool called = false;
  } context{open_session(mount_dir)};
  auto progress = [](UINT, UINT, PVOID data) {
    auto* c = static_cast<Context*>(data);
    if (c->called) return;
    c->called = true;
    c->close_result = DismCloseSession(c->session);
  };
  DismImageHealthState health;
  EXPECT_EQ(S_OK,
            DismCheckImageHealth(context.session, TRUE, nullptr, progress, &context, &health));
  EXPECT_TRUE(context.called);
  EXPECT_EQ(hr_of(DISMAPI_E_BUSY), context.close_result);
  EXPECT_EQ(S_OK, DismCloseSession(context.session));
  EXPECT_EQ(S_OK, DismUnmountImage(wide(mount_dir).c_str(), DISM_DISCARD_IMAGE, nullptr, nullptr,
                                   nullptr));
}

TEST_F(CapiTest, CheckImageHealthOfAMount) {
  fs::path mount_dir = mount(copy_fixture("single.wim"));
  DismSession session = open_session(mount_dir);
  DismImageHealthState health = DismImageNonRepairable;
  EXPECT_EQ(S_OK, DismCheckImageHealth(session, TRUE, nullptr, nullptr, nullptr, &health));
  EXPECT_EQ(DismImageHealthy, health);
  // The WIM replaced by another: the mount can no longer be committed.
  fs::copy_file(fixture("base.wim"), dir() / "single.wim", fs::copy_options::overwrite_existing);
  EXPECT_EQ(S_OK, DismCheckImageHealth(session, TRUE, nullptr, nullptr, nullptr, &health));
  EXPECT_EQ(DismImageNonRepairable, health);
  EXPECT_EQ(S_OK, DismCloseSession(session));
  EXPECT_EQ(S_OK, DismUnmountImage(wide(mount_dir).c_str(), DISM_DISCARD_IMAGE, nullptr, nullptr,
                                   nullptr));
}

}  // namespace
}  // namespace capi_test
