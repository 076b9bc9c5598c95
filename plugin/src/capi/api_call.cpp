#include "api_call.h"

#include <filesystem>
#include <string>
#include <utility>

namespace dismake::capi {

namespace {

void record(LastError last_error, std::string message) {
  if (last_error == LastError::kSet) set_last_error(std::move(message));
}

}  // namespace

HRESULT to_hresult(HResult code) { return static_cast<HRESULT>(code); }

HRESULT failure_of_current_exception(LastError last_error) noexcept {
  HResult code = hr::kFail;
  // The code is settled before any message is built, so running out of
  // memory while recording it still returns the right HRESULT.
  try {
    try {
      throw;
    } catch (const Error& error) {
      code = error.code();
      record(last_error, error.what());
    } catch (const std::filesystem::filesystem_error& error) {
      // std::filesystem's own failures get the HRESULT of their errno, as
      // the CLI reports them (cli/main.cpp).
      Error mapped = error_from_errno("complete the operation on", error.path1().string(),
                                      error.code().value());
      code = mapped.code();
      record(last_error, mapped.what());
    } catch (const std::bad_alloc&) {
      code = hr::kOutOfMemory;
      record(last_error, "out of memory (" + format_hresult(code) + ")");
    } catch (const std::exception& error) {
      record(last_error, std::string(error.what()) + " (" + format_hresult(code) + ")");
    }
  } catch (...) {
    // An unknown exception, or none left to record the message with.
  }
  return to_hresult(code);
}

}  // namespace dismake::capi
