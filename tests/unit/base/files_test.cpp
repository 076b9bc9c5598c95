// The base layer's file helpers that guard against hostile trees: temporary
// names that fit NAME_MAX, walking a path without following links, and
// recognising files that must never be opened for reading.
#include "dismake/base/files.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <fstream>

#include "dismake/base/error.h"

namespace dismake {
namespace {

TEST(TemporarySibling, FitsNameMaxWhateverTheOriginalsLength) {
  fs::path short_name = temporary_sibling("/x/out.wim");
  EXPECT_EQ(short_name.parent_path(), fs::path("/x"));
  EXPECT_EQ(short_name.filename().string().rfind("out.wim.tmp-", 0), 0u);

  std::string long_name(255, 'n');
  fs::path tmp = temporary_sibling(fs::path("/x") / long_name);
  EXPECT_LE(tmp.filename().string().size(), static_cast<size_t>(NAME_MAX));
  EXPECT_NE(tmp.filename().string().find(".tmp-"), std::string::npos);

  // 85 three-byte characters: the cut never splits one.
  std::string wide;
  for (int i = 0; i < 85; ++i) wide += "\xe6\x97\xa5";
  std::string name = temporary_sibling(fs::path("/x") / wide).filename().string();
  EXPECT_LE(name.size(), static_cast<size_t>(NAME_MAX));
  size_t cut = name.find(".tmp-");
  ASSERT_NE(cut, std::string::npos);
  EXPECT_EQ(cut % 3, 0u);
}

class ScratchTree : public ::testing::Test {
 protected:
  void SetUp() override {
    root = fs::temp_directory_path() / ("dismake-files-test-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root / "a/b");
    fs::create_directories(outside);
    fs::create_symlink(outside, root / "a/link");
    std::ofstream(root / "a/b/file") << "x";
  }
  void TearDown() override {
    fs::remove_all(root);
    fs::remove_all(outside);
  }
  fs::path root;
  fs::path outside = fs::temp_directory_path() / ("dismake-outside-" + std::to_string(::getpid()));
};

TEST_F(ScratchTree, FirstLinkBelowFindsTheLinkAndNeverFollowsIt) {
  EXPECT_EQ(first_link_below(root, "a/b/file", true), "");
  EXPECT_EQ(first_link_below(root, "a/link/x/y", false), "a/link");
  EXPECT_EQ(first_link_below(root, "a/link", false), "");
  EXPECT_EQ(first_link_below(root, "a/link", true), "a/link");
  EXPECT_EQ(first_link_below(root, "a/missing/x", true), "");
}

TEST_F(ScratchTree, SpecialFilesAreRefusedByName) {
  fs::path fifo = root / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  try {
    refuse_special_file(fifo, "the overlay entry");
    FAIL() << "a FIFO was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), hr::kNotSupported);
    EXPECT_NE(e.problem().find("'" + fifo.string() + "' is a FIFO"), std::string::npos);
  }
  EXPECT_NO_THROW(refuse_special_file(root / "a/b/file", "the overlay entry"));
  EXPECT_NO_THROW(refuse_special_file(root / "a/link", "the overlay entry"));
}

TEST_F(ScratchTree, PrivateDirectoriesAndFilesIgnoreTheUmask) {
  mode_t old = ::umask(0);
  create_private_directory(root / "private/dir");
  write_file_atomic(root / "private/dir/state", "x", 0600);
  ::umask(old);
  struct stat st {};
  ASSERT_EQ(::stat((root / "private/dir").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  ASSERT_EQ(::stat((root / "private/dir/state").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

// A staged file holds its data and mode beside the target, which it leaves
// alone until the caller renames it (after one sync for many such files).
TEST_F(ScratchTree, TemporarySiblingIsStagedBesideItsTargetUntilRenamed) {
  write_file_atomic(root / "state", "old", 0600);
  mode_t old = ::umask(077);
  fs::path tmp = write_temporary_sibling(root / "state", "new", 0640);
  ::umask(old);
  EXPECT_EQ(tmp.parent_path(), root);
  EXPECT_NE(tmp, root / "state");
  EXPECT_EQ(read_file(root / "state"), "old");
  EXPECT_EQ(read_file(tmp), "new");
  struct stat st {};
  ASSERT_EQ(::stat(tmp.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_TRUE(same_filesystem(tmp, root));
  EXPECT_FALSE(same_filesystem(root, "/proc"));
  EXPECT_THROW(same_filesystem(root / "missing", root), Error);
}

// A file reused for its blocks (a commit's previous output on a new base)
// must end up the source byte for byte: none of its older bytes may show
// through the source's holes or past its end.
TEST_F(ScratchTree, CopyFileDataOverAnOlderFileLeavesNoneOfItsBytes) {
  fs::path source = root / "sparse.bin";
  fs::path target = root / "older.bin";
  {
    std::ofstream(source, std::ios::binary) << std::string(4096, 's');
    // A 1 MiB hole, then data, then a hole up to the end.
    ASSERT_EQ(::truncate(source.c_str(), (1 << 20) + 4096), 0);
    std::ofstream(source, std::ios::binary | std::ios::app) << std::string(8192, 't');
    ASSERT_EQ(::truncate(source.c_str(), 3 << 20), 0);
  }
  std::ofstream(target, std::ios::binary) << std::string(4 << 20, 'g');
  {
    UniqueFd in(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
    UniqueFd out(::open(target.c_str(), O_WRONLY | O_CLOEXEC));
    ASSERT_EQ(copy_file_data(in.get(), out.get(), static_cast<off_t>(fs::file_size(source))), 0);
  }
  EXPECT_EQ(fs::file_size(target), fs::file_size(source));
  EXPECT_EQ(read_file(target), read_file(source));
}

}  // namespace
}  // namespace dismake
