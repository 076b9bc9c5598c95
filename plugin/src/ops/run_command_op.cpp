#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "dismake/ops/run_sandbox.h"
#include "dismake/ops/servicing_ops.h"
#include "dismake/store/image_path.h"

namespace dismake {

namespace {

// Runs `argv` in `dir` with DISMAKE_MOUNT_DIR set; returns its exit status
// (128+N for a signal).
int run_in(const std::vector<std::string>& argv, const fs::path& dir) {
  pid_t pid = ::fork();
  if (pid < 0) throw_errno("start", argv.front(), errno);
  if (pid == 0) {
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    ::setenv("DISMAKE_MOUNT_DIR", dir.c_str(), 1);
    if (::chdir(dir.c_str()) != 0) ::_exit(126);
    ::execvp(args[0], args.data());
    std::fprintf(stderr, "dismake: cannot run '%s': %s\n", args[0], std::strerror(errno));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) throw_errno("wait for", argv.front(), errno);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Gives the owner back read/write/search access everywhere in the mount: a
// command that did `chmod 000` on a directory must not leave a tree that no
// later step, scan or restore can enter (a Windows image has no Unix modes).
void restore_owner_access(const fs::path& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    struct stat st {};
    if (::lstat(entry.path().c_str(), &st) != 0) continue;
    mode_t wanted = S_ISDIR(st.st_mode) ? S_IRWXU : S_ISREG(st.st_mode) ? (S_IRUSR | S_IWUSR) : 0;
    if ((st.st_mode & wanted) != wanted) ::chmod(entry.path().c_str(), st.st_mode | wanted);
    if (S_ISDIR(st.st_mode)) restore_owner_access(entry.path());
  }
}

class RunCommandOp : public Op {
 public:
  RunCommandOp(std::vector<std::string> command, std::vector<std::string> paths,
               std::vector<fs::path> depends, bool network)
      : command_(std::move(command)), paths_(std::move(paths)), network_(network) {
    for (const fs::path& dep : depends) depends_.push_back(absolute_path(dep));
  }

  std::string name() const override { return "run"; }
  nlohmann::json spec() const override {
    std::vector<std::string> depends;
    for (const fs::path& dep : depends_) depends.push_back(dep.string());
    nlohmann::json spec = {{"command", command_}, {"paths", paths_}, {"depends", depends}};
    // Only when asked for, so that the keys of steps without it stay as
    // they were before the option existed.
    if (network_) spec["network"] = true;
    return spec;
  }
  void collect_inputs(InputSet& inputs) const override {
    for (const fs::path& dep : depends_) inputs.add(dep);
  }
  void check(const ServicedMount& mount) const override {
    if (command_.empty()) throw Error(hr::kInvalidArg, "run needs a command", "write it after --");
    for (const std::string& path : paths_)
      if (mount.state().kind_of(mount.state().resolve(path)) == FileKind::kAbsent)
        throw Error(hr::kPathNotFound, "the declared path '" + path + "' is not in the image",
                    "declare only paths the image has (PATHS)");
  }

  StepChanges apply(ServicedMount& mount) override {
    if (paths_.empty()) mount.tree().materialize("");
    for (const std::string& path : paths_) mount.tree().materialize(mount.state().resolve(path));
    std::fflush(stdout);
    SandboxReach reach{mount.state().paths().mount_dir, mount.state().paths().record_dir, depends_,
                       network_};
    int status = run_in(sandboxed_command(command_, reach), mount.state().paths().mount_dir);
    restore_owner_access(mount.state().paths().mount_dir);
    if (status != 0)
      throw Error(
          hr::kFail,
          "the command '" + command_.front() + "' exited with status " + std::to_string(status),
          "see its output; the mount was left as it was before the step");
    TreeChanges found = mount.tree().scan_untracked_changes();
    StepChanges changes;
    changes.paths = found.paths();
    // A new directory is reported as itself. In a lazy mount it may be one
    // the image already has but that was never extracted (the command wrote
    // outside its declared paths): what the command put in it is its change
    // too, so name every path below it.
    for (const std::string& added : found.added) {
      std::error_code ec;
      if (!fs::is_directory(fs::symlink_status(mount.state().disk_path(added), ec))) continue;
      for (auto it = fs::recursive_directory_iterator(mount.state().disk_path(added), ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        changes.paths.push_back(join_image_path(
            added, fs::relative(it->path(), mount.state().disk_path(added)).generic_string()));
    }
    return changes;
  }

 private:
  std::vector<std::string> command_;
  std::vector<std::string> paths_;
  std::vector<fs::path> depends_;
  bool network_;
};

}  // namespace

std::unique_ptr<Op> make_run_command_op(std::vector<std::string> command,
                                        std::vector<std::string> paths,
                                        std::vector<fs::path> depends, bool network) {
  return std::make_unique<RunCommandOp>(std::move(command), std::move(paths), std::move(depends),
                                        network);
}

}  // namespace dismake
