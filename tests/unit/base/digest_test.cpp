// sparse_file_sha256_hex: the digest a kept base-version volume is checked
// against (store/base_version_cache.h). It must follow the content (a byte
// changed anywhere, data written into a hole, a new length) and not how the
// file is laid out (sparse or not).
#include "dismake/base/digest.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

#include "support/scratch_dir.h"

namespace dismake {
namespace {

// Writes `data` at each offset of `pieces` into a file of `size` bytes,
// leaving holes between them.
void write_sparse(const std::filesystem::path& path, off_t size,
                  const std::vector<std::pair<off_t, std::string>>& pieces) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  for (const auto& [offset, data] : pieces)
    ASSERT_EQ(::pwrite(fd, data.data(), data.size(), offset), static_cast<ssize_t>(data.size()));
  ASSERT_EQ(::ftruncate(fd, size), 0);
  ::close(fd);
}

TEST(SparseFileDigest, FollowsTheContentNotTheLayout) {
  test::ScratchDir dir;
  const off_t mib = 1 << 20;
  std::string block(5000, 'x');
  write_sparse(dir / "sparse", 8 * mib, {{0, "boot"}, {3 * mib + 10, block}});
  std::string original = sparse_file_sha256_hex(dir / "sparse");

  // The same bytes, written in full (zeros included): the same digest.
  std::string dense(8 * mib, '\0');
  dense.replace(0, 4, "boot");
  dense.replace(3 * mib + 10, block.size(), block);
  write_sparse(dir / "dense", 8 * mib, {{0, dense}});
  EXPECT_EQ(sparse_file_sha256_hex(dir / "dense"), original);

  // A byte changed inside the data, data written into a hole, another length.
  write_sparse(dir / "flipped", 8 * mib, {{0, "boot"}, {3 * mib + 10, block}, {3 * mib + 99, "y"}});
  EXPECT_NE(sparse_file_sha256_hex(dir / "flipped"), original);
  write_sparse(dir / "filled", 8 * mib, {{0, "boot"}, {3 * mib + 10, block}, {6 * mib, "z"}});
  EXPECT_NE(sparse_file_sha256_hex(dir / "filled"), original);
  write_sparse(dir / "longer", 9 * mib, {{0, "boot"}, {3 * mib + 10, block}});
  EXPECT_NE(sparse_file_sha256_hex(dir / "longer"), original);
}

}  // namespace
}  // namespace dismake
