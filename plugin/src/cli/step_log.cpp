#include "step_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <sstream>

#include "dismake/base/error.h"
#include "dismake/base/files.h"

namespace dismake::cli {

StepLog::StepLog(const std::filesystem::path& log, std::string label, bool console)
    : log_(log), label_(std::move(label)), console_(console) {
  int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw_errno("write the step log", log.string(), errno);
  std::string header = "# " + label_ + "\n";
  if (::write(fd, header.data(), header.size()) < 0) throw_errno("write", log.string(), errno);
  std::fflush(stdout);
  std::fflush(stderr);
  saved_out_ = ::dup(1);
  ::dup2(fd, 1);
  if (!console_) {
    saved_err_ = ::dup(2);
    ::dup2(fd, 2);
  }
  ::close(fd);
}

StepLog::~StepLog() { restore(); }

void StepLog::restore() {
  std::fflush(stdout);
  std::fflush(stderr);
  if (saved_out_ >= 0) ::dup2(saved_out_, 1), ::close(saved_out_);
  if (saved_err_ >= 0) ::dup2(saved_err_, 2), ::close(saved_err_);
  saved_out_ = saved_err_ = -1;
}

void StepLog::succeeded(const std::string& outcome) {
  restore();
  if (!outcome.empty()) std::printf("%s: %s\n", label_.c_str(), outcome.c_str());
}

void StepLog::failed(const std::string& error) {
  std::fprintf(stderr, "%s\n", error.c_str());  // into the log, for the record
  restore();
  std::fprintf(stderr, "%s\n", error.c_str());
  // The rest of what the step printed (not the header, not the error).
  std::istringstream lines(read_file(log_));
  std::string line, rest;
  std::getline(lines, line);
  while (std::getline(lines, line))
    if (line != error) rest += line + "\n";
  if (!rest.empty()) std::fprintf(stderr, "-- output of the step --\n%s", rest.c_str());
  std::fprintf(stderr, "(%s: the step's log is %s)\n", label_.c_str(), log_.c_str());
}

}  // namespace dismake::cli
