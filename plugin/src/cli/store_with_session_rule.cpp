#include "store_with_session_rule.h"

#include <cstdio>

#include "dismake/ops/store_with_session_rule.h"

namespace dismake::cli {

MountStore store_with_session_rule() {
  SessionRuleFront front;
  front.notice = [](const std::string& line) {
    std::fprintf(stderr, "dismake: warning: %s\n", line.c_str());
  };
  return mount_store_with_session_rule(MountRegistry::for_current_user(), std::move(front));
}

}  // namespace dismake::cli
