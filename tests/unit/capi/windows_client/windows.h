/*
 * The Windows shims a DISM client needs to build on Linux, and nothing more.
 * It stands in for <windows.h> (put this directory on the include path) and
 * maps what the clients here use (windows_client.c, sample_style_client.c):
 *
 *   - the Win32 types and HRESULT macros: dismapi.h already has them;
 *     LPWSTR and LPCWSTR are added;
 *   - __cdecl, _cdecl, __stdcall and the source annotations (__in, __out,
 *     __in_ecount, _In_, _Out_opt_ ...): empty, as they mean nothing to GCC;
 *   - UNREFERENCED_PARAMETER: a cast to void;
 *   - CreateEventW (manual-reset, unnamed), SetEvent and CloseHandle of that
 *     event: DismakeCreateCancelEvent, DismakeSetCancelEvent and
 *     DismakeCloseCancelEvent, since Linux has no Win32 events.
 *
 * The wmain entry point is the other shim, in wmain.c.
 */
#ifndef DISMAKE_TEST_WINDOWS_H
#define DISMAKE_TEST_WINDOWS_H

#include <dismapi.h>

/* Calling conventions: one convention on x86-64 Linux, so empty. */
#define __cdecl
#define _cdecl
#define __stdcall

/* The source annotations (SAL) Microsoft's samples and headers use: checked
 * by MSVC's analyzer only, so empty here. libstdc++ names parameters __in
 * and __out too, so C++ code includes its standard headers before this one
 * (MinGW's sal.h has the same caveat). */
#define __in
#define __out
#define __inout
#define __in_opt
#define __out_opt
#define __in_ecount(size)
#define __out_ecount(size)
#define _In_
#define _Out_
#define _Inout_
#define _In_opt_
#define _Out_opt_
#define _In_reads_(size)
#define _Out_writes_(size)

/* A parameter a function does not use, without a warning. */
#define UNREFERENCED_PARAMETER(P) ((void)(P))

typedef WCHAR *LPWSTR;
typedef const WCHAR *LPCWSTR;
typedef void *LPSECURITY_ATTRIBUTES;

/* Only what DISM clients create: an unnamed event, initially not set. The
 * event is manual-reset whatever bManualReset says. */
static inline HANDLE CreateEventW(LPSECURITY_ATTRIBUTES attributes, BOOL manual_reset,
                                  BOOL initial_state, PCWSTR name) {
  HANDLE event;
  (void)attributes;
  (void)manual_reset;
  if (name) return NULL;
  event = DismakeCreateCancelEvent();
  if (event && initial_state) DismakeSetCancelEvent(event);
  return event;
}

static inline BOOL SetEvent(HANDLE event) {
  DismakeSetCancelEvent(event);
  return TRUE;
}

static inline BOOL CloseHandle(HANDLE event) {
  DismakeCloseCancelEvent(event);
  return TRUE;
}

#endif /* DISMAKE_TEST_WINDOWS_H */
