#include "dismake/store/mount_log.h"

#include <fstream>

#include "dismake/base/clock.h"
#include "serviced_mount_impl.h"

namespace dismake {

using nlohmann::json;

void MountLog::append(const json& event) const {
  json line = event;
  line["time_ns"] = now_ns();
  std::ofstream out(m_->paths.events_file(), std::ios::app);
  out << line.dump() << "\n";
}

}  // namespace dismake
