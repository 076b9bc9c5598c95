// DismCloseSession with real threads, DISM's contract to the letter:
// operations already running on the session complete before it is
// destroyed, close returns only after they have, and calls made after close
// began fail with DISMAPI_E_INVALID_DISM_SESSION.
//
// Threads are held inside their operations by a progress callback that
// waits on a latch the test releases. "After close began" is made
// deterministic by polling a quick per-session call until it is refused:
// until close begins it succeeds, so the first refusal is a call that
// started after close began, while the held operations are still running.
#include <atomic>
#include <thread>
#include <vector>

#include "support/capi_test_support.h"

namespace capi_test {
namespace {

using namespace std::chrono_literals;

// Orders events across threads: each event takes the next tick.
std::atomic<int> clock_ticks{0};
int tick() { return ++clock_ticks; }

// One thread held inside an operation.
struct HeldOperation {
  Latch* entered;
  Latch* release;
  std::atomic<bool> first_call{true};
  std::atomic<int> completed_at{0};  // tick of the final (Current == Total) report
  HRESULT result = E_FAIL;
};

void hold_on_first_report(UINT current, UINT total, PVOID data) {
  auto* held = static_cast<HeldOperation*>(data);
  if (held->first_call.exchange(false)) {
    held->entered->count_down();
    held->release->wait();
  }
  if (current == total) held->completed_at = tick();
}

// Polls until a new call on `session` is refused; true once it is.
bool wait_until_calls_are_refused(DismSession session) {
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    DismImageHealthState health;
    HRESULT hr = DismCheckImageHealth(session, FALSE, nullptr, nullptr, nullptr, &health);
    if (hr == hr_of(DISMAPI_E_INVALID_DISM_SESSION)) return true;
    EXPECT_EQ(S_OK, hr) << hex(hr);
    std::this_thread::sleep_for(1ms);
  }
  return false;
}

class CloseSessionThreads : public CapiTest {
 protected:
  void TearDown() override {
    if (!mount_dir_.empty()) {
      EXPECT_EQ(S_OK, DismUnmountImage(wide(mount_dir_).c_str(), DISM_DISCARD_IMAGE, nullptr,
                                       nullptr, nullptr));
    }
    CapiTest::TearDown();
  }
  fs::path mount_dir_;
};

TEST_F(CloseSessionThreads, SeveralOperationsInFlightFinishBeforeCloseReturns) {
  constexpr int kThreads = 4;
  mount_dir_ = mount(copy_fixture("single.wim"));
  DismSession session = open_session(mount_dir_);
  Latch entered(kThreads), release(1);
  std::vector<HeldOperation> held(kThreads);
  std::vector<std::thread> threads;
  for (HeldOperation& h : held) {
    h.entered = &entered;
    h.release = &release;
    threads.emplace_back([&h, session] {
      DismImageHealthState health = DismImageNonRepairable;
      h.result = DismCheckImageHealth(session, TRUE, nullptr, hold_on_first_report, &h, &health);
      if (SUCCEEDED(h.result)) {
        EXPECT_EQ(DismImageHealthy, health);
      }
    });
  }
  ASSERT_TRUE(entered.wait_for(30s)) << "the operations never reported progress";

  std::atomic<int> closed_at{0};
  HRESULT close_result = E_FAIL;
  std::thread closer([&] {
    close_result = DismCloseSession(session);
    closed_at = tick();
  });
  bool refused = wait_until_calls_are_refused(session);
  EXPECT_TRUE(refused) << "calls were still accepted 30 s after DismCloseSession";
  // A call after close began is refused even though close is still waiting...
  EXPECT_EQ(hr_of(DISMAPI_E_INVALID_DISM_SESSION),
            DismCommitImage(session, 0, nullptr, nullptr, nullptr));
  // ...and close waits for the operations in flight: it has not returned
  // while they are held, and (below) it returns after each has ended.
  EXPECT_EQ(0, closed_at.load()) << "DismCloseSession returned with operations in flight";

  release.count_down();
  for (std::thread& t : threads) t.join();
  closer.join();
  EXPECT_EQ(S_OK, close_result);
  for (const HeldOperation& h : held) {
    EXPECT_EQ(S_OK, h.result) << hex(h.result);
    EXPECT_GT(h.completed_at.load(), 0);
    EXPECT_LT(h.completed_at.load(), closed_at.load())
        << "close returned before an operation ended";
  }
  EXPECT_EQ(hr_of(DISMAPI_E_INVALID_DISM_SESSION), DismCloseSession(session));
}

TEST_F(CloseSessionThreads, CommitInFlightFinishesAndCommitsBeforeCloseReturns) {
  fs::path wim = copy_fixture("base.wim");
  mount_dir_ = mount(wim);
  write_file(mount_dir_ / "Windows" / "added.bin", 4 << 20);
  DismSession session = open_session(mount_dir_);
  Latch entered(1), release(1);
  HeldOperation commit{&entered, &release};
  std::thread committer(
      [&] { commit.result = DismCommitImage(session, 0, nullptr, hold_on_first_report, &commit); });
  ASSERT_TRUE(entered.wait_for(30s)) << "the commit never reported progress";

  std::atomic<int> closed_at{0};
  HRESULT close_result = E_FAIL;
  std::thread closer([&] {
    close_result = DismCloseSession(session);
    closed_at = tick();
  });
  EXPECT_TRUE(wait_until_calls_are_refused(session));
  EXPECT_EQ(0, closed_at.load()) << "DismCloseSession returned with the commit in flight";

  release.count_down();
  committer.join();
  closer.join();
  EXPECT_EQ(S_OK, commit.result) << hex(commit.result);
  EXPECT_EQ(S_OK, close_result);
  EXPECT_LT(commit.completed_at.load(), closed_at.load());

  // The commit really happened: a fresh mount of the WIM has the file
  // (read-only: the image is still mounted read-write, and DISM allows one).
  fs::path check = mount_dir_.parent_path() / "check";
  ASSERT_EQ(S_OK, DismMountImage(wide(wim).c_str(), wide(check).c_str(), 1, nullptr, DismImageIndex,
                                 DISM_MOUNT_READONLY, nullptr, nullptr, nullptr));
  EXPECT_EQ(fs::file_size(mount_dir_ / "Windows" / "added.bin"),
            fs::file_size(check / "Windows" / "added.bin"));
  EXPECT_EQ(S_OK,
            DismUnmountImage(wide(check).c_str(), DISM_DISCARD_IMAGE, nullptr, nullptr, nullptr));
}

TEST_F(CloseSessionThreads, ConcurrentClosesOfOneSessionSucceedOnce) {
  mount_dir_ = mount(copy_fixture("single.wim"));
  DismSession session = open_session(mount_dir_);
  constexpr int kThreads = 8;
  std::atomic<int> ok{0}, invalid{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&] {
      HRESULT hr = DismCloseSession(session);
      if (hr == S_OK) ++ok;
      if (hr == hr_of(DISMAPI_E_INVALID_DISM_SESSION)) ++invalid;
    });
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(1, ok.load());
  EXPECT_EQ(kThreads - 1, invalid.load());
}

}  // namespace
}  // namespace capi_test
