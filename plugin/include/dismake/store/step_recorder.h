// StepRecorder: recording what a step changed in a serviced mount as a new
// known state (DESIGN.md, "The state model"): the write-ahead before a step,
// its changed paths hashed into the blob store and published with one sync
// after it, and the edits made by hand recorded as a step of their own.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace dismake {

// Windows metadata a step gives a file, which a Linux tree cannot hold
// (attributes, a security descriptor): a set-attributes or set-security step.
struct MetadataStep {
  std::uint32_t attributes_set = 0;    // attribute bits to set
  std::uint32_t attributes_clear = 0;  // and to clear
  std::string security_from;           // a base path whose security descriptor it gets
};

// What a step changed: the image paths it wrote, created or removed in the
// tree, the image properties it set, the paths it moved (from, to: the moved
// entries keep the Windows metadata of their origin) and the metadata it
// gave files (each such path is listed in `paths` too).
struct StepChanges {
  std::vector<std::string> paths;
  std::map<std::string, std::string> properties;
  std::vector<std::pair<std::string, std::string>> moves;
  std::map<std::string, MetadataStep> metadata;
};

struct ServicedMountImpl;

class StepRecorder {
 public:
  explicit StepRecorder(ServicedMountImpl& mount) : m_(&mount) {}

  // Write-ahead for a step that will move the tree from `parent` to `key`.
  void begin_step(const std::string& key, const std::string& parent) const;
  // Records what the step changed as the state `key`, made from `parent`.
  void finish_step(const std::string& key, const std::string& parent, const nlohmann::json& spec,
                   const StepChanges& changes) const;

  // Records the changes in the working tree that no step made as a step of
  // their own (op "edits by hand", its args the paths), as a commit or a
  // verb on a mount used by hand takes them. Nothing in the tree is touched
  // and nothing is rolled back: killed half-way, the edits are simply still
  // untracked. Returns the paths, none when there were no such changes.
  std::vector<std::string> record_untracked_changes() const;

  // Remembers the recipe fingerprint of the build that ensured this mount.
  void set_recipe(const std::string& recipe) const;

 private:
  ServicedMountImpl* m_;
};

}  // namespace dismake
