// DismDelete as Microsoft's samples use it: NULL is fine (a failed call left
// its result NULL), and a pointer released twice, or never returned, is
// refused without the library reading the memory behind it.
#include <atomic>
#include <cstdlib>
#include <thread>
#include <vector>

#include "support/capi_test_support.h"

namespace capi_test {
namespace {

TEST_F(CapiTest, DeleteOfNullSucceeds) {
  EXPECT_EQ(S_OK, DismDelete(nullptr));
  // Microsoft's sample cleans up a result a failed call never set.
  DismImageInfo* info = nullptr;
  UINT count = 0;
  EXPECT_TRUE(FAILED(DismGetImageInfo(wide(dir() / "missing.wim").c_str(), &info, &count)));
  EXPECT_EQ(S_OK, DismDelete(info));
}

TEST_F(CapiTest, DeleteTwiceIsRefusedAndKeepsTheLastError) {
  EXPECT_EQ(hr_of(DISMAPI_E_INVALID_DISM_SESSION), DismCloseSession(4242));
  std::string before = last_error_message();
  DismImageInfo* info = nullptr;
  UINT count = 0;
  ASSERT_EQ(S_OK, DismGetImageInfo(wide(fixture("base.wim")).c_str(), &info, &count));
  EXPECT_EQ(S_OK, DismDelete(info));
  EXPECT_EQ(E_INVALIDARG, DismDelete(info));
  EXPECT_EQ(before, last_error_message());
}

TEST_F(CapiTest, DeleteRefusesWhatNoFunctionReturned) {
  alignas(16) unsigned char not_ours[64] = {};
  EXPECT_EQ(E_INVALIDARG, DismDelete(not_ours + 32));
  // A block freed and handed out again by malloc is still not ours.
  void* heap = std::malloc(64);
  EXPECT_EQ(E_INVALIDARG, DismDelete(heap));
  std::free(heap);
  // The inner pointers of a result are released with it, not on their own.
  DismImageInfo* info = nullptr;
  UINT count = 0;
  ASSERT_EQ(S_OK, DismGetImageInfo(wide(fixture("base.wim")).c_str(), &info, &count));
  EXPECT_EQ(E_INVALIDARG, DismDelete(info[0].Language));
  EXPECT_EQ(E_INVALIDARG, DismDelete(info + 1));
  EXPECT_EQ(S_OK, DismDelete(info));
}

TEST_F(CapiTest, ResultsOfManyThreadsAreReleasedOnce) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        DismMountedImageInfo* mounts = nullptr;
        UINT count = 0;
        if (DismGetMountedImageInfo(&mounts, &count) != S_OK) ++failures;
        if (DismDelete(mounts) != S_OK) ++failures;
        if (DismDelete(mounts) != E_INVALIDARG) ++failures;
      }
    });
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(0, failures.load());
}

}  // namespace
}  // namespace capi_test
