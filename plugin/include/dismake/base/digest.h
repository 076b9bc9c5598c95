// Content digests (OpenSSL). SHA-256 keys our own state; SHA-1 is what a WIM
// records for every stream, so hashing a working-tree file with SHA-1 tells
// whether it still equals the base image's stream without reading the WIM.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace dismake {

// Lower-case hex digests.
std::string sha256_hex(std::string_view data);
std::string sha256_file_hex(const std::filesystem::path& path);
std::string sha1_file_hex(const std::filesystem::path& path);
// SHA-256 of a file's content as its size and every 4 KiB block that is not
// all zeros, with its offset: the same for two files that read the same,
// however they are sparse, and it reads only the extents that hold data, so
// a large sparse file with little data costs little.
std::string sparse_file_sha256_hex(const std::filesystem::path& path);

// A file's content hashed as it streams past, SHA-256 and SHA-1 at once: the
// blob store copies a file and learns both names for it in one read.
class ContentDigests {
 public:
  ContentDigests();
  ~ContentDigests();
  ContentDigests(const ContentDigests&) = delete;
  ContentDigests& operator=(const ContentDigests&) = delete;

  void update(const void* data, size_t size);
  std::string sha256_hex();
  std::string sha1_hex();

 private:
  void* sha256_;
  void* sha1_;
};

// Incremental SHA-256, for keys built from many parts.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  // Each part is length-prefixed, so ("ab","c") and ("a","bc") differ.
  Sha256& add(std::string_view part);
  std::string hex();

 private:
  void* ctx_;
};

}  // namespace dismake
