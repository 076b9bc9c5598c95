#include "result_buffer.h"

#include <cstdint>
#include <new>

#include "dismake/base/error.h"
#include "wide_string.h"

namespace dismake::capi {

namespace {

constexpr std::uint64_t kMagic = 0x444953'4D414B45;  // "DISMAKE"

// 16 bytes, so the payload behind it keeps malloc's alignment.
struct alignas(16) Header {
  std::uint64_t magic;
  ResultArena* arena;
};

Header* header_of(void* block) {
  if (!block) throw Error(hr::kInvalidArg, "the structure pointer is NULL");
  Header* header = reinterpret_cast<Header*>(static_cast<char*>(block) - sizeof(Header));
  if (header->magic != kMagic)
    throw Error(hr::kInvalidArg, "the pointer was not returned by a DISM API function",
                "pass DismDelete exactly the pointer a function returned, once");
  return header;
}

}  // namespace

const wchar_t* ResultArena::string(const std::string& text) {
  return strings_.emplace_back(to_wide(text)).c_str();
}

void* ResultArena::zeroed(std::size_t bytes) {
  if (bytes == 0) return nullptr;
  void* block = std::calloc(1, bytes);
  if (!block) throw std::bad_alloc();
  arrays_.emplace_back(block);
  return block;
}

void* allocate_result(std::size_t bytes) {
  auto arena = std::make_unique<ResultArena>();
  void* memory = std::calloc(1, sizeof(Header) + bytes);
  if (!memory) throw std::bad_alloc();
  Header* header = static_cast<Header*>(memory);
  header->magic = kMagic;
  header->arena = arena.release();
  return header + 1;
}

ResultArena& arena_of(void* block) { return *header_of(block)->arena; }

void free_result(void* block) {
  Header* header = header_of(block);
  header->magic = 0;  // no stale copy of this header is ever trusted again
  delete header->arena;
  std::free(header);
}

}  // namespace dismake::capi
