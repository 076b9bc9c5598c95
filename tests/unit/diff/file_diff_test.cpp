#include "dismake/diff/file_diff.h"

#include <gtest/gtest.h>

namespace dismake {
namespace {

WimEntry file(const std::string& path, const std::string& sha1, std::uint64_t size) {
  WimEntry entry;
  entry.path = path;
  entry.sha1 = sha1;
  entry.size = size;
  entry.attributes = 0x20;
  return entry;
}

WimEntry directory(const std::string& path) {
  WimEntry entry;
  entry.path = path;
  entry.is_directory = true;
  entry.attributes = 0x10;
  return entry;
}

std::string fields(const FileChange& change) {
  std::string text;
  for (const MetadataChange& m : change.metadata) text += m.field + ";";
  return text;
}

TEST(FileDiff, SameListingsHaveNoChange) {
  std::vector<WimEntry> listing{directory(""), directory("Windows"), file("Windows/a", "aa", 1)};
  EXPECT_TRUE(diff_file_listings(listing, listing).empty());
}

TEST(FileDiff, AddedRemovedChangedAndRetypedInPathOrder) {
  std::vector<WimEntry> before{directory("W"), file("W/gone", "11", 1), file("W/same", "22", 2),
                               file("W/x", "33", 3), file("W/y", "44", 4)};
  std::vector<WimEntry> after{directory("W"), file("W/new", "55", 5), file("w/SAME", "22", 2),
                              file("W/x", "66", 6), directory("W/y")};
  std::vector<FileChange> changes = diff_file_listings(before, after);
  ASSERT_EQ(changes.size(), 4u);
  EXPECT_EQ(changes[0].path, "W/gone");
  EXPECT_EQ(changes[0].kind, FileChangeKind::kRemoved);
  EXPECT_EQ(changes[1].path, "W/new");
  EXPECT_EQ(changes[1].kind, FileChangeKind::kAdded);
  EXPECT_EQ(changes[1].size_after, 5u);
  EXPECT_EQ(changes[2].path, "W/x");
  EXPECT_EQ(changes[2].kind, FileChangeKind::kChanged);
  EXPECT_EQ(changes[2].size_before, 3u);
  EXPECT_EQ(changes[2].size_after, 6u);
  EXPECT_EQ(changes[3].kind, FileChangeKind::kRetyped);
  EXPECT_EQ(changes[3].type_before, "file");
  EXPECT_EQ(changes[3].type_after, "directory");
}

TEST(FileDiff, DirectorySortsBeforeItsContents) {
  std::vector<WimEntry> after{directory("A"), file("A B", "1", 1), file("A/c", "2", 1)};
  std::vector<FileChange> changes = diff_file_listings({}, after);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].path, "A");
  EXPECT_EQ(changes[1].path, "A/c");
  EXPECT_EQ(changes[2].path, "A B");
}

TEST(FileDiff, MetadataOfUnchangedContent) {
  WimEntry a = file("f", "aa", 1);
  a.security_digest = "1111";
  a.short_name = "LONGFI~1.TXT";
  a.named_streams = {{"Zone.Identifier", 26, "bb"}};
  WimEntry b = file("f", "aa", 1);
  b.attributes = 0x21;
  std::vector<FileChange> changes = diff_file_listings({a}, {b});
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].kind, FileChangeKind::kMetadata);
  EXPECT_EQ(fields(changes[0]), "attributes;security descriptor;named streams;short name;");
  EXPECT_EQ(changes[0].metadata[0].before, "0x00000020 (ARCHIVE)");
  EXPECT_EQ(changes[0].metadata[0].after, "0x00000021 (READONLY|ARCHIVE)");
}

TEST(FileDiff, AddedFileShowsWhatItCameWith) {
  WimEntry plain = file("plain", "aa", 1);
  WimEntry hidden = file("hidden", "bb", 2);
  hidden.attributes = 0x23;
  hidden.security_digest = "1111";
  hidden.named_streams = {{"Zone.Identifier", 26, "cc"}};
  std::vector<FileChange> changes = diff_file_listings({}, {plain, hidden});
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].path, "hidden");
  EXPECT_EQ(fields(changes[0]), "attributes;security descriptor;named streams;");
  EXPECT_EQ(changes[0].metadata[0].before, "");
  EXPECT_EQ(changes[0].metadata[0].after, "0x00000023 (READONLY|HIDDEN|ARCHIVE)");
  EXPECT_EQ(changes[0].metadata[1].after, "sha256 1111");
  // A plain file still says what it has: no descriptor is a fact too.
  EXPECT_EQ(fields(changes[1]), "attributes;security descriptor;");
  EXPECT_EQ(changes[1].metadata[1].after, "none");
}

// Times a rename keeps: the same file under another name.
WimEntry born(WimEntry entry, std::int64_t created, std::int64_t written) {
  entry.creation_time_ns = created;
  entry.last_write_time_ns = written;
  return entry;
}

TEST(FileDiff, RenameIsTheSameFileUnderAnotherName) {
  std::vector<WimEntry> before{born(file("a.txt", "aa", 1), 100, 200),
                               born(file("copied.txt", "cc", 3), 300, 400)};
  std::vector<WimEntry> after{born(file("b.txt", "aa", 1), 100, 200),
                              // the same content, a new file: another creation time
                              born(file("copy.txt", "cc", 3), 900, 400)};
  std::vector<FileChange> changes = diff_file_listings(before, after);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].kind, FileChangeKind::kRenamed);
  EXPECT_EQ(changes[0].path_before, "a.txt");
  EXPECT_EQ(changes[0].path, "b.txt");
  EXPECT_FALSE(changes[0].content_changed);
  EXPECT_TRUE(changes[0].metadata.empty());
  EXPECT_EQ(changes[1].kind, FileChangeKind::kRemoved);
  EXPECT_EQ(changes[2].kind, FileChangeKind::kAdded);
  EXPECT_EQ(changes[2].path, "copy.txt");
}

TEST(FileDiff, RenamedDirectoryCarriesItsUnchangedContents) {
  std::vector<WimEntry> before{born(directory("Old"), 1, 2), born(file("Old/same", "aa", 1), 3, 4),
                               born(file("Old/hidden", "bb", 2), 5, 6)};
  WimEntry hidden = born(file("New/hidden", "bb", 2), 5, 6);
  hidden.attributes = 0x22;
  std::vector<WimEntry> after{born(directory("New"), 1, 2), born(file("New/same", "aa", 1), 3, 4),
                              hidden};
  std::vector<FileChange> changes = diff_file_listings(before, after);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].kind, FileChangeKind::kRenamed);
  EXPECT_EQ(changes[0].path_before, "Old");
  EXPECT_EQ(changes[0].path, "New");
  // Renamed with the directory, but its attributes changed: listed.
  EXPECT_EQ(changes[1].kind, FileChangeKind::kRenamed);
  EXPECT_EQ(changes[1].path, "New/hidden");
  EXPECT_EQ(fields(changes[1]), "attributes;");
}

TEST(FileDiff, HardLinksCompareByTheOtherNamesNotTheGroupNumber) {
  auto linked = [](const std::string& path, std::uint64_t group) {
    WimEntry entry = file(path, "aa", 1);
    entry.link_count = 2;
    entry.hard_link_group = group;
    return entry;
  };
  // The same pair under another inode number: no change.
  EXPECT_TRUE(diff_file_listings({linked("a", 7), linked("b", 7)}, {linked("A", 9), linked("b", 9)})
                  .empty());
  // The pair split into two files of the same content.
  std::vector<FileChange> changes = diff_file_listings({linked("a", 7), linked("b", 7)},
                                                       {file("a", "aa", 1), file("b", "aa", 1)});
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(fields(changes[0]), "hard links;");
  EXPECT_EQ(changes[0].metadata[0].before, "b");
  EXPECT_EQ(changes[0].metadata[0].after, "none");
}

}  // namespace
}  // namespace dismake
