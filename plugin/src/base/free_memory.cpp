#include "dismake/base/free_memory.h"

#include <malloc.h>

namespace dismake {

void release_free_memory() { ::malloc_trim(0); }

void share_one_heap_between_threads() { ::mallopt(M_ARENA_MAX, 1); }

}  // namespace dismake
