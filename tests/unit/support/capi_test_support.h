// Shared by the C API tests: a fixture that gives every test its own
// DISMAKE_HOME (so no test sees a real mount) and an initialized API, plus
// helpers for wide paths, fixture WIMs and holding threads at a known point.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "dismapi.h"
#include "support/latch.h"
#include "support/scratch_dir.h"

namespace capi_test {

namespace fs = std::filesystem;

// DISM's unsigned constants as the HRESULT a function returns.
constexpr HRESULT hr_of(unsigned long value) { return static_cast<HRESULT>(value); }

// "0xC0040004", for failure messages.
std::string hex(HRESULT hr);

std::wstring wide(const std::string& text);
std::wstring wide(const fs::path& path);
std::string narrow(const wchar_t* text);

// The calling thread's DismGetLastErrorMessage, or "" when there is none.
std::string last_error_message();

using dismake::test::fixture;
using dismake::test::Latch;

// Each test: a fresh temporary directory as DISMAKE_HOME and scratch space,
// and (unless `initialize` is false) DismInitialize before, DismShutdown
// after, which fails the test if it left a session open.
class CapiTest : public ::testing::Test {
 protected:
  explicit CapiTest(bool initialize = true) : initialize_(initialize) {}
  void SetUp() override;
  void TearDown() override;

  const fs::path& dir() const { return scratch_.path(); }
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
  dismake::test::ScratchDir scratch_;
};

}  // namespace capi_test
