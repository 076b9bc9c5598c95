/*
 * The wmain shim: Linux starts programs at main(char **), so this main()
 * turns the arguments into wide strings (in the user's locale) and calls the
 * program's wmain(), as the Windows C runtime does.
 */
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

int wmain(int argc, wchar_t **argv); /* LPWSTR * in windows.h terms */

int main(int argc, char **argv) {
  wchar_t **wide_argv = calloc((size_t)argc + 1, sizeof *wide_argv);
  int i, status;
  setlocale(LC_ALL, "");
  if (!wide_argv) return 2;
  for (i = 0; i < argc; ++i) {
    size_t length = mbstowcs(NULL, argv[i], 0);
    if (length == (size_t)-1) return 2;
    wide_argv[i] = calloc(length + 1, sizeof(wchar_t));
    if (!wide_argv[i]) return 2;
    mbstowcs(wide_argv[i], argv[i], length + 1);
  }
  status = wmain(argc, wide_argv);
  for (i = 0; i < argc; ++i) free(wide_argv[i]);
  free(wide_argv);
  return status;
}
