// Stamps: the small JSON files a build step leaves behind (DESIGN.md: "A
// stamp is JSON: the step's key, its spec, the state key it produced"). The
// next step reads its parent state from the previous step's stamp, so the
// chain of stamps is the chain of states.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace dismake {

struct Stamp {
  std::string key;
  std::string state;
  nlohmann::json spec;

  // Throws Error naming the file when it is missing or not a stamp.
  static Stamp load(const std::filesystem::path& file);
  // Writes atomically. With `only_if_changed`, an identical stamp is left
  // alone (its mtime too), so Ninja's restat sees that nothing changed.
  void save(const std::filesystem::path& file, bool only_if_changed) const;
};

// The keys of the three kinds of build step, computed here alone: a stamp
// already on disk stays valid only while its key is computed the same way.
//
// A servicing step's key, which is also the state it produces (DESIGN.md:
// H(parent key, op spec, input digests)).
std::string step_key(const std::string& parent, const std::string& spec_text,
                     const std::string& inputs_digest);

// The ensure step's stamp: keyed by the base and everything that re-mounts
// or restores (`spec`); its state is the base.
Stamp ensure_stamp(const std::string& base_key, const nlohmann::json& spec);

// An open-session or close-session step's stamp (`verb`): it passes `state`
// through, so the steps chain across it, and names the mount (`mount_id`):
// a mount made anew has none of the states the steps after it recorded, so
// they must run again.
Stamp session_stamp(const std::string& verb, const std::string& session, const std::string& state,
                    const std::string& mount_id);

}  // namespace dismake
