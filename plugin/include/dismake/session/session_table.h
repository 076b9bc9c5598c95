// The DISM sessions of this process: what a DismSession handle names. It keeps
// DismCloseSession's contract to the letter: closing does not unmount;
// operations already running on other threads finish before the session is
// destroyed, and close blocks until they have; any call on the session once
// close has begun (even while close is still waiting) and any close of an
// unknown or closed handle fails with DISMAPI_E_INVALID_DISM_SESSION.
//
// Sessions opened by other processes are not here; see session_records.h.
// All members are thread-safe.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace dismake {

// DISM's DismSession (a UINT). 0 is never a valid handle, and a handle is
// never handed out twice in one process, even by different tables, so a
// stale handle can never reach someone else's session.
using SessionHandle = unsigned int;

class SessionTable {
 public:
  // Proof that an operation is running on a session; the session cannot be
  // destroyed while one exists. Its destructor ends the operation and wakes a
  // close waiting for it. Must not outlive the table. The thread that began
  // it counts as being inside it (see close()).
  class Operation {
   public:
    Operation(Operation&& other) noexcept;
    Operation& operator=(Operation&&) = delete;
    Operation(const Operation&) = delete;
    Operation& operator=(const Operation&) = delete;
    ~Operation();

    SessionHandle handle() const { return handle_; }
    // The mount directory the session is on. Valid for the operation's whole
    // life: an operation in flight must finish even once close has begun, when
    // target_of() already refuses.
    const std::string& target() const { return target_; }

   private:
    friend class SessionTable;
    Operation(SessionTable* table, SessionHandle handle, std::string target);

    SessionTable* table_;
    SessionHandle handle_;
    std::string target_;
  };

  SessionTable() = default;
  SessionTable(const SessionTable&) = delete;
  SessionTable& operator=(const SessionTable&) = delete;

  // Opens a session on `target`, the absolute path of a mount directory
  // (compared after lexical normalization, so "/m/" and "/m" are one mount).
  // Throws Error E_INVALIDARG for a relative path.
  SessionHandle open(const std::string& target);

  // Closes `handle`: from now on every call on it fails, then this waits
  // until the operations already running on it have ended, then forgets it.
  // Throws Error DISMAPI_E_INVALID_DISM_SESSION when the handle is unknown or
  // already closing, and DISMAPI_E_BUSY when the calling thread is itself
  // inside an operation on the session (waiting would deadlock).
  void close(SessionHandle handle);

  // Starts an operation on `handle`. Throws Error
  // DISMAPI_E_INVALID_DISM_SESSION when the session is unknown or closing.
  Operation begin_operation(SessionHandle handle);

  // The mount directory of `handle`. Throws like begin_operation().
  std::string target_of(SessionHandle handle) const;

  // Sessions not yet destroyed: one whose close is still waiting counts,
  // because its operations are still running on the mount. This is what
  // decides whether this process allows an unmount.
  std::size_t open_count() const;
  // The same, counting only the sessions on mount directory `target`
  // (normalized and checked as by open()).
  std::size_t sessions_on(const std::string& target) const;

  // Runs `hook` on the closing thread each time a close has begun (the
  // session already refuses new calls) and before it waits for operations
  // in flight. For tests and diagnostics; it must neither throw nor call
  // close().
  void set_close_started_hook(std::function<void(SessionHandle)> hook);

 private:
  struct Session {
    std::string target;
    bool closing = false;
    // One entry per operation in flight, so close() can tell that the
    // calling thread would be waiting for itself.
    std::vector<std::thread::id> operation_threads;
  };

  void end_operation(SessionHandle handle);

  mutable std::mutex mutex_;
  // Signalled when a closing session's last operation ends.
  std::condition_variable operations_ended_;
  std::unordered_map<SessionHandle, Session> sessions_;
  std::function<void(SessionHandle)> close_started_hook_;
};

}  // namespace dismake
