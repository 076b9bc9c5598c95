/*
 * Our own DISM client in the style of Microsoft's published DISM API
 * samples (the basic "Using the DISM API" sample, the driver sample and the
 * package/feature sample): <windows.h> first, _cdecl wmain with SAL
 * annotations, UNREFERENCED_PARAMETER in the progress callback, hr/hrLocal
 * and one Cleanup label that releases everything with DismDelete. Only the
 * shims in windows.h and wmain.c stand between it and Windows; what else a
 * Windows client changes on Linux is in the README ("%ls", paths).
 *
 *   sample_style_client IMAGE.wim MOUNT_DIR LOG_FILE
 *
 * It lists the images, mounts image 1 read-only, lists drivers, packages and
 * features (each of which takes its error path here), unmounts and shuts
 * down. Exit 0 when every call returned what DISM
 * documents for this platform.
 */
#include <stdio.h>
#include <windows.h>

#include "DismApi.h"

#define NOT_SUPPORTED HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED)
#define NOT_FOUND HRESULT_FROM_WIN32(ERROR_NOT_FOUND)

static UINT g_ProgressCalls = 0;

void CALLBACK ProgressCallback(__in UINT Current, __in UINT Total, __in PVOID UserData) {
  UNREFERENCED_PARAMETER(UserData);
  g_ProgressCalls++;
  if (Current == Total) wprintf(L"  progress: %u of %u\n", Current, Total);
}

static void PrintError(__in LPCWSTR Call, __in HRESULT hr) {
  DismString *pErrorString = NULL;
  wprintf(L"%ls returned 0x%08x\n", Call, (unsigned)hr);
  if (SUCCEEDED(DismGetLastErrorMessage(&pErrorString))) wprintf(L"  %ls\n", pErrorString->Value);
  DismDelete(pErrorString);
}

/* Servicing that fails on this image: each call must fail cleanly, with
 * its outputs cleared, so the sample's error path runs. Packages and
 * features need Windows (ERROR_NOT_SUPPORTED); drivers are read from the
 * image's SYSTEM hive, which the test image lacks (ERROR_NOT_FOUND). */
static HRESULT ListServicing(__in DismSession Session) {
  HRESULT hr = S_OK;
  DismDriverPackage *pDrivers = NULL;
  DismPackage *pPackages = NULL;
  DismFeature *pFeatures = NULL;
  UINT uiCount = 1;

  hr = DismGetDrivers(Session, FALSE, &pDrivers, &uiCount);
  if (hr != NOT_FOUND || pDrivers != NULL || uiCount != 0) goto Cleanup;
  PrintError(L"DismGetDrivers", hr);

  hr = DismGetPackages(Session, &pPackages, &uiCount);
  if (hr != NOT_SUPPORTED || pPackages != NULL) goto Cleanup;
  PrintError(L"DismGetPackages", hr);

  hr = DismGetFeatures(Session, NULL, DismPackageNone, &pFeatures, &uiCount);
  if (hr != NOT_SUPPORTED || pFeatures != NULL) goto Cleanup;
  PrintError(L"DismGetFeatures", hr);
  hr = S_OK;

Cleanup:
  DismDelete(pDrivers);
  DismDelete(pPackages);
  DismDelete(pFeatures);
  return hr == S_OK ? S_OK : E_FAIL;
}

int _cdecl wmain(__in int argc, __in_ecount(argc) LPWSTR *argv) {
  HRESULT hr = S_OK;
  HRESULT hrLocal = S_OK;
  DismSession Session = DISM_SESSION_DEFAULT;
  DismImageInfo *pImageInfo = NULL;
  UINT uiCount = 0;
  UINT i;
  BOOL bMounted = FALSE;

  if (argc != 4) {
    wprintf(L"usage: sample_style_client IMAGE.wim MOUNT_DIR LOG_FILE\n");
    return 2;
  }

  hr = DismInitialize(DismLogErrorsWarningsInfo, argv[3], NULL);
  if (FAILED(hr)) {
    PrintError(L"DismInitialize", hr);
    goto Cleanup;
  }

  hr = DismGetImageInfo(argv[1], &pImageInfo, &uiCount);
  if (FAILED(hr)) {
    PrintError(L"DismGetImageInfo", hr);
    goto Cleanup;
  }
  for (i = 0; i < uiCount; ++i)
    wprintf(L"Image %u: %ls (%ls, %u.%u.%u)\n", pImageInfo[i].ImageIndex, pImageInfo[i].ImageName,
            pImageInfo[i].EditionId, pImageInfo[i].MajorVersion, pImageInfo[i].MinorVersion,
            pImageInfo[i].Build);

  hr = DismMountImage(argv[1], argv[2], 1, NULL, DismImageIndex, DISM_MOUNT_READONLY, NULL,
                      ProgressCallback, NULL);
  if (FAILED(hr)) {
    PrintError(L"DismMountImage", hr);
    goto Cleanup;
  }
  bMounted = TRUE;

  hr = DismOpenSession(argv[2], NULL, NULL, &Session);
  if (FAILED(hr)) {
    PrintError(L"DismOpenSession", hr);
    goto Cleanup;
  }
  hr = ListServicing(Session);

Cleanup:
  hrLocal = DismCloseSession(Session);
  if (Session != DISM_SESSION_DEFAULT && FAILED(hrLocal)) PrintError(L"DismCloseSession", hrLocal);
  if (bMounted) {
    hrLocal = DismUnmountImage(argv[2], DISM_DISCARD_IMAGE, NULL, ProgressCallback, NULL);
    if (FAILED(hrLocal)) {
      PrintError(L"DismUnmountImage", hrLocal);
      if (SUCCEEDED(hr)) hr = hrLocal;
    }
  }
  DismDelete(pImageInfo);
  hrLocal = DismShutdown();
  if (FAILED(hrLocal)) PrintError(L"DismShutdown", hrLocal);
  if (SUCCEEDED(hr) && g_ProgressCalls == 0) hr = E_FAIL;
  wprintf(L"%ls\n", SUCCEEDED(hr) ? L"sample_style_client: done" : L"sample_style_client: FAILED");
  return SUCCEEDED(hr) ? 0 : 1;
}
