// DismApplyUnattend: the engine's apply-unattend step, run on a session's
// mount like any other step, so the answer file is part of what commits.
#include <memory>

#include "api_call.h"
#include "api_sessions.h"
#include "api_state.h"
#include "dism_log.h"
#include "dismake/ops/servicing_ops.h"
#include "dismake/ops/step_runner.h"
#include "wide_string.h"

using namespace dismake;
using namespace dismake::capi;

namespace {

fs::path existing_answer_file(PCWSTR unattend_file) {
  fs::path file = required_path(unattend_file, "UnattendFile");
  if (!fs::is_regular_file(file))
    throw Error(hr::kFileNotFound, "the answer file '" + file.string() + "' does not exist",
                "pass the path of an unattend.xml");
  return file;
}

// Steps are recorded in a mount's state; a plain directory has none.
MountPaths require_mount(Runtime& runtime, const std::string& target) {
  MountPaths paths = MountPaths::of(target);
  if (!is_mount(runtime.store(), paths))
    throw Error(hr::kNotFound,
                "'" + paths.mount_dir.string() +
                    "' is a plain directory, not a mount: dismake applies answer files to "
                    "mounted images only",
                "mount the image with DismMountImage and open the session on the mount");
  return paths;
}

}  // namespace

extern "C" HRESULT WINAPI DismApplyUnattend(DismSession Session, PCWSTR UnattendFile,
                                            BOOL SingleSession) {
  (void)SingleSession;  // no packages are installed here: see dismapi.h
  return api_call("DismApplyUnattend", [&] {
    std::shared_ptr<Runtime> runtime = current_runtime();
    SessionTable::Operation operation = runtime->sessions().begin_operation(Session);
    fs::path file = existing_answer_file(UnattendFile);
    MountPaths paths = require_mount(*runtime, operation.target());
    std::unique_ptr<Op> op = make_apply_unattend_op(file);
    run_step(paths.mount_dir, *op, StepOptions());
    log_line(LogSeverity::kInfo,
             "Placed " + file.string() + " at Windows/Panther/unattend.xml in " +
                 paths.mount_dir.string(),
             "DismApplyUnattend");
  });
}
