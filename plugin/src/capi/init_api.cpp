// DismInitialize and DismShutdown, which also open and close the log.
#include <filesystem>
#include <system_error>

#include "api_call.h"
#include "api_state.h"
#include "dism_log.h"
#include "wide_string.h"

using namespace dismake;
using namespace dismake::capi;

namespace {

const char* const kLevelNames[] = {"DismLogErrors", "DismLogErrorsWarnings",
                                   "DismLogErrorsWarningsInfo", "DismLogErrorsWarningsInfoDebug"};

// Opens the log of a runtime just created; on failure the runtime goes, so
// DismInitialize fails whole and may be called again.
void start_log(DismLogLevel level, const std::string& log_path, const std::string& scratch) {
  try {
    open_log(log_path, level);
  } catch (...) {
    shut_down_runtime();
    throw;
  }
  log_line(LogSeverity::kInfo, "<----- Starting DismApi session ----->", "DismInitialize");
  log_line(LogSeverity::kInfo,
           std::string("Initialized with LogLevel=") + kLevelNames[level] + ", LogFilePath=" +
               log_path + ", ScratchDirectory=" + (scratch.empty() ? "(none)" : scratch),
           "DismInitialize");
}

// A scratch directory that is not there would fail every commit later: refused now.
void require_directory(const std::string& scratch) {
  std::error_code ec;
  if (!std::filesystem::is_directory(scratch, ec))
    throw Error(hr::kPathNotFound, "ScratchDirectory " + scratch + " is not a directory",
                "create it first, or pass NULL to stage temporary files beside each mount");
}

}  // namespace

extern "C" HRESULT WINAPI DismInitialize(DismLogLevel LogLevel, PCWSTR LogFilePath,
                                         PCWSTR ScratchDirectory) {
  return api_call("DismInitialize", [&] {
    if (LogLevel < DismLogErrors || LogLevel > DismLogErrorsWarningsInfoDebug)
      throw Error(hr::kInvalidArg, "LogLevel " + std::to_string(LogLevel) + " is no DismLogLevel");
    std::string log_path = LogFilePath ? to_utf8(LogFilePath, "LogFilePath") : std::string();
    std::string scratch = ScratchDirectory ? to_utf8(ScratchDirectory, "ScratchDirectory") : "";
    if (!scratch.empty()) require_directory(scratch);
    initialize_runtime(scratch);
    if (!log_path.empty()) start_log(LogLevel, log_path, scratch);
  });
}

extern "C" HRESULT WINAPI DismShutdown(void) {
  return api_call("DismShutdown", LastError::kKeep, [] {
    shut_down_runtime();
    log_line(LogSeverity::kInfo, "<----- Ending DismApi session ----->", "DismShutdown");
    close_log();
  });
}
