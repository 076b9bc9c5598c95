/*
 * dismapi.h: the DISM API (Microsoft's DismAPI.h) on Linux.
 *
 * C and C++ code written against DismAPI.h services images with dismake by
 * including this header instead and linking with -ldismapi. The names,
 * types, signatures, constants and HRESULT values are DISM's; the behaviour
 * is DISM's where Microsoft documents it, and where DISM is silent the choice
 * is documented at the function. Images are WIM files serviced with wimlib;
 * a mount is a directory on disk plus a state directory beside it
 * ("<mount>.dismake"), registered per user under $DISMAKE_HOME.
 *
 * Only the functions declared here exist. DISM's package, feature, driver,
 * capability and unattend functions are not declared, so a program that
 * needs them fails to compile rather than failing at run time.
 *
 * What differs from Windows everywhere:
 *   - Strings are wchar_t, which is 4 bytes (UTF-32) on Linux, not UTF-16.
 *     L"..." literals work unchanged. Paths are converted to UTF-8.
 *   - There is no running Windows to service: DISM_ONLINE_IMAGE is refused.
 *   - There are no Win32 events: CancelEvent takes a handle made by
 *     DismakeCreateCancelEvent() (see "Cancelling" below).
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
typedef uint16_t WORD;
typedef uint64_t UINT64;
typedef int BOOL;
typedef void *PVOID;
typedef void *HANDLE;
typedef wchar_t WCHAR;
typedef const wchar_t *PCWSTR;

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
#ifndef ERROR_DIR_NOT_EMPTY
#define ERROR_DIR_NOT_EMPTY 145L
#endif
#ifndef ERROR_ALREADY_EXISTS
#define ERROR_ALREADY_EXISTS 183L
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

#define DISM_ONLINE_IMAGE L"DISM_{53BFAE52-B167-4E2F-A258-0A37B57FF845}"
#define DISM_SESSION_DEFAULT 0

/* DismMountImage flags */
#define DISM_MOUNT_READWRITE 0x00000000
#define DISM_MOUNT_READONLY 0x00000001
#define DISM_MOUNT_OPTIMIZE 0x00000002
#define DISM_MOUNT_CHECK_INTEGRITY 0x00000004

/* DismUnmountImage flags */
#define DISM_COMMIT_IMAGE 0x00000000
#define DISM_DISCARD_IMAGE 0x00000001

/* DismCommitImage flags; DismUnmountImage accepts them too. */
#define DISM_COMMIT_GENERATE_INTEGRITY 0x00010000
#define DISM_COMMIT_APPEND 0x00020000
#define DISM_COMMIT_MASK 0xffff0000

/* ------------------------------------------------------------------------ */
/* Enums                                                                     */
/* ------------------------------------------------------------------------ */

typedef enum _DismLogLevel {
  DismLogErrors = 0,
  DismLogErrorsWarnings,
  DismLogErrorsWarningsInfo,
  DismLogErrorsWarningsInfoDebug
} DismLogLevel;

typedef enum _DismImageIdentifier { DismImageIndex = 0, DismImageName } DismImageIdentifier;

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
 * LogLevel must be a DismLogLevel value (else E_INVALIDARG). LogFilePath and
 * ScratchDirectory are accepted and unused: dismake keeps no log file (the
 * reason for a failure is in DismGetLastErrorMessage), and its scratch space
 * is each mount's state directory.
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
 * refused). DISM_MOUNT_OPTIMIZE and DISM_MOUNT_CHECK_INTEGRITY are accepted
 * and have no effect: the tree is always extracted in full, and wimlib
 * checks every blob's SHA-1 as it extracts it. Other bits: E_INVALIDARG.
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
 * (and the directory, when the mount created it) and the state directory are
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
 * Removes what is left of broken mounts: those whose state directory or
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
 * "Windows") must exist when given. SystemDrive names a drive letter, which
 * Linux does not have: it must be NULL.
 *
 * A session on a mount is recorded in the mount's state directory, so that
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
 * directory.
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
 * that was returned. Returns E_INVALIDARG for NULL or a pointer that no
 * function here returned (detected on a best-effort basis).
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

/* Sets the event; safe from any thread, also while operations use it. */
DISMAKE_EXPORT void DismakeSetCancelEvent(HANDLE CancelEvent);

/* Frees the event. No operation may still be using it. NULL is ignored. */
DISMAKE_EXPORT void DismakeCloseCancelEvent(HANDLE CancelEvent);

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
