// DismCheckImageHealth: whether a session's image can still be serviced.
// It only reads, so it takes no lock and any number may run at once.
#include "api_call.h"
#include "api_sessions.h"
#include "api_state.h"
#include "dismake/store/base_image.h"
#include "progress_bridge.h"

using namespace dismake;
using namespace dismake::capi;

namespace {

DismImageHealthState health_of(MountStatus status) {
  switch (status) {
    case MountStatus::kOk:
      return DismImageHealthy;
    case MountStatus::kNeedsRemount:
      return DismImageRepairable;  // DismRemountImage brings the tree back
    case MountStatus::kInvalid:
      break;
  }
  return DismImageNonRepairable;
}

// Reads the WIM: is it still the image that was mounted?
bool base_unchanged(const MountRecord& record) {
  try {
    return BaseImage::open(record.wim_path, record.image_index, "").identity ==
           record.base_identity;
  } catch (const Error&) {
    return false;  // gone, unreadable or missing the image
  }
}

DismImageHealthState check_mount(const MountInfo& info, bool scan, ProgressBridge& progress) {
  DismImageHealthState health = health_of(info.status);
  progress.step(1, scan ? 2 : 1);
  if (!scan || health == DismImageNonRepairable) return health;
  if (!base_unchanged(*info.record)) health = DismImageNonRepairable;
  progress.step(2, 2);
  return health;
}

DismImageHealthState check(Runtime& runtime, const std::string& target, bool scan,
                           ProgressBridge& progress) {
  MountPaths paths = MountPaths::of(target);
  progress.step(0, scan ? 2 : 1);
  if (!is_mount(runtime.store(), paths)) {
    progress.step(1, 1);
    return fs::is_directory(paths.mount_dir) ? DismImageHealthy : DismImageNonRepairable;
  }
  return check_mount(runtime.store().info(target), scan, progress);
}

}  // namespace

extern "C" HRESULT WINAPI DismCheckImageHealth(DismSession Session, BOOL ScanImage,
                                               HANDLE CancelEvent, DISM_PROGRESS_CALLBACK Progress,
                                               PVOID UserData, DismImageHealthState* ImageHealth) {
  return api_call("DismCheckImageHealth", [&] {
    if (!ImageHealth) throw Error(hr::kInvalidArg, "ImageHealth is NULL");
    std::shared_ptr<Runtime> runtime = current_runtime();
    SessionTable::Operation operation = runtime->sessions().begin_operation(Session);
    ProgressBridge progress(CancelEvent, Progress, UserData);
    *ImageHealth = check(*runtime, operation.target(), ScanImage != FALSE, progress);
    progress.finish();
  });
}
