#include "dism_log.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <system_error>

#include "dismake/base/error.h"

namespace dismake::capi {

namespace {

class LogFile {
 public:
  void open(const std::string& path, DismLogLevel level) {
    std::filesystem::path file(path);
    std::error_code ec;
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
    if (ec) throw_errno("create the log directory", file.parent_path().string(), ec.value());
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) throw_errno("open the log file", path, errno);
    std::lock_guard<std::mutex> lock(mutex_);
    close_locked();
    fd_ = fd;
    level_.store(static_cast<int>(level), std::memory_order_release);
  }

  void close() noexcept {
    std::lock_guard<std::mutex> lock(mutex_);
    close_locked();
  }

  bool enabled(LogSeverity severity) const noexcept {
    return static_cast<int>(severity) <= level_.load(std::memory_order_acquire);
  }

  void write(const std::string& line) noexcept {
    std::lock_guard<std::mutex> lock(mutex_);
    if (fd_ < 0) return;
    std::size_t done = 0;
    while (done < line.size()) {
      ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      done += static_cast<std::size_t>(n);
    }
  }

 private:
  void close_locked() noexcept {
    level_.store(-1, std::memory_order_release);
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  std::mutex mutex_;
  int fd_ = -1;
  std::atomic<int> level_{-1};  // -1: no log
};

LogFile& log_file() {
  static LogFile* file = new LogFile();  // never destroyed: usable at exit
  return *file;
}

// DISM's level column: the name padded to 22 characters.
const char* level_column(LogSeverity severity) {
  switch (severity) {
    case LogSeverity::kError:
      return "Error                 ";
    case LogSeverity::kWarning:
      return "Warning               ";
    case LogSeverity::kInfo:
      return "Info                  ";
    case LogSeverity::kDebug:
      return "Info                  ";  // DISM logs debug lines as Info
  }
  return "Info                  ";
}

std::string timestamp() {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &local);
  return text;
}

}  // namespace

void open_log(const std::string& path, DismLogLevel level) { log_file().open(path, level); }

void close_log() noexcept { log_file().close(); }

bool log_enabled(LogSeverity severity) noexcept { return log_file().enabled(severity); }

void log_line(LogSeverity severity, const std::string& text, const char* function) noexcept {
  if (!log_enabled(severity)) return;
  try {
    std::string line = timestamp() + ", " + level_column(severity) +
                       "DISM   API: PID=" + std::to_string(::getpid()) +
                       " TID=" + std::to_string(static_cast<long>(::syscall(SYS_gettid))) + " " +
                       text;
    if (function) line += std::string(" - ") + function;
    for (char& c : line)
      if (c == '\n') c = ' ';  // one entry, one line
    line += '\n';
    log_file().write(line);
  } catch (...) {
    // Out of memory while formatting: the line is lost, the call goes on.
  }
}

}  // namespace dismake::capi
