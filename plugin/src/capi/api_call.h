// The frame of every exported function: no exception crosses into C. A
// failure becomes its HRESULT and, unless the function is one DISM exempts
// (DismShutdown, DismDelete, DismGetLastErrorMessage), the calling thread's
// last error message.
#pragma once

#include <exception>
#include <new>

#include "dismake/base/error.h"
#include "dismapi.h"
#include "last_error.h"

namespace dismake::capi {

enum class LastError { kSet, kKeep };

HRESULT to_hresult(HResult code);

// The HRESULT of the exception being handled; records its message when asked.
HRESULT failure_of_current_exception(LastError last_error) noexcept;

template <class Body>
HRESULT api_call(LastError last_error, Body&& body) noexcept {
  try {
    body();
    return S_OK;
  } catch (...) {
    return failure_of_current_exception(last_error);
  }
}

template <class Body>
HRESULT api_call(Body&& body) noexcept {
  return api_call(LastError::kSet, static_cast<Body&&>(body));
}

}  // namespace dismake::capi
