// The stat scan that finds a mount's changes: it must see every change
// (including ones that keep size and mtime) and report nothing else.
#include "dismake/store/tree_changes.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "dismake/base/digest.h"
#include "support/scratch_dir.h"

namespace dismake {
namespace {

using test::ScratchDir;
using test::write_text;
using Paths = std::vector<std::string>;

// An index as a mount would record it for the tree under `root`.
TreeIndex index_of(const fs::path& root) {
  CompactListing listing;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    WimEntry entry;
    entry.path = fs::relative(it->path(), root).string();
    entry.is_directory = it->is_directory();
    if (it->is_regular_file() && fs::file_size(it->path()) > 0)
      entry.sha1 = sha1_file_hex(it->path());
    listing.add(entry);
  }
  return TreeIndex::build(root, listing);
}

class TreeChangesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_text(root / "Windows/System32/hosts", "127.0.0.1 localhost\n");
    write_text(root / "Windows/win.ini", "[fonts]\n");
    write_text(root / "Users/Public/a.txt", "aaaa");
    write_text(root / "Users/Public/Docs/b.txt", "bbbb");
    fs::create_directories(root / "Empty");
  }
  ScratchDir scratch;
  fs::path root = scratch / "tree";
};

TEST_F(TreeChangesTest, UntouchedTreeHasNoChanges) {
  TreeChanges changes = find_changes(root, index_of(root));
  EXPECT_TRUE(changes.empty());
}

TEST_F(TreeChangesTest, FindsAddedModifiedAndDeleted) {
  TreeIndex index = index_of(root);
  write_text(root / "Windows/new.txt", "new");
  write_text(root / "Windows/win.ini", "[fonts]\n[extensions]\n");
  fs::remove(root / "Users/Public/a.txt");
  TreeChanges changes = find_changes(root, index);
  EXPECT_EQ(changes.added, Paths{"Windows/new.txt"});
  EXPECT_EQ(changes.modified, Paths{"Windows/win.ini"});
  EXPECT_EQ(changes.deleted, Paths{"Users/Public/a.txt"});
}

TEST_F(TreeChangesTest, NewAndDeletedDirectoriesAreListedOnceAtTheTop) {
  TreeIndex index = index_of(root);
  write_text(root / "New/Deep/x.txt", "x");
  fs::remove_all(root / "Users/Public");
  TreeChanges changes = find_changes(root, index);
  EXPECT_EQ(changes.added, Paths{"New"});
  EXPECT_EQ(changes.deleted, Paths{"Users/Public"});
}

TEST_F(TreeChangesTest, SameSizeSameMtimeRewriteIsFoundByContent) {
  TreeIndex index = index_of(root);
  struct stat before {};
  ASSERT_EQ(::stat((root / "Users/Public/a.txt").c_str(), &before), 0);
  write_text(root / "Users/Public/a.txt", "zzzz");
  // Put the old mtime back, as `cp -p` or a careless tool would.
  struct timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, (root / "Users/Public/a.txt").c_str(), times, 0), 0);
  TreeChanges changes = find_changes(root, index);
  EXPECT_EQ(changes.modified, Paths{"Users/Public/a.txt"});
}

// With an index whose entries are all verified long after their last
// change, the ctime alone must betray a rewrite that restored size and mtime.
TEST_F(TreeChangesTest, CtimeBetraysRewriteWhenIndexIsNotRacy) {
  // As if every entry had been hashed and found clean a minute later.
  TreeIndex index = index_of(root);
  std::vector<std::string> paths;
  for (const auto& [path, entry] : index.entries()) paths.push_back(path);
  for (const std::string& path : paths)
    index.mark_verified(path, index.find(path)->recorded_ns + 60'000'000'000LL);
  EXPECT_TRUE(find_changes(root, index).empty());

  struct stat before {};
  ASSERT_EQ(::stat((root / "Users/Public/a.txt").c_str(), &before), 0);
  write_text(root / "Users/Public/a.txt", "zzzz");
  struct timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, (root / "Users/Public/a.txt").c_str(), times, 0), 0);
  EXPECT_EQ(find_changes(root, index).modified, Paths{"Users/Public/a.txt"});
}

TEST_F(TreeChangesTest, RacilyCleanFilesAreReportedAsVerified) {
  TreeIndex index = index_of(root);  // just recorded: every file is racy
  TreeChanges changes = find_changes(root, index);
  EXPECT_TRUE(changes.empty());
  EXPECT_EQ(changes.verified.size(), 4u);  // every file was hashed
}

TEST_F(TreeChangesTest, RewriteWithSameContentIsNotAChange) {
  TreeIndex index = index_of(root);
  write_text(root / "Windows/win.ini", "[fonts]\n");
  EXPECT_TRUE(find_changes(root, index).empty());
}

TEST_F(TreeChangesTest, FileReplacedByDirectoryIsRetyped) {
  TreeIndex index = index_of(root);
  fs::remove(root / "Windows/win.ini");
  write_text(root / "Windows/win.ini/inside.txt", "i");
  fs::remove_all(root / "Users/Public/Docs");
  write_text(root / "Users/Public/Docs", "now a file");
  TreeChanges changes = find_changes(root, index);
  EXPECT_EQ(changes.retyped, (Paths{"Users/Public/Docs", "Windows/win.ini"}));
  EXPECT_TRUE(changes.deleted.empty());
  EXPECT_TRUE(changes.added.empty());
}

TEST_F(TreeChangesTest, MovedPathsAreFoundByInodeAndTime) {
  TreeIndex index = index_of(root);
  fs::rename(root / "Windows/win.ini", root / "moved.ini");
  fs::rename(root / "Users/Public", root / "Windows/Public");
  write_text(root / "new.txt", "a new file is no move");
  TreeChanges changes = find_changes(root, index);
  using Moves = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(changes.moves,
            (Moves{{"Users/Public", "Windows/Public"}, {"Windows/win.ini", "moved.ini"}}));
}

TEST_F(TreeChangesTest, IndexSurvivesSaveAndLoad) {
  TreeIndex index = index_of(root);
  index.save(scratch / "tree.index");
  TreeIndex loaded = TreeIndex::load(scratch / "tree.index");
  EXPECT_EQ(loaded.entries().size(), index.entries().size());
  write_text(root / "Windows/win.ini", "changed!");
  EXPECT_EQ(find_changes(root, loaded).modified, Paths{"Windows/win.ini"});
}

}  // namespace
}  // namespace dismake
