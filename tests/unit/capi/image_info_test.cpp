// DismGetImageInfo, DismGetMountedImageInfo and DismDelete: DISM's
// structures filled from the WIM, wide strings, and released in one call.
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "support/capi_test_support.h"

namespace capi_test {
namespace {

// The XML's FILETIME for `element` of image `index`, read with wimlib's own
// tool, as "YYYY-MM-DD HH:MM:SS" (UTC).
std::string xml_time(UINT index, const std::string& element) {
  std::string command = "wimlib-imagex info '" + fixture("base.wim").string() +
                        "' --xml | iconv -f UTF-16LE -t UTF-8";
  std::string xml;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
      xml.append(buffer, n);
    ::pclose(pipe);
  }
  std::size_t image = xml.find("<IMAGE INDEX=\"" + std::to_string(index) + "\">");
  auto part = [&](const std::string& name) {
    std::string open = "<" + name + ">";
    std::size_t start = xml.find(open, xml.find("<" + element + ">", image));
    return std::stoull(xml.substr(start + open.size(), 10), nullptr, 16);
  };
  std::uint64_t ticks = (part("HIGHPART") << 32) | part("LOWPART");
  std::time_t seconds = static_cast<std::time_t>(ticks / 10'000'000 - 11'644'473'600ULL);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &utc);
  return text;
}

std::string iso8601(const SYSTEMTIME& t) {
  char text[32];
  std::snprintf(text, sizeof text, "%04u-%02u-%02u %02u:%02u:%02u", t.wYear, t.wMonth, t.wDay,
                t.wHour, t.wMinute, t.wSecond);
  return text;
}

TEST_F(CapiTest, ImageInfoOfAWindowsWim) {
  DismImageInfo* info = nullptr;
  UINT count = 0;
  ASSERT_EQ(S_OK, DismGetImageInfo(wide(fixture("base.wim")).c_str(), &info, &count))
      << last_error_message();
  ASSERT_EQ(2u, count);
  const char* names[] = {"Windows 10 Pro", "Windows 10 Enterprise"};
  const char* editions[] = {"Professional", "Enterprise"};
  for (UINT i = 0; i < count; ++i) {
    const DismImageInfo& image = info[i];
    SCOPED_TRACE(names[i]);
    EXPECT_EQ(DismImageTypeWim, image.ImageType);
    EXPECT_EQ(i + 1, image.ImageIndex);
    EXPECT_EQ(names[i], narrow(image.ImageName));
    EXPECT_EQ(std::string(names[i]) + " test image", narrow(image.ImageDescription));
    EXPECT_GT(image.ImageSize, 3u << 20);
    EXPECT_EQ(9u, image.Architecture);  // PROCESSOR_ARCHITECTURE_AMD64
    EXPECT_EQ(editions[i], narrow(image.EditionId));
    EXPECT_EQ("Client", narrow(image.InstallationType));
    EXPECT_EQ("WinNT", narrow(image.ProductType));
    EXPECT_EQ("", narrow(image.Hal));
    EXPECT_EQ("Terminal Server", narrow(image.ProductSuite));
    EXPECT_EQ("WINDOWS", narrow(image.SystemRoot));
    EXPECT_EQ(10u, image.MajorVersion);
    EXPECT_EQ(0u, image.MinorVersion);
    EXPECT_EQ(19041u, image.Build);
    EXPECT_EQ(1u, image.SpBuild);
    EXPECT_EQ(i == 0 ? DismImageBootableYes : DismImageBootableNo, image.Bootable);
    ASSERT_EQ(1u, image.LanguageCount);
    EXPECT_EQ("en-US", narrow(image.Language[0].Value));
    EXPECT_EQ(0u, image.DefaultLanguageIndex);
    auto* custom = static_cast<const DismWimCustomizedInfo*>(image.CustomizedInfo);
    ASSERT_NE(nullptr, custom);
    EXPECT_GT(custom->FileCount, 10u);
    EXPECT_GT(custom->DirectoryCount, 10u);
    EXPECT_EQ(image.ImageSize, custom->Size);
    EXPECT_GE(custom->CreatedTime.wYear, 2020);
    EXPECT_GE(custom->CreatedTime.wMonth, 1);
    EXPECT_EQ(xml_time(i + 1, "CREATIONTIME"), iso8601(custom->CreatedTime));
    EXPECT_EQ(xml_time(i + 1, "LASTMODIFICATIONTIME"), iso8601(custom->ModifiedTime));
  }
  EXPECT_EQ(S_OK, DismDelete(info));
}

TEST_F(CapiTest, ImageInfoOfANonWindowsWimHasEmptyStrings) {
  DismImageInfo* info = nullptr;
  UINT count = 0;
  ASSERT_EQ(S_OK, DismGetImageInfo(wide(fixture("single.wim")).c_str(), &info, &count));
  ASSERT_EQ(1u, count);
  EXPECT_EQ("Single", narrow(info->ImageName));
  EXPECT_EQ(0xFFFFu, info->Architecture);  // PROCESSOR_ARCHITECTURE_UNKNOWN
  ASSERT_NE(nullptr, info->EditionId);
  EXPECT_EQ(L'\0', info->EditionId[0]);
  EXPECT_EQ(0u, info->LanguageCount);
  EXPECT_EQ(nullptr, info->Language);
  EXPECT_EQ(DismImageBootableNo, info->Bootable);
  EXPECT_EQ(S_OK, DismDelete(info));
}

// A WINDOWS element with only some of its fields (no ARCH, no EDITIONID, no
// VERSION), as tools other than Windows' own write it: what is there is
// reported, what is not is empty or unknown.
TEST_F(CapiTest, ImageInfoOfAPartialWindowsElement) {
  fs::path wim = copy_fixture("single.wim");
  std::string command = "wimlib-imagex info '" + wim.string() +
                        "' 1 --image-property WINDOWS/SYSTEMROOT=WINDOWS"
                        " --image-property WINDOWS/PRODUCTNAME=Partial"
                        " --image-property WINDOWS/LANGUAGES/LANGUAGE=en-US >/dev/null";
  ASSERT_EQ(0, std::system(command.c_str())) << command;
  DismImageInfo* info = nullptr;
  UINT count = 0;
  ASSERT_EQ(S_OK, DismGetImageInfo(wide(wim).c_str(), &info, &count)) << last_error_message();
  ASSERT_EQ(1u, count);
  EXPECT_EQ("WINDOWS", narrow(info->SystemRoot));
  EXPECT_EQ("Partial", narrow(info->ProductName));
  ASSERT_EQ(1u, info->LanguageCount);
  EXPECT_EQ("en-US", narrow(info->Language[0].Value));
  EXPECT_EQ("", narrow(info->EditionId));
  EXPECT_EQ(0xFFFFu, info->Architecture);  // no ARCH: PROCESSOR_ARCHITECTURE_UNKNOWN
  EXPECT_EQ(S_OK, DismDelete(info));
}

TEST_F(CapiTest, ImageInfoErrors) {
  DismImageInfo* info = nullptr;
  UINT count = 7;
  EXPECT_EQ(HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND),
            DismGetImageInfo(wide(dir() / "missing.wim").c_str(), &info, &count));
  EXPECT_EQ(nullptr, info);
  EXPECT_EQ(0u, count);
  EXPECT_EQ(E_INVALIDARG, DismGetImageInfo(nullptr, &info, &count));
  EXPECT_EQ(E_INVALIDARG, DismGetImageInfo(wide(fixture("base.wim")).c_str(), nullptr, &count));
}

TEST_F(CapiTest, MountedImageInfoListsTheUsersMounts) {
  DismMountedImageInfo* mounts = nullptr;
  UINT count = 9;
  ASSERT_EQ(S_OK, DismGetMountedImageInfo(&mounts, &count));
  EXPECT_EQ(0u, count);
  EXPECT_NE(nullptr, mounts);  // a valid empty array, released like any other
  EXPECT_EQ(S_OK, DismDelete(mounts));

  fs::path wim = copy_fixture("base.wim");
  fs::path a = mount(wim, "a", 2);
  fs::path b = dir() / "b";
  ASSERT_EQ(S_OK, DismMountImage(wide(wim).c_str(), wide(b).c_str(), 1, nullptr, DismImageIndex,
                                 DISM_MOUNT_READONLY, nullptr, nullptr, nullptr));
  ASSERT_EQ(S_OK, DismGetMountedImageInfo(&mounts, &count));
  ASSERT_EQ(2u, count);
  EXPECT_EQ(a.string(), narrow(mounts[0].MountPath));
  EXPECT_EQ(wim.string(), narrow(mounts[0].ImageFilePath));
  EXPECT_EQ(2u, mounts[0].ImageIndex);
  EXPECT_EQ(DismReadWrite, mounts[0].MountMode);
  EXPECT_EQ(DismMountStatusOk, mounts[0].MountStatus);
  EXPECT_EQ(b.string(), narrow(mounts[1].MountPath));
  EXPECT_EQ(DismReadOnly, mounts[1].MountMode);
  EXPECT_EQ(S_OK, DismDelete(mounts));

  // A vanished working tree: NeedsRemount, and DismRemountImage fixes it.
  fs::remove_all(a);
  ASSERT_EQ(S_OK, DismGetMountedImageInfo(&mounts, &count));
  EXPECT_EQ(DismMountStatusNeedsRemount, mounts[0].MountStatus);
  EXPECT_EQ(S_OK, DismDelete(mounts));
  EXPECT_EQ(S_OK, DismRemountImage(wide(a).c_str())) << last_error_message();
  EXPECT_TRUE(fs::exists(a / "Windows" / "edition2.txt"));

  for (const fs::path& m : {a, b})
    EXPECT_EQ(S_OK,
              DismUnmountImage(wide(m).c_str(), DISM_DISCARD_IMAGE, nullptr, nullptr, nullptr));
}

TEST_F(CapiTest, MountErrorsUseDismCodes) {
  fs::path wim = fixture("base.wim");
  fs::path mount_dir = dir() / "mount";
  EXPECT_EQ(hr_of(DISMAPI_E_INVALID_IMAGE_INDEX),
            DismMountImage(wide(wim).c_str(), wide(mount_dir).c_str(), 3, nullptr, DismImageIndex,
                           0, nullptr, nullptr, nullptr));
  EXPECT_EQ(hr_of(DISMAPI_E_INVALID_IMAGE_INDEX),
            DismMountImage(wide(wim).c_str(), wide(mount_dir).c_str(), 0, nullptr, DismImageIndex,
                           0, nullptr, nullptr, nullptr));
  EXPECT_EQ(hr_of(DISMAPI_E_INVALID_IMAGE_NAME),
            DismMountImage(wide(wim).c_str(), wide(mount_dir).c_str(), 0, L"Windows 11",
                           DismImageName, 0, nullptr, nullptr, nullptr));
  EXPECT_EQ(E_INVALIDARG, DismMountImage(wide(wim).c_str(), wide(mount_dir).c_str(), 1, nullptr,
                                         DismImageIndex, 0x80, nullptr, nullptr, nullptr));
  EXPECT_FALSE(fs::exists(mount_dir));
}

TEST_F(CapiTest, CleanupMountpointsReapsABrokenMount) {
  fs::path mount_dir = mount(copy_fixture("single.wim"));
  fs::remove_all(mount_dir.string() + ".dismake");  // its state is lost
  EXPECT_EQ(S_OK, DismCleanupMountpoints()) << last_error_message();
  DismMountedImageInfo* mounts = nullptr;
  UINT count = 0;
  ASSERT_EQ(S_OK, DismGetMountedImageInfo(&mounts, &count));
  EXPECT_EQ(0u, count);
  EXPECT_EQ(S_OK, DismDelete(mounts));
}

}  // namespace
}  // namespace capi_test
