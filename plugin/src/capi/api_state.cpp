#include "api_state.h"

#include "dism_log.h"
#include "dismake/base/error.h"
#include "dismake/ops/store_with_session_rule.h"

namespace dismake::capi {

namespace {

// HRESULT_FROM_WIN32(ERROR_ALREADY_INITIALIZED): see
// DISMAPI_E_DISMAPI_ALREADY_INITIALIZED in dismapi.h for why.
constexpr HResult kAlreadyInitialized = 0x800704DF;

std::mutex lifecycle_mutex;
std::shared_ptr<Runtime> runtime;

}  // namespace

// DISM refuses to unmount while a session is open on the image, whichever
// process holds it: one of this process's, or a live record of any.
Runtime::Runtime(const std::filesystem::path& scratch_dir)
    : store_(mount_store_with_session_rule(MountRegistry::for_current_user(), session_rule())) {
  store_.set_scratch_root(scratch_dir);
}

SessionRuleFront Runtime::session_rule() {
  SessionRuleFront front;
  front.in_process = [this](const std::filesystem::path& mount_dir) {
    return sessions_.sessions_on(mount_dir.string());
  };
  front.notice = [](const std::string& line) {
    log_line(LogSeverity::kWarning, line, "DismUnmountImage");
  };
  return front;
}

void Runtime::remember_record(SessionHandle handle, SessionRecordRef record) {
  std::lock_guard<std::mutex> lock(records_mutex_);
  records_[handle] = std::move(record);
}

std::optional<SessionRecordRef> Runtime::forget_record(SessionHandle handle) {
  std::lock_guard<std::mutex> lock(records_mutex_);
  auto it = records_.find(handle);
  if (it == records_.end()) return std::nullopt;
  SessionRecordRef record = std::move(it->second);
  records_.erase(it);
  return record;
}

void initialize_runtime(const std::filesystem::path& scratch_dir) {
  std::lock_guard<std::mutex> lock(lifecycle_mutex);
  if (runtime)
    throw Error(kAlreadyInitialized,
                "DISM API was already initialized for this process "
                "(DISMAPI_E_DISMAPI_ALREADY_INITIALIZED)",
                "call DismInitialize once, and again only after DismShutdown");
  runtime = std::make_shared<Runtime>(scratch_dir);
}

void shut_down_runtime() {
  std::lock_guard<std::mutex> lock(lifecycle_mutex);
  if (!runtime)
    throw Error(hr::kNotInitialized, "DISM API was not initialized for this process",
                "DismShutdown matches an earlier DismInitialize");
  std::size_t open = runtime->sessions().open_count();
  if (open > 0)
    throw Error(hr::kOpenSessionHandles,
                std::to_string(open) + " DISM session(s) of this process are still open",
                "close every session with DismCloseSession before DismShutdown");
  runtime.reset();
}

std::shared_ptr<Runtime> current_runtime() {
  std::lock_guard<std::mutex> lock(lifecycle_mutex);
  if (!runtime)
    throw Error(hr::kNotInitialized, "DISM API was not initialized for this process",
                "call DismInitialize first");
  return runtime;
}

bool is_current(const std::shared_ptr<Runtime>& candidate) {
  std::lock_guard<std::mutex> lock(lifecycle_mutex);
  return runtime == candidate;
}

}  // namespace dismake::capi
