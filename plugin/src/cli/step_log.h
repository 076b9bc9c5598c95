// StepLog: how a build step's helper call talks to the console, without a
// wrapper script around it (a `cmake -P` per step cost 60 ms, twelve times
// the helper's own start, on every no-op build). With `--step-log <file>
// --label <text>` the helper writes its output to the step's log, and the
// console gets one line, "<label>: <outcome>" ("ran (input overlay/app.ini
// changed)", "up to date"); when the step fails, the helper's own error
// comes first, then the rest of its output and where the log is.
#pragma once

#include <filesystem>
#include <string>

namespace dismake::cli {

class StepLog {
 public:
  // Sends stdout (and stderr, unless `console`: a step in Ninja's console
  // pool shows its progress live) to `log`, headed by the label.
  StepLog(const std::filesystem::path& log, std::string label, bool console);
  ~StepLog();
  StepLog(const StepLog&) = delete;
  StepLog& operator=(const StepLog&) = delete;

  // Back to the console, then "<label>: <outcome>" on stdout.
  void succeeded(const std::string& outcome);
  // Back to the console, then `error` (the "dismake: error: ..." line), the
  // rest of the step's output, and the log's path, on stderr.
  void failed(const std::string& error);

 private:
  void restore();
  std::filesystem::path log_;
  std::string label_;
  bool console_;
  int saved_out_ = -1;
  int saved_err_ = -1;
};

}  // namespace dismake::cli
