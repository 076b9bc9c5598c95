#include "api_call.h"

#include <cstdio>
#include <filesystem>
#include <string>
#include <utility>

#include "dism_log.h"

namespace dismake::capi {

namespace {

// DISM's failure line: "<message> - <Function>(hr:0x80070002)".
void log_failure(const char* function, HResult code, const std::string& message) noexcept {
  if (!log_enabled(LogSeverity::kError)) return;
  char hr_text[32];
  std::snprintf(hr_text, sizeof hr_text, "(hr:0x%08x)", static_cast<unsigned>(code));
  try {
    log_line(LogSeverity::kError, message, (std::string(function) + hr_text).c_str());
  } catch (...) {
  }
}

void record(const char* function, HResult code, LastError last_error, std::string message) {
  log_failure(function, code, message);
  if (last_error == LastError::kSet) set_last_error(std::move(message));
}

}  // namespace

HRESULT to_hresult(HResult code) { return static_cast<HRESULT>(code); }

void log_call(const char* verb, const char* function, LastError last_error) noexcept {
  if (last_error == LastError::kKeep || !log_enabled(LogSeverity::kInfo)) return;
  try {
    log_line(LogSeverity::kInfo, std::string(verb) + " " + function, function);
  } catch (...) {
  }
}

HRESULT failure_of_current_exception(const char* function, LastError last_error) noexcept {
  HResult code = hr::kFail;
  // The code is settled before any message is built, so running out of
  // memory while recording it still returns the right HRESULT.
  try {
    try {
      throw;
    } catch (const Error& error) {
      code = error.code();
      record(function, code, last_error, error.what());
    } catch (const std::filesystem::filesystem_error& error) {
      // std::filesystem's own failures get the HRESULT of their errno, as
      // the CLI reports them (cli/main.cpp).
      Error mapped = error_from_errno("complete the operation on", error.path1().string(),
                                      error.code().value());
      code = mapped.code();
      record(function, code, last_error, mapped.what());
    } catch (const std::bad_alloc&) {
      code = hr::kOutOfMemory;
      record(function, code, last_error, "out of memory (" + format_hresult(code) + ")");
    } catch (const std::exception& error) {
      record(function, code, last_error,
             std::string(error.what()) + " (" + format_hresult(code) + ")");
    }
  } catch (...) {
    // An unknown exception, or none left to record the message with.
  }
  return to_hresult(code);
}

}  // namespace dismake::capi
