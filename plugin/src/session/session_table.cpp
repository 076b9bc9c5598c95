#include "dismake/session/session_table.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <utility>

#include "dismake/base/error.h"

namespace dismake {

namespace {

// Process-wide, so that two tables never hand out the same handle either.
// It sticks at 0 once every handle has been used rather than wrapping round
// to handles that were already given out.
std::atomic<SessionHandle> next_handle{1};

SessionHandle allocate_handle() {
  SessionHandle handle = next_handle.load();
  do {
    if (handle == 0)
      throw Error(hr::kFail, "this process has used every DISM session handle",
                  "restart the process");
  } while (!next_handle.compare_exchange_weak(handle, handle + 1));
  return handle;
}

std::string normal_target(const std::string& target) {
  std::filesystem::path path(target);
  if (!path.is_absolute())
    throw Error(hr::kInvalidArg, "session target '" + target + "' is not an absolute path",
                "pass the mount directory as an absolute path");
  std::string normal = path.lexically_normal().string();
  while (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  return normal;
}

[[noreturn]] void throw_invalid_session(SessionHandle handle) {
  throw Error(hr::kInvalidDismSession,
              "DISM session " + std::to_string(handle) + " is not open (it was never opened, " +
                  "or it is closed or being closed)",
              "open a new session");
}

// Works on the const and the non-const map alike.
template <class Sessions>
auto& find_usable(Sessions& sessions, SessionHandle handle) {
  auto it = sessions.find(handle);
  if (it == sessions.end() || it->second.closing) throw_invalid_session(handle);
  return it->second;
}

}  // namespace

SessionTable::Operation::Operation(SessionTable* table, SessionHandle handle, std::string target)
    : table_(table), handle_(handle), target_(std::move(target)) {}

SessionTable::Operation::Operation(Operation&& other) noexcept
    : table_(std::exchange(other.table_, nullptr)),
      handle_(other.handle_),
      target_(std::move(other.target_)) {}

SessionTable::Operation::~Operation() {
  if (table_) table_->end_operation(handle_);
}

SessionHandle SessionTable::open(const std::string& target) {
  std::string normal = normal_target(target);
  SessionHandle handle = allocate_handle();
  std::lock_guard<std::mutex> lock(mutex_);
  sessions_[handle].target = std::move(normal);
  return handle;
}

void SessionTable::close(SessionHandle handle) {
  std::function<void(SessionHandle)> hook;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    Session& session = find_usable(sessions_, handle);
    const auto& threads = session.operation_threads;
    if (std::find(threads.begin(), threads.end(), std::this_thread::get_id()) != threads.end())
      throw Error(hr::kBusy,
                  "DISM session " + std::to_string(handle) +
                      " cannot be closed from inside one of its own operations",
                  "close it after the operation has returned");
    session.closing = true;
    hook = close_started_hook_;
  }
  // Outside the lock, so the hook may call into the table and see the refusal.
  if (hook) hook(handle);
  std::unique_lock<std::mutex> lock(mutex_);
  // Only this close can erase the session (any other close now fails), so
  // the reference stays valid across the wait.
  Session& session = sessions_.at(handle);
  operations_ended_.wait(lock, [&] { return session.operation_threads.empty(); });
  sessions_.erase(handle);
}

SessionTable::Operation SessionTable::begin_operation(SessionHandle handle) {
  std::lock_guard<std::mutex> lock(mutex_);
  Session& session = find_usable(sessions_, handle);
  session.operation_threads.push_back(std::this_thread::get_id());
  return Operation(this, handle, session.target);
}

void SessionTable::end_operation(SessionHandle handle) {
  std::lock_guard<std::mutex> lock(mutex_);
  Session& session = sessions_.at(handle);
  auto& threads = session.operation_threads;
  // Any entry of this thread will do: only their number matters.
  auto it = std::find(threads.begin(), threads.end(), std::this_thread::get_id());
  threads.erase(it != threads.end() ? it : threads.begin());
  // Several closes may be waiting on different sessions, hence notify_all.
  if (session.closing && threads.empty()) operations_ended_.notify_all();
}

std::string SessionTable::target_of(SessionHandle handle) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return find_usable(sessions_, handle).target;
}

std::size_t SessionTable::open_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return sessions_.size();
}

std::size_t SessionTable::sessions_on(const std::string& target) const {
  std::string normal = normal_target(target);
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<std::size_t>(
      std::count_if(sessions_.begin(), sessions_.end(),
                    [&](const auto& entry) { return entry.second.target == normal; }));
}

void SessionTable::set_close_started_hook(std::function<void(SessionHandle)> hook) {
  std::lock_guard<std::mutex> lock(mutex_);
  close_started_hook_ = std::move(hook);
}

}  // namespace dismake
