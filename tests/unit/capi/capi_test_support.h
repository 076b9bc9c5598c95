// Shared by the C API tests: a fixture that gives every test its own
// DISMAKE_HOME (so no test sees a real mount) and an initialized API, plus
// helpers for wide paths, fixture WIMs and holding threads at a known point.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>

#include "dismapi.h"

namespace capi_test {

namespace fs = std::filesystem;

// DISM's unsigned constants as the HRESULT a function returns.
constexpr HRESULT hr_of(unsigned long value) { return static_cast<HRESULT>(value); }

// "0xC0040004", for failure messages.
std::string hex(HRESULT hr);

std::wstring wide(const std::string& text);
std::wstring wide(const fs::path& path);
std::string narrow(const wchar_t* text);

// $DISMAKE_FIXTURES/<name>.
fs::path fixture(const std::string& name);

// The calling thread's DismGetLastErrorMessage, or "" when there is none.
std::string last_error_message();

// A one-shot countdown latch (C++17 has no std::latch).
class Latch {
 public:
  explicit Latch(int count) : count_(count) {}
  void count_down();
  void wait();
  bool wait_for(std::chrono::milliseconds timeout);

 private:
  std::mutex mutex_;
  std::condition_variable zero_;
  int count_;
};

// Each test: a fresh temporary directory as DISMAKE_HOME and scratch space,
// and (unless `initialize` is false) DismInitialize before, DismShutdown
// after, which fails the test if it left a session open.
class CapiTest : public ::testing::Test {
 protected:
  explicit CapiTest(bool initialize = true) : initialize_(initialize) {}
  void SetUp() override;
  void TearDown() override;

  const fs::path& dir() const { return dir_; }
  // A private copy of a fixture WIM, so commits never touch the fixture.
  fs::path copy_fixture(const std::string& name);
  // Mounts `wim` (read-write) at dir()/<name> and returns the mount directory.
  fs::path mount(const fs::path& wim, const std::string& name = "mount", UINT index = 1);
  // Opens a session on `image`; fails the test when it cannot.
  DismSession open_session(const fs::path& image);
  // `bytes` of pseudo-random data, so a commit has something to write.
  void write_file(const fs::path& path, std::size_t bytes);

 private:
  bool initialize_;
  fs::path dir_;
};

}  // namespace capi_test
