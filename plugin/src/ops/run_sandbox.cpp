#include "dismake/ops/run_sandbox.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "dismake/base/error.h"

namespace dismake {

namespace fs = std::filesystem;

namespace {

enum class Mode { kAuto, kStrict, kOff };

Mode sandbox_mode() {
  const char* value = std::getenv("DISMAKE_RUN_SANDBOX");
  std::string mode = value != nullptr ? value : "";
  if (mode.empty() || mode == "auto") return Mode::kAuto;
  if (mode == "strict") return Mode::kStrict;
  if (mode == "off") return Mode::kOff;
  throw Error(hr::kInvalidArg, "DISMAKE_RUN_SANDBOX is '" + mode + "'",
              "set it to auto (the default), strict or off");
}

// The options every confined command gets, before its own binds.
std::vector<std::string> base_options() {
  return {"bwrap",
          "--die-with-parent",
          "--unshare-pid",
          "--ro-bind",
          "/",
          "/",
          "--dev",
          "/dev",
          "--proc",
          "/proc",
          "--tmpfs",
          "/tmp"};
}

// Why bubblewrap cannot confine a command here; "" when it can. Tried once
// per process with the very options a step uses.
const std::string& unavailable_reason() {
  static const std::string reason = [] {
    std::vector<std::string> argv = base_options();
    argv.push_back("true");
    std::vector<char*> args;
    for (std::string& arg : argv) args.push_back(arg.data());
    args.push_back(nullptr);
    int err[2];
    if (::pipe(err) != 0) return std::string("cannot create a pipe");
    pid_t pid = ::fork();
    if (pid < 0) return std::string("cannot fork");
    if (pid == 0) {
      ::dup2(err[1], 2);
      ::close(err[0]);
      ::execvp("bwrap", args.data());
      std::fprintf(stderr, "bwrap is not installed (Debian package bubblewrap)");
      ::_exit(127);
    }
    ::close(err[1]);
    std::string output;
    char buffer[512];
    ssize_t n;
    while ((n = ::read(err[0], buffer, sizeof buffer)) > 0) output.append(buffer, size_t(n));
    ::close(err[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return std::string();
    while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
    return output.empty() ? std::string("bwrap failed") : output;
  }();
  return reason;
}

}  // namespace

std::vector<std::string> sandboxed_command(const std::vector<std::string>& command,
                                           const fs::path& mount_dir,
                                           const std::vector<fs::path>& readable) {
  Mode mode = sandbox_mode();
  if (mode == Mode::kOff) return command;
  const std::string& reason = unavailable_reason();
  if (!reason.empty()) {
    if (mode == Mode::kStrict)
      throw Error(hr::kNotSupported,
                  "cannot confine the run step '" + command.front() + "' to the mount: " + reason,
                  "install bubblewrap and allow user namespaces, or unset "
                  "DISMAKE_RUN_SANDBOX=strict to run it unconfined");
    std::fprintf(stderr,
                 "dismake: warning: running '%s' unconfined: %s (set DISMAKE_RUN_SANDBOX=strict "
                 "to refuse instead)\n",
                 command.front().c_str(), reason.c_str());
    return command;
  }
  std::vector<std::string> argv = base_options();
  // After the /tmp tmpfs, so that inputs and mounts below /tmp stay visible.
  for (const fs::path& path : readable) {
    std::error_code ec;
    if (!fs::exists(path, ec)) continue;
    argv.insert(argv.end(), {"--ro-bind", path.string(), path.string()});
  }
  argv.insert(argv.end(), {"--bind", mount_dir.string(), mount_dir.string(), "--chdir",
                           mount_dir.string(), "--"});
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

}  // namespace dismake
