// DismUnmountImage refuses while any session is open on the mount
// (DISMAPI_E_OPEN_HANDLES_UNABLE_TO_UNMOUNT_IMAGE_PATH), whichever process
// opened it, and leaves the mount usable; once they are closed it unmounts.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>

#include "dismake/session/session_records.h"
#include "support/capi_test_support.h"

namespace capi_test {
namespace {

const HRESULT kOpenHandles = hr_of(DISMAPI_E_OPEN_HANDLES_UNABLE_TO_UNMOUNT_IMAGE_PATH);

HRESULT discard(const fs::path& mount_dir) {
  return DismUnmountImage(wide(mount_dir).c_str(), DISM_DISCARD_IMAGE, nullptr, nullptr, nullptr);
}

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

// Runs `command` through the shell, stdout and stderr together.
CommandResult run(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return result;
  std::array<char, 256> buffer;
  while (std::fgets(buffer.data(), buffer.size(), pipe)) result.output += buffer.data();
  int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string dismake_cli() {
  const char* path = std::getenv("DISMAKE");
  return path ? path : "";
}

TEST_F(CapiTest, UnmountRefusedWhileThisProcessHasASession) {
  fs::path mount_dir = mount(copy_fixture("base.wim"));
  DismSession session = open_session(mount_dir);
  EXPECT_EQ(kOpenHandles, discard(mount_dir));
  EXPECT_NE(std::string::npos, last_error_message().find("0xC004000A"));
  // The mount is intact and usable through the session.
  EXPECT_TRUE(fs::exists(mount_dir / "Windows" / "win.ini"));
  write_file(mount_dir / "Windows" / "after-refusal.txt", 100);
  EXPECT_EQ(S_OK, DismCommitImage(session, 0, nullptr, nullptr, nullptr)) << last_error_message();
  DismImageHealthState health = DismImageNonRepairable;
  EXPECT_EQ(S_OK, DismCheckImageHealth(session, TRUE, nullptr, nullptr, nullptr, &health));
  EXPECT_EQ(DismImageHealthy, health);

  EXPECT_EQ(S_OK, DismCloseSession(session));
  EXPECT_EQ(S_OK, discard(mount_dir)) << last_error_message();
  EXPECT_FALSE(fs::exists(mount_dir));
}

TEST_F(CapiTest, UnmountWithCommitRefusedWhileASessionIsOpenAndNothingIsWritten) {
  fs::path wim = copy_fixture("single.wim");
  auto size_before = fs::file_size(wim);
  fs::path mount_dir = mount(wim);
  write_file(mount_dir / "new.bin", 1 << 20);
  DismSession session = open_session(mount_dir);
  EXPECT_EQ(kOpenHandles, DismUnmountImage(wide(mount_dir).c_str(), DISM_COMMIT_IMAGE, nullptr,
                                           nullptr, nullptr));
  EXPECT_EQ(size_before, fs::file_size(wim));
  EXPECT_TRUE(fs::exists(mount_dir / "new.bin"));
  EXPECT_EQ(S_OK, DismCloseSession(session));
  EXPECT_EQ(S_OK, discard(mount_dir));
}

// Another process's session is a record in the mount's record directory
// (session_records.h); here one written as `dismake open-session` would.
TEST_F(CapiTest, UnmountRefusedWhileAnotherProcessHasASession) {
  fs::path mount_dir = mount(copy_fixture("single.wim"));
  dismake::SessionRecords records(mount_dir.string() + ".dismake");
  dismake::SessionRecord other = records.open("build", dismake::SessionOwner::kCli, ::getpid());
  EXPECT_EQ(kOpenHandles, discard(mount_dir));
  EXPECT_NE(std::string::npos, last_error_message().find("cli process"));
  EXPECT_TRUE(fs::exists(mount_dir / "Windows"));
  records.close(other.id);
  EXPECT_EQ(S_OK, discard(mount_dir)) << last_error_message();
}

// A child process that exits once the test has recorded a session for it.
struct DeadProcessSession {
  explicit DeadProcessSession(const fs::path& mount_dir) {
    pid_t child = ::fork();
    if (child == 0) {
      ::pause();
      ::_exit(0);
    }
    dismake::SessionRecords(mount_dir.string() + ".dismake")
        .open("", dismake::SessionOwner::kApi, child);
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
  }
};

std::size_t record_files(const fs::path& mount_dir) {
  fs::path dir = mount_dir.string() + ".dismake/sessions";
  std::size_t count = 0;
  if (fs::exists(dir))
    for (const auto& entry : fs::directory_iterator(dir))
      count += entry.path().extension() == ".json";
  return count;
}

TEST_F(CapiTest, SessionOfAnExitedProcessBlocksNothingAndCleanupReapsIt) {
  fs::path mount_dir = mount(copy_fixture("single.wim"));
  DeadProcessSession stale(mount_dir);
  EXPECT_EQ(1u, record_files(mount_dir));
  EXPECT_EQ(S_OK, DismCleanupMountpoints()) << last_error_message();
  EXPECT_EQ(0u, record_files(mount_dir));
  DeadProcessSession another(mount_dir);
  EXPECT_EQ(S_OK, discard(mount_dir)) << last_error_message();
}

// The other direction: the `dismake` CLI, in its own process, must refuse to
// unmount while this process holds an API session on the mount.
TEST_F(CapiTest, CliUnmountRefusedWhileAnApiSessionIsOpen) {
  if (dismake_cli().empty()) GTEST_SKIP() << "DISMAKE (the CLI) is not set";
  fs::path mount_dir = mount(copy_fixture("single.wim"));
  DismSession session = open_session(mount_dir);
  std::string unmount = "'" + dismake_cli() + "' unmount --discard '" + mount_dir.string() + "'";

  CommandResult refused = run(unmount);
  EXPECT_NE(0, refused.exit_code) << "the CLI unmounted a mount with an open API session:\n"
                                  << refused.output;
  EXPECT_NE(std::string::npos, refused.output.find("0xC004000A")) << refused.output;
  bool still_mounted = fs::exists(mount_dir / "Windows");
  EXPECT_TRUE(still_mounted);

  EXPECT_EQ(S_OK, DismCloseSession(session));
  if (still_mounted) {
    CommandResult done = run(unmount);
    EXPECT_EQ(0, done.exit_code) << done.output;
    EXPECT_FALSE(fs::exists(mount_dir));
  }
}

TEST_F(CapiTest, UnmountOfWhatIsNoMount) {
  EXPECT_EQ(hr_of(DISMAPI_E_UNABLE_TO_UNMOUNT_IMAGE_PATH), discard(dir()));
  fs::path mount_dir = mount(copy_fixture("single.wim"));
  EXPECT_EQ(E_INVALIDARG, DismUnmountImage(wide(mount_dir).c_str(), 7, nullptr, nullptr, nullptr));
  EXPECT_EQ(HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED),
            DismUnmountImage(wide(mount_dir).c_str(), DISM_COMMIT_IMAGE | DISM_COMMIT_APPEND,
                             nullptr, nullptr, nullptr));
  EXPECT_EQ(S_OK, discard(mount_dir));
}

}  // namespace
}  // namespace capi_test
