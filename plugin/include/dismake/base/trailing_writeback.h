// TrailingWriteback: starts writeback of a file that another process (xorriso,
// mtools) is writing, every 100 ms while it writes. Without it the whole
// output is still dirty in the page cache when the tool exits, and the fsync
// that makes the output durable pays for all of it at the end; started as
// the bytes arrive, the writeback overlaps with the tool's own work and the
// fsync finds little left (a 740 MB ISO: make-iso 0.83x the bare xorriso
// with it, 0.91x without, measured side by side).
#pragma once

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

namespace dismake {

class TrailingWriteback {
 public:
  // Follows `path`, which need not exist yet: the tool creates it later.
  explicit TrailingWriteback(std::filesystem::path path);
  // Stops following and closes the file (the caller fsyncs and renames it).
  ~TrailingWriteback();
  TrailingWriteback(const TrailingWriteback&) = delete;
  TrailingWriteback& operator=(const TrailingWriteback&) = delete;

 private:
  void follow();

  std::filesystem::path path_;
  std::mutex mutex_;
  std::condition_variable stop_requested_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace dismake
