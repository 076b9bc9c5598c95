#include "dismake/base/free_memory.h"

#include <malloc.h>

namespace dismake {

void release_free_memory() { ::malloc_trim(0); }

}  // namespace dismake
