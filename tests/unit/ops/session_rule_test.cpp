// The session rule every front's store has (ops/store_with_session_rule.h):
// a live session, another process's record or one the caller holds,
// refuses the unmount and keeps the mount; a stale one is reported and
// discarded; the one cleanup reaps stale sessions with the mounts.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dismake/ops/store_with_session_rule.h"
#include "dismake/session/session_records.h"
#include "support/ops_test_support.h"

namespace dismake {
namespace {

using test::hresult_of;

class SessionRuleTest : public test::StepsTest {
 protected:
  fs::path record_dir(const fs::path& mount_dir) { return MountPaths::of(mount_dir).record_dir; }

  // A session opened by a process that has exited since.
  void open_stale_session(const fs::path& mount_dir, const std::string& name) {
    pid_t child = ::fork();
    if (child == 0) {
      ::pause();
      ::_exit(0);
    }
    SessionRecords(record_dir(mount_dir)).open(name, SessionOwner::kApi, child);
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
  }
};

TEST_F(SessionRuleTest, ALiveSessionRefusesTheUnmountAndKeepsTheMount) {
  fs::path m = mount("m", /*lazy=*/true);
  SessionRecord live = SessionRecords(record_dir(m)).open("svc", SessionOwner::kApi, ::getpid());
  EXPECT_EQ(hresult_of([&] { store.unmount(m, std::nullopt); }),
            hr::kOpenHandlesUnableToUnmountImagePath);
  EXPECT_EQ(store.list().size(), 1u);
  EXPECT_TRUE(fs::exists(MountPaths::of(m).record_file()));
  SessionRecords(record_dir(m)).close(live.id);
  store.unmount(m, std::nullopt);
  EXPECT_TRUE(store.list().empty());
}

TEST_F(SessionRuleTest, TheCallersOwnSessionsRefuseTheUnmount) {
  fs::path m = mount("m", /*lazy=*/true);
  std::vector<fs::path> asked;
  SessionRuleFront front;
  front.in_process = [&](const fs::path& mount_dir) {
    asked.push_back(mount_dir);
    return std::size_t{1};
  };
  MountStore api_store = mount_store_with_session_rule(store.registry(), front);
  EXPECT_EQ(hresult_of([&] { api_store.unmount(m, std::nullopt); }),
            hr::kOpenHandlesUnableToUnmountImagePath);
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0], MountPaths::of(m).mount_dir);
  EXPECT_EQ(store.list().size(), 1u);
}

TEST_F(SessionRuleTest, AStaleSessionIsReportedAndDoesNotBlock) {
  fs::path m = mount("m", /*lazy=*/true);
  open_stale_session(m, "gone");
  std::vector<std::string> notices;
  SessionRuleFront front;
  front.notice = [&](const std::string& line) { notices.push_back(line); };
  MountStore cli_store = mount_store_with_session_rule(store.registry(), front);
  cli_store.unmount(m, std::nullopt);
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_NE(notices[0].find("session gone on "), std::string::npos) << notices[0];
  EXPECT_NE(notices[0].find("was never closed"), std::string::npos) << notices[0];
  EXPECT_TRUE(store.list().empty());
}

TEST_F(SessionRuleTest, CleanupReapsStaleSessionsAndKeepsLiveOnes) {
  fs::path m = mount("m", /*lazy=*/true);
  open_stale_session(m, "gone");
  SessionRecords(record_dir(m)).open("live", SessionOwner::kApi, ::getpid());
  CleanupReport report = clean_up_mounts(store, /*force=*/false);
  ASSERT_EQ(report.actions.size(), 1u);
  EXPECT_EQ(report.actions[0].action, "closed-session");
  EXPECT_NE(report.actions[0].detail.find("session gone (api)"), std::string::npos)
      << report.actions[0].detail;
  std::vector<SessionRecord> left = SessionRecords(record_dir(m)).list();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].name, "live");
}

}  // namespace
}  // namespace dismake
