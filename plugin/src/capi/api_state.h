// The process-wide state DismInitialize creates and DismShutdown destroys:
// the mount store and the table of this process's sessions. Calls hold a
// shared_ptr to it, so a shutdown never pulls it from under a call still
// running (a mount, say, which needs no session).
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "dismake/ops/store_with_session_rule.h"
#include "dismake/session/session_table.h"
#include "dismake/store/mount_store.h"

namespace dismake::capi {

// The cross-process record that makes an API session on a mount visible to
// other processes (see session_records.h).
struct SessionRecordRef {
  std::filesystem::path record_dir;
  std::string record_id;
};

class Runtime {
 public:
  // The current user's mounts; unmount refuses while sessions are open.
  // Commits stage their temporary files under `scratch_dir` (see
  // MountStore::set_scratch_root; empty: the mount's record directory).
  explicit Runtime(const std::filesystem::path& scratch_dir);
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  MountStore& store() { return store_; }
  SessionTable& sessions() { return sessions_; }

  void remember_record(SessionHandle handle, SessionRecordRef record);
  std::optional<SessionRecordRef> forget_record(SessionHandle handle);

 private:
  // The session rule's share of this process: its SessionTable's sessions,
  // and the DISM log for the stale ones an unmount discards.
  SessionRuleFront session_rule();

  MountStore store_;
  SessionTable sessions_;
  std::mutex records_mutex_;
  std::unordered_map<SessionHandle, SessionRecordRef> records_;
};

// Throws Error DISMAPI_E_DISMAPI_ALREADY_INITIALIZED when initialized.
void initialize_runtime(const std::filesystem::path& scratch_dir);

// Throws DISMAPI_E_DISMAPI_NOT_INITIALIZED, or DISMAPI_E_OPEN_SESSION_HANDLES
// while sessions are open or closing.
void shut_down_runtime();

// The runtime; throws Error DISMAPI_E_DISMAPI_NOT_INITIALIZED when there is
// none.
std::shared_ptr<Runtime> current_runtime();

// Whether `runtime` is still the current one (no shutdown since it was got).
bool is_current(const std::shared_ptr<Runtime>& runtime);

}  // namespace dismake::capi
