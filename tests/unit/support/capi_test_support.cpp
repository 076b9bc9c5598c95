#include "capi_test_support.h"

#include <stdlib.h>

#include <cstdio>
#include <fstream>
#include <random>

namespace capi_test {

std::string hex(HRESULT hr) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08X", static_cast<unsigned>(hr));
  return text;
}

std::wstring wide(const std::string& text) {
  std::wstring out;
  for (unsigned char c : text) {
    EXPECT_LT(c, 0x80) << "test paths are ASCII: " << text;
    out += static_cast<wchar_t>(c);
  }
  return out;
}

std::wstring wide(const fs::path& path) { return wide(path.string()); }

std::string narrow(const wchar_t* text) {
  std::string out;
  for (; text && *text; ++text) out += *text < 0x80 ? static_cast<char>(*text) : '?';
  return out;
}

std::string last_error_message() {
  DismString* message = nullptr;
  if (FAILED(DismGetLastErrorMessage(&message))) return "";
  std::string text = narrow(message->Value);
  EXPECT_EQ(S_OK, DismDelete(message));
  return text;
}

void CapiTest::SetUp() {
  ASSERT_EQ(0, ::setenv("DISMAKE_HOME", (dir() / "home").c_str(), 1));
  // A test that deadlocks on a mount's lock fails in seconds, not a minute.
  ASSERT_EQ(0, ::setenv("DISMAKE_LOCK_TIMEOUT", "20", 1));
  if (initialize_) {
    ASSERT_EQ(S_OK, DismInitialize(DismLogErrors, nullptr, nullptr));
  }
}

void CapiTest::TearDown() {
  if (initialize_) {
    HRESULT hr = DismShutdown();
    EXPECT_EQ(S_OK, hr) << "DismShutdown: " << hex(hr) << " (a session left open?)";
  }
}

fs::path CapiTest::copy_fixture(const std::string& name) {
  fs::path copy = dir() / name;
  fs::copy_file(fixture(name), copy);
  return copy;
}

fs::path CapiTest::mount(const fs::path& wim, const std::string& name, UINT index) {
  fs::path mount_dir = dir() / name;
  HRESULT hr = DismMountImage(wide(wim).c_str(), wide(mount_dir).c_str(), index, nullptr,
                              DismImageIndex, DISM_MOUNT_READWRITE, nullptr, nullptr, nullptr);
  EXPECT_EQ(S_OK, hr) << hex(hr) << " " << last_error_message();
  return mount_dir;
}

DismSession CapiTest::open_session(const fs::path& image) {
  DismSession session = DISM_SESSION_DEFAULT;
  HRESULT hr = DismOpenSession(wide(image).c_str(), nullptr, nullptr, &session);
  EXPECT_EQ(S_OK, hr) << hex(hr) << " " << last_error_message();
  return session;
}

void CapiTest::write_file(const fs::path& path, std::size_t bytes) {
  std::mt19937_64 random(bytes);
  std::string data(bytes, '\0');
  for (char& c : data) c = static_cast<char>(random());
  std::ofstream(path, std::ios::binary) << data;
}

}  // namespace capi_test
