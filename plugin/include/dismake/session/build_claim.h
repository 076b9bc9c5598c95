// BuildClaim: which build is using a mount. A build is many short `dismake`
// processes run by one build tool (ninja), so no file lock can span it.
// Instead its first step, `ensure` (which runs in every build), claims the
// mount for the build tool's process (holding_process(): pid, start time and
// boot id) in $DISMAKE_HOME/build-claims/. A second build in the same build
// directory (a second `ninja` started meanwhile) finds the first one's claim
// live and waits, like a command waits for a mount's lock, until that build
// tool exits; after DISMAKE_LOCK_TIMEOUT it fails with DISMAPI_E_BUSY naming
// it. A claim is stale once its process is gone: it never needs releasing.
#pragma once

#include <chrono>
#include <filesystem>

namespace dismake {

class BuildClaim {
 public:
  // Claims `mount_dir` for the build this process is a step of, the claims
  // kept under `dir`. Waits up to `timeout` while another live build holds
  // it, then throws Error DISMAPI_E_BUSY naming that build's process. The
  // caller holds a lock that serialises claims of `mount_dir`
  // (MountRegistry::lock_ensure).
  static void take(const std::filesystem::path& dir, const std::filesystem::path& mount_dir,
                   std::chrono::milliseconds timeout);
};

}  // namespace dismake
