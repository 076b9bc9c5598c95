/*
 * Microsoft's own example for DismCloseSession, from the DISM API Reference
 * ("DismCloseSession function", section Example):
 * https://learn.microsoft.com/windows-hardware/manufacture/desktop/dism/dismclosesession-function
 *
 * The example is a fragment: the four statements in microsoft_example() are
 * copied unchanged. It includes no header of its own; a Windows program
 * would have #include <windows.h> and "DismApi.h" in front of it, and here
 * <dismapi.h> alone is enough (no windows.h shim is needed). The function
 * around it returns its final HRESULT so the HRESULTs can be checked.
 *
 * The fragment opens DISM_ONLINE_IMAGE, which on Linux is well-defined to
 * fail with HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED) and leave
 * DISM_SESSION_DEFAULT in `session`, so the close that follows fails with
 * DISMAPI_E_INVALID_DISM_SESSION: never an uninitialized handle reaching
 * someone else's session. Before DismInitialize both calls fail with
 * DISMAPI_E_DISMAPI_NOT_INITIALIZED.
 */
#include <dismapi.h>
#include <stdio.h>

/* Microsoft's four statements keep their published spacing. */
/* clang-format off */
static HRESULT microsoft_example(void) {
HRESULT hr = S_OK;
DismSession session;
hr = DismOpenSession( DISM_ONLINE_IMAGE, NULL, NULL, &session );
hr = DismCloseSession( session );
  return hr;
}
/* clang-format on */

static int expect(const char *when, HRESULT expected, HRESULT actual) {
  if (actual == expected) return 0;
  fprintf(stderr, "ms_close_session_example: %s: expected 0x%08X, got 0x%08X\n", when,
          (unsigned)expected, (unsigned)actual);
  return 1;
}

int main(void) {
  int failures = 0;
  DismSession session = DISM_SESSION_DEFAULT;
  failures +=
      expect("before DismInitialize", DISMAPI_E_DISMAPI_NOT_INITIALIZED, microsoft_example());
  failures += expect("DismInitialize", S_OK, DismInitialize(DismLogErrors, NULL, NULL));
  failures += expect("after DismInitialize", DISMAPI_E_INVALID_DISM_SESSION, microsoft_example());
  /* The example discards the open's HRESULT; this is what it was. */
  failures += expect("DismOpenSession(DISM_ONLINE_IMAGE)", HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED),
                     DismOpenSession(DISM_ONLINE_IMAGE, NULL, NULL, &session));
  failures += expect("session after the failed open", DISM_SESSION_DEFAULT, (HRESULT)session);
  failures += expect("DismShutdown", S_OK, DismShutdown());
  if (failures == 0) printf("ms_close_session_example: HRESULTs as documented\n");
  return failures == 0 ? 0 : 1;
}
