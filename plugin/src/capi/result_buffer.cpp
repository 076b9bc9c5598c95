#include "result_buffer.h"

#include <mutex>
#include <new>
#include <unordered_map>

#include "dismake/base/error.h"
#include "wide_string.h"

namespace dismake::capi {

namespace {

struct FreeBlock {
  void operator()(void* block) const { std::free(block); }
};

struct LiveBlock {
  std::unique_ptr<void, FreeBlock> memory;
  std::unique_ptr<ResultArena> arena;
};

// Every block handed out and not yet released, by address. Freed blocks
// leave it before their memory goes back, so an address reused by a later
// allocation is a new entry, never a stale one.
class LiveBlocks {
 public:
  void* add(std::size_t bytes) {
    LiveBlock block{std::unique_ptr<void, FreeBlock>(std::calloc(1, bytes ? bytes : 1)),
                    std::make_unique<ResultArena>()};
    if (!block.memory) throw std::bad_alloc();
    void* address = block.memory.get();
    std::lock_guard<std::mutex> lock(mutex_);
    blocks_.emplace(address, std::move(block));
    return address;
  }

  ResultArena& arena(void* address) {
    std::lock_guard<std::mutex> lock(mutex_);
    return *find(address).arena;
  }

  // The block, out of the table; freed when the caller drops it.
  LiveBlock remove(void* address) {
    std::lock_guard<std::mutex> lock(mutex_);
    LiveBlock block = std::move(find(address));
    blocks_.erase(address);
    return block;
  }

 private:
  LiveBlock& find(void* address) {
    auto it = blocks_.find(address);
    if (it == blocks_.end())
      throw Error(hr::kInvalidArg,
                  "the pointer was not returned by a DISM API function, or was already released",
                  "pass DismDelete exactly the pointer a function returned, once");
    return it->second;
  }

  std::mutex mutex_;
  std::unordered_map<void*, LiveBlock> blocks_;
};

LiveBlocks& live_blocks() {
  static LiveBlocks* blocks = new LiveBlocks();  // never destroyed: usable at exit
  return *blocks;
}

}  // namespace

const WCHAR* ResultArena::string(const std::string& text) {
  return strings_.emplace_back(to_wide(text)).c_str();
}

void* ResultArena::zeroed(std::size_t bytes) {
  if (bytes == 0) return nullptr;
  void* block = std::calloc(1, bytes);
  if (!block) throw std::bad_alloc();
  arrays_.emplace_back(block);
  return block;
}

void* allocate_result(std::size_t bytes) { return live_blocks().add(bytes); }

ResultArena& arena_of(void* block) { return live_blocks().arena(block); }

void free_result(void* block) { live_blocks().remove(block); }

}  // namespace dismake::capi
