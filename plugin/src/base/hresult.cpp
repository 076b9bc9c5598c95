#include "dismake/base/hresult.h"

#include <cstdio>

namespace dismake {

const char* hresult_name(HResult code) {
  switch (code) {
    case hr::kOk:
      return "S_OK";
    case hr::kNotInitialized:
      return "DISMAPI_E_DISMAPI_NOT_INITIALIZED";
    case hr::kShutdownInProgress:
      return "DISMAPI_E_SHUTDOWN_IN_PROGRESS";
    case hr::kOpenSessionHandles:
      return "DISMAPI_E_OPEN_SESSION_HANDLES";
    case hr::kInvalidDismSession:
      return "DISMAPI_E_INVALID_DISM_SESSION";
    case hr::kInvalidImageIndex:
      return "DISMAPI_E_INVALID_IMAGE_INDEX";
    case hr::kInvalidImageName:
      return "DISMAPI_E_INVALID_IMAGE_NAME";
    case hr::kUnableToUnmountImagePath:
      return "DISMAPI_E_UNABLE_TO_UNMOUNT_IMAGE_PATH";
    case hr::kOpenHandlesUnableToUnmountImagePath:
      return "DISMAPI_E_OPEN_HANDLES_UNABLE_TO_UNMOUNT_IMAGE_PATH";
    case hr::kNeedsRemount:
      return "DISMAPI_E_NEEDS_REMOUNT";
    case hr::kBusy:
      return "DISMAPI_E_BUSY";
    case hr::kAlreadyMountedReadWrite:
      return "WIMGAPI_E_ALREADY_MOUNTED_READ_WRITE";
    case hr::kFail:
      return "E_FAIL";
    case hr::kInvalidArg:
      return "E_INVALIDARG";
    case hr::kOutOfMemory:
      return "E_OUTOFMEMORY";
    case hr::kFileNotFound:
      return "ERROR_FILE_NOT_FOUND";
    case hr::kPathNotFound:
      return "ERROR_PATH_NOT_FOUND";
    case hr::kAccessDenied:
      return "ERROR_ACCESS_DENIED";
    case hr::kBadFormat:
      return "ERROR_BAD_FORMAT";
    case hr::kInvalidData:
      return "ERROR_INVALID_DATA";
    case hr::kWriteProtect:
      return "ERROR_WRITE_PROTECT";
    case hr::kNotSupported:
      return "ERROR_NOT_SUPPORTED";
    case hr::kFileExists:
      return "ERROR_FILE_EXISTS";
    case hr::kDirNotEmpty:
      return "ERROR_DIR_NOT_EMPTY";
    case hr::kAlreadyExists:
      return "ERROR_ALREADY_EXISTS";
    case hr::kNotFound:
      return "ERROR_NOT_FOUND";
    case hr::kRequestAborted:
      return "ERROR_REQUEST_ABORTED";
    case hr::kDiskFull:
      return "ERROR_DISK_FULL";
    case hr::kFileCorrupt:
      return "ERROR_FILE_CORRUPT";
    case hr::kEnvvarNotFound:
      return "ERROR_ENVVAR_NOT_FOUND";
    case hr::kRegistryCorrupt:
      return "ERROR_REGISTRY_CORRUPT";
    case hr::kInfBadSectionNameLine:
      return "ERROR_BAD_SECTION_NAME_LINE";
    case hr::kInfGeneralSyntax:
      return "ERROR_GENERAL_SYNTAX";
    case hr::kInfSectionNotFound:
      return "ERROR_SECTION_NOT_FOUND";
    case hr::kInfLineNotFound:
      return "ERROR_LINE_NOT_FOUND";
    case hr::kInstallPlatformUnsupported:
      return "ERROR_INSTALL_PLATFORM_UNSUPPORTED";
    case hr::kTrustNoSignature:
      return "TRUST_E_NOSIGNATURE";
    case hr::kInvalidName:
      return "ERROR_INVALID_NAME";
    case hr::kFilenameTooLong:
      return "ERROR_FILENAME_EXCED_RANGE";
    case hr::kNoUnicodeTranslation:
      return "ERROR_NO_UNICODE_TRANSLATION";
    case hr::kReparsePointEncountered:
      return "ERROR_REPARSE_POINT_ENCOUNTERED";
    default:
      return "";
  }
}

std::string format_hresult(HResult code) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%08X", static_cast<unsigned>(code));
  std::string name = hresult_name(code);
  return name.empty() ? std::string(hex) : std::string(hex) + " " + name;
}

}  // namespace dismake
