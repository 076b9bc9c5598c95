/*
 * A DISM API client written the way Windows code is written: wmain, wide
 * strings, a progress callback, a Win32 cancel event, every result released
 * with DismDelete (also the NULL ones), cleanup through one label. Only the
 * shims in windows.h and wmain.c stand between it and Windows.
 *
 *   windows_client IMAGE.wim MOUNT_DIR UNATTEND.xml
 *
 * It lists the images, mounts image 1, applies the answer file, checks that
 * package servicing takes its error path, cancels a commit through the event,
 * commits, and unmounts with commit. Exit 0 when every call returned what
 * DISM documents.
 */
#include <stdio.h>
#include <windows.h>

#include "DismApi.h"

typedef struct _PROGRESS {
  UINT Calls;
  UINT LastCurrent;
  UINT LastTotal;
} PROGRESS;

static void CALLBACK ProgressCallback(UINT Current, UINT Total, PVOID UserData) {
  PROGRESS *progress = (PROGRESS *)UserData;
  progress->Calls++;
  progress->LastCurrent = Current;
  progress->LastTotal = Total;
}

static void PrintLastError(PCWSTR What, HRESULT hr) {
  DismString *pErrorString = NULL;
  wprintf(L"%ls: 0x%08x\n", What, (unsigned)hr);
  if (SUCCEEDED(DismGetLastErrorMessage(&pErrorString))) {
    wprintf(L"  %ls\n", pErrorString->Value);
  }
  DismDelete(pErrorString);
}

#define WIDEN2(text) L##text
#define WIDEN(text) WIDEN2(text)

#define EXPECT(expected, call)          \
  do {                                  \
    hr = (call);                        \
    if (hr != (HRESULT)(expected)) {    \
      PrintLastError(WIDEN(#call), hr); \
      failures++;                       \
      goto Cleanup;                     \
    }                                   \
  } while (0)

int __cdecl wmain(int argc, wchar_t *argv[]) {
  HRESULT hr = S_OK;
  int failures = 0;
  UINT i = 0;
  BOOL bMounted = FALSE;
  DismSession session = DISM_SESSION_DEFAULT;
  DismImageInfo *pImageInfo = NULL;
  UINT imageCount = 0;
  DismMountedImageInfo *pMountedInfo = NULL;
  UINT mountedCount = 0;
  DismPackage *pPackages = NULL;
  UINT packageCount = 0;
  HANDLE hCancel = NULL;
  PROGRESS mountProgress = {0, 0, 0};
  PROGRESS commitProgress = {0, 0, 0};

  if (argc != 4) {
    wprintf(L"usage: %ls IMAGE.wim MOUNT_DIR UNATTEND.xml\n", argv[0]);
    return 2;
  }

  EXPECT(S_OK, DismInitialize(DismLogErrorsWarningsInfo, NULL, NULL));

  EXPECT(S_OK, DismGetImageInfo(argv[1], &pImageInfo, &imageCount));
  for (i = 0; i < imageCount; i++) {
    wprintf(L"Index %u: %ls (%ls, %ls %u.%u.%u, system root %ls)\n", pImageInfo[i].ImageIndex,
            pImageInfo[i].ImageName, pImageInfo[i].EditionId, pImageInfo[i].InstallationType,
            pImageInfo[i].MajorVersion, pImageInfo[i].MinorVersion, pImageInfo[i].Build,
            pImageInfo[i].SystemRoot);
  }
  if (imageCount == 0 || wcscmp(pImageInfo[0].SystemRoot, L"WINDOWS") != 0) {
    wprintf(L"unexpected image info\n");
    failures++;
    goto Cleanup;
  }

  hCancel = CreateEventW(NULL, TRUE, FALSE, NULL);
  if (hCancel == NULL) {
    failures++;
    goto Cleanup;
  }

  wprintf(L"Mounting %ls at %ls\n", argv[1], argv[2]);
  EXPECT(S_OK, DismMountImage(argv[1], argv[2], 1, NULL, DismImageIndex,
                              DISM_MOUNT_READWRITE | DISM_MOUNT_SUPPORT_EA, hCancel,
                              ProgressCallback, &mountProgress));
  bMounted = TRUE;
  if (mountProgress.Calls == 0 || mountProgress.LastCurrent != mountProgress.LastTotal) {
    wprintf(L"mount progress did not end at its total\n");
    failures++;
  }

  EXPECT(S_OK, DismGetMountedImageInfo(&pMountedInfo, &mountedCount));
  for (i = 0; i < mountedCount; i++) {
    wprintf(L"Mounted: %ls from %ls, index %u\n", pMountedInfo[i].MountPath,
            pMountedInfo[i].ImageFilePath, pMountedInfo[i].ImageIndex);
  }

  EXPECT(S_OK, DismOpenSession(argv[2], NULL, NULL, &session));
  EXPECT(S_OK, DismApplyUnattend(session, argv[3], FALSE));

  /* Package servicing takes the client's own error path. */
  hr = DismGetPackages(session, &pPackages, &packageCount);
  if (hr == HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED)) {
    PrintLastError(L"DismGetPackages (expected)", hr);
  } else {
    wprintf(L"DismGetPackages: unexpected 0x%08x\n", (unsigned)hr);
    failures++;
  }

  /* A cancel event that is set stops the commit; the mount stays valid. */
  SetEvent(hCancel);
  EXPECT(HRESULT_FROM_WIN32(ERROR_REQUEST_ABORTED),
         DismCommitImage(session, 0, hCancel, ProgressCallback, &commitProgress));
  EXPECT(S_OK, DismCommitImage(session, DISM_COMMIT_GENERATE_INTEGRITY, NULL, ProgressCallback,
                               &commitProgress));
  if (commitProgress.Calls == 0 || commitProgress.LastCurrent != commitProgress.LastTotal) {
    wprintf(L"commit progress did not end at its total\n");
    failures++;
  }

  EXPECT(S_OK, DismCloseSession(session));
  session = DISM_SESSION_DEFAULT;
  EXPECT(S_OK,
         DismUnmountImage(argv[2], DISM_COMMIT_IMAGE | DISM_COMMIT_SUPPORT_EA, NULL, NULL, NULL));
  bMounted = FALSE;
  wprintf(L"Committed and unmounted.\n");

Cleanup:
  if (session != DISM_SESSION_DEFAULT) DismCloseSession(session);
  if (bMounted) DismUnmountImage(argv[2], DISM_DISCARD_IMAGE, NULL, NULL, NULL);
  if (hCancel != NULL) CloseHandle(hCancel);
  /* Every result is released, NULL or not, as Microsoft's samples do. */
  if (DismDelete(pImageInfo) != S_OK) failures++;
  if (DismDelete(pMountedInfo) != S_OK) failures++;
  if (DismDelete(pPackages) != S_OK) failures++;
  if (DismShutdown() != S_OK) failures++;
  if (failures != 0) {
    wprintf(L"windows_client: %d failure(s)\n", failures);
    return 1;
  }
  wprintf(L"windows_client: OK\n");
  return 0;
}
