/*
 * dismapi.h: the DISM API (Microsoft's DismAPI.h) on Linux.
 *
 * C and C++ code written against DismAPI.h services images with dismake by
 * including this header instead and linking with -ldismapi. The names,
 * types, signatures, constants and HRESULT values are DISM's; the behaviour
 * is DISM's where Microsoft documents it, and where DISM is silent the choice
 * is documented at the function. Images are WIM files serviced with wimlib;
 * a mount is a directory on disk plus a record directory beside it
 * ("<mount>.dismake"), registered per user under $DISMAKE_HOME.
 *
 * Every function of the Windows 10 ADK's DismAPI.h is declared, so clients
 * compile unchanged. Those that need Windows' own servicing stack (packages,
 * features, capabilities, provisioned apps, editions, FFU images;
 * see "Servicing that needs Windows" below) return
 * HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED), and DismGetLastErrorMessage says
 * why, so a client takes its own error path.
 *
 * What differs from Windows everywhere:
 *   - Strings are wchar_t, which is 4 bytes (UTF-32) on Linux, not UTF-16,
 *     in libdismapi; L"..." literals work unchanged. libDismApi is the
 *     UTF-16 flavour (see "The string flavour"). Paths are converted to
 *     UTF-8 either way.
 *   - There is no running Windows to service: DISM_ONLINE_IMAGE is refused.
 *   - There are no Win32 events: only a handle made by
 *     DismakeCreateCancelEvent() can cancel (see "Cancelling" below). Any
 *     other CancelEvent is accepted, never dereferenced, and never cancels.
 *   - No elevation is needed; the calling user's permissions apply.
 *   - Every function may also fail with an HRESULT that wraps a Win32 error
 *     (HRESULT_FROM_WIN32), as DISM's do; DismGetLastErrorMessage tells why.
 *
 * Thread safety: every function may be called from any thread. Sessions keep
 * DismCloseSession's contract (see there).
 */
#ifndef DISMAKE_DISMAPI_H
#define DISMAKE_DISMAPI_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>
#if defined(DISMAKE_UTF16) && !defined(__cplusplus)
#include <uchar.h>
#endif

/* ------------------------------------------------------------------------ */
/* The string flavour                                                        */
/*                                                                           */
/* The library comes twice, from the same sources:                           */
/*   - libdismapi (-ldismapi, CMake Dismake::dismapi): WCHAR is wchar_t,     */
/*     4 bytes (UTF-32) on Linux, so L"..." literals and the wcs* functions */
/*     work. For C and C++ written on Linux.                                 */
/*   - libDismApi (-lDismApi, CMake Dismake::DismApi): Windows' ABI, WCHAR  */
/*     is char16_t holding UTF-16, as dismapi.dll's. For clients that pass  */
/*     UTF-16 as on Windows: .NET (ManagedDism's DllImport("DismApi")       */
/*     finds libDismApi.so), Python's ctypes, PowerShell. Code including    */
/*     this header for it defines DISMAKE_UTF16 before the include (CMake's  */
/*     Dismake::DismApi does) and needs C11 or C++11 for char16_t; string   */
/*     literals are u"..." (DISMAKE_TEXT("...") spells the flavour's own).  */
/* The two may be loaded into one process: each keeps its own state.         */
/* Strings a client passes must be valid in the flavour's encoding: a        */
/* surrogate code unit without its pair (UTF-16), or a value that is no      */
/* Unicode scalar value (UTF-32), gets E_INVALIDARG naming the argument.     */
/* ------------------------------------------------------------------------ */
#ifdef DISMAKE_UTF16
#define DISMAKE_TEXT(text) u##text
#else
#define DISMAKE_TEXT(text) L##text
#endif

/* ------------------------------------------------------------------------ */
/* Win32 types, as Windows defines them (sizes included). Define            */
/* DISMAKE_NO_WIN32_TYPES when another header already provides them.         */
/* ------------------------------------------------------------------------ */

#ifndef DISMAKE_NO_WIN32_TYPES
/* 32 bits, as on Windows: DISM's unsuffixed error constants (0xC0040004)
 * then compare equal to a returned HRESULT. */
typedef int32_t HRESULT;
typedef int32_t LONG;
typedef unsigned int UINT;
typedef uint32_t DWORD;
typedef DWORD *PDWORD;
typedef uint16_t WORD;
typedef uint64_t UINT64;
typedef int BOOL;
typedef void *PVOID;
typedef void *HANDLE;
#ifdef DISMAKE_UTF16
typedef char16_t WCHAR; /* <uchar.h> in C (C11), a keyword in C++ */
#else
typedef wchar_t WCHAR;
#endif
typedef const WCHAR *PCWSTR;

typedef struct _SYSTEMTIME {
  WORD wYear;
  WORD wMonth;
  WORD wDayOfWeek; /* 0 = Sunday */
  WORD wDay;
  WORD wHour;
  WORD wMinute;
  WORD wSecond;
  WORD wMilliseconds;
} SYSTEMTIME;
#endif

#ifndef VOID
#define VOID void
#endif
#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

/* Calling conventions: Windows-only, empty here. */
#ifndef WINAPI
#define WINAPI
#endif
#ifndef CALLBACK
#define CALLBACK
#endif
#ifndef DISMAPI
#define DISMAPI
#endif

/* Marks the library's exported functions; nothing else leaves libdismapi. */
#if defined(__GNUC__) || defined(__clang__)
#define DISMAKE_EXPORT __attribute__((visibility("default")))
#else
#define DISMAKE_EXPORT
#endif

/* ------------------------------------------------------------------------ */
/* HRESULT helpers (winerror.h)                                              */
/* ------------------------------------------------------------------------ */

#ifndef S_OK
#define S_OK ((HRESULT)0x00000000)
#endif
#ifndef S_FALSE
#define S_FALSE ((HRESULT)0x00000001)
#endif
#ifndef E_FAIL
#define E_FAIL ((HRESULT)0x80004005)
#endif
#ifndef E_INVALIDARG
#define E_INVALIDARG ((HRESULT)0x80070057)
#endif
#ifndef E_OUTOFMEMORY
#define E_OUTOFMEMORY ((HRESULT)0x8007000E)
#endif
#ifndef SUCCEEDED
#define SUCCEEDED(hr) (((HRESULT)(hr)) >= 0)
#endif
#ifndef FAILED
#define FAILED(hr) (((HRESULT)(hr)) < 0)
#endif
#ifndef HRESULT_CODE
#define HRESULT_CODE(hr) ((hr)&0xFFFF)
#endif
#ifndef HRESULT_FROM_WIN32
#define HRESULT_FROM_WIN32(x) \
  ((HRESULT)(x) <= 0 ? ((HRESULT)(x)) : ((HRESULT)(((x)&0x0000FFFF) | (7 << 16) | 0x80000000)))
#endif

/* The Win32 errors this API documents, for HRESULT_FROM_WIN32(). */
#ifndef ERROR_FILE_NOT_FOUND
#define ERROR_FILE_NOT_FOUND 2L
#endif
#ifndef ERROR_PATH_NOT_FOUND
#define ERROR_PATH_NOT_FOUND 3L
#endif
#ifndef ERROR_WRITE_PROTECT
#define ERROR_WRITE_PROTECT 19L
#endif
#ifndef ERROR_NOT_SUPPORTED
#define ERROR_NOT_SUPPORTED 50L
#endif
#ifndef ERROR_INVALID_DATA
#define ERROR_INVALID_DATA 13L
#endif
#ifndef ERROR_DIR_NOT_EMPTY
#define ERROR_DIR_NOT_EMPTY 145L
#endif
#ifndef ERROR_ALREADY_EXISTS
#define ERROR_ALREADY_EXISTS 183L
#endif
#ifndef ERROR_ELEVATION_REQUIRED
#define ERROR_ELEVATION_REQUIRED 740L /* never returned here: no elevation is needed */
#endif
#ifndef ERROR_NOT_FOUND
#define ERROR_NOT_FOUND 1168L
#endif
#ifndef ERROR_REQUEST_ABORTED
#define ERROR_REQUEST_ABORTED 1235L
#endif
#ifndef ERROR_ALREADY_INITIALIZED
#define ERROR_ALREADY_INITIALIZED 1247L
#endif
/* DISM returns it (as is, a success code) from online servicing that needs
 * a restart; offline servicing here never does. */
#ifndef ERROR_SUCCESS_REBOOT_REQUIRED
#define ERROR_SUCCESS_REBOOT_REQUIRED 3010L
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Typedefs, callbacks, constants                                            */
/* ------------------------------------------------------------------------ */

/* A servicing session on one image (DismOpenSession). 0 is never valid, and
 * a handle is never handed out twice in one process. */
typedef UINT DismSession;

/* Progress of a long operation, called on the thread that started it.
 * Current and Total are scaled down together when the operation counts more
 * than UINT_MAX bytes. On success the last call has Current == Total. */
typedef void(CALLBACK *DISM_PROGRESS_CALLBACK)(UINT Current, UINT Total, PVOID UserData);

#define DISM_ONLINE_IMAGE DISMAKE_TEXT("DISM_{53BFAE52-B167-4E2F-A258-0A37B57FF845}")
#define DISM_SESSION_DEFAULT 0

/* Where the newer ADKs' values come from. No Microsoft header of those ADKs
 * could be read while writing this one, so these are taken from public
 * transcriptions of it and are marked "unconfirmed": DISM_MOUNT_SUPPORT_EA
 * (0x8) and DismImageNone (2) from NtUtilsLibrary's Ntapi.dismapi
 * ("ADK::dismapi.h") and two C# bindings; DISMAPI_E_MUST_SPECIFY_INDEX_OR_NAME
 * (0xC0040020) from NtUtilsLibrary and a Go binding; DISM_COMMIT_SUPPORT_EA
 * (0x40000) from one C# binding only. Everything else is in the Windows 10
 * ADK's DismAPI.h or winerror.h. */

/* DismMountImage flags */
#define DISM_MOUNT_READWRITE 0x00000000
#define DISM_MOUNT_READONLY 0x00000001
#define DISM_MOUNT_OPTIMIZE 0x00000002
#define DISM_MOUNT_CHECK_INTEGRITY 0x00000004
/* Newer ADKs: keep NTFS extended attributes. Accepted and has no effect: a
 * Linux mount directory has no NTFS extended attributes to keep, and
 * commit never rewrites what it did not change (see DismCommitImage). */
#define DISM_MOUNT_SUPPORT_EA 0x00000008 /* unconfirmed, see above */

/* DismUnmountImage flags */
#define DISM_COMMIT_IMAGE 0x00000000
#define DISM_DISCARD_IMAGE 0x00000001

/* DismCommitImage flags; DismUnmountImage accepts them too. */
#define DISM_COMMIT_GENERATE_INTEGRITY 0x00010000
#define DISM_COMMIT_APPEND 0x00020000
/* Newer ADKs: capture NTFS extended attributes. Accepted and has no effect,
 * as DISM_MOUNT_SUPPORT_EA. */
#define DISM_COMMIT_SUPPORT_EA 0x00040000 /* unconfirmed, see above */
#define DISM_COMMIT_MASK 0xffff0000

/* DismGetReservedStorageState / DismSetReservedStorageState */
#define DISM_RESERVED_STORAGE_DISABLED 0x00000000
#define DISM_RESERVED_STORAGE_ENABLED 0x00000001

/* ------------------------------------------------------------------------ */
/* Enums                                                                     */
/* ------------------------------------------------------------------------ */

typedef enum _DismLogLevel {
  DismLogErrors = 0,
  DismLogErrorsWarnings,
  DismLogErrorsWarningsInfo,
  DismLogErrorsWarningsInfoDebug
} DismLogLevel;

/* DismImageNone (newer ADKs): no index and no name. dismake mounts a WIM's
 * only image with it; for a WIM of several images it returns
 * DISMAPI_E_MUST_SPECIFY_INDEX_OR_NAME. */
typedef enum _DismImageIdentifier {
  DismImageIndex = 0,
  DismImageName,
  DismImageNone /* 2, unconfirmed: see the mount flags */
} DismImageIdentifier;

typedef enum _DismMountMode { DismReadWrite = 0, DismReadOnly } DismMountMode;

typedef enum _DismImageType {
  DismImageTypeUnsupported = -1,
  DismImageTypeWim = 0,
  DismImageTypeVhd = 1
} DismImageType;

typedef enum _DismImageBootable {
  DismImageBootableYes = 0,
  DismImageBootableNo,
  DismImageBootableUnknown
} DismImageBootable;

typedef enum _DismMountStatus {
  DismMountStatusOk = 0,
  DismMountStatusNeedsRemount,
  DismMountStatusInvalid
} DismMountStatus;

typedef enum _DismImageHealthState {
  DismImageHealthy = 0,
  DismImageRepairable,
  DismImageNonRepairable
} DismImageHealthState;

/* The enums of the functions in "Servicing that needs Windows". */

typedef enum _DismPackageIdentifier {
  DismPackageNone = 0,
  DismPackageName,
  DismPackagePath
} DismPackageIdentifier;

typedef enum _DismPackageFeatureState {
  DismStateNotPresent = 0,
  DismStateUninstallPending,
  DismStateStaged,
  DismStateResolved, /* for internal use only (DismAPI.h) */
  DismStateRemoved = DismStateResolved,
  DismStateInstalled,
  DismStateInstallPending,
  DismStateSuperseded,
  DismStatePartiallyInstalled
} DismPackageFeatureState;

typedef enum _DismReleaseType {
  DismReleaseTypeCriticalUpdate = 0,
  DismReleaseTypeDriver,
  DismReleaseTypeFeaturePack,
  DismReleaseTypeHotfix,
  DismReleaseTypeSecurityUpdate,
  DismReleaseTypeSoftwareUpdate,
  DismReleaseTypeUpdate,
  DismReleaseTypeUpdateRollup,
  DismReleaseTypeLanguagePack,
  DismReleaseTypeFoundation,
  DismReleaseTypeServicePack,
  DismReleaseTypeProduct,
  DismReleaseTypeLocalPack,
  DismReleaseTypeOther,
  DismReleaseTypeOnDemandPack
} DismReleaseType;

typedef enum _DismRestartType {
  DismRestartNo = 0,
  DismRestartPossible,
  DismRestartRequired
} DismRestartType;

typedef enum _DismDriverSignature {
  DismDriverSignatureUnknown = 0,
  DismDriverSignatureUnsigned = 1,
  DismDriverSignatureSigned = 2
} DismDriverSignature;

typedef enum _DismFullyOfflineInstallableType {
  DismFullyOfflineInstallable = 0,
  DismFullyOfflineNotInstallable,
  DismFullyOfflineInstallableUndetermined
} DismFullyOfflineInstallableType;

typedef enum _DismStubPackageOption {
  DismStubPackageOptionNone = 0,
  DismStubPackageOptionInstallFull = 1,
  DismStubPackageOptionInstallStub = 2
} DismStubPackageOption;

/* ------------------------------------------------------------------------ */
/* Structures. Packed to 1 byte, as DismAPI.h packs them. Every structure    */
/* (or array of them) a function returns is released with DismDelete, which */
/* also releases every string and array it points to. Strings are never     */
/* NULL: a value the image does not record is L"".                          */
/* ------------------------------------------------------------------------ */
#pragma pack(push, 1)

typedef struct _DismString {
  PCWSTR Value;
} DismString;

typedef DismString DismLanguage;

/* What DismImageInfo.CustomizedInfo points to for a WIM image. */
typedef struct _DismWimCustomizedInfo {
  UINT Size; /* the image's total bytes, clamped to UINT_MAX */
  UINT DirectoryCount;
  UINT FileCount;
  SYSTEMTIME CreatedTime;  /* UTC, from the WIM's XML; all 0 when absent */
  SYSTEMTIME ModifiedTime; /* UTC, from the WIM's XML; all 0 when absent */
} DismWimCustomizedInfo;

typedef struct _DismImageInfo {
  DismImageType ImageType; /* always DismImageTypeWim */
  UINT ImageIndex;         /* 1-based */
  PCWSTR ImageName;
  PCWSTR ImageDescription;
  UINT64 ImageSize; /* bytes of all files, uncompressed */
  /* PROCESSOR_ARCHITECTURE_*: 0 x86, 5 ARM, 6 IA64, 9 AMD64, 12 ARM64; 0xFFFF
   * (PROCESSOR_ARCHITECTURE_UNKNOWN) when the image does not say. */
  UINT Architecture;
  PCWSTR ProductName;
  PCWSTR EditionId;
  PCWSTR InstallationType;
  PCWSTR Hal;
  PCWSTR ProductType;
  PCWSTR ProductSuite;
  UINT MajorVersion;
  UINT MinorVersion;
  UINT Build;
  UINT SpBuild;
  UINT SpLevel;
  DismImageBootable Bootable; /* Yes for the WIM's boot image, else No */
  PCWSTR SystemRoot;
  DismLanguage *Language; /* NULL when LanguageCount is 0 */
  UINT LanguageCount;
  UINT DefaultLanguageIndex; /* into Language; 0 when there is no default */
  VOID *CustomizedInfo;      /* a DismWimCustomizedInfo */
} DismImageInfo;

typedef struct _DismMountedImageInfo {
  PCWSTR MountPath;
  PCWSTR ImageFilePath; /* L"" when the mount's record is lost */
  UINT ImageIndex;      /* 0 when the mount's record is lost */
  DismMountMode MountMode;
  DismMountStatus MountStatus;
} DismMountedImageInfo;

/* The structures of the functions in "Servicing that needs Windows", as
 * DismAPI.h lays them out. No function here returns one. */

typedef struct _DismPackage {
  PCWSTR PackageName;
  DismPackageFeatureState PackageState;
  DismReleaseType ReleaseType;
  SYSTEMTIME InstallTime;
} DismPackage;

typedef struct _DismCustomProperty {
  PCWSTR Name;
  PCWSTR Value;
  PCWSTR Path;
} DismCustomProperty;

typedef struct _DismFeature {
  PCWSTR FeatureName;
  DismPackageFeatureState State;
} DismFeature;

typedef struct _DismCapability {
  PCWSTR Name;
  DismPackageFeatureState State;
} DismCapability;

#define DISMAKE_DISM_PACKAGE_INFO_MEMBERS       \
  PCWSTR PackageName;                           \
  DismPackageFeatureState PackageState;         \
  DismReleaseType ReleaseType;                  \
  SYSTEMTIME InstallTime;                       \
  BOOL Applicable;                              \
  PCWSTR Copyright;                             \
  PCWSTR Company;                               \
  SYSTEMTIME CreationTime;                      \
  PCWSTR DisplayName;                           \
  PCWSTR Description;                           \
  PCWSTR InstallClient;                         \
  PCWSTR InstallPackageName;                    \
  SYSTEMTIME LastUpdateTime;                    \
  PCWSTR ProductName;                           \
  PCWSTR ProductVersion;                        \
  DismRestartType RestartRequired;              \
  DismFullyOfflineInstallableType FullyOffline; \
  PCWSTR SupportInformation;                    \
  DismCustomProperty *CustomProperty;           \
  UINT CustomPropertyCount;                     \
  DismFeature *Feature;                         \
  UINT FeatureCount;

typedef struct _DismPackageInfo {
  DISMAKE_DISM_PACKAGE_INFO_MEMBERS
} DismPackageInfo;

/* DismAPI.h derives it from DismPackageInfo (in C through an anonymous
 * member, a Microsoft extension): here C gets the same members by name. */
#ifdef __cplusplus
typedef struct _DismPackageInfoEx : public _DismPackageInfo {
  PCWSTR CapabilityId;
} DismPackageInfoEx;
#else
typedef struct _DismPackageInfoEx {
  DISMAKE_DISM_PACKAGE_INFO_MEMBERS
  PCWSTR CapabilityId;
} DismPackageInfoEx;
#endif
#undef DISMAKE_DISM_PACKAGE_INFO_MEMBERS

typedef struct _DismFeatureInfo {
  PCWSTR FeatureName;
  DismPackageFeatureState FeatureState;
  PCWSTR DisplayName;
  PCWSTR Description;
  DismRestartType RestartRequired;
  DismCustomProperty *CustomProperty;
  UINT CustomPropertyCount;
} DismFeatureInfo;

typedef struct _DismCapabilityInfo {
  PCWSTR Name;
  DismPackageFeatureState State;
  PCWSTR DisplayName;
  PCWSTR Description;
  DWORD DownloadSize;
  DWORD InstallSize;
} DismCapabilityInfo;

typedef struct _DismDriverPackage {
  PCWSTR PublishedName;
  PCWSTR OriginalFileName;
  BOOL InBox;
  PCWSTR CatalogFile;
  PCWSTR ClassName;
  PCWSTR ClassGuid;
  PCWSTR ClassDescription;
  BOOL BootCritical;
  DismDriverSignature DriverSignature;
  PCWSTR ProviderName;
  SYSTEMTIME Date;
  UINT MajorVersion;
  UINT MinorVersion;
  UINT Build;
  UINT Revision;
} DismDriverPackage;

typedef struct _DismDriver {
  PCWSTR ManufacturerName;
  PCWSTR HardwareDescription;
  PCWSTR HardwareId;
  UINT Architecture;
  PCWSTR ServiceName;
  PCWSTR CompatibleIds;
  PCWSTR ExcludeIds;
} DismDriver;

typedef struct _DismAppxPackage {
  PCWSTR PackageName;
  PCWSTR DisplayName;
  PCWSTR PublisherId;
  UINT MajorVersion;
  UINT MinorVersion;
  UINT Build;
  UINT RevisionNumber;
  UINT Architecture;
  PCWSTR ResourceId;
  PCWSTR InstallLocation;
  PCWSTR Region; /* may be NULL */
} DismAppxPackage;

#pragma pack(pop)

/* ------------------------------------------------------------------------ */
/* Initialization                                                            */
/* ------------------------------------------------------------------------ */

/*
 * Initializes the API for this process. It must be called once before any
 * other function here; until then they return
 * DISMAPI_E_DISMAPI_NOT_INITIALIZED. After DismShutdown it may be called
 * again.
 *
 * LogLevel must be a DismLogLevel value (else E_INVALIDARG). With
 * LogFilePath, the API logs to that file until DismShutdown: its directory
 * is created when missing, as DISM does, and lines are appended in DISM's
 * format ("2024-01-31 10:00:00, Info                  DISM   API: PID=1234
 * TID=5678 <text> - <function>"). DismLogErrors logs failures (each with its
 * message and "(hr:0x...)"), DismLogErrorsWarnings adds warnings,
 * DismLogErrorsWarningsInfo (DISM's default) adds each call's entry, exit
 * and what it did; Debug adds nothing more yet. A log that cannot be created
 * fails the call with the HRESULT of the system's error, and the API stays
 * uninitialized. NULL: no log (there is no %WINDIR%\Logs\DISM on Linux).
 *
 * ScratchDirectory, when given, must be an existing directory (else
 * HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND)): each commit (DismCommitImage,
 * DismUnmountImage with DISM_COMMIT_IMAGE) stages its temporary files (the
 * NTFS volumes of changed files) in a private directory made there and
 * removed after it. NULL: they are staged in the mount's record directory.
 * The files that replace a WIM or a record are always written beside it,
 * so that the replacement is an atomic rename.
 *
 * The registry of mounts is read from $DISMAKE_HOME (else
 * $XDG_STATE_HOME/dismake, else ~/.local/state/dismake) as it is at this
 * call.
 *
 * Returns S_OK, or DISMAPI_E_DISMAPI_ALREADY_INITIALIZED when the process has
 * called it without a matching DismShutdown.
 */
DISMAKE_EXPORT HRESULT WINAPI DismInitialize(DismLogLevel LogLevel, PCWSTR LogFilePath,
                                             PCWSTR ScratchDirectory);

/*
 * Shuts the API down. Every session must be closed first.
 *
 * Returns S_OK, DISMAPI_E_DISMAPI_NOT_INITIALIZED when the API is not
 * initialized (also for the second of two concurrent calls), or
 * DISMAPI_E_OPEN_SESSION_HANDLES while any session is open or still closing.
 * Operations running without a session (a mount, say) are not waited for;
 * they finish normally. As DISM documents, it does not set the thread's last
 * error message.
 */
DISMAKE_EXPORT HRESULT WINAPI DismShutdown(void);

/* ------------------------------------------------------------------------ */
/* Images and mounts (no session needed)                                     */
/* ------------------------------------------------------------------------ */

/*
 * Extracts one image of the WIM file ImageFilePath into MountPath (created
 * when missing; it must be empty when it exists) and registers the mount.
 * The image is chosen by ImageIndex (1-based) when ImageIdentifier is
 * DismImageIndex, else by ImageName.
 *
 * Flags: DISM_MOUNT_READWRITE or DISM_MOUNT_READONLY (then commit is
 * refused). DISM_MOUNT_OPTIMIZE, DISM_MOUNT_CHECK_INTEGRITY and
 * DISM_MOUNT_SUPPORT_EA are accepted and have no effect: the tree is always
 * extracted in full, wimlib checks every blob's SHA-1 as it extracts it, and
 * see DISM_MOUNT_SUPPORT_EA. Other bits: E_INVALIDARG.
 *
 * With DismImageNone the WIM must hold exactly one image, which is mounted;
 * else DISMAPI_E_MUST_SPECIFY_INDEX_OR_NAME.
 *
 * Unlike DISM, the mount is an ordinary directory: nothing is mapped, so a
 * mount survives reboots and needs no remount after one.
 *
 * Progress reports extracted bytes. When CancelEvent is set before or
 * during the extraction, the call returns
 * HRESULT_FROM_WIN32(ERROR_REQUEST_ABORTED) and leaves nothing behind: no
 * mount, no registry entry, no files in MountPath.
 *
 * Errors: DISMAPI_E_INVALID_IMAGE_INDEX, DISMAPI_E_INVALID_IMAGE_NAME,
 * HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND) for a missing WIM,
 * HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS) when MountPath is already a mount,
 * HRESULT_FROM_WIN32(ERROR_DIR_NOT_EMPTY) for a non-empty directory.
 */
DISMAKE_EXPORT HRESULT WINAPI DismMountImage(PCWSTR ImageFilePath, PCWSTR MountPath,
                                             UINT ImageIndex, PCWSTR ImageName,
                                             DismImageIdentifier ImageIdentifier, DWORD Flags,
                                             HANDLE CancelEvent, DISM_PROGRESS_CALLBACK Progress,
                                             PVOID UserData);

/*
 * Unmounts the image at MountPath: with DISM_COMMIT_IMAGE its changes are
 * first committed into its WIM file (as DismCommitImage), with
 * DISM_DISCARD_IMAGE they are dropped. Then the mount directory's contents
 * (and the directory, when the mount created it) and the record directory are
 * removed. DISM_COMMIT_GENERATE_INTEGRITY may be or-ed in;
 * DISM_COMMIT_APPEND is refused with HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED).
 *
 * The unmount is refused with DISMAPI_E_OPEN_HANDLES_UNABLE_TO_UNMOUNT_IMAGE_PATH
 * while any session is open on the mount, whether this process opened it
 * (DismOpenSession) or another one did (another program using this API, or
 * `dismake open-session`); the mount is left as it was. A session of a
 * process that has exited does not count.
 *
 * Progress and CancelEvent apply to the commit. Unlike DISM, whose image
 * "state is unknown" after a cancel, a cancelled unmount returns
 * HRESULT_FROM_WIN32(ERROR_REQUEST_ABORTED) with the mount intact and its WIM
 * unchanged.
 *
 * Errors: DISMAPI_E_UNABLE_TO_UNMOUNT_IMAGE_PATH when MountPath is not a
 * mount; DISMAPI_E_NEEDS_REMOUNT when committing and the WIM file changed
 * since it was mounted.
 */
DISMAKE_EXPORT HRESULT WINAPI DismUnmountImage(PCWSTR MountPath, DWORD Flags, HANDLE CancelEvent,
                                               DISM_PROGRESS_CALLBACK Progress, PVOID UserData);

/*
 * Brings back a mount whose working tree vanished (its directory was deleted
 * or emptied): the image is extracted into it again. A mount whose tree is
 * there is left alone and S_OK returned.
 *
 * Errors: HRESULT_FROM_WIN32(ERROR_NOT_FOUND) when MountPath is not a mount;
 * DISMAPI_E_NEEDS_REMOUNT when the WIM file changed since it was mounted
 * (unmount with DISM_DISCARD_IMAGE and mount again).
 */
DISMAKE_EXPORT HRESULT WINAPI DismRemountImage(PCWSTR MountPath);

/*
 * Removes what is left of broken mounts: those whose record directory or
 * record is gone, and sessions whose process has exited. A mount whose
 * source WIM is gone keeps its directory (it may hold the only copy of
 * changes); `dismake cleanup --force` deletes it.
 */
DISMAKE_EXPORT HRESULT WINAPI DismCleanupMountpoints(void);

/*
 * Describes every image of the WIM file ImageFilePath: *ImageInfo receives
 * an array of *Count DismImageInfo, to be released with DismDelete.
 *
 * Errors: HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND), ERROR_BAD_FORMAT (not a
 * WIM), ERROR_FILE_CORRUPT. VHD files are not supported.
 */
DISMAKE_EXPORT HRESULT WINAPI DismGetImageInfo(PCWSTR ImageFilePath, DismImageInfo **ImageInfo,
                                               UINT *Count);

/*
 * Lists the calling user's mounts (like DISM's list of mounted images):
 * *MountedImageInfo receives an array of *Count entries, sorted by mount
 * path, to be released with DismDelete. With no mounts, *Count is 0 and
 * *MountedImageInfo is a valid empty array (still released with DismDelete).
 */
DISMAKE_EXPORT HRESULT WINAPI DismGetMountedImageInfo(DismMountedImageInfo **MountedImageInfo,
                                                      UINT *Count);

/* ------------------------------------------------------------------------ */
/* Sessions                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * Opens a session on the image at ImagePath: a mount directory (from
 * DismMountImage or `dismake mount`) or any other directory holding an
 * offline Windows image. WindowsDirectory (relative to ImagePath; default
 * "Windows") must exist, as DISM requires. SystemDrive names a drive letter,
 * which Linux does not have: it must be NULL.
 *
 * A session on a mount is recorded in the mount's record directory, so that
 * unmount in any process refuses while it is open. It belongs to this
 * process: once the process exits it no longer blocks anything, and
 * DismCleanupMountpoints removes its record.
 *
 * DISM_ONLINE_IMAGE returns HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED): there is
 * no running Windows to service on this platform.
 *
 * As DISM documents, *Session must be DISM_SESSION_DEFAULT or a closed
 * handle: when it names a session open in this process, the call returns
 * HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS) and leaves it as it is. On any
 * other failure *Session is set to DISM_SESSION_DEFAULT (DISM does not say
 * what it holds then), so a close of it fails cleanly.
 *
 * Opening a session on a mount takes the mount's lock for a moment, so it
 * waits while another thread or process commits or unmounts that mount (up
 * to 60 s, or $DISMAKE_LOCK_TIMEOUT seconds, then DISMAPI_E_BUSY).
 *
 * Errors: HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND) when ImagePath is not a
 * directory; HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND) when it is a directory
 * but holds no Windows directory (matched case-insensitively), so is no
 * mounted or applied Windows image: DISM's "Error: 2, Unable to access the
 * image".
 */
DISMAKE_EXPORT HRESULT WINAPI DismOpenSession(PCWSTR ImagePath, PCWSTR WindowsDirectory,
                                              PCWSTR SystemDrive, DismSession *Session);

/*
 * Closes a session. The image is not unmounted (use DismUnmountImage once
 * every session on it is closed). Exactly DISM's contract: operations running
 * on the session in other threads complete first, and this call returns only
 * after they have; any call made on the session after this one has begun,
 * even while it is still waiting, fails with DISMAPI_E_INVALID_DISM_SESSION.
 *
 * Errors: DISMAPI_E_INVALID_DISM_SESSION for a handle that is unknown,
 * closed or already being closed; DISMAPI_E_BUSY when called from inside an
 * operation on the same session (a progress callback), which would wait for
 * itself.
 */
DISMAKE_EXPORT HRESULT WINAPI DismCloseSession(DismSession Session);

/*
 * Writes the changes made in the session's mount into its WIM file. Only
 * what differs from the mounted image is written; files nobody touched keep
 * all their Windows metadata. The WIM is replaced atomically: an interrupted
 * or cancelled commit leaves the old WIM and the mount as they were. Nothing
 * is written when nothing changed.
 *
 * Flags: DISM_COMMIT_GENERATE_INTEGRITY adds an integrity table.
 * DISM_COMMIT_SUPPORT_EA is accepted and has no effect (see there).
 * DISM_COMMIT_APPEND (save as a new image) returns
 * HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED). Other bits: E_INVALIDARG.
 *
 * Progress reports written bytes; CancelEvent stops the commit with
 * HRESULT_FROM_WIN32(ERROR_REQUEST_ABORTED) and the mount left valid.
 *
 * Errors: DISMAPI_E_INVALID_DISM_SESSION; HRESULT_FROM_WIN32(ERROR_NOT_FOUND)
 * when the session's image is a plain directory, not a mount;
 * HRESULT_FROM_WIN32(ERROR_WRITE_PROTECT) for a read-only mount;
 * DISMAPI_E_NEEDS_REMOUNT when the WIM changed since it was mounted;
 * DISMAPI_E_BUSY when another process holds the mount for over 60 s
 * ($DISMAKE_LOCK_TIMEOUT seconds when set).
 */
DISMAKE_EXPORT HRESULT WINAPI DismCommitImage(DismSession Session, DWORD Flags, HANDLE CancelEvent,
                                              DISM_PROGRESS_CALLBACK Progress, PVOID UserData);

/*
 * Tells whether the session's image can be serviced. The mount's state is
 * checked (DismImageHealthy; DismImageRepairable when its tree vanished and
 * DismRemountImage would bring it back; DismImageNonRepairable when its
 * state is lost). With ScanImage, the WIM file is also read to verify it is
 * still the image that was mounted (DismImageNonRepairable when not: unmount
 * with DISM_DISCARD_IMAGE and mount again). For a plain directory the image
 * is healthy when the directory exists.
 *
 * The check only reads, so any number may run at once. Progress reports
 * steps done of steps to do; CancelEvent stops it with
 * HRESULT_FROM_WIN32(ERROR_REQUEST_ABORTED).
 */
DISMAKE_EXPORT HRESULT WINAPI DismCheckImageHealth(DismSession Session, BOOL ScanImage,
                                                   HANDLE CancelEvent,
                                                   DISM_PROGRESS_CALLBACK Progress, PVOID UserData,
                                                   DismImageHealthState *ImageHealth);

/*
 * Applies the answer file UnattendFile to the session's image, as the
 * engine's `apply-unattend` step does: the file must be well-formed XML
 * with an <unattend> root (else HRESULT_FROM_WIN32(ERROR_INVALID_DATA)), and
 * it is placed at Windows\Panther\unattend.xml, where Windows Setup reads
 * it. It is recorded as a step of the mount, so DismCommitImage writes it.
 *
 * Unlike DISM, the settings of an offlineServicing pass are NOT applied now:
 * that needs Windows' servicing stack. They stay in the placed file for
 * Windows Setup; a warning on stderr says so. SingleSession (whether DISM
 * processes the file's packages in one servicing session) has no effect:
 * no packages are installed here.
 *
 * Errors: DISMAPI_E_INVALID_DISM_SESSION;
 * HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND) when UnattendFile is missing;
 * HRESULT_FROM_WIN32(ERROR_NOT_FOUND) when the session's image is a plain
 * directory, not a mount; HRESULT_FROM_WIN32(ERROR_WRITE_PROTECT) for a
 * read-only mount; DISMAPI_E_BUSY as DismCommitImage.
 */
DISMAKE_EXPORT HRESULT WINAPI DismApplyUnattend(DismSession Session, PCWSTR UnattendFile,
                                                BOOL SingleSession);

/* ------------------------------------------------------------------------ */
/* Drivers                                                                   */
/* ------------------------------------------------------------------------ */

/*
 * The driver packages staged in the session's image (a mount, or a
 * directory holding an applied image), read from its driver database (the
 * DriverDatabase key of its DRIVERS or SYSTEM hive; a dirty hive after its
 * logs are replayed), as `dismake get-drivers` lists them: third-party
 * packages (published as oemN.inf) only unless AllDrivers. ClassDescription
 * is the class name (Windows' description is a resource string of a DLL);
 * DriverSignature is Signed when the database names a signer. Release
 * *DriverPackage with DismDelete.
 * Errors: DISMAPI_E_INVALID_DISM_SESSION; E_INVALIDARG for a NULL output;
 * HRESULT_FROM_WIN32(ERROR_NOT_FOUND) when the image has no SYSTEM hive or
 * no driver database.
 */
DISMAKE_EXPORT HRESULT WINAPI DismGetDrivers(DismSession Session, BOOL AllDrivers,
                                             DismDriverPackage **DriverPackage, UINT *Count);

/*
 * One package of the session's image by its published name (DriverPath
 * "oem4.inf", any case; an inbox package's INF name): *Driver gets one
 * DismDriver per model (from the database's Descriptors): its hardware id,
 * CompatibleIds and ExcludeIds (ids separated by a space, "" for none; see
 * the README's Drivers section), *DriverPackage (optional, may be NULL) the package as
 * DismGetDrivers gives it. DriverPath may also be a path to an .inf file
 * (it holds a '/' or '\\', or names an existing file), as with DISM: its
 * driver read for the image's architecture, as `dismake get-driver-info`
 * shows it. Release both with DismDelete.
 * Errors: as DismGetDrivers; HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND) when
 * no package has that name.
 */
DISMAKE_EXPORT HRESULT WINAPI DismGetDriverInfo(DismSession Session, PCWSTR DriverPath,
                                                DismDriver **Driver, UINT *Count,
                                                DismDriverPackage **DriverPackage);

/*
 * Stages the driver package of the .inf file DriverPath in the session's
 * mount, as the add-driver step does (`dismake add-driver`): its files in
 * the DriverStore, the INF as the next free Windows\INF\oemN.inf, the
 * driver database's keys, and a boot-start driver's service in every
 * control set. Without ForceUnsigned, a package without a signed catalog is
 * refused with TRUST_E_NOSIGNATURE (0x800B0100); a package for another
 * architecture with HRESULT_FROM_WIN32(ERROR_INSTALL_PLATFORM_UNSUPPORTED);
 * a malformed INF with SetupAPI's ERROR_GENERAL_SYNTAX (0xE0000003),
 * naming file and line. Nothing is staged when it fails.
 * Errors also: HRESULT_FROM_WIN32(ERROR_NOT_FOUND) when the session's image
 * is a plain directory, not a mount.
 */
DISMAKE_EXPORT HRESULT WINAPI DismAddDriver(DismSession Session, PCWSTR DriverPath,
                                            BOOL ForceUnsigned);

/*
 * Removes the third-party package published as DriverPath ("oem12.inf")
 * from the session's mount, as the remove-driver step does. An inbox
 * driver is refused with HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED), an
 * unknown name with HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND).
 */
DISMAKE_EXPORT HRESULT WINAPI DismRemoveDriver(DismSession Session, PCWSTR DriverPath);

/* ------------------------------------------------------------------------ */
/* Servicing that needs Windows                                              */
/*                                                                           */
/* DISM does these with Windows' own servicing stack: the component-based   */
/* servicing (CBS) engine for packages, features, capabilities, editions,   */
/* health repair and reserved storage; the AppX deployment stack for       */
/* provisioned apps; the FFU provider for full-flash images. None of it    */
/* runs on Linux, so each function here, with DismAPI.h's signature,       */
/* checks its session as DISM would (DISMAPI_E_DISMAPI_NOT_INITIALIZED,    */
/* DISMAPI_E_INVALID_DISM_SESSION),                                         */
/* clears its outputs (NULL pointers, zero counts) and then returns         */
/* HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED); DismGetLastErrorMessage names   */
/* the function and what it would need. Nothing is changed.                 */
/* ------------------------------------------------------------------------ */

DISMAKE_EXPORT HRESULT WINAPI DismRestoreImageHealth(DismSession Session, PCWSTR *SourcePaths,
                                                     UINT SourcePathCount, BOOL LimitAccess,
                                                     HANDLE CancelEvent,
                                                     DISM_PROGRESS_CALLBACK Progress,
                                                     PVOID UserData);

DISMAKE_EXPORT HRESULT WINAPI DismAddPackage(DismSession Session, PCWSTR PackagePath,
                                             BOOL IgnoreCheck, BOOL PreventPending,
                                             HANDLE CancelEvent, DISM_PROGRESS_CALLBACK Progress,
                                             PVOID UserData);
DISMAKE_EXPORT HRESULT WINAPI DismRemovePackage(DismSession Session, PCWSTR Identifier,
                                                DismPackageIdentifier PackageIdentifier,
                                                HANDLE CancelEvent, DISM_PROGRESS_CALLBACK Progress,
                                                PVOID UserData);
DISMAKE_EXPORT HRESULT WINAPI DismGetPackages(DismSession Session, DismPackage **Package,
                                              UINT *Count);
DISMAKE_EXPORT HRESULT WINAPI DismGetPackageInfo(DismSession Session, PCWSTR Identifier,
                                                 DismPackageIdentifier PackageIdentifier,
                                                 DismPackageInfo **PackageInfo);
DISMAKE_EXPORT HRESULT WINAPI DismGetPackageInfoEx(DismSession Session, PCWSTR Identifier,
                                                   DismPackageIdentifier PackageIdentifier,
                                                   DismPackageInfoEx **PackageInfoEx);

DISMAKE_EXPORT HRESULT WINAPI DismEnableFeature(DismSession Session, PCWSTR FeatureName,
                                                PCWSTR Identifier,
                                                DismPackageIdentifier PackageIdentifier,
                                                BOOL LimitAccess, PCWSTR *SourcePaths,
                                                UINT SourcePathCount, BOOL EnableAll,
                                                HANDLE CancelEvent, DISM_PROGRESS_CALLBACK Progress,
                                                PVOID UserData);
DISMAKE_EXPORT HRESULT WINAPI DismDisableFeature(DismSession Session, PCWSTR FeatureName,
                                                 PCWSTR PackageName, BOOL RemovePayload,
                                                 HANDLE CancelEvent,
                                                 DISM_PROGRESS_CALLBACK Progress, PVOID UserData);
DISMAKE_EXPORT HRESULT WINAPI DismGetFeatures(DismSession Session, PCWSTR Identifier,
                                              DismPackageIdentifier PackageIdentifier,
                                              DismFeature **Feature, UINT *Count);
DISMAKE_EXPORT HRESULT WINAPI DismGetFeatureInfo(DismSession Session, PCWSTR FeatureName,
                                                 PCWSTR Identifier,
                                                 DismPackageIdentifier PackageIdentifier,
                                                 DismFeatureInfo **FeatureInfo);
DISMAKE_EXPORT HRESULT WINAPI DismGetFeatureParent(DismSession Session, PCWSTR FeatureName,
                                                   PCWSTR Identifier,
                                                   DismPackageIdentifier PackageIdentifier,
                                                   DismFeature **Feature, UINT *Count);

DISMAKE_EXPORT HRESULT WINAPI DismGetCapabilities(DismSession Session, DismCapability **Capability,
                                                  UINT *Count);
DISMAKE_EXPORT HRESULT WINAPI DismGetCapabilityInfo(DismSession Session, PCWSTR Name,
                                                    DismCapabilityInfo **Info);
DISMAKE_EXPORT HRESULT WINAPI DismAddCapability(DismSession Session, PCWSTR Name, BOOL LimitAccess,
                                                PCWSTR *SourcePaths, UINT SourcePathCount,
                                                HANDLE CancelEvent, DISM_PROGRESS_CALLBACK Progress,
                                                PVOID UserData);
DISMAKE_EXPORT HRESULT WINAPI DismRemoveCapability(DismSession Session, PCWSTR Name,
                                                   HANDLE CancelEvent,
                                                   DISM_PROGRESS_CALLBACK Progress, PVOID UserData);

DISMAKE_EXPORT HRESULT WINAPI DismGetReservedStorageState(DismSession Session, PDWORD State);
DISMAKE_EXPORT HRESULT WINAPI DismSetReservedStorageState(DismSession Session, DWORD State);

/* Provisioned apps. DismAPI.h declares them with a leading underscore, the
 * names dismapi.dll exports; the unprefixed names (as ManagedDism spells
 * them) are aliases. */
DISMAKE_EXPORT HRESULT WINAPI _DismGetProvisionedAppxPackages(DismSession Session,
                                                              DismAppxPackage **Package,
                                                              UINT *Count);
DISMAKE_EXPORT HRESULT WINAPI _DismAddProvisionedAppxPackage(
    DismSession Session, PCWSTR AppPath, PCWSTR *DependencyPackages, UINT DependencyPackageCount,
    PCWSTR *OptionalPackages, UINT OptionalPackageCount, PCWSTR *LicensePaths,
    UINT LicensePathCount, BOOL SkipLicense, PCWSTR CustomDataPath, PCWSTR Region,
    DismStubPackageOption stubPackageOption);
DISMAKE_EXPORT HRESULT WINAPI _DismRemoveProvisionedAppxPackage(DismSession Session,
                                                                PCWSTR PackageName);
#define DismGetProvisionedAppxPackages _DismGetProvisionedAppxPackages
#define DismAddProvisionedAppxPackage _DismAddProvisionedAppxPackage
#define DismRemoveProvisionedAppxPackage _DismRemoveProvisionedAppxPackage

/* Editions and FFU images. dismapi.dll exports these, undocumented and in
 * no DismAPI.h; the signatures are those ManagedDism (the .NET DISM
 * wrapper) calls them with, and cannot be checked against a Microsoft
 * header. The unprefixed names are aliases, as above. */
DISMAKE_EXPORT HRESULT WINAPI _DismGetCurrentEdition(DismSession Session, DismString **EditionId);
DISMAKE_EXPORT HRESULT WINAPI _DismGetTargetEditions(DismSession Session, DismString **EditionIds,
                                                     UINT *Count);
DISMAKE_EXPORT HRESULT WINAPI _DismSetEdition(DismSession Session, PCWSTR EditionId,
                                              PCWSTR ProductKey, HANDLE CancelEvent,
                                              DISM_PROGRESS_CALLBACK Progress, PVOID UserData);
DISMAKE_EXPORT HRESULT WINAPI _DismSetProductKey(DismSession Session, PCWSTR ProductKey);
/* No session: checks only that the API is initialized. */
DISMAKE_EXPORT HRESULT WINAPI _DismApplyFfuImage(PCWSTR ImagePath, PCWSTR ApplyPath,
                                                 PCWSTR PartPath);
/* Splits an FFU file into parts of at most PartSize MB. No session. */
DISMAKE_EXPORT HRESULT WINAPI _DismSplitFfuImage(PCWSTR ImagePath, PCWSTR PartPath,
                                                 UINT64 PartSize);
/* The edition and licensing channel a product key is for; both released
 * with DismDelete. */
DISMAKE_EXPORT HRESULT WINAPI _DismGetProductKeyInfo(DismSession Session, PCWSTR ProductKey,
                                                     DismString **EditionId, DismString **Channel);
/* S_OK when the product key is valid for the image. */
DISMAKE_EXPORT HRESULT WINAPI _DismValidateProductKey(DismSession Session, PCWSTR ProductKey);

/* The image's registry hives, named as ManagedDism names them (unconfirmed,
 * like the functions around it). */
typedef enum _DismRegistryHive {
  DismRegistrySoftware = 0,
  DismRegistrySystem,
  DismRegistrySecurity,
  DismRegistrySAM,
  DismRegistryDefault,
  DismRegistryHKCU,
  DismRegistryComponents,
  DismRegistryDrivers
} DismRegistryHive;
/* The registry key where Windows loaded the session's hive. On Linux no
 * hive is loaded into a registry; the reason names the hive files instead. */
DISMAKE_EXPORT HRESULT WINAPI _DismGetRegistryMountPoint(DismSession Session,
                                                         DismRegistryHive RegistryHive,
                                                         DismString **RegistryMountPoint);
#define DismGetCurrentEdition _DismGetCurrentEdition
#define DismGetTargetEditions _DismGetTargetEditions
#define DismSetEdition _DismSetEdition
#define DismSetProductKey _DismSetProductKey
#define DismApplyFfuImage _DismApplyFfuImage
#define DismSplitFfuImage _DismSplitFfuImage
#define DismGetProductKeyInfo _DismGetProductKeyInfo
#define DismValidateProductKey _DismValidateProductKey
#define DismGetRegistryMountPoint _DismGetRegistryMountPoint

/* ------------------------------------------------------------------------ */
/* Errors and memory                                                         */
/* ------------------------------------------------------------------------ */

/*
 * The message of the last call that failed on the calling thread: what went
 * wrong, what to do about it, and the HRESULT with its name. Each thread has
 * its own; a call that succeeds does not clear it. DismShutdown, DismDelete
 * and this function never change it, as DISM documents.
 *
 * *ErrorMessage is released with DismDelete. Returns
 * HRESULT_FROM_WIN32(ERROR_NOT_FOUND), and sets *ErrorMessage to NULL, when no
 * call has failed on this thread yet.
 */
DISMAKE_EXPORT HRESULT WINAPI DismGetLastErrorMessage(DismString **ErrorMessage);

/*
 * Releases a structure, or an array of structures, returned by any function
 * here, with every string and array it points to. Pass exactly the pointer
 * that was returned. NULL is accepted and ignored (S_OK), as Microsoft's
 * samples rely on. A pointer that no function here returned, or one already
 * released, returns E_INVALIDARG: the library keeps a table of what it
 * handed out and never reads the memory it is given.
 */
DISMAKE_EXPORT HRESULT WINAPI DismDelete(VOID *DismStructure);

/* ------------------------------------------------------------------------ */
/* Cancelling (dismake's stand-ins for Win32 events)                         */
/*                                                                           */
/* DISM cancels an operation when the event passed as CancelEvent is        */
/* signalled. Linux has no such events, so a cancel event is made, set and  */
/* closed with these three, in place of CreateEvent(NULL, TRUE, FALSE,      */
/* NULL), SetEvent and CloseHandle. The event is manual-reset: once set, it */
/* cancels every operation it is passed to, and stays set. An operation     */
/* notices it at its next progress step.                                    */
/* ------------------------------------------------------------------------ */

/* A new event, not set. NULL only when out of memory. */
DISMAKE_EXPORT HANDLE DismakeCreateCancelEvent(void);

/* Sets the event; safe from any thread, also while operations use it. A
 * handle that is no live event is ignored. */
DISMAKE_EXPORT void DismakeSetCancelEvent(HANDLE CancelEvent);

/* Frees the event. An operation still using it no longer sees it set. NULL,
 * or a handle that is no live event, is ignored. */
DISMAKE_EXPORT void DismakeCloseCancelEvent(HANDLE CancelEvent);

/* Foreign handles. Every function taking a CancelEvent also accepts a
 * handle these functions did not make, or one already closed: a Win32 event
 * handle (a small integer) from code written for Windows, or the event
 * handle .NET's ManagedDism passes to every call that reports progress. Such
 * a handle is never dereferenced (handles are only looked up in the table
 * of live events), and it CANNOT cancel: the operation runs to its end, as
 * if no CancelEvent had been given. To cancel on Linux, pass an event made
 * by DismakeCreateCancelEvent(). */

/* ------------------------------------------------------------------------ */
/* HRESULTs (DismAPI.h's values)                                             */
/* ------------------------------------------------------------------------ */

#define DISMAPI_S_RELOAD_IMAGE_SESSION_REQUIRED 0x00000001

#define DISMAPI_E_DISMAPI_NOT_INITIALIZED 0xC0040001
#define DISMAPI_E_SHUTDOWN_IN_PROGRESS 0xC0040002
#define DISMAPI_E_OPEN_SESSION_HANDLES 0xC0040003
#define DISMAPI_E_INVALID_DISM_SESSION 0xC0040004
#define DISMAPI_E_INVALID_IMAGE_INDEX 0xC0040005
#define DISMAPI_E_INVALID_IMAGE_NAME 0xC0040006
#define DISMAPI_E_UNABLE_TO_UNMOUNT_IMAGE_PATH 0xC0040007
#define DISMAPI_E_LOGGING_DISABLED 0xC0040009
#define DISMAPI_E_OPEN_HANDLES_UNABLE_TO_UNMOUNT_IMAGE_PATH 0xC004000A
#define DISMAPI_E_OPEN_HANDLES_UNABLE_TO_MOUNT_IMAGE_PATH 0xC004000B
#define DISMAPI_E_OPEN_HANDLES_UNABLE_TO_REMOUNT_IMAGE_PATH 0xC004000C
#define DISMAPI_E_PARENT_FEATURE_DISABLED 0xC004000D
#define DISMAPI_E_MUST_SPECIFY_ONLINE_IMAGE 0xC004000E
#define DISMAPI_E_INVALID_PRODUCT_KEY 0xC004000F
/* DismMountImage with DismImageNone on a WIM of several images. */
#define DISMAPI_E_MUST_SPECIFY_INDEX_OR_NAME 0xC0040020 /* unconfirmed, see the flags */
#define DISMAPI_E_NEEDS_REMOUNT 0xC1510114
#define DISMAPI_E_UNKNOWN_FEATURE 0x800f080c
#define DISMAPI_E_BUSY 0x800f0902

/* Microsoft documents this name for a second DismInitialize but DismAPI.h
 * gives it no value (and dismapi.dll's message table no text). Rather than
 * invent a number in DISM's own 0xC004xxxx range, which a later DISM could
 * give another meaning, dismake uses the Win32 error that says exactly this:
 * HRESULT_FROM_WIN32(ERROR_ALREADY_INITIALIZED). */
#define DISMAPI_E_DISMAPI_ALREADY_INITIALIZED 0x800704DF

#ifdef __cplusplus
}
#endif

#endif /* DISMAKE_DISMAPI_H */
