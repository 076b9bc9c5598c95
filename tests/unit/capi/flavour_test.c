/*
 * One C11 test, built twice: against libdismapi (WCHAR = wchar_t, UTF-32)
 * and against libDismApi (DISMAKE_UTF16: WCHAR = char16_t, UTF-16), so that
 * both string flavours are held to the same behaviour. Run as
 *
 *   flavour_test FIXTURES_DIR UNATTEND_XML
 *
 * with FIXTURES_DIR holding base.wim. It goes through every call a client
 * makes, with paths outside the Basic Multilingual Plane (a surrogate pair in
 * UTF-16) in and out, DISM_ONLINE_IMAGE, a lone surrogate, foreign cancel
 * handles, the log file, and the exports that need Windows. It uses its own
 * temporary DISMAKE_HOME; exits 0 when every check passes.
 */
#define _XOPEN_SOURCE 700

#include <dirent.h>
#include <dismapi.h>
#include <ftw.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifdef DISMAKE_UTF16
#define FLAVOUR "utf16"
#else
#define FLAVOUR "wchar"
#endif

static int failures = 0;

/* ---- the flavour's strings, converted by hand (no libc help for char16_t) */

/* UTF-8 `text` as a new WCHAR string: surrogate pairs in UTF-16. */
static WCHAR *from_utf8(const char *text) {
  size_t length = strlen(text), n = 0;
  WCHAR *out = malloc((length + 1) * sizeof *out);
  const unsigned char *p = (const unsigned char *)text;
  if (!out) abort();
  while (*p) {
    unsigned long c;
    int extra = *p >= 0xF0 ? 3 : *p >= 0xE0 ? 2 : *p >= 0xC0 ? 1 : 0;
    c = extra == 3 ? *p & 0x07u : extra == 2 ? *p & 0x0Fu : extra == 1 ? *p & 0x1Fu : *p;
    ++p;
    while (extra-- > 0) c = (c << 6) | (*p++ & 0x3Fu);
    if (sizeof(WCHAR) == 2 && c >= 0x10000) {
      out[n++] = (WCHAR)(0xD800 + ((c - 0x10000) >> 10));
      out[n++] = (WCHAR)(0xDC00 + ((c - 0x10000) & 0x3FF));
    } else {
      out[n++] = (WCHAR)c;
    }
  }
  out[n] = 0;
  return out;
}

/* A WCHAR string as new UTF-8 ("(null)" for NULL). */
static char *to_utf8(const WCHAR *text) {
  size_t length = 0, n = 0;
  char *out;
  if (!text) return strdup("(null)");
  while (text[length]) ++length;
  out = malloc(length * 4 + 1);
  if (!out) abort();
  for (size_t i = 0; i < length; ++i) {
    unsigned long c = (unsigned long)text[i];
    if (sizeof(WCHAR) == 2 && c >= 0xD800 && c <= 0xDBFF && i + 1 < length)
      c = 0x10000 + ((c - 0xD800) << 10) + ((unsigned long)text[++i] - 0xDC00);
    if (c < 0x80) {
      out[n++] = (char)c;
    } else if (c < 0x800) {
      out[n++] = (char)(0xC0 | (c >> 6));
      out[n++] = (char)(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out[n++] = (char)(0xE0 | (c >> 12));
      out[n++] = (char)(0x80 | ((c >> 6) & 0x3F));
      out[n++] = (char)(0x80 | (c & 0x3F));
    } else {
      out[n++] = (char)(0xF0 | (c >> 18));
      out[n++] = (char)(0x80 | ((c >> 12) & 0x3F));
      out[n++] = (char)(0x80 | ((c >> 6) & 0x3F));
      out[n++] = (char)(0x80 | (c & 0x3F));
    }
  }
  out[n] = '\0';
  return out;
}

/* Whether the flavour's string equals UTF-8 `expected`. */
static int equals(const WCHAR *text, const char *expected) {
  char *utf8 = to_utf8(text);
  int same = strcmp(utf8, expected) == 0;
  free(utf8);
  return same;
}

/* ---- checks */

static char *last_error(void) {
  DismString *message = NULL;
  char *text;
  if (FAILED(DismGetLastErrorMessage(&message)) || !message) return strdup("");
  text = to_utf8(message->Value);
  DismDelete(message);
  return text;
}

static void check(int ok, const char *what) {
  if (ok) return;
  ++failures;
  fprintf(stderr, "flavour_test (" FLAVOUR "): FAILED: %s\n", what);
}

#define EXPECT_HR(expected, call)                                                    \
  do {                                                                               \
    HRESULT hr_ = (call);                                                            \
    if (hr_ != (HRESULT)(expected)) {                                                \
      char *message_ = last_error();                                                 \
      fprintf(stderr, "flavour_test (" FLAVOUR "): %s returned 0x%08X: %s\n", #call, \
              (unsigned)hr_, message_);                                              \
      free(message_);                                                                \
      ++failures;                                                                    \
    }                                                                                \
  } while (0)

/* The last error message holds `needle`. */
static void expect_message(const char *needle, const char *what) {
  char *message = last_error();
  if (!strstr(message, needle)) {
    fprintf(stderr, "flavour_test (" FLAVOUR "): %s: \"%s\" not in \"%s\"\n", what, needle,
            message);
    ++failures;
  }
  free(message);
}

static void copy_file(const char *from, const char *to) {
  FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
  char buffer[65536];
  size_t n;
  if (!in || !out) abort();
  while ((n = fread(buffer, 1, sizeof buffer, in)) > 0) fwrite(buffer, 1, n, out);
  fclose(in);
  if (fclose(out) != 0) abort();
}

static char *read_file(const char *path) {
  FILE *in = fopen(path, "rb");
  char *text;
  long size;
  if (!in) return strdup("");
  fseek(in, 0, SEEK_END);
  size = ftell(in);
  fseek(in, 0, SEEK_SET);
  text = calloc(1, (size_t)size + 1);
  if (!text || fread(text, 1, (size_t)size, in) != (size_t)size) abort();
  fclose(in);
  return text;
}

static int count_of(const char *text, const char *needle) {
  int n = 0;
  for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle)) ++n;
  return n;
}

/* ---- the scenarios */

static int progress_calls = 0;
static void count_progress(UINT current, UINT total, PVOID data) {
  (void)current;
  (void)total;
  (void)data;
  ++progress_calls;
}

/* A commit's progress callback: counts the reports made while the scratch
 * directory (user data) holds the commit's private directory. */
static int scratch_in_use = 0;
static void watch_scratch(UINT current, UINT total, PVOID scratch) {
  DIR *dir = opendir((const char *)scratch);
  struct dirent *entry;
  (void)current;
  (void)total;
  if (!dir) return;
  while ((entry = readdir(dir)) != NULL)
    if (strncmp(entry->d_name, "dismake-commit-", 15) == 0) ++scratch_in_use;
  closedir(dir);
}

static int is_empty_dir(const char *path) {
  DIR *dir = opendir(path);
  struct dirent *entry;
  int entries = 0;
  if (!dir) return 0;
  while ((entry = readdir(dir)) != NULL)
    if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0) ++entries;
  closedir(dir);
  return entries == 0;
}

/* Strings in: a path with a non-BMP character; out: the same path back. */
static void image_info_and_mount(const WCHAR *wim, const WCHAR *mount_dir, const char *mount_utf8,
                                 const char *unattend, char *scratch) {
  DismImageInfo *info = NULL;
  DismMountedImageInfo *mounts = NULL;
  DismSession session = DISM_SESSION_DEFAULT;
  DismImageHealthState health = DismImageNonRepairable;
  DismString *edition = NULL, *channel = NULL, *mount_point = NULL;
  UINT count = 0;
  int not_an_event = 0; /* a foreign handle: .NET passes its own */
  HANDLE own_event = DismakeCreateCancelEvent();
  WCHAR *unattend_path = from_utf8(unattend);

  EXPECT_HR(S_OK, DismGetImageInfo(wim, &info, &count));
  check(count == 2 && info, "base.wim has two images");
  if (info) {
    check(equals(info[0].ImageName, "Windows 10 Pro"), "ImageName out");
    check(equals(info[1].EditionId, "Enterprise"), "EditionId out");
    check(equals(info[0].SystemRoot, "WINDOWS"), "SystemRoot out");
    check(info[0].LanguageCount == 1 && equals(info[0].Language[0].Value, "en-US"), "Language");
    EXPECT_HR(S_OK, DismDelete(info));
  }

  /* An event of ours, set, cancels before anything is done. */
  DismakeSetCancelEvent(own_event);
  EXPECT_HR(HRESULT_FROM_WIN32(ERROR_REQUEST_ABORTED),
            DismMountImage(wim, mount_dir, 1, NULL, DismImageIndex, DISM_MOUNT_READWRITE, own_event,
                           count_progress, NULL));
  DismakeCloseCancelEvent(own_event);

  /* A foreign handle is accepted and never cancels. */
  DismakeSetCancelEvent(&not_an_event);
  EXPECT_HR(S_OK, DismMountImage(wim, mount_dir, 1, NULL, DismImageIndex, DISM_MOUNT_READWRITE,
                                 &not_an_event, count_progress, NULL));
  check(progress_calls > 0, "mount reported progress");

  EXPECT_HR(S_OK, DismGetMountedImageInfo(&mounts, &count));
  check(count == 1 && mounts && equals(mounts[0].MountPath, mount_utf8),
        "MountPath comes back as it went in");
  if (mounts) DismDelete(mounts);

  EXPECT_HR(S_OK, DismRemountImage(mount_dir)); /* its tree is there: nothing to do */
  EXPECT_HR(S_OK, DismOpenSession(mount_dir, NULL, NULL, &session));
  EXPECT_HR(S_OK,
            DismCheckImageHealth(session, TRUE, &not_an_event, count_progress, NULL, &health));
  check(health == DismImageHealthy, "the mount is healthy");
  EXPECT_HR(S_OK, DismApplyUnattend(session, unattend_path, FALSE));
  EXPECT_HR(S_OK, DismCommitImage(session, 0, &not_an_event, watch_scratch, scratch));
  check(scratch_in_use > 0, "the commit staged its files under ScratchDirectory");
  check(is_empty_dir(scratch), "the commit left nothing in ScratchDirectory");

  /* The exports ManagedDism binds that need Windows. */
  EXPECT_HR(HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED),
            _DismGetRegistryMountPoint(session, DismRegistrySoftware, &mount_point));
  expect_message("DismGetRegistryMountPoint is not supported", "registry mount point reason");
  check(mount_point == NULL, "no registry mount point");
  EXPECT_HR(HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED),
            _DismGetProductKeyInfo(session, DISMAKE_TEXT("XXXXX"), &edition, &channel));
  check(edition == NULL && channel == NULL, "no product key info");
  EXPECT_HR(HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED),
            _DismValidateProductKey(session, DISMAKE_TEXT("XXXXX")));
  EXPECT_HR(HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED),
            _DismSplitFfuImage(DISMAKE_TEXT("a.ffu"), DISMAKE_TEXT("a.sfu"), 100));
  expect_message("FFU", "split FFU reason");

  /* DISM's refusal while a session is open, then the rest of the flow. */
  EXPECT_HR(DISMAPI_E_OPEN_HANDLES_UNABLE_TO_UNMOUNT_IMAGE_PATH,
            DismUnmountImage(mount_dir, DISM_COMMIT_IMAGE, NULL, NULL, NULL));
  EXPECT_HR(S_OK, DismCloseSession(session));
  EXPECT_HR(S_OK, DismUnmountImage(mount_dir, DISM_COMMIT_IMAGE, &not_an_event, NULL, NULL));
  EXPECT_HR(S_OK, DismCleanupMountpoints());
  free(unattend_path);
}

/* Invalid text and the online image, with the argument named. */
static void refusals(void) {
  WCHAR lone_high[] = {'/', 't', 'm', 'p', '/', 0xD800, 'x', 0};
  WCHAR lone_low[] = {'/', 0xDC00, 0};
  WCHAR high_at_end[] = {'/', 'a', 0xDBFF, 0};
  DismImageInfo *info = NULL;
  DismSession session = DISM_SESSION_DEFAULT;
  UINT count = 0;

  EXPECT_HR(E_INVALIDARG, DismGetImageInfo(lone_high, &info, &count));
  expect_message("ImageFilePath is not valid", "a lone high surrogate is named");
  EXPECT_HR(E_INVALIDARG, DismGetImageInfo(lone_low, &info, &count));
  expect_message("ImageFilePath", "a lone low surrogate is named");
  EXPECT_HR(E_INVALIDARG, DismOpenSession(high_at_end, NULL, NULL, &session));
  expect_message("ImagePath is not valid", "a surrogate at the end is named");
  EXPECT_HR(E_INVALIDARG, DismMountImage(DISMAKE_TEXT("/tmp/a.wim"), lone_high, 1, NULL,
                                         DismImageIndex, 0, NULL, NULL, NULL));
  expect_message("MountPath", "MountPath is named");

  EXPECT_HR(HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED),
            DismOpenSession(DISM_ONLINE_IMAGE, NULL, NULL, &session));
  expect_message("DISM_ONLINE_IMAGE is not supported", "the online image is recognised");
}

/* The log: DISM's line format, its directory created, appended to. */
static void check_log(const char *log) {
  char *text = read_file(log);
  regex_t line;
  const char *pattern =
      "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}, (Info|Warning|Error) +DISM   "
      "API: PID=[0-9]+ TID=[0-9]+ ";
  int lines = 0, good = 0;
  if (regcomp(&line, pattern, REG_EXTENDED | REG_NOSUB) != 0) abort();
  for (char *p = strtok(text, "\n"); p; p = strtok(NULL, "\n")) {
    ++lines;
    if (regexec(&line, p, 0, NULL, 0) == 0)
      ++good;
    else
      fprintf(stderr, "flavour_test (" FLAVOUR "): not a DISM log line: %s\n", p);
  }
  regfree(&line);
  free(text);
  check(lines > 10 && good == lines, "every log line has DISM's format");

  text = read_file(log);
  check(count_of(text, "Starting DismApi session") == 1, "the first session's start");
  check(count_of(text, "Enter DismMountImage - DismMountImage") >= 1, "calls are logged");
  check(strstr(text, "Mounted ") != NULL, "what the mount did is logged");
  check(strstr(text, "Error                 DISM   API") != NULL, "failures are logged");
  check(strstr(text, "ImageFilePath is not valid") != NULL, "the failure's message is logged");
  check(strstr(text, "- DismGetImageInfo(hr:0x80070057)") != NULL, "the failure's HRESULT");
  /* The second session appended, and logged its error only (DismLogErrors). */
  {
    const char *end = strstr(text, "Ending DismApi session");
    check(end && strstr(end, "ImageFilePath is NULL") != NULL, "the second session appended");
    check(end && strstr(end, "Enter ") == NULL, "nothing at Info after DismLogErrors");
  }
  free(text);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(path);
}

int main(int argc, char **argv) {
  char home[] = "/tmp/dismapi-flavour-test.XXXXXX";
  char path[2048], mount_utf8[4096], log_utf8[4096], scratch_utf8[4096];
  WCHAR *wim, *mount_dir, *log, *scratch, *missing;
  DismImageInfo *info = NULL;
  UINT count = 0;

  if (argc != 3) {
    fprintf(stderr, "usage: flavour_test FIXTURES_DIR UNATTEND_XML\n");
    return 2;
  }
  if (!mkdtemp(home) || setenv("DISMAKE_HOME", home, 1) != 0) return 2;
  /* U+00EF and U+1F600: two UTF-8 bytes, and a surrogate pair in UTF-16. */
  snprintf(path, sizeof path, "%s/w\xC3\xAFm-\xF0\x9F\x98\x80", home);
  if (mkdir(path, 0700) != 0) return 2;
  snprintf(mount_utf8, sizeof mount_utf8, "%s/mount", path);
  snprintf(log_utf8, sizeof log_utf8, "%s/logs/not yet made/dism.log", home);
  snprintf(scratch_utf8, sizeof scratch_utf8, "%s/scratch", home);
  if (mkdir(scratch_utf8, 0700) != 0) return 2;
  strncat(path, "/base.wim", sizeof path - strlen(path) - 1);
  {
    char fixture[4096];
    snprintf(fixture, sizeof fixture, "%s/base.wim", argv[1]);
    copy_file(fixture, path);
  }
  wim = from_utf8(path);
  mount_dir = from_utf8(mount_utf8);
  log = from_utf8(log_utf8);
  scratch = from_utf8(scratch_utf8);
  missing = from_utf8(mount_utf8); /* not made yet */

  EXPECT_HR(HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND), DismInitialize(DismLogErrors, NULL, missing));
  EXPECT_HR(S_OK, DismInitialize(DismLogErrorsWarningsInfo, log, scratch));
  image_info_and_mount(wim, mount_dir, mount_utf8, argv[2], scratch_utf8);
  refusals();
  EXPECT_HR(S_OK, DismShutdown());

  /* A second session appends, and logs errors only. */
  EXPECT_HR(S_OK, DismInitialize(DismLogErrors, log, NULL));
  EXPECT_HR(S_OK, DismGetImageInfo(wim, &info, &count));
  if (info) DismDelete(info);
  EXPECT_HR(E_INVALIDARG, DismGetImageInfo(NULL, &info, &count));
  EXPECT_HR(S_OK, DismShutdown());
  check_log(log_utf8);

  free(wim);
  free(mount_dir);
  free(log);
  free(scratch);
  free(missing);
  nftw(home, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  if (failures == 0) printf("flavour_test (" FLAVOUR "): every check passed\n");
  return failures == 0 ? 0 : 1;
}
