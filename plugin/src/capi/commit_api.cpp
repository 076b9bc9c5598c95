// DismCommitImage: the one servicing verb on a session so far.
#include "api_call.h"
#include "api_state.h"
#include "commit_flags.h"
#include "dism_log.h"
#include "progress_bridge.h"

using namespace dismake;
using namespace dismake::capi;

extern "C" HRESULT WINAPI DismCommitImage(DismSession Session, DWORD Flags, HANDLE CancelEvent,
                                          DISM_PROGRESS_CALLBACK Progress, PVOID UserData) {
  return api_call("DismCommitImage", [&] {
    std::shared_ptr<Runtime> runtime = current_runtime();
    SessionTable::Operation operation = runtime->sessions().begin_operation(Session);
    ProgressBridge progress(CancelEvent, Progress, UserData);
    runtime->store().commit(operation.target(), commit_options(Flags, progress.fn()));
    progress.finish();
    log_line(LogSeverity::kInfo, "Committed the changes of " + operation.target(),
             "DismCommitImage");
  });
}
