// A mount's listing is built compactly while the image is read; what it saves
// and expands to must be what a BaseListing of the same entries is.
#include "dismake/store/base_listing.h"

#include <gtest/gtest.h>

#include <initializer_list>

#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "support/scratch_dir.h"

namespace dismake {
namespace {

WimEntry entry(std::string path, bool directory, std::uint64_t size, std::string sha1,
               std::uint64_t link_group = 0) {
  WimEntry e;
  e.path = std::move(path);
  e.is_directory = directory;
  e.size = size;
  e.sha1 = std::move(sha1);
  e.hard_link_group = link_group;
  return e;
}

// A saved record: each field and its NUL.
std::string record(std::initializer_list<std::string> fields) {
  std::string out;
  for (const std::string& field : fields) out += field + std::string(1, '\0');
  return out;
}

// In wimlib's order: parents first, not sorted by path.
CompactListing sample() {
  CompactListing listing;
  listing.add(entry("", true, 0, ""));  // the root: in no listing
  listing.add(entry("Windows", true, 0, "", 7));
  listing.add(entry("Windows/win.ini", false, 8, std::string(40, 'a'), 3));
  listing.add(entry("Windows-old", true, 0, ""));
  listing.add(entry("Windows/System32", true, 0, ""));
  WimEntry junction = entry("Users/All Users", true, 0, "");
  junction.is_reparse_point = true;
  junction.reparse_tag = 0xA0000003;  // IO_REPARSE_TAG_MOUNT_POINT
  listing.add(junction);
  listing.add(entry("Users", true, 0, ""));
  listing.add(entry("Windows/hosts", false, 8, std::string(40, 'a'), 3));
  return listing;
}

TEST(CompactListingTest, VisitsInTheOrderAdded) {
  std::vector<std::string> paths;
  sample().for_each([&](std::string_view path, const BaseEntry&) { paths.emplace_back(path); });
  EXPECT_EQ(paths, (std::vector<std::string>{"Windows", "Windows/win.ini", "Windows-old",
                                             "Windows/System32", "Users/All Users", "Users",
                                             "Windows/hosts"}));
}

TEST(CompactListingTest, SavesWhatTheExpandedListingSaves) {
  test::ScratchDir scratch;
  CompactListing compact = sample();
  compact.save(scratch / "compact.list");
  BaseListing expanded = compact.expand();
  expanded.save(scratch / "expanded.list");
  EXPECT_EQ(read_file(scratch / "compact.list"), read_file(scratch / "expanded.list"));

  BaseListing loaded = BaseListing::load(scratch / "compact.list");
  ASSERT_EQ(loaded.size(), 7u);
  std::vector<std::string> sorted;
  loaded.for_each_below("",
                        [&](const std::string& path, const BaseEntry&) { sorted.push_back(path); });
  EXPECT_EQ(sorted,
            (std::vector<std::string>{"Users", "Users/All Users", "Windows", "Windows-old",
                                      "Windows/System32", "Windows/hosts", "Windows/win.ini"}));
  const BaseEntry* ini = loaded.find("Windows/win.ini");
  ASSERT_NE(ini, nullptr);
  EXPECT_FALSE(ini->is_directory);
  EXPECT_EQ(ini->size, 8u);
  EXPECT_EQ(ini->sha1, std::string(40, 'a'));
  EXPECT_EQ(loaded.other_links("Windows/win.ini"), std::vector<std::string>{"Windows/hosts"});
  const BaseEntry* junction = loaded.find("Users/All Users");
  ASSERT_NE(junction, nullptr);
  EXPECT_TRUE(junction->is_directory && junction->is_reparse_point);
  EXPECT_EQ(loaded.find("Windows")->hard_link_group, 0u);  // a directory is never a link
}

// Only links (symbolic links, junctions) are the listing's reparse points:
// a mount's tree holds them as symlinks. Any other reparse point is the file
// it is (the tree holds its content), so a step can replace it.
TEST(CompactListingTest, OnlyLinksAreListedAsReparsePoints) {
  test::ScratchDir scratch;
  CompactListing compact;
  std::vector<std::pair<std::string, std::uint32_t>> tagged = {{"link", 0xA000000C},
                                                               {"wof.dll", 0x80000017},
                                                               {"dedup.dat", 0x80000013},
                                                               {"app.exe", 0x8000001B},
                                                               {"unknown.bin", 0x80001234}};
  for (const auto& [path, tag] : tagged) {
    WimEntry e = entry(path, false, 1, std::string(40, 'b'));
    e.is_reparse_point = true;
    e.reparse_tag = tag;
    compact.add(e);
  }
  compact.save(scratch / "base.list");
  BaseListing loaded = BaseListing::load(scratch / "base.list");
  EXPECT_TRUE(loaded.find("link")->is_reparse_point);
  for (const char* file : {"wof.dll", "dedup.dat", "app.exe", "unknown.bin"}) {
    EXPECT_FALSE(loaded.find(file)->is_reparse_point) << file;
    EXPECT_FALSE(loaded.find(file)->is_directory) << file;
  }
}

// A step loads the listing without decoding it: what it finds must still be
// what was saved, and a damaged file is refused, naming it.
TEST(BaseListingTest, FindsAnyCaseKeepsAnswersAndRefusesADamagedFile) {
  test::ScratchDir scratch;
  sample().save(scratch / "base.list");
  BaseListing listing = BaseListing::load(scratch / "base.list");
  EXPECT_EQ(listing.find("windows/win.ini"), nullptr);
  EXPECT_EQ(listing.find("Windows/win"), nullptr);
  EXPECT_EQ(listing.find_folded("windows/WIN.INI"), std::optional<std::string>("Windows/win.ini"));
  const BaseEntry* hosts = listing.find("Windows/hosts");
  for (const char* other : {"Users", "Windows", "Windows-old", "Windows/System32"})
    ASSERT_NE(listing.find(other), nullptr) << other;
  EXPECT_EQ(listing.find("Windows/hosts"), hosts);  // the same answer, still valid
  EXPECT_EQ(hosts->hard_link_group, 3u);

  std::string saved = read_file(scratch / "base.list");
  std::string swapped = saved;  // "Users" after "Users/All Users": out of order
  size_t users = swapped.find(std::string("Users\0", 6));
  swapped.erase(users, swapped.find(std::string("Users/All", 9)) - users);
  swapped += record({"Users", "d", "0", "", "0"});
  write_file_atomic(scratch / "unsorted.list", swapped);
  write_file_atomic(scratch / "cut.list", saved.substr(0, saved.size() - 3));
  for (const char* name : {"unsorted.list", "cut.list"}) {
    try {
      BaseListing::load(scratch / name);
      ADD_FAILURE() << name << " loaded";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), hr::kFileCorrupt) << name;
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
  }
}

TEST(BaseListingTest, AVersion1ListingLoadsAsFilesWithoutLinksAndSavesAsVersion2) {
  test::ScratchDir scratch;
  std::string v1 = record({"dismake-base-listing-1"}) + record({"Windows", "d", "0", ""}) +
                   record({"Windows/win.ini", "f", "8", std::string(40, 'b')});
  write_file_atomic(scratch / "v1.list", v1);
  BaseListing listing = BaseListing::load(scratch / "v1.list");
  ASSERT_EQ(listing.size(), 2u);
  ASSERT_NE(listing.find("Windows/win.ini"), nullptr);
  EXPECT_EQ(listing.find("Windows/win.ini")->size, 8u);
  EXPECT_EQ(listing.find("Windows/win.ini")->hard_link_group, 0u);
  listing.save(scratch / "v2.list");
  EXPECT_EQ(read_file(scratch / "v2.list").rfind("dismake-base-listing-2", 0), 0u);
  EXPECT_EQ(BaseListing::load(scratch / "v2.list").find("Windows/win.ini")->sha1,
            std::string(40, 'b'));
}

}  // namespace
}  // namespace dismake
