// MountLog: a serviced mount's events.log, one JSON line per event (a step,
// a rollback, a commit, an ensure), each stamped with its time: what happened to a mount, to be
// read after the fact.
#pragma once

#include <nlohmann/json.hpp>

namespace dismake {

struct ServicedMountImpl;

class MountLog {
 public:
  explicit MountLog(ServicedMountImpl& mount) : m_(&mount) {}

  // Appends one JSON line to the mount's events.log.
  void append(const nlohmann::json& event) const;

 private:
  ServicedMountImpl* m_;
};

}  // namespace dismake
