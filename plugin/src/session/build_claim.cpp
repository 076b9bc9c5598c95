#include "dismake/session/build_claim.h"

#include <unistd.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "dismake/base/digest.h"
#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "process_identity.h"

namespace dismake {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct Claimant {
  pid_t pid = 0;
  std::uint64_t start_time = 0;
  std::string boot_id;

  bool operator==(const Claimant& other) const {
    return pid == other.pid && start_time == other.start_time && boot_id == other.boot_id;
  }
  bool running() const {
    return boot_id == current_boot_id() && process_fate(pid, start_time) == ProcessFate::kRunning;
  }
};

// The claim in `file`; none when absent or unreadable (a claim only ever
// delays a build: a damaged one is taken over).
std::optional<Claimant> load(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return std::nullopt;
  try {
    json j = json::parse(read_file(file));
    return Claimant{j.at("pid").get<pid_t>(), j.at("start_time").get<std::uint64_t>(),
                    j.at("boot_id").get<std::string>()};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// "process 1234 (ninja -C build)", from /proc/<pid>/cmdline.
std::string describe(pid_t pid) {
  std::string command;
  try {
    command = read_file("/proc/" + std::to_string(pid) + "/cmdline");
  } catch (const Error&) {
  }
  for (char& c : command)
    if (c == '\0') c = ' ';
  while (!command.empty() && command.back() == ' ') command.pop_back();
  return "process " + std::to_string(pid) + (command.empty() ? "" : " (" + command + ")");
}

}  // namespace

void BuildClaim::take(const fs::path& dir, const fs::path& mount_dir,
                      std::chrono::milliseconds timeout) {
  pid_t holder = holding_process();
  Claimant mine{holder, process_start_time(holder), current_boot_id()};
  fs::path file = dir / (sha256_hex(mount_dir.string()).substr(0, 24) + ".json");
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::optional<Claimant> other = load(file);
    if (!other || *other == mine || !other->running()) break;
    if (std::chrono::steady_clock::now() >= deadline)
      throw Error(hr::kBusy,
                  "another build (" + describe(other->pid) + ") is using the mount '" +
                      mount_dir.string() + "'",
                  "wait for it to finish, then build again (this build waited " +
                      std::to_string(timeout.count() / 1000) + " s: DISMAKE_LOCK_TIMEOUT)");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  create_private_directory(dir);
  json j = {{"pid", mine.pid}, {"start_time", mine.start_time}, {"boot_id", mine.boot_id}};
  write_file_atomic(file, j.dump() + "\n", 0600);
}

}  // namespace dismake
