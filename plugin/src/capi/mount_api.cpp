// DismMountImage, DismUnmountImage, DismRemountImage and
// DismCleanupMountpoints: the image verbs that need no session.
#include <climits>
#include <optional>

#include "api_call.h"
#include "api_state.h"
#include "commit_flags.h"
#include "dism_log.h"
#include "dismake/ops/store_with_session_rule.h"
#include "dismake/wim/wim_file.h"
#include "progress_bridge.h"
#include "wide_string.h"

using namespace dismake;
using namespace dismake::capi;

namespace {

// DismAPI.h's value; see DISMAPI_E_MUST_SPECIFY_INDEX_OR_NAME in dismapi.h.
constexpr HResult kMustSpecifyIndexOrName = 0xC0040020;

// DismImageNone: the WIM's only image.
int only_image(const fs::path& wim) {
  std::uint32_t count = WimFile::open(wim).info().image_count;
  if (count != 1)
    throw Error(kMustSpecifyIndexOrName,
                "'" + wim.string() + "' holds " + std::to_string(count) +
                    " images, so DismImageNone cannot choose one "
                    "(DISMAPI_E_MUST_SPECIFY_INDEX_OR_NAME)",
                "pass DismImageIndex with an index, or DismImageName with a name "
                "(DismGetImageInfo lists them)");
  return 1;
}

MountOptions mount_options(PCWSTR image_file, UINT index, PCWSTR name,
                           DismImageIdentifier identifier, DWORD flags) {
  // Extended attributes have nothing to keep on Linux (see dismapi.h).
  constexpr DWORD kKnown = DISM_MOUNT_READONLY | DISM_MOUNT_OPTIMIZE | DISM_MOUNT_CHECK_INTEGRITY |
                           DISM_MOUNT_SUPPORT_EA;
  if (flags & ~kKnown) throw Error(hr::kInvalidArg, "unknown mount flags");
  MountOptions options;
  options.wim = required_path(image_file, "ImageFilePath");
  options.read_only = (flags & DISM_MOUNT_READONLY) != 0;
  if (identifier == DismImageNone) {
    options.index = only_image(options.wim);
  } else if (identifier == DismImageIndex) {
    if (index == 0 || index > INT_MAX)
      throw Error(hr::kInvalidImageIndex, "image index " + std::to_string(index) + " is invalid",
                  "image indexes start at 1; see DismGetImageInfo");
    options.index = static_cast<int>(index);
  } else if (identifier == DismImageName) {
    options.name = required_utf8(name, "ImageName");
  } else {
    throw Error(hr::kInvalidArg,
                "ImageIdentifier is neither DismImageIndex, DismImageName nor DismImageNone");
  }
  return options;
}

// DISM's own code for "that is not a mount" when unmounting.
void require_mount(const MountStore& store, const std::string& mount_dir) {
  try {
    store.info(mount_dir);
  } catch (const Error& error) {
    if (error.code() != hr::kNotFound) throw;
    throw Error(hr::kUnableToUnmountImagePath, error.problem(), error.hint());
  }
}

std::optional<CommitOptions> unmount_commit(DWORD flags, ProgressFn progress) {
  DWORD mode = flags & ~static_cast<DWORD>(DISM_COMMIT_MASK);
  if (mode != DISM_COMMIT_IMAGE && mode != DISM_DISCARD_IMAGE)
    throw Error(hr::kInvalidArg, "unmount needs DISM_COMMIT_IMAGE or DISM_DISCARD_IMAGE");
  CommitOptions commit = commit_options(flags & DISM_COMMIT_MASK, std::move(progress));
  if (mode == DISM_DISCARD_IMAGE) return std::nullopt;
  return commit;
}

}  // namespace

extern "C" HRESULT WINAPI DismMountImage(PCWSTR ImageFilePath, PCWSTR MountPath, UINT ImageIndex,
                                         PCWSTR ImageName, DismImageIdentifier ImageIdentifier,
                                         DWORD Flags, HANDLE CancelEvent,
                                         DISM_PROGRESS_CALLBACK Progress, PVOID UserData) {
  return api_call("DismMountImage", [&] {
    std::shared_ptr<Runtime> runtime = current_runtime();
    MountOptions options =
        mount_options(ImageFilePath, ImageIndex, ImageName, ImageIdentifier, Flags);
    std::string mount_dir = required_path(MountPath, "MountPath");
    ProgressBridge progress(CancelEvent, Progress, UserData);
    options.progress = progress.fn();
    runtime->store().mount(mount_dir, options);
    progress.finish();
    log_line(LogSeverity::kInfo, "Mounted " + options.wim.string() + " at " + mount_dir,
             "DismMountImage");
  });
}

extern "C" HRESULT WINAPI DismUnmountImage(PCWSTR MountPath, DWORD Flags, HANDLE CancelEvent,
                                           DISM_PROGRESS_CALLBACK Progress, PVOID UserData) {
  return api_call("DismUnmountImage", [&] {
    std::shared_ptr<Runtime> runtime = current_runtime();
    std::string mount_dir = required_path(MountPath, "MountPath");
    ProgressBridge progress(CancelEvent, Progress, UserData);
    std::optional<CommitOptions> commit = unmount_commit(Flags, progress.fn());
    require_mount(runtime->store(), mount_dir);
    runtime->store().unmount(mount_dir, commit);
    progress.finish();
    log_line(LogSeverity::kInfo,
             "Unmounted " + mount_dir + (commit ? ", changes committed" : ", changes discarded"),
             "DismUnmountImage");
  });
}

extern "C" HRESULT WINAPI DismRemountImage(PCWSTR MountPath) {
  return api_call("DismRemountImage", [&] {
    std::shared_ptr<Runtime> runtime = current_runtime();
    runtime->store().remount(required_path(MountPath, "MountPath"), ProgressFn());
  });
}

extern "C" HRESULT WINAPI DismCleanupMountpoints(void) {
  return api_call("DismCleanupMountpoints", [&] {
    std::shared_ptr<Runtime> runtime = current_runtime();
    // DISM unregisters a mount whose directory it leaves.
    clean_up_mounts(runtime->store(), /*force=*/false, MountStore::LeftTrees::kForgotten);
  });
}
