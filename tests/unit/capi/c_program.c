/*
 * A plain C99 program using the DISM API as a Windows program would:
 * initialize, read image info, mount, open a session, close it, unmount,
 * release everything with DismDelete, shut down. Run as
 *
 *   c_program FIXTURES_DIR
 *
 * with FIXTURES_DIR holding base.wim; exits 0 when every call returns what
 * DISM documents. It uses its own temporary DISMAKE_HOME.
 */
#define _XOPEN_SOURCE 700

#include <dismapi.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static int failures = 0;

static void check(int ok, const char *what, HRESULT hr) {
  if (ok) return;
  ++failures;
  fprintf(stderr, "c_program: %s failed: 0x%08X\n", what, (unsigned)hr);
  DismString *message = NULL;
  if (SUCCEEDED(DismGetLastErrorMessage(&message))) {
    fprintf(stderr, "  %ls\n", message->Value);
    DismDelete(message);
  }
}

#define EXPECT_HR(expected, call)                  \
  do {                                             \
    HRESULT hr_ = (call);                          \
    check(hr_ == (HRESULT)(expected), #call, hr_); \
  } while (0)

/* Paths are ASCII here: mbstowcs in the "C" locale is enough. */
static wchar_t *widen(const char *text) {
  size_t length = strlen(text);
  wchar_t *wide = malloc((length + 1) * sizeof *wide);
  if (wide) mbstowcs(wide, text, length + 1);
  return wide;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static void check_image_info(const wchar_t *wim) {
  DismImageInfo *info = NULL;
  UINT count = 0;
  EXPECT_HR(S_OK, DismGetImageInfo(wim, &info, &count));
  if (!info) return;
  check(count == 2, "base.wim has 2 images", S_OK);
  check(wcscmp(info[0].ImageName, L"Windows 10 Pro") == 0, "image 1 is Windows 10 Pro", S_OK);
  check(wcscmp(info[1].EditionId, L"Enterprise") == 0, "image 2 is Enterprise", S_OK);
  check(info[0].LanguageCount == 1 && wcscmp(info[0].Language[0].Value, L"en-US") == 0,
        "image 1 is en-US", S_OK);
  EXPECT_HR(S_OK, DismDelete(info));
}

static void mount_session_unmount(const wchar_t *wim, const wchar_t *mount_dir) {
  DismSession session = DISM_SESSION_DEFAULT;
  DismMountedImageInfo *mounts = NULL;
  UINT count = 0;

  EXPECT_HR(S_OK, DismMountImage(wim, mount_dir, 2, NULL, DismImageIndex, DISM_MOUNT_READONLY, NULL,
                                 NULL, NULL));
  EXPECT_HR(S_OK, DismGetMountedImageInfo(&mounts, &count));
  check(count == 1 && mounts && mounts[0].MountMode == DismReadOnly, "one read-only mount", S_OK);
  if (mounts) DismDelete(mounts);

  EXPECT_HR(S_OK, DismOpenSession(mount_dir, NULL, NULL, &session));
  EXPECT_HR(DISMAPI_E_OPEN_HANDLES_UNABLE_TO_UNMOUNT_IMAGE_PATH,
            DismUnmountImage(mount_dir, DISM_DISCARD_IMAGE, NULL, NULL, NULL));
  EXPECT_HR(HRESULT_FROM_WIN32(ERROR_WRITE_PROTECT), DismCommitImage(session, 0, NULL, NULL, NULL));
  EXPECT_HR(S_OK, DismCloseSession(session));
  EXPECT_HR(DISMAPI_E_INVALID_DISM_SESSION, DismCloseSession(session));
  EXPECT_HR(S_OK, DismUnmountImage(mount_dir, DISM_DISCARD_IMAGE, NULL, NULL, NULL));
}

int main(int argc, char **argv) {
  char home[] = "/tmp/dismapi-c-program.XXXXXX";
  char path[4096];
  wchar_t *wim, *mount_dir;

  if (argc != 2) {
    fprintf(stderr, "usage: c_program FIXTURES_DIR\n");
    return 2;
  }
  if (!mkdtemp(home) || setenv("DISMAKE_HOME", home, 1) != 0) return 2;
  snprintf(path, sizeof path, "%s/base.wim", argv[1]);
  wim = widen(path);
  snprintf(path, sizeof path, "%s/mount", home);
  mount_dir = widen(path);
  if (!wim || !mount_dir) return 2;

  EXPECT_HR(DISMAPI_E_DISMAPI_NOT_INITIALIZED, DismShutdown());
  EXPECT_HR(S_OK, DismInitialize(DismLogErrorsWarnings, NULL, NULL));
  check_image_info(wim);
  mount_session_unmount(wim, mount_dir);
  EXPECT_HR(S_OK, DismShutdown());

  free(wim);
  free(mount_dir);
  nftw(home, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  if (failures == 0) printf("c_program: all DISM API calls returned what DISM documents\n");
  return failures == 0 ? 0 : 1;
}
