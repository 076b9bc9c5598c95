#include "dismake/session/session_table.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <climits>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "dismake/base/error.h"
#include "support/latch.h"
#include "support/thrown_error.h"

namespace dismake {
namespace {

using test::hresult_of;
using test::Latch;

TEST(SessionTableTest, HandlesAreNonZeroAndNeverReused) {
  SessionTable table;
  SessionTable other;
  std::set<SessionHandle> seen;
  for (int i = 0; i < 1000; ++i) {
    SessionHandle handle = table.open("/mnt/a");
    SessionHandle elsewhere = other.open("/mnt/a");
    EXPECT_NE(handle, 0u);
    EXPECT_TRUE(seen.insert(handle).second) << "handle " << handle << " reused";
    EXPECT_TRUE(seen.insert(elsewhere).second) << "handle " << elsewhere << " reused";
    table.close(handle);
    other.close(elsewhere);
  }
}

TEST(SessionTableTest, KnowsEachSessionsTarget) {
  SessionTable table;
  SessionHandle a1 = table.open("/mnt/a");
  SessionHandle a2 = table.open("/mnt/a/");
  SessionHandle b = table.open("/mnt/x/../b");
  EXPECT_EQ(table.target_of(a1), "/mnt/a");
  EXPECT_EQ(table.target_of(b), "/mnt/b");
  EXPECT_EQ(table.open_count(), 3u);
  EXPECT_EQ(table.sessions_on("/mnt/a"), 2u);
  EXPECT_EQ(table.sessions_on("/mnt/b/"), 1u);
  EXPECT_EQ(table.sessions_on("/mnt/c"), 0u);
  table.close(a2);
  EXPECT_EQ(table.sessions_on("/mnt/a"), 1u);
  EXPECT_EQ(table.begin_operation(a1).target(), "/mnt/a");
}

TEST(SessionTableTest, RefusesRelativeTarget) {
  SessionTable table;
  EXPECT_EQ(hresult_of([&] { table.open("mnt/a"); }), hr::kInvalidArg);
  EXPECT_EQ(table.open_count(), 0u);
}

TEST(SessionTableTest, UnknownOrClosedHandleIsInvalidSession) {
  SessionTable table;
  SessionTable other;
  SessionHandle foreign = other.open("/mnt/a");
  for (SessionHandle unknown : {0u, UINT_MAX, foreign}) {
    EXPECT_EQ(hresult_of([&] { table.close(unknown); }), hr::kInvalidDismSession);
    EXPECT_EQ(hresult_of([&] { table.begin_operation(unknown); }), hr::kInvalidDismSession);
    EXPECT_EQ(hresult_of([&] { table.target_of(unknown); }), hr::kInvalidDismSession);
  }
  SessionHandle handle = table.open("/mnt/a");
  EXPECT_EQ(hresult_of([&] { table.close(handle); }), hr::kOk);
  EXPECT_EQ(hresult_of([&] { table.close(handle); }), hr::kInvalidDismSession);
  EXPECT_EQ(hresult_of([&] { table.begin_operation(handle); }), hr::kInvalidDismSession);
  EXPECT_EQ(hresult_of([&] { table.target_of(handle); }), hr::kInvalidDismSession);
}

// The heart of DismCloseSession: operations in flight on other threads
// finish, close waits for them, and everything after close began is refused.
TEST(SessionTableTest, CloseWaitsForOperationsInFlightAndRefusesLaterCalls) {
  constexpr int kOperations = 4;
  SessionTable table;
  SessionHandle handle = table.open("/mnt/image");
  Latch close_began(1);
  table.set_close_started_hook([&](SessionHandle) { close_began.count_down(); });

  Latch operations_inside(kOperations);
  Latch release_operations(1);
  std::atomic<int> clock{0};
  std::array<int, kOperations> finished_at{};
  std::array<std::string, kOperations> results;
  std::vector<std::thread> operations;
  operations.reserve(kOperations);
  for (int i = 0; i < kOperations; ++i) {
    operations.emplace_back([&, i] {
      SessionTable::Operation operation = table.begin_operation(handle);
      operations_inside.count_down();
      release_operations.wait();  // the slow part of the operation
      results[i] = operation.target();
      finished_at[i] = ++clock;  // still inside: the guard ends after this
    });
  }
  operations_inside.wait();

  Latch close_returned(1);
  int close_returned_at = 0;
  std::thread closer([&] {
    table.close(handle);
    close_returned_at = ++clock;
    close_returned.count_down();
  });
  close_began.wait();

  // Close has begun and is waiting: every new call fails, on any thread.
  EXPECT_EQ(hresult_of([&] { table.begin_operation(handle); }), hr::kInvalidDismSession);
  EXPECT_EQ(hresult_of([&] { table.target_of(handle); }), hr::kInvalidDismSession);
  EXPECT_EQ(hresult_of([&] { table.close(handle); }), hr::kInvalidDismSession);
  HResult late = hr::kOk;
  std::thread([&] { late = hresult_of([&] { table.begin_operation(handle); }); }).join();
  EXPECT_EQ(late, hr::kInvalidDismSession);
  // Not yet destroyed: its operations still run on the mount.
  EXPECT_EQ(table.open_count(), 1u);
  EXPECT_EQ(table.sessions_on("/mnt/image"), 1u);
  EXPECT_FALSE(close_returned.wait_for(std::chrono::milliseconds(100)))
      << "close returned while operations were still in flight";

  release_operations.count_down();
  for (std::thread& operation : operations) operation.join();
  closer.join();
  for (int i = 0; i < kOperations; ++i) {
    EXPECT_EQ(results[i], "/mnt/image") << "operation " << i;
    EXPECT_LT(finished_at[i], close_returned_at) << "operation " << i;
  }
  EXPECT_EQ(table.open_count(), 0u);
  EXPECT_EQ(hresult_of([&] { table.close(handle); }), hr::kInvalidDismSession);
}

// Many threads start operations as fast as they can while the session is
// closed: each either started before close began, and then ended before close
// returned, or was refused with DISMAPI_E_INVALID_DISM_SESSION.
TEST(SessionTableTest, OperationsRacingCloseFinishFirstOrAreRefused) {
  constexpr int kWorkers = 6;
  for (int round = 0; round < 20; ++round) {
    SessionTable table;
    SessionHandle handle = table.open("/mnt/image");
    std::atomic<int> clock{0};
    std::array<int, kWorkers> last_finished_at{};
    std::array<HResult, kWorkers> refusal{};
    Latch all_working(kWorkers);
    std::vector<std::thread> workers;
    workers.reserve(kWorkers);
    for (int w = 0; w < kWorkers; ++w) {
      workers.emplace_back([&, w] {
        bool first = true;
        while (true) {
          try {
            SessionTable::Operation operation = table.begin_operation(handle);
            std::this_thread::yield();
            last_finished_at[w] = ++clock;
          } catch (const Error& error) {
            refusal[w] = error.code();
            return;
          }
          if (first) all_working.count_down();
          first = false;
        }
      });
    }
    all_working.wait();
    table.close(handle);
    int close_returned_at = ++clock;
    for (std::thread& worker : workers) worker.join();
    for (int w = 0; w < kWorkers; ++w) {
      EXPECT_EQ(refusal[w], hr::kInvalidDismSession) << "worker " << w;
      EXPECT_LT(last_finished_at[w], close_returned_at) << "worker " << w;
    }
  }
}

TEST(SessionTableTest, CloseFromInsideItsOwnOperationIsRefusedNotDeadlocked) {
  SessionTable table;
  SessionHandle handle = table.open("/mnt/image");
  {
    SessionTable::Operation operation = table.begin_operation(handle);
    EXPECT_EQ(hresult_of([&] { table.close(handle); }), hr::kBusy);
    EXPECT_EQ(table.target_of(handle), "/mnt/image");  // still open and usable
  }
  EXPECT_EQ(hresult_of([&] { table.close(handle); }), hr::kOk);
}

TEST(SessionTableTest, MovedOperationEndsOnce) {
  SessionTable table;
  SessionHandle handle = table.open("/mnt/image");
  {
    SessionTable::Operation first = table.begin_operation(handle);
    SessionTable::Operation moved(std::move(first));
    EXPECT_EQ(moved.handle(), handle);
    SessionTable::Operation second = table.begin_operation(handle);
  }
  // Both ended exactly once: close does not wait, and the table is consistent.
  EXPECT_EQ(hresult_of([&] { table.close(handle); }), hr::kOk);
}

}  // namespace
}  // namespace dismake
