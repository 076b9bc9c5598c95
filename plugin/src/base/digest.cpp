#include "dismake/base/digest.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstdint>
#include <fstream>

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
