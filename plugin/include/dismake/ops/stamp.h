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

}  // namespace dismake
