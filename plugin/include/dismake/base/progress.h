// Progress of a long operation (mount, commit), reported as DISM reports it:
// a current and a total. The callback returns false to cancel; the operation
// then stops with ERROR_REQUEST_ABORTED and leaves everything as it was.
#pragma once

#include <cstdint>
#include <functional>

namespace dismake {

using ProgressFn = std::function<bool(std::uint64_t current, std::uint64_t total)>;

}  // namespace dismake
