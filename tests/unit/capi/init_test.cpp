// DismInitialize / DismShutdown: once per process, nothing before, no
// shutdown with sessions open.
#include <fstream>

#include "support/capi_test_support.h"

namespace capi_test {
namespace {

class Uninitialized : public CapiTest {
 protected:
  Uninitialized() : CapiTest(/*initialize=*/false) {}
};

TEST_F(Uninitialized, EveryCallBeforeInitializeFailsWithNotInitialized) {
  const HRESULT kNotInitialized = hr_of(DISMAPI_E_DISMAPI_NOT_INITIALIZED);
  DismSession session = 77;
  EXPECT_EQ(kNotInitialized, DismOpenSession(wide(dir()).c_str(), nullptr, nullptr, &session));
  EXPECT_EQ(DISM_SESSION_DEFAULT, session);
  EXPECT_EQ(kNotInitialized, DismCloseSession(1));
  EXPECT_EQ(kNotInitialized, DismShutdown());
  DismImageInfo* info = nullptr;
  UINT count = 0;
  EXPECT_EQ(kNotInitialized, DismGetImageInfo(wide(fixture("base.wim")).c_str(), &info, &count));
  DismMountedImageInfo* mounts = nullptr;
  EXPECT_EQ(kNotInitialized, DismGetMountedImageInfo(&mounts, &count));
  EXPECT_EQ(kNotInitialized,
            DismMountImage(wide(fixture("base.wim")).c_str(), wide(dir() / "m").c_str(), 1, nullptr,
                           DismImageIndex, DISM_MOUNT_READONLY, nullptr, nullptr, nullptr));
  EXPECT_FALSE(fs::exists(dir() / "m"));
  EXPECT_EQ(kNotInitialized,
            DismUnmountImage(wide(dir()).c_str(), DISM_DISCARD_IMAGE, nullptr, nullptr, nullptr));
  EXPECT_EQ(kNotInitialized, DismCommitImage(1, 0, nullptr, nullptr, nullptr));
  EXPECT_EQ(kNotInitialized, DismApplyUnattend(1, L"/unattend.xml", FALSE));
  EXPECT_EQ(kNotInitialized, DismRemountImage(wide(dir()).c_str()));
  EXPECT_EQ(kNotInitialized, DismCleanupMountpoints());
  DismString* message = nullptr;
  EXPECT_EQ(kNotInitialized, DismGetLastErrorMessage(&message));
}

TEST_F(Uninitialized, InitializeShutdownInitializeAgain) {
  fs::path log = dir() / "logs" / "dism.log";
  EXPECT_EQ(S_OK, DismInitialize(DismLogErrorsWarningsInfo, wide(log).c_str(), nullptr));
  EXPECT_EQ(S_OK, DismShutdown());
  EXPECT_TRUE(fs::exists(log));  // with its directory, as DISM makes it
  EXPECT_EQ(hr_of(DISMAPI_E_DISMAPI_NOT_INITIALIZED), DismShutdown());
  EXPECT_EQ(S_OK, DismInitialize(DismLogErrors, nullptr, nullptr));
  EXPECT_EQ(S_OK, DismShutdown());
}

// A log that cannot be created fails the call whole: the API stays
// uninitialized, so a second DismInitialize works.
TEST_F(Uninitialized, ALogThatCannotBeCreatedFailsInitialize) {
  fs::path file = dir() / "a-file";
  std::ofstream(file) << "not a directory";
  fs::path log = file / "dism.log";
  HRESULT hr = DismInitialize(DismLogErrors, wide(log).c_str(), nullptr);
  EXPECT_TRUE(FAILED(hr)) << hex(hr);
  EXPECT_NE(hr_of(DISMAPI_E_DISMAPI_ALREADY_INITIALIZED), hr);
  EXPECT_EQ(hr_of(DISMAPI_E_DISMAPI_NOT_INITIALIZED), DismShutdown());
  EXPECT_EQ(S_OK, DismInitialize(DismLogErrors, nullptr, nullptr));
  EXPECT_EQ(S_OK, DismShutdown());
}

TEST_F(Uninitialized, RejectsAnUnknownLogLevel) {
  EXPECT_EQ(E_INVALIDARG, DismInitialize(static_cast<DismLogLevel>(9), nullptr, nullptr));
  EXPECT_EQ(hr_of(DISMAPI_E_DISMAPI_NOT_INITIALIZED), DismShutdown());
}

TEST_F(CapiTest, SecondInitializeFailsWithAlreadyInitialized) {
  HRESULT hr = DismInitialize(DismLogErrors, nullptr, nullptr);
  EXPECT_EQ(hr_of(DISMAPI_E_DISMAPI_ALREADY_INITIALIZED), hr);
  EXPECT_EQ(HRESULT_FROM_WIN32(ERROR_ALREADY_INITIALIZED), hr);
  EXPECT_NE(std::string::npos, last_error_message().find("already initialized"));
}

TEST_F(CapiTest, ShutdownFailsWhileASessionIsOpen) {
  fs::path tree = fixture("tree");
  DismSession session = open_session(tree);
  EXPECT_EQ(hr_of(DISMAPI_E_OPEN_SESSION_HANDLES), DismShutdown());
  // Still initialized: the session can be used and closed.
  DismImageHealthState health = DismImageNonRepairable;
  EXPECT_EQ(S_OK, DismCheckImageHealth(session, FALSE, nullptr, nullptr, nullptr, &health));
  EXPECT_EQ(DismImageHealthy, health);
  EXPECT_EQ(S_OK, DismCloseSession(session));
}

TEST_F(CapiTest, ShutdownDoesNotChangeTheLastErrorMessage) {
  EXPECT_EQ(hr_of(DISMAPI_E_INVALID_DISM_SESSION), DismCloseSession(12345));
  std::string before = last_error_message();
  DismSession session = open_session(fixture("tree"));
  EXPECT_EQ(hr_of(DISMAPI_E_OPEN_SESSION_HANDLES), DismShutdown());
  EXPECT_EQ(before, last_error_message());
  EXPECT_EQ(S_OK, DismCloseSession(session));
}

}  // namespace
}  // namespace capi_test
