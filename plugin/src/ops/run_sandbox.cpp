#include "dismake/ops/run_sandbox.h"

#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "dismake/store/mount_registry.h"

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

// The directories of the system a command runs its programs from. The
// /bin, /sbin and /lib* of a merged-/usr system are symlinks into /usr and
// are made symlinks again.
const char* const kSystemDirs[] = {"/usr",   "/bin",   "/sbin",   "/lib",
                                   "/lib32", "/lib64", "/libx32", "/etc"};

bool is_system_path(const fs::path& path) {
  for (const char* dir : kSystemDirs)
    if (is_within(path, dir)) return true;
  return false;
}

// The entries of /etc the world may not read (shadow, gshadow, ssh host
// keys, ssl/private, ...): a step runs as its caller, root included, who
// may own them, so they are hidden rather than left to their modes. Listed
// once per process; symlinks are not followed (their targets are hidden or
// not bound on their own account).
struct HiddenEntry {
  fs::path path;
  bool directory;
};
const std::vector<HiddenEntry>& etc_secrets() {
  static const std::vector<HiddenEntry> secrets = [] {
    std::vector<HiddenEntry> found;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(
             "/etc", fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      struct stat st {};
      if (::lstat(it->path().c_str(), &st) != 0) continue;
      if (S_ISDIR(st.st_mode) && (st.st_mode & (S_IROTH | S_IXOTH)) != (S_IROTH | S_IXOTH)) {
        found.push_back({it->path(), true});
        it.disable_recursion_pending();
      } else if (S_ISREG(st.st_mode) && (st.st_mode & S_IROTH) == 0) {
        found.push_back({it->path(), false});
      }
    }
    return found;
  }();
  return secrets;
}

void hide(std::vector<std::string>& argv, const fs::path& path, bool directory) {
  if (directory)
    argv.insert(argv.end(), {"--tmpfs", path.string(), "--remount-ro", path.string()});
  else
    argv.insert(argv.end(), {"--ro-bind", "/dev/null", path.string()});
}

// The options every confined command gets, before its own binds: new
// namespaces (user, with every capability dropped and no nested one), and
// a root of the read-only system, a private /tmp, /dev and /proc.
std::vector<std::string> confinement_options(bool network) {
  std::vector<std::string> argv = {"bwrap",
                                   "--unshare-user",
                                   "--disable-userns",
                                   "--cap-drop",
                                   "ALL",
                                   "--unshare-pid",
                                   "--unshare-ipc",
                                   "--unshare-uts",
                                   "--unshare-cgroup-try",
                                   "--new-session",
                                   "--die-with-parent"};
  if (!network) argv.push_back("--unshare-net");
  for (const char* dir : kSystemDirs) {
    struct stat st {};
    if (::lstat(dir, &st) != 0) continue;
    if (S_ISLNK(st.st_mode)) {
      std::error_code ec;
      fs::path target = fs::read_symlink(dir, ec);
      if (!ec) argv.insert(argv.end(), {"--symlink", target.string(), dir});
    } else if (S_ISDIR(st.st_mode)) {
      argv.insert(argv.end(), {"--ro-bind", dir, dir});
    }
  }
  for (const HiddenEntry& secret : etc_secrets()) hide(argv, secret.path, secret.directory);
  argv.insert(argv.end(), {"--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"});
  return argv;
}

// Why bubblewrap cannot confine a command here; "" when it can. Tried once
// per process with the very options a step uses.
const std::string& unavailable_reason() {
  static const std::string reason = [] {
    std::vector<std::string> argv = confinement_options(false);
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

// The places of the host a step may never read, even inside a directory it
// may: every mount's record directory (its own included), $DISMAKE_HOME,
// and the caller's ~/.ssh. Those that exist, as absolute paths.
std::vector<fs::path> places_never_read(const fs::path& record_dir) {
  std::vector<fs::path> places = {record_dir};
  try {
    MountRegistry registry = MountRegistry::for_current_user();
    places.push_back(registry.home());
    for (const MountPaths& paths : registry.list()) places.push_back(paths.record_dir);
  } catch (const Error&) {
    // No registry (no $HOME nor $DISMAKE_HOME, or unreadable): no mounts
    // of it to hide; the step's own record directory is still hidden.
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home == '/')
    places.push_back(fs::path(home) / ".ssh");
  if (const struct passwd* user = ::getpwuid(::getuid()); user != nullptr && user->pw_dir)
    places.push_back(fs::path(user->pw_dir) / ".ssh");
  std::vector<fs::path> existing;
  for (const fs::path& place : places) {
    std::error_code ec;
    if (place.empty() || !fs::exists(place, ec)) continue;
    existing.push_back(absolute_path(place));
  }
  return existing;
}

// The file `program` runs (found through $PATH as execvp does) when it lies
// outside the system directories, so that it can be bound; "" otherwise (a
// system program, a path relative to the mount, or not found: the command
// then fails inside with its own message).
fs::path program_outside_system(const std::string& program) {
  fs::path found;
  if (program.find('/') != std::string::npos) {
    if (program.front() == '/') found = program;
  } else if (const char* path = std::getenv("PATH")) {
    std::string dirs = path;
    for (size_t start = 0; start <= dirs.size();) {
      size_t end = dirs.find(':', start);
      if (end == std::string::npos) end = dirs.size();
      fs::path candidate = fs::path(dirs.substr(start, end - start)) / program;
      if (candidate.is_absolute() && ::access(candidate.c_str(), X_OK) == 0) {
        found = candidate;
        break;
      }
      start = end + 1;
    }
  }
  std::error_code ec;
  if (found.empty() || !fs::exists(found, ec) || is_system_path(absolute_path(found))) return {};
  return found;
}

void warn_unconfined(const std::string& program, const std::string& why) {
  std::fprintf(stderr, "dismake: warning: running '%s' unconfined: %s\n", program.c_str(),
               why.c_str());
}

}  // namespace

std::vector<std::string> sandboxed_command(const std::vector<std::string>& command,
                                           const SandboxReach& reach) {
  Mode mode = sandbox_mode();
  if (mode == Mode::kOff) {
    warn_unconfined(command.front(),
                    "DISMAKE_RUN_SANDBOX=off (it can read and write whatever you can)");
    return command;
  }
  const std::string& reason = unavailable_reason();
  if (!reason.empty()) {
    if (mode == Mode::kStrict)
      throw Error(hr::kNotSupported,
                  "cannot confine the run step '" + command.front() + "' to the mount: " + reason,
                  "install bubblewrap (0.8 or later) and allow user namespaces, or unset "
                  "DISMAKE_RUN_SANDBOX=strict to run it unconfined");
    warn_unconfined(command.front(),
                    reason + " (set DISMAKE_RUN_SANDBOX=strict to refuse instead)");
    return command;
  }

  // Bound paths as (source, destination): the command's own program under
  // the name it runs it by and under its real one, then its DEPENDS.
  std::vector<std::pair<fs::path, fs::path>> binds;
  if (fs::path program = program_outside_system(command.front()); !program.empty()) {
    binds.emplace_back(absolute_path(program), fs::absolute(program).lexically_normal());
    binds.emplace_back(absolute_path(program), absolute_path(program));
  }
  for (const fs::path& path : reach.readable) {
    std::error_code ec;
    if (fs::exists(path, ec)) binds.emplace_back(absolute_path(path), absolute_path(path));
  }
  // A resolver configuration that links out of /etc (systemd-resolved's).
  if (fs::path resolver = absolute_path("/etc/resolv.conf");
      reach.network && !is_system_path(resolver) && fs::exists(resolver))
    binds.emplace_back(resolver, resolver);

  std::vector<fs::path> never_read = places_never_read(reach.record_dir);
  for (const auto& [source, destination] : binds)
    for (const fs::path& place : never_read)
      if (is_within(source, place))
        throw Error(hr::kAccessDenied,
                    "the run step '" + command.front() + "' reads '" + destination.string() +
                        "', which is in '" + place.string() + "', a place run steps may not read",
                    "keep the files the command reads elsewhere");

  std::vector<std::string> argv = confinement_options(reach.network);
  // After the /tmp tmpfs, so that inputs and mounts below /tmp stay visible.
  for (const auto& [source, destination] : binds)
    argv.insert(argv.end(), {"--ro-bind", source.string(), destination.string()});
  argv.insert(argv.end(), {"--bind", reach.mount_dir.string(), reach.mount_dir.string()});

  // A place never read inside a bound directory (a record directory beside
  // a mount in a DEPENDS directory, $DISMAKE_HOME under /etc ...) is
  // covered, unless the mount itself is in it.
  fs::path mount_dir = absolute_path(reach.mount_dir);
  std::vector<fs::path> bound = {mount_dir};
  for (const char* dir : kSystemDirs) bound.emplace_back(dir);
  for (const auto& bind : binds) bound.push_back(bind.first);
  for (const fs::path& place : never_read) {
    if (is_within(mount_dir, place)) continue;
    for (const fs::path& dir : bound) {
      if (!is_within(place, dir)) continue;
      std::error_code ec;
      hide(argv, place, fs::is_directory(place, ec));
      break;
    }
  }
  argv.insert(argv.end(), {"--chdir", reach.mount_dir.string(), "--"});
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

}  // namespace dismake
