#include "tool_process.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "dismake/base/error.h"
#include "dismake/base/unique_fd.h"

extern char** environ;

namespace dismake {

namespace {

// The command's environment: ours with `extra` set (replacing a value we
// have).
std::vector<std::string> child_environment(
    const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::string> result;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string text = *entry;
    bool replaced = false;
    for (const auto& [name, value] : extra)
      if (text.compare(0, name.size() + 1, name + "=") == 0) replaced = true;
    if (!replaced) result.push_back(text);
  }
  for (const auto& [name, value] : extra) result.push_back(name + "=" + value);
  return result;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> result;
  for (std::string& s : strings) result.push_back(s.data());
  result.push_back(nullptr);
  return result;
}

}  // namespace

ToolResult run_tool(const std::vector<std::string>& argv,
                    const std::vector<std::pair<std::string, std::string>>& environment,
                    const std::string& package) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw_errno("create a pipe for", argv[0], errno);
  UniqueFd read_end(pipe_fds[0]);
  int write_end = pipe_fds[1];  // closed by us once the tool has its copy

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end, 1);
  posix_spawn_file_actions_adddup2(&actions, write_end, 2);
  std::vector<std::string> args = argv;
  std::vector<std::string> env = child_environment(environment);
  std::vector<char*> arg_ptrs = pointers(args);
  std::vector<char*> env_ptrs = pointers(env);
  pid_t pid = 0;
  int spawned =
      ::posix_spawnp(&pid, argv[0].c_str(), &actions, nullptr, arg_ptrs.data(), env_ptrs.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(write_end);
  if (spawned == ENOENT)
    throw Error(hr::kFileNotFound, argv[0] + " is not installed",
                "install the Debian package " + package + " (scripts/setup.sh does)");
  if (spawned != 0) throw_errno("start", argv[0], spawned);

  ToolResult result;
  char buffer[4096];
  for (;;) {
    ssize_t got = ::read(read_end.get(), buffer, sizeof buffer);
    if (got > 0) {
      result.output.append(buffer, static_cast<std::size_t>(got));
      continue;
    }
    if (got < 0 && errno == EINTR) continue;
    break;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::string tool_output_tail(const std::string& output, int lines) {
  std::vector<std::string> kept;
  std::size_t start = 0;
  while (start < output.size()) {
    std::size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    std::string line = output.substr(start, end - start);
    if (line.find_first_not_of(" \t\r") != std::string::npos) kept.push_back(line);
    start = end + 1;
  }
  std::string result;
  std::size_t first = kept.size() > static_cast<std::size_t>(lines) ? kept.size() - lines : 0;
  for (std::size_t i = first; i < kept.size(); ++i) {
    if (!result.empty()) result += "; ";
    result += kept[i];
  }
  return result;
}

}  // namespace dismake
