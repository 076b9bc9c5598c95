// The states a mount has been in, by key, and which one its tree is in now.
// A state's key names the base and every step that led to it (DESIGN.md:
// key(k) = H(key(k-1), op spec, input digests)), so a key seen before can be
// restored from its recorded delta without re-running anything.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "dismake/store/state_delta.h"

namespace dismake {

// One known state: how it was made and what it differs from the base in.
struct StateRecord {
  std::string key;
  std::string parent;   // "" for the base state
  nlohmann::json spec;  // the step's op spec (null for the base state)
  StateDelta delta;
};

class StateCatalog {
 public:
  explicit StateCatalog(std::filesystem::path dir);
  void save(const StateRecord& record) const;
  // Writes the record to a temporary file beside its own, not synced, and
  // returns {temporary, final} names: renamed after one sync of the step.
  std::pair<std::filesystem::path, std::filesystem::path> stage(const StateRecord& record) const;
  std::optional<StateRecord> load(const std::string& key) const;
  bool contains(const std::string& key) const;

 private:
  std::filesystem::path file_of(const std::string& key) const;
  std::filesystem::path dir_;
};

// The mount's head, as git's HEAD points at a commit: which state the tree is
// in, and a step that was started and not finished (write-ahead: a killed
// step is rolled back by the next command), with what the tree is (lazy, its
// mount id, the recipe last ensured). Stored as state.json (the name older
// mounts have). Not a state itself: states are StateRecords.
struct MountHead {
  std::string base_key;
  std::string current_key;
  std::string pending_key;     // "" when no step is under way
  std::string pending_parent;  // the state a pending step started from
  bool lazy = false;
  std::string mount_id;  // new for every fresh mount: stamps of old builds do not apply
  std::string recipe;    // fingerprint of the build recipe last ensured

  static MountHead load(const std::filesystem::path& file);
  void save(const std::filesystem::path& file) const;
  std::string to_text() const;
};

// key(base) = H("base", base identity).
std::string base_state_key(const std::string& base_identity);

}  // namespace dismake
