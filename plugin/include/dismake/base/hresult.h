// HRESULT values dismake reports. DISM's own errors keep DISM's numbers (from
// DismAPI.h) so that scripts and C callers written against DISM can test for
// them; everything else uses the Win32-derived HRESULT a Windows tool would
// give for the same failure.
#pragma once

#include <cstdint>
#include <string>

namespace dismake {

using HResult = std::uint32_t;

namespace hr {
constexpr HResult kOk = 0x00000000;
// DismAPI.h
constexpr HResult kNotInitialized = 0xC0040001;
constexpr HResult kShutdownInProgress = 0xC0040002;
constexpr HResult kOpenSessionHandles = 0xC0040003;
constexpr HResult kInvalidDismSession = 0xC0040004;
constexpr HResult kInvalidImageIndex = 0xC0040005;
constexpr HResult kInvalidImageName = 0xC0040006;
constexpr HResult kUnableToUnmountImagePath = 0xC0040007;
constexpr HResult kOpenHandlesUnableToUnmountImagePath = 0xC004000A;
constexpr HResult kNeedsRemount = 0xC1510114;
constexpr HResult kBusy = 0x800F0902;
// WIMGAPI's "The specified image in the specified wim is already mounted for
// read/write access", which DISM's /Mount-Image reports. Windows publishes no
// symbolic name for it; the name here is dismake's.
constexpr HResult kAlreadyMountedReadWrite = 0xC1420127;
// Win32 errors as HRESULTs (HRESULT_FROM_WIN32).
constexpr HResult kFail = 0x80004005;                  // E_FAIL
constexpr HResult kInvalidArg = 0x80070057;            // E_INVALIDARG
constexpr HResult kOutOfMemory = 0x8007000E;           // E_OUTOFMEMORY
constexpr HResult kFileNotFound = 0x80070002;          // ERROR_FILE_NOT_FOUND
constexpr HResult kPathNotFound = 0x80070003;          // ERROR_PATH_NOT_FOUND
constexpr HResult kAccessDenied = 0x80070005;          // ERROR_ACCESS_DENIED
constexpr HResult kBadFormat = 0x8007000B;             // ERROR_BAD_FORMAT
constexpr HResult kInvalidData = 0x8007000D;           // ERROR_INVALID_DATA
constexpr HResult kWriteProtect = 0x80070013;          // ERROR_WRITE_PROTECT
constexpr HResult kNotSupported = 0x80070032;          // ERROR_NOT_SUPPORTED
constexpr HResult kFileExists = 0x80070050;            // ERROR_FILE_EXISTS
constexpr HResult kDirNotEmpty = 0x80070091;           // ERROR_DIR_NOT_EMPTY
constexpr HResult kAlreadyExists = 0x800700B7;         // ERROR_ALREADY_EXISTS
constexpr HResult kNotFound = 0x80070490;              // ERROR_NOT_FOUND
constexpr HResult kRequestAborted = 0x800704D3;        // ERROR_REQUEST_ABORTED
constexpr HResult kDiskFull = 0x80070070;              // ERROR_DISK_FULL
constexpr HResult kFileCorrupt = 0x80070570;           // ERROR_FILE_CORRUPT
constexpr HResult kInvalidName = 0x8007007B;           // ERROR_INVALID_NAME
constexpr HResult kFilenameTooLong = 0x800700CE;       // ERROR_FILENAME_EXCED_RANGE
constexpr HResult kNoUnicodeTranslation = 0x80070459;  // ERROR_NO_UNICODE_TRANSLATION
// What Windows reports when a path that may not cross a reparse point
// (OBJ_DONT_REPARSE) meets one: dismake never writes through a link.
constexpr HResult kReparsePointEncountered = 0x8007112B;  // ERROR_REPARSE_POINT_ENCOUNTERED
constexpr HResult kEnvvarNotFound = 0x800700CB;           // ERROR_ENVVAR_NOT_FOUND

// A hive that cannot be loaded or recovered as Windows would.
constexpr HResult kRegistryCorrupt = 0x800703F7;  // ERROR_REGISTRY_CORRUPT

// SetupAPI's INF errors (setupapi.h), as DISM reports a bad driver INF.
constexpr HResult kInfBadSectionNameLine = 0xE0000001;  // ERROR_BAD_SECTION_NAME_LINE
constexpr HResult kInfGeneralSyntax = 0xE0000003;       // ERROR_GENERAL_SYNTAX
constexpr HResult kInfSectionNotFound = 0xE0000101;     // ERROR_SECTION_NOT_FOUND
constexpr HResult kInfLineNotFound = 0xE0000102;        // ERROR_LINE_NOT_FOUND
// Driver packages: one for another architecture, one without a signature.
constexpr HResult kInstallPlatformUnsupported = 0x8007066A;  // ERROR_INSTALL_PLATFORM_UNSUPPORTED
constexpr HResult kTrustNoSignature = 0x800B0100;            // TRUST_E_NOSIGNATURE
}  // namespace hr

// The symbolic name of a code ("DISMAPI_E_INVALID_IMAGE_INDEX"), or "" when
// dismake has none for it.
const char* hresult_name(HResult code);

// "0xC0040005 DISMAPI_E_INVALID_IMAGE_INDEX" (the name is left out if unknown).
std::string format_hresult(HResult code);

}  // namespace dismake
