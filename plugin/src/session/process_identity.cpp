#include "process_identity.h"

#include <signal.h>

#include <cerrno>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>

#include "dismake/base/error.h"

namespace dismake {

namespace {

struct ProcStat {
  char state;
  std::uint64_t start_time;
};

// Fields 3 (state) and 22 (starttime) of /proc/<pid>/stat, or nothing when
// it cannot be read. The command name (field 2) may hold spaces and ')', so
// the fields are counted from its last ')'.
std::optional<ProcStat> read_proc_stat(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  if (!in) return std::nullopt;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto paren = text.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(paren + 1));
  ProcStat stat{};
  std::string skipped;
  fields >> stat.state;
  for (int field = 4; field < 22; ++field) fields >> skipped;
  fields >> stat.start_time;
  if (!fields) return std::nullopt;
  return stat;
}

bool exited(char state) { return state == 'Z' || state == 'X'; }

bool pid_exists(pid_t pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

std::string read_boot_id() {
  const char* path = "/proc/sys/kernel/random/boot_id";
  std::ifstream in(path);
  std::string id;
  if (!(in >> id))
    throw Error(hr::kNotSupported, std::string("cannot read the boot id from ") + path,
                "dismake needs a Linux procfs mounted at /proc");
  return id;
}

}  // namespace

const std::string& current_boot_id() {
  static const std::string id = read_boot_id();
  return id;
}

std::uint64_t process_start_time(pid_t pid) {
  std::optional<ProcStat> stat = pid > 0 ? read_proc_stat(pid) : std::nullopt;
  if (!stat || exited(stat->state))
    throw Error(hr::kInvalidArg, "process " + std::to_string(pid) + " is not running",
                "give the pid of a running process");
  return stat->start_time;
}

ProcessFate process_fate(pid_t pid, std::uint64_t start_time) {
  if (pid <= 0) return ProcessFate::kExited;
  std::optional<ProcStat> stat = read_proc_stat(pid);
  if (!stat) return pid_exists(pid) ? ProcessFate::kRunning : ProcessFate::kExited;
  if (exited(stat->state)) return ProcessFate::kExited;
  return stat->start_time == start_time ? ProcessFate::kRunning : ProcessFate::kRecycled;
}

}  // namespace dismake
