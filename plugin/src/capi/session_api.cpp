// DismOpenSession and DismCloseSession.
#include "api_call.h"
#include "api_sessions.h"
#include "api_state.h"
#include "dism_log.h"
#include "wide_string.h"

using namespace dismake;
using namespace dismake::capi;

namespace {

[[noreturn]] void refuse_online_image() {
  throw Error(hr::kNotSupported,
              "DISM_ONLINE_IMAGE is not supported: there is no running Windows image to service "
              "on this platform (dismake runs on Linux)",
              "mount an image with DismMountImage and open the session on its mount directory");
}

// DISM: ERROR_ALREADY_EXISTS "if the DismSession already has an image
// associated with it".
void refuse_open_handle(Runtime& runtime, DismSession session) {
  if (session == DISM_SESSION_DEFAULT) return;
  try {
    runtime.sessions().target_of(session);
  } catch (const Error&) {
    return;  // not an open session: a leftover value, which DISM overwrites
  }
  throw Error(
      hr::kAlreadyExists,
      "*Session holds DISM session " + std::to_string(session) + ", which is open on an image",
      "set it to DISM_SESSION_DEFAULT, or close that session first");
}

DismSession open_session(const std::shared_ptr<Runtime>& runtime, PCWSTR image_path,
                         PCWSTR windows_dir, PCWSTR system_drive) {
  if (text_equals(image_path, DISM_ONLINE_IMAGE)) refuse_online_image();
  std::string path = required_path(image_path, "ImagePath");
  if (system_drive)
    throw Error(hr::kInvalidArg, "SystemDrive names a drive letter, which Linux does not have",
                "pass NULL");
  std::optional<std::string> windows;
  if (windows_dir) windows = required_path(windows_dir, "WindowsDirectory");
  SessionHandle handle = open_api_session(*runtime, path, windows);
  // A DismShutdown that ran meanwhile saw no session; this one must not outlive it.
  if (!is_current(runtime)) {
    close_api_session(*runtime, handle);
    current_runtime();  // throws DISMAPI_E_DISMAPI_NOT_INITIALIZED
  }
  return handle;
}

}  // namespace

extern "C" HRESULT WINAPI DismOpenSession(PCWSTR ImagePath, PCWSTR WindowsDirectory,
                                          PCWSTR SystemDrive, DismSession* Session) {
  return api_call("DismOpenSession", [&] {
    if (!Session) throw Error(hr::kInvalidArg, "Session is NULL");
    std::shared_ptr<Runtime> runtime;
    try {
      runtime = current_runtime();
    } catch (...) {
      *Session = DISM_SESSION_DEFAULT;
      throw;
    }
    refuse_open_handle(*runtime, *Session);  // leaves the caller's open handle where it is
    *Session = DISM_SESSION_DEFAULT;         // what a failure from here on leaves
    *Session = open_session(runtime, ImagePath, WindowsDirectory, SystemDrive);
    log_line(
        LogSeverity::kInfo,
        "Opened session " + std::to_string(*Session) + " on " + to_utf8(ImagePath, "ImagePath"),
        "DismOpenSession");
  });
}

extern "C" HRESULT WINAPI DismCloseSession(DismSession Session) {
  return api_call("DismCloseSession", [&] {
    std::shared_ptr<Runtime> runtime = current_runtime();
    close_api_session(*runtime, Session);
    log_line(LogSeverity::kInfo, "Closed session " + std::to_string(Session), "DismCloseSession");
  });
}
