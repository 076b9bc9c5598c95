#include "commit_flags.h"

#include <cstdio>
#include <utility>

#include "dismake/base/error.h"

namespace dismake::capi {

namespace {

std::string hex(DWORD value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08X", static_cast<unsigned>(value));
  return text;
}

}  // namespace

CommitOptions commit_options(DWORD commit_flags, ProgressFn progress) {
  // DISM_COMMIT_SUPPORT_EA: nothing to capture on Linux (see dismapi.h).
  constexpr DWORD kKnown =
      DISM_COMMIT_GENERATE_INTEGRITY | DISM_COMMIT_APPEND | DISM_COMMIT_SUPPORT_EA;
  if (commit_flags & ~kKnown)
    throw Error(hr::kInvalidArg, "unknown commit flags " + hex(commit_flags & ~kKnown),
                "use DISM_COMMIT_GENERATE_INTEGRITY, DISM_COMMIT_SUPPORT_EA and the "
                "DismUnmountImage flags only");
  if (commit_flags & DISM_COMMIT_APPEND)
    throw Error(hr::kNotSupported,
                "DISM_COMMIT_APPEND (saving the changes as a new image) is not supported",
                "commit without it, or export the image with wimlib-imagex export");
  CommitOptions options;
  options.write.check_integrity = (commit_flags & DISM_COMMIT_GENERATE_INTEGRITY) != 0;
  options.progress = std::move(progress);
  return options;
}

}  // namespace dismake::capi
