// Telling whether the process that opened a session still runs. A pid alone
// cannot say: pids are recycled, and they restart at every boot. A process is
// therefore named by its pid, its start time (/proc/<pid>/stat field 22,
// clock ticks after boot) and the boot id.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace dismake {

// This boot's id (/proc/sys/kernel/random/boot_id). Throws Error if the
// kernel does not provide one.
const std::string& current_boot_id();

// The start time of the running process `pid`. Throws Error E_INVALIDARG
// when no process has that pid, or it has already exited.
std::uint64_t process_start_time(pid_t pid);

enum class ProcessFate {
  kRunning,   // pid still names the process that started at that time
  kExited,    // no such process, or only its zombie
  kRecycled,  // pid now names a process that started at another time
};

// What became of the process of this boot that was `pid` and started at
// `start_time`. When the kernel hides the process's details (procfs
// "hidepid") but it exists, it is taken to be running: a live session
// wrongly reaped is worse than a stale one kept.
ProcessFate process_fate(pid_t pid, std::uint64_t start_time);

// The process on whose behalf this short-lived `dismake` runs: its nearest
// ancestor that is neither a `sh -c` wrapper (what build tools run commands
// through), nor a wrapper that runs the command ending its own command line
// (`time`, `env`, `nice`, a build's launcher), nor a fork of its own parent
// (a shell's subshell). From a build
// that is the build tool (ninja), from a script the script's shell, by hand
// the user's shell. The parent when nothing better is found.
pid_t holding_process();

}  // namespace dismake
