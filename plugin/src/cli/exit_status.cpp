#include "exit_status.h"

namespace dismake::cli {

ExitStatus& exit_status() {
  static ExitStatus status;
  return status;
}

}  // namespace dismake::cli
