// A mount's listing is built compactly while the image is read; what it saves
// and expands to must be what a BaseListing of the same entries is.
#include "dismake/store/base_listing.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace dismake
