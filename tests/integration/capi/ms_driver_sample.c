/*
 * Microsoft's "DISM API Driver Functions Sample" (learn.microsoft.com,
 * Windows hardware > Manufacture > DISM API samples), as a Windows
 * developer would run it against libdismapi: the sample's calls in the
 * sample's order, with its structure (<windows.h> first, _cdecl wmain with
 * SAL annotations, a progress callback with UNREFERENCED_PARAMETER, hr and
 * hrLocal, one Cleanup label). What changes is what any port changes: the
 * sample's fixed paths (C:\install.wim, C:\MountPath, C:\drivers\*.inf,
 * C:\MyLogFile.txt) come from the command line, and wprintf prints wide
 * strings with %ls (glibc's %s would take a narrow string).
 *
 *   ms_driver_sample IMAGE.wim MOUNT_DIR DRIVER.inf LOG_FILE
 *
 * It mounts image 1 read-write, opens a session on the mount, adds the
 * driver (DismAddDriver, ForceUnsigned FALSE), lists the third-party
 * drivers (DismGetDrivers) and, for each, its hardware (DismGetDriverInfo),
 * printing their fields, releases them (DismDelete), closes the session,
 * unmounts committing the image, and shuts down. Exit 0 when every call
 * succeeded; the test (ms_driver_sample_test.sh) checks what it printed.
 */
#include <stdio.h>
#include <windows.h>

#include "DismApi.h"

void CALLBACK MountProgressCallback(__in UINT uiCurrent, __in UINT uiTotal, __in PVOID pUserData) {
  UNREFERENCED_PARAMETER(pUserData);
  wprintf(L".");
  if (uiCurrent == uiTotal) wprintf(L"\nMounting Complete\n");
}

static void PrintDriverPackage(__in const DismDriverPackage *pPackage) {
  wprintf(L"Published Name: %ls\n", pPackage->PublishedName);
  wprintf(L"Original File Name: %ls\n", pPackage->OriginalFileName);
  wprintf(L"Inbox: %ls\n", pPackage->InBox ? L"TRUE" : L"FALSE");
  wprintf(L"Catalog File: %ls\n", pPackage->CatalogFile);
  wprintf(L"Class Name: %ls\n", pPackage->ClassName);
  wprintf(L"Class GUID: %ls\n", pPackage->ClassGuid);
  wprintf(L"Class Description: %ls\n", pPackage->ClassDescription);
  wprintf(L"Boot Critical: %ls\n", pPackage->BootCritical ? L"TRUE" : L"FALSE");
  wprintf(L"Driver Signature: %d\n", (int)pPackage->DriverSignature);
  wprintf(L"Provider Name: %ls\n", pPackage->ProviderName);
  wprintf(L"Date: %u/%u/%u\n", pPackage->Date.wMonth, pPackage->Date.wDay, pPackage->Date.wYear);
  wprintf(L"Version: %u.%u.%u.%u\n", pPackage->MajorVersion, pPackage->MinorVersion,
          pPackage->Build, pPackage->Revision);
}

static void PrintDriver(__in const DismDriver *pDriver) {
  wprintf(L"    Manufacturer Name: %ls\n", pDriver->ManufacturerName);
  wprintf(L"    Hardware Description: %ls\n", pDriver->HardwareDescription);
  wprintf(L"    Hardware Id: %ls\n", pDriver->HardwareId);
  wprintf(L"    Architecture: %u\n", pDriver->Architecture);
  wprintf(L"    Service Name: %ls\n", pDriver->ServiceName);
  wprintf(L"    Compatible Ids: %ls\n", pDriver->CompatibleIds);
  wprintf(L"    Exclude Ids: %ls\n", pDriver->ExcludeIds);
}

int _cdecl wmain(__in int argc, __in_ecount(argc) LPWSTR *argv) {
  HRESULT hr = S_OK;
  HRESULT hrLocal = S_OK;
  DismSession session = DISM_SESSION_DEFAULT;
  BOOL bMounted = FALSE;
  UINT uiCount = 0;
  UINT uiDriverCount = 0;
  UINT i, j;
  DismDriverPackage *driverPackage = NULL;
  DismDriverPackage *driverPackage2 = NULL;
  DismDriver *driversInDriverPackage = NULL;

  if (argc != 5) {
    wprintf(L"usage: ms_driver_sample IMAGE.wim MOUNT_DIR DRIVER.inf LOG_FILE\n");
    return 2;
  }

  // Initialize the API
  hr = DismInitialize(DismLogErrorsWarningsInfo, argv[4], NULL);
  if (FAILED(hr)) {
    wprintf(L"DismInitialize Failed: %x\n", (unsigned)hr);
    goto Cleanup;
  }

  wprintf(L"Mounting: ");

  // Mount a WIM image
  hr = DismMountImage(argv[1], argv[2], 1, NULL, DismImageIndex, DISM_MOUNT_READWRITE, NULL,
                      MountProgressCallback, NULL);
  if (FAILED(hr)) {
    wprintf(L"DismMountImage Failed: %x\n", (unsigned)hr);
    goto Cleanup;
  }
  bMounted = TRUE;

  // Open a session against the mounted image
  hr = DismOpenSession(argv[2], NULL, NULL, &session);
  if (FAILED(hr)) {
    wprintf(L"DismOpenSession Failed: %x\n", (unsigned)hr);
    goto Cleanup;
  }

  // Add a driver
  hr = DismAddDriver(session, argv[3], FALSE);
  if (FAILED(hr)) {
    wprintf(L"DismAddDriver Failed: %x\n", (unsigned)hr);
    goto Cleanup;
  }

  // Get the out-of-box drivers in the image
  hr = DismGetDrivers(session, FALSE, &driverPackage, &uiCount);
  if (FAILED(hr)) {
    wprintf(L"DismGetDrivers Failed: %x\n", (unsigned)hr);
    goto Cleanup;
  }

  // Print each driver package and the hardware it drives
  for (i = 0; i < uiCount; ++i) {
    wprintf(L"\n");
    PrintDriverPackage(&driverPackage[i]);
    hr = DismGetDriverInfo(session, driverPackage[i].PublishedName, &driversInDriverPackage,
                           &uiDriverCount, &driverPackage2);
    if (FAILED(hr)) {
      wprintf(L"DismGetDriverInfo Failed: %x\n", (unsigned)hr);
      goto Cleanup;
    }
    for (j = 0; j < uiDriverCount; ++j) PrintDriver(&driversInDriverPackage[j]);
    DismDelete(driversInDriverPackage);
    driversInDriverPackage = NULL;
    DismDelete(driverPackage2);
    driverPackage2 = NULL;
  }

Cleanup:
  // Delete the memory associated with the objects that were returned
  hrLocal = DismDelete(driverPackage);
  if (FAILED(hrLocal)) wprintf(L"DismDelete Failed: %x\n", (unsigned)hrLocal);
  DismDelete(driverPackage2);
  DismDelete(driversInDriverPackage);

  // Close the session
  if (session != DISM_SESSION_DEFAULT) {
    hrLocal = DismCloseSession(session);
    if (FAILED(hrLocal)) wprintf(L"DismCloseSession Failed: %x\n", (unsigned)hrLocal);
  }

  // Unmount the image, committing the changes (discarding them after a failure)
  if (bMounted) {
    hrLocal = DismUnmountImage(argv[2], SUCCEEDED(hr) ? DISM_COMMIT_IMAGE : DISM_DISCARD_IMAGE,
                               NULL, NULL, NULL);
    if (FAILED(hrLocal)) {
      wprintf(L"DismUnmountImage Failed: %x\n", (unsigned)hrLocal);
      if (SUCCEEDED(hr)) hr = hrLocal;
    }
  }

  // Shut down the DISM API
  hrLocal = DismShutdown();
  if (FAILED(hrLocal)) wprintf(L"DismShutdown Failed: %x\n", (unsigned)hrLocal);

  return SUCCEEDED(hr) ? 0 : 1;
}
