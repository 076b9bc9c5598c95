// The per-thread last error message behind DismGetLastErrorMessage: each
// thread sees the message of its own last failed call, never another's.
#pragma once

#include <optional>
#include <string>

namespace dismake::capi {

void set_last_error(std::string message);

// The calling thread's message, or nothing when no call has failed on it.
const std::optional<std::string>& last_error();

}  // namespace dismake::capi
