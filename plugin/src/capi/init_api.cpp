// DismInitialize and DismShutdown.
#include "api_call.h"
#include "api_state.h"

using namespace dismake;
using namespace dismake::capi;

extern "C" HRESULT WINAPI DismInitialize(DismLogLevel LogLevel, PCWSTR LogFilePath,
                                         PCWSTR ScratchDirectory) {
  // No log file and no scratch directory: see the declaration.
  (void)LogFilePath;
  (void)ScratchDirectory;
  return api_call([&] {
    if (LogLevel < DismLogErrors || LogLevel > DismLogErrorsWarningsInfoDebug)
      throw Error(hr::kInvalidArg, "LogLevel " + std::to_string(LogLevel) + " is no DismLogLevel");
    initialize_runtime();
  });
}

extern "C" HRESULT WINAPI DismShutdown(void) {
  return api_call(LastError::kKeep, [] { shut_down_runtime(); });
}
