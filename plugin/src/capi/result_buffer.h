// Memory handed to the caller, released by DismDelete. DISM lets one call,
// DismDelete(pointer), release any structure or array any function returned,
// including the strings and arrays inside it. So every returned block is
// registered, with an arena that owns the strings and nested arrays its
// structures point to, in a process-wide table of live blocks. DismDelete
// looks the pointer up there and never reads the memory it is given: a
// pointer no function returned, or one already released, is refused with
// E_INVALIDARG instead of being dereferenced.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "wide_string.h"

namespace dismake::capi {

// Owns what the returned structures point to. Addresses stay valid until the
// block is deleted.
class ResultArena {
 public:
  // A copy of UTF-8 `text` in the flavour's WCHAR (see to_wide()).
  const WCHAR* string(const std::string& text);

  // `count` zeroed elements of a C structure type; nullptr when count is 0.
  template <class T>
  T* array(std::size_t count) {
    return static_cast<T*>(zeroed(count * sizeof(T)));
  }

 private:
  struct Free {
    void operator()(void* block) const { std::free(block); }
  };
  void* zeroed(std::size_t bytes);

  std::deque<DismText> strings_;
  std::vector<std::unique_ptr<void, Free>> arrays_;
};

// Allocates and registers a block of `bytes` (zeroed, never nullptr, also for
// 0 bytes) with a new arena. Throws std::bad_alloc.
void* allocate_result(std::size_t bytes);
ResultArena& arena_of(void* block);

// Unregisters and frees a block and its arena. Throws Error E_INVALIDARG when
// `block` is not a live block (never returned, or already freed); NULL is the
// caller's to handle.
void free_result(void* block);

// An array of `count` T being filled in; freed on destruction unless
// release() handed it to the caller.
template <class T>
class Result {
 public:
  explicit Result(std::size_t count)
      : items_(static_cast<T*>(allocate_result(count * sizeof(T)))) {}
  ~Result() {
    if (items_) free_result(items_);
  }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;

  T& operator[](std::size_t i) { return items_[i]; }
  ResultArena& arena() { return arena_of(items_); }
  T* release() { return std::exchange(items_, nullptr); }

 private:
  T* items_;
};

}  // namespace dismake::capi
