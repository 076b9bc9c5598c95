/*
 * The Windows shims a DISM client needs to build on Linux, and nothing more.
 * It stands in for <windows.h> (put this directory on the include path) and
 * maps what windows_client.c uses:
 *
 *   - the Win32 types and HRESULT macros: dismapi.h already has them;
 *   - __cdecl: empty;
 *   - CreateEventW (manual-reset, unnamed), SetEvent and CloseHandle of that
 *     event: DismakeCreateCancelEvent, DismakeSetCancelEvent and
 *     DismakeCloseCancelEvent, since Linux has no Win32 events.
 *
 * The wmain entry point is the other shim, in wmain.c.
 */
#ifndef DISMAKE_TEST_WINDOWS_H
#define DISMAKE_TEST_WINDOWS_H

#include <dismapi.h>

#define __cdecl

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
