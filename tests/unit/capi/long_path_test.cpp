// Paths too long to name a file (a million characters, or one name longer
// than a file system allows) are refused where they enter the API, with
// ERROR_FILENAME_EXCED_RANGE as Windows gives, not E_FAIL from deep inside.
#include <string>

#include "support/capi_test_support.h"

namespace capi_test {
namespace {

const HRESULT kTooLong = hr_of(0x800700CE);  // HRESULT_FROM_WIN32(ERROR_FILENAME_EXCED_RANGE)

std::wstring million_character_path() { return L"/" + std::wstring(999999, L'a'); }

// A path of short names whose whole length is still too long.
std::wstring long_path_of_short_names() {
  std::wstring path;
  while (path.size() < 5000) path += L"/abcdefgh";
  return path;
}

std::wstring path_with_a_long_name(const fs::path& dir) {
  return wide(dir) + L"/" + std::wstring(300, L'n');
}

TEST_F(CapiTest, OpenSessionRefusesATooLongPath) {
  for (const std::wstring& path :
       {million_character_path(), long_path_of_short_names(), path_with_a_long_name(dir())}) {
    DismSession session = 7;
    EXPECT_EQ(kTooLong, DismOpenSession(path.c_str(), nullptr, nullptr, &session))
        << path.size() << ": " << last_error_message().substr(0, 300);
    EXPECT_EQ(DISM_SESSION_DEFAULT, session);
    std::string message = last_error_message();
    EXPECT_NE(std::string::npos, message.find("ImagePath")) << message.substr(0, 300);
    EXPECT_NE(std::string::npos, message.find("0x800700CE")) << message.substr(0, 300);
    EXPECT_LT(message.size(), 400u) << "the message repeats the path";
  }
}

TEST_F(CapiTest, ApplyUnattendRefusesATooLongPath) {
  fs::path mount_dir = mount(copy_fixture("single.wim"));
  DismSession session = open_session(mount_dir);
  for (const std::wstring& path : {million_character_path(), path_with_a_long_name(dir())}) {
    EXPECT_EQ(kTooLong, DismApplyUnattend(session, path.c_str(), FALSE))
        << last_error_message().substr(0, 300);
    EXPECT_NE(std::string::npos, last_error_message().find("UnattendFile"));
  }
  EXPECT_FALSE(fs::exists(mount_dir / "Windows" / "Panther" / "unattend.xml"));
  EXPECT_EQ(S_OK, DismCloseSession(session));
  EXPECT_EQ(S_OK, DismUnmountImage(wide(mount_dir).c_str(), DISM_DISCARD_IMAGE, nullptr, nullptr,
                                   nullptr));
}

TEST_F(CapiTest, MountAndImageInfoRefuseATooLongPath) {
  std::wstring path = million_character_path();
  fs::path wim = copy_fixture("single.wim");
  EXPECT_EQ(kTooLong, DismMountImage(path.c_str(), wide(dir() / "m").c_str(), 1, nullptr,
                                     DismImageIndex, 0, nullptr, nullptr, nullptr));
  EXPECT_EQ(kTooLong, DismMountImage(wide(wim).c_str(), path.c_str(), 1, nullptr, DismImageIndex, 0,
                                     nullptr, nullptr, nullptr));
  EXPECT_FALSE(fs::exists(dir() / "m"));
  DismImageInfo* info = nullptr;
  UINT count = 0;
  EXPECT_EQ(kTooLong, DismGetImageInfo(path.c_str(), &info, &count));
  EXPECT_EQ(kTooLong,
            DismUnmountImage(path.c_str(), DISM_DISCARD_IMAGE, nullptr, nullptr, nullptr));
  EXPECT_EQ(kTooLong, DismRemountImage(path.c_str()));
}

// A path that passes the check but grows too long inside (a mount's record
// directory is "<mount>.dismake": 8 bytes more than a 250-byte name has
// room for) gets the HRESULT of its errno, not E_FAIL.
TEST_F(CapiTest, AFileSystemErrorGetsTheHresultOfItsErrno) {
  fs::path image = dir() / std::string(250, 'i');
  fs::create_directories(image / "Windows");
  DismSession session = 7;
  HRESULT hr = DismOpenSession(wide(image).c_str(), nullptr, nullptr, &session);
  if (hr == S_OK) {
    EXPECT_EQ(S_OK, DismCloseSession(session));
    GTEST_SKIP() << "a session opened on the directory: nothing failed to map";
  }
  EXPECT_EQ(kTooLong, hr) << last_error_message().substr(0, 300);
}

}  // namespace
}  // namespace capi_test
