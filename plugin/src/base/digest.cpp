#include "dismake/base/digest.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

#include "dismake/base/error.h"

namespace dismake {

namespace {
std::string to_hex(const unsigned char* bytes, unsigned size) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (unsigned i = 0; i < size; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0xF];
  }
  return out;
}

std::string digest_file(const std::filesystem::path& path, const EVP_MD* md) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_errno("read", path.string(), errno ? errno : ENOENT);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, md, nullptr);
  char buf[1 << 16];
  while (in) {
    in.read(buf, sizeof buf);
    EVP_DigestUpdate(ctx, buf, static_cast<size_t>(in.gcount()));
  }
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  EVP_DigestFinal_ex(ctx, out, &size);
  EVP_MD_CTX_free(ctx);
  return to_hex(out, size);
}
}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  EVP_Digest(data.data(), data.size(), out, &size, EVP_sha256(), nullptr);
  return to_hex(out, size);
}

std::string sha256_file_hex(const std::filesystem::path& path) {
  return digest_file(path, EVP_sha256());
}

std::string sha1_file_hex(const std::filesystem::path& path) {
  return digest_file(path, EVP_sha1());
}

namespace {
constexpr size_t kSparseBlock = 4096;

// Adds the blocks of [from, to) that are not all zeros to `digest`.
void add_data_blocks(int fd, const std::string& path, off_t from, off_t to, EVP_MD_CTX* digest) {
  std::vector<unsigned char> buf(1 << 20);
  static const unsigned char kZeros[kSparseBlock] = {};
  off_t at = from;
  while (at < to) {
    size_t want = static_cast<size_t>(std::min<off_t>(static_cast<off_t>(buf.size()), to - at));
    ssize_t n = ::pread(fd, buf.data(), want, at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("read", path, errno);
    if (n == 0) break;
    for (size_t i = 0; i < static_cast<size_t>(n); i += kSparseBlock) {
      size_t len = std::min(kSparseBlock, static_cast<size_t>(n) - i);
      if (std::memcmp(buf.data() + i, kZeros, len) == 0) continue;
      std::uint64_t offset = static_cast<std::uint64_t>(at) + i;
      EVP_DigestUpdate(digest, &offset, sizeof offset);
      EVP_DigestUpdate(digest, buf.data() + i, len);
    }
    at += n;
  }
}
}  // namespace

std::string sparse_file_sha256_hex(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_errno("read", path.string(), errno);
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> digest(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(digest.get(), EVP_sha256(), nullptr);
  try {
    off_t size = ::lseek(fd, 0, SEEK_END);
    if (size < 0) throw_errno("read", path.string(), errno);
    std::uint64_t size_field = static_cast<std::uint64_t>(size);
    EVP_DigestUpdate(digest.get(), &size_field, sizeof size_field);
    // The whole blocks each data extent touches; a block two extents share
    // is read once (next_block).
    const off_t block = static_cast<off_t>(kSparseBlock);
    off_t next_block = 0;
    for (off_t data = ::lseek(fd, 0, SEEK_DATA); data >= 0 && data < size;
         data = next_block < size ? ::lseek(fd, next_block, SEEK_DATA) : -1) {
      off_t hole = ::lseek(fd, data, SEEK_HOLE);
      if (hole < 0) hole = size;
      off_t from = std::max(data - data % block, next_block);
      off_t to = std::min(size, (hole + block - 1) / block * block);
      if (from < to) add_data_blocks(fd, path.string(), from, to, digest.get());
      next_block = std::max(next_block, to);
      if (hole >= size) break;
    }
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned out_size = 0;
  EVP_DigestFinal_ex(digest.get(), out, &out_size);
  return to_hex(out, out_size);
}

ContentDigests::ContentDigests() : sha256_(EVP_MD_CTX_new()), sha1_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(sha256_), EVP_sha256(), nullptr);
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(sha1_), EVP_sha1(), nullptr);
}

ContentDigests::~ContentDigests() {
  EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(sha256_));
  EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(sha1_));
}

void ContentDigests::update(const void* data, size_t size) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(sha256_), data, size);
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(sha1_), data, size);
}

std::string ContentDigests::sha256_hex() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(sha256_), out, &size);
  return to_hex(out, size);
}

std::string ContentDigests::sha1_hex() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(sha1_), out, &size);
  return to_hex(out, size);
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr);
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

Sha256& Sha256::add(std::string_view part) {
  std::uint64_t size = part.size();
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), &size, sizeof size);
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), part.data(), part.size());
  return *this;
}

std::string Sha256::hex() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), out, &size);
  return to_hex(out, size);
}

}  // namespace dismake
