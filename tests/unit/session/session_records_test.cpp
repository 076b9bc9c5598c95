#include "dismake/session/session_records.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "support/scratch_dir.h"
#include "support/thrown_error.h"

namespace dismake {
namespace {

using nlohmann::json;

using test::error_of;
using test::hresult_of;

// A child process that runs until told to exit, standing in for another
// process that opened a session.
class ChildProcess {
 public:
  ChildProcess() {
    int fds[2];
    if (::pipe(fds) != 0) std::abort();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(fds[1]);
      char byte;
      while (::read(fds[0], &byte, 1) > 0) {
      }
      ::_exit(0);
    }
    ::close(fds[0]);
    write_end_ = fds[1];
  }
  ~ChildProcess() {
    tell_to_exit();
    reap();
  }

  pid_t pid() const { return pid_; }

  // Waits until the child has exited, leaving it a zombie.
  void exit_as_zombie() {
    tell_to_exit();
    siginfo_t info{};
    ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT);
  }

  // Waits until the child has exited and is gone: its pid names no process.
  void exit_and_reap() {
    tell_to_exit();
    reap();
  }

 private:
  void tell_to_exit() {
    if (write_end_ >= 0) ::close(write_end_);
    write_end_ = -1;
  }
  void reap() {
    if (pid_ > 0) ::waitpid(pid_, nullptr, 0);
    pid_ = -pid_;  // keeps pid() meaningful for the test after reaping
  }

  pid_t pid_;
  int write_end_ = -1;
};

class SessionRecordsTest : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directory(record_dir_); }

  std::filesystem::path record_file(const SessionRecord& record) const {
    return record_dir_ / "sessions" / (record.id + ".json");
  }

  // Rewrites one field of a record on disk, as another writer or damage would.
  void edit_record(const SessionRecord& record, const std::string& field, const json& value) {
    json content = json::parse(read_file(record_file(record)));
    content[field] = value;
    write_file_atomic(record_file(record), content.dump());
  }

  const SessionRecord* find(const std::vector<SessionRecord>& records, const std::string& name) {
    for (const SessionRecord& record : records)
      if (record.name == name) return &record;
    return nullptr;
  }

  test::ScratchDir scratch_;
  std::filesystem::path record_dir_ = scratch_ / "state";
};

TEST_F(SessionRecordsTest, OpenListCloseAcrossInstances) {
  SessionRecords writer(record_dir_);
  SessionRecords reader(record_dir_);
  SessionRecord opened = writer.open("build", SessionOwner::kCli, ::getpid());
  SessionRecord unnamed = writer.open("", SessionOwner::kApi, ::getpid());

  std::vector<SessionRecord> seen = reader.list();
  ASSERT_EQ(seen.size(), 2u);
  const SessionRecord* build = find(seen, "build");
  ASSERT_NE(build, nullptr);
  EXPECT_EQ(build->id, opened.id);
  EXPECT_EQ(build->pid, ::getpid());
  EXPECT_EQ(build->owner, SessionOwner::kCli);
  EXPECT_FALSE(build->stale);
  EXPECT_EQ(reader.live_count(), 2u);

  EXPECT_EQ(reader.close("build").id, opened.id);      // by name
  EXPECT_EQ(reader.close(unnamed.id).id, unnamed.id);  // by id
  EXPECT_TRUE(writer.list().empty());
  EXPECT_EQ(writer.live_count(), 0u);
}

TEST_F(SessionRecordsTest, RecordFileHoldsTheDocumentedFields) {
  SessionRecord opened = SessionRecords(record_dir_).open("build", SessionOwner::kApi, ::getpid());
  json content = json::parse(read_file(record_file(opened)));
  EXPECT_EQ(content.at("id"), opened.id);
  EXPECT_EQ(content.at("name"), "build");
  EXPECT_EQ(content.at("owner"), "api");
  EXPECT_EQ(content.at("pid"), ::getpid());
  EXPECT_EQ(content.at("start_time"), opened.start_time);
  EXPECT_EQ(content.at("boot_id"), opened.boot_id);
  EXPECT_FALSE(opened.boot_id.empty());
  EXPECT_TRUE(std::regex_match(content.at("opened_at").get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
  EXPECT_FALSE(content.contains("stale"));
}

TEST_F(SessionRecordsTest, ReopeningALiveNameNeedsReuse) {
  SessionRecords records(record_dir_);
  SessionRecord first = records.open("build", SessionOwner::kCli, ::getpid());
  // What every build's `dismake open-session --name build` does.
  EXPECT_EQ(records.open("build", SessionOwner::kCli, ::getpid(), true).id, first.id);
  EXPECT_EQ(hresult_of([&] { records.open("build", SessionOwner::kCli, ::getpid()); }),
            hr::kAlreadyExists);
  EXPECT_EQ(hresult_of([&] { records.open("build", SessionOwner::kApi, ::getpid(), true); }),
            hr::kAlreadyExists);
  EXPECT_EQ(records.list().size(), 1u);
}

TEST_F(SessionRecordsTest, ApiSessionIsNotAdoptedByAnotherProcess) {
  SessionRecords records(record_dir_);
  ChildProcess other;
  records.open("tool", SessionOwner::kApi, other.pid());
  EXPECT_EQ(hresult_of([&] { records.open("tool", SessionOwner::kApi, ::getpid(), true); }),
            hr::kAlreadyExists);
}

TEST_F(SessionRecordsTest, CloseOfUnknownSessionIsInvalidSession) {
  SessionRecords records(record_dir_);
  Error error = error_of([&] { records.close("nothing"); });
  EXPECT_EQ(error.code(), hr::kInvalidDismSession);
  EXPECT_NE(error.hint().find("dismake list-mounts"), std::string::npos);
  SessionRecord opened = records.open("build", SessionOwner::kCli, ::getpid());
  records.close(opened.id);
  EXPECT_EQ(hresult_of([&] { records.close(opened.id); }), hr::kInvalidDismSession);
  EXPECT_EQ(hresult_of([&] { records.close("build"); }), hr::kInvalidDismSession);
}

TEST_F(SessionRecordsTest, OpenChecksNameAndProcess) {
  SessionRecords records(record_dir_);
  EXPECT_EQ(hresult_of([&] { records.open("a b", SessionOwner::kCli, ::getpid()); }),
            hr::kInvalidArg);
  EXPECT_EQ(hresult_of([&] { records.open(std::string(65, 'a'), SessionOwner::kCli, ::getpid()); }),
            hr::kInvalidArg);
  ChildProcess gone;
  gone.exit_and_reap();
  EXPECT_EQ(hresult_of([&] { records.open("x", SessionOwner::kApi, gone.pid()); }),
            hr::kInvalidArg);
  EXPECT_EQ(hresult_of([&] { records.open("x", SessionOwner::kApi, 0); }), hr::kInvalidArg);
  EXPECT_TRUE(records.list().empty());
}

TEST_F(SessionRecordsTest, SessionsOfExitedProcessAreStaleAndReapedWhateverTheirOwner) {
  SessionRecords records(record_dir_);
  // Forked first, so that the child does not inherit the holder's pipe.
  ChildProcess holder;  // a build tool or shell that outlives the child
  ChildProcess child;
  records.open("api-session", SessionOwner::kApi, child.pid());
  records.open("cli-session", SessionOwner::kCli, child.pid());
  records.open("held", SessionOwner::kCli, holder.pid());
  EXPECT_EQ(records.live_count(), 3u);

  child.exit_and_reap();
  std::vector<SessionRecord> listed = records.list();
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_TRUE(find(listed, "api-session")->stale);
  EXPECT_NE(find(listed, "api-session")->stale_reason.find("has exited"), std::string::npos);
  EXPECT_TRUE(find(listed, "cli-session")->stale);
  EXPECT_FALSE(find(listed, "held")->stale);
  EXPECT_EQ(records.live_count(), 1u);

  ReapedSessions reaped = records.reap_stale();
  ASSERT_EQ(reaped.stale.size(), 2u);
  EXPECT_TRUE(reaped.corrupt.empty());
  listed = records.list();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].name, "held");
}

TEST_F(SessionRecordsTest, ZombieProcessCountsAsExited) {
  SessionRecords records(record_dir_);
  ChildProcess child;
  records.open("api-session", SessionOwner::kApi, child.pid());
  child.exit_as_zombie();
  EXPECT_EQ(records.live_count(), 0u);
}

TEST_F(SessionRecordsTest, RecycledPidOrOtherBootIsStale) {
  SessionRecords records(record_dir_);
  SessionRecord recycled = records.open("recycled", SessionOwner::kApi, ::getpid());
  SessionRecord rebooted = records.open("rebooted", SessionOwner::kApi, ::getpid());
  SessionRecord cli = records.open("cli", SessionOwner::kCli, ::getpid());
  EXPECT_EQ(records.live_count(), 3u);

  // Right pid, but the process it named started at another time.
  edit_record(recycled, "start_time", recycled.start_time + 1);
  edit_record(rebooted, "boot_id", "00000000-0000-0000-0000-000000000000");
  edit_record(cli, "boot_id", "00000000-0000-0000-0000-000000000000");
  std::vector<SessionRecord> listed = records.list();
  EXPECT_TRUE(find(listed, "recycled")->stale);
  EXPECT_NE(find(listed, "recycled")->stale_reason.find("another process"), std::string::npos);
  EXPECT_TRUE(find(listed, "rebooted")->stale);
  EXPECT_NE(find(listed, "rebooted")->stale_reason.find("booted"), std::string::npos);
  EXPECT_TRUE(find(listed, "cli")->stale);  // its build did not survive the reboot
  EXPECT_EQ(records.live_count(), 0u);
}

TEST_F(SessionRecordsTest, StaleSessionsNameCanBeOpenedAgain) {
  SessionRecords records(record_dir_);
  SessionRecord old = records.open("tool", SessionOwner::kApi, ::getpid());
  edit_record(old, "start_time", old.start_time + 1);
  SessionRecord fresh = records.open("tool", SessionOwner::kApi, ::getpid());
  EXPECT_NE(fresh.id, old.id);
  std::vector<SessionRecord> listed = records.list();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id, fresh.id);
  EXPECT_FALSE(std::filesystem::exists(record_file(old)));
}

// Decision (see session_records.h): a record that cannot be read may belong to
// a live session, so reading refuses, naming the file, and cleanup removes it.
TEST_F(SessionRecordsTest, CorruptRecordIsReportedNamingTheFileAndReaped) {
  SessionRecords records(record_dir_);
  records.open("build", SessionOwner::kCli, ::getpid());
  std::filesystem::path garbage = record_dir_ / "sessions" / (std::string(32, 'a') + ".json");
  write_file_atomic(garbage, "{not json");

  for (const auto& call : std::vector<std::function<void()>>{
           [&] { records.list(); },
           [&] { records.live_count(); },
           [&] { records.open("other", SessionOwner::kCli, ::getpid()); },
           [&] { records.close("build"); },
       }) {
    Error error = error_of(call);
    EXPECT_EQ(error.code(), hr::kFileCorrupt);
    EXPECT_NE(error.problem().find(garbage.string()), std::string::npos) << error.what();
    EXPECT_NE(error.hint().find("dismake cleanup"), std::string::npos);
  }

  ReapedSessions reaped = records.reap_stale();
  EXPECT_TRUE(reaped.stale.empty());
  ASSERT_EQ(reaped.corrupt.size(), 1u);
  EXPECT_EQ(reaped.corrupt[0], garbage);
  EXPECT_FALSE(std::filesystem::exists(garbage));
  ASSERT_EQ(records.list().size(), 1u);  // the healthy record survives
}

TEST_F(SessionRecordsTest, WellFormedJsonOfTheWrongShapeIsCorrupt) {
  SessionRecords records(record_dir_);
  SessionRecord missing_pid = records.open("a", SessionOwner::kCli, ::getpid());
  json content = json::parse(read_file(record_file(missing_pid)));
  content.erase("pid");
  write_file_atomic(record_file(missing_pid), content.dump());
  EXPECT_EQ(hresult_of([&] { records.list(); }), hr::kFileCorrupt);
  records.reap_stale();

  SessionRecord bad_owner = records.open("b", SessionOwner::kCli, ::getpid());
  edit_record(bad_owner, "owner", "someone");
  EXPECT_EQ(hresult_of([&] { records.list(); }), hr::kFileCorrupt);
  records.reap_stale();

  // A record copied under another file name is not that session.
  SessionRecord copied = records.open("c", SessionOwner::kCli, ::getpid());
  std::filesystem::copy_file(record_file(copied),
                             record_dir_ / "sessions" / (std::string(32, 'b') + ".json"));
  EXPECT_EQ(hresult_of([&] { records.list(); }), hr::kFileCorrupt);
  EXPECT_EQ(records.reap_stale().corrupt.size(), 1u);
  EXPECT_EQ(records.list().size(), 1u);
}

TEST_F(SessionRecordsTest, WritersLeftoverTemporaryFileIsNoRecordAndIsReaped) {
  SessionRecords records(record_dir_);
  SessionRecord opened = records.open("build", SessionOwner::kCli, ::getpid());
  std::filesystem::path leftover = record_file(opened).string() + ".tmp-99999-0";
  write_file_atomic(leftover, "{half");
  EXPECT_EQ(records.list().size(), 1u);
  records.reap_stale();
  EXPECT_FALSE(std::filesystem::exists(leftover));
  EXPECT_EQ(records.list().size(), 1u);
}

TEST_F(SessionRecordsTest, ConcurrentOpensKeepNamesUnique) {
  constexpr int kThreads = 8;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  std::vector<std::string> ids(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      SessionRecords records(record_dir_);  // one lock file descriptor per writer
      ids[i] = records.open("shared", SessionOwner::kCli, ::getpid(), true).id;
      records.open("own-" + std::to_string(i), SessionOwner::kCli, ::getpid());
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 1u);
  EXPECT_EQ(SessionRecords(record_dir_).list().size(), kThreads + 1u);
}

}  // namespace
}  // namespace dismake
