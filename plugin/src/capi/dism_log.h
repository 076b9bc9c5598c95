// DismInitialize's log file, in DISM's own line format so that tools reading
// dism.log read it too:
//
//   2024-01-31 10:00:00, Info                  DISM   API: PID=1234 TID=5678 <text> - <function>
//
// (local time; the level padded to 22 columns, the component to 7). Lines
// are appended, each with one write() on a file opened O_APPEND, so two
// processes logging to one file interleave whole lines. What is written
// follows DismInitialize's LogLevel: errors always, then warnings, then
// each call's entry and exit (Info), then the arguments (Debug).
#pragma once

#include <string>

#include "dismapi.h"

namespace dismake::capi {

enum class LogSeverity { kError = 0, kWarning = 1, kInfo = 2, kDebug = 3 };

// Starts logging to `path` (UTF-8) at `level`: its parent directories are
// created as DISM creates them, the file is opened for appending. Throws
// Error (from errno, naming the path) when it cannot be created.
void open_log(const std::string& path, DismLogLevel level);

// Stops logging; later lines are dropped until open_log.
void close_log() noexcept;

// Appends one line for `function` when the level lets it through. Never
// throws: a log that cannot be written loses the line, not the call.
void log_line(LogSeverity severity, const std::string& text, const char* function) noexcept;

// Whether a line of `severity` would be written (to skip building it).
bool log_enabled(LogSeverity severity) noexcept;

}  // namespace dismake::capi
