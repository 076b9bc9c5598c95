// Private to the wim layer: which compression level wimlib's writes use.
//
// A commit's appending write compresses little file content (content packs
// are copied as they are) but always the changed image's whole metadata
// resource, on one thread. For LZX, wimlib's default level (50, near-optimal
// parsing) spends about 1 s on the 10 MB metadata of a 41k-file image; level
// 34, the deepest of its lazy parsers, gives the same size (measured on the
// bench image: 2,843,961 bytes appended against 2,846,373) in a quarter of
// the time, and its compressor needs 0.7 MB instead of 5.7 MB per thread.
// File content, where near-optimal parsing does pay (3% smaller on
// binaries), keeps the default: packs, compacting and full writes.
//
// wimlib's level is process-wide. A write leases the level it needs; leases
// of one level run together, another level waits until they are done, so a
// write never sees the level change under it (the C API may commit on
// several threads).
#pragma once

namespace dismake {

enum class WriteLevel {
  kDefault,  // wimlib's default for every compression type
  kAppend,   // LZX level 34 for an appending commit; others the default
};

class CompressionLevelLease {
 public:
  explicit CompressionLevelLease(WriteLevel level);
  ~CompressionLevelLease();
  CompressionLevelLease(const CompressionLevelLease&) = delete;
  CompressionLevelLease& operator=(const CompressionLevelLease&) = delete;
};

}  // namespace dismake
