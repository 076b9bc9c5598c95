// The sessions open on one mount, visible to every process. A build opens a
// session with one `dismake` process, services the image with others and
// closes it with a third, and unmount must refuse while any process holds a
// session on the mount. So every open session is a record in the mount's
// record directory:
//
//   <record_dir>/sessions/<id>.json
//   {"id": "9f2c...", "name": "build", "owner": "cli", "pid": 4242,
//    "start_time": 81234, "boot_id": "4b1e...", "opened_at": "2024-05-01T12:00:00Z"}
//
// where start_time is field 22 of /proc/<pid>/stat, which tells a recycled
// pid from the process that opened the session. Records are written
// atomically, and writers take <record_dir>/sessions.lock.
//
// Staleness. A session belongs to a process: through the C API (owner kApi)
// the process that opened it; through `dismake open-session` (owner kCli)
// the process that short-lived command ran for (session_holder_process():
// the build tool, the script or the user's shell). Once that process has
// exited, its pid names another process, or the machine has rebooted, the
// session is stale: it does not block unmount, reap_stale() (cleanup)
// removes it, and its name may be opened again (the next build does).
//
// Corrupt records. Records are written atomically, so an unreadable one means
// outside damage, and whether its session is live cannot be known. Rather
// than guess, every call that reads the records throws Error
// ERROR_FILE_CORRUPT naming the file, except reap_stale(), which removes it
// and says so: `dismake cleanup` is the documented way out.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace dismake {

enum class SessionOwner {
  kCli,  // `dismake open-session`: held by the build, script or shell that ran it
  kApi,  // the C API: stale once its process is gone
};

// The process a `dismake open-session` run from here opens its session for:
// the nearest ancestor that is neither a `sh -c` wrapper nor a subshell (a
// build tool, a script, an interactive shell).
pid_t session_holder_process();

// "cli" or "api", as the record stores it.
const char* session_owner_name(SessionOwner owner);

struct SessionRecord {
  std::string id;    // 32 hex digits, unique across processes and boots
  std::string name;  // "" for an unnamed session
  SessionOwner owner = SessionOwner::kCli;
  pid_t pid = 0;
  std::uint64_t start_time = 0;  // of `pid`, /proc/<pid>/stat field 22
  std::string boot_id;
  std::string opened_at;  // ISO 8601 UTC, "2024-05-01T12:00:00Z"
  // Computed when read, never stored.
  bool stale = false;
  std::string stale_reason;  // why it is stale ("process 4242 has exited"), or ""
};

// What reap_stale() removed.
struct ReapedSessions {
  std::vector<SessionRecord> stale;
  std::vector<std::filesystem::path> corrupt;  // record files that could not be read
};

class SessionRecords {
 public:
  // The records of the mount whose record directory is `record_dir`. The
  // directory must exist; nothing is read or written yet.
  explicit SessionRecords(std::filesystem::path record_dir);

  // Records a session named `name` (letters, digits, '.', '_', '-'; at most
  // 64; "" for an unnamed one) opened by process `pid`, which must be running.
  // A name is unique among the live sessions of the mount (a stale session of
  // that name is replaced). When a live session already has the name, this
  // returns it if `reuse` is true and it has the same owner (and, for kApi,
  // the same process), which makes `dismake open-session --name` idempotent
  // across builds; otherwise it throws Error ERROR_ALREADY_EXISTS.
  SessionRecord open(const std::string& name, SessionOwner owner, pid_t pid, bool reuse = false);

  // Removes the session whose id or else name is `name_or_id`, stale or not,
  // and returns it. Throws Error DISMAPI_E_INVALID_DISM_SESSION if there is
  // none.
  SessionRecord close(const std::string& name_or_id);

  // Every record, stale ones flagged, oldest first. Lock-free: records are
  // replaced atomically.
  std::vector<SessionRecord> list() const;

  // The sessions that block unmount: those not stale. An unmount must hold
  // the mount's lock across this check and the unmount, so that no session
  // opens in between.
  std::size_t live_count() const;

  // Removes the stale records and the corrupt ones, and returns them.
  ReapedSessions reap_stale();

 private:
  std::filesystem::path sessions_dir() const;
  std::filesystem::path record_path(const std::string& id) const;

  std::filesystem::path record_dir_;
};

}  // namespace dismake
