// The per-thread message, and DismGetLastErrorMessage.
#include "last_error.h"

#include <utility>

#include "api_call.h"
#include "api_state.h"
#include "result_buffer.h"
#include "wide_string.h"

namespace dismake::capi {

namespace {
thread_local std::optional<std::string> thread_last_error;
}  // namespace

void set_last_error(std::string message) { thread_last_error = std::move(message); }

const std::optional<std::string>& last_error() { return thread_last_error; }

}  // namespace dismake::capi

using namespace dismake;
using namespace dismake::capi;

extern "C" HRESULT WINAPI DismGetLastErrorMessage(DismString** ErrorMessage) {
  return api_call("DismGetLastErrorMessage", LastError::kKeep, [&] {
    if (!ErrorMessage) throw Error(hr::kInvalidArg, "ErrorMessage is NULL");
    *ErrorMessage = nullptr;
    current_runtime();
    const std::optional<std::string>& message = last_error();
    if (!message)
      throw Error(hr::kNotFound, "no DISM API call has failed on this thread",
                  "call DismGetLastErrorMessage right after a call that failed");
    Result<DismString> result(1);
    result[0].Value = result.arena().string(*message);
    *ErrorMessage = result.release();
  });
}
