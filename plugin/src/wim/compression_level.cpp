#include "compression_level.h"

#include <wimlib.h>

#include <condition_variable>
#include <mutex>

namespace dismake {

namespace {

constexpr unsigned kAppendLzxLevel = 34;  // wimlib's MAX_FAST_LEVEL for LZX

struct LevelGate {
  std::mutex mutex;
  std::condition_variable released;
  WriteLevel level = WriteLevel::kDefault;
  int writers = 0;
};

LevelGate& gate() {
  static LevelGate g;
  return g;
}

void apply(WriteLevel level) {
  unsigned lzx = level == WriteLevel::kAppend ? kAppendLzxLevel : 0;  // 0: the default
  wimlib_set_default_compression_level(WIMLIB_COMPRESSION_TYPE_LZX, lzx);
}

}  // namespace

CompressionLevelLease::CompressionLevelLease(WriteLevel level) {
  LevelGate& g = gate();
  std::unique_lock<std::mutex> lock(g.mutex);
  g.released.wait(lock, [&] { return g.writers == 0 || g.level == level; });
  if (g.level != level) {
    apply(level);
    g.level = level;
  }
  ++g.writers;
}

CompressionLevelLease::~CompressionLevelLease() {
  LevelGate& g = gate();
  std::lock_guard<std::mutex> lock(g.mutex);
  if (--g.writers == 0) g.released.notify_all();
}

}  // namespace dismake
