// MountStore on real WIM files: the DISM verbs, and every bad input getting
// DISM's code while leaving nothing behind.
#include "dismake/store/mount_store.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "dismake/base/digest.h"
#include "dismake/base/error.h"
#include "dismake/base/file_lock.h"
#include "dismake/store/mount_record.h"
#include "dismake/wim/ntfs_volume.h"
#include "dismake/wim/wim_file.h"
#include "support/scratch_dir.h"
#include "support/thrown_error.h"

namespace dismake {
namespace {

using test::expect_error;
using test::ScratchDir;
using test::write_text;

class MountStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::make_windows_tree(scratch / "tree");
    test::capture(scratch / "tree", wim, "Windows 10 Pro");
    write_text(scratch / "tree/Windows/edition2.txt", "enterprise");
    test::capture(scratch / "tree", wim, "Windows 10 Enterprise");
    wim_digest = sha256_file_hex(wim);
  }

  MountOptions image(int index) { return MountOptions{wim, index, "", false, nullptr}; }

  std::string listing(const fs::path& file, int index) {
    return test::run_output("wimlib-imagex dir " + test::quote(file) + " " + std::to_string(index));
  }

  ScratchDir scratch;
  fs::path wim = scratch / "base.wim";
  fs::path mount_dir = scratch / "mount";
  std::string wim_digest;
  // The unmount guard these tests give: it counts its calls and refuses
  // while `refuse_unmount` is set (no sessions here: the session rule is
  // ops/store_with_session_rule.h's, tested in ops).
  int guard_calls = 0;
  bool refuse_unmount = false;
  MountStore store{MountRegistry(scratch / "home"), [this](const MountPaths&) {
                     ++guard_calls;
                     if (refuse_unmount)
                       throw Error(hr::kOpenHandlesUnableToUnmountImagePath, "refused");
                   }};
};

TEST_F(MountStoreTest, MountCommitUnmountGivesExactlyTheChanges) {
  store.mount(mount_dir, image(1));
  EXPECT_TRUE(fs::exists(mount_dir / "Windows/System32/config/SOFTWARE"));
  EXPECT_TRUE(fs::exists(scratch / "mount.dismake/mount.json"));
  write_text(mount_dir / "Windows/Setup/Scripts/setup.cmd", "echo hi\r\n");
  write_text(mount_dir / "Users/Public/readme.txt", "changed\n");
  fs::remove_all(mount_dir / "Program Files/App");

  CommitOptions options;
  options.output = scratch / "out.wim";
  CommitResult result = store.commit(mount_dir, options);
  EXPECT_TRUE(result.written);
  EXPECT_EQ(result.changes.count(), 3u);
  store.unmount(mount_dir, std::nullopt);

  std::string out = listing(scratch / "out.wim", 1);
  EXPECT_NE(out.find("/Windows/Setup/Scripts/setup.cmd"), std::string::npos);
  EXPECT_EQ(out.find("/Program Files/App"), std::string::npos);
  EXPECT_EQ(test::run_output("wimlib-imagex extract " + test::quote(scratch / "out.wim") +
                             " 1 /Users/Public/readme.txt --to-stdout"),
            "changed\n");
  EXPECT_EQ(listing(scratch / "out.wim", 2), listing(wim, 2));  // other images untouched
  EXPECT_EQ(sha256_file_hex(wim), wim_digest);                  // the source is an input
  EXPECT_FALSE(fs::exists(mount_dir));
  EXPECT_FALSE(fs::exists(scratch / "mount.dismake"));
  EXPECT_TRUE(store.list().empty());
}

TEST_F(MountStoreTest, AMountMadeWhenTheIndexWasIndexJsonKeepsWorking) {
  store.mount(mount_dir, image(1));
  fs::rename(scratch / "mount.dismake/tree.index", scratch / "mount.dismake/index.json");
  write_text(mount_dir / "Users/Public/readme.txt", "changed\n");

  CommitOptions options;
  options.output = scratch / "out.wim";
  EXPECT_EQ(store.commit(mount_dir, options).changes.count(), 1u);
  EXPECT_TRUE(fs::exists(scratch / "mount.dismake/tree.index"));
  store.unmount(mount_dir, std::nullopt);
}

TEST_F(MountStoreTest, CommitInPlaceRebasesTheMount) {
  store.mount(mount_dir, image(1));
  write_text(mount_dir / "added.txt", "one");
  EXPECT_TRUE(store.commit(mount_dir, {}).written);
  EXPECT_NE(sha256_file_hex(wim), wim_digest);
  EXPECT_NE(listing(wim, 1).find("/added.txt"), std::string::npos);
  // The tree now equals the new base: a second commit has nothing to do.
  EXPECT_FALSE(store.commit(mount_dir, {}).written);
  store.unmount(mount_dir, std::nullopt);
}

// Registry steps date the keys they change with the base image's time; the
// record keeps it, so that no step opens the WIM for it, and a commit into
// the source (which gives the image a new time) updates it.
TEST_F(MountStoreTest, TheRecordKeepsTheBaseImagesTimeThroughACommitIntoTheSource) {
  MountRecord mounted = store.mount(mount_dir, image(1));
  EXPECT_NE(mounted.image_modification_time, 0);
  EXPECT_EQ(mounted.image_modification_time, WimFile::open(wim).image_modification_time(1));
  fs::path record_file = MountPaths::of(mount_dir).record_file();
  EXPECT_EQ(MountRecord::load(record_file).image_modification_time,
            mounted.image_modification_time);

  write_text(mount_dir / "added.txt", "one");
  ::setenv("SOURCE_DATE_EPOCH", "1900000000", 1);
  bool written = store.commit(mount_dir, {}).written;
  ::unsetenv("SOURCE_DATE_EPOCH");
  ASSERT_TRUE(written);
  std::int64_t committed = WimFile::open(wim).image_modification_time(1);
  ASSERT_NE(committed, mounted.image_modification_time);
  EXPECT_EQ(MountRecord::load(record_file).image_modification_time, committed);
  store.unmount(mount_dir, std::nullopt);
}

TEST_F(MountStoreTest, ANameLinuxCannotStoreNeedsALazyMount) {
  // 100 three-byte characters: 100 UTF-16 units on NTFS, 300 bytes on Linux.
  std::string name;
  for (int i = 0; i < 100; ++i) name += "\xe3\x81\x82";
  fs::path volume = scratch / "long.ntfs";
  write_text(scratch / "content", "content\r\n");
  NtfsVolume::format(volume, 64 << 20);
  {
    NtfsVolume ntfs = NtfsVolume::open(volume);
    ntfs.create_directories("Windows");
    ntfs.create_file("Windows/" + name, scratch / "content", kFileAttributeArchive);
    ntfs.create_file("Windows/win.ini", scratch / "content", kFileAttributeArchive);
    ntfs.close();
  }
  fs::path long_wim = scratch / "long.wim";
  test::run_output("wimlib-imagex capture " + test::quote(volume) + " " + test::quote(long_wim) +
                   " Long >/dev/null");

  Error e = expect_error(hr::kFilenameTooLong, [&] {
    store.mount(mount_dir, MountOptions{long_wim, 1, "", false, nullptr});
  });
  EXPECT_NE(std::string(e.what()).find("Windows/" + name), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("300 bytes"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("mount it with --lazy"), std::string::npos) << e.what();
  EXPECT_FALSE(fs::exists(mount_dir));
  EXPECT_FALSE(fs::exists(scratch / "mount.dismake"));

  // A lazy mount never writes it, and a commit keeps it.
  MountOptions lazy{long_wim, 1, "", false, nullptr};
  lazy.lazy = true;
  store.mount(mount_dir, lazy);
  write_text(mount_dir / "added.txt", "added\r\n");
  CommitOptions commit;
  commit.output = scratch / "out.wim";
  store.commit(mount_dir, commit);
  std::string out = listing(scratch / "out.wim", 1);
  EXPECT_NE(out.find("/Windows/" + name), std::string::npos) << out;
  EXPECT_NE(out.find("/added.txt"), std::string::npos) << out;
}

TEST_F(MountStoreTest, MountByName) {
  MountOptions options{wim, 0, "Windows 10 Enterprise", false, nullptr};
  EXPECT_EQ(store.mount(mount_dir, options).image_index, 2);
  EXPECT_TRUE(fs::exists(mount_dir / "Windows/edition2.txt"));
}

TEST_F(MountStoreTest, BadImageSelectionLeavesNothing) {
  Error e = expect_error(hr::kInvalidImageIndex, [&] { store.mount(mount_dir, image(3)); });
  EXPECT_NE(std::string(e.what()).find("images 1 to 2"), std::string::npos);
  MountOptions by_name{wim, 0, "Windows 11", false, nullptr};
  expect_error(hr::kInvalidImageName, [&] { store.mount(mount_dir, by_name); });
  EXPECT_FALSE(fs::exists(mount_dir));
  EXPECT_FALSE(fs::exists(scratch / "mount.dismake"));
  EXPECT_TRUE(store.list().empty());
}

TEST_F(MountStoreTest, NotAWimFile) {
  write_text(scratch / "text.wim", "hello, not a wim");
  MountOptions options{scratch / "text.wim", 1, "", false, nullptr};
  expect_error(hr::kBadFormat, [&] { store.mount(mount_dir, options); });
  options.wim = scratch / "missing.wim";
  expect_error(hr::kFileNotFound, [&] { store.mount(mount_dir, options); });
  EXPECT_FALSE(fs::exists(mount_dir));
}

TEST_F(MountStoreTest, TruncatedWimIsCorrupt) {
  std::string bytes = test::read_text(wim);
  write_text(scratch / "cut.wim", bytes.substr(0, bytes.size() / 2));
  MountOptions options{scratch / "cut.wim", 1, "", false, nullptr};
  Error e = expect_error(hr::kFileCorrupt, [&] { store.mount(mount_dir, options); });
  EXPECT_FALSE(fs::exists(mount_dir));
}

TEST_F(MountStoreTest, MountDirectoryMustBeEmptyAndNotAMount) {
  write_text(scratch / "full/file.txt", "x");
  expect_error(hr::kDirNotEmpty, [&] { store.mount(scratch / "full", image(1)); });
  EXPECT_TRUE(fs::exists(scratch / "full/file.txt"));

  store.mount(mount_dir, image(1));
  expect_error(hr::kAlreadyExists, [&] { store.mount(mount_dir, image(2)); });
  expect_error(hr::kInvalidArg, [&] { store.mount(mount_dir / "Windows/inner", image(2)); });
  EXPECT_FALSE(fs::exists(mount_dir / "Windows/inner"));
  EXPECT_EQ(store.list().size(), 1u);
}

TEST_F(MountStoreTest, CommitOfSomethingThatIsNotAMount) {
  fs::create_directories(scratch / "plain");
  expect_error(hr::kNotFound, [&] { store.commit(scratch / "plain", {}); });
  expect_error(hr::kNotFound, [&] { store.unmount(scratch / "plain", std::nullopt); });
}

TEST_F(MountStoreTest, ReadOnlyMountRefusesCommit) {
  MountOptions options = image(1);
  options.read_only = true;
  store.mount(mount_dir, options);
  write_text(mount_dir / "x.txt", "x");
  CommitOptions commit;
  commit.output = scratch / "out.wim";
  expect_error(hr::kWriteProtect, [&] { store.commit(mount_dir, commit); });
  EXPECT_FALSE(fs::exists(scratch / "out.wim"));
  store.unmount(mount_dir, std::nullopt);
}

TEST_F(MountStoreTest, SourceChangedSinceMountNeedsRemount) {
  store.mount(mount_dir, image(1));
  fs::copy_file(wim, scratch / "saved.wim");
  // Another tool rewrites image 1 of the source.
  write_text(scratch / "tree/Windows/other.txt", "other");
  ASSERT_EQ(test::run("wimlib-imagex update " + test::quote(wim) + " 1 --command='add " +
                      (scratch / "tree/Windows/other.txt").string() + " /other.txt' >/dev/null"),
            0);
  CommitOptions commit;
  commit.output = scratch / "out.wim";
  expect_error(hr::kNeedsRemount, [&] { store.commit(mount_dir, commit); });
  EXPECT_FALSE(fs::exists(scratch / "out.wim"));
}

TEST_F(MountStoreTest, TouchedButUnchangedSourceIsStillTheBase) {
  store.mount(mount_dir, image(1));
  ASSERT_EQ(test::run("touch " + test::quote(wim)), 0);
  CommitOptions commit;
  commit.output = scratch / "out.wim";
  EXPECT_TRUE(store.commit(mount_dir, commit).written);
}

TEST_F(MountStoreTest, HeldLockMakesASecondWriterFailBusy) {
  store.mount(mount_dir, image(1));
  FileLock held(scratch / "mount.dismake/lock", std::chrono::milliseconds(0), "test");
  ::setenv("DISMAKE_LOCK_TIMEOUT", "0.2", 1);
  CommitOptions commit;
  commit.output = scratch / "out.wim";
  expect_error(hr::kBusy, [&] { store.commit(mount_dir, commit); });
  ::unsetenv("DISMAKE_LOCK_TIMEOUT");
  EXPECT_FALSE(fs::exists(scratch / "out.wim"));
}

TEST_F(MountStoreTest, CancelledMountLeavesNothing) {
  MountOptions options = image(1);
  options.progress = [](std::uint64_t, std::uint64_t) { return false; };
  expect_error(hr::kRequestAborted, [&] { store.mount(mount_dir, options); });
  EXPECT_FALSE(fs::exists(mount_dir));
  EXPECT_FALSE(fs::exists(scratch / "mount.dismake"));
  EXPECT_TRUE(store.list().empty());
}

TEST_F(MountStoreTest, CancelledCommitKeepsOutputAndMount) {
  store.mount(mount_dir, image(1));
  write_text(mount_dir / "x.txt", std::string(200000, 'x'));
  CommitOptions commit;
  commit.output = scratch / "out.wim";
  commit.progress = [](std::uint64_t, std::uint64_t) { return false; };
  expect_error(hr::kRequestAborted, [&] { store.commit(mount_dir, commit); });
  EXPECT_FALSE(fs::exists(scratch / "out.wim"));
  for (const auto& entry : fs::directory_iterator(scratch.path()))
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << entry.path();
  commit.progress = nullptr;
  EXPECT_TRUE(store.commit(mount_dir, commit).written);  // the mount is still valid
}

TEST_F(MountStoreTest, RecompressedOutput) {
  store.mount(mount_dir, image(1));
  CommitOptions commit;
  commit.output = scratch / "out.wim";
  commit.compression = Compression::kXpress;
  store.commit(mount_dir, commit);
  std::string info = test::run_output("wimlib-imagex info " + test::quote(scratch / "out.wim"));
  EXPECT_NE(info.find("XPRESS"), std::string::npos) << info;
  EXPECT_EQ(listing(scratch / "out.wim", 1), listing(wim, 1));
}

TEST_F(MountStoreTest, RemountBringsBackAVanishedTree) {
  store.mount(mount_dir, image(1));
  fs::remove_all(mount_dir);
  EXPECT_EQ(store.list().at(0).status, MountStatus::kNeedsRemount);
  EXPECT_TRUE(store.remount(mount_dir, nullptr));
  EXPECT_EQ(store.list().at(0).status, MountStatus::kOk);
  EXPECT_TRUE(fs::exists(mount_dir / "Windows/System32/drivers/etc/hosts"));
  EXPECT_FALSE(store.remount(mount_dir, nullptr));
}

TEST_F(MountStoreTest, CleanupReapsCorruptStateAndKeepsTheTreeWithoutForce) {
  store.mount(mount_dir, image(1));
  write_text(scratch / "mount.dismake/mount.json", "garbage");
  EXPECT_EQ(store.list().at(0).status, MountStatus::kInvalid);
  CleanupReport report = store.cleanup(false);
  ASSERT_EQ(report.actions.size(), 1u);
  EXPECT_EQ(report.actions[0].action, "reaped");
  EXPECT_TRUE(fs::exists(mount_dir / "Windows"));  // may hold changes: kept
  EXPECT_FALSE(fs::exists(scratch / "mount.dismake"));
  // Still listed, so that --force can delete the tree it left.
  ASSERT_EQ(store.list().size(), 1u);
  EXPECT_EQ(store.cleanup(false).actions.at(0).action, "kept");
  report = store.cleanup(true);
  ASSERT_EQ(report.actions.size(), 1u);
  EXPECT_EQ(report.actions[0].action, "reaped");
  EXPECT_FALSE(fs::exists(mount_dir));
  EXPECT_TRUE(store.list().empty());
}

TEST_F(MountStoreTest, DiscardingAMountWhoseStateIsGoneRemovesWhatIsLeft) {
  store.mount(mount_dir, image(1));
  fs::remove_all(scratch / "mount.dismake");
  store.unmount(mount_dir, std::nullopt);
  EXPECT_FALSE(fs::exists(mount_dir));
  EXPECT_FALSE(fs::exists(scratch / "mount.dismake"));
  EXPECT_TRUE(store.list().empty());
}

TEST_F(MountStoreTest, AStoreIsNotBuiltWithoutItsUnmountGuard) {
  EXPECT_THROW(MountStore(MountRegistry(scratch / "home2"), nullptr), Error);
}

TEST_F(MountStoreTest, TheGuardRefusesAnUnmountBeforeAnythingIsRemoved) {
  store.mount(mount_dir, image(1));
  refuse_unmount = true;
  EXPECT_THROW(store.unmount(mount_dir, std::nullopt), Error);
  EXPECT_EQ(guard_calls, 1);
  EXPECT_EQ(store.list().size(), 1u);
  EXPECT_TRUE(fs::exists(scratch / "mount.dismake/mount.json"));
  EXPECT_TRUE(fs::exists(mount_dir / "Windows"));
  refuse_unmount = false;
  store.unmount(mount_dir, std::nullopt);
  EXPECT_EQ(guard_calls, 2);
  EXPECT_TRUE(store.list().empty());
}

}  // namespace
}  // namespace dismake
