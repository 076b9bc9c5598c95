// DismGetMountedImageInfo: the calling user's mounts, as DISM lists them.
#include "api_call.h"
#include "api_state.h"
#include "result_buffer.h"

using namespace dismake;
using namespace dismake::capi;

namespace {

DismMountStatus dism_status(MountStatus status) {
  switch (status) {
    case MountStatus::kOk:
      return DismMountStatusOk;
    case MountStatus::kNeedsRemount:
      return DismMountStatusNeedsRemount;
    case MountStatus::kInvalid:
      break;
  }
  return DismMountStatusInvalid;
}

void fill_mount(DismMountedImageInfo& out, ResultArena& arena, const MountInfo& mount) {
  out.MountPath = arena.string(mount.paths.mount_dir.string());
  out.ImageFilePath = arena.string(mount.record ? mount.record->wim_path.string() : "");
  out.ImageIndex = mount.record ? static_cast<UINT>(mount.record->image_index) : 0;
  out.MountMode = mount.record && mount.record->read_only ? DismReadOnly : DismReadWrite;
  out.MountStatus = dism_status(mount.status);
}

}  // namespace

extern "C" HRESULT WINAPI DismGetMountedImageInfo(DismMountedImageInfo** MountedImageInfo,
                                                  UINT* Count) {
  return api_call("DismGetMountedImageInfo", [&] {
    if (!MountedImageInfo || !Count)
      throw Error(hr::kInvalidArg, "MountedImageInfo or Count is NULL");
    *MountedImageInfo = nullptr;
    *Count = 0;
    std::shared_ptr<Runtime> runtime = current_runtime();
    std::vector<MountInfo> mounts = runtime->store().list();
    Result<DismMountedImageInfo> result(mounts.size());
    for (std::size_t i = 0; i < mounts.size(); ++i)
      fill_mount(result[i], result.arena(), mounts[i]);
    *Count = static_cast<UINT>(mounts.size());
    *MountedImageInfo = result.release();
  });
}
