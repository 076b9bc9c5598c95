// Commits in append mode on real WIM files: the invariant the design rests
// on (an appended WIM truncated to the base's length, with the base's header
// written back, is the base byte for byte), and a commit that resets its
// previous output in place giving the bytes of a commit from a fresh copy.
#include "dismake/store/wim_output.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <regex>
#include <vector>

#include "dismake/base/digest.h"
#include "dismake/base/files.h"
#include "dismake/store/content_packs.h"
#include "dismake/store/mount_record.h"
#include "dismake/wim/wim_file.h"
#include "dismake/wim/wim_header.h"
#include "support/scratch_dir.h"

namespace dismake {
namespace {

using test::ScratchDir;
using test::write_text;

class WimOutputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::make_windows_tree(scratch / "tree");
    write_text(scratch / "tree/Windows/big.log", std::string(300000, 'x') + "big\n");
    test::capture(scratch / "tree", base, "Windows 10 Pro");
    write_text(scratch / "tree/Windows/edition2.txt", "enterprise");
    test::capture(scratch / "tree", base, "Windows 10 Enterprise");
    write_text(scratch / "tree/Windows/edition3.txt", "education");
    test::capture(scratch / "tree", base, "Windows 10 Education");
    base_digest = sha256_file_hex(base);
  }

  // A request committing `plan` to image `image` of the base.
  WimOutputRequest request(const fs::path& output, CommitPlan plan, bool keep_record = true,
                           int image = 1) {
    WimOutputRequest r;
    r.output.source = base;
    r.image = image;
    r.plan = std::move(plan);
    r.staging_dir = scratch / "staging";
    r.output.path = output;
    if (keep_record)
      r.output.record_file = scratch / "records" / (output.filename().string() + ".json");
    return r;
  }

  fs::path file(const std::string& name, const std::string& text) {
    fs::path path = scratch / "inputs" / name;
    fs::create_directories(path.parent_path());
    write_text(path, text);
    return path;
  }

  // A plan that adds a new file `name` (at the image's root) with `text`.
  CommitPlan created(const std::string& name, const std::string& text) {
    fs::path content = file(name, text);
    CommitPlan plan;
    plan.created.push_back({name, content, sha1_file_hex(content), "", 0, 0, "", 0});
    return plan;
  }

  // A plan that gives the base's file `path` new content.
  CommitPlan replaced(const std::string& path, const std::string& text) {
    fs::path content = file("replacement", text);
    CommitPlan plan;
    plan.replaced.push_back({path, content, sha1_file_hex(content), "base", 0, 0, "", 0});
    return plan;
  }

  // Offsets of the images' metadata resources, in image order.
  std::vector<std::string> metadata_offsets(const fs::path& wim) {
    std::string blobs = test::run_output("wimlib-imagex info " + test::quote(wim) + " --blobs");
    std::vector<std::string> offsets;
    std::regex entry(R"(Offset in WIM += (\d+) bytes\n(?:.*\n){2}Flags += [^\n]*METADATA)");
    for (std::sregex_iterator it(blobs.begin(), blobs.end(), entry), end; it != end; ++it)
      offsets.push_back((*it)[1]);
    return offsets;
  }

  ScratchDir scratch;
  fs::path base = scratch / "base.wim";
  std::string base_digest;
};

TEST_F(WimOutputTest, AnAppendedWimTruncatedWithItsHeaderBackIsTheBase) {
  fs::path copy = scratch / "copy.wim";
  copy_file_durable(base, copy, false);
  {
    WimFile wim = WimFile::open(copy, true);
    wim.update_image(2, {UpdateCommand::add(file("a.txt", "new\n").string(), "/Windows/a.txt"),
                         UpdateCommand::remove("/Windows/big.log")});
    wim.overwrite_append({}, nullptr);
  }
  pin_identity(copy, "00112233445566778899aabbccddeeff", 2, 1600000000);
  ASSERT_GT(fs::file_size(copy), fs::file_size(base));
  ASSERT_NE(sha256_file_hex(copy), base_digest);

  ASSERT_EQ(::truncate(copy.c_str(), static_cast<off_t>(fs::file_size(base))), 0);
  WimHeader::read(base).write_to(copy);
  EXPECT_EQ(sha256_file_hex(copy), base_digest);
  EXPECT_EQ(test::run("cmp -s " + test::quote(copy) + " " + test::quote(base)), 0);
}

TEST_F(WimOutputTest, AResetCommitIsByteForByteAFreshCopyCommit) {
  fs::path out = scratch / "out/install.wim";
  WimOutputResult first = write_wim_output(request(out, created("a.txt", "one\n")));
  EXPECT_FALSE(first.work_file == WorkFileOrigin::kPreviousOutputReset);

  CommitPlan second = created("b.txt", "two\n");
  second.deletions = {"Windows/big.log"};
  WimOutputResult reset = write_wim_output(request(out, second));
  EXPECT_TRUE(reset.work_file == WorkFileOrigin::kPreviousOutputReset);
  fs::path fresh = scratch / "fresh.wim";
  WimOutputResult copied = write_wim_output(request(fresh, second, /*keep_record=*/false));
  EXPECT_FALSE(copied.work_file == WorkFileOrigin::kPreviousOutputReset);
  EXPECT_EQ(test::run("cmp " + test::quote(out) + " " + test::quote(fresh)), 0);
  EXPECT_EQ(reset.reclaimable, copied.reclaimable);
  EXPECT_EQ(sha256_file_hex(base), base_digest);  // the source is an input

  // And a third commit on top of the reset one still is.
  CommitPlan third;
  third.renames = {{"Users/Public/readme.txt", "Users/Public/r.txt"}};
  EXPECT_TRUE(write_wim_output(request(out, third)).work_file ==
              WorkFileOrigin::kPreviousOutputReset);
  write_wim_output(request(scratch / "fresh3.wim", third, false));
  EXPECT_EQ(test::run("cmp " + test::quote(out) + " " + test::quote(scratch / "fresh3.wim")), 0);
  EXPECT_EQ(test::run("wimlib-imagex verify " + test::quote(out) + " >/dev/null"), 0);
}

TEST_F(WimOutputTest, AnOutputChangedSinceItsCommitIsCopiedAfresh) {
  fs::path out = scratch / "out.wim";
  auto commands = [&] { return created("c.txt", "c\n"); };
  write_wim_output(request(out, commands()));
  write_wim_output(request(scratch / "fresh.wim", commands(), false));

  // Changed in place, same size, inode and mtime: the digest of its ends
  // tells.
  ASSERT_EQ(test::run("touch -r " + test::quote(out) + " " + test::quote(scratch / "stamp")), 0);
  std::string bytes = read_file(out);
  bytes[bytes.size() - 10] ^= 0x20;
  {
    std::FILE* f = std::fopen(out.c_str(), "r+b");
    std::fseek(f, static_cast<long>(bytes.size() - 10), SEEK_SET);
    std::fputc(bytes[bytes.size() - 10], f);
    std::fclose(f);
  }
  ASSERT_EQ(test::run("touch -r " + test::quote(scratch / "stamp") + " " + test::quote(out)), 0);
  EXPECT_FALSE(write_wim_output(request(out, commands())).work_file ==
               WorkFileOrigin::kPreviousOutputReset);
  EXPECT_EQ(test::run("cmp " + test::quote(out) + " " + test::quote(scratch / "fresh.wim")), 0);

  // Replaced by another file: a new inode.
  copy_file_durable(base, scratch / "other.wim");
  fs::rename(scratch / "other.wim", out);
  EXPECT_FALSE(write_wim_output(request(out, commands())).work_file ==
               WorkFileOrigin::kPreviousOutputReset);
  EXPECT_EQ(test::run("cmp " + test::quote(out) + " " + test::quote(scratch / "fresh.wim")), 0);

  // No record (or a corrupt one).
  write_text(scratch / "records/out.wim.json", "{not json");
  EXPECT_FALSE(write_wim_output(request(out, commands())).work_file ==
               WorkFileOrigin::kPreviousOutputReset);
  EXPECT_EQ(test::run("cmp " + test::quote(out) + " " + test::quote(scratch / "fresh.wim")), 0);
}

// A new base (next month's install.wim) has the previous output written over
// with it, in the blocks the output has, rather than a new copy made and the
// old file freed: the same bytes as a commit from a fresh copy.
TEST_F(WimOutputTest, OnANewBaseThePreviousOutputIsWrittenOverInPlace) {
  fs::path out = scratch / "out.wim";
  auto commands = [&] { return created("n.txt", "n\n"); };
  write_wim_output(request(out, commands()));
  const std::uint64_t inode = FileFingerprint::of(out).inode;

  for (const char* change : {"larger", "smaller"}) {
    SCOPED_TRACE(change);
    if (std::string(change) == "larger")
      write_text(scratch / "tree/Windows/update.dll", std::string(700000, 'u') + "patch");
    else
      fs::remove(scratch / "tree/Windows/update.dll");
    fs::path next = scratch / "next.wim";
    fs::remove(next);
    test::capture(scratch / "tree", next, "Windows 10 Pro");
    fs::rename(next, base);  // a new file: another inode, size and mtime

    WimOutputResult result = write_wim_output(request(out, commands()));
    EXPECT_EQ(result.work_file, WorkFileOrigin::kPreviousOutputOverwritten);
    EXPECT_EQ(FileFingerprint::of(out).inode, inode);
    fs::path fresh = scratch / "fresh.wim";
    fs::remove(fresh);
    EXPECT_EQ(write_wim_output(request(fresh, commands(), false)).work_file,
              WorkFileOrigin::kBaseCopied);
    EXPECT_EQ(test::run("cmp " + test::quote(out) + " " + test::quote(fresh)), 0);
    EXPECT_EQ(test::run("wimlib-imagex verify " + test::quote(out) + " >/dev/null"), 0);
    // And on that base the next commit resets it as usual.
    EXPECT_EQ(write_wim_output(request(out, commands())).work_file,
              WorkFileOrigin::kPreviousOutputReset);
    EXPECT_EQ(test::run("cmp " + test::quote(out) + " " + test::quote(fresh)), 0);
  }
}

// Writing over the output would write over every name it has: an output
// someone linked elsewhere is left as it is, and the commit copies the base.
TEST_F(WimOutputTest, AnOutputWithASecondNameIsNeverWrittenOver) {
  fs::path out = scratch / "out.wim";
  write_wim_output(request(out, created("n.txt", "n\n")));
  fs::path other_name = scratch / "release.wim";
  fs::create_hard_link(out, other_name);
  std::string released = sha256_file_hex(other_name);

  write_text(scratch / "tree/Windows/update.dll", "patch");
  test::capture(scratch / "tree", scratch / "next.wim", "Windows 10 Pro");
  fs::rename(scratch / "next.wim", base);
  EXPECT_EQ(write_wim_output(request(out, created("n.txt", "n\n"))).work_file,
            WorkFileOrigin::kBaseCopied);
  EXPECT_EQ(sha256_file_hex(other_name), released);
  EXPECT_NE(sha256_file_hex(out), released);
}

TEST_F(WimOutputTest, GarbageIsReportedAndCompactWritesNone) {
  fs::path out = scratch / "out.wim";
  CommitPlan commands = replaced("Windows/big.log", std::string(200000, 'y'));
  WimOutputResult appended = write_wim_output(request(out, commands));
  // The replaced metadata resource at least; the replaced blob of big.log
  // is still referenced by images 2 and 3.
  EXPECT_GT(appended.reclaimable, 0u);
  EXPECT_LT(appended.reclaimable, fs::file_size(base));

  WimOutputRequest compact = request(scratch / "compact.wim", commands);
  compact.output.compact = true;
  WimOutputResult compacted = write_wim_output(compact);
  EXPECT_EQ(compacted.reclaimable, 0u);
  EXPECT_LT(fs::file_size(scratch / "compact.wim"), fs::file_size(out));
  fs::remove(scratch / "compact2.wim");
  compact.output.path = scratch / "compact2.wim";
  write_wim_output(compact);
  EXPECT_EQ(test::run("cmp " + test::quote(scratch / "compact.wim") + " " +
                      test::quote(scratch / "compact2.wim")),
            0);
  // Same files either way.
  for (int image = 1; image <= 3; ++image)
    EXPECT_EQ(test::run_output("wimlib-imagex dir " + test::quote(out) + " " +
                               std::to_string(image) + " --detailed | grep -v 'Offset'"),
              test::run_output("wimlib-imagex dir " + test::quote(scratch / "compact.wim") + " " +
                               std::to_string(image) + " --detailed | grep -v 'Offset'"));
  // A compact output is not reset by the next commit.
  EXPECT_FALSE(write_wim_output(compact).work_file == WorkFileOrigin::kPreviousOutputReset);
}

TEST_F(WimOutputTest, ServicingOneEditionLeavesTheOthersMetadataInPlace) {
  std::vector<std::string> before = metadata_offsets(base);
  ASSERT_EQ(before.size(), 3u);
  fs::path out = scratch / "out.wim";
  write_wim_output(request(out, created("e.txt", "e\n"), true, 2));
  std::vector<std::string> after = metadata_offsets(out);
  ASSERT_EQ(after.size(), 3u);
  EXPECT_EQ(after[0], before[0]);
  EXPECT_NE(after[1], before[1]);  // the serviced edition's is new, after the base
  EXPECT_GE(std::stoull(after[1]), fs::file_size(base));
  EXPECT_EQ(after[2], before[2]);
  // And a reset commit keeps them too.
  write_wim_output(request(out, created("f.txt", "f\n"), true, 2));
  after = metadata_offsets(out);
  EXPECT_EQ(after[0], before[0]);
  EXPECT_EQ(after[2], before[2]);
}

// The base versions of replaced files, kept from one commit for the next
// (base_version_cache.h): a commit that finds them gives the bytes of one
// that extracts them afresh, and one of another base never uses them.
TEST_F(WimOutputTest, KeptBaseVersionsGiveTheBytesOfAFreshExtraction) {
  fs::path kept = scratch / "base-versions";
  auto with_cache = [&](WimOutputRequest r, const std::string& identity) {
    r.base_versions_dir = kept;
    r.base_identity = identity;
    return r;
  };
  // The kept volumes (each has its digest beside it, <key>.sha256).
  auto volumes = [&] {
    std::vector<fs::path> found;
    for (const auto& entry : fs::directory_iterator(kept))
      if (entry.path().extension() == ".ntfs") found.push_back(entry.path());
    return found;
  };
  fs::path out = scratch / "out.wim";
  write_wim_output(with_cache(request(out, replaced("Windows/big.log", "first\n")), "base-1"));
  ASSERT_EQ(volumes().size(), 1u);
  fs::path volume = volumes()[0];
  auto written = fs::last_write_time(volume);

  CommitPlan second = replaced("Windows/big.log", "second\n");
  write_wim_output(with_cache(request(out, second), "base-1"));
  EXPECT_EQ(fs::last_write_time(volume), written);  // used, not extracted again
  fs::path fresh = scratch / "fresh.wim";
  write_wim_output(request(fresh, second, /*keep_record=*/false));
  EXPECT_EQ(test::run("cmp " + test::quote(out) + " " + test::quote(fresh)), 0);
  EXPECT_EQ(test::run_output("wimlib-imagex extract " + test::quote(out) +
                             " 1 /Windows/big.log --to-stdout"),
            "second\n");

  // Another base: its own volume; the first one's is dropped.
  write_wim_output(with_cache(request(out, second), "base-2"));
  ASSERT_EQ(volumes().size(), 1u);
  EXPECT_NE(volumes()[0], volume);
  EXPECT_EQ(std::distance(fs::directory_iterator(kept), fs::directory_iterator()), 2);
  EXPECT_EQ(test::run("cmp " + test::quote(out) + " " + test::quote(fresh)), 0);
}

// Large files go into the output through packs (content_packs.h): a commit
// that finds a pack made by an earlier one gives the bytes of a commit that
// makes every pack afresh, whatever order the packs were made in.
TEST_F(WimOutputTest, PacksMadeInAnyOrderGiveTheBytesOfFreshOnes) {
  auto big = [&](const std::string& name, char fill) {
    return std::string(3 * ContentPacks::kMinimumSize, fill) + name + "\n";
  };
  auto with_packs = [&](WimOutputRequest r, const fs::path& dir) {
    r.packs_dir = dir;
    return r;
  };
  CommitPlan one = created("one.bin", big("one", 'a'));
  CommitPlan both = one;
  both.created.push_back(created("two.bin", big("two", 'b')).created[0]);

  fs::path out = scratch / "out.wim";
  fs::path kept = scratch / "packs";
  write_wim_output(with_packs(request(out, one), kept));
  ASSERT_EQ(std::distance(fs::directory_iterator(kept), fs::directory_iterator()), 1);
  fs::path first_pack = fs::directory_iterator(kept)->path();
  auto made = fs::last_write_time(first_pack);
  EXPECT_TRUE(write_wim_output(with_packs(request(out, both), kept)).work_file ==
              WorkFileOrigin::kPreviousOutputReset);
  EXPECT_EQ(std::distance(fs::directory_iterator(kept), fs::directory_iterator()), 2);
  EXPECT_EQ(fs::last_write_time(first_pack), made);  // used, not made again

  fs::path fresh = scratch / "fresh.wim";
  write_wim_output(with_packs(request(fresh, both, /*keep_record=*/false), scratch / "new-packs"));
  EXPECT_EQ(test::run("cmp " + test::quote(out) + " " + test::quote(fresh)), 0);
  EXPECT_EQ(test::run("wimlib-imagex verify " + test::quote(out) + " >/dev/null 2>&1"), 0);
  EXPECT_EQ(
      test::run_output("wimlib-imagex extract " + test::quote(out) + " 1 /two.bin --to-stdout"),
      big("two", 'b'));

  // A commit without the first file drops its pack.
  write_wim_output(with_packs(request(out, created("two.bin", big("two", 'b'))), kept));
  EXPECT_FALSE(fs::exists(first_pack));
}

// A file with a pack is copied from it as it is, not compressed again: the
// output's resource is the pack's, byte for byte. (An append compresses
// what it writes at a faster level than packs are made with, so a file
// compressed anew would differ in size.)
TEST_F(WimOutputTest, APackedFileIsCopiedFromItsPack) {
  std::string text;
  for (int i = 0; text.size() < 4 * ContentPacks::kMinimumSize; ++i)
    text += "entry " + std::to_string(i * 7919 % 1000) + " of the table " + std::to_string(i % 97) +
            "\r\n";
  WimOutputRequest r = request(scratch / "out.wim", created("table.txt", text));
  r.packs_dir = scratch / "packs";
  write_wim_output(r);
  ASSERT_EQ(std::distance(fs::directory_iterator(r.packs_dir), fs::directory_iterator()), 1);
  fs::path pack = fs::directory_iterator(r.packs_dir)->path();
  // The resource of `sha1` in `wim`: its sizes, compressed and not.
  auto resource = [](const fs::path& wim, const std::string& sha1) {
    std::string blobs = test::run_output("wimlib-imagex info " + test::quote(wim) + " --blobs");
    std::smatch m;
    std::regex entry("Hash += 0x" + sha1 + R"(\n(Uncompressed size.*\nCompressed size.*)\n)");
    return std::regex_search(blobs, m, entry) ? m[1].str() : std::string("none");
  };
  std::string sha1 = r.plan.created[0].sha1;
  EXPECT_NE(resource(pack, sha1), "none");
  EXPECT_EQ(resource(scratch / "out.wim", sha1), resource(pack, sha1));
}

}  // namespace
}  // namespace dismake
