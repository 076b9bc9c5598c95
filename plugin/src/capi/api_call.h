// The frame of every exported function: no exception crosses into C. A
// failure becomes its HRESULT and, unless the function is one DISM exempts
// (DismShutdown, DismDelete, DismGetLastErrorMessage), the calling thread's
// last error message. Every failure is logged (see dism_log.h), and so are
// the entry and exit of every call but those three.
#pragma once

#include <exception>
#include <new>

#include "dismake/base/error.h"
#include "dismapi.h"
#include "last_error.h"

namespace dismake::capi {

enum class LastError { kSet, kKeep };

HRESULT to_hresult(HResult code);

// The HRESULT of the exception being handled; logs its message as the
// failure of `function`, and records it as the last error when asked.
HRESULT failure_of_current_exception(const char* function, LastError last_error) noexcept;

// The "Enter"/"Leave" lines of a call (Info).
void log_call(const char* verb, const char* function, LastError last_error) noexcept;

// Runs `body` as the exported `function` (its name, for the log).
template <class Body>
HRESULT api_call(const char* function, LastError last_error, Body&& body) noexcept {
  log_call("Enter", function, last_error);
  try {
    body();
    log_call("Leave", function, last_error);
    return S_OK;
  } catch (...) {
    return failure_of_current_exception(function, last_error);
  }
}

template <class Body>
HRESULT api_call(const char* function, Body&& body) noexcept {
  return api_call(function, LastError::kSet, static_cast<Body&&>(body));
}

}  // namespace dismake::capi
