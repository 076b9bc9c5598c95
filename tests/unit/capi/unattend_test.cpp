// DismApplyUnattend: the engine's apply-unattend step through the API. The
// answer file lands at Windows/Panther/unattend.xml and is committed with
// the image; bad input is refused and changes nothing.
#include <fstream>
#include <iterator>

#include "support/capi_test_support.h"

namespace capi_test {
namespace {

constexpr const char* kAnswerFile =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<unattend xmlns=\"urn:schemas-microsoft-com:unattend\">\n"
    "  <settings pass=\"oobeSystem\"/>\n"
    "</unattend>\n";

std::string contents(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class ApplyUnattend : public CapiTest {
 protected:
  void SetUp() override {
    CapiTest::SetUp();
    answer_ = dir() / "unattend.xml";
    std::ofstream(answer_) << kAnswerFile;
  }
  fs::path answer_;
};

TEST_F(ApplyUnattend, PlacesTheAnswerFileAndCommitsIt) {
  fs::path wim = copy_fixture("single.wim");
  fs::path mount_dir = mount(wim);
  DismSession session = open_session(mount_dir);
  ASSERT_EQ(S_OK, DismApplyUnattend(session, wide(answer_).c_str(), FALSE)) << last_error_message();
  EXPECT_EQ(kAnswerFile, contents(mount_dir / "Windows" / "Panther" / "unattend.xml"));
  // Applying it again changes nothing (the step is up to date).
  EXPECT_EQ(S_OK, DismApplyUnattend(session, wide(answer_).c_str(), TRUE));
  EXPECT_EQ(S_OK, DismCommitImage(session, 0, nullptr, nullptr, nullptr)) << last_error_message();
  EXPECT_EQ(S_OK, DismCloseSession(session));
  EXPECT_EQ(S_OK, DismUnmountImage(wide(mount_dir).c_str(), DISM_DISCARD_IMAGE, nullptr, nullptr,
                                   nullptr));

  fs::path again = mount(wim, "again");
  EXPECT_EQ(kAnswerFile, contents(again / "Windows" / "Panther" / "unattend.xml"));
  EXPECT_EQ(S_OK,
            DismUnmountImage(wide(again).c_str(), DISM_DISCARD_IMAGE, nullptr, nullptr, nullptr));
}

TEST_F(ApplyUnattend, RefusesBadInputAndChangesNothing) {
  fs::path mount_dir = mount(copy_fixture("single.wim"));
  DismSession session = open_session(mount_dir);
  fs::path panther_file = mount_dir / "Windows" / "Panther" / "unattend.xml";

  fs::path broken = dir() / "broken.xml";
  std::ofstream(broken) << "<unattend><settings>";
  EXPECT_EQ(HRESULT_FROM_WIN32(ERROR_INVALID_DATA),
            DismApplyUnattend(session, wide(broken).c_str(), FALSE));
  EXPECT_NE(std::string::npos, last_error_message().find("not well-formed XML"));
  fs::path other_root = dir() / "other.xml";
  std::ofstream(other_root) << "<configuration/>";
  EXPECT_EQ(HRESULT_FROM_WIN32(ERROR_INVALID_DATA),
            DismApplyUnattend(session, wide(other_root).c_str(), FALSE));
  EXPECT_EQ(HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND),
            DismApplyUnattend(session, wide(dir() / "missing.xml").c_str(), FALSE));
  EXPECT_EQ(E_INVALIDARG, DismApplyUnattend(session, nullptr, FALSE));
  EXPECT_FALSE(fs::exists(panther_file));

  EXPECT_EQ(hr_of(DISMAPI_E_INVALID_DISM_SESSION),
            DismApplyUnattend(session + 1000, wide(answer_).c_str(), FALSE));
  EXPECT_EQ(S_OK, DismCloseSession(session));
  EXPECT_EQ(hr_of(DISMAPI_E_INVALID_DISM_SESSION),
            DismApplyUnattend(session, wide(answer_).c_str(), FALSE));
  EXPECT_FALSE(fs::exists(panther_file));
  EXPECT_EQ(S_OK, DismUnmountImage(wide(mount_dir).c_str(), DISM_DISCARD_IMAGE, nullptr, nullptr,
                                   nullptr));
}

TEST_F(ApplyUnattend, RefusesAReadOnlyMountAndAPlainDirectory) {
  fs::path mount_dir = dir() / "ro";
  ASSERT_EQ(S_OK,
            DismMountImage(wide(fixture("single.wim")).c_str(), wide(mount_dir).c_str(), 1, nullptr,
                           DismImageIndex, DISM_MOUNT_READONLY, nullptr, nullptr, nullptr));
  DismSession session = open_session(mount_dir);
  EXPECT_EQ(HRESULT_FROM_WIN32(ERROR_WRITE_PROTECT),
            DismApplyUnattend(session, wide(answer_).c_str(), FALSE));
  EXPECT_EQ(S_OK, DismCloseSession(session));
  EXPECT_EQ(S_OK, DismUnmountImage(wide(mount_dir).c_str(), DISM_DISCARD_IMAGE, nullptr, nullptr,
                                   nullptr));

  fs::path plain = dir() / "applied";
  fs::create_directories(plain / "Windows");
  session = open_session(plain);
  EXPECT_EQ(HRESULT_FROM_WIN32(ERROR_NOT_FOUND),
            DismApplyUnattend(session, wide(answer_).c_str(), FALSE));
  EXPECT_FALSE(fs::exists(plain / "Windows" / "Panther"));
  EXPECT_EQ(S_OK, DismCloseSession(session));
}

}  // namespace
}  // namespace capi_test
