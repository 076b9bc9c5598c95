#include "dismake/session/session_records.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <system_error>
#include <tuple>
#include <utility>

#include "dismake/base/clock.h"
#include "dismake/base/error.h"
#include "dismake/base/file_lock.h"
#include "dismake/base/files.h"
#include "process_identity.h"

namespace dismake {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxNameLength = 64;

const char kCorruptHint[] =
    "delete the file, or run `dismake cleanup`, which removes it (its session is then gone)";

std::string random_id() {
  std::random_device random;
  std::uniform_int_distribution<unsigned> digit(0, 15);
  std::string id(32, '0');
  for (char& c : id) c = "0123456789abcdef"[digit(random)];
  return id;
}

bool is_id(const std::string& text) {
  return text.size() == 32 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

void check_name(const std::string& name) {
  bool valid = name.size() <= kMaxNameLength && std::all_of(name.begin(), name.end(), [](char c) {
                 return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
               });
  if (!valid)
    throw Error(hr::kInvalidArg, "invalid session name '" + name + "'",
                "use at most 64 letters, digits, '.', '_' or '-'");
}

std::optional<SessionOwner> parse_owner(const std::string& text) {
  if (text == "cli") return SessionOwner::kCli;
  if (text == "api") return SessionOwner::kApi;
  return std::nullopt;
}

json to_json(const SessionRecord& record) {
  return json{{"id", record.id},
              {"name", record.name},
              {"owner", session_owner_name(record.owner)},
              {"pid", record.pid},
              {"start_time", record.start_time},
              {"boot_id", record.boot_id},
              {"opened_at", record.opened_at}};
}

[[noreturn]] void throw_corrupt(const fs::path& path, const std::string& why) {
  throw Error(hr::kFileCorrupt, "session record '" + path.string() + "' is corrupt: " + why,
              kCorruptHint);
}

// Throws json's own exceptions for a wrong shape; the caller names the file.
SessionRecord from_json(const json& value) {
  SessionRecord record;
  record.id = value.at("id").get<std::string>();
  record.name = value.at("name").get<std::string>();
  auto owner = parse_owner(value.at("owner").get<std::string>());
  if (!owner) throw std::invalid_argument("owner is neither \"cli\" nor \"api\"");
  record.owner = *owner;
  record.pid = value.at("pid").get<pid_t>();
  record.start_time = value.at("start_time").get<std::uint64_t>();
  record.boot_id = value.at("boot_id").get<std::string>();
  record.opened_at = value.at("opened_at").get<std::string>();
  return record;
}

void judge_staleness(SessionRecord& record) {
  if (record.boot_id != current_boot_id()) {
    record.stale_reason = "it was opened before the machine last booted";
  } else {
    std::string process = "process " + std::to_string(record.pid);
    switch (process_fate(record.pid, record.start_time)) {
      case ProcessFate::kRunning:
        return;
      case ProcessFate::kExited:
        record.stale_reason = process + " has exited";
        break;
      case ProcessFate::kRecycled:
        record.stale_reason = process + " has exited (its pid now names another process)";
        break;
    }
  }
  record.stale = true;
}

// The record in `path`, or nothing when the file vanished meanwhile (closed
// by another process). Throws Error ERROR_FILE_CORRUPT naming the file.
std::optional<SessionRecord> read_record(const fs::path& path) {
  std::string text;
  try {
    text = read_file(path);
  } catch (const Error& error) {
    if (error.code() == hr::kFileNotFound) return std::nullopt;
    throw;
  }
  SessionRecord record;
  try {
    record = from_json(json::parse(text));
  } catch (const std::exception& error) {
    throw_corrupt(path, error.what());
  }
  if (record.id != path.stem().string() || !is_id(record.id))
    throw_corrupt(path, "its id '" + record.id + "' does not match its file name");
  if (record.pid <= 0) throw_corrupt(path, "its pid is not positive");
  judge_staleness(record);
  return record;
}

std::vector<fs::path> directory_entries(const fs::path& dir) {
  std::vector<fs::path> entries;
  std::error_code error;
  fs::directory_iterator it(dir, error);
  if (error == std::errc::no_such_file_or_directory) return entries;
  if (error) throw_errno("list", dir.string(), error.value());
  for (; it != fs::directory_iterator(); it.increment(error)) {
    if (error) throw_errno("list", dir.string(), error.value());
    entries.push_back(it->path());
  }
  return entries;
}

// Record files only: a writer's temporary file ("<id>.json.tmp-...") is not.
std::vector<fs::path> record_files(const fs::path& dir) {
  std::vector<fs::path> files = directory_entries(dir);
  files.erase(std::remove_if(files.begin(), files.end(),
                             [](const fs::path& file) { return file.extension() != ".json"; }),
              files.end());
  return files;
}

std::vector<SessionRecord> read_records(const fs::path& dir) {
  std::vector<SessionRecord> records;
  for (const fs::path& file : record_files(dir))
    if (auto record = read_record(file)) records.push_back(std::move(*record));
  std::sort(records.begin(), records.end(), [](const SessionRecord& a, const SessionRecord& b) {
    return std::tie(a.opened_at, a.id) < std::tie(b.opened_at, b.id);
  });
  return records;
}

void remove_file(const fs::path& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) throw_errno("remove", path.string(), errno);
}

bool may_reuse(const SessionRecord& existing, const SessionRecord& wanted) {
  if (existing.owner != wanted.owner) return false;
  // An API session belongs to its process; another process may not adopt it.
  return wanted.owner == SessionOwner::kCli ||
         (existing.pid == wanted.pid && existing.start_time == wanted.start_time);
}

// A writer killed between creating its temporary file and renaming it leaves
// "<id>.json.tmp-<pid>-<n>" behind; under the lock no writer is running.
bool is_leftover_temporary(const fs::path& path) {
  return path.filename().string().find(".json.tmp-") != std::string::npos;
}

[[noreturn]] void throw_name_taken(const SessionRecord& existing) {
  throw Error(hr::kAlreadyExists,
              "a session named '" + existing.name + "' is already open on this mount (opened by " +
                  session_owner_name(existing.owner) + " process " + std::to_string(existing.pid) +
                  " at " + existing.opened_at + ")",
              "close it with `dismake close-session`, or choose another name");
}

}  // namespace

pid_t session_holder_process() { return holding_process(); }

const char* session_owner_name(SessionOwner owner) {
  return owner == SessionOwner::kCli ? "cli" : "api";
}

SessionRecords::SessionRecords(fs::path record_dir) : record_dir_(std::move(record_dir)) {}

fs::path SessionRecords::sessions_dir() const { return record_dir_ / "sessions"; }

fs::path SessionRecords::record_path(const std::string& id) const {
  return sessions_dir() / (id + ".json");
}

SessionRecord SessionRecords::open(const std::string& name, SessionOwner owner, pid_t pid,
                                   bool reuse) {
  check_name(name);
  SessionRecord record;
  record.name = name;
  record.owner = owner;
  record.pid = pid;
  record.start_time = process_start_time(pid);
  FileLock lock(record_dir_ / "sessions.lock", default_lock_timeout(), "the session list");
  for (const SessionRecord& existing : read_records(sessions_dir())) {
    if (name.empty() || existing.name != name) continue;
    if (existing.stale) {
      remove_file(record_path(existing.id));
    } else if (reuse && may_reuse(existing, record)) {
      return existing;
    } else {
      throw_name_taken(existing);
    }
  }
  record.id = random_id();
  record.boot_id = current_boot_id();
  record.opened_at = utc_now_iso8601();
  if (::mkdir(sessions_dir().c_str(), 0755) != 0 && errno != EEXIST)
    throw_errno("create", sessions_dir().string(), errno);
  write_file_atomic(record_path(record.id), to_json(record).dump(2) + "\n", 0600);
  return record;
}

SessionRecord SessionRecords::close(const std::string& name_or_id) {
  FileLock lock(record_dir_ / "sessions.lock", default_lock_timeout(), "the session list");
  std::vector<SessionRecord> records = read_records(sessions_dir());
  auto match = std::find_if(records.begin(), records.end(),
                            [&](const SessionRecord& r) { return r.id == name_or_id; });
  if (match == records.end())
    match = std::find_if(records.begin(), records.end(), [&](const SessionRecord& r) {
      return !r.name.empty() && r.name == name_or_id;
    });
  if (match == records.end())
    throw Error(
        hr::kInvalidDismSession,
        "no session '" + name_or_id + "' is open on mount state '" + record_dir_.string() + "'",
        "run `dismake list-mounts` to see the open sessions");
  remove_file(record_path(match->id));
  return *match;
}

std::vector<SessionRecord> SessionRecords::list() const { return read_records(sessions_dir()); }

std::size_t SessionRecords::live_count() const {
  std::vector<SessionRecord> records = list();
  return static_cast<std::size_t>(std::count_if(records.begin(), records.end(),
                                                [](const SessionRecord& r) { return !r.stale; }));
}

ReapedSessions SessionRecords::reap_stale() {
  FileLock lock(record_dir_ / "sessions.lock", default_lock_timeout(), "the session list");
  ReapedSessions reaped;
  for (const fs::path& entry : directory_entries(sessions_dir()))
    if (is_leftover_temporary(entry)) remove_file(entry);
  for (const fs::path& file : record_files(sessions_dir())) {
    std::optional<SessionRecord> record;
    try {
      record = read_record(file);
    } catch (const Error& error) {
      if (error.code() != hr::kFileCorrupt) throw;
      remove_file(file);
      reaped.corrupt.push_back(file);
      continue;
    }
    if (!record || !record->stale) continue;
    remove_file(file);
    reaped.stale.push_back(std::move(*record));
  }
  return reaped;
}

}  // namespace dismake
