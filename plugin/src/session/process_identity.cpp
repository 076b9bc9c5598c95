#include "process_identity.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <vector>

#include "dismake/base/error.h"

namespace dismake {

namespace {

struct ProcStat {
  char state;
  pid_t parent;
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
  fields >> stat.state >> stat.parent;
  for (int field = 5; field < 22; ++field) fields >> skipped;
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

// argv of `pid`, or nothing when it cannot be read.
std::vector<std::string> command_line(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::vector<std::string> args;
  for (std::string arg; std::getline(in, arg, '\0');) args.push_back(arg);
  return args;
}

std::string executable(pid_t pid) {
  std::error_code ec;
  return std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec).string();
}

bool is_shell_wrapper(const std::vector<std::string>& args) {
  if (args.size() < 2 || args[1] != "-c") return false;
  std::string name = std::filesystem::path(args[0]).filename().string();
  return name.size() >= 2 && name.compare(name.size() - 2, 2, "sh") == 0;
}

// `time dismake ...`, `env X=1 dismake ...`, `nice`, `timeout`, a build's
// launcher: a process whose command line ends with the command it runs
// lives exactly as long as that command, so it cannot hold a session.
bool is_exec_wrapper(const std::vector<std::string>& args, const std::vector<std::string>& runs) {
  return !runs.empty() && args.size() > runs.size() &&
         std::equal(runs.begin(), runs.end(), args.end() - static_cast<long>(runs.size()));
}

bool is_fork_of(pid_t pid, pid_t parent) {
  return executable(pid) == executable(parent) && command_line(pid) == command_line(parent);
}

}  // namespace

pid_t holding_process() {
  pid_t candidate = ::getppid();
  std::vector<std::string> below = command_line(::getpid());
  for (int depth = 0; depth < 64; ++depth) {
    std::optional<ProcStat> stat = read_proc_stat(candidate);
    if (!stat || stat->parent <= 1) break;
    std::vector<std::string> args = command_line(candidate);
    if (!is_shell_wrapper(args) && !is_exec_wrapper(args, below) &&
        !is_fork_of(candidate, stat->parent))
      return candidate;
    below = std::move(args);
    candidate = stat->parent;
  }
  return candidate > 1 ? candidate : ::getppid();
}

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
