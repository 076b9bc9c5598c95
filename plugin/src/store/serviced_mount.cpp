#include "dismake/store/serviced_mount.h"

#include <unistd.h>

#include "dismake/base/clock.h"
#include "dismake/base/digest.h"
#include "dismake/store/commit_output.h"
#include "serviced_mount_impl.h"

namespace dismake {

ServicedMount::ServicedMount(std::unique_ptr<ServicedMountImpl> impl) : impl_(std::move(impl)) {}
ServicedMount::ServicedMount(ServicedMount&&) noexcept = default;
ServicedMount& ServicedMount::operator=(ServicedMount&&) noexcept = default;
ServicedMount::~ServicedMount() = default;

ServicedMount ServicedMount::open(const fs::path& mount_dir) {
  MountPaths paths = MountPaths::existing(mount_dir);
  return open_locked(paths, lock_mount(paths), true);
}

ServicedMount ServicedMount::open_for_reading(const fs::path& mount_dir) {
  MountPaths paths = MountPaths::existing(mount_dir);
  FileLock lock = lock_mount_for_reading(paths);
  bool writable = lock.writable() && ::access(paths.record_dir.c_str(), W_OK) == 0;
  return open_locked(paths, std::move(lock), writable);
}

ServicedMount ServicedMount::open_locked(const MountPaths& paths, FileLock&& lock, bool writable) {
  auto impl = std::make_unique<ServicedMountImpl>(paths, std::move(lock));
  impl->writable = writable;
  impl->record = MountRecord::load(paths.record_file());
  impl->head = MountHead::load(paths.head_file());
  impl->index = TreeIndex::load(paths.index_file_to_read());
  impl->delta = impl->delta_of(impl->head.current_key);
  if (writable) remove_stale_output_temporaries(paths, impl->record.wim_path);
  return ServicedMount(std::move(impl));
}

void initialize_mount_records(const MountPaths& paths, const CompactListing& listing,
                              const std::string& base_identity, bool lazy) {
  listing.save(paths.base_file());
  MountHead head;
  head.base_key = base_state_key(base_identity);
  head.current_key = head.base_key;
  head.lazy = lazy;
  head.mount_id = Sha256()
                      .add(base_identity)
                      .add(std::to_string(now_ns()))
                      .add(std::to_string(::getpid()))
                      .hex();
  StateCatalog(paths.states_dir()).save({head.base_key, "", nullptr, StateDelta()});
  head.save(paths.head_file());
}

}  // namespace dismake
